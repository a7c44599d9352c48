"""Commendation records for tests, written through the services (whose rules are tested in
test_services.py) or straight into the tables where a test needs a state the services refuse
(a date in the past of the record, a revocation stamped at a given time)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from emulation import records
from emulation.access import SystemActor
from emulation.commendation_models import Award, Initiative
from emulation.models import QualityRating
from lis.people.models import Person
from tests.factories import unit_by_code

SYSTEM = SystemActor()
DAY = dt.date(2025, 3, 1)


def initiative(
    session: Session,
    authors: list[tuple[Person, float]],
    *,
    on: dt.date = DAY,
    scope: str = "grassroots",
    unit: str = "UB-PLTP",
    **kw: Any,
) -> Initiative:
    values: dict[str, Any] = {
        "title": "Sáng kiến thử nghiệm",
        "recognized_by_unit_id": unit_by_code(unit).id,
        "recognized_on": on,
        "scope": scope,
        "authors": [{"person_id": p.id, "share": s} for p, s in authors],
    }
    values.update(kw)
    return records.create_initiative(session, SYSTEM, **values)


def award(
    session: Session,
    title_code: str,
    year: int,
    *,
    who: Person | None = None,
    unit: str | None = None,
    **kw: Any,
) -> Award:
    return records.create_award(
        session,
        SYSTEM,
        title_code=title_code,
        year=year,
        person_id=who.id if who is not None else None,
        unit_id=unit_by_code(unit).id if unit else None,
        **kw,
    )


def rating(
    session: Session,
    who: Person,
    year: int,
    band: str | None,
    *,
    decided_at: dt.datetime | None = None,
) -> QualityRating:
    row = QualityRating(
        person_id=who.id,
        unit_id=who.unit_id,
        year=year,
        suggested_band=band,
        band=band,
        decided_at=decided_at or (dt.datetime(year + 1, 1, 10) if band else None),
    )
    session.add(row)
    session.flush()
    return row
