"""JSON API for importing past contributions from an XLSX sheet, and who advised on a draft.

- `GET /api/v1/documents/{doc_id}/advisers`: the advisers panel as JSON (every logged-in user;
  quality bands only for heads, officers, council, administrators and the author).
- `POST /api/v1/contributions/import`: multipart `file` (XLSX); heads (for their units) and
  administrators. 201 when rows were created, 200 when every row was already imported, 422 with
  the refused rows in `error.fields.rows` (nothing imported) or naming `file`.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from lis.auth.access import require_roles
from lis.contributions import advisers, history
from lis.contributions.advisers import AdviserItem, AdvisersPanel
from lis.db import db, transaction
from lis.documents import queries
from lis.errors import ValidationError
from lis.web.labels import current_language

blp = Blueprint(
    "history_api", __name__, url_prefix="/api/v1", description="Past contributions and advisers"
)

IMPORT_ROLES: tuple[str, ...] = ("head", "admin")


# --- schemas -----------------------------------------------------------------------------------
class _Ref(Schema):
    id = fields.Integer()
    name = fields.String()


class _CodeName(Schema):
    code = fields.String()
    name = fields.String()


class _File(Schema):
    name = fields.String()
    size = fields.Integer()
    url = fields.String(allow_none=True)


class ArticleTraceSchema(Schema):
    path = fields.String(required=True)
    number = fields.String(required=True)
    status = fields.String(
        required=True,
        metadata={
            "description": "unchanged, changed, removed, renumbered, renumbered_changed, or "
            "unknown (not an article of the cited version)"
        },
    )
    new_path = fields.String(allow_none=True)
    new_number = fields.String(allow_none=True)
    compare_url = fields.String(allow_none=True)


class AdviserSchema(Schema):
    id = fields.Integer(required=True)
    person = fields.Nested(_Ref)
    work_kind = fields.Nested(_CodeName)
    title = fields.String()
    file = fields.Nested(_File, allow_none=True)
    due_date = fields.Date(allow_none=True)
    delivered_date = fields.Date()
    late = fields.Boolean()
    days_late = fields.Integer()
    state = fields.String()
    source = fields.String()
    quality_visible = fields.Boolean()
    quality = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    outcome_version = fields.Integer(allow_none=True)
    version = fields.Integer(allow_none=True)
    next_version = fields.Integer(allow_none=True)
    articles = fields.List(fields.Nested(ArticleTraceSchema))


class AdviserUnitSchema(Schema):
    code = fields.String()
    name = fields.String()
    contributions = fields.List(fields.Nested(AdviserSchema))


class AdviserStageSchema(Schema):
    stage = fields.String()
    stage_label = fields.String()
    units = fields.List(fields.Nested(AdviserUnitSchema))


class AdvisersSchema(Schema):
    document = fields.Dict(metadata={"description": "id, number, title"})
    count = fields.Integer()
    stages = fields.List(fields.Nested(AdviserStageSchema))


class ImportUploadSchema(Schema):
    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "The XLSX sheet"},
    )


class _RowDone(Schema):
    row = fields.Integer()
    contribution_id = fields.Integer()
    created = fields.Boolean()


class _RowError(Schema):
    row = fields.Integer()
    field = fields.String()
    reason = fields.String()
    message = fields.String()


class ImportReportSchema(Schema):
    file = fields.String()
    sha256 = fields.String()
    rows = fields.Integer()
    created = fields.Integer()
    already_imported = fields.Integer()
    refused = fields.Integer()
    imported = fields.Boolean()
    results = fields.List(fields.Nested(_RowDone))
    errors = fields.List(fields.Nested(_RowError))


# --- the panel as JSON (the page's template reads the same objects) ----------------------------
def compare_url(item: AdviserItem, anchor: str | None) -> str | None:
    """The compare page of the advice's version and the next, at the article's row."""
    if item.version_seq is None or item.next_seq is None:
        return None
    doc_id = item.contribution.document.external_id
    url = url_for("compare.compare", doc_id=doc_id, a=item.version_seq, b=item.next_seq)
    return f"{url}#{anchor}" if anchor else url


def file_url(item: AdviserItem) -> str | None:
    """The deliverable's download link, for those who may read the ledger (not deputies)."""
    if item.file_name is None or not item.file_readable:
        return None
    return url_for("contributions.download", contribution_id=item.contribution.id)


