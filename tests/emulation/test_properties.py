"""Properties every ledger must satisfy (hypothesis): scores do not depend on the order of the
rows, and a late delivery never raises a progress score."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from emulation.facts import ContributionFact
from emulation.scorecard import CriterionDef, score

BASE = dt.date(2025, 1, 1)
KINDS = ("VERIFY_REPORT", "COMPARISON_TABLE", "STATUS_REPORT", "OTHER")
DEFS = [
    CriterionDef("progress", "progress@1", 30),
    CriterionDef("quality", "quality@1", 35),
    CriterionDef("effectiveness", "effectiveness@1", 20),
    CriterionDef("volume", "volume@1", 15, {"kind_weights": {"VERIFY_REPORT": 3}}),
]


@st.composite
def facts(draw: st.DrawFn, min_size: int = 0) -> list[ContributionFact]:
    n = draw(st.integers(min_value=min_size, max_value=30))
    rows = []
    for i in range(n):
        delivered = BASE + dt.timedelta(days=draw(st.integers(0, 364)))
        due = draw(st.one_of(st.none(), st.integers(-30, 30)))
        rows.append(
            ContributionFact(
                id=i + 1,
                person_id=1,
                unit_id=1,
                document_id=draw(st.integers(1, 5)),
                work_kind=draw(st.sampled_from(KINDS)),
                due_date=None if due is None else delivered + dt.timedelta(days=due),
                delivered_date=delivered,
                quality=draw(
                    st.sampled_from([None, "excellent", "good", "completed", "not_completed"])
                ),
                major_errors=draw(st.integers(0, 6)),
                outcome=draw(
                    st.sampled_from([None, "accepted", "partly_accepted", "not_accepted"])
                ),
            )
        )
    return rows


@settings(max_examples=200, deadline=None)
@given(rows=facts(), order=st.randoms(use_true_random=False))
def test_scores_do_not_depend_on_row_order(rows: list[ContributionFact], order) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(rows)
    order.shuffle(shuffled)
    first, second = score(DEFS, rows), score(DEFS, shuffled)
    assert first.values == second.values
    assert first.total == second.total
    assert {c: r.used for c, r in first.results.items()} == {
        c: r.used for c, r in second.results.items()
    }


@settings(max_examples=200, deadline=None)
@given(
    rows=facts(),
    days_late=st.integers(1, 400),
    deduction=st.floats(0, 2, allow_nan=False),
)
def test_a_late_delivery_never_raises_progress(
    rows: list[ContributionFact], days_late: int, deduction: float
) -> None:
    defs = [CriterionDef("progress", "progress@1", 1, {"late_deduction": deduction})]
    before = score(defs, rows).values["progress"]
    due = BASE + dt.timedelta(days=100)
    late = ContributionFact(
        id=10_000,
        person_id=1,
        unit_id=1,
        document_id=1,
        work_kind="OTHER",
        due_date=due,
        delivered_date=due + dt.timedelta(days=days_late),
        quality=None,
        major_errors=0,
        outcome=None,
    )
    after = score(defs, [*rows, late]).values["progress"]
    assert after is not None
    assert before is None or after <= before + 1e-9


@settings(max_examples=100, deadline=None)
@given(rows=facts(min_size=1))
def test_every_value_is_on_the_scale(rows: list[ContributionFact]) -> None:
    s = score(DEFS, rows)
    for value in [*s.values.values(), s.total]:
        assert value is None or 0 <= value <= 100
