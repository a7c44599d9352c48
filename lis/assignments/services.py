"""Assigning advisory work, changing and closing it, and the lists people work from.

Who may do what (the same rules hold in the API and on the pages):

- assign: an administrator, or a head whose unit is the assignee unit or above it (the
  assignee unit is among their unit and its descendants). A head's reach is their unit's
  subtree: the head of a committee assigns to the committee or its department, the head of a
  department only to the department.
- change (due date, person, unit, title, description) and cancel: an administrator, the head
  who assigned it, or any head whose reach covers the assignee unit.
- mark done: those, and the person the work is assigned to.
- read: administrators, officers and the council everything (they follow the whole
  legislative process and the emulation of work); heads what their reach covers and what they
  assigned; staff their own and their units' (a department's staff act for its committee
  too); deputies nothing (these are the Office's internal task lists).

Services take a session and plain values, flush, audit each change in the same transaction
and never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, case, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from lis import clock
from lis.assignments.models import STATES, Assignment
from lis.audit.services import record
from lis.db import utcnow
from lis.documents.models import Document
from lis.drafts.machine import adopted_by_of, machine_for
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.models import Person
from lis.people.queries import person_of_user, unit_and_descendants, unit_ids_of_user
from lis.reference.models import Unit, WorkKind

ENTITY = "assignment"
MAX_TITLE = 300
MAX_TEXT = 5000
MAX_YEARS_AHEAD = 5
MAX_ID = 2**31 - 1
# Readers of every assignment: they follow the whole process and emulation of work.
READ_ALL_ROLES = ("admin", "officer", "council")
# Roles that may read any assignment list at all (deputies may not).
READ_ROLES = ("admin", "head", "staff", "officer", "council")
WRITE_ROLES = ("admin", "head")
LIST_STATES = (*STATES, "overdue")


class Actor(Protocol):
    """A logged-in user or principal: what the rules need of the person acting."""

    id: int
    email: str

    def has_role(self, *roles: str) -> bool: ...


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


# --------------------------------------------------------------------------
# Stages
# --------------------------------------------------------------------------


def stages_for(document: Document) -> list[str]:
    """The stage codes of the draft's procedure, in order (none for kinds without one)."""
    machine = machine_for(document.kind, adopted_by_of(document.issuer))
    return list(machine.stages) if machine is not None else []


# --------------------------------------------------------------------------
# Who may do what
# --------------------------------------------------------------------------


def head_reach(session: Session, actor: Actor) -> set[int] | None:
    """The units `actor` may assign to: None for every unit (administrators), their unit's
    subtree for a head with a person record, nothing otherwise."""
    if actor.has_role("admin"):
        return None
    if not actor.has_role("head"):
        return set()
    person = person_of_user(session, actor.id)
    return unit_and_descendants(session, person.unit_id) if person is not None else set()


def may_assign_to(session: Session, actor: Actor, unit_id: int) -> bool:
    reach = head_reach(session, actor)
    return reach is None or unit_id in reach


def may_manage(session: Session, actor: Actor, assignment: Assignment) -> bool:
    """Change or cancel: administrators, the assigning head, heads whose reach covers it."""
    if actor.has_role("admin"):
        return True
    if not actor.has_role("head"):
        return False
    return assignment.assigned_by_id == actor.id or may_assign_to(
        session, actor, assignment.unit_id
    )


def is_assignee(actor: Actor, assignment: Assignment) -> bool:
    person = assignment.person
    return person is not None and person.user_id == actor.id


def may_complete(session: Session, actor: Actor, assignment: Assignment) -> bool:
    return is_assignee(actor, assignment) or may_manage(session, actor, assignment)


def visible_clause(session: Session, actor: Actor) -> ColumnElement[bool] | None:
    """A WHERE clause for what `actor` may read (None: everything)."""
    if actor.has_role(*READ_ALL_ROLES):
        return None
    if not actor.has_role("head", "staff"):
        return false()
    units: set[int] = set(unit_ids_of_user(session, actor.id))
    reach = head_reach(session, actor) if actor.has_role("head") else set()
    units |= reach or set()
    person = person_of_user(session, actor.id)
    clauses: list[ColumnElement[bool]] = [Assignment.unit_id.in_(sorted(units))]
    if person is not None:
        clauses.append(Assignment.person_id == person.id)
    if actor.has_role("head"):
        clauses.append(Assignment.assigned_by_id == actor.id)
    return or_(*clauses)


