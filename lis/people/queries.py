"""Who a user is in the organisation: their person record and the units they act for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lis.people.models import Person
from lis.reference.models import Unit


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
