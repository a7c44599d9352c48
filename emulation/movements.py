"""Emulation movements: launching, changing, closing and reviewing them, and the pledges their
participants file.

Who may do what (the same rules hold in the API and on the pages):

- read movements, the criteria catalogue and the titles: everyone in the Office (admin,
  officer, council, head, staff). Deputies may not: emulation is the Office's internal affair.
- launch, change (while open), close (open → closed) and review (closed → reviewed):
  officers, the council and administrators (`emulation.access.RUN_ROLES`).
- file a pledge, while the movement is open: a staff member or head for themselves when they
  take part (listed by name, or through their unit or a unit above it); a head for their own
  unit when it takes part; officers and administrators for any participant.
- withdraw a pledge, while the movement is open: whoever filed it, officers, administrators.

A unit listed as participant brings the units under it and their people along. The same
participant listed twice is refused (not silently merged), so a typing mistake is seen.

Services take a session and plain values, flush, audit each change in the same transaction
and never commit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from emulation import criteria as formulas
from emulation.access import RUN_ROLES
from emulation.models import (
    MOVEMENT_KINDS,
    MOVEMENT_STATES,
    Criterion,
    Movement,
    MovementParticipant,
    Pledge,
    Title,
)
from emulation.scorecard import CriterionDef, check_definitions
from lis import clock
from lis.audit.services import record
from lis.db import utcnow
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.models import Person
from lis.people.queries import person_of_user, unit_and_descendants
from lis.reference.models import Unit

ENTITY = "movement"
PLEDGE_ENTITY = "pledge"
MAX_NAME = 300
MAX_SLOGAN = 300
MAX_TEXT = 5000
MAX_NOTE = 2000
MAX_CODE = 40
MAX_PARTICIPANTS = 500  # units, and people, each
MAX_CRITERIA = 20
MAX_WEIGHT = 1000.0
MAX_ID = 2**31 - 1
FIRST_YEAR, LAST_YEAR = 1990, 2100
# Everyone in the Office reads movements; deputies do not.
READ_ROLES = ("admin", "officer", "council", "head", "staff")
# Who may file pledges at all (each within the rules above).
PLEDGE_ROLES = ("admin", "officer", "head", "staff")
# Who files and withdraws pledges for anyone taking part.
FILE_FOR_ANYONE = ("admin", "officer")
TITLE_SUBJECT = {"person": "individual", "unit": "collective"}
STATES = MOVEMENT_STATES


class Actor(Protocol):
    id: int
    email: str

    def has_role(self, *roles: str) -> bool: ...


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class CriterionChoice:
    """A criterion of the catalogue as a movement wants it: a weight and parameters of its
    own, or the catalogue's where None."""

    code: str
    weight: float | None = None
    params: Mapping[str, Any] | None = None


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def catalogue(session: Session) -> list[Criterion]:
    """The criteria catalogue, in the order it was declared."""
    return list(session.scalars(select(Criterion).order_by(Criterion.id)))


def reads_of(formula: str) -> str:
    """Which ledger facts a formula reads, in words (empty for a formula no longer known)."""
    try:
        return formulas.get(formula).reads
    except formulas.FormulaError:
        return ""


def titles(session: Session) -> list[Title]:
    return list(session.scalars(select(Title).order_by(Title.id)))


def _loaded() -> Select[tuple[Movement]]:
    return select(Movement).options(
        selectinload(Movement.launching_unit),
        selectinload(Movement.created_by),
        selectinload(Movement.participants).selectinload(MovementParticipant.unit),
        selectinload(Movement.participants).selectinload(MovementParticipant.person),
    )


def list_movements(session: Session, *, state: str | None = None) -> Select[tuple[Movement]]:
    """Movements, the latest period first."""
    stmt = _loaded().order_by(Movement.start_date.desc(), Movement.id.desc())
    if state:
        stmt = stmt.where(Movement.state == state)
    return stmt


def get_movement(session: Session, movement_id: int) -> Movement:
    found = None
    if 0 < movement_id <= MAX_ID:  # larger ids cannot exist and overflow the driver
        found = session.scalar(_loaded().where(Movement.id == movement_id))
    if found is None:
        raise NotFound(f"no movement {movement_id}", {"id": "unknown"})
    return found


