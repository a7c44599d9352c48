"""JSON API for logging contributions and a person's own record.

Who may call what (the rules in full are in `lis.contributions.services`):

- POST (log), PATCH (edit), withdraw: staff, heads and administrators; edits and withdrawals
  by the author only, while the contribution is submitted or rejected (409 after).
- GET (list, one, its file): administrators, officers and the council read everything; heads
  their own and their units'; staff their own. Deputies get 403: the ledger is internal (they
  see who advised on a draft on its page).
- Exports: the caller's own record as CSV or XLSX.

POST takes JSON, or a multipart form with the deliverable in `file` (any type, at most 10 MB).
An `Idempotency-Key` header makes it safe to retry: the same key and body return the first
contribution with 200; the same key with a different body is a 409 naming the header.
"""

from __future__ import annotations

import io
import re
from typing import Any

import marshmallow as ma
from flask import Response, request, send_file, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from lis.auth.access import require_roles
from lis.contributions import exports, rules, services
from lis.contributions.models import Contribution
from lis.contributions.schemas import (
    ContributionArgsSchema,
    ContributionCreateSchema,
    ContributionEditUploadSchema,
    ContributionPageSchema,
    ContributionSchema,
    ContributionUpdateSchema,
    ContributionUploadSchema,
    ExportArgsSchema,
    IdempotencyHeaderSchema,
    WithdrawSchema,
)
from lis.db import db, page_of, transaction
from lis.documents.models import Document
from lis.errors import ValidationError
from lis.people.queries import person_of_user
from lis.reference.models import Unit

blp = Blueprint(
    "contributions_api", __name__, url_prefix="/api/v1", description="Advisory contributions"
)

_READ = require_roles(*services.READ_ROLES)
_WRITE = require_roles(*services.LOG_ROLES)
_MULTIPART_FIELDS = (
    "document",
    "stage",
    "work_kind",
    "title",
    "delivered_date",
    "due_date",
    "assignment_id",
    "version",
    "note",
    "person_id",
    "unit",
)


def _load(schema: ma.Schema, raw: Any) -> dict[str, Any]:
    try:
        return schema.load(raw)
    except ma.ValidationError as exc:
        fields = exc.normalized_messages()
        fields = fields if isinstance(fields, dict) else {"body": fields}
        raise ValidationError(
            "some parameters are invalid: " + ", ".join(sorted(fields)), fields
        ) from exc


def _body(schema: ma.Schema) -> tuple[dict[str, Any], rules.Upload | None]:
    """(data, upload) from a JSON object, or from a multipart form with an optional `file`.

    In a form, empty fields are left out and `articles` may repeat or be comma-separated."""
    upload = None
    if request.mimetype == "multipart/form-data":
        raw: dict[str, Any] = {
            k: v for k in _MULTIPART_FIELDS if (v := request.form.get(k, "").strip())
        }
        articles = [
            part
            for value in request.form.getlist("articles")
            for part in re.split(r"[,\s]+", value)
            if part
        ]
        if articles:
            raw["articles"] = articles
        sent = request.files.get("file")
        if sent is not None and sent.filename:
            data = sent.stream.read(rules.MAX_FILE_BYTES + 1)
            upload = rules.Upload(sent.filename, sent.mimetype or "", data)
    else:
        raw = request.get_json(silent=True)
        if not isinstance(raw, dict):
            raise ValidationError("send a JSON object or a multipart form", {"body": "invalid"})
    schema.context["has_file"] = upload is not None
    return _load(schema, raw), upload


def _located(row_id: int, status: int) -> Any:
    row = services.get_contribution(db.session(), row_id)
    location = url_for("contributions_api.ContributionItem", contribution_id=row_id)
    return row, status, {"Location": location}


