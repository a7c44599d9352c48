"""Administering units: create, change, close and (only when nothing points at it) delete.

Units are never deleted once anything refers to them: a unit closed in a restructuring keeps its
row, with `valid_to` and its successor, so older drafts still show who verified them. Closing is
refused while active people or open sub-units remain, so no live record hangs under a closed unit.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lis import clock
from lis.audit import services as audit
from lis.errors import Conflict, ValidationError
from lis.people.models import Person
from lis.reference.models import UNIT_KINDS, Unit

# Problems named in errors' `fields`; the web pages translate them (lis.people.views).
REQUIRED = "required"
TOO_LONG = "too long"
BAD_CODE = "use capitals, digits and dashes, e.g. UB-PLTP-V"
CODE_USED = "already used by another unit"
UNKNOWN_KIND = "unknown kind of unit"
UNKNOWN_UNIT = "no unit with this code"
CLOSED_UNIT = "this unit is closed"
CYCLE = "a unit cannot sit under itself or one of its sub-units"
ROOT_ONLY = "only the Assembly has no parent"
ALREADY_CLOSED = "this unit is already closed"
BEFORE_OPENING = "must not be before the day the unit opened"
SELF_SUCCESSOR = "a unit cannot replace itself"
HAS_PEOPLE = "has active people: move or deactivate them first"
HAS_CHILDREN = "has open sub-units: close or move them first"
REFERENCED = "referred to elsewhere: close it instead"
KEPT_CLOSED = "a closed unit is kept for the record"

UNIT_CODE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
MAX_CODE = 40
MAX_NAME = 300
EDITABLE = ("name", "name_en", "aliases_en", "kind", "parent", "field", "note")


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    """What the audit log keeps of a unit, before and after a change."""
    return {
        "code": unit.code,
        "name": unit.name,
        "name_en": unit.name_en,
        "aliases_en": list(unit.aliases_en or []),
        "kind": unit.kind,
        "parent": unit.parent.code if unit.parent else None,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "replaced_by": unit.replaced_by.code if unit.replaced_by else None,
        "field": unit.field,
        "note": unit.note,
    }


def find_unit(session: Session, code: str) -> Unit | None:
    code = (code or "").strip().upper()
    if not code or len(code) > MAX_CODE:
        return None
    return session.scalar(select(Unit).where(Unit.code == code))


def is_open(unit: Unit, day: dt.date | None = None) -> bool:
    return unit.valid_to is None or (day or clock.today()) < unit.valid_to


def descendant_ids(session: Session, unit_id: int) -> set[int]:
    """The ids of every unit below `unit_id` (not itself)."""
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    found: set[int] = set()
    frontier = {unit_id}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier and c not in found}
        found |= frontier
    return found


def _text(
    errors: dict[str, str], values: dict[str, Any], name: str, limit: int, required: bool
) -> None:
    if name not in values:
        return
    value = values[name]
    value = value.strip() if isinstance(value, str) else value
    if not value:
        if required:
            errors[name] = REQUIRED
        values[name] = None if not required else value
        return
    if len(value) > limit:
        errors[name] = TOO_LONG
    values[name] = value


def _check_parent(
    session: Session, errors: dict[str, str], unit: Unit | None, code: str | None, kind: str
) -> Unit | None:
    if not code:
        if kind != "assembly":
            errors["parent"] = ROOT_ONLY
        return None
    parent = find_unit(session, code)
    if parent is None:
        errors["parent"] = UNKNOWN_UNIT
    elif unit is not None and (
        parent.id == unit.id or parent.id in descendant_ids(session, unit.id)
    ):
        errors["parent"] = CYCLE
    elif not is_open(parent) and (unit is None or parent.id != unit.parent_id):
        errors["parent"] = CLOSED_UNIT  # staying under a parent closed since is fine
    return parent


def _clean(
    session: Session,
    unit: Unit | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Unit | None:
    """Validate the given fields in place; the parent they name (None for a root)."""
    errors = errors if errors is not None else {}
    _text(errors, values, "name", MAX_NAME, required=True)
    _text(errors, values, "name_en", MAX_NAME, required=True)
    _text(errors, values, "field", 5000, required=False)
    _text(errors, values, "note", 5000, required=False)
    if "aliases_en" in values:
        aliases = [a.strip() for a in values["aliases_en"] or [] if a and a.strip()]
        if any(len(a) > MAX_NAME for a in aliases):
            errors["aliases_en"] = TOO_LONG
        values["aliases_en"] = aliases
    kind = values.get("kind", unit.kind if unit else None)
    if kind not in UNIT_KINDS:
        errors["kind"] = UNKNOWN_KIND if kind else REQUIRED
    parent = unit.parent if unit else None
    if "parent" in values or unit is None:
        parent = _check_parent(session, errors, unit, values.get("parent"), kind or "")
    if errors:
        raise ValidationError("the unit is not valid: " + ", ".join(sorted(errors)), errors)
    return parent


def create_unit(
    session: Session,
    *,
    actor: Any,
    code: str,
    name: str,
    name_en: str,
    kind: str,
    parent: str | None = None,
    aliases_en: list[str] | None = None,
    valid_from: dt.date | None = None,
    field: str | None = None,
    note: str | None = None,
    source: str | None = None,
) -> Unit:
    """A new unit under an open parent; its code is its key for good (URLs and seeds use it)."""
    code = (code or "").strip().upper()
    values: dict[str, Any] = {
        "name": name,
        "name_en": name_en,
        "kind": kind,
        "parent": parent,
        "aliases_en": aliases_en or [],
        "field": field,
        "note": note,
    }
    errors = {} if UNIT_CODE.match(code) and len(code) <= MAX_CODE else {"code": BAD_CODE}
    parent_unit = _clean(session, None, values, errors)
    if find_unit(session, code) is not None:
        raise Conflict(f"a unit with code {code} already exists", {"code": CODE_USED})
    who = getattr(actor, "email", None) or audit.SYSTEM_ACTOR
    unit = Unit(
        code=code,
        name=values["name"],
        name_en=values["name_en"],
        aliases_en=values["aliases_en"],
        kind=values["kind"],
        parent=parent_unit,
        valid_from=valid_from,
        field=values["field"],
        note=values["note"],
        source=(source or f"entered by {who}")[:300],
        verified=True,
    )
    session.add(unit)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        entity="unit",
        entity_id=unit.code,
        summary=f"unit {unit.code} created",
        after=unit_snapshot(unit),
    )
    return unit


def update_unit(session: Session, unit: Unit, *, actor: Any, changes: dict[str, Any]) -> Unit:
    """Rename, move, re-kind or annotate a unit; only the fields in `changes` are touched."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError("these fields cannot be changed", dict.fromkeys(unknown, "read only"))
    values = dict(changes)
    parent = _clean(session, unit, values)
    before = unit_snapshot(unit)
    for name in ("name", "name_en", "aliases_en", "kind", "field", "note"):
        if name in values:
            setattr(unit, name, values[name])
    if "parent" in values:
        unit.parent = parent
    session.flush()
    after = unit_snapshot(unit)
    if after != before:
        audit.record(
            session,
            actor=actor,
            action="update",
            entity="unit",
            entity_id=unit.code,
            summary=f"unit {unit.code} changed: "
            + ", ".join(k for k in after if after[k] != before[k]),
            before=before,
            after=after,
        )
    return unit


