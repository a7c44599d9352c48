"""Administering people: record them in a unit, move them, link them to a login, (de)activate.

A person is never deleted: contributions and verifications name them long after they leave.
Deactivating keeps the row (and any link to a login) but the person stops acting for the unit.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lis.audit import services as audit
from lis.auth.models import User
from lis.errors import Conflict, ValidationError
from lis.people.models import Person
from lis.reference import services as units

# Problems named in errors' `fields`; the web pages translate them (lis.people.views).
REQUIRED = units.REQUIRED
TOO_LONG = units.TOO_LONG
BAD_EMAIL = "not a valid e-mail address"
EMAIL_USED = "already used by another person"
NO_USER = "no user with this e-mail"
USER_LINKED = "this user is linked to another person"
READ_ONLY = "read only"

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME = 200
MAX_EMAIL = 254
MAX_NOTE = 5000
EDITABLE = ("name", "email", "position", "unit", "user", "note", "active")


def person_snapshot(person: Person) -> dict[str, Any]:
    """What the audit log keeps of a person, before and after a change."""
    return {
        "name": person.name,
        "email": person.email,
        "position": person.position,
        "unit": person.unit.code if person.unit else None,
        "user": person.user.email if person.user else None,
        "active": person.active,
        "note": person.note,
    }


def _clean_text(
    errors: dict[str, str], values: dict[str, Any], name: str, limit: int, *, required: bool
) -> None:
    if name not in values:
        return
    value = values[name]
    value = value.strip() if isinstance(value, str) else ""
    if not value and required:
        errors[name] = REQUIRED
    elif len(value) > limit:
        errors[name] = TOO_LONG
    values[name] = value


def _email_owner(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(func.lower(Person.email) == email))


def _find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email))


def _clean(session: Session, person: Person | None, values: dict[str, Any]) -> dict[str, Any]:
    """Check `values` (the fields given) and resolve codes and e-mails to rows.

    Field errors are gathered into one ValidationError; a clash with another person (e-mail
    used, user linked) is a Conflict, raised once the fields themselves are valid."""
    errors: dict[str, str] = {}
    conflicts: dict[str, str] = {}
    _clean_text(errors, values, "name", MAX_NAME, required=True)
    _clean_text(errors, values, "position", MAX_NAME, required=False)
    if "note" in values:
        _clean_text(errors, values, "note", MAX_NOTE, required=False)
        values["note"] = values["note"] or None
    if "email" in values:
        email = (values["email"] or "").strip().lower() or None
        values["email"] = email
        if email is not None:
            if len(email) > MAX_EMAIL or not EMAIL.match(email):
                errors["email"] = BAD_EMAIL
            else:
                owner = _email_owner(session, email)
                if owner is not None and owner is not person:
                    conflicts["email"] = EMAIL_USED
    if "unit" in values:
        unit = None
        if not values["unit"]:
            errors["unit"] = REQUIRED
        elif person is not None and person.unit and values["unit"].upper() == person.unit.code:
            unit = person.unit  # staying in a unit that has closed since is allowed
        else:
            try:
                unit = units.get_open_unit(session, values["unit"])
            except ValidationError as exc:
                errors.update(exc.fields)
        values["unit"] = unit
    if "user" in values:
        user = None
        email = (values["user"] or "").strip().lower()
        if email:
            user = _find_user(session, email) if len(email) <= MAX_EMAIL else None
            if user is None:
                errors["user"] = NO_USER
            else:
                holder = session.scalar(select(Person).where(Person.user_id == user.id))
                if holder is not None and holder is not person:
                    conflicts["user"] = USER_LINKED
        values["user"] = user
    if person is not None and not person.active and values.get("active") and "unit" not in errors:
        unit = values.get("unit", person.unit)
        if unit is not None and not units.is_open(unit):
            errors["unit"] = units.CLOSED_UNIT  # move them to an open unit to reactivate
    if errors:
        raise ValidationError("the person is not valid: " + ", ".join(sorted(errors)), errors)
    if conflicts:
        raise Conflict(
            "the person clashes with another: " + ", ".join(sorted(conflicts)), conflicts
        )
    return values


def create_person(
    session: Session,
    *,
    actor: Any,
    name: str,
    unit: str,
    email: str | None = None,
    position: str = "",
    user: str | None = None,
    note: str | None = None,
) -> Person:
    """A new active person in an open unit, optionally linked to an existing login (`user` is
    the login's e-mail)."""
    values = _clean(
        session,
        None,
        {
            "name": name,
            "unit": unit,
            "email": email,
            "position": position,
            "user": user,
            "note": note,
        },
    )
    person = Person(
        name=values["name"],
        email=values["email"],
        position=values["position"],
        unit=values["unit"],
        user=values["user"],
        note=values["note"],
        active=True,
    )
    session.add(person)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        entity="person",
        entity_id=person.id,
        summary=f"person {person.name} created in {person.unit.code}",
        after=person_snapshot(person),
    )
    return person


def update_person(
    session: Session, person: Person, *, actor: Any, changes: dict[str, Any]
) -> Person:
    """Change the fields in `changes`: `unit` moves the person (by code), `user` relinks them
    (by e-mail; empty unlinks), `active` deactivates or reactivates them."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError("these fields cannot be changed", dict.fromkeys(unknown, READ_ONLY))
    values = _clean(session, person, dict(changes))
    before = person_snapshot(person)
    for name, value in values.items():
        setattr(person, name, bool(value) if name == "active" else value)
    session.flush()
    after = person_snapshot(person)
    if after == before:
        return person
    changed = [k for k in after if after[k] != before[k]]
    action = "update"
    if changed == ["active"]:
        action = "activate" if person.active else "deactivate"
    elif changed == ["unit"]:
        action = "move"
    elif changed == ["user"]:
        action = "link" if person.user else "unlink"
    audit.record(
        session,
        actor=actor,
        action=action,
        entity="person",
        entity_id=person.id,
        summary=f"person {person.name}: " + ", ".join(changed),
        before=before,
        after=after,
    )
    return person


def set_active(session: Session, person: Person, active: bool, *, actor: Any) -> Person:
    """Deactivate someone who left (the record stays), or bring them back."""
    return update_person(session, person, actor=actor, changes={"active": active})
