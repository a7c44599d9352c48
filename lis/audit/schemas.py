"""The audit log in the API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lis.api_fields import PagedArgsSchema, UtcDateTime


class AuditArgsSchema(PagedArgsSchema):
    entity = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    entity_id = fields.String(load_default=None, validate=validate.Length(min=1, max=255))
    action = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    actor = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=254),
        metadata={"description": "The actor's e-mail"},
    )
    since = UtcDateTime(load_default=None, metadata={"description": "ISO date-time, inclusive"})
    until = UtcDateTime(load_default=None, metadata={"description": "ISO date-time, exclusive"})

    @validates_schema
    def _check(self, data: dict[str, Any], **_kw: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError("must be before until", "since")


class AuditEventSchema(Schema):
    id = fields.Integer(required=True)
    at = UtcDateTime(required=True)
    actor = fields.String(attribute="actor_email", required=True)
    action = fields.String(required=True)
    entity = fields.String(required=True)
    entity_id = fields.String(required=True)
    summary = fields.String(required=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AuditPageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(AuditEventSchema), required=True)