def active_people_count(session: Session, unit_id: int) -> int:
    stmt = select(func.count()).where(Person.unit_id == unit_id, Person.active)
    return session.scalar(stmt) or 0


def close_unit(
    session: Session,
    unit: Unit,
    *,
    actor: Any,
    on: dt.date,
    replaced_by: str | None = None,
) -> Unit:
    """Close a unit from day `on` (its first day closed); the row stays for the record."""
    if unit.valid_to is not None:
        raise Conflict(f"unit {unit.code} is already closed", {"valid_to": ALREADY_CLOSED})
    errors: dict[str, str] = {}
    if unit.valid_from is not None and on < unit.valid_from:
        errors["valid_to"] = BEFORE_OPENING
    successor = None
    if replaced_by:
        successor = find_unit(session, replaced_by)
        if successor is None:
            errors["replaced_by"] = UNKNOWN_UNIT
        elif successor.id == unit.id:
            errors["replaced_by"] = SELF_SUCCESSOR
        elif successor.id in descendant_ids(session, unit.id):
            errors["replaced_by"] = CYCLE
        elif not is_open(successor, on):
            errors["replaced_by"] = CLOSED_UNIT
    if errors:
        raise ValidationError("the unit cannot be closed: " + ", ".join(sorted(errors)), errors)
    people = active_people_count(session, unit.id)
    children = list(
        session.scalars(select(Unit.code).where(Unit.parent_id == unit.id, Unit.valid_to.is_(None)))
    )
    if people or children:
        fields: dict[str, str] = {}
        reasons = []
        if people:
            fields["people"] = HAS_PEOPLE
            reasons.append(f"{people} active people")
        if children:
            fields["children"] = HAS_CHILDREN
            reasons.append("open sub-units " + ", ".join(sorted(children)))
        raise Conflict(f"unit {unit.code} still has " + " and ".join(reasons), fields)
    before = unit_snapshot(unit)
    unit.valid_to = on
    unit.replaced_by = successor
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="close",
        entity="unit",
        entity_id=unit.code,
        summary=f"unit {unit.code} closed on {on.isoformat()}"
        + (f", replaced by {successor.code}" if successor else ""),
        before=before,
        after=unit_snapshot(unit),
    )
    return unit


