"""Nominations in the API: what a client sends and what it gets back.

The answers are built as plain dicts by `emulation.nomination_api` (they carry what the
caller may do next, which depends on who asks); these schemas validate the input and
document both."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from emulation.commendation_models import DOSSIER_KINDS, NOMINATION_STATES
from emulation.nominations import MAX_NOTE, MAX_REASON, MAX_SUMMARY, MAX_YEAR, MIN_YEAR
from lis.api_fields import PagedArgsSchema, UtcDateTime, no_nul

CODE = validate.And(validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9_.-]+$"))
YEAR = validate.Range(min=MIN_YEAR, max=MAX_YEAR)
# Ids are database integers: anything larger cannot exist and must not reach the driver.
ID = validate.Range(min=1, max=2**31 - 1)


class NominationCreateSchema(Schema):
    title = fields.String(
        required=True, validate=CODE, metadata={"description": "A title's code, e.g. CSTDCS"}
    )
    year = fields.Integer(required=True, validate=YEAR)
    person_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ID,
        metadata={"description": "The person nominated (titles for individuals)"},
    )
    unit = fields.String(
        load_default=None,
        allow_none=True,
        validate=CODE,
        metadata={"description": "The unit nominated, by code (titles for collectives)"},
    )
    movement_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    summary = fields.String(
        load_default="", validate=validate.And(validate.Length(max=MAX_SUMMARY), no_nul)
    )


class NominationArgsSchema(PagedArgsSchema):
    state = fields.String(load_default=None, validate=validate.OneOf(NOMINATION_STATES))
    year = fields.Integer(load_default=None, validate=YEAR)
    title = fields.String(load_default=None, validate=CODE)
    unit = fields.String(
        load_default=None,
        validate=CODE,
        metadata={
            "description": "The nominee's unit (a person's unit or the unit nominated), "
            "with the units under it"
        },
    )


class NominationTransitionSchema(Schema):
    to = fields.String(
        required=True,
        validate=validate.OneOf(NOMINATION_STATES),
        metadata={
            "description": "unit_review, council, announced or revoked (a council "
            "ballot decides decided / rejected)"
        },
    )
    note = fields.String(
        load_default="",
        validate=validate.And(validate.Length(max=MAX_NOTE), no_nul),
        metadata={"description": "Required to revoke: why"},
    )
    override_reason = fields.String(
        load_default="",
        validate=validate.And(validate.Length(max=MAX_REASON), no_nul),
        metadata={
            "description": "Why the nomination may go to the council although its dossier is "
            "incomplete or its eligibility report fails (needed only then)"
        },
    )


class NominationDossierUploadSchema(Schema):
    """The multipart form of an upload (documentation only; the API reads the form)."""

    kind = fields.String(required=True, validate=validate.OneOf(DOSSIER_KINDS))
    file = fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "PDF, DOCX, DOC, PNG, JPEG or plain text, at most 10 MB",
        },
    )


class NominationRefSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)


class NominationTitleRefSchema(NominationRefSchema):
    subject = fields.String(required=True, metadata={"description": "individual | collective"})


class NominationPersonRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class NominationAwardSchema(Schema):
    id = fields.Integer(required=True)
    basis = fields.String(required=True)
    kind = fields.String(required=True)
    revoked = fields.Boolean(required=True)
    revoked_reason = fields.String(required=True)
    initiatives = fields.List(fields.Integer(), required=True)


class NominationDossierItemSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(DOSSIER_KINDS))
    name = fields.String(required=True)
    content_type = fields.String(required=True, metadata={"description": "From the file's bytes"})
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_at = UtcDateTime(required=True)
    url = fields.String(required=True, metadata={"description": "Download (checksum checked)"})


class NominationChecklistRowSchema(Schema):
    kind = fields.String(required=True)
    required = fields.Boolean(required=True)
    provided = fields.Boolean(required=True)
    items = fields.List(fields.Integer(), required=True, metadata={"description": "Item ids"})


class NominationEventSchema(Schema):
    id = fields.Integer(required=True)
    from_state = fields.String(required=True, allow_none=True)
    to_state = fields.String(required=True)
    note = fields.String(required=True)
    override_reason = fields.String(required=True)
    actor = fields.String(required=True)
    at = UtcDateTime(required=True)


class NominationSchema(Schema):
    id = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(NOMINATION_STATES))
    title = fields.Nested(NominationTitleRefSchema, required=True)
    year = fields.Integer(required=True)
    person = fields.Nested(NominationPersonRefSchema, required=True, allow_none=True)
    unit = fields.Nested(NominationRefSchema, required=True, allow_none=True)
    nominee_unit = fields.Nested(NominationRefSchema, required=True)
    proposed_by_unit = fields.Nested(NominationRefSchema, required=True)
    movement_id = fields.Integer(required=True, allow_none=True)
    summary = fields.String(required=True)
    eligibility_report_id = fields.Integer(required=True, allow_none=True)
    eligibility_outcome = fields.String(required=True, allow_none=True)
    override_reason = fields.String(required=True)
    decision_note = fields.String(required=True)
    award = fields.Nested(NominationAwardSchema, required=True, allow_none=True)
    missing_dossier = fields.List(fields.String(), required=True)
    created_by = fields.String(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class NominationDetailSchema(NominationSchema):
    checklist = fields.List(fields.Nested(NominationChecklistRowSchema), required=True)
    dossier = fields.List(fields.Nested(NominationDossierItemSchema), required=True)
    events = fields.List(fields.Nested(NominationEventSchema), required=True)
    moves = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The states the caller may move it to now"},
    )
    may_delete = fields.Boolean(required=True)
    may_edit_dossier = fields.Boolean(required=True)


class NominationPageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(NominationSchema), required=True)
