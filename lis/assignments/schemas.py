"""Assignments in the API: what a client sends and what it gets back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lis import clock
from lis.api_fields import PagedArgsSchema, UtcDateTime, no_nul
from lis.assignments.models import STATES
from lis.assignments.services import LIST_STATES, MAX_TEXT, MAX_TITLE
from lis.drafts.machine import stage_label

CODE = validate.And(validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9_.-]+$"))
DOC_ID = validate.And(validate.Length(min=1, max=255), no_nul)
# Ids are database integers: anything larger cannot exist and must not reach the driver.
ID = validate.Range(min=1, max=2**31 - 1)


def today() -> dt.date:
    return clock.today()


class AssignmentCreateSchema(Schema):
    document = fields.String(
        required=True,
        validate=DOC_ID,
        metadata={"description": "The draft's id (as in /api/v1/documents/{doc_id})"},
    )
    stage = fields.String(
        required=True, validate=CODE, metadata={"description": "A stage code, e.g. S_VERIFY"}
    )
    work_kind = fields.String(
        required=True, validate=CODE, metadata={"description": "A kind of work's code"}
    )
    unit = fields.String(
        required=True, validate=CODE, metadata={"description": "The assignee unit's code"}
    )
    person = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ID,
        metadata={"description": "A person in the unit (id), when one person is asked"},
    )
    title = fields.String(
        load_default="",
        validate=validate.And(validate.Length(max=MAX_TITLE), no_nul),
        metadata={"description": "Defaults to the kind of work's name"},
    )
    description = fields.String(
        load_default="", validate=validate.And(validate.Length(max=MAX_TEXT), no_nul)
    )
    due_date = fields.Date(required=True)


class AssignmentUpdateSchema(Schema):
    """Only the fields sent change; moving to another unit drops the person unless one is
    named in the new unit."""

    unit = fields.String(validate=CODE)
    person = fields.Integer(allow_none=True, validate=ID)
    title = fields.String(validate=validate.And(validate.Length(min=1, max=MAX_TITLE), no_nul))
    description = fields.String(validate=validate.And(validate.Length(max=MAX_TEXT), no_nul))
    due_date = fields.Date()

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_kw: Any) -> None:
        if not data:
            raise ValidationError("send at least one field to change", "_schema")


class CloseSchema(Schema):
    note = fields.String(
        load_default="", validate=validate.And(validate.Length(max=MAX_TEXT), no_nul)
    )


class AssignmentArgsSchema(PagedArgsSchema):
    unit = fields.String(load_default=None, validate=CODE, metadata={"description": "Unit code"})
    include_sub_units = fields.Boolean(load_default=False)
    person = fields.Integer(load_default=None, validate=ID, metadata={"description": "Person id"})
    document = fields.String(
        load_default=None,
        validate=DOC_ID,
        metadata={"description": "A draft's id"},
    )
    state = fields.String(
        load_default=None,
        validate=validate.OneOf(LIST_STATES),
        metadata={"description": "open, done, cancelled, or overdue (open and past due)"},
    )
    mine = fields.Boolean(
        load_default=False, metadata={"description": "Only work given to me as a person"}
    )


class RefSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)


class DocumentRefSchema(Schema):
    id = fields.String(attribute="external_id", required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    stage = fields.String(allow_none=True)


class PersonRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


class AssignmentSchema(Schema):
    id = fields.Integer(required=True)
    document = fields.Nested(DocumentRefSchema, required=True)
    stage = fields.String(required=True)
    stage_label = fields.Function(lambda a: stage_label(a.stage, "vi"), required=True)
    stage_label_en = fields.Function(lambda a: stage_label(a.stage, "en"), required=True)
    work_kind = fields.Nested(RefSchema, required=True)
    unit = fields.Nested(RefSchema, required=True)
    person = fields.Nested(PersonRefSchema, allow_none=True, required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    due_date = fields.Date(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    overdue = fields.Function(lambda a: a.days_late(today()) > 0, required=True)
    days_late = fields.Function(lambda a: a.days_late(today()), required=True)
    assigned_by = fields.Function(lambda a: _email(a.assigned_by), allow_none=True, required=True)
    closed_at = UtcDateTime(allow_none=True, required=True)
    closed_by = fields.Function(lambda a: _email(a.closed_by), allow_none=True, required=True)
    close_note = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class AssignmentPageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(AssignmentSchema), required=True)
