"""What the dashboards show, read from stored score snapshots (no Flask; never writes).

- Unit ranking: the unit lines of a snapshot with their totals and stored ranks.
- Per criterion: for each criterion of the snapshot, the units ranked by that criterion's
  value; and the people of a unit (with the units under it) ranked by total.
- Trends: each unit's total in the latest yearly snapshot of every year.

A year's dashboard uses the latest snapshot computed for that year (the highest id: snapshots
are never changed, a recomputation adds a new one); `?snapshot=` picks an older one.

Visibility is the rule of `emulation.access` (issue 7 §6), applied to every row through
`lines_visible`. Ranks are computed over *all* lines of the snapshot before the rows a reader
may not see are dropped, so a head sees their unit's true place among all units, not its place
among the rows they happen to see. Unit tables need a unit reach: staff (who see only their own
line) and deputies are refused them (`PermissionDenied`); the people table shows staff their own
line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emulation.access import Reach, lines_visible, sees_line
from emulation.models import Criterion, ScoreLine, ScoreSnapshot
from lis.errors import NotFound, PermissionDenied
from lis.people.models import Person
from lis.people.queries import person_of_user, unit_and_descendants
from lis.reference.models import Unit


@dataclass(frozen=True)
class CriterionInfo:
    code: str
    name: str
    name_en: str
    weight: float


@dataclass(frozen=True)
class Row:
    line_id: int
    subject_kind: str
    unit_id: int | None
    unit_code: str
    unit_name: str
    unit_name_en: str
    person_id: int | None
    person_name: str
    total: float | None
    rank: int | None  # the stored rank among all subjects of its kind in the snapshot
    values: Mapping[str, float | None]


@dataclass(frozen=True)
class Ranked:
    rank: int | None  # rank by the measure at hand (a criterion, or the total within a unit)
    row: Row


@dataclass(frozen=True)
class CriterionRanking:
    criterion: CriterionInfo
    rows: list[Ranked]


@dataclass(frozen=True)
class TrendSeries:
    unit_id: int
    unit_code: str
    unit_name: str
    unit_name_en: str
    totals: Mapping[int, float | None]  # year → total; a year without a line is absent
    ranks: Mapping[int, int | None]


@dataclass(frozen=True)
class Trends:
    years: list[int]
    snapshot_ids: Mapping[int, int]  # year → the snapshot used
    series: list[TrendSeries]


# --- snapshots ----------------------------------------------------------------------------------
def latest_per_year(session: Session) -> dict[int, ScoreSnapshot]:
    """Year → its latest yearly snapshot, oldest year first (movement snapshots excluded)."""
    latest = (
        select(func.max(ScoreSnapshot.id))
        .where(ScoreSnapshot.movement_id.is_(None), ScoreSnapshot.year.is_not(None))
        .group_by(ScoreSnapshot.year)
    )
    rows = session.scalars(
        select(ScoreSnapshot).where(ScoreSnapshot.id.in_(latest)).order_by(ScoreSnapshot.year)
    )
    return {int(s.year): s for s in rows if s.year is not None}


def years(session: Session) -> list[int]:
    return list(latest_per_year(session))


def latest_of_year(session: Session, year: int) -> ScoreSnapshot | None:
    return session.scalars(
        select(ScoreSnapshot)
        .where(ScoreSnapshot.year == year, ScoreSnapshot.movement_id.is_(None))
        .order_by(ScoreSnapshot.id.desc())
        .limit(1)
    ).first()


def snapshots_of_year(session: Session, year: int) -> list[ScoreSnapshot]:
    """Every computation of a year, newest first (for links to older ones)."""
    return list(
        session.scalars(
            select(ScoreSnapshot)
            .where(ScoreSnapshot.year == year, ScoreSnapshot.movement_id.is_(None))
            .order_by(ScoreSnapshot.id.desc())
        )
    )


def pick_snapshot(
    session: Session, *, snapshot_id: int | None = None, year: int | None = None
) -> ScoreSnapshot | None:
    """The snapshot a dashboard shows: the one asked for (it wins over `year`), else the latest
    of `year`, else the latest of the newest year; None when no year has been scored."""
    if snapshot_id is not None:
        snapshot = session.get(ScoreSnapshot, snapshot_id)
        if snapshot is None:
            raise NotFound(f"no score snapshot {snapshot_id}", {"snapshot": "unknown"})
        return snapshot
    if year is not None:
        snapshot = latest_of_year(session, year)
        if snapshot is None:
            raise NotFound(f"no scores were computed for {year}", {"year": "no scores"})
        return snapshot
    newest = session.scalar(
        select(func.max(ScoreSnapshot.year)).where(ScoreSnapshot.movement_id.is_(None))
    )
    return latest_of_year(session, int(newest)) if newest is not None else None


def criteria_of(session: Session, snapshot: ScoreSnapshot) -> list[CriterionInfo]:
    """The snapshot's criteria in its own order, named from the catalogue (a code no longer in
    the catalogue is shown by its code)."""
    codes = [str(c.get("code")) for c in snapshot.criteria or [] if isinstance(c, dict)]
    names = {c.code: c for c in session.scalars(select(Criterion).where(Criterion.code.in_(codes)))}
    out = []
    for item in snapshot.criteria or []:
        if not isinstance(item, dict):
            continue
        code = str(item.get("code"))
        known = names.get(code)
        out.append(
            CriterionInfo(
                code=code,
                name=known.name if known else code,
                name_en=known.name_en if known else code,
                weight=float(item.get("weight") or 0),
            )
        )
    return out


# --- visibility ---------------------------------------------------------------------------------
def require_any(reach: Reach) -> None:
    if reach.nothing:
        raise PermissionDenied(
            "scores are shown to officers, council members, heads and the staff concerned",
            {"role": "missing"},
        )


def require_units(reach: Reach) -> None:
    """Unit tables need a unit reach (officers, council, administrators, heads)."""
    require_any(reach)
    if not reach.everything and not reach.unit_ids:
        raise PermissionDenied(
            "unit rankings are shown to officers, council members and heads; "
            "your own score is in the people table",
            {"role": "missing"},
        )


def own_unit_id(session: Session, reach: Reach) -> int | None:
    if reach.person_id is None:
        return None
    return session.scalar(select(Person.unit_id).where(Person.id == reach.person_id))


def may_see_unit(session: Session, reach: Reach, unit_id: int) -> bool:
    """Whether a unit may be chosen: any unit for readers of everything, a unit in a head's
    reach, or the reader's own unit (where they see their own line)."""
    return reach.everything or unit_id in reach.unit_ids or unit_id == own_unit_id(session, reach)


