"""A person's or a unit's record as the title rules read it, as known on a given day.

The rules are pure (emulation.title_rules reads emulation.subject_facts); this is the one place
that turns the records into those facts. "As known on `on`" means a report re-run later for
the same day gives the same facts: anything dated after `on` is left out, and a state that
changed after `on` (a case closed, an award revoked) is read as it stood on `on`.

- ratings: the decided band of each year (a rating decided after `on`, or of a year after
  `on`'s, is left out);
- awards: every award decided on or before `on` (by its decision date, or by its year when it
  has none), revoked ones kept with revoked=True (revoked on or before `on`), with the ids of
  the initiatives each used;
- initiatives: those the person authored, recognised on or before `on`, with their share;
- disciplines decided, cases opened and attestations given on or before `on`;
- for a unit: its members are the active people of the unit itself (not of the units under
  it), each with the year's decided band, the titles awarded to them for the year (not
  revoked) and the heaviest discipline decided in the year or in effect during it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from emulation.commendation_models import (
    DISCIPLINE_FORMS,
    Attestation,
    Award,
    AwardInitiative,
    Discipline,
    Initiative,
    InitiativeAuthor,
    PendingCase,
)
from emulation.models import QualityRating
from emulation.subject_facts import (
    AttestationFact,
    AwardFact,
    CaseFact,
    DisciplineFact,
    InitiativeFact,
    MemberFacts,
    SubjectFacts,
)
from lis.clock import local_date
from lis.errors import NotFound
from lis.people.models import Person
from lis.reference.models import Unit


def _known(stamp: dt.datetime | None, on: dt.date) -> bool:
    """Whether something stamped at `stamp` (naive UTC) had happened by the end of `on`."""
    return stamp is None or local_date(stamp) <= on


def _rating_known(row: QualityRating, on: dt.date) -> bool:
    return row.band is not None and row.year <= on.year and _known(row.decided_at, on)


def _award_known(row: Award, on: dt.date) -> bool:
    if row.decision_date is not None:
        return row.decision_date <= on
    return row.year <= on.year


def _award_revoked(row: Award, on: dt.date) -> bool:
    return row.revoked and _known(row.revoked_at, on)


def _initiative_ids(session: Session, award_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    ids = sorted(set(award_ids))
    out: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(AwardInitiative.award_id, AwardInitiative.initiative_id)
            .where(AwardInitiative.award_id.in_(ids))
            .order_by(AwardInitiative.award_id, AwardInitiative.initiative_id)
        ).all()
        for award_id, initiative_id in rows:
            out[award_id].append(initiative_id)
    return {k: tuple(v) for k, v in out.items()}


def _awards(session: Session, subject: ColumnElement[bool], on: dt.date) -> tuple[AwardFact, ...]:
    rows = [
        row
        for row in session.scalars(select(Award).where(subject).order_by(Award.year, Award.id))
        if _award_known(row, on)
    ]
    used = _initiative_ids(session, (r.id for r in rows))
    return tuple(
        AwardFact(
            id=row.id,
            title_code=row.title_code,
            year=row.year,
            basis=row.basis,
            kind=row.kind,
            revoked=_award_revoked(row, on),
            initiative_ids=used[row.id],
        )
        for row in rows
    )


def _cases(session: Session, subject: ColumnElement[bool], on: dt.date) -> tuple[CaseFact, ...]:
    rows = session.scalars(
        select(PendingCase)
        .where(subject, PendingCase.opened_on <= on)
        .order_by(PendingCase.opened_on, PendingCase.id)
    )
    return tuple(
        CaseFact(
            id=row.id,
            kind=row.kind,
            opened_on=row.opened_on,
            closed_on=row.closed_on if row.closed_on is not None and row.closed_on <= on else None,
        )
        for row in rows
    )


def _attestations(
    session: Session, subject: ColumnElement[bool], on: dt.date
) -> dict[tuple[int, str], AttestationFact]:
    rows = session.scalars(
        select(Attestation)
        .where(subject, Attestation.year <= on.year)
        .order_by(Attestation.year, Attestation.criterion, Attestation.id)
    )
    return {
        (row.year, row.criterion): AttestationFact(
            id=row.id, criterion=row.criterion, holds=row.holds, by=row.attested_by_email
        )
        for row in rows
        if _known(row.attested_at, on)
    }


def load_person(session: Session, person_id: int, on: dt.date) -> SubjectFacts:
    """A person's record as known at the end of `on` (404 for an unknown person)."""
    if session.get(Person, person_id) is None:
        raise NotFound(f"no person {person_id}", {"person_id": "unknown"})
    ratings = [
        row
        for row in session.scalars(
            select(QualityRating)
            .where(QualityRating.person_id == person_id)
            .order_by(QualityRating.year)
        )
        if _rating_known(row, on)
    ]
    initiatives = session.execute(
        select(Initiative, InitiativeAuthor.share)
        .join(InitiativeAuthor, InitiativeAuthor.initiative_id == Initiative.id)
        .where(InitiativeAuthor.person_id == person_id, Initiative.recognized_on <= on)
        .order_by(Initiative.recognized_on, Initiative.id)
    ).all()
    disciplines = session.scalars(
        select(Discipline)
        .where(Discipline.person_id == person_id, Discipline.decided_on <= on)
        .order_by(Discipline.decided_on, Discipline.id)
    )
    return SubjectFacts(
        kind="person",
        subject_id=person_id,
        ratings={row.year: row.band for row in ratings if row.band is not None},
        rating_ids={row.year: row.id for row in ratings},
        awards=_awards(session, Award.person_id == person_id, on),
        initiatives=tuple(
            InitiativeFact(
                id=row.id,
                recognized_on=row.recognized_on,
                scope=row.scope,
                applied_effectively=row.applied_effectively,
                share=share,
            )
            for row, share in initiatives
        ),
        disciplines=tuple(
            DisciplineFact(
                id=row.id, form=row.form, decided_on=row.decided_on, effective_to=row.effective_to
            )
            for row in disciplines
        ),
        cases=_cases(session, PendingCase.person_id == person_id, on),
        attestations=_attestations(session, Attestation.person_id == person_id, on),
    )