def references_to(session: Session, unit: Unit) -> dict[str, int]:
    """How many rows of each table point at the unit (every foreign key to units.id)."""
    out: dict[str, int] = {}
    for table in Unit.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name != Unit.__tablename__:
                continue
            count = session.scalar(
                select(func.count()).select_from(table).where(fk.parent == unit.id)
            )
            if count:
                key = table.name if table.name != "units" else f"units.{fk.parent.name}"
                out[key] = out.get(key, 0) + count
    return out


def delete_unit(session: Session, unit: Unit, *, actor: Any) -> None:
    """Remove a unit entered by mistake; anything that refers to it makes this a 409, and so
    does a closed unit (it stays to label the past)."""
    if unit.valid_to is not None:
        raise Conflict(f"unit {unit.code} is closed and kept", {"code": KEPT_CLOSED})
    refs = references_to(session, unit)
    if refs:
        listed = ", ".join(f"{table} ({n})" for table, n in sorted(refs.items()))
        raise Conflict(f"unit {unit.code} is referred to by {listed}", {"code": REFERENCED})
    before = unit_snapshot(unit)
    try:
        with session.begin_nested():
            session.delete(unit)
            session.flush()
    except IntegrityError as exc:  # a table this process has not imported still points at it
        raise Conflict(f"unit {unit.code} is referred to elsewhere", {"code": REFERENCED}) from exc
    audit.record(
        session,
        actor=actor,
        action="delete",
        entity="unit",
        entity_id=before["code"],
        summary=f"unit {before['code']} deleted",
        before=before,
    )


def get_open_unit(session: Session, code: str, field: str = "unit") -> Unit:
    """The unit with `code`, which must exist and be open (people only join open units)."""
    unit = find_unit(session, code) if code else None
    if unit is None:
        raise ValidationError(f"no unit with code {str(code)[:MAX_CODE]!r}", {field: UNKNOWN_UNIT})
    if not is_open(unit):
        raise ValidationError(f"unit {unit.code} is closed", {field: CLOSED_UNIT})
    return unit
