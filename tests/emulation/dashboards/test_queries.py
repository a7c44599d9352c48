"""Dashboard queries over stored snapshots: which snapshot, rankings, trends, and who sees what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from emulation import dashboards as q
from emulation.access import Reach, reach_of
from emulation.models import Movement
from lis.errors import NotFound, PermissionDenied
from tests.emulation.dashboards.conftest import World
from tests.emulation.dashboards.snapshots import make_snapshot, unit_id, values

EVERYTHING = Reach(everything=True)


def codes(rows: list[Any]) -> list[str]:
    return [getattr(r, "row", r).unit_code for r in rows]


def test_latest_snapshot_of_each_year(db_session: Session, world: World) -> None:
    movement = Movement(
        name="Thi đua 2025",
        launching_unit_id=unit_id(db_session, "VPQH"),
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    db_session.add(movement)
    db_session.flush()
    of_movement = make_snapshot(
        db_session, 2025, units={"UB-PLTP": values(1, 1, 1, 1)}, movement_id=movement.id
    )
    latest = q.latest_per_year(db_session)
    assert {y: s.id for y, s in latest.items()} == {2024: world.s2024.id, 2025: world.s2025.id}
    assert q.years(db_session) == [2024, 2025]
    assert q.pick_snapshot(db_session) is world.s2025  # a movement's scores are not a year's
    assert q.pick_snapshot(db_session, snapshot_id=of_movement.id) is of_movement
    assert codes(q.unit_ranking(db_session, EVERYTHING, of_movement)) == ["UB-PLTP"]
    assert q.latest_of_year(db_session, 2025).id == world.s2025.id  # type: ignore[union-attr]
    assert [s.id for s in q.snapshots_of_year(db_session, 2025)] == [
        world.s2025.id,
        world.s2025_old.id,
    ]


def test_pick_snapshot(db_session: Session, world: World) -> None:
    assert q.pick_snapshot(db_session) is world.s2025
    assert q.pick_snapshot(db_session, year=2024) is world.s2024
    assert q.pick_snapshot(db_session, snapshot_id=world.s2025_old.id, year=2024) is world.s2025_old
    with pytest.raises(NotFound) as exc:
        q.pick_snapshot(db_session, snapshot_id=2**31 - 1)
    assert exc.value.fields == {"snapshot": "unknown"}
    with pytest.raises(NotFound) as exc:
        q.pick_snapshot(db_session, year=2019)
    assert exc.value.fields == {"year": "no scores"}


def test_no_snapshot_at_all(db_session: Session) -> None:
    assert q.pick_snapshot(db_session) is None
    assert q.trends(db_session, EVERYTHING).series == []


def test_criteria_of_a_snapshot_are_named_from_the_catalogue(
    db_session: Session, world: World
) -> None:
    infos = q.criteria_of(db_session, world.s2025)
    assert [c.code for c in infos] == ["progress", "quality", "effectiveness", "volume"]
    assert infos[0].name == "Tiến độ" and infos[0].name_en == "Progress"
    assert [c.weight for c in infos] == [30, 35, 20, 15]


def test_unit_ranking_for_readers_of_everything(db_session: Session, world: World) -> None:
    rows = q.unit_ranking(db_session, EVERYTHING, world.s2025)
    assert codes(rows) == ["UB-KTTC", "UB-PLTP", "UB-PLTP-V", "UB-KTTC-V"]
    assert [r.rank for r in rows] == [1, 2, 3, None]
    assert [r.total for r in rows[:3]] == pytest.approx([91.75, 79.75, 78.75])
    assert rows[3].total is None  # cannot score, last, not zero
    assert rows[0].unit_name == "Ủy ban Kinh tế và Tài chính"


def test_a_head_sees_the_units_they_head_with_their_true_ranks(
    db_session: Session, world: World, make_member: Any
) -> None:
    head = make_member("head", unit="UB-PLTP")
    rows = q.unit_ranking(db_session, reach_of(db_session, head), world.s2025)
    assert codes(rows) == ["UB-PLTP", "UB-PLTP-V"]
    assert [r.rank for r in rows] == [2, 3]
    dept_head = make_member("head", unit="UB-PLTP-V")
    assert codes(q.unit_ranking(db_session, reach_of(db_session, dept_head), world.s2025)) == [
        "UB-PLTP-V"
    ]


def test_staff_and_deputies_get_no_unit_tables(
    db_session: Session, world: World, make_member: Any
) -> None:
    staff = reach_of(db_session, world.staff_user)
    for call in (
        lambda r: q.unit_ranking(db_session, r, world.s2025),
        lambda r: q.criterion_rankings(db_session, r, world.s2025, []),
        lambda r: q.trends(db_session, r),
    ):
        with pytest.raises(PermissionDenied):
            call(staff)
        with pytest.raises(PermissionDenied):
            call(reach_of(db_session, make_member("deputy")))


def test_competition_ranks() -> None:
    assert q.competition_ranks([5, 7, 7, None, 3]) == [3, 1, 1, None, 4]
    assert q.competition_ranks([]) == []
    assert q.competition_ranks([None]) == [None]


def test_units_ranked_per_criterion(db_session: Session, world: World, make_member: Any) -> None:
    infos = q.criteria_of(db_session, world.s2025)
    rankings = {
        r.criterion.code: r
        for r in q.criterion_rankings(db_session, EVERYTHING, world.s2025, infos)
    }
    progress = rankings["progress"].rows
    assert codes(progress) == ["UB-KTTC", "UB-PLTP", "UB-PLTP-V", "UB-KTTC-V"]
    assert [r.rank for r in progress] == [1, 2, 3, None]
    quality = rankings["quality"].rows
    assert codes(quality)[:3] == ["UB-KTTC", "UB-PLTP-V", "UB-PLTP"]  # its own order
    effect = rankings["effectiveness"].rows
    assert [(r.row.unit_code, r.rank) for r in effect[:2]] == [("UB-KTTC", 1), ("UB-PLTP", 2)]
    assert [r.rank for r in effect[2:]] == [None, None]
    head = reach_of(db_session, make_member("head", unit="UB-PLTP"))
    mine = {r.criterion.code: r for r in q.criterion_rankings(db_session, head, world.s2025, infos)}
    assert [(r.row.unit_code, r.rank) for r in mine["quality"].rows] == [
        ("UB-PLTP-V", 2),
        ("UB-PLTP", 3),
    ]


def test_people_of_a_unit_ranked_by_total(
    db_session: Session, world: World, make_member: Any
) -> None:
    dept = unit_id(db_session, "UB-PLTP-V")
    ranked = q.people_ranking(db_session, EVERYTHING, world.s2025, dept)
    assert [r.row.person_name for r in ranked] == ["Nguyễn Văn An", "Trần Thị Sáu", "Lê Thị Bình"]
    assert [r.rank for r in ranked] == [1, 2, 3]  # within the unit
    assert [r.row.rank for r in ranked] == [2, 3, 4]  # among everyone
    assert ranked[2].row.values["effectiveness"] is None
    committee = q.people_ranking(
        db_session, EVERYTHING, world.s2025, unit_id(db_session, "UB-PLTP")
    )
    assert [r.row.person_id for r in committee] == [r.row.person_id for r in ranked]  # sub-units


def test_people_table_visibility(db_session: Session, world: World, make_member: Any) -> None:
    dept = unit_id(db_session, "UB-PLTP-V")
    other = unit_id(db_session, "UB-KTTC-V")
    staff = reach_of(db_session, world.staff_user)
    mine = q.people_ranking(db_session, staff, world.s2025, dept)
    assert [(r.row.person_name, r.rank) for r in mine] == [("Trần Thị Sáu", 2)]
    with pytest.raises(PermissionDenied) as exc:
        q.people_ranking(db_session, staff, world.s2025, other)
    assert exc.value.fields == {"unit": "forbidden"}
    head = reach_of(db_session, make_member("head", unit="UB-PLTP"))
    assert len(q.people_ranking(db_session, head, world.s2025, dept)) == 3
    with pytest.raises(PermissionDenied):
        q.people_ranking(db_session, head, world.s2025, other)
    assert [u.code for u in q.people_units(db_session, head, world.s2025)] == ["UB-PLTP-V"]
    assert [u.code for u in q.people_units(db_session, staff, world.s2025)] == ["UB-PLTP-V"]
    assert [u.code for u in q.people_units(db_session, EVERYTHING, world.s2025)] == [
        "UB-KTTC-V",
        "UB-PLTP-V",
    ]
    assert q.default_people_unit(db_session, world.staff_user.id) == dept


def test_trends_over_years(db_session: Session, world: World, make_member: Any) -> None:
    t = q.trends(db_session, EVERYTHING)
    assert t.years == [2024, 2025]
    assert t.snapshot_ids == {2024: world.s2024.id, 2025: world.s2025.id}  # the latest of 2025
    assert [s.unit_code for s in t.series] == ["UB-KTTC", "UB-PLTP", "UB-PLTP-V", "UB-KTTC-V"]
    by_code = {s.unit_code: s for s in t.series}
    assert by_code["UB-PLTP"].totals == pytest.approx({2024: 70.0, 2025: 79.75})
    assert by_code["UB-PLTP"].ranks == {2024: 1, 2025: 2}
    assert by_code["UB-KTTC-V"].totals == {2025: None}  # no line in 2024: absent
    one = q.trends(db_session, EVERYTHING, unit_id(db_session, "UB-KTTC"))
    assert [s.unit_code for s in one.series] == ["UB-KTTC"]
    assert one.series[0].totals == pytest.approx({2024: 60.0, 2025: 91.75})
    head = reach_of(db_session, make_member("head", unit="UB-PLTP"))
    assert [s.unit_code for s in q.trends(db_session, head).series] == ["UB-PLTP", "UB-PLTP-V"]
    with pytest.raises(PermissionDenied):
        q.trends(db_session, head, unit_id(db_session, "UB-KTTC"))


def test_a_newer_computation_replaces_the_year_in_trends(db_session: Session, world: World) -> None:
    newer = make_snapshot(db_session, 2024, units={"UB-PLTP": values(40, 40, 40, 40)})
    t = q.trends(db_session, EVERYTHING)
    assert t.snapshot_ids[2024] == newer.id
    by_code = {s.unit_code: s for s in t.series}
    assert by_code["UB-PLTP"].totals[2024] == pytest.approx(40.0)
    assert 2024 not in by_code["UB-KTTC"].totals


def test_unit_by_code(db_session: Session) -> None:
    assert q.unit_by_code(db_session, "UB-PLTP").code == "UB-PLTP"
    with pytest.raises(NotFound):
        q.unit_by_code(db_session, "NOPE")