def _heaviest(forms: Iterable[str]) -> str | None:
    ranked = [f for f in forms if f in DISCIPLINE_FORMS]
    return max(ranked, key=DISCIPLINE_FORMS.index) if ranked else None


def _in_year(row: Discipline, year: int) -> bool:
    """Decided in the year, or decided before it and still in effect during it."""
    if row.decided_on.year == year:
        return True
    return (
        row.decided_on.year < year
        and row.effective_to is not None
        and row.effective_to >= dt.date(year, 1, 1)
    )


def _members(session: Session, unit_id: int, year: int, on: dt.date) -> dict[int, MemberFacts]:
    people = list(
        session.scalars(
            select(Person.id).where(Person.unit_id == unit_id, Person.active).order_by(Person.id)
        )
    )
    if not people:
        return {}
    bands = {
        row.person_id: row.band
        for row in session.scalars(
            select(QualityRating).where(
                QualityRating.person_id.in_(people), QualityRating.year == year
            )
        )
        if _rating_known(row, on)
    }
    titles: dict[int, set[str]] = {}
    for row in session.scalars(
        select(Award).where(Award.person_id.in_(people), Award.year == year)
    ):
        if _award_known(row, on) and not _award_revoked(row, on) and row.person_id is not None:
            titles.setdefault(row.person_id, set()).add(row.title_code)
    forms: dict[int, list[str]] = {}
    for row in session.scalars(
        select(Discipline).where(
            Discipline.person_id.in_(people),
            Discipline.decided_on <= min(on, dt.date(year, 12, 31)),
        )
    ):
        if _in_year(row, year):
            forms.setdefault(row.person_id, []).append(row.form)
    return {
        pid: MemberFacts(
            person_id=pid,
            rating=bands.get(pid),
            titles=tuple(sorted(titles.get(pid, ()))),
            disciplined_from=_heaviest(forms.get(pid, ())),
        )
        for pid in people
    }


def load_unit(session: Session, unit_id: int, year: int, on: dt.date) -> SubjectFacts:
    """A unit's record as known at the end of `on`, with its members' `year` (404 for an
    unknown unit). Units have no quality rating, disciplines or initiatives of their own."""
    if session.get(Unit, unit_id) is None:
        raise NotFound(f"no unit {unit_id}", {"unit_id": "unknown"})
    return SubjectFacts(
        kind="unit",
        subject_id=unit_id,
        awards=_awards(session, Award.unit_id == unit_id, on),
        cases=_cases(session, PendingCase.unit_id == unit_id, on),
        attestations=_attestations(session, Attestation.unit_id == unit_id, on),
        members=_members(session, unit_id, year, on),
    )
