"""Reviewing contributions in the API: what heads send and what the queue answers."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from lis.api_fields import PagedArgsSchema, no_nul
from lis.contributions.models import OUTCOMES, QUALITY_BANDS
from lis.contributions.review import MAX_COMMENT, MAX_MAJOR_ERRORS, MAX_REASON
from lis.contributions.schemas import ContributionSchema


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be blank")


CODE = validate.And(validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9_.-]+$"))
DOC_ID = validate.And(validate.Length(min=1, max=255), no_nul)


class ReviewQueueArgsSchema(PagedArgsSchema):
    unit = fields.String(
        load_default=None,
        validate=CODE,
        metadata={"description": "A unit code (default: the head's own unit; all for admins)"},
    )
    include_sub_units = fields.Boolean(
        load_default=True, metadata={"description": "With the units under it (default true)"}
    )
    work_kind = fields.String(
        load_default=None, validate=CODE, metadata={"description": "A kind of work's code"}
    )
    document = fields.String(
        load_default=None, validate=DOC_ID, metadata={"description": "A draft's id"}
    )


class ReviewRejectSchema(Schema):
    reason = fields.String(
        required=True,
        validate=validate.And(validate.Length(min=1, max=MAX_REASON), _not_blank, no_nul),
        metadata={"description": "Why it goes back to its author (shown to them)"},
    )


class ReviewRatingSchema(Schema):
    quality = fields.String(
        required=True,
        validate=validate.OneOf(QUALITY_BANDS),
        metadata={"description": "excellent, good, completed or not_completed (DESIGN §2)"},
    )
    comment = fields.String(
        load_default="", validate=validate.And(validate.Length(max=MAX_COMMENT), no_nul)
    )
    major_errors = fields.Integer(
        load_default=0,
        strict=True,
        validate=validate.Range(min=0, max=MAX_MAJOR_ERRORS),
        metadata={"description": "How many major errors the work had"},
    )


class ReviewOutcomeSchema(Schema):
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(OUTCOMES),
        metadata={"description": "accepted, partly_accepted or not_accepted"},
    )
    version = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={
            "description": "The later version of the draft (its seq) the outcome refers to: "
            "after the version the advice concerns, or dated on or after the delivery"
        },
    )


class ReviewCountSchema(Schema):
    key = fields.String(required=True)
    count = fields.Integer(required=True)


class ReviewQueueCountsSchema(Schema):
    total = fields.Integer(required=True)
    late = fields.Integer(required=True)
    by_unit = fields.List(fields.Nested(ReviewCountSchema), required=True)
    by_work_kind = fields.List(fields.Nested(ReviewCountSchema), required=True)
    by_document = fields.List(fields.Nested(ReviewCountSchema), required=True)


class ReviewQueuePageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    counts = fields.Nested(ReviewQueueCountsSchema, required=True)
    items = fields.List(fields.Nested(ContributionSchema), required=True)
