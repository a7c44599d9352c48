"""Contributions in the API: what a client sends, and the one JSON shape of a contribution.

`ContributionSchema` / `contribution_to_dict` are shared: the review queue, the advisers panel
of a draft and the historical import answer with the same shape as the logging API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lis import clock
from lis.api_fields import PagedArgsSchema, UtcDateTime, no_nul
from lis.contributions import rules
from lis.contributions.models import OUTCOMES, QUALITY_BANDS, SOURCES, STATES, Contribution
from lis.drafts.machine import stage_label

CODE = validate.And(validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9_.-]+$"))
DOC_ID = validate.And(validate.Length(min=1, max=255), no_nul)
ID = validate.Range(min=1, max=rules.MAX_ID)
YEAR = validate.Range(min=1945, max=2200)
ARTICLE = validate.And(validate.Length(min=1, max=rules.MAX_ARTICLE_PATH), no_nul)


# --- input -------------------------------------------------------------------------------------
class _ContributionFields(Schema):
    """Fields shared by logging and editing; nothing has a default, so a retried request is
    compared only on the keys it sends."""

    document = fields.String(
        validate=DOC_ID, metadata={"description": "The draft's id, as in /api/v1/drafts/{doc_id}"}
    )
    stage = fields.String(
        validate=CODE,
        metadata={"description": "A stage code (default: the assignment's, else the draft's)"},
    )
    work_kind = fields.String(
        validate=CODE, metadata={"description": "A kind of work's code (/api/v1/work-kinds)"}
    )
    title = fields.String(
        validate=validate.And(validate.Length(min=1, max=rules.MAX_TITLE), no_nul),
        metadata={"description": "The deliverable's title"},
    )
    delivered_date = fields.Date(metadata={"description": "Not before the draft, not future"})
    due_date = fields.Date(
        allow_none=True, metadata={"description": "Default: the assignment's due date"}
    )
    assignment_id = fields.Integer(
        allow_none=True, validate=ID, metadata={"description": "The assignment it answers"}
    )
    version = fields.Integer(
        allow_none=True,
        validate=ID,
        metadata={"description": "The version (its number) the advice concerns"},
    )
    articles = fields.List(
        fields.String(validate=ARTICLE),
        validate=validate.Length(max=rules.MAX_ARTICLES),
        metadata={"description": "Article paths of that version, e.g. dieu-5"},
    )
    note = fields.String(validate=validate.And(validate.Length(max=rules.MAX_NOTE), no_nul))
    unit = fields.String(
        allow_none=True,
        validate=CODE,
        metadata={"description": "The unit it is logged for (default: the person's)"},
    )


class ContributionCreateSchema(_ContributionFields):
    """JSON body of POST /contributions (or the fields of a multipart form with `file`)."""

    document = fields.String(
        required=True,
        validate=DOC_ID,
        metadata={"description": "The draft's id, as in /api/v1/drafts/{doc_id}"},
    )
    work_kind = fields.String(
        required=True,
        validate=CODE,
        metadata={"description": "A kind of work's code (/api/v1/work-kinds)"},
    )
    title = fields.String(
        required=True,
        validate=validate.And(validate.Length(min=1, max=rules.MAX_TITLE), no_nul),
        metadata={"description": "The deliverable's title"},
    )
    delivered_date = fields.Date(
        required=True, metadata={"description": "Not before the draft, not in the future"}
    )
    person_id = fields.Integer(
        allow_none=True,
        validate=ID,
        metadata={"description": "Whose work (default: yours; heads: their units' people)"},
    )


class ContributionUploadSchema(ContributionCreateSchema):
    """The multipart form: the same fields as text, and the deliverable's file."""

    file = fields.Raw(metadata={"type": "string", "format": "binary"})


class ContributionUpdateSchema(_ContributionFields):
    """Only the fields sent change (the person does not)."""

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_kw: Any) -> None:
        if not data and not self.context.get("has_file"):
            raise ValidationError("send at least one field to change", "_schema")