def may_read(session: Session, actor: Actor, assignment: Assignment) -> bool:
    clause = visible_clause(session, actor)
    if clause is None:
        return True
    found = session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.id == assignment.id, clause)
    )
    return bool(found)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def _loaded() -> Select[tuple[Assignment]]:
    return select(Assignment).options(
        selectinload(Assignment.document),
        selectinload(Assignment.work_kind),
        selectinload(Assignment.unit),
        selectinload(Assignment.person),
        selectinload(Assignment.assigned_by),
        selectinload(Assignment.closed_by),
    )


def _by_due(stmt: Select[tuple[Assignment]]) -> Select[tuple[Assignment]]:
    return stmt.order_by(Assignment.due_date, Assignment.id)


def get_assignment(session: Session, assignment_id: int) -> Assignment:
    found = None
    if 0 < assignment_id <= MAX_ID:  # larger ids cannot exist and overflow the driver
        found = session.scalar(_loaded().where(Assignment.id == assignment_id))
    if found is None:
        raise NotFound(f"no assignment {assignment_id}", {"id": "unknown"})
    return found


def read_assignment(session: Session, actor: Actor, assignment_id: int) -> Assignment:
    """The assignment, when `actor` may read it (403 otherwise)."""
    found = get_assignment(session, assignment_id)
    if not may_read(session, actor, found):
        raise PermissionDenied("this assignment is not yours or your unit's", {"id": "forbidden"})
    return found


def _units(session: Session, unit_id: int, include_sub_units: bool) -> set[int]:
    return unit_and_descendants(session, unit_id) if include_sub_units else {unit_id}


def open_for_unit(
    session: Session, unit_id: int, *, include_sub_units: bool = False
) -> Select[tuple[Assignment]]:
    """A unit's open work (with its sub-units' when asked), soonest due first."""
    units = _units(session, unit_id, include_sub_units)
    return _by_due(
        _loaded().where(Assignment.state == "open", Assignment.unit_id.in_(sorted(units)))
    )


def open_for_person(session: Session, person_id: int) -> Select[tuple[Assignment]]:
    """A person's open work, soonest due first."""
    return _by_due(_loaded().where(Assignment.state == "open", Assignment.person_id == person_id))


def overdue(
    session: Session,
    today: dt.date,
    *,
    unit_ids: Collection[int] | None = None,
    person_id: int | None = None,
) -> Select[tuple[Assignment]]:
    """Open work whose due date has passed (due before `today`), most late first."""
    stmt = _loaded().where(Assignment.state == "open", Assignment.due_date < today)
    if unit_ids is not None:
        stmt = stmt.where(Assignment.unit_id.in_(sorted(unit_ids)))
    if person_id is not None:
        stmt = stmt.where(Assignment.person_id == person_id)
    return _by_due(stmt)


def for_document(session: Session, document_id: int) -> list[Assignment]:
    """A draft's assignments: open ones first, each group soonest due first."""
    stmt = _loaded().where(Assignment.document_id == document_id)
    rows = list(session.scalars(_by_due(stmt)))
    return sorted(rows, key=lambda a: (a.state != "open", STATES.index(a.state)))


@dataclass(frozen=True)
class AssignmentFilter:
    unit_id: int | None = None
    include_sub_units: bool = False
    person_id: int | None = None
    document_id: int | None = None
    state: str | None = None  # open | done | cancelled | overdue
    mine: bool = False


