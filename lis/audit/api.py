"""GET /api/v1/audit: administrators browse the log; nobody can change it."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from lis.audit.schemas import AuditArgsSchema, AuditPageSchema
from lis.audit.services import AuditFilter, list_events
from lis.auth.access import require_roles
from lis.db import db, page_of

blp = Blueprint("audit_api", __name__, url_prefix="/api/v1", description="The audit log")


def filter_from(data: dict[str, Any]) -> AuditFilter:
    return AuditFilter(
        entity=data["entity"],
        entity_id=data["entity_id"],
        action=data["action"],
        actor=data["actor"],
        since=data["since"],
        until=data["until"],
    )


@blp.route("/audit")
class AuditLog(MethodView):
    decorators = (require_roles("admin"),)

    @blp.arguments(AuditArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, AuditPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Audit events, newest first, filtered by entity, action, actor and time (admins)."""
        page, per_page = data["page"], data["per_page"]
        total, items = page_of(db.session(), list_events(filter_from(data)), page, per_page)
        return {"total": total, "page": page, "per_page": per_page, "items": items}