class ContributionEditUploadSchema(_ContributionFields):
    file = fields.Raw(metadata={"type": "string", "format": "binary"})


class WithdrawSchema(Schema):
    reason = fields.String(
        load_default="", validate=validate.And(validate.Length(max=rules.MAX_REASON), no_nul)
    )


class IdempotencyHeaderSchema(Schema):
    key = fields.String(
        data_key=rules.IDEMPOTENCY_HEADER,
        load_default=None,
        validate=validate.Regexp(r"^[\x21-\x7e]{1,100}$"),
        metadata={
            "description": "A client's key for this logging action: a retried request with "
            "the same key returns the first contribution (200) instead of a new one"
        },
    )


class ContributionArgsSchema(PagedArgsSchema):
    mine = fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "Only my own (default, unless unit or person is given)"},
    )
    year = fields.Integer(load_default=None, validate=YEAR, metadata={"description": "Delivered"})
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    document = fields.String(load_default=None, validate=DOC_ID)
    unit = fields.String(
        load_default=None, validate=CODE, metadata={"description": "Heads: a unit in reach"}
    )
    include_sub_units = fields.Boolean(load_default=True)
    person = fields.Integer(load_default=None, validate=ID, metadata={"description": "Person id"})


class ExportArgsSchema(Schema):
    year = fields.Integer(load_default=None, validate=YEAR)
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))


# --- output ------------------------------------------------------------------------------------
class ContributionDocumentSchema(Schema):
    id = fields.String(attribute="external_id", required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    stage = fields.String(allow_none=True, required=True)


class ContributionCodeRefSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)


class ContributionPersonSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class ContributionFileSchema(Schema):
    name = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


def _seq(version: Any) -> int | None:
    return version.seq if version is not None else None


def _today() -> dt.date:
    return clock.today()


class ContributionSchema(Schema):
    id = fields.Integer(required=True)
    document = fields.Nested(ContributionDocumentSchema, required=True)
    stage = fields.String(required=True)
    stage_label = fields.Function(lambda c: stage_label(c.stage, "vi"), required=True)
    stage_label_en = fields.Function(lambda c: stage_label(c.stage, "en"), required=True)
    work_kind = fields.Nested(ContributionCodeRefSchema, required=True)
    person = fields.Nested(ContributionPersonSchema, required=True)
    unit = fields.Nested(ContributionCodeRefSchema, required=True)
    assignment_id = fields.Integer(allow_none=True, required=True)
    title = fields.String(required=True)
    version = fields.Function(lambda c: _seq(c.version), allow_none=True, required=True)
    articles = fields.List(fields.String(), required=True)
    due_date = fields.Date(allow_none=True, required=True)
    delivered_date = fields.Date(required=True)
    late = fields.Function(lambda c: rules.is_late(c.due_date, c.delivered_date), required=True)
    note = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    reject_reason = fields.String(required=True)
    verified_by = fields.Function(lambda c: _email(c.verified_by), allow_none=True, required=True)
    verified_at = UtcDateTime(allow_none=True, required=True)
    quality = fields.String(allow_none=True, required=True, validate=validate.OneOf(QUALITY_BANDS))
    quality_comment = fields.String(required=True)
    major_errors = fields.Integer(required=True)
    rated_by = fields.Function(lambda c: _email(c.rated_by), allow_none=True, required=True)
    rated_at = UtcDateTime(allow_none=True, required=True)
    outcome = fields.String(allow_none=True, required=True, validate=validate.OneOf(OUTCOMES))
    outcome_version = fields.Function(
        lambda c: _seq(c.outcome_version), allow_none=True, required=True
    )
    outcome_at = UtcDateTime(allow_none=True, required=True)
    created_by = fields.Function(lambda c: _email(c.created_by), allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    file = fields.Nested(ContributionFileSchema, allow_none=True, required=True)


class ContributionPageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(ContributionSchema), required=True)


def contribution_to_dict(row: Contribution) -> dict[str, Any]:
    """A contribution as the API shows it (JSON-ready: dates as ISO text)."""
    return ContributionSchema().dump(row)