def list_assignments(
    session: Session, actor: Actor, f: AssignmentFilter, today: dt.date
) -> Select[tuple[Assignment]]:
    """What `actor` may read among the assignments that pass `f`, soonest due first."""
    stmt = _loaded()
    clause = visible_clause(session, actor)
    if clause is not None:
        stmt = stmt.where(clause)
    if f.unit_id is not None:
        units = _units(session, f.unit_id, f.include_sub_units)
        stmt = stmt.where(Assignment.unit_id.in_(sorted(units)))
    if f.person_id is not None:
        stmt = stmt.where(Assignment.person_id == f.person_id)
    if f.document_id is not None:
        stmt = stmt.where(Assignment.document_id == f.document_id)
    if f.mine:
        person = person_of_user(session, actor.id)
        stmt = stmt.where(Assignment.person_id == (person.id if person else None))
        if person is None:
            stmt = stmt.where(false())
    if f.state == "overdue":
        stmt = stmt.where(Assignment.state == "open", Assignment.due_date < today)
    elif f.state:
        stmt = stmt.where(Assignment.state == f.state)
    return _by_due(stmt)


@dataclass(frozen=True)
class Count:
    """Open and overdue work of one unit or one person."""

    key: int
    label: str
    open: int
    overdue: int


def counts_by_unit(
    session: Session,
    unit_ids: Collection[int],
    today: dt.date,
    *,
    visible: ColumnElement[bool] | None = None,
) -> list[Count]:
    """Open and overdue counts per unit among `unit_ids` (units with open work only), of the
    work that passes `visible` (see `visible_clause`)."""
    late = func.sum(case((Assignment.due_date < today, 1), else_=0))
    stmt = (
        select(Unit.id, Unit.code, func.count(Assignment.id), late)
        .join(Assignment, Assignment.unit_id == Unit.id)
        .where(Assignment.state == "open", Unit.id.in_(sorted(unit_ids)))
        .group_by(Unit.id, Unit.code)
        .order_by(Unit.code)
    )
    if visible is not None:
        stmt = stmt.where(visible)
    rows = session.execute(stmt).all()
    return [Count(r[0], r[1], int(r[2]), int(r[3] or 0)) for r in rows]


def counts_by_person(
    session: Session,
    unit_ids: Collection[int],
    today: dt.date,
    *,
    visible: ColumnElement[bool] | None = None,
) -> list[Count]:
    """Open and overdue counts per person for the open work of `unit_ids` given to a person."""
    late = func.sum(case((Assignment.due_date < today, 1), else_=0))
    stmt = (
        select(Person.id, Person.name, func.count(Assignment.id), late)
        .join(Assignment, Assignment.person_id == Person.id)
        .where(Assignment.state == "open", Assignment.unit_id.in_(sorted(unit_ids)))
        .group_by(Person.id, Person.name)
        .order_by(Person.name, Person.id)
    )
    if visible is not None:
        stmt = stmt.where(visible)
    rows = session.execute(stmt).all()
    return [Count(r[0], r[1], int(r[2]), int(r[3] or 0)) for r in rows]


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def snapshot(a: Assignment) -> dict[str, Any]:
    """What the audit log keeps of an assignment, before and after a change."""
    return {
        "document": a.document.external_id if a.document else None,
        "stage": a.stage,
        "work_kind": a.work_kind.code if a.work_kind else None,
        "unit": a.unit.code if a.unit else None,
        "person_id": a.person_id,
        "title": a.title,
        "description": a.description,
        "due_date": a.due_date.isoformat(),
        "state": a.state,
        "close_note": a.close_note,
    }


def _require_writer(actor: Actor) -> None:
    if not actor.has_role(*WRITE_ROLES):
        raise PermissionDenied("only heads and administrators assign work", {"role": "missing"})


def _find_document(session: Session, external_id: str) -> Document:
    doc = None
    if 0 < len(external_id) <= 255:
        doc = session.scalar(select(Document).where(Document.external_id == external_id))
    if doc is None:
        raise ValidationError("no such document", {"document": "unknown"})
    if doc.origin != "draft":
        raise ValidationError("work is assigned on drafts only", {"document": "not a draft"})
    return doc


def _find_unit(session: Session, code: str, today: dt.date) -> Unit:
    unit = None
    if 0 < len(code) <= 40:
        unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise ValidationError("no such unit", {"unit": "unknown"})
    if not unit.active_on(today):
        raise ValidationError("the unit is closed", {"unit": "closed"})
    return unit


