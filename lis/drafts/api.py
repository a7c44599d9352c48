"""JSON API for drafts: create, add versions, move through stages."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.drafts import queries, services
from lis.drafts.schemas import (
    DeclarationSchema,
    DraftCreateSchema,
    DraftEditSchema,
    DraftListArgsSchema,
    DraftPageSchema,
    DraftSchema,
    TransitionSchema,
    VersionCreateSchema,
    VersionUploadSchema,
)
from lis.errors import ValidationError
from lis.web.labels import current_language

blp = Blueprint(
    "drafts_api", __name__, url_prefix="/api/v1", description="Drafts, versions and stages"
)
# Who records drafts: staff and heads of NA units (admins always); the services then check units.
EDITORS = ("staff", "head")


def _record(doc_id: str) -> dict[str, Any]:
    session = db.session()
    doc = services.get_draft(session, doc_id)
    return queries.draft_record(session, current_user, doc, current_language())


@blp.route("/drafts")
class Drafts(MethodView):
    @blp.arguments(DraftListArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, DraftPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Drafts (documents created in LIS), most recently changed first; filter by stage, lead
        unit code and term code."""
        page, per_page = args["page"], args["per_page"]
        stmt = services.list_drafts(
            stage=args["stage"], lead_unit=args["lead_unit"], term=args["term"]
        )
        total, items = page_of(db.session(), stmt, page, per_page)
        lang = current_language()
        return {
            "total": total,
            "page": page,
            "per_page": per_page,
            "items": [queries.summary(d, lang) for d in items],
        }

    @require_roles(*EDITORS)
    @blp.arguments(DraftCreateSchema(), as_kwargs=False)
    @blp.response(201, DraftSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a draft in its machine's first stage (staff and heads of the drafting or lead
        verifying unit; admins). `planned_sessions` are keys like "XV-9" ("XV-B9": irregular)."""
        with transaction() as session:
            doc = services.create_draft(session, current_user, data)
            doc_id = doc.external_id
        location = url_for("drafts_api.DraftItem", doc_id=doc_id)
        return _record(doc_id), 201, {"Location": location}


@blp.route("/drafts/<string:doc_id>")
class DraftItem(MethodView):
    @blp.response(200, DraftSchema)
    def get(self, doc_id: str) -> Any:
        """A document's legislative record: metadata, stage and holder, the moves the caller may
        make, the dated timeline of stage events and the versions."""
        return _record(doc_id)

    @require_roles(*EDITORS)
    @blp.arguments(DraftEditSchema(), as_kwargs=False)
    @blp.response(200, DraftSchema)
    def patch(self, data: dict[str, Any], doc_id: str) -> Any:
        """Edit a draft's metadata; only the fields sent change (audited before/after). Only
        admins change `drafting_unit` or `lead_unit` (403 naming the field for others)."""
        with transaction() as session:
            doc = services.get_draft(session, doc_id)
            services.update_draft(session, current_user, doc, data)
        return _record(doc_id)


def _version_input() -> tuple[dict[str, Any], str, str | None]:
    """(label/date, text, source) from JSON `text` or a multipart `file` (or `text` field)."""
    if request.mimetype == "multipart/form-data":
        raw: dict[str, Any] = {
            k: v for k, v in request.form.items() if k in ("label", "version_date")
        }
        upload = request.files.get("file")
        pasted = request.form.get("text")
    else:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ValidationError("send a JSON object or a multipart form", {"body": "invalid"})
        raw, upload, pasted = body, None, None
    try:
        data = VersionCreateSchema().load(raw)
    except ma.ValidationError as exc:
        fields = exc.normalized_messages()
        raise ValidationError(
            "some parameters are invalid: " + ", ".join(sorted(fields)), fields
        ) from exc
    if upload is not None and upload.filename:
        text = services.text_from_upload(
            upload.filename, upload.stream.read(services.MAX_FILE_BYTES + 1)
        )
        return data, text, upload.filename
    text = data.pop("text", None) or pasted
    if not text:
        raise ValidationError("send the text, or a .txt or .docx file", {"text": "required"})
    return data, text, None


@blp.route("/drafts/<string:doc_id>/versions")
class DraftVersions(MethodView):
    @require_roles(*EDITORS)
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": VersionCreateSchema},
                "multipart/form-data": {"schema": VersionUploadSchema},
            },
        }
    )
    @blp.response(201, DraftSchema)
    def post(self, doc_id: str) -> Any:
        """Add an immutable text version: JSON with `text`, or multipart with `file` (.txt in
        UTF-8/UTF-16/Windows-1258, or .docx; at most 5 MB). An unchanged text is a 409;
        `version_date` may not be in the future nor before the previous version's. The numbers
        the text cites become suggested relations, for a person to confirm or dismiss."""
        data, text, source = _version_input()
        with transaction() as session:
            doc = services.get_draft(session, doc_id)
            services.add_version(
                session, current_user, doc, data["label"], text, data.get("version_date"), source
            )
        return _record(doc_id), 201, {"Location": url_for("drafts_api.DraftItem", doc_id=doc_id)}


@blp.route("/drafts/<string:doc_id>/transitions")
class DraftTransitions(MethodView):
    @require_roles(*EDITORS)
    @blp.arguments(TransitionSchema(), as_kwargs=False)
    @blp.response(201, DraftSchema)
    def post(self, data: dict[str, Any], doc_id: str) -> Any:
        """Move the draft to a stage its machine allows next, acting as the transition's actor
        (409 names the allowed stages; 403 names the actor and the units that may act)."""
        with transaction() as session:
            doc = services.get_draft(session, doc_id)
            services.move_stage(
                session, current_user, doc, data["to"], data["note"], data["event_date"]
            )
        return _record(doc_id), 201, {"Location": url_for("drafts_api.DraftItem", doc_id=doc_id)}


@blp.route("/stage-machines")
class StageMachines(MethodView):
    @blp.response(200, DeclarationSchema)
    def get(self) -> Any:
        """The declared stages, actors and stage machines (with sources and GUESS notes)."""
        return queries.declaration_dict(current_language())