def pledges_of(session: Session, movement_id: int) -> list[Pledge]:
    """A movement's pledges, filed ones first, each group in the order filed."""
    rows = session.scalars(
        select(Pledge)
        .where(Pledge.movement_id == movement_id)
        .options(selectinload(Pledge.person), selectinload(Pledge.unit))
        .order_by(Pledge.id)
    )
    return sorted(rows, key=lambda p: p.state != "filed")


def get_pledge(session: Session, pledge_id: int) -> Pledge:
    found = session.get(Pledge, pledge_id) if 0 < pledge_id <= MAX_ID else None
    if found is None:
        raise NotFound(f"no pledge {pledge_id}", {"id": "unknown"})
    return found


def participant_units(movement: Movement) -> list[Unit]:
    return sorted((p.unit for p in movement.participants if p.unit), key=lambda u: u.code)


def participant_people(movement: Movement) -> list[Person]:
    return sorted(
        (p.person for p in movement.participants if p.person), key=lambda p: (p.name, p.id)
    )


# --------------------------------------------------------------------------
# Who takes part, who may do what
# --------------------------------------------------------------------------


def _ancestors(session: Session, unit_id: int) -> set[int]:
    """A unit's id and those of every unit above it."""
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    out: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in out:
        out.add(current)
        current = parents.get(current)
    return out


def unit_takes_part(session: Session, movement: Movement, unit_id: int) -> bool:
    """Listed, or under a listed unit."""
    listed = {p.unit_id for p in movement.participants if p.unit_id is not None}
    return bool(listed & _ancestors(session, unit_id))


def person_takes_part(session: Session, movement: Movement, person: Person) -> bool:
    """Listed by name, or in a unit that takes part."""
    if any(p.person_id == person.id for p in movement.participants):
        return True
    return unit_takes_part(session, movement, person.unit_id)


def may_run(actor: Actor) -> bool:
    return actor.has_role(*RUN_ROLES)


def _require_runner(actor: Actor) -> None:
    if not may_run(actor):
        raise PermissionDenied(
            "only officers, the council and administrators run movements", {"role": "missing"}
        )


def may_withdraw(actor: Actor, pledge: Pledge) -> bool:
    return pledge.filed_by_id == actor.id or actor.has_role(*FILE_FOR_ANYONE)


@dataclass(frozen=True)
class Subject:
    """Someone a pledge may be filed for: `key` is "person:<id>" or "unit:<code>"."""

    kind: str  # person | unit
    key: str
    label: str


def subjects_for(session: Session, actor: Actor, movement: Movement) -> list[Subject]:
    """Whom `actor` may file a pledge for in this movement (nobody once it is not open)."""
    if movement.state != "open" or not actor.has_role(*PLEDGE_ROLES):
        return []
    out: list[Subject] = []
    if actor.has_role(*FILE_FOR_ANYONE):
        units: set[int] = set()
        for p in movement.participants:
            if p.unit_id is not None:
                units |= unit_and_descendants(session, p.unit_id)
        for unit in session.scalars(select(Unit).where(Unit.id.in_(sorted(units)))):
            if unit.active_on(clock.today()):
                out.append(Subject("unit", f"unit:{unit.code}", f"{unit.code} — {unit.name}"))
        people = {p.person_id for p in movement.participants if p.person_id is not None}
        stmt = select(Person).where(Person.active).options(selectinload(Person.unit))
        for person in session.scalars(stmt.where(Person.unit_id.in_(sorted(units)))):
            people.add(person.id)
        for person in session.scalars(stmt.where(Person.id.in_(sorted(people)))):
            out.append(
                Subject("person", f"person:{person.id}", f"{person.name} ({person.unit.code})")
            )
        return sorted(out, key=lambda s: (s.kind != "person", s.label))
    own = person_of_user(session, actor.id)
    if own is None:
        return []
    if person_takes_part(session, movement, own):
        out.append(Subject("person", f"person:{own.id}", f"{own.name} ({own.unit.code})"))
    if actor.has_role("head") and unit_takes_part(session, movement, own.unit_id):
        out.append(Subject("unit", f"unit:{own.unit.code}", f"{own.unit.code} — {own.unit.name}"))
    return out


# --------------------------------------------------------------------------
# Checking input
# --------------------------------------------------------------------------


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"{field} is required", {field: "required"})
    if len(value) > limit:
        raise ValidationError(f"{field} is too long", {field: f"at most {limit} characters"})
    if "\x00" in value:
        raise ValidationError(f"{field} holds a NUL character", {field: "invalid characters"})
    return value


