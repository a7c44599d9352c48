"""GET /healthz: 200 when the database and the search engine answer, 503 naming what does not.

`status` is "ok" or "degraded"; a load balancer reads the status code, a person the body. With
the search engine down the app still serves everything that does not search, so the body says
which part is missing rather than only that something is."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint
from sqlalchemy import text

from lis.db import db
from lis.search_backend import get_backend

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.route("/healthz")
def healthz() -> Any:
    body = {"status": "ok", "database": "ok", "search": "ok"}
    try:
        db.session().execute(text("SELECT 1"))
    except Exception as exc:  # any failure to answer is "down"
        log.warning("health: database down: %s", exc)
        body["database"] = "unavailable"
    try:
        if not get_backend().ping():
            body["search"] = "unavailable"
    except Exception as exc:
        log.warning("health: search down: %s", exc)
        body["search"] = "unavailable"
    if body["database"] != "ok" or body["search"] != "ok":
        body["status"] = "degraded"
        return body, 503
    return body, 200
