"""Ledger rows for emulation tests, written straight into the contributions table in the state
a test needs (logging, verifying and rating through the services is tested in
tests/contributions; here only the facts matter).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lis.contributions.models import Contribution
from lis.documents.models import Document
from lis.people.models import Person
from lis.reference.models import WorkKind
from tests.factories import DocumentFactory, PersonFactory, unit_by_code

YEAR = 2025
DAY = dt.timedelta(days=1)


def work_kind(session: Session, code: str = "VERIFY_REPORT") -> WorkKind:
    kind = session.scalar(select(WorkKind).where(WorkKind.code == code))
    assert kind is not None, f"no work kind {code}: is the reference data seeded?"
    return kind


def person(unit: str = "UB-PLTP-V", **kw: Any) -> Person:
    return PersonFactory(unit=unit_by_code(unit), **kw)


def draft(**kw: Any) -> Document:
    values: dict[str, Any] = {"origin": "draft", "kind": "law", "stage": "S_VERIFY"}
    values.update(kw)
    return DocumentFactory(**values)


def fact(
    session: Session,
    who: Person,
    *,
    document: Document | None = None,
    kind: str = "VERIFY_REPORT",
    delivered: dt.date = dt.date(YEAR, 5, 10),
    due: dt.date | None = dt.date(YEAR, 5, 10),
    quality: str | None = "good",
    errors: int = 0,
    outcome: str | None = None,
    state: str = "verified",
    unit_id: int | None = None,
) -> Contribution:
    """One contribution of `who` (for their own unit unless `unit_id`), verified by default."""
    row = Contribution(
        document_id=(document or draft()).id,
        stage="S_VERIFY",
        work_kind_id=work_kind(session, kind).id,
        person_id=who.id,
        unit_id=unit_id or who.unit_id,
        title=f"{kind} of {who.name}",
        delivered_date=delivered,
        due_date=due,
        quality=quality if state == "verified" else None,
        major_errors=errors,
        outcome=outcome,
        state=state,
        articles=[],
    )
    session.add(row)
    session.flush()
    return row
