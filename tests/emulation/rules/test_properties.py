"""Properties of the title rules over generated records."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from emulation import title_rules
from emulation.legal import SCOPES
from emulation.subject_facts import AttestationFact, AwardFact, InitiativeFact, SubjectFacts

YEAR = 2024
ON = st.sampled_from([dt.date(YEAR + 1, 1, 15), dt.date(YEAR + 3, 1, 1)])

# Records near the Bằng khen's thresholds: recent years, mostly regular grassroots titles,
# excellent ratings and grassroots initiatives, so that many of them pass and the property bites.
RECENT = [YEAR, YEAR - 1, YEAR - 2, YEAR - 3]


def _often(value: object, *others: object) -> st.SearchStrategy:
    """`value` at least as often as all the others together."""
    return st.sampled_from([value] * max(3, len(others)) + list(others))


@st.composite
def records(draw: st.DrawFn) -> SubjectFacts:
    ratings = {}
    for year in RECENT:
        band = draw(_often("excellent", "good", "completed", "not_completed", None))
        if band is not None:
            ratings[year] = band
    awards = tuple(
        AwardFact(
            id=n,
            title_code=draw(_often("CSTDCS", "LDTT", "BK_UBTVQH")),
            year=draw(st.sampled_from(RECENT)),
            basis=draw(st.sampled_from(["excellent", "initiative", "other"])),
            kind=draw(_often("regular", "thematic", "extraordinary")),
            revoked=draw(_often(False, True)),
            initiative_ids=tuple(draw(st.lists(st.sampled_from([1, 2, 10, 11]), max_size=2))),
        )
        for n in range(1, draw(st.integers(0, 5)) + 1)
    )
    initiatives = tuple(
        InitiativeFact(
            id=n,
            recognized_on=draw(st.dates(dt.date(YEAR - 2, 1, 1), dt.date(YEAR, 12, 31))),
            scope=draw(_often("grassroots", *SCOPES)),
            applied_effectively=draw(_often(True, False)),
        )
        for n in range(1, draw(st.integers(0, 6)) + 1)
    )
    # Half the time, start from a record that meets one option of Art. 74.1.d, then let the
    # random awards (revoked, thematic, initiative-based...) and ratings above interfere.
    boost = draw(st.sampled_from(["none", "d1", "d2"]))
    if boost == "d1":
        awards += (AwardFact(90, "CSTDCS", YEAR - 1, "excellent", "regular", False),)
        awards += (AwardFact(91, "CSTDCS", YEAR, "excellent", "regular", False),)
    elif boost == "d2":
        ratings[YEAR - 1] = ratings[YEAR] = "excellent"
        initiatives += (
            InitiativeFact(10, dt.date(YEAR - 1, 3, 1), "grassroots", True),
            InitiativeFact(11, dt.date(YEAR, 3, 1), "grassroots", True),
        )
    attested = draw(st.booleans())
    marks = {(YEAR, "exemplary"): AttestationFact(1, "exemplary", True, "head@example.vn")}
    return SubjectFacts(
        kind="person",
        subject_id=1,
        ratings=ratings,
        awards=awards,
        initiatives=initiatives,
        attestations=marks if attested else {},
    )


@settings(max_examples=300, deadline=None)
@given(
    facts=records(),
    on=ON,
    basis=st.sampled_from(["excellent", "science", "other"]),
    used=st.lists(st.sampled_from([1, 2, 10, 11]), max_size=2).map(tuple),
)
def test_a_previous_year_grassroots_title_never_turns_a_bk_pass_into_a_fail(
    facts: SubjectFacts, on: dt.date, basis: str, used: tuple[int, ...]
) -> None:
    """Adding a non-revoked regular CSTĐCS for the previous year can only help the Bằng khen.

    Not for one granted on the initiative basis: MoHA's reading (ii) makes its initiatives
    unusable for the second option (tests/emulation/rules/test_commendations.py shows it)."""
    before = title_rules.evaluate("BK_UBTVQH", facts, YEAR, on)
    extra = AwardFact(99, "CSTDCS", YEAR - 1, basis, "regular", False, used)
    after = title_rules.evaluate(
        "BK_UBTVQH", dataclasses.replace(facts, awards=(*facts.awards, extra)), YEAR, on
    )
    rule = "R7.bk.art74_1_d"
    d_before = next(r for r in before.results if r.rule == rule).outcome
    d_after = next(r for r in after.results if r.rule == rule).outcome
    if d_before == "pass":
        assert d_after == "pass"
    if before.outcome == "pass":
        assert after.outcome == "pass"


def test_an_initiative_basis_title_can_take_the_second_option_away() -> None:
    """The counterexample the property above leaves out, on purpose."""
    facts = SubjectFacts(
        kind="person",
        subject_id=1,
        ratings={YEAR - 1: "excellent", YEAR: "excellent"},
        initiatives=(
            InitiativeFact(1, dt.date(YEAR - 1, 5, 1), "grassroots", True),
            InitiativeFact(2, dt.date(YEAR, 5, 1), "grassroots", True),
        ),
    )
    on = dt.date(YEAR + 3, 1, 1)  # the year's own grassroots title can no longer come
    assert title_rules.evaluate("BK_UBTVQH", facts, YEAR, on).results[-1].outcome == "pass"
    spent = AwardFact(99, "CSTDCS", YEAR - 1, "initiative", "regular", False, (1,))
    after = title_rules.evaluate("BK_UBTVQH", dataclasses.replace(facts, awards=(spent,)), YEAR, on)
    assert after.results[-1].outcome == "fail"


@settings(max_examples=200, deadline=None)
@given(
    facts=records(),
    on=ON,
    title=st.sampled_from(["LDTT", "CSTDCS", "CSTD_QH", "CSTD_TQ", "BK_UBTVQH", "BK_TTG"]),
)
def test_every_result_is_well_formed(facts: SubjectFacts, on: dt.date, title: str) -> None:
    report = title_rules.evaluate(title, facts, YEAR, on)
    assert report.outcome == title_rules.combine(report.results)
    for r in report.results:
        assert r.outcome in title_rules.OUTCOMES
        assert r.reason in title_rules.REASONS
        for cited in r.facts:
            kind, _, ident = cited.partition(":")
            assert kind in {"award", "initiative", "rating", "case", "attestation", "discipline"}
            assert ident.isdigit()
