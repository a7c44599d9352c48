"""Who a user is in the organisation: their person record and the units they act for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from lis import clock
from lis.auth.models import User
from lis.errors import NotFound
from lis.people.models import Person
from lis.reference.models import Unit
from lis.reference.queries import tree_order
from search.analysis import fold


def person_of_user(session: Session, user_id: int) -> Person | None:
    return session.scalar(select(Person).where(Person.user_id == user_id, Person.active))


def unit_and_descendants(session: Session, unit_id: int) -> set[int]:
    """A unit's id and those of every unit under it (a committee and its department)."""
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    found = {unit_id}
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if parent in found and child not in found:
                found.add(child)
                changed = True
    return found


def unit_ids_of_user(session: Session, user_id: int) -> set[int]:
    """The unit a user's person belongs to, with the units above it up to (not including) the
    Assembly: staff of a committee's department act for the committee too."""
    person = person_of_user(session, user_id)
    if person is None:
        return set()
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    codes = dict(session.execute(select(Unit.id, Unit.code)).all())
    out: set[int] = set()
    unit_id: int | None = person.unit_id
    while unit_id is not None and codes.get(unit_id) != "QH":
        out.add(unit_id)
        unit_id = parents.get(unit_id)
    return out


# --- administration: lists and look-ups -----------------------------------------------------------
@dataclass(frozen=True)
class PeopleFilter:
    unit: str | None = None  # a unit code
    sub_units: bool = False  # include the people of every unit under it
    q: str | None = None  # words of the name or e-mail, with or without diacritics
    active: bool | None = None


def get_person(session: Session, person_id: object) -> Person:
    """The person with this id (given as text in URLs); 404 naming the field otherwise."""
    text = str(person_id)
    if not (text.isdigit() and 0 < len(text) <= 12):
        raise NotFound(f"no person with id {text[:20]!r}", {"id": "unknown"})
    person = session.scalar(
        select(Person)
        .where(Person.id == int(text))
        .options(selectinload(Person.unit), selectinload(Person.user))
    )
    if person is None:
        raise NotFound(f"no person with id {text}", {"id": "unknown"})
    return person


def _matches(words: list[str], *texts: str | None) -> bool:
    haystack = fold(" ".join(t for t in texts if t))
    return all(word in haystack for word in words)


def list_people(
    session: Session, f: PeopleFilter, page: int = 1, per_page: int = 50
) -> tuple[int, list[Person]]:
    """(total, one page of people) sorted by name, the Vietnamese way without diacritics first.

    Names are matched folded (`nguyen` finds `Nguyễn`) in Python: the column is not stored
    folded, and a unit's or the whole Office's staff is a few thousand rows at most."""
    stmt = select(Person.id, Person.name, Person.email)
    if f.unit:
        unit = session.scalar(select(Unit).where(Unit.code == f.unit.upper()))
        if unit is None:
            raise NotFound(f"no unit with code {f.unit[:40]!r}", {"unit": "unknown"})
        ids = unit_and_descendants(session, unit.id) if f.sub_units else {unit.id}
        stmt = stmt.where(Person.unit_id.in_(ids))
    if f.active is not None:
        stmt = stmt.where(Person.active == f.active)
    words = fold(f.q).split() if f.q else []
    rows = [r for r in session.execute(stmt) if _matches(words, r.name, r.email)]
    rows.sort(key=lambda r: (fold(r.name), r.name, r.id))
    chosen = [r.id for r in rows[(page - 1) * per_page : page * per_page]]
    people = {
        p.id: p
        for p in session.scalars(
            select(Person)
            .where(Person.id.in_(chosen))
            .options(selectinload(Person.unit), selectinload(Person.user))
        )
    }
    return len(rows), [people[i] for i in chosen]


def units_with_depth(session: Session, *, open_only: bool = False) -> list[tuple[Unit, int]]:
    """Units in tree order, each with its depth (0 for a root): for indented lists and selects.
    With `open_only`, closed units (valid_to today or earlier) are left out."""
    today = clock.today()
    units = [
        u
        for u in session.scalars(select(Unit).options(selectinload(Unit.replaced_by)))
        if not open_only or u.valid_to is None or today < u.valid_to
    ]
    ordered = tree_order(units)
    by_id = {u.id: u for u in ordered}
    out = []
    for unit in ordered:
        depth, parent = 0, by_id.get(unit.parent_id) if unit.parent_id else None
        while parent is not None:
            depth += 1
            parent = by_id.get(parent.parent_id) if parent.parent_id else None
        out.append((unit, depth))
    return out


def people_counts(session: Session) -> dict[int, int]:
    """Active people per unit id (only units that have any)."""
    stmt = select(Person.unit_id, func.count()).where(Person.active).group_by(Person.unit_id)
    return dict(session.execute(stmt).tuples().all())


def unlinked_user_emails(session: Session, limit: int = 500) -> list[str]:
    """E-mails of active logins no person is linked to: suggestions for the person form."""
    linked = select(Person.user_id).where(Person.user_id.is_not(None))
    stmt = (
        select(User.email)
        .where(User.active, User.id.not_in(linked))
        .order_by(User.email)
        .limit(limit)
    )
    return list(session.scalars(stmt))
