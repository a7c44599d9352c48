"""Commendation records for eligibility tests, written through the models in the state a test
needs (keeping them through the records pages is tested with the records)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from emulation.commendation_models import (
    Attestation,
    Award,
    Discipline,
    Initiative,
    InitiativeAuthor,
    PendingCase,
)
from emulation.models import QualityRating
from lis.people.models import Person
from lis.reference.models import Unit

YEAR = 2025
ON = dt.date(2026, 3, 1)  # the evaluation day: early in the year after, rules of 2024 on


def rating(session: Session, who: Person, band: str, year: int = YEAR) -> QualityRating:
    """A decided quality band for the year (decided early in the next year)."""
    row = QualityRating(
        person_id=who.id,
        unit_id=who.unit_id,
        year=year,
        suggested_band=band,
        band=band,
        decided_at=dt.datetime(year + 1, 1, 10, 9, 0),
    )
    session.add(row)
    session.flush()
    return row


def attest(
    session: Session,
    *,
    criterion: str,
    year: int = YEAR,
    who: Person | None = None,
    unit: Unit | None = None,
    holds: bool = True,
) -> Attestation:
    row = Attestation(
        person_id=who.id if who else None,
        unit_id=unit.id if unit else None,
        year=year,
        criterion=criterion,
        holds=holds,
        attested_by_email="head@test.lis.vn",
        attested_at=dt.datetime(year, 12, 20, 9, 0),
    )
    session.add(row)
    session.flush()
    return row


def initiative(
    session: Session,
    authors: Sequence[Person],
    *,
    on: dt.date = dt.date(YEAR, 6, 1),
    scope: str = "grassroots",
) -> Initiative:
    row = Initiative(
        title=f"Sáng kiến {on.isoformat()}",
        recognized_by_unit_id=authors[0].unit_id,
        recognized_on=on,
        scope=scope,
        decision_no="01/QĐ-SK",
        authors=[InitiativeAuthor(person_id=a.id, share=1.0 / len(authors)) for a in authors],
    )
    session.add(row)
    session.flush()
    return row


def award(
    session: Session,
    title: str,
    year: int,
    *,
    who: Person | None = None,
    unit: Unit | None = None,
    basis: str = "excellent",
    initiatives: Sequence[Initiative] = (),
    revoked: bool = False,
) -> Award:
    row = Award(
        person_id=who.id if who else None,
        unit_id=unit.id if unit else None,
        title_code=title,
        year=year,
        decision_no=f"{year}/QĐ",
        decision_date=dt.date(year + 1, 1, 20),
        basis=basis,
        revoked=revoked,
        revoked_at=dt.datetime(year + 1, 6, 1) if revoked else None,
        initiatives=list(initiatives),
    )
    session.add(row)
    session.flush()
    return row


def open_case(session: Session, who: Person, opened: dt.date = dt.date(YEAR, 11, 1)) -> PendingCase:
    row = PendingCase(person_id=who.id, kind="investigation", opened_on=opened)
    session.add(row)
    session.flush()
    return row


def discipline(
    session: Session, who: Person, form: str = "warning", on: dt.date = dt.date(YEAR, 4, 1)
) -> Discipline:
    row = Discipline(person_id=who.id, form=form, decided_on=on)
    session.add(row)
    session.flush()
    return row
