"""The audit log page for administrators."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from marshmallow import ValidationError

from lis.audit.api import filter_from
from lis.audit.schemas import AuditArgsSchema
from lis.audit.services import list_events
from lis.auth.access import require_roles
from lis.db import db, page_of

bp = Blueprint("audit", __name__, url_prefix="/admin")
_ARGS = AuditArgsSchema()


@bp.route("/audit")
@require_roles("admin")
def audit_log() -> Any:
    raw = {k: v for k, v in request.args.items() if k in _ARGS.fields and v.strip()}
    try:
        data = _ARGS.load(raw)
        errors: dict[str, Any] = {}
    except ValidationError as exc:
        errors = exc.normalized_messages()  # type: ignore[assignment]
        data = _ARGS.load({})
    total, events = page_of(
        db.session(), list_events(filter_from(data)), data["page"], data["per_page"]
    )
    kept = [(k, v) for k, v in raw.items() if k != "page" and k not in errors]
    last_page = max(1, -(-total // data["per_page"]))
    return render_template(
        "audit/list.html",
        events=events,
        total=total,
        page=data["page"],
        last_page=last_page,
        values=raw,
        errors=errors,
        page_url=lambda n: f"{request.path}?{urlencode([*kept, ('page', n)])}",
    ), (400 if errors else 200)
