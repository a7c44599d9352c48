"""Quality ratings in the API: what a client sends and what it gets back."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from emulation.models import BANDS
from emulation.rating_forms import reason_text
from emulation.ratings import MAX_COMMENT, MAX_OVERRIDE, MAX_YEAR, MIN_YEAR, decode_reason
from lis.api_fields import PagedArgsSchema, UtcDateTime, no_nul

UNIT = validate.And(validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9_.-]+$"))
YEAR = validate.Range(min=MIN_YEAR, max=MAX_YEAR)


class RatingSuggestSchema(Schema):
    unit = fields.String(
        required=True,
        validate=UNIT,
        metadata={"description": "The unit's code; its sub-units are rated too, each apart"},
    )
    year = fields.Integer(required=True, validate=YEAR)


class RatingDecideSchema(Schema):
    band = fields.String(required=True, validate=validate.OneOf(BANDS))
    comment = fields.String(
        load_default="",
        validate=validate.And(validate.Length(max=MAX_COMMENT), no_nul),
        metadata={"description": "Required when the band differs from the suggestion"},
    )
    cap_override_reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.And(validate.Length(max=MAX_OVERRIDE), no_nul),
        metadata={
            "description": "Why the unit may exceed its cap of excellent (needed only then; "
            "kept at the head of the comment)"
        },
    )


class RatingArgsSchema(PagedArgsSchema):
    year = fields.Integer(load_default=None, validate=YEAR)
    unit = fields.String(
        load_default=None,
        validate=UNIT,
        metadata={"description": "A unit's code: its ratings and its sub-units'"},
    )


class RatingUnitSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)


class RatedPersonSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class RatingReasonSchema(Schema):
    code = fields.String(
        required=True,
        metadata={"description": "no_score, score, disciplined, cap, cap_tie (or text)"},
    )
    params = fields.Dict(required=True)
    text = fields.String(required=True, metadata={"description": "In the request's language"})


def _reason(rating: Any) -> dict[str, Any] | None:
    reason = decode_reason(rating.suggestion_reason)
    if reason is None:
        return None
    return {"code": reason.code, "params": reason.params, "text": reason_text(reason)}


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


class RatingSchema(Schema):
    id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    person = fields.Nested(RatedPersonSchema, required=True)
    unit = fields.Nested(RatingUnitSchema, required=True)
    score = fields.Float(allow_none=True, required=True)
    snapshot_id = fields.Integer(allow_none=True, required=True)
    suggested_band = fields.String(allow_none=True, required=True)
    suggestion_reason = fields.Function(
        _reason, allow_none=True, required=True, metadata={"description": "code, params, text"}
    )
    suggested_at = UtcDateTime(allow_none=True, required=True)
    band = fields.String(allow_none=True, required=True, metadata={"description": "Decided"})
    comment = fields.String(required=True)
    decided_by = fields.Function(lambda r: _email(r.decided_by), allow_none=True, required=True)
    decided_at = UtcDateTime(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class RatingListSchema(Schema):
    year = fields.Integer(required=True)
    unit = fields.String(required=True)
    snapshot_id = fields.Integer(allow_none=True, required=True)
    items = fields.List(fields.Nested(RatingSchema), required=True)


class RatingPageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(RatingSchema), required=True)