def _find_work_kind(session: Session, code: str) -> WorkKind:
    kind = None
    if 0 < len(code) <= 40:
        kind = session.scalar(select(WorkKind).where(WorkKind.code == code))
    if kind is None:
        raise ValidationError("no such kind of work", {"work_kind": "unknown"})
    return kind


def _find_person(session: Session, person_id: int | None, unit: Unit) -> Person | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id) if 0 < person_id <= MAX_ID else None
    if person is None or not person.active:
        raise ValidationError("no such person", {"person": "unknown"})
    if person.unit_id != unit.id:
        raise ValidationError(
            f"the person is not in unit {unit.code}", {"person": f"not in unit {unit.code}"}
        )
    return person


def _check_stage(doc: Document, stage: str, kind: WorkKind) -> None:
    stages = stages_for(doc)
    if stage not in stages:
        raise ValidationError(
            f"{stage[:40]} is not a stage of this draft's procedure",
            {"stage": "not a stage of this draft's procedure"},
        )
    if kind.stages and stage not in kind.stages:
        raise ValidationError(
            f"{kind.code} is work for the stages {', '.join(kind.stages)}",
            {"work_kind": f"not work for stage {stage}"},
        )


def _years_ahead(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_due(doc: Document, due: dt.date, today: dt.date) -> None:
    created = clock.local_date(doc.created_at) if doc.created_at else None
    if created is not None and due < created:
        raise ValidationError(
            "the due date is before the draft was created", {"due_date": "before the draft"}
        )
    if due > _years_ahead(today, MAX_YEARS_AHEAD):
        raise ValidationError(
            f"the due date is more than {MAX_YEARS_AHEAD} years ahead",
            {"due_date": f"more than {MAX_YEARS_AHEAD} years ahead"},
        )


def _clean_text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"{field} is required", {field: "required"})
    if len(value) > limit:
        raise ValidationError(f"{field} is too long", {field: f"at most {limit} characters"})
    return value


def assign(
    session: Session,
    actor: Actor,
    *,
    document: str,
    stage: str,
    work_kind: str,
    unit: str,
    due_date: dt.date,
    title: str = "",
    description: str = "",
    person_id: int | None = None,
    today: dt.date | None = None,
) -> Assignment:
    """A head (or an administrator) asks a unit, or a person in it, for work on a draft.

    `document` is the draft's external id, `work_kind` and `unit` are codes. The title defaults
    to the kind of work's name.
    """
    today = today or clock.today()
    _require_writer(actor)
    doc = _find_document(session, document)
    kind = _find_work_kind(session, work_kind)
    _check_stage(doc, stage, kind)
    target = _find_unit(session, unit, today)
    person = _find_person(session, person_id, target)
    _check_due(doc, due_date, today)
    title = _clean_text(title, "title", MAX_TITLE) or kind.name
    description = _clean_text(description, "description", MAX_TEXT)
    if not may_assign_to(session, actor, target.id):
        raise PermissionDenied(
            f"{target.code} is not your unit or under it", {"unit": "outside your units"}
        )
    row = Assignment(
        document=doc,
        stage=stage,
        work_kind=kind,
        unit=target,
        person=person,
        title=title[:MAX_TITLE],
        description=description,
        due_date=due_date,
        state="open",
        close_note="",
        assigned_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="assign",
        entity=ENTITY,
        entity_id=row.id,
        summary=f"{kind.code} on {doc.external_id} at {stage} to {target.code}",
        after=snapshot(row),
    )
    return row


def _open_or_conflict(a: Assignment) -> None:
    if a.state != "open":
        raise Conflict(f"the assignment is {a.state}", {"state": a.state})


