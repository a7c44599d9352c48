"""The one place where errors become HTTP answers: JSON under /api/ and /healthz, pages elsewhere.

Every error body has the same shape: {"error": {"code", "message", "fields"}}.
"""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from apispec import BasePlugin
from flask import Flask, render_template, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

from lis.errors import DomainError, error_body
from search.interface import SearchUnavailable

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _flatten(messages: Any) -> dict[str, Any]:
    """webargs nests messages by location ({"query": {"page": [...]}}): fields are what matter."""
    fields: dict[str, Any] = {}
    if isinstance(messages, dict):
        for location, value in messages.items():
            if location in ("query", "json", "form", "headers", "files", "path") and isinstance(
                value, dict
            ):
                fields.update(value)
            else:
                fields[location] = value
    return fields


def _code(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_")


def _render(status: int, code: str, message: str, fields: dict[str, Any] | None = None) -> Any:
    if _wants_json():
        return error_body(code, message, fields), status
    return render_template("errors/error.html", status=status, message=message), status


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Machine-readable error"})
    message = ma.fields.String(required=True)
    fields = ma.fields.Dict(required=True, metadata={"description": "Field name → problem"})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorDetailSchema, required=True)


class ErrorResponsesPlugin(BasePlugin):
    """Documents the 4xx answers that come from the app's plumbing rather than from a view.

    Every operation may answer 401 (the login check runs before any view), every write may
    answer 403 (each write checks the role, and most the unit, of the user), and every path
    with a parameter answers 404 for an unknown one. Views only declare what is their own
    (422 from their arguments, 409 from a state machine); a client generated from the document
    then knows every error it must handle.
    """

    WRITES = frozenset({"post", "put", "patch", "delete"})

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_kw: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", "UNAUTHORIZED")
            if method in self.WRITES:
                responses.setdefault("403", "FORBIDDEN")
            if path and "{" in path:
                responses.setdefault("404", "NOT_FOUND")


class LisApi(Api):
    """flask-smorest's Api with our error body instead of its own."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        data = getattr(error, "data", None) or {}
        fields = _flatten(data.get("messages", {})) if isinstance(data, dict) else {}
        status = error.code or 500
        message = error.description or error.name or "error"
        if fields:
            message = "some parameters are invalid: " + ", ".join(sorted(fields))
        return _render(status, _code(error), message, fields)


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Any:
        return _render(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(SearchUnavailable)
    def _search_down(exc: SearchUnavailable) -> Any:
        log.warning("search unavailable on %s: %s", request.path, exc)
        return _render(503, "search_unavailable", f"search is unavailable: {exc}")

    @app.errorhandler(InternalServerError)
    def _internal(exc: InternalServerError) -> Any:
        original = getattr(exc, "original_exception", None)
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
        return _render(500, "internal_error", "something went wrong on our side; it is logged")
