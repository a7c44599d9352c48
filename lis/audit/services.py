"""Writing and reading the audit log. Writing is the only change the app can make to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Mapper, Session

from lis.audit.models import AuditEvent
from lis.errors import Conflict

SYSTEM_ACTOR = "system"


class AuditImmutable(Conflict):
    code = "audit_immutable"


def _refuse(_mapper: Mapper[Any], _connection: Any, target: AuditEvent) -> None:
    raise AuditImmutable(f"audit event {target.id} cannot be changed or deleted")


event.listen(AuditEvent, "before_update", _refuse)
event.listen(AuditEvent, "before_delete", _refuse)


def record(
    session: Session,
    *,
    actor: Any | None,
    action: str,
    entity: str,
    entity_id: object,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction: it commits or rolls back with the change."""
    row = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None) or SYSTEM_ACTOR,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        summary=summary[:500],
        before=before,
        after=after,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class AuditFilter:
    entity: str | None = None
    entity_id: str | None = None
    action: str | None = None
    actor: str | None = None  # e-mail
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def list_events(f: AuditFilter) -> Select[tuple[AuditEvent]]:
    stmt = select(AuditEvent)
    if f.entity:
        stmt = stmt.where(AuditEvent.entity == f.entity)
    if f.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == f.entity_id)
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.actor:
        stmt = stmt.where(func.lower(AuditEvent.actor_email) == f.actor.lower())
    if f.since:
        stmt = stmt.where(AuditEvent.at >= f.since)
    if f.until:
        stmt = stmt.where(AuditEvent.at < f.until)
    return stmt.order_by(AuditEvent.id.desc())
