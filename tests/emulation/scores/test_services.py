"""Score services on hand-built ledgers: values worked out by hand, what is set apart or
ignored, ranks with ties, movement scope, reproduction, changes between snapshots, the audit
row and who may compute and read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update

from emulation import scoring
from emulation.models import ScoreLine, ScoreSnapshot
from lis.audit.models import AuditEvent
from lis.contributions.models import Contribution
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.models import Person
from tests.emulation.helpers import YEAR, draft, fact, person
from tests.emulation.scores.cases import MAY_1, adopted, known_case, movement
from tests.factories import unit_by_code


@pytest.fixture
def officer(make_user: Any) -> Any:
    return make_user("officer")


def person_line(snap: ScoreSnapshot, who: Any) -> ScoreLine:
    (line,) = [x for x in snap.lines if x.subject_kind == "person" and x.person_id == who.id]
    return line


def unit_line(snap: ScoreSnapshot, code: str) -> ScoreLine:
    unit_id = unit_by_code(code).id
    (line,) = [x for x in snap.lines if x.subject_kind == "unit" and x.unit_id == unit_id]
    return line


# ---------------------------------------------------------------- the numbers


def test_a_year_scored_as_worked_out_by_hand(db_session: Any, officer: Any) -> None:
    k = known_case(db_session)
    snap = scoring.compute(db_session, officer, year=YEAR)
    a = person_line(snap, k.a)
    assert a.values == {"progress": 87.5, "quality": 77.5, "effectiveness": 75.0, "volume": 50.0}
    assert a.total == 75.875 and a.unit_id == k.a.unit_id
    assert a.details["progress"] == {"items": 2, "on_time": 1, "late": 1}
    assert a.details["quality"]["major_errors"] == 1 and a.details["quality"]["rated"] == 2
    assert a.details["volume"] == {"items": 2, "units": 6}
    b = person_line(snap, k.b)
    assert b.values == {"progress": 100.0, "quality": 80.0, "effectiveness": None, "volume": 25.0}
    assert b.total == 77.1875
    pltp = unit_line(snap, "UB-PLTP-V")
    assert pltp.values == {
        "progress": 91.6667,
        "quality": 78.3333,
        "effectiveness": 75.0,
        "volume": 75.0,
    }
    assert pltp.total == 81.1667
    assert sorted(pltp.facts["contribution"]) == sorted([k.c1.id, k.c2.id, k.fb.id])
    assert unit_line(snap, "UB-KTTC-V").total == 77.1875
    assert snap.rule_version == (
        "progress=progress@1,quality=quality@1,effectiveness=effectiveness@1,volume=volume@1"
    )
    assert [c["code"] for c in snap.criteria] == ["progress", "quality", "effectiveness", "volume"]
    assert snap.criteria[1]["params"]["error_deduction"] == 0.25  # stored resolved
    assert (snap.period_start, snap.period_end) == (dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    assert snap.fact_count == 4 and snap.computed_by_id == officer.id and len(snap.digest) == 64


def test_unverified_work_is_shown_apart_and_refused_work_ignored(
    db_session: Any, officer: Any
) -> None:
    k = known_case(db_session)
    only_rejected = person("UB-PLTP-V")
    fact(db_session, only_rejected, state="rejected")
    only_waiting = person("UB-PLTP-V")
    waits = fact(db_session, only_waiting, state="submitted")
    snap = scoring.compute(db_session, officer, year=YEAR)
    a = person_line(snap, k.a)
    assert a.unverified == [k.waiting.id]
    assert a.facts == {"contribution": [k.c1.id, k.c2.id], "document": []}
    assert a.details["volume"]["items"] == 2  # the waiting one is not counted
    assert unit_line(snap, "UB-PLTP-V").unverified == sorted([k.waiting.id, waits.id])
    assert only_rejected.id not in {x.person_id for x in snap.lines}
    waiting_line = person_line(snap, only_waiting)  # shown, with nothing counted
    assert waiting_line.unverified == [waits.id] and waiting_line.facts["contribution"] == []
    assert waiting_line.values["volume"] == 0.0 and waiting_line.values["progress"] is None
    every_id = {i for x in snap.lines for i in x.facts["contribution"]}
    assert not every_id & {k.waiting.id, k.rejected.id, k.withdrawn.id, waits.id}


def test_ties_share_a_rank_and_units_rank_apart(db_session: Any, officer: Any) -> None:
    k = known_case(db_session)
    snap = scoring.compute(db_session, officer, year=YEAR)
    ranks = {x.person_id: x.rank for x in snap.lines if x.subject_kind == "person"}
    assert ranks == {k.b.id: 1, k.c.id: 1, k.a.id: 3}
    assert unit_line(snap, "UB-PLTP-V").rank == 1 and unit_line(snap, "UB-KTTC-V").rank == 2


def test_a_unit_line_rolls_up_the_units_under_it(db_session: Any, officer: Any) -> None:
    k = known_case(db_session)
    for_committee = fact(db_session, person("UB-PLTP"), unit_id=unit_by_code("UB-PLTP").id)
    snap = scoring.compute(db_session, officer, year=YEAR)
    committee = unit_line(snap, "UB-PLTP")
    assert sorted(committee.facts["contribution"]) == sorted(
        [k.c1.id, k.c2.id, k.fb.id, for_committee.id]
    )
    assert committee.unverified == [k.waiting.id]
    assert for_committee.id not in unit_line(snap, "UB-PLTP-V").facts["contribution"]


def test_an_empty_year_is_a_snapshot_without_lines(db_session: Any, officer: Any) -> None:
    snap = scoring.compute(db_session, officer, year=1995)
    assert snap.lines == [] and snap.fact_count == 0


# ---------------------------------------------------------------- movements


def test_a_movement_scores_its_participants_even_without_work(
    db_session: Any, officer: Any
) -> None:
    k = known_case(db_session)
    idle = person("UB-PLTP-V", name="Nhàn rỗi")
    gone = person("UB-PLTP-V", active=False)
    fact(db_session, k.b, delivered=dt.date(YEAR, 9, 1), due=None)  # after the period
    m = movement(db_session, units=("UB-PLTP",), people=(k.c,), state="closed")
    snap = scoring.compute(db_session, officer, movement_id=m.id, note="mid-year")
    assert snap.movement_id == m.id and snap.year is None and snap.note == "mid-year"
    assert snap.rule_version == "progress=progress@1,volume=volume@1"
    people = {x.person_id: x for x in snap.lines if x.subject_kind == "person"}
    assert {k.a.id, k.b.id, k.c.id, idle.id} <= set(people) and gone.id not in people
    assert people[idle.id].values == {"progress": None, "volume": 0.0}
    assert people[idle.id].total == 0.0 and people[idle.id].facts["contribution"] == []
    # every item is 1 unit of 6 here: a (87.5 + 33.3333) / 2; b (100 + 16.6667) / 2, its
    # September work being after the period
    assert people[k.a.id].total == 60.4167 and people[k.b.id].total == 58.3333
    assert people[k.a.id].rank == 1 and people[idle.id].rank == max(x.rank for x in people.values())
    units = [x for x in snap.lines if x.subject_kind == "unit"]
    assert [x.unit_id for x in units] == [unit_by_code("UB-PLTP").id]
    assert sorted(units[0].facts["contribution"]) == sorted([k.c1.id, k.c2.id, k.fb.id])


def test_drafts_adopted_count_for_those_who_advised_on_them(db_session: Any, officer: Any) -> None:
    who = person("UB-PLTP-V")
    doc, other = draft(), draft()
    worked = fact(db_session, who, document=doc)
    fact(db_session, who, document=other)
    adopted(db_session, doc.id, MAY_1)
    m = movement(
        db_session,
        people=(who,),
        criteria=[{"code": "adoption", "formula": "adoption@1", "weight": 1, "params": {}}],
    )
    snap = scoring.compute(db_session, officer, movement_id=m.id)
    line = person_line(snap, who)
    assert line.values == {"adoption": 100.0} and line.facts["document"] == [doc.id]
    assert line.facts["contribution"] == []  # no contribution criterion used any
    detail = scoring.line_detail(db_session, officer, line.id)
    assert detail.criteria[0].fact_kind == "document"
    assert [d.id for d in detail.criteria[0].facts] == [doc.id]
    assert worked.document_id == doc.id
    assert scoring.reproduce(db_session, snap.id).exact


# ---------------------------------------------------------------- reproduce and diff


def test_a_snapshot_reproduces_exactly(db_session: Any, officer: Any) -> None:
    known_case(db_session)
    snap = scoring.compute(db_session, officer, year=YEAR)
    got = scoring.reproduce(db_session, snap.id)
    assert got.exact and got.differences == [] and got.lines_checked == len(snap.lines)


def test_a_changed_fact_is_reported_by_reproduce(db_session: Any, officer: Any) -> None:
    k = known_case(db_session)
    snap = scoring.compute(db_session, officer, year=YEAR)
    k.c1.quality = "excellent"  # a head re-rated it after the snapshot (updated_at moves)
    db_session.flush()
    got = scoring.reproduce(db_session, snap.id)
    assert not got.exact
    a_line = person_line(snap, k.a)
    mine = [d for d in got.differences if d.line_id == a_line.id]
    assert {d.criterion for d in mine} == {"quality", "total"}
    quality = next(d for d in mine if d.criterion == "quality")
    assert (quality.stored, quality.recomputed) == (77.5, 87.5)
    assert quality.changed_fact_ids == [k.c1.id]
    unit = unit_line(snap, "UB-PLTP-V")
    assert {d.criterion for d in got.differences if d.line_id == unit.id} == {"quality", "total"}


def test_a_change_that_moves_no_number_still_breaks_the_digest(
    db_session: Any, officer: Any
) -> None:
    k = known_case(db_session)
    snap = scoring.compute(db_session, officer, year=YEAR)
    stamp = snap.created_at + dt.timedelta(seconds=1)
    db_session.execute(  # delivered a day earlier, still on time: same numbers, other facts
        update(Contribution)
        .where(Contribution.id == k.fb.id)
        .values(delivered_date=MAY_1, updated_at=stamp)
    )
    db_session.expire_all()
    got = scoring.reproduce(db_session, snap.id)
    b_line = person_line(snap, k.b)
    assert not got.exact
    first = got.differences[0]
    assert (first.line_id, first.criterion, first.changed_fact_ids) == (
        b_line.id,
        scoring.FACTS_CHANGED,
        [k.fb.id],
    )


def test_a_fact_no_longer_verified_is_named(db_session: Any, officer: Any) -> None:
    k = known_case(db_session)
    snap = scoring.compute(db_session, officer, year=YEAR)
    db_session.execute(
        update(Contribution)
        .where(Contribution.id == k.c2.id)
        .values(state="rejected", outcome="accepted")
    )
    db_session.expire_all()
    got = scoring.reproduce(db_session, snap.id)
    a_line = person_line(snap, k.a)
    eff = next(
        d for d in got.differences if d.line_id == a_line.id and d.criterion == "effectiveness"
    )
    assert (eff.stored, eff.recomputed, eff.changed_fact_ids) == (75.0, 100.0, [k.c2.id])


def test_recomputing_after_new_work_shows_what_changed(db_session: Any, officer: Any) -> None:
    k = known_case(db_session)
    first = scoring.compute(db_session, officer, year=YEAR)
    late = fact(db_session, k.b, due=MAY_1, quality="completed")
    second = scoring.compute(db_session, officer, year=YEAR)
    assert second.previous_id == first.id and first.previous_id is None
    third = scoring.compute(db_session, officer, year=YEAR)
    assert third.previous_id == second.id
    m = movement(db_session, people=(k.a,))
    assert scoring.compute(db_session, officer, movement_id=m.id).previous_id is None
    changes = scoring.diff(db_session, officer, first.id, second.id)
    people = {c.person_id: c for c in changes if c.subject_kind == "person"}
    b = people[k.b.id]
    assert b.added_facts == [late.id] and b.removed_facts == []
    # progress 100 → (1 + 0.75) / 2; quality 80 → (80 + 60) / 2; volume 3 → 6 units of 12
    assert b.criteria == {
        "progress": (100.0, 87.5),
        "quality": (80.0, 70.0),
        "volume": (25.0, 50.0),
    }
    # (30 × 87.5 + 35 × 70 + 15 × 50) / 80
    assert (b.old_total, b.new_total) == (77.1875, 72.8125)
    assert (b.old_rank, b.new_rank) == (1, 3) and b.unit_id == k.b.unit_id
    a = people[k.a.id]  # b fell behind a: a moves from 3rd to 2nd with the same numbers
    assert (a.old_rank, a.new_rank, a.criteria, a.added_facts) == (3, 2, {}, [])
    assert k.c.id not in people  # still 1st with the same numbers
    units = [c for c in changes if c.subject_kind == "unit"]
    assert [u.unit_id for u in units] == [k.b.unit_id] and units[0].added_facts == [late.id]
    assert scoring.diff(db_session, officer, second.id, third.id) == []


def test_one_audit_event_per_computation(db_session: Any, officer: Any) -> None:
    known_case(db_session)
    snap = scoring.compute(db_session, officer, year=YEAR)
    events = list(
        db_session.scalars(select(AuditEvent).where(AuditEvent.entity == "score_snapshot"))
    )
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.entity_id, event.actor_id) == (
        "score.compute",
        str(snap.id),
        officer.id,
    )
    assert "3 people, 2 units" in event.summary and "1 unverified" in event.summary
    assert event.after["rule_version"] == snap.rule_version


# ---------------------------------------------------------------- bad input and roles


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({}, "year"),
        ({"year": YEAR, "movement_id": 1}, "movement_id"),
        ({"year": 1989}, "year"),
        ({"year": 2101}, "year"),
        ({"movement_id": 2**31 - 1}, "movement_id"),
        ({"movement_id": 2**40}, "movement_id"),
        ({"year": YEAR, "note": "x" * 2001}, "note"),
    ],
)
def test_bad_input_names_the_field(db_session: Any, officer: Any, kw: Any, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        scoring.compute(db_session, officer, **kw)
    assert field in err.value.fields


def test_a_movement_with_broken_criteria_is_refused(db_session: Any, officer: Any) -> None:
    m = movement(db_session, criteria=[{"code": "x", "formula": "nope@9", "weight": 1}])
    with pytest.raises(ValidationError) as err:
        scoring.compute(db_session, officer, movement_id=m.id)
    assert "formula" in err.value.fields
    m.criteria = [{"formula": "progress@1"}]
    db_session.flush()
    with pytest.raises(ValidationError) as err:
        scoring.compute(db_session, officer, movement_id=m.id)
    assert "criteria" in err.value.fields


@pytest.mark.parametrize("role", ["deputy", "staff", "head"])
def test_only_officers_council_and_admins_compute(
    db_session: Any, make_member: Any, role: str
) -> None:
    with pytest.raises(PermissionDenied):
        scoring.compute(db_session, make_member(role), year=YEAR)


@pytest.mark.parametrize("role", ["admin", "council"])
def test_admins_and_council_compute(db_session: Any, make_user: Any, role: str) -> None:
    assert scoring.compute(db_session, make_user(role), year=YEAR).id


def test_who_reads_which_lines(db_session: Any, make_member: Any, officer: Any) -> None:
    staff = make_member("staff", unit="UB-PLTP-V")
    head = make_member("head", unit="UB-PLTP")
    deputy = make_member("deputy")
    own = db_session.scalar(select(Person).where(Person.user_id == staff.id))
    k = known_case(db_session, a=own)
    snap = scoring.compute(db_session, officer, year=YEAR)

    def seen(actor: Any) -> set[tuple[str, int | None]]:
        rows = db_session.scalars(scoring.visible_lines(db_session, actor, snap.id))
        return {(x.subject_kind, x.person_id or x.unit_id) for x in rows}

    pltp_v = unit_by_code("UB-PLTP-V").id
    assert seen(staff) == {("person", own.id)}
    assert seen(head) == {("person", own.id), ("person", k.b.id), ("unit", pltp_v)}
    assert len(seen(officer)) == 5
    with pytest.raises(PermissionDenied):
        seen(deputy)
    with pytest.raises(PermissionDenied):
        scoring.line_detail(db_session, staff, person_line(snap, k.b).id)
    with pytest.raises(PermissionDenied):
        scoring.diff(db_session, deputy, snap.id, snap.id)
    assert scoring.diff(db_session, staff, snap.id, snap.id) == []
    with pytest.raises(NotFound):
        scoring.get_snapshot(db_session, 2**31 - 1)
    with pytest.raises(NotFound):
        scoring.line_detail(db_session, officer, 2**31 - 1)


def test_visible_lines_filter_and_order(db_session: Any, officer: Any) -> None:
    k = known_case(db_session)
    snap = scoring.compute(db_session, officer, year=YEAR)
    rows = list(db_session.scalars(scoring.visible_lines(db_session, officer, snap.id)))
    assert [(x.subject_kind, x.rank) for x in rows] == [
        ("person", 1),
        ("person", 1),
        ("person", 3),
        ("unit", 1),
        ("unit", 2),
    ]
    pltp_v = unit_by_code("UB-PLTP-V").id
    only = scoring.visible_lines(
        db_session, officer, snap.id, subject_kind="person", unit_id=pltp_v
    )
    assert {x.person_id for x in db_session.scalars(only)} == {k.a.id, k.b.id}
    assert scoring.subject_name(rows[-1], "en") == unit_by_code("UB-KTTC-V").name_en
    assert scoring.subject_name(person_line(snap, k.a), "vi") == "Anh A"


def test_line_detail_shows_the_facts_behind_each_number(db_session: Any, officer: Any) -> None:
    k = known_case(db_session)
    undated = fact(db_session, k.a, due=None, quality=None)
    snap = scoring.compute(db_session, officer, year=YEAR)
    detail = scoring.line_detail(db_session, officer, person_line(snap, k.a).id)
    by_code = {e.code: e for e in detail.criteria}
    assert [e.code for e in detail.criteria] == ["progress", "quality", "effectiveness", "volume"]
    assert [c.id for c in by_code["progress"].facts] == [k.c1.id, k.c2.id]
    assert [c.id for c in by_code["quality"].facts] == [k.c1.id, k.c2.id]
    assert [c.id for c in by_code["volume"].facts] == [k.c1.id, k.c2.id, undated.id]
    assert by_code["progress"].value == 87.5 and by_code["progress"].detail["late"] == 1
    assert by_code["quality"].name_en == "Quality" and by_code["quality"].weight == 35
    assert by_code["volume"].fact_kind == "contribution"
    assert [c.id for c in detail.pending] == [k.waiting.id]
    assert detail.snapshot.id == snap.id


def test_a_snapshot_edited_by_hand_is_a_conflict_not_a_crash(db_session: Any, officer: Any) -> None:
    known_case(db_session)
    snap = scoring.compute(db_session, officer, year=YEAR)
    snap.criteria = [{"code": "progress", "formula": "progress@99", "weight": 1}]
    db_session.flush()
    with pytest.raises(Conflict):
        scoring.reproduce(db_session, snap.id)
    with pytest.raises(Conflict):
        scoring.line_detail(db_session, officer, snap.lines[0].id)
