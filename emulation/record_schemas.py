"""Commendation records in the API: what a client sends and what it gets back."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from emulation import records
from emulation.commendation_models import (
    AWARD_BASES,
    AWARD_KINDS,
    CASE_KINDS,
    DISCIPLINE_FORMS,
    INITIATIVE_SCOPES,
)
from lis.api_fields import PagedArgsSchema, UtcDateTime, no_nul

ID = validate.Range(min=1, max=records.MAX_ID)
YEAR = validate.Range(min=records.MIN_YEAR, max=records.MAX_YEAR)
TITLE_CODE = validate.And(validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9_.-]+$"))


def _text(limit: int, *, required: bool = False, **meta: Any) -> fields.String:
    if required:
        return fields.String(
            required=True,
            validate=validate.And(validate.Length(min=1, max=limit), no_nul),
            metadata=meta,
        )
    return fields.String(
        load_default="", validate=validate.And(validate.Length(max=limit), no_nul), metadata=meta
    )


# --------------------------------------------------------------------------
# In
# --------------------------------------------------------------------------


class RecordArgsSchema(PagedArgsSchema):
    person_id = fields.Integer(load_default=None, validate=ID)
    unit_id = fields.Integer(
        load_default=None,
        validate=ID,
        metadata={"description": "A unit: its records and its people's, with its sub-units'"},
    )
    year = fields.Integer(load_default=None, validate=YEAR)


class RecordAwardArgsSchema(RecordArgsSchema):
    title_code = fields.String(load_default=None, validate=TITLE_CODE)


class RecordCaseArgsSchema(RecordArgsSchema):
    open = fields.Boolean(
        load_default=False, metadata={"description": "Only the cases not closed yet"}
    )


class RecordAuthorInSchema(Schema):
    person_id = fields.Integer(required=True, validate=ID)
    share = fields.Float(
        load_default=1.0,
        validate=validate.Range(min=0, max=1, min_inclusive=False),
        metadata={"description": "Above 0, at most 1; the authors' shares sum to 1 at most"},
    )


class RecordInitiativeInSchema(Schema):
    title = _text(records.MAX_TITLE, required=True)
    summary = _text(records.MAX_SUMMARY)
    recognized_by_unit_id = fields.Integer(
        required=True, validate=ID, metadata={"description": "The unit that recognised it"}
    )
    recognized_on = fields.Date(required=True, metadata={"description": "Not in the future"})
    scope = fields.String(required=True, validate=validate.OneOf(INITIATIVE_SCOPES))
    decision_no = _text(records.MAX_DECISION_NO)
    applied_effectively = fields.Boolean(load_default=True)
    authors = fields.List(
        fields.Nested(RecordAuthorInSchema),
        required=True,
        validate=validate.Length(min=1, max=records.MAX_AUTHORS),
    )


class RecordAwardInSchema(Schema):
    person_id = fields.Integer(load_default=None, validate=ID)
    unit_id = fields.Integer(load_default=None, validate=ID)
    title_code = fields.String(
        required=True,
        validate=TITLE_CODE,
        metadata={"description": "A title of the catalogue fitting the subject"},
    )
    year = fields.Integer(required=True, validate=YEAR)
    basis = fields.String(load_default="other", validate=validate.OneOf(AWARD_BASES))
    kind = fields.String(load_default="regular", validate=validate.OneOf(AWARD_KINDS))
    decision_no = _text(records.MAX_DECISION_NO)
    decision_date = fields.Date(load_default=None, allow_none=True)
    initiative_ids = fields.List(
        fields.Integer(validate=ID),
        load_default=list,
        validate=validate.Length(max=records.MAX_AWARD_INITIATIVES),
        metadata={"description": "For a person's award: initiatives they authored"},
    )


class RecordRevokeSchema(Schema):
    reason = _text(records.MAX_REASON, required=True)


class RecordDisciplineInSchema(Schema):
    person_id = fields.Integer(required=True, validate=ID)
    form = fields.String(required=True, validate=validate.OneOf(DISCIPLINE_FORMS))
    decided_on = fields.Date(required=True)
    effective_to = fields.Date(load_default=None, allow_none=True)
    decision_no = _text(records.MAX_DECISION_NO)
    note = _text(records.MAX_NOTE)


class RecordCaseInSchema(Schema):
    person_id = fields.Integer(load_default=None, validate=ID)
    unit_id = fields.Integer(load_default=None, validate=ID)
    kind = fields.String(required=True, validate=validate.OneOf(CASE_KINDS))
    opened_on = fields.Date(required=True)
    note = _text(records.MAX_NOTE)


class RecordCaseCloseSchema(Schema):
    closed_on = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "Today when not given"}
    )
    note = _text(records.MAX_NOTE)


class RecordAttestationInSchema(Schema):
    person_id = fields.Integer(load_default=None, validate=ID)
    unit_id = fields.Integer(load_default=None, validate=ID)
    year = fields.Integer(required=True, validate=YEAR)
    criterion = fields.String(
        required=True,
        validate=validate.Regexp(records.CRITERION_PATTERN),
        metadata={"description": "e.g. " + ", ".join(records.KNOWN_CRITERIA)},
    )
    holds = fields.Boolean(load_default=True)
    note = _text(records.MAX_NOTE)


# --------------------------------------------------------------------------
# Out
# --------------------------------------------------------------------------


class RecordPersonRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit_id = fields.Integer(required=True)


class RecordUnitRefSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)


class RecordAuthorSchema(Schema):
    person = fields.Nested(RecordPersonRefSchema, required=True)
    share = fields.Float(required=True)


class RecordAwardRefSchema(Schema):
    id = fields.Integer(required=True)
    title_code = fields.String(required=True)
    year = fields.Integer(required=True)
    person_id = fields.Integer(allow_none=True, required=True)
    unit_id = fields.Integer(allow_none=True, required=True)
    revoked = fields.Boolean(required=True)


class RecordInitiativeSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    recognized_by = fields.Nested(RecordUnitRefSchema, required=True)
    recognized_on = fields.Date(required=True)
    scope = fields.String(required=True)
    decision_no = fields.String(required=True)
    applied_effectively = fields.Boolean(required=True)
    authors = fields.List(fields.Nested(RecordAuthorSchema), required=True)
    awards = fields.Function(
        lambda row: [RecordAwardRefSchema().dump(a) for a in getattr(row, "used_by", ())],
        required=True,
        metadata={"description": "The awards (revoked too) that used it"},
    )
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class RecordInitiativeRefSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    recognized_on = fields.Date(required=True)
    scope = fields.String(required=True)


class RecordAwardSchema(Schema):
    id = fields.Integer(required=True)
    person = fields.Nested(RecordPersonRefSchema, allow_none=True, required=True)
    unit = fields.Nested(RecordUnitRefSchema, allow_none=True, required=True)
    title_code = fields.String(required=True)
    year = fields.Integer(required=True)
    basis = fields.String(required=True)
    kind = fields.String(required=True)
    decision_no = fields.String(required=True)
    decision_date = fields.Date(allow_none=True, required=True)
    initiatives = fields.List(fields.Nested(RecordInitiativeRefSchema), required=True)
    revoked = fields.Boolean(required=True)
    revoked_reason = fields.String(required=True)
    revoked_at = UtcDateTime(allow_none=True, required=True)
    nomination_id = fields.Integer(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)


class RecordDisciplineSchema(Schema):
    id = fields.Integer(required=True)
    person = fields.Nested(RecordPersonRefSchema, required=True)
    form = fields.String(required=True)
    decided_on = fields.Date(required=True)
    effective_to = fields.Date(allow_none=True, required=True)
    decision_no = fields.String(required=True)
    note = fields.String(required=True)
    created_at = UtcDateTime(required=True)


class RecordCaseSchema(Schema):
    id = fields.Integer(required=True)
    person = fields.Nested(RecordPersonRefSchema, allow_none=True, required=True)
    unit = fields.Nested(RecordUnitRefSchema, allow_none=True, required=True)
    kind = fields.String(required=True)
    opened_on = fields.Date(required=True)
    closed_on = fields.Date(allow_none=True, required=True)
    note = fields.String(required=True)
    created_at = UtcDateTime(required=True)


class RecordAttestationSchema(Schema):
    id = fields.Integer(required=True)
    person = fields.Nested(RecordPersonRefSchema, allow_none=True, required=True)
    unit = fields.Nested(RecordUnitRefSchema, allow_none=True, required=True)
    year = fields.Integer(required=True)
    criterion = fields.String(required=True)
    holds = fields.Boolean(required=True)
    note = fields.String(required=True)
    attested_by = fields.String(
        attribute="attested_by_email", required=True, metadata={"description": "E-mail"}
    )
    attested_at = UtcDateTime(required=True)


def _page(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict(
        {
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "items": fields.List(fields.Nested(item), required=True),
        },
        name=name,
    )


RecordInitiativePageSchema = _page(RecordInitiativeSchema, "RecordInitiativePageSchema")
RecordAwardPageSchema = _page(RecordAwardSchema, "RecordAwardPageSchema")
RecordDisciplinePageSchema = _page(RecordDisciplineSchema, "RecordDisciplinePageSchema")
RecordCasePageSchema = _page(RecordCaseSchema, "RecordCasePageSchema")
RecordAttestationPageSchema = _page(RecordAttestationSchema, "RecordAttestationPageSchema")