def _unit(session: Session, code: str | None, field: str, today: dt.date) -> Unit:
    code = (code or "").strip()
    unit = None
    if 0 < len(code) <= MAX_CODE:
        unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise ValidationError(f"no unit {code[:MAX_CODE]!r}", {field: f"unknown unit {code[:40]}"})
    if not unit.active_on(today):
        raise ValidationError(f"unit {unit.code} is closed", {field: f"{unit.code} is closed"})
    return unit


def _kind(kind: str) -> str:
    if kind not in MOVEMENT_KINDS:
        raise ValidationError(
            "the kind is regular or thematic", {"kind": f"one of {', '.join(MOVEMENT_KINDS)}"}
        )
    return kind


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    for field, day in (("start_date", start), ("end_date", end)):
        if day is None:
            raise ValidationError(f"{field} is required", {field: "required"})
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError(
                f"{field} is out of range", {field: f"a year from {FIRST_YEAR} to {LAST_YEAR}"}
            )
    assert start is not None and end is not None
    if end < start:
        raise ValidationError("the period ends before it starts", {"end_date": "before the start"})
    return start, end


def _participants(
    session: Session, units: Sequence[str], people: Sequence[int], today: dt.date
) -> tuple[list[Unit], list[Person]]:
    """The listed units (open ones) and people (active ones); at least one of either; each
    once."""
    if len(units) > MAX_PARTICIPANTS or len(people) > MAX_PARTICIPANTS:
        raise ValidationError(
            "too many participants", {"participants": f"at most {MAX_PARTICIPANTS} of each"}
        )
    if not units and not people:
        raise ValidationError(
            "a movement needs participants", {"participants": "list at least one unit or person"}
        )
    found_units: list[Unit] = []
    for code in units:
        unit = _unit(session, code, "participants.units", today)
        if unit in found_units:
            raise ValidationError(
                f"unit {unit.code} is listed twice",
                {"participants.units": f"{unit.code} is listed twice"},
            )
        found_units.append(unit)
    found_people: list[Person] = []
    for person_id in people:
        person = None
        if isinstance(person_id, int) and 0 < person_id <= MAX_ID:
            person = session.get(Person, person_id)
        if person is None or not person.active:
            raise ValidationError(
                f"no active person {person_id}",
                {"participants.people": f"no active person {person_id}"},
            )
        if person in found_people:
            raise ValidationError(
                f"person {person_id} is listed twice",
                {"participants.people": f"person {person_id} is listed twice"},
            )
        found_people.append(person)
    return found_units, found_people


def _merge_params(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """The catalogue's parameters with a movement's own on top; a mapping parameter (such as
    the kind weights) is merged key by key, so changing one kind keeps the others."""
    out = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in base.items()}
    for name, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(name), Mapping):
            out[name] = {**out[name], **value}
        else:
            out[name] = value
    return out


def criteria_for(
    session: Session, choices: Sequence[CriterionChoice] | None
) -> list[dict[str, Any]]:
    """The criteria a movement keeps: copied from the catalogue (the default set when
    `choices` is None), with the movement's weights and parameters, checked as a set."""
    rows = {row.code: row for row in catalogue(session)}
    if choices is None:
        choices = [CriterionChoice(row.code) for row in rows.values() if row.default]
    if len(choices) > MAX_CRITERIA:
        raise ValidationError("too many criteria", {"criteria": f"at most {MAX_CRITERIA}"})
    defs: list[CriterionDef] = []
    for choice in choices:
        row = rows.get(choice.code)
        if row is None:
            known = ", ".join(rows)
            raise ValidationError(
                f"unknown criterion {choice.code[:MAX_CODE]!r} (known: {known})",
                {"criteria": f"unknown criterion {choice.code[:MAX_CODE]}"},
            )
        weight = row.weight if choice.weight is None else choice.weight
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ValidationError("a weight is a number", {f"criteria.{row.code}.weight": "NaN"})
        if not (math.isfinite(weight) and 0 <= weight <= MAX_WEIGHT):
            raise ValidationError(
                f"{row.code}: the weight must be from 0 to {MAX_WEIGHT:g}",
                {f"criteria.{row.code}.weight": f"from 0 to {MAX_WEIGHT:g}"},
            )
        params = _merge_params(row.params or {}, choice.params or {})
        try:
            formulas.resolve_params(row.formula, params)
        except formulas.FormulaError as exc:
            raise ValidationError(
                f"{row.code}: {exc}", {f"criteria.{row.code}.{exc.field}": str(exc)}
            ) from None
        defs.append(CriterionDef(row.code, row.formula, float(weight), params))
    try:
        check_definitions(defs)
    except formulas.FormulaError as exc:
        raise ValidationError(str(exc), {exc.field: str(exc)}) from None
    return [d.as_dict() for d in defs]


