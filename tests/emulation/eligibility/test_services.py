"""Eligibility services on a real database: evaluate and store, who qualifies in a unit, what
if a parameter changed, who may, and the 4xx that name the field."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from emulation import eligibility
from emulation.commendation_models import EligibilityReport
from emulation.title_rules import SOLIDARITY
from lis.audit.models import AuditEvent
from lis.errors import PermissionDenied, ValidationError
from tests.emulation.eligibility.helpers import (
    ON,
    YEAR,
    attest,
    award,
    initiative,
    open_case,
    rating,
)
from tests.emulation.helpers import person
from tests.factories import UserFactory, unit_by_code

BOTH = "cstdcs_requires_both_excellent_and_initiative"
UNIT = "UB-KTTC-V"


def officer() -> Any:
    return UserFactory(roles=["officer"])


@pytest.fixture
def s(db_session: Any) -> Any:
    return db_session


def excellent_attested(session: Any, unit: str = UNIT, band: str = "excellent") -> Any:
    who = person(unit)
    rating(session, who, band)
    attest(session, criterion=SOLIDARITY, who=who)
    return who


def by_rule(report: EligibilityReport) -> dict[str, dict[str, Any]]:
    return {r["rule"]: r for r in report.results}


# --------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------


def test_evaluate_stores_the_report_and_audits_it(s: Any) -> None:
    who = excellent_attested(s)
    actor = officer()
    row = eligibility.evaluate(s, actor, title="CSTDCS", year=YEAR, person_id=who.id, on=ON)
    assert row.id and row.outcome == "pass" and row.person_id == who.id and row.unit_id is None
    assert row.evaluated_on == ON and row.title_code == "CSTDCS" and row.year == YEAR
    rules = by_rule(row)
    basis = rules["R2.cstdcs.excellent_or_initiative"]
    assert basis["outcome"] == "pass" and basis["reason"] == "cstdcs_excellent"
    assert basis["facts"] == [f"rating:{YEAR}"]
    assert "LAW_06_2022.A23.K2" in basis["provisions"]
    assert set(basis) == {"rule", "version", "outcome", "reason", "params", "facts"} | {
        "provisions",
        "gate",
    }
    assert rules["G1.no_pending_case"]["gate"] is True
    assert row.params[BOTH] is False and row.params["ldtt_min_band"] == "good"
    assert "R2.cstdcs.excellent_or_initiative@1" in row.rule_versions
    event = s.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "eligibility.evaluate", AuditEvent.entity_id == str(row.id)
        )
    )
    assert event is not None and event.actor_id == actor.id
    assert event.after["outcome"] == "pass" and event.after["title"] == "CSTDCS"


def test_evaluate_without_storing_leaves_no_row(s: Any) -> None:
    who = excellent_attested(s)
    count = s.scalar(select(func.count()).select_from(EligibilityReport))
    row = eligibility.evaluate(
        s, officer(), title="LDTT", year=YEAR, person_id=who.id, on=ON, store=False
    )
    assert row.id is None and row.outcome == "pass"
    assert s.scalar(select(func.count()).select_from(EligibilityReport)) == count


def test_an_open_case_blocks_as_a_gate(s: Any) -> None:
    who = excellent_attested(s)
    case = open_case(s, who)
    row = eligibility.evaluate(s, officer(), title="CSTDCS", year=YEAR, person_id=who.id, on=ON)
    gate = by_rule(row)["G1.no_pending_case"]
    assert row.outcome == "fail" and gate["outcome"] == "fail" and gate["gate"] is True
    assert gate["facts"] == [f"case:{case.id}"]


def test_a_unit_is_evaluated_for_a_collective_title(s: Any) -> None:
    unit = unit_by_code("UB-KTTC")
    for _ in range(3):
        excellent_attested(s, "UB-KTTC", band="good")
    attest(s, criterion=SOLIDARITY, unit=unit)
    row = eligibility.evaluate(s, officer(), title="TTLDTT", year=YEAR, unit_id=unit.id, on=ON)
    assert row.unit_id == unit.id and row.person_id is None
    assert by_rule(row)["C1.ttldtt.ldtt_share"]["outcome"] == "pass"


def test_the_rules_in_force_on_the_day_are_used(s: Any) -> None:
    who = excellent_attested(s)
    row = eligibility.evaluate(
        s, officer(), title="CSTDCS", year=2023, person_id=who.id, on=ON.replace(year=2023)
    )
    # No grassroots-fighter parameter existed before 2024: the rules cannot tell.
    assert row.params.get(BOTH) is None
    assert by_rule(row)["R2.cstdcs.excellent_or_initiative"]["reason"] == "param_not_in_force"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": "NOPE"}, "title"),
        ({"title": "GK"}, "title"),  # in the catalogue, but no rules
        ({"title": "TTLDTT"}, "title"),  # a title for units, given a person
        ({"year": 1999}, "year"),
        ({"year": 2101}, "year"),
        ({"person_id": 2**31 + 5}, "person"),
        ({"person_id": None}, "person"),  # neither a person nor a unit
    ],
)
def test_bad_input_names_the_field(s: Any, kwargs: dict[str, Any], field: str) -> None:
    who = excellent_attested(s)
    args: dict[str, Any] = {"title": "CSTDCS", "year": YEAR, "person_id": who.id, "on": ON}
    args.update(kwargs)
    with pytest.raises(ValidationError) as caught:
        eligibility.evaluate(s, officer(), **args)
    assert field in caught.value.fields


def test_a_person_and_a_unit_at_once_is_refused(s: Any) -> None:
    who = excellent_attested(s)
    with pytest.raises(ValidationError) as caught:
        eligibility.evaluate(
            s, officer(), title="CSTDCS", year=YEAR, person_id=who.id, unit_id=who.unit_id
        )
    assert "person" in caught.value.fields


# --------------------------------------------------------------------------
# who may
# --------------------------------------------------------------------------


def test_heads_evaluate_only_their_units(s: Any, make_member: Any) -> None:
    who = excellent_attested(s, "UB-KTTC-V")
    above = make_member("head", unit="UB-KTTC")
    row = eligibility.evaluate(s, above, title="LDTT", year=YEAR, person_id=who.id, on=ON)
    assert row.outcome == "pass"
    elsewhere = make_member("head", unit="UB-PLTP")
    with pytest.raises(PermissionDenied):
        eligibility.evaluate(s, elsewhere, title="LDTT", year=YEAR, person_id=who.id, on=ON)


@pytest.mark.parametrize("role", ["staff", "deputy"])
def test_staff_and_deputies_do_not_evaluate(s: Any, make_member: Any, role: str) -> None:
    user = make_member(role, unit="UB-KTTC-V")
    own = eligibility.own_person(s, user)
    with pytest.raises(PermissionDenied):
        eligibility.evaluate(s, user, title="LDTT", year=YEAR, person_id=own.id, on=ON)


def test_staff_read_only_their_own_reports(s: Any, make_member: Any) -> None:
    staff = make_member("staff", unit=UNIT)
    me = eligibility.own_person(s, staff)
    rating(s, me, "good")
    other = excellent_attested(s)
    mine = eligibility.evaluate(s, officer(), title="LDTT", year=YEAR, person_id=me.id, on=ON)
    theirs = eligibility.evaluate(s, officer(), title="LDTT", year=YEAR, person_id=other.id, on=ON)
    assert eligibility.get_report(s, staff, mine.id).id == mine.id
    with pytest.raises(PermissionDenied):
        eligibility.get_report(s, staff, theirs.id)
    listed = list(s.scalars(eligibility.list_reports(s, staff)))
    assert [r.id for r in listed] == [mine.id]
    head = make_member("head", unit="UB-KTTC")
    seen = {r.id for r in s.scalars(eligibility.list_reports(s, head, year=YEAR))}
    assert {mine.id, theirs.id} <= seen


# --------------------------------------------------------------------------
# who qualifies
# --------------------------------------------------------------------------


def test_who_qualifies_lists_each_person_and_the_unit(s: Any) -> None:
    unit = unit_by_code(UNIT)
    star = excellent_attested(s)
    good = excellent_attested(s, band="good")
    unrated = person(UNIT)
    gone = excellent_attested(s)
    gone.active = False
    below = excellent_attested(s, "UB-KTTC")  # the unit above: not listed
    s.flush()
    count = s.scalar(select(func.count()).select_from(EligibilityReport))
    rows = eligibility.who_qualifies(s, officer(), unit_id=unit.id, year=YEAR, on=ON)
    assert s.scalar(select(func.count()).select_from(EligibilityReport)) == count  # no storing
    table = {(r.subject_kind, r.subject_id, r.title): r for r in rows}
    people = {pid for kind, pid, _t in table if kind == "person"}
    assert {star.id, good.id, unrated.id} <= people
    assert gone.id not in people and below.id not in people
    individual = {"LDTT", "CSTDCS", "CSTD_QH", "CSTD_TQ", "BK_UBTVQH", "BK_TTG"}
    assert {t for kind, pid, t in table if pid == star.id and kind == "person"} == individual
    assert {t for kind, _pid, t in table if kind == "unit"} == {"TTLDTT", "TTLDXS"}
    assert table[("person", star.id, "CSTDCS")].outcome == "pass"
    assert table[("person", good.id, "LDTT")].outcome == "pass"
    fails = table[("person", good.id, "CSTDCS")]
    assert fails.outcome == "fail"
    assert [r.rule for r in fails.failing] == ["R2.cstdcs.excellent_or_initiative"]
    missing = table[("person", unrated.id, "LDTT")]
    assert missing.outcome == "unknown"
    assert {r.rule for r in missing.unknown} == {"R1.ldtt.rating", "R1.ldtt.solidarity"}


def test_who_qualifies_for_one_title(s: Any) -> None:
    excellent_attested(s)
    rows = eligibility.who_qualifies(
        s, officer(), unit_id=unit_by_code(UNIT).id, year=YEAR, title="TTLDTT", on=ON
    )
    assert [(r.subject_kind, r.title) for r in rows] == [("unit", "TTLDTT")]


def test_who_qualifies_is_for_the_heads_own_units(s: Any, make_member: Any) -> None:
    head = make_member("head", unit="UB-PLTP")
    with pytest.raises(PermissionDenied):
        eligibility.who_qualifies(s, head, unit_id=unit_by_code(UNIT).id, year=YEAR, on=ON)
    rows = eligibility.who_qualifies(
        s, head, unit_id=unit_by_code("UB-PLTP-V").id, year=YEAR, title="LDTT", on=ON
    )
    assert all(r.title == "LDTT" for r in rows)


# --------------------------------------------------------------------------
# what if
# --------------------------------------------------------------------------


def test_what_if_cstdcs_needs_both_excellent_and_an_initiative(s: Any) -> None:
    """The issue's example (the 2025 draft amendment): someone excellent without an initiative
    loses the grassroots fighter title; excellent with one, or merely good, does not change."""
    no_initiative = excellent_attested(s)
    with_initiative = excellent_attested(s)
    initiative(s, [with_initiative])
    only_good = excellent_attested(s, band="good")
    rows = eligibility.what_if(
        s,
        officer(),
        unit_id=unit_by_code(UNIT).id,
        year=YEAR,
        title="CSTDCS",
        overrides={BOTH: True},
        on=ON,
    )
    assert [r.person_id for r in rows] == [no_initiative.id]
    row = rows[0]
    assert (row.before, row.after, row.title) == ("pass", "fail", "CSTDCS")
    assert [c.rule for c in row.changes] == ["R2.cstdcs.excellent_or_initiative"]
    change = row.changes[0]
    assert change.before is not None and change.before.reason == "cstdcs_excellent"
    assert change.after is not None and change.after.reason == "cstdcs_needs_initiative"
    assert with_initiative.id not in {r.person_id for r in rows}
    assert only_good.id not in {r.person_id for r in rows}
    # Nothing changed in the data: the parameter in force is still the law's.
    again = eligibility.evaluate(
        s, officer(), title="CSTDCS", year=YEAR, person_id=no_initiative.id, on=ON
    )
    assert again.outcome == "pass" and again.params[BOTH] is False


def test_what_if_a_used_initiative_does_not_count_again(s: Any) -> None:
    """G2: an initiative that already earned a grassroots title is not fresh."""
    who = excellent_attested(s)
    used = initiative(s, [who], on=ON.replace(year=YEAR - 1, month=6))
    award(s, "CSTDCS", YEAR - 1, who=who, basis="initiative", initiatives=[used])
    rows = eligibility.what_if(
        s,
        officer(),
        unit_id=who.unit_id,
        year=YEAR,
        title="CSTDCS",
        overrides={BOTH: True},
        on=ON,
    )
    assert who.id in {r.person_id for r in rows}


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"no_such_param": True}, "unknown parameter"),
        ({BOTH: "yes"}, "wrong type: boolean"),
        ({BOTH: 1}, "wrong type: boolean"),
        ({"bk_initiatives_needed": 2.5}, "wrong type: integer"),
        ({"bk_initiatives_needed": 51}, "out of range"),
        ({"ttldtt_share_ldtt": 1.5}, "out of range"),
        ({"ldtt_min_band": "superb"}, "out of range"),
        ({"ldtt_min_band": 3}, "wrong type: choice"),
    ],
)
def test_what_if_refuses_bad_overrides(s: Any, overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError) as caught:
        eligibility.what_if(
            s,
            officer(),
            unit_id=unit_by_code(UNIT).id,
            year=YEAR,
            title="CSTDCS",
            overrides=overrides,
            on=ON,
        )
    name = next(iter(overrides))
    assert caught.value.fields == {"overrides": {name: problem}}


def test_what_if_needs_a_change(s: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        eligibility.what_if(
            s, officer(), unit_id=unit_by_code(UNIT).id, year=YEAR, title="CSTDCS", overrides={}
        )
    assert caught.value.fields == {"overrides": "empty"}


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        (BOTH, "true", True),
        (BOTH, "không", False),
        ("bk_initiatives_needed", "3", 3),
        ("ttldtt_share_ldtt", "0,6", 0.6),
        ("ttldtt_share_ldtt", "60%", 0.6),
        ("ldtt_min_band", "excellent", "excellent"),
    ],
)
def test_form_values_are_read_as_the_parameters_type(name: str, text: str, value: Any) -> None:
    assert eligibility.parse_value(name, text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("name", "text", "field"),
    [(BOTH, "maybe", "value"), ("bk_initiatives_needed", "two", "value"), ("nope", "1", "param")],
)
def test_bad_form_values_name_the_field(name: str, text: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        eligibility.parse_value(name, text)
    assert field in caught.value.fields


def test_the_catalogue_lists_every_title_with_its_rules(s: Any) -> None:
    titles = eligibility.catalogue(s, officer())
    codes = [t.title.code for t in titles]
    assert codes == [
        "LDTT",
        "CSTDCS",
        "CSTD_QH",
        "CSTD_TQ",
        "BK_UBTVQH",
        "BK_TTG",
        "TTLDTT",
        "TTLDXS",
    ]
    cstdcs = next(t for t in titles if t.title.code == "CSTDCS")
    basis = next(r for r in cstdcs.rules if r.id == "R2.cstdcs.excellent_or_initiative")
    assert BOTH in basis.params and "LAW_06_2022.A23.K2" in basis.provisions
    in_force = {p.name: p.value for p in eligibility.param_versions_in_force(ON)}
    assert in_force[BOTH] is False and in_force["ttldtt_share_ldtt"] == 0.7
    old = {p.name: p.value for p in eligibility.param_versions_in_force(ON.replace(year=2020))}
    assert old["ttldtt_share_ldtt"] == 0.5 and BOTH not in old