def check_unit(session: Session, reach: Reach, unit_id: int) -> None:
    if not may_see_unit(session, reach, unit_id):
        raise PermissionDenied("this unit is outside what you may see", {"unit": "forbidden"})


# --- rows ---------------------------------------------------------------------------------------
def _rows(session: Session, stmt: Any) -> list[Row]:
    return _rows_of(session, list(session.scalars(stmt)))


def _rows_of(session: Session, lines: Sequence[ScoreLine]) -> list[Row]:
    """Rows for these lines, with unit and person names loaded in two queries, not one per
    line."""
    unit_ids = {line.unit_id for line in lines if line.unit_id is not None}
    person_ids = {line.person_id for line in lines if line.person_id is not None}
    units = (
        {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
        if unit_ids
        else {}
    )
    people: dict[int, str] = {}
    if person_ids:
        stmt = select(Person.id, Person.name).where(Person.id.in_(person_ids))
        people = {int(i): str(n) for i, n in session.execute(stmt).tuples()}
    out = []
    for line in lines:
        unit = units.get(line.unit_id) if line.unit_id is not None else None
        out.append(
            Row(
                line_id=line.id,
                subject_kind=line.subject_kind,
                unit_id=line.unit_id,
                unit_code=unit.code if unit else "",
                unit_name=unit.name if unit else "",
                unit_name_en=unit.name_en if unit else "",
                person_id=line.person_id,
                person_name=str(people.get(line.person_id, "")) if line.person_id else "",
                total=_number(line.total),
                rank=line.rank,
                values={str(k): _number(v) for k, v in (line.values or {}).items()},
            )
        )
    return out


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def competition_ranks(values: Sequence[float | None]) -> list[int | None]:
    """Standard competition ranks (1, 2, 2, 4) by value, highest first; None is unranked."""
    known = sorted((v for v in values if v is not None), reverse=True)
    first: dict[float, int] = {}
    for position, value in enumerate(known, start=1):
        first.setdefault(value, position)
    return [first[v] if v is not None else None for v in values]


def _ranked(rows: Sequence[Row], values: Sequence[float | None]) -> list[Ranked]:
    ranks = competition_ranks(values)
    paired = [Ranked(rank=r, row=row) for r, row in zip(ranks, rows, strict=True)]
    return sorted(
        paired, key=lambda p: (p.rank is None, p.rank or 0, p.row.unit_code, p.row.line_id)
    )


def _order(stmt: Any) -> Any:
    return stmt.order_by(ScoreLine.rank.is_(None), ScoreLine.rank, ScoreLine.id)


def unit_ranking(session: Session, reach: Reach, snapshot: ScoreSnapshot) -> list[Row]:
    """The unit lines the reader may see, by stored rank (unranked last)."""
    require_units(reach)
    stmt = select(ScoreLine).where(
        ScoreLine.snapshot_id == snapshot.id,
        ScoreLine.subject_kind == "unit",
        lines_visible(reach),
    )
    return _rows(session, _order(stmt))


def criterion_rankings(
    session: Session, reach: Reach, snapshot: ScoreSnapshot, criteria: Sequence[CriterionInfo]
) -> list[CriterionRanking]:
    """For each criterion, the units the reader may see, ranked by its value among all units."""
    require_units(reach)
    stmt = select(ScoreLine).where(
        ScoreLine.snapshot_id == snapshot.id, ScoreLine.subject_kind == "unit"
    )
    every = _rows(session, _order(stmt))
    out = []
    for criterion in criteria:
        ranked = _ranked(every, [row.values.get(criterion.code) for row in every])
        visible = [r for r in ranked if _visible(reach, r.row)]
        out.append(CriterionRanking(criterion=criterion, rows=visible))
    return out


def _visible(reach: Reach, row: Row) -> bool:
    return sees_line(reach, row)


def people_units(session: Session, reach: Reach, snapshot: ScoreSnapshot) -> list[Unit]:
    """Units with people in the snapshot that the reader may choose for the people table."""
    require_any(reach)
    ids = set(
        session.scalars(
            select(ScoreLine.unit_id)
            .where(
                ScoreLine.snapshot_id == snapshot.id,
                ScoreLine.subject_kind == "person",
                ScoreLine.unit_id.is_not(None),
            )
            .distinct()
        )
    )
    if not reach.everything:
        own = own_unit_id(session, reach)
        ids &= set(reach.unit_ids) | ({own} if own is not None else set())
    if not ids:
        return []
    return list(session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.code)))


