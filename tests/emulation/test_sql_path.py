"""The SQL path (emulation.sql_scoring) against the pure path (ledger.load + scorecard.score):
two independent computations of the same scores, which must agree for every subject, every
criterion and the total, grouped by person and by unit, with the catalogue's criteria and with
other parameters. The benchmark relies on this equality to time the SQL path alone."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from emulation import ledger, scorecard, sql_scoring
from emulation.models import Criterion
from emulation.scorecard import CriterionDef
from lis.contributions.models import OUTCOMES, QUALITY_BANDS
from lis.errors import ValidationError
from lis.people.models import Person
from lis.reference.models import Unit
from tests.emulation import helpers

START, END = dt.date(helpers.YEAR, 1, 1), dt.date(helpers.YEAR, 12, 31)
UNITS = ("UB-PLTP-V", "UB-KTTC-V", "UB-VHXH-V", "UB-PLTP")
KINDS = ("VERIFY_REPORT", "RESEARCH_BRIEF", "STATUS_REPORT", "CONSULT_EVENT", "JOINT_VERIFY")
TOLERANCE = 1e-9

NON_DEFAULT = [
    CriterionDef("progress", "progress@1", 10, {"late_deduction": 0.6}),
    CriterionDef("progress_harsh", "progress@1", 5, {"late_deduction": 1.5}),
    CriterionDef(
        "quality",
        "quality@1",
        40,
        {
            "band_points": {"excellent": 95, "good": 70, "completed": 45, "not_completed": 5},
            "error_deduction": 0.3,
        },
    ),
    CriterionDef(
        "effectiveness",
        "effectiveness@1",
        17.5,
        {"outcome_points": {"accepted": 1.2, "partly_accepted": 0.35, "not_accepted": 0.05}},
    ),
    CriterionDef(
        "volume",
        "volume@1",
        12.5,
        {
            "kind_weights": {"VERIFY_REPORT": 2.5, "STATUS_REPORT": 0},
            "default_weight": 0.7,
            "target": 7,
        },
    ),
    CriterionDef("volume_open", "volume@1", 0, {"target": 0}),
]


def catalogue(session: Session) -> list[CriterionDef]:
    rows = session.scalars(select(Criterion).where(Criterion.default).order_by(Criterion.id))
    return [CriterionDef(r.code, r.formula, r.weight, r.params) for r in rows]


def pure(
    session: Session, defs: Sequence[CriterionDef], key: str
) -> dict[int, scorecard.SubjectScore]:
    facts = ledger.load(session, START, END).facts
    return {s: scorecard.score(defs, f) for s, f in scorecard.group(facts, key).items()}


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE)


def differences(session: Session, defs: Sequence[CriterionDef]) -> list[str]:
    """Every (grouping, subject, criterion) where the two paths disagree, and subjects present
    in one path only."""
    out: list[str] = []
    for grouping, key in (("person", "person_id"), ("unit", "unit_id")):
        expected = pure(session, defs, key)
        got = sql_scoring.score_period(session, START, END, defs, grouping)
        if set(got) != set(expected):
            out.append(f"{grouping}: subjects {sorted(got)} != {sorted(expected)}")
            continue
        for subject, want in expected.items():
            row = got[subject]
            for code, value in want.values.items():
                if not close(row["values"][code], value):
                    out.append(f"{grouping} {subject} {code}: {row['values'][code]} != {value}")
            if not close(row["total"], want.total):
                out.append(f"{grouping} {subject} total: {row['total']} != {want.total}")
    return out


# --- a varied ledger --------------------------------------------------------------------------
def varied_ledger(session: Session, seed: int = 20250607) -> dict[str, Any]:
    """People in several units, each with a seeded mix of contributions: late, on time and
    undated; every band; 0–5 major errors; every outcome; several kinds; some logged for
    another unit; and rows that must not count (submitted, rejected, withdrawn, outside the
    period). Returns what the rows imply, to check the paths against more than each other."""
    rng = random.Random(seed)
    people = [helpers.person(UNITS[i % len(UNITS)]) for i in range(9)]
    docs = [helpers.draft() for _ in range(3)]
    unit_ids = [u.id for u in session.scalars(select(Unit).where(Unit.code.in_(UNITS)))]
    counted_people: set[int] = set()
    counted_units: set[int] = set()
    for who in people[:-2]:
        for _ in range(rng.randint(8, 30)):
            delivered = START + dt.timedelta(days=rng.randint(-40, 400))
            due = rng.choice([None, delivered, delivered + dt.timedelta(days=rng.randint(-30, 30))])
            state = rng.choices(["verified", "submitted", "rejected", "withdrawn"], [8, 1, 1, 1])[0]
            unit_id = rng.choice(unit_ids) if rng.random() < 0.2 else who.unit_id
            helpers.fact(
                session,
                who,
                document=rng.choice(docs),
                kind=rng.choice(KINDS),
                delivered=delivered,
                due=due,
                quality=rng.choice([None, *QUALITY_BANDS]),
                errors=rng.randint(0, 5),
                outcome=rng.choice([None, *OUTCOMES]),
                state=state,
                unit_id=unit_id,
            )
            if state == "verified" and START <= delivered <= END:
                counted_people.add(who.id)
                counted_units.add(unit_id)
    # One person with only unverified work, one with only work of other years: not subjects.
    for state in ("submitted", "rejected"):
        helpers.fact(session, people[-2], document=docs[0], state=state)
    helpers.fact(session, people[-1], document=docs[0], delivered=dt.date(helpers.YEAR - 1, 12, 31))
    helpers.fact(session, people[-1], document=docs[0], delivered=dt.date(helpers.YEAR + 1, 1, 1))
    return {"people": counted_people, "units": counted_units, "outsiders": people[-2:]}


@pytest.fixture
def varied(db_session: Session) -> dict[str, Any]:
    return varied_ledger(db_session)


@pytest.mark.parametrize("which", ["catalogue", "non-default"])
def test_sql_path_equals_pure_path(db_session: Session, varied: dict[str, Any], which: str) -> None:
    defs = catalogue(db_session) if which == "catalogue" else NON_DEFAULT
    if which == "catalogue":
        assert [d.formula for d in defs] == [
            "progress@1",
            "quality@1",
            "effectiveness@1",
            "volume@1",
        ]
    assert differences(db_session, defs) == []


def test_only_verified_work_of_the_period_makes_a_subject(
    db_session: Session, varied: dict[str, Any]
) -> None:
    defs = catalogue(db_session)
    people = sql_scoring.score_period(db_session, START, END, defs, "person")
    units = sql_scoring.score_period(db_session, START, END, defs, "unit")
    assert set(people) == varied["people"]
    assert set(units) == varied["units"]
    assert not {p.id for p in varied["outsiders"]} & set(people)


def test_the_varied_ledger_exercises_every_branch(
    db_session: Session, varied: dict[str, Any]
) -> None:
    """Guards the equality test against a ledger too plain to tell the paths apart."""
    rows = sql_scoring.score_period(db_session, START, END, NON_DEFAULT, "person").values()
    progress = {r["values"]["progress"] for r in rows}
    quality = {r["values"]["quality"] for r in rows}
    assert any(v is not None and 0 < v < 100 for v in progress)
    assert any(v is not None and 0 < v < 70 for v in quality)
    assert {r["values"]["volume_open"] for r in rows} == {100.0}
    assert len({r["total"] for r in rows}) > 1


# --- hand-worked ------------------------------------------------------------------------------
def test_hand_worked_person(db_session: Session) -> None:
    """4 dated items, 1 late → (3 + 0.75) / 4 = 93.75 (the undated fifth is not counted);
    rated excellent with 1 error (75) and good with 5 errors (0) → 37.5; one accepted, one
    partly → 75; 3 + 3 + 1 + 1 + 3 units of 12 → 91.67."""
    who = helpers.person("UB-KTTC-V")
    doc = helpers.draft()
    day = dt.date(helpers.YEAR, 3, 1)
    late = day - helpers.DAY
    on = {"document": doc, "delivered": day}
    helpers.fact(db_session, who, **on, due=day, quality="excellent", errors=1, outcome="accepted")
    helpers.fact(
        db_session, who, **on, due=late, quality="good", errors=5, outcome="partly_accepted"
    )
    for kind in ("RESEARCH_BRIEF", "UBTVQH_BRIEF"):
        helpers.fact(db_session, who, **on, kind=kind, due=day, quality=None)
    helpers.fact(db_session, who, **on, due=None, quality=None)
    # Counted by neither path: waiting for a head, and rejected.
    helpers.fact(db_session, who, **on, due=late, state="submitted")
    helpers.fact(db_session, who, **on, due=late, state="rejected")

    defs = catalogue(db_session)
    row = sql_scoring.score_period(db_session, START, END, defs, "person")[who.id]
    assert row["values"] == pytest.approx(
        {"progress": 93.75, "quality": 37.5, "effectiveness": 75.0, "volume": 1100 / 12}
    )
    weights = {d.code: d.weight for d in defs}
    expected = sum(weights[c] * v for c, v in row["values"].items() if v is not None)
    assert row["total"] == pytest.approx(expected / sum(weights.values()))


def test_a_formula_without_sql_form_is_refused_by_name(db_session: Session) -> None:
    defs = [*catalogue(db_session), CriterionDef("adoption", "adoption@1", 5)]
    with pytest.raises(sql_scoring.NoSqlForm, match="adoption@1"):
        sql_scoring.score_period(db_session, START, END, defs)


def test_an_unknown_grouping_is_refused(db_session: Session) -> None:
    with pytest.raises(ValidationError) as caught:
        sql_scoring.score_period(db_session, START, END, catalogue(db_session), "team")
    assert "grouping" in caught.value.fields


# --- property ---------------------------------------------------------------------------------
@pytest.fixture
def pool(db_session: Session) -> dict[str, Any]:
    """People, drafts and units the generated ledgers draw from (made once per test)."""
    people = [helpers.person(code) for code in UNITS[:3]]
    units = [u.id for u in session_units(db_session)]
    return {"people": people, "docs": [helpers.draft(), helpers.draft()], "units": units}


def session_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.code.in_(UNITS)).order_by(Unit.id)))


points = st.floats(min_value=0, max_value=2, allow_nan=False, allow_infinity=False)
rows = st.lists(
    st.fixed_dictionaries(
        {
            "who": st.integers(0, 2),
            "unit": st.one_of(st.none(), st.integers(0, len(UNITS) - 1)),
            "kind": st.sampled_from(KINDS),
            "delivered": st.integers(-20, 385),
            "due": st.one_of(st.none(), st.integers(-10, 10)),
            "quality": st.one_of(st.none(), st.sampled_from(QUALITY_BANDS)),
            "errors": st.integers(0, 5),
            "outcome": st.one_of(st.none(), st.sampled_from(OUTCOMES)),
            "state": st.sampled_from(["verified", "verified", "verified", "submitted", "rejected"]),
        }
    ),
    max_size=25,
)
definitions = st.builds(
    lambda w, late, bands, err, outcomes, kinds, default, target: [
        CriterionDef("progress", "progress@1", w[0], {"late_deduction": late}),
        CriterionDef("quality", "quality@1", w[1], {"band_points": bands, "error_deduction": err}),
        CriterionDef("effectiveness", "effectiveness@1", w[2], {"outcome_points": outcomes}),
        CriterionDef(
            "volume",
            "volume@1",
            w[3] + 0.5,  # the weights never sum to zero
            {"kind_weights": kinds, "default_weight": default, "target": target},
        ),
    ],
    st.lists(st.floats(0, 50, allow_nan=False), min_size=4, max_size=4),
    points,
    st.fixed_dictionaries({b: st.integers(0, 100) for b in QUALITY_BANDS}),
    st.floats(0, 1, allow_nan=False),
    st.fixed_dictionaries(dict.fromkeys(OUTCOMES, points)),
    st.dictionaries(st.sampled_from(KINDS), st.floats(0, 5, allow_nan=False), max_size=3),
    st.floats(0, 5, allow_nan=False),
    st.integers(0, 20),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ledger_rows=rows, defs=definitions)
def test_property_sql_path_equals_pure_path(
    db_session: Session, pool: dict[str, Any], ledger_rows: list[dict[str, Any]], defs: list[Any]
) -> None:
    savepoint = db_session.begin_nested()
    try:
        for r in ledger_rows:
            who: Person = pool["people"][r["who"]]
            delivered = START + dt.timedelta(days=r["delivered"])
            helpers.fact(
                db_session,
                who,
                document=pool["docs"][r["who"] % 2],
                kind=r["kind"],
                delivered=delivered,
                due=None if r["due"] is None else delivered + dt.timedelta(days=r["due"]),
                quality=r["quality"],
                errors=r["errors"],
                outcome=r["outcome"],
                state=r["state"],
                unit_id=None if r["unit"] is None else pool["units"][r["unit"]],
            )
        assert differences(db_session, defs) == []
    finally:
        savepoint.rollback()