# --------------------------------------------------------------------------
# Movements
# --------------------------------------------------------------------------


def snapshot(m: Movement) -> dict[str, Any]:
    """What the audit log keeps of a movement, before and after a change."""
    return {
        "name": m.name,
        "theme": m.theme,
        "slogan": m.slogan,
        "launching_unit": m.launching_unit.code if m.launching_unit else None,
        "kind": m.kind,
        "start_date": m.start_date.isoformat(),
        "end_date": m.end_date.isoformat(),
        "state": m.state,
        "criteria": [dict(c) for c in m.criteria],
        "participants": {
            "units": [u.code for u in participant_units(m)],
            "people": sorted(p.person_id for p in m.participants if p.person_id is not None),
        },
        "review_note": m.review_note,
    }


def _set_participants(m: Movement, units: Iterable[Unit], people: Iterable[Person]) -> None:
    """Keep the rows of participants still listed (their ids stay), drop and add the rest."""
    wanted = {("unit", u.id) for u in units} | {("person", p.id) for p in people}
    kept = []
    for row in m.participants:
        key = ("unit", row.unit_id) if row.unit_id is not None else ("person", row.person_id)
        if key in wanted:
            kept.append(row)
            wanted.discard(key)  # type: ignore[arg-type]
    m.participants = kept
    for unit in units:
        if ("unit", unit.id) in wanted:
            m.participants.append(MovementParticipant(unit=unit))
    for person in people:
        if ("person", person.id) in wanted:
            m.participants.append(MovementParticipant(person=person))


def launch(
    session: Session,
    actor: Actor,
    *,
    name: str,
    launching_unit: str,
    start_date: dt.date | None,
    end_date: dt.date | None,
    units: Sequence[str] = (),
    people: Sequence[int] = (),
    kind: str = "regular",
    theme: str = "",
    slogan: str = "",
    criteria: Sequence[CriterionChoice] | None = None,
    today: dt.date | None = None,
) -> Movement:
    """Launch a movement: open from now, with its criteria copied from the catalogue."""
    today = today or clock.today()
    _require_runner(actor)
    name = _text(name, "name", MAX_NAME, required=True)
    theme = _text(theme, "theme", MAX_TEXT)
    slogan = _text(slogan, "slogan", MAX_SLOGAN)
    unit = _unit(session, launching_unit, "launching_unit", today)
    kind = _kind(kind)
    start_date, end_date = _period(start_date, end_date)
    found_units, found_people = _participants(session, units, people, today)
    chosen = criteria_for(session, criteria)
    m = Movement(
        name=name,
        theme=theme,
        slogan=slogan,
        launching_unit=unit,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        state="open",
        criteria=chosen,
        review_note="",
        created_by_id=actor.id,
    )
    _set_participants(m, found_units, found_people)
    session.add(m)
    session.flush()
    record(
        session,
        actor=actor,
        action="movement.launch",
        entity=ENTITY,
        entity_id=m.id,
        summary=f"launched {m.name[:200]}",
        after=snapshot(m),
    )
    return m


def _require_state(m: Movement, state: str, doing: str) -> None:
    if m.state != state:
        raise Conflict(
            f"the movement is {m.state}; only a movement that is {state} can be {doing}",
            {"state": f"is {m.state}, must be {state}"},
        )


def _pledgers_kept(session: Session, m: Movement) -> None:
    """Refuse to drop a participant whose pledge stands: withdraw it first."""
    for pledge in session.scalars(
        select(Pledge).where(Pledge.movement_id == m.id, Pledge.state == "filed")
    ):
        if pledge.person is not None and not person_takes_part(session, m, pledge.person):
            who, field = f"person {pledge.person_id}", "participants.people"
        elif pledge.unit_id is not None and not unit_takes_part(session, m, pledge.unit_id):
            who, field = f"unit {pledge.unit.code}", "participants.units"
        else:
            continue
        raise ValidationError(
            f"{who} has a pledge filed: withdraw it before removing them",
            {field: f"{who} has a pledge filed"},
        )


