"""GET /healthz: 200 when the database and the search engine answer, 503 naming what does not.

`status` is "ok" or "degraded"; a load balancer reads the status code, a person the body. With
the search engine down the app still serves everything that does not search, so the body says
which part is missing rather than only that something is."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from alembic.script import ScriptDirectory
from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lis.db import db
from lis.search_backend import get_backend
from lis.settings import PROJECT_ROOT

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@cache
def _heads() -> frozenset[str]:
    return frozenset(ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_heads())


def _schema_state() -> str:
    """ "ok" only when the database answers at the migrations' head: a database that answers
    but has no tables (or an older schema) fails every page, so it is no healthier than one
    that does not answer, and says what to run."""
    session = db.session()
    try:
        current = frozenset(session.scalars(text("SELECT version_num FROM alembic_version")))
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise
        session.rollback()  # PostgreSQL refuses the rest of a failed transaction
        current = frozenset()
    if current != _heads():
        log.warning("health: database schema %s, code at %s", sorted(current), sorted(_heads()))
        return "not migrated: run `lis db upgrade`"
    return "ok"


@bp.route("/healthz")
def healthz() -> Any:
    body = {"status": "ok", "database": "ok", "search": "ok"}
    try:
        body["database"] = _schema_state()
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