@blp.route("/contributions")
class Contributions(MethodView):
    @_READ
    @blp.arguments(ContributionArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, ContributionPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Contributions the caller may read, latest delivery first: their own by default.

        With `unit` (and its sub-units unless `include_sub_units=false`) or `person`, heads see
        their units' within their reach; administrators, officers and the council see all.
        Deputies get 403."""
        session = db.session()
        document_id = unit_id = None
        if data["document"]:
            document_id = session.scalar(
                select(Document.id).where(Document.external_id == data["document"])
            )
            if document_id is None:
                raise ValidationError("no such document", {"document": "unknown"})
        if data["unit"]:
            unit_id = session.scalar(select(Unit.id).where(Unit.code == data["unit"]))
            if unit_id is None:
                raise ValidationError("no such unit", {"unit": "unknown"})
        mine = data["mine"]
        if mine is None:
            mine = unit_id is None and data["person"] is None
        f = services.ContributionFilter(
            mine=mine,
            year=data["year"],
            state=data["state"],
            document_id=document_id,
            unit_id=unit_id,
            include_sub_units=data["include_sub_units"],
            person_id=data["person"],
        )
        stmt = services.contributions_query(session, current_user, f)
        total, items = page_of(session, stmt, data["page"], data["per_page"])
        return {"total": total, "page": data["page"], "per_page": data["per_page"], "items": items}

    @_WRITE
    @blp.arguments(IdempotencyHeaderSchema(), location="headers", as_kwargs=False)
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": ContributionCreateSchema},
                "multipart/form-data": {"schema": ContributionUploadSchema},
            },
        }
    )
    @blp.response(201, ContributionSchema, headers={"Location": {"schema": {"type": "string"}}})
    @blp.alt_response(
        200, schema=ContributionSchema, description="A replay: this key was already used"
    )
    def post(self, headers: dict[str, Any]) -> Any:
        """Log a contribution (staff and heads; heads for their units' people, administrators
        for anyone). Problems are 422 naming the field: the draft, its stage (of its procedure,
        not ahead of it), the kind of work (for that stage), dates (delivered not before the
        draft nor in the future; due not before the draft nor 5 years after it), the unit (the
        person's, or one above it), the assignment (same draft and stage), the version and its
        articles, the title and the file (at most 10 MB)."""
        data, upload = _body(ContributionCreateSchema())
        with transaction() as session:
            row, created = services.log_contribution(
                session, current_user, data, idempotency_key=headers.get("key"), upload=upload
            )
            row_id = row.id
        return _located(row_id, 201 if created else 200)


@blp.route("/contributions/<int:contribution_id>")
class ContributionItem(MethodView):
    @_READ
    @blp.response(200, ContributionSchema)
    def get(self, contribution_id: int) -> Contribution:
        """One contribution, when the caller may read it (see the list for who reads what)."""
        return services.read_contribution(db.session(), current_user, contribution_id)

    @_WRITE
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": ContributionUpdateSchema},
                "multipart/form-data": {"schema": ContributionEditUploadSchema},
            },
        }
    )
    @blp.response(200, ContributionSchema)
    def patch(self, contribution_id: int) -> Contribution:
        """Change a submitted or rejected contribution (its author only; 409 once verified or
        withdrawn). Only the fields sent change, every rule is checked again, a new `file`
        replaces the old one, and a rejected contribution goes back for review."""
        data, upload = _body(ContributionUpdateSchema())
        with transaction() as session:
            services.edit_contribution(session, current_user, contribution_id, data, upload)
        return services.get_contribution(db.session(), contribution_id)


@blp.route("/contributions/<int:contribution_id>/withdraw")
class WithdrawContribution(MethodView):
    @_WRITE
    @blp.arguments(WithdrawSchema())
    @blp.response(200, ContributionSchema)
    def post(self, data: dict[str, Any], contribution_id: int) -> Contribution:
        """Withdraw a submitted or rejected contribution (its author only; 409 after)."""
        with transaction() as session:
            services.withdraw_contribution(session, current_user, contribution_id, data["reason"])
        return services.get_contribution(db.session(), contribution_id)


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@blp.route("/contributions/<int:contribution_id>/file")
class ContributionFileItem(MethodView):
    @_READ
    @blp.response(200, content_type="application/octet-stream", description="The file")
    @blp.doc(responses={"200": {"content": {"application/octet-stream": _BINARY}}})
    def get(self, contribution_id: int) -> Response:
        """The deliverable's file, as an attachment (its checksum is in the contribution)."""
        found = services.file_of(db.session(), current_user, contribution_id)
        response = send_file(
            io.BytesIO(found.data),
            mimetype="application/octet-stream",
            as_attachment=True,
            download_name=found.name,
            etag=found.sha256,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _own_rows(data: dict[str, Any]) -> list[Contribution]:
    session = db.session()
    person = person_of_user(session, current_user.id)
    if person is None:
        return []
    return services.own_contributions(session, person.id, data["year"], data["state"])


def _attachment(payload: bytes, mimetype: str, name: str) -> Response:
    response = Response(payload, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/contributions/export.csv")
class ExportCsv(MethodView):
    @_READ
    @blp.arguments(ExportArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, content_type="text/csv", description="UTF-8 with a BOM")
    @blp.doc(responses={"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}})
    def get(self, data: dict[str, Any]) -> Response:
        """My own record as CSV (UTF-8 with a BOM, for Excel), filtered by year and state."""
        payload = exports.to_csv(_own_rows(data))
        return _attachment(
            payload, exports.CSV_MIMETYPE, exports.filename(data["year"], "csv", data["state"])
        )


@blp.route("/contributions/export.xlsx")
class ExportXlsx(MethodView):
    @_READ
    @blp.arguments(ExportArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, content_type=exports.XLSX_MIMETYPE, description="An Excel workbook")
    @blp.doc(responses={"200": {"content": {exports.XLSX_MIMETYPE: _BINARY}}})
    def get(self, data: dict[str, Any]) -> Response:
        """My own record as XLSX: the contributions, and their totals by year and state."""
        payload = exports.to_xlsx(_own_rows(data))
        return _attachment(
            payload, exports.XLSX_MIMETYPE, exports.filename(data["year"], "xlsx", data["state"])
        )