def update(
    session: Session,
    actor: Actor,
    movement_id: int,
    *,
    name: str = UNSET,
    theme: str = UNSET,
    slogan: str = UNSET,
    start_date: dt.date = UNSET,
    end_date: dt.date = UNSET,
    units: Sequence[str] = UNSET,
    people: Sequence[int] = UNSET,
    criteria: Sequence[CriterionChoice] = UNSET,
    today: dt.date | None = None,
) -> Movement:
    """Change an open movement; only what is passed changes. Passing `units` or `people`
    replaces that list of participants (the other stays)."""
    today = today or clock.today()
    _require_runner(actor)
    m = get_movement(session, movement_id)
    _require_state(m, "open", "changed")
    before = snapshot(m)
    if name is not UNSET:
        m.name = _text(name, "name", MAX_NAME, required=True)
    if theme is not UNSET:
        m.theme = _text(theme, "theme", MAX_TEXT)
    if slogan is not UNSET:
        m.slogan = _text(slogan, "slogan", MAX_SLOGAN)
    if start_date is not UNSET or end_date is not UNSET:
        m.start_date, m.end_date = _period(
            m.start_date if start_date is UNSET else start_date,
            m.end_date if end_date is UNSET else end_date,
        )
    if units is not UNSET or people is not UNSET:
        current_units = [u.code for u in participant_units(m)]
        current_people = [p.id for p in participant_people(m)]
        found_units, found_people = _participants(
            session,
            current_units if units is UNSET else units,
            current_people if people is UNSET else people,
            today,
        )
        _set_participants(m, found_units, found_people)
        session.flush()
        _pledgers_kept(session, m)
    if criteria is not UNSET:
        m.criteria = criteria_for(session, criteria)
    after = snapshot(m)
    if after == before:
        return m
    session.flush()
    changed = sorted(k for k in after if after[k] != before[k])
    record(
        session,
        actor=actor,
        action="movement.update",
        entity=ENTITY,
        entity_id=m.id,
        summary="changed " + ", ".join(changed),
        before=before,
        after=after,
    )
    return m


def close(session: Session, actor: Actor, movement_id: int) -> Movement:
    """End an open movement: no more changes or pledges; it waits for its review."""
    _require_runner(actor)
    m = get_movement(session, movement_id)
    _require_state(m, "open", "closed")
    before = snapshot(m)
    m.state = "closed"
    m.closed_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="movement.close",
        entity=ENTITY,
        entity_id=m.id,
        summary=f"closed {m.name[:200]}",
        before=before,
        after=snapshot(m),
    )
    return m


def review(session: Session, actor: Actor, movement_id: int, note: str) -> Movement:
    """Record the review (sơ kết, tổng kết) of a closed movement, with its note."""
    _require_runner(actor)
    m = get_movement(session, movement_id)
    note = _text(note, "note", MAX_TEXT, required=True)
    _require_state(m, "closed", "reviewed")
    before = snapshot(m)
    m.state = "reviewed"
    m.review_note = note
    m.reviewed_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="movement.review",
        entity=ENTITY,
        entity_id=m.id,
        summary=f"reviewed {m.name[:200]}",
        before=before,
        after=snapshot(m),
    )
    return m


# --------------------------------------------------------------------------
# Pledges
# --------------------------------------------------------------------------


def pledge_snapshot(p: Pledge) -> dict[str, Any]:
    return {
        "movement_id": p.movement_id,
        "person_id": p.person_id,
        "unit": p.unit.code if p.unit else None,
        "title": p.title_code,
        "note": p.note,
        "state": p.state,
    }


def _title(session: Session, code: str) -> Title:
    title = None
    if 0 < len(code or "") <= MAX_CODE:
        title = session.scalar(select(Title).where(Title.code == code))
    if title is None:
        raise ValidationError(f"no title {code[:MAX_CODE]!r}", {"title": "unknown title"})
    return title


