"""The API's contract for relations between documents."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lis.api_fields import UtcDateTime
from lis.relations.models import KINDS, MAX_NUMBER, STATES
from lis.relations.services import MAX_NOTE


class RelatedDocumentSchema(Schema):
    id = fields.String(attribute="external_id", required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)


class RelationSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    detected_kind = fields.String(allow_none=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    source = fields.Nested(RelatedDocumentSchema, required=True)
    target = fields.Nested(
        RelatedDocumentSchema,
        allow_none=True,
        metadata={"description": "null when the cited number is not in the database"},
    )
    cited_number = fields.String(required=True)
    version = fields.Function(
        lambda r: r.version.seq if r.version is not None else None,
        allow_none=True,
        metadata={"description": "The version of the source whose text cites the number"},
    )
    context = fields.String(allow_none=True, metadata={"description": "Words around the number"})
    note = fields.String(allow_none=True)
    created_by_id = fields.Integer(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime(required=True)


class DocumentRelationsSchema(Schema):
    document = fields.Nested(RelatedDocumentSchema, required=True)
    outgoing = fields.List(
        fields.Nested(RelationSchema),
        required=True,
        metadata={"description": "Confirmed relations from this document to others"},
    )
    incoming = fields.List(
        fields.Nested(RelationSchema),
        required=True,
        metadata={"description": "Confirmed relations from other documents to this one"},
    )
    suggestions = fields.List(
        fields.Nested(RelationSchema),
        required=True,
        metadata={"description": "Suggested relations from or to this document, undecided"},
    )


class SuggestResultSchema(Schema):
    created = fields.List(fields.Nested(RelationSchema), required=True)


_NOTE = fields.String(load_default=None, validate=validate.Length(max=MAX_NOTE))


class RelationCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    target = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=255),
        metadata={"description": "The id of the related document, when it is in the database"},
    )
    cited_number = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=MAX_NUMBER),
        metadata={"description": "Its number, when it is not"},
    )
    note = _NOTE

    @validates_schema
    def _check(self, data: dict[str, Any], **_kw: Any) -> None:
        if not data.get("target") and not (data.get("cited_number") or "").strip():
            raise ValidationError("give a target document or a cited number", "target")


class ConfirmSchema(Schema):
    kind = fields.String(
        load_default=None,
        validate=validate.OneOf(KINDS),
        metadata={"description": "The corrected kind, when the suggestion's is wrong"},
    )
    note = fields.String(load_default=None, validate=validate.Length(max=MAX_NOTE))


class DismissSchema(Schema):
    note = fields.String(load_default=None, validate=validate.Length(max=MAX_NOTE))