def update(
    session: Session,
    actor: Actor,
    assignment_id: int,
    *,
    due_date: dt.date | None = UNSET,
    person_id: int | None = UNSET,
    unit: str = UNSET,
    title: str = UNSET,
    description: str = UNSET,
    today: dt.date | None = None,
) -> Assignment:
    """Change the due date, reassign to another person or unit, or reword the task.

    A new unit must be within the actor's reach; a person must be in the (new) unit, and
    moving to another unit without naming a person drops the person.
    """
    today = today or clock.today()
    a = get_assignment(session, assignment_id)
    if not may_manage(session, actor, a):
        raise PermissionDenied(
            "only the assigning head, heads above and administrators change it",
            {"id": "forbidden"},
        )
    _open_or_conflict(a)
    before = snapshot(a)
    target = a.unit
    if unit is not UNSET and unit != a.unit.code:
        target = _find_unit(session, unit or "", today)
        if not may_assign_to(session, actor, target.id):
            raise PermissionDenied(
                f"{target.code} is not your unit or under it", {"unit": "outside your units"}
            )
        if person_id is UNSET:
            person_id = None
    if person_id is not UNSET:
        a.person = _find_person(session, person_id, target)
    elif a.person is not None and a.person.unit_id != target.id:
        a.person = None
    a.unit = target
    if due_date is not UNSET:
        if due_date is None:
            raise ValidationError("a due date is required", {"due_date": "required"})
        _check_due(a.document, due_date, today)
        a.due_date = due_date
    if title is not UNSET:
        a.title = _clean_text(title, "title", MAX_TITLE, required=True)
    if description is not UNSET:
        a.description = _clean_text(description, "description", MAX_TEXT)
    after = snapshot(a)
    if after == before:
        return a
    session.flush()
    changed = sorted(k for k in after if after[k] != before[k])
    record(
        session,
        actor=actor,
        action="update",
        entity=ENTITY,
        entity_id=a.id,
        summary="changed " + ", ".join(changed),
        before=before,
        after=after,
    )
    return a


def _close(session: Session, actor: Actor, a: Assignment, state: str, note: str) -> Assignment:
    _open_or_conflict(a)
    before = snapshot(a)
    a.state = state
    a.close_note = _clean_text(note, "note", MAX_TEXT)
    a.closed_at = utcnow()
    a.closed_by_id = actor.id
    session.flush()
    record(
        session,
        actor=actor,
        action="complete" if state == "done" else "cancel",
        entity=ENTITY,
        entity_id=a.id,
        summary=f"{state}: {a.title}",
        before=before,
        after=snapshot(a),
    )
    return a


def complete(session: Session, actor: Actor, assignment_id: int, note: str = "") -> Assignment:
    """Mark the work done: the assignee person, the heads who may change it, administrators."""
    a = get_assignment(session, assignment_id)
    if not may_complete(session, actor, a):
        raise PermissionDenied(
            "only the assignee, the assigning head, heads above and administrators mark it done",
            {"id": "forbidden"},
        )
    return _close(session, actor, a, "done", note)


def cancel(session: Session, actor: Actor, assignment_id: int, note: str = "") -> Assignment:
    """Withdraw the task: the assigning head, heads above and administrators."""
    a = get_assignment(session, assignment_id)
    if not may_manage(session, actor, a):
        raise PermissionDenied(
            "only the assigning head, heads above and administrators cancel it",
            {"id": "forbidden"},
        )
    return _close(session, actor, a, "cancelled", note)


# --------------------------------------------------------------------------
# Choices for forms
# --------------------------------------------------------------------------


def assignable_units(session: Session, actor: Actor, today: dt.date) -> list[Unit]:
    """Open units the actor may assign to, by code."""
    reach = head_reach(session, actor)
    stmt = select(Unit).order_by(Unit.code)
    if reach is not None:
        stmt = stmt.where(Unit.id.in_(sorted(reach)))
    return [u for u in session.scalars(stmt) if u.active_on(today)]


def people_in(session: Session, unit_ids: Sequence[int]) -> list[Person]:
    """Active people of the given units, by name."""
    return list(
        session.scalars(
            select(Person)
            .where(Person.active, Person.unit_id.in_(list(unit_ids)))
            .options(selectinload(Person.unit))
            .order_by(Person.name, Person.id)
        )
    )


def work_kinds(session: Session) -> list[WorkKind]:
    return list(session.scalars(select(WorkKind).order_by(WorkKind.code)))