def default_people_unit(session: Session, user_id: int) -> int | None:
    """The unit the people table opens on: the reader's own unit (when they have a person)."""
    own = person_of_user(session, user_id)
    return own.unit_id if own is not None else None


def people_ranking(
    session: Session, reach: Reach, snapshot: ScoreSnapshot, unit_id: int
) -> list[Ranked]:
    """The people of a unit and the units under it, ranked by total within that group (ranks
    computed over everyone in it, then only the lines the reader may see are kept)."""
    require_any(reach)
    check_unit(session, reach, unit_id)
    scope = sorted(unit_and_descendants(session, unit_id))
    stmt = select(ScoreLine).where(
        ScoreLine.snapshot_id == snapshot.id,
        ScoreLine.subject_kind == "person",
        ScoreLine.unit_id.in_(scope),
    )
    every = _rows(session, _order(stmt))
    ranked = _ranked(every, [row.total for row in every])
    return [r for r in ranked if _visible(reach, r.row)]


def trends(session: Session, reach: Reach, unit_id: int | None = None) -> Trends:
    """Each visible unit's total (and rank) in the latest snapshot of every scored year; one
    unit when `unit_id` is given. Units are ordered by their place in the newest year."""
    require_units(reach)
    if unit_id is not None:
        check_unit(session, reach, unit_id)
    per_year = latest_per_year(session)
    by_snapshot = {s.id: year for year, s in per_year.items()}
    stmt = select(ScoreLine).where(
        ScoreLine.snapshot_id.in_(list(by_snapshot)),
        ScoreLine.subject_kind == "unit",
        lines_visible(reach),
    )
    if unit_id is not None:
        stmt = stmt.where(ScoreLine.unit_id == unit_id)
    lines = list(session.scalars(stmt.order_by(ScoreLine.id)))
    grouped: dict[int, dict[str, Any]] = {}
    for line, row in zip(lines, _rows_of(session, lines), strict=True):
        if row.unit_id is None:
            continue
        entry = grouped.setdefault(row.unit_id, {"row": row, "totals": {}, "ranks": {}})
        year = by_snapshot[line.snapshot_id]
        entry["totals"][year] = row.total
        entry["ranks"][year] = row.rank
    newest = max(per_year) if per_year else None

    def place(entry: Mapping[str, Any]) -> tuple[Any, ...]:
        rank = entry["ranks"].get(newest)
        return (rank is None, rank or 0, entry["row"].unit_code)

    series = [
        TrendSeries(
            unit_id=e["row"].unit_id,
            unit_code=e["row"].unit_code,
            unit_name=e["row"].unit_name,
            unit_name_en=e["row"].unit_name_en,
            totals=dict(e["totals"]),
            ranks=dict(e["ranks"]),
        )
        for e in sorted(grouped.values(), key=place)
    ]
    return Trends(
        years=list(per_year),
        snapshot_ids={year: s.id for year, s in per_year.items()},
        series=series,
    )


def unit_by_code(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code)) if code else None
    if unit is None:
        raise NotFound(f"no unit {code[:40]!r}", {"unit": "unknown"})
    return unit
