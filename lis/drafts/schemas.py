"""Drafts in the API: input to create, edit, add a version and move a stage; the record out."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lis.api_fields import UtcDateTime
from lis.documents.models import PROCEDURES
from lis.documents.search import MAX_WINDOW
from lis.drafts.machine import DRAFT_KINDS, STAGES

CODE = validate.Length(min=1, max=40)
SESSION_KEYS = fields.List(
    fields.String(validate=validate.Length(min=1, max=20)),
    validate=validate.Length(max=10),
    metadata={"description": "Session keys: 'XV-9' (9th regular session of term XV), 'XV-B9' "
              "(9th irregular session)"},
)  # fmt: skip
SUBJECTS = fields.List(
    fields.String(validate=validate.Length(min=1, max=200)), validate=validate.Length(max=30)
)


class DraftEditSchema(Schema):
    """The editable metadata; on PATCH only the fields sent change."""

    title = fields.String(validate=validate.Length(min=1, max=2000))
    summary = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    drafting_agency = fields.String(
        allow_none=True,
        validate=validate.Length(max=300),
        metadata={"description": "An outside drafting body, e.g. 'Chính phủ'"},
    )
    drafting_unit = fields.String(
        allow_none=True,
        validate=CODE,
        metadata={"description": "Unit code of an NA drafter (only admins may change it)"},
    )
    lead_unit = fields.String(
        validate=CODE,
        metadata={
            "description": "Lead verifying unit: the Ethnic Council or an NA committee (only "
            "admins may change it)"
        },
    )
    term = fields.String(allow_none=True, validate=validate.Length(min=1, max=8))
    planned_sessions = SESSION_KEYS
    subjects = SUBJECTS
    procedure = fields.String(validate=validate.OneOf(PROCEDURES))


class DraftCreateSchema(DraftEditSchema):
    kind = fields.String(required=True, validate=validate.OneOf(DRAFT_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    lead_unit = fields.String(
        required=True,
        validate=CODE,
        metadata={"description": "Lead verifying unit: the Ethnic Council or an NA committee"},
    )
    adopted_by = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(["QH", "UBTVQH"]),
        metadata={"description": "Resolutions only: adopted by the NA (QH) or UBTVQH"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=5000))


class DraftListArgsSchema(Schema):
    stage = fields.String(load_default=None, validate=validate.OneOf(list(STAGES)))
    lead_unit = fields.String(load_default=None, validate=CODE)
    term = fields.String(load_default=None, validate=validate.Length(min=1, max=8))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_WINDOW))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

    @validates_schema
    def _check(self, data: dict[str, Any], **_kw: Any) -> None:
        if data.get("page", 1) * data.get("per_page", 50) > MAX_WINDOW:
            raise ValidationError(f"page × per_page must stay within {MAX_WINDOW}", "page")


class VersionCreateSchema(Schema):
    """JSON body (`text`), or multipart fields with the text in `file` (.txt or .docx)."""

    label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    text = fields.String(validate=validate.Length(min=1, max=2_000_000))
    version_date = fields.Date(load_default=None, allow_none=True)


class VersionUploadSchema(Schema):
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    version_date = fields.Date(allow_none=True)
    text = fields.String(metadata={"description": "Pasted text, instead of a file"})
    file = fields.Raw(metadata={"type": "string", "format": "binary"})


class TransitionSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf(list(STAGES)))
    note = fields.String(load_default="", validate=validate.Length(max=5000))
    event_date = fields.Date(load_default=None, allow_none=True)


class UnitRefSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)


class AllowedTransitionSchema(Schema):
    to = fields.String(required=True)
    to_label = fields.String(required=True)
    acting_as = fields.String(required=True)
    acting_as_label = fields.String(required=True)
    holder = fields.String(allow_none=True)
    note = fields.String(required=True)


class StageEventSchema(Schema):
    seq = fields.Integer(required=True)
    from_ = fields.String(data_key="from", attribute="from", allow_none=True)
    from_label = fields.String(required=True)
    to = fields.String(required=True)
    to_label = fields.String(required=True)
    event_date = fields.Date(required=True)
    at = UtcDateTime(required=True)
    actor = fields.String(required=True)
    acting_as = fields.String(required=True)
    acting_as_label = fields.String(required=True)
    holder = fields.Nested(UnitRefSchema, allow_none=True)
    note = fields.String(required=True)


class VersionInfoSchema(Schema):
    seq = fields.Integer(required=True)
    label = fields.String(required=True)
    version_date = fields.Date(allow_none=True)
    source = fields.String(allow_none=True)
    text_sha256 = fields.String(required=True)
    created_at = UtcDateTime(required=True)


class DraftSchema(Schema):
    id = fields.String(required=True)
    origin = fields.String(required=True)
    kind = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(allow_none=True)
    issuer = fields.String(allow_none=True)
    drafting_agency = fields.String(allow_none=True)
    drafting_unit = fields.Nested(UnitRefSchema, allow_none=True)
    lead_unit = fields.Nested(UnitRefSchema, allow_none=True)
    holder = fields.Nested(UnitRefSchema, allow_none=True)
    term = fields.String(allow_none=True)
    planned_sessions = fields.List(fields.String(), required=True)
    subjects = fields.List(fields.String(), required=True)
    procedure = fields.String(required=True)
    machine = fields.String(allow_none=True)
    stage = fields.String(allow_none=True)
    stage_label = fields.String(required=True)
    allowed_transitions = fields.List(fields.Nested(AllowedTransitionSchema), required=True)
    timeline = fields.List(fields.Nested(StageEventSchema), required=True)
    versions = fields.List(fields.Nested(VersionInfoSchema), required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class DraftSummarySchema(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    stage = fields.String(allow_none=True)
    stage_label = fields.String(required=True)
    lead_unit = fields.String(allow_none=True)
    holder = fields.String(allow_none=True)
    term = fields.String(allow_none=True)
    updated_at = UtcDateTime(required=True)


class DraftPageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(DraftSummarySchema), required=True)


class StageInfoSchema(Schema):
    code = fields.String(required=True)
    label_vi = fields.String(required=True)
    label_en = fields.String(required=True)
    source = fields.String(required=True)


class ActorSchema(Schema):
    code = fields.String(required=True)
    label_vi = fields.String(required=True)
    label_en = fields.String(required=True)
    rule = fields.String(required=True)
    units = fields.List(fields.String(), required=True)
    note = fields.String(required=True)


class MachineTransitionSchema(Schema):
    from_ = fields.String(data_key="from", attribute="from", required=True)
    to = fields.String(required=True)
    acting_as = fields.String(required=True)
    holder = fields.String(allow_none=True)
    note = fields.String(required=True)


class MachineSchema(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    initial = fields.String(required=True)
    final = fields.String(required=True)
    terminal = fields.List(fields.String(), required=True)
    stages = fields.List(fields.String(), required=True)
    source = fields.String(required=True)
    transitions = fields.List(fields.Nested(MachineTransitionSchema), required=True)


class DeclarationSchema(Schema):
    stages = fields.List(fields.Nested(StageInfoSchema), required=True)
    actors = fields.List(fields.Nested(ActorSchema), required=True)
    machines = fields.List(fields.Nested(MachineSchema), required=True)