def _name(obj: Any, lang: str) -> str:
    return obj.name_en if lang.startswith("en") and getattr(obj, "name_en", "") else obj.name


def item_dict(item: AdviserItem, lang: str) -> dict[str, Any]:
    c = item.contribution
    return {
        "id": c.id,
        "person": {"id": c.person.id, "name": c.person.name},
        "work_kind": {"code": c.work_kind.code, "name": _name(c.work_kind, lang)},
        "title": c.title,
        "file": None
        if item.file_name is None
        else {"name": item.file_name, "size": item.file_size, "url": file_url(item)},
        "due_date": c.due_date,
        "delivered_date": c.delivered_date,
        "late": item.days_late > 0,
        "days_late": item.days_late,
        "state": c.state,
        "source": c.source,
        "quality_visible": item.quality_visible,
        "quality": item.quality,
        "outcome": c.outcome,
        "outcome_version": c.outcome_version.seq if c.outcome_version else None,
        "version": item.version_seq,
        "next_version": item.next_seq,
        "articles": [
            {
                "path": t.path,
                "number": t.number,
                "status": t.status,
                "new_path": t.new_path,
                "new_number": t.new_number,
                "compare_url": compare_url(item, t.anchor) if t.anchor else None,
            }
            for t in item.traces
        ],
    }


def panel_dict(panel: AdvisersPanel, lang: str) -> dict[str, Any]:
    doc = panel.document
    return {
        "document": {"id": doc.external_id, "number": doc.number, "title": doc.title},
        "count": panel.count,
        "stages": [
            {
                "stage": s.stage,
                "stage_label": s.label,
                "units": [
                    {
                        "code": u.code,
                        "name": u.name_en if lang.startswith("en") and u.name_en else u.name,
                        "contributions": [item_dict(i, lang) for i in u.items],
                    }
                    for u in s.units
                ],
            }
            for s in panel.stages
        ],
    }


@blp.route("/documents/<string:doc_id>/advisers")
class DocumentAdvisers(MethodView):
    @blp.response(200, AdvisersSchema)
    def get(self, doc_id: str) -> Any:
        """Who advised on the draft: contributions per stage and unit (withdrawn ones left
        out), with, for advice on articles, what became of them in the next version."""
        session = db.session()
        document = queries.get_document(session, doc_id)
        lang = current_language()
        panel = advisers.advisers_panel(session, current_user, document, lang)
        return panel_dict(panel, lang)


def _upload() -> tuple[bytes, str]:
    if request.mimetype != "multipart/form-data":
        raise ValidationError("send a multipart form with the XLSX in `file`", {"file": "required"})
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("send the XLSX sheet in `file`", {"file": "required"})
    return upload.stream.read(history.MAX_BYTES + 1), upload.filename


@blp.route("/contributions/import")
class ContributionImport(MethodView):
    @require_roles(*IMPORT_ROLES)
    @blp.doc(
        requestBody={
            "required": True,
            "content": {"multipart/form-data": {"schema": ImportUploadSchema}},
        }
    )
    @blp.response(201, ImportReportSchema)
    @blp.alt_response(200, schema=ImportReportSchema, description="Every row already imported")
    def post(self) -> Any:
        """Import past contributions from an XLSX sheet, all rows or none (heads for their
        units, administrators). Rows become "submitted" contributions with source "imported";
        uploading the same sheet again creates nothing. A refused row makes a 422 listing every
        refused row (row, field, reason) in `error.fields.rows`."""
        data, filename = _upload()
        with transaction() as session:
            report = history.import_sheet(session, current_user, data, filename)
        return report.to_dict(), 201 if report.created else 200
