"""Score snapshots for dashboard tests, written straight into the tables (computing them is
tested with the scoring services; here only stored numbers matter). Totals and ranks come from
the pure scorecard, so the rows look like those the services store."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulation import scorecard
from emulation.models import ScoreLine, ScoreSnapshot
from lis.people.models import Person
from lis.reference.models import Unit

CRITERIA: list[dict[str, Any]] = [
    {"code": "progress", "formula": "progress@1", "weight": 30, "params": {}},
    {"code": "quality", "formula": "quality@1", "weight": 35, "params": {}},
    {"code": "effectiveness", "formula": "effectiveness@1", "weight": 20, "params": {}},
    {"code": "volume", "formula": "volume@1", "weight": 15, "params": {}},
]
DEFS = [scorecard.CriterionDef.from_dict(c) for c in CRITERIA]
Values = Mapping[str, float | None]


def unit_id(session: Session, code: str) -> int:
    found = session.scalar(select(Unit.id).where(Unit.code == code))
    assert found is not None, f"no unit {code}"
    return found


def values(
    progress: float | None, quality: float | None, eff: float | None, vol: float | None
) -> dict[str, float | None]:
    return {"progress": progress, "quality": quality, "effectiveness": eff, "volume": vol}


def make_snapshot(
    session: Session,
    year: int = 2025,
    *,
    units: Mapping[str, Values] | None = None,
    people: Sequence[tuple[Person, Values]] = (),
    movement_id: int | None = None,
) -> ScoreSnapshot:
    """A snapshot of `year` (or of a movement) with a line per unit code and per person."""
    snap = ScoreSnapshot(
        year=None if movement_id else year,
        movement_id=movement_id,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        rule_version=scorecard.rule_version(DEFS),
        criteria=CRITERIA,
        fact_count=0,
        digest=hashlib.sha256(f"{year}{units}{people}".encode()).hexdigest(),
        note="test",
    )
    session.add(snap)
    session.flush()
    unit_lines = [(unit_id(session, code), dict(v)) for code, v in (units or {}).items()]
    person_lines = [(p, dict(v)) for p, v in people]
    unit_totals = {uid: scorecard.total(v, DEFS) for uid, v in unit_lines}
    person_totals = {p.id: scorecard.total(v, DEFS) for p, v in person_lines}
    unit_ranks = scorecard.rank(unit_totals)
    person_ranks = scorecard.rank(person_totals)
    for uid, v in unit_lines:
        _line(session, snap, "unit", None, uid, v, unit_totals[uid], unit_ranks[uid])
    for p, v in person_lines:
        _line(session, snap, "person", p.id, p.unit_id, v, person_totals[p.id], person_ranks[p.id])
    session.flush()
    return snap


def _line(
    session: Session,
    snap: ScoreSnapshot,
    kind: str,
    person_id: int | None,
    unit: int,
    vals: dict[str, float | None],
    total: float | None,
    rank: int | None,
) -> None:
    session.add(
        ScoreLine(
            snapshot_id=snap.id,
            subject_kind=kind,
            person_id=person_id,
            unit_id=unit,
            values=vals,
            details={},
            total=total,
            rank=rank,
            facts={"contribution": [], "document": []},
            unverified=[],
            digest=hashlib.sha256(f"{kind}{person_id}{unit}{vals}".encode()).hexdigest(),
        )
    )
