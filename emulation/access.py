"""Who sees which scores and ratings (issue 7 §6).

Officers, council members and administrators see every score. A head sees the units they head
(their unit and the units under it) and the people in them. A staff member sees their own line.
Deputies and anyone else see nothing: these are the Office's internal assessments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import Session

from emulation.models import QualityRating, ScoreLine
from lis.people.queries import person_of_user, unit_and_descendants

SEE_ALL = ("admin", "officer", "council")
# Roles that may open the score pages at all (each then sees what its reach allows).
READ_ROLES = (*SEE_ALL, "head", "staff")
# Who computes scores and runs movements.
RUN_ROLES = ("admin", "officer", "council")


class Actor(Protocol):
    id: int

    def has_role(self, *roles: str) -> bool: ...


@dataclass(frozen=True)
class SystemActor:
    """Who a command or the demo seed acts as: every role, no user row (so `computed_by` stays
    empty and the audit log says "system")."""

    id: None = None
    email: str = "system"

    def has_role(self, *roles: str) -> bool:
        return True


@dataclass(frozen=True)
class Reach:
    everything: bool = False
    unit_ids: frozenset[int] = field(default_factory=frozenset)  # units headed, with sub-units
    person_id: int | None = None  # the actor's own person

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.unit_ids and self.person_id is None


def reach_of(session: Session, actor: Actor) -> Reach:
    if actor.has_role(*SEE_ALL):
        return Reach(everything=True)
    person = person_of_user(session, actor.id)
    if person is None:
        return Reach()
    units: frozenset[int] = frozenset()
    if actor.has_role("head"):
        units = frozenset(unit_and_descendants(session, person.unit_id))
    if actor.has_role("head", "staff"):
        return Reach(unit_ids=units, person_id=person.id)
    return Reach()


def sees_line(reach: Reach, line: Any) -> bool:
    """Whether a ScoreLine (or anything with subject_kind, person_id, unit_id) is visible."""
    if reach.everything:
        return True
    if line.unit_id is not None and line.unit_id in reach.unit_ids:
        return True
    return (
        line.subject_kind == "person"
        and reach.person_id is not None
        and (line.person_id == reach.person_id)
    )


def lines_visible(reach: Reach) -> ColumnElement[bool]:
    """The same rule as `sees_line`, as a WHERE clause on ScoreLine."""
    if reach.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if reach.unit_ids:
        clauses.append(ScoreLine.unit_id.in_(sorted(reach.unit_ids)))
    if reach.person_id is not None:
        clauses.append(
            and_(ScoreLine.subject_kind == "person", ScoreLine.person_id == reach.person_id)
        )
    return or_(*clauses) if clauses else false()


def ratings_visible(reach: Reach) -> ColumnElement[bool]:
    """Quality ratings: a head's units' people, one's own rating, or everything."""
    if reach.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if reach.unit_ids:
        clauses.append(QualityRating.unit_id.in_(sorted(reach.unit_ids)))
    if reach.person_id is not None:
        clauses.append(QualityRating.person_id == reach.person_id)
    return or_(*clauses) if clauses else false()


def may_decide_rating(reach: Reach, actor: Actor, rating: QualityRating) -> bool:
    """Heads decide the ratings of their units' people, never their own; admins any."""
    if actor.has_role("admin"):
        return True
    if not actor.has_role("head") or rating.person_id == reach.person_id:
        return False
    return rating.unit_id in reach.unit_ids