def _subject_person(session: Session, actor: Actor, person_id: int | None) -> Person:
    own = person_of_user(session, actor.id)
    if person_id is None:
        if own is None:
            raise ValidationError(
                "you have no person record: name the person or unit",
                {"person": "required"},
            )
        return own
    person = session.get(Person, person_id) if 0 < person_id <= MAX_ID else None
    if person is None or not person.active:
        raise ValidationError(f"no active person {person_id}", {"person": "unknown"})
    is_self = own is not None and own.id == person.id and actor.has_role("staff", "head")
    if not (is_self or actor.has_role(*FILE_FOR_ANYONE)):
        raise PermissionDenied("you may file a pledge only for yourself", {"person": "not you"})
    return person


def _subject_unit(session: Session, actor: Actor, code: str) -> Unit:
    unit = _unit(session, code, "unit", clock.today())
    if not actor.has_role(*FILE_FOR_ANYONE):
        own = person_of_user(session, actor.id)
        if not actor.has_role("head") or own is None or own.unit_id != unit.id:
            raise PermissionDenied(
                "only the unit's head files a pledge for it", {"unit": "not your unit"}
            )
    return unit


def file_pledge(
    session: Session,
    actor: Actor,
    movement_id: int,
    *,
    title: str,
    person_id: int | None = None,
    unit: str | None = None,
    note: str = "",
) -> Pledge:
    """File a pledge for a title: for a person (the actor's own when neither a person nor a
    unit is named) or for a unit. Individual titles are for people, collective ones for
    units; the subject must take part; one standing pledge per subject and title."""
    if not actor.has_role(*PLEDGE_ROLES):
        raise PermissionDenied(
            "only staff, heads, officers and administrators file pledges", {"role": "missing"}
        )
    m = get_movement(session, movement_id)
    _require_state(m, "open", "pledged to")
    if person_id is not None and unit:
        raise ValidationError(
            "a pledge is for a person or a unit, not both", {"unit": "give a person or a unit"}
        )
    found = _title(session, title)
    note = _text(note, "note", MAX_NOTE)
    kind = "unit" if unit else "person"
    if found.subject != TITLE_SUBJECT[kind]:
        raise ValidationError(
            f"{found.code} is a title for {found.subject} subjects, not for a {kind}",
            {"title": f"{found.subject} title, not for a {kind}"},
        )
    same = select(func.count()).where(
        Pledge.movement_id == m.id, Pledge.title_code == found.code, Pledge.state == "filed"
    )
    target: Unit | None = None
    person: Person | None = None
    if unit:
        target = _subject_unit(session, actor, unit)
        if not unit_takes_part(session, m, target.id):
            raise ValidationError(
                f"{target.code} does not take part in this movement",
                {"unit": "not a participant"},
            )
        same = same.where(Pledge.unit_id == target.id)
    else:
        person = _subject_person(session, actor, person_id)
        if not person_takes_part(session, m, person):
            raise ValidationError(
                f"{person.name} does not take part in this movement",
                {"person": "not a participant"},
            )
        same = same.where(Pledge.person_id == person.id)
    if session.scalar(same):
        raise Conflict(
            f"a pledge for {found.code} is already filed for this subject",
            {"title": "already pledged"},
        )
    pledge = Pledge(
        movement=m,
        unit=target,
        person=person,
        title_code=found.code,
        note=note,
        state="filed",
        filed_by_id=actor.id,
    )
    session.add(pledge)
    session.flush()
    record(
        session,
        actor=actor,
        action="pledge.file",
        entity=PLEDGE_ENTITY,
        entity_id=pledge.id,
        summary=f"{found.code} in movement {m.id}",
        after=pledge_snapshot(pledge),
    )
    return pledge


def withdraw_pledge(session: Session, actor: Actor, pledge_id: int) -> Pledge:
    """Withdraw a standing pledge while its movement is open (who filed it, officers,
    administrators)."""
    pledge = get_pledge(session, pledge_id)
    if not may_withdraw(actor, pledge):
        raise PermissionDenied(
            "only who filed the pledge, officers and administrators withdraw it",
            {"id": "forbidden"},
        )
    _require_state(pledge.movement, "open", "changed")
    if pledge.state != "filed":
        raise Conflict(f"the pledge is {pledge.state}", {"state": pledge.state})
    before = pledge_snapshot(pledge)
    pledge.state = "withdrawn"
    session.flush()
    record(
        session,
        actor=actor,
        action="pledge.withdraw",
        entity=PLEDGE_ENTITY,
        entity_id=pledge.id,
        summary=f"{pledge.title_code} in movement {pledge.movement_id}",
        before=before,
        after=pledge_snapshot(pledge),
    )
    return pledge
