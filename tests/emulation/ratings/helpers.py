"""Yearly score snapshots for rating tests, written straight into the tables (computing them
from the ledger is tested in tests/emulation; here only each person's total matters)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from emulation.models import QualityRating, ScoreLine, ScoreSnapshot
from lis.people.models import Person
from tests.emulation.helpers import person

YEAR = 2026
DIGEST = "0" * 64


def snapshot(
    session: Session, lines: Sequence[tuple[Person, float | None]], year: int = YEAR
) -> ScoreSnapshot:
    """A yearly snapshot with one person line per (person, total), each in the person's unit."""
    snap = ScoreSnapshot(
        year=year,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        rule_version="test",
        criteria=[],
        digest=DIGEST,
    )
    session.add(snap)
    session.flush()
    for who, total in lines:
        session.add(
            ScoreLine(
                snapshot_id=snap.id,
                subject_kind="person",
                person_id=who.id,
                unit_id=who.unit_id,
                total=total,
                digest=DIGEST,
            )
        )
    session.flush()
    return snap


def people(n: int, unit: str = "UB-PLTP-V", **kw: Any) -> list[Person]:
    return [person(unit, **kw) for _ in range(n)]


def ten_good_or_better(unit: str = "UB-PLTP-V") -> list[tuple[Person, float | None]]:
    """Ten people at 70 or more, three of them at 90 or more (two may be excellent), and one
    at 60: the cap's hand-worked example."""
    scores = [99.0, 95.0, 91.0, 85.0, 80.0, 78.0, 75.0, 72.0, 71.0, 70.0, 60.0]
    return [(who, s) for who, s in zip(people(len(scores), unit), scores, strict=True)]


def by_person(rows: Sequence[QualityRating]) -> dict[int, QualityRating]:
    return {r.person_id: r for r in rows}
