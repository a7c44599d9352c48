"""marshmallow schemas: the API's contract for documents and search."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lis.api_fields import UtcDateTime
from lis.documents.models import KINDS, ORIGINS, STATUSES
from lis.documents.search import MAX_WINDOW
from lis.drafts.machine import STAGES
from search.interface import SORTS

KIND_CODES = tuple(KINDS.values())
MAX_QUERY = 500
# Codes and keys are checked for their form only: a well-formed code that names no unit, term
# or session matches nothing (like an unknown issuer), and closed units keep working.
UNIT_CODE = r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$"
TERM_CODE = r"^[IVXLCivxlc]{1,8}$"
SESSION_KEY = r"^[IVXLCivxlc]{1,8}-[Bb]?[0-9]{1,3}$"


def _codes(pattern: str, what: str, description: str) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Regexp(pattern, error=f"not a valid {what}")),
        load_default=list,
        metadata={"description": description},
    )


class SearchArgsSchema(Schema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_QUERY),
        metadata={
            "description": "Text, a document number, or both; with or "
            'without diacritics. "Quoted words" form a phrase; -word excludes.'
        },
    )
    kind = fields.List(
        fields.String(validate=validate.OneOf(KIND_CODES)),
        load_default=list,
        metadata={"description": "Filter by kind (repeatable)"},
    )
    issuer = fields.List(
        fields.String(validate=validate.Length(min=1, max=500)),
        load_default=list,
        metadata={"description": "Filter by issuer"},
    )
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)), load_default=list)
    origin = fields.List(
        fields.String(validate=validate.OneOf(ORIGINS)),
        load_default=list,
        metadata={"description": "imported (the corpus) or draft (made in LIS) (repeatable)"},
    )
    stage = fields.List(
        fields.String(validate=validate.OneOf(tuple(STAGES))),
        load_default=list,
        metadata={"description": "Filter by stage code, e.g. S_VERIFY (repeatable)"},
    )
    holder = _codes(UNIT_CODE, "unit code", "Unit holding the draft, e.g. UB-PLTP (repeatable)")
    committee = _codes(
        UNIT_CODE, "unit code", "Lead verifying committee, e.g. UB-PLTP (repeatable)"
    )
    term = _codes(TERM_CODE, "term code", "NA term, e.g. XV (repeatable)")
    session = _codes(
        SESSION_KEY,
        "session key",
        'Planned session: "XV-9" for the 9th session of term XV, "XV-B2" for its 2nd '
        "irregular session (repeatable)",
    )
    adviser = _codes(
        UNIT_CODE,
        "unit code",
        "Unit that advised on the document (a contribution submitted or verified), "
        "e.g. UB-PLTP-V (repeatable)",
    )
    year_from = fields.Integer(load_default=None, validate=validate.Range(1800, 2100))
    year_to = fields.Integer(load_default=None, validate=validate.Range(1800, 2100))
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_WINDOW))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))

    @validates_schema
    def _check(self, data: dict[str, Any], **_kw: Any) -> None:
        lo, hi = data.get("year_from"), data.get("year_to")
        if lo is not None and hi is not None and lo > hi:
            raise ValidationError("must not be after year_to", "year_from")
        if data.get("page", 1) * data.get("per_page", 20) > MAX_WINDOW:
            raise ValidationError(f"page × per_page must stay within {MAX_WINDOW}", "page")


class HighlightsSchema(Schema):
    title = fields.List(fields.String())
    body = fields.List(fields.String())


class HitSchema(Schema):
    id = fields.String(required=True, metadata={"description": "The imported document's id"})
    number = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    score = fields.Float(required=True)
    highlights = fields.Nested(
        HighlightsSchema,
        required=True,
        metadata={"description": "HTML: text escaped, matches in <mark>"},
    )


class FacetValueSchema(Schema):
    value = fields.String(required=True, metadata={"description": "What to filter on"})
    count = fields.Integer(required=True)
    label = fields.String(
        required=True,
        metadata={"description": "The value's name in the reader's language (or the value)"},
    )


class SearchPageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    hits = fields.List(fields.Nested(HitSchema), required=True)
    facets = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)), required=True
    )


class DocumentListArgsSchema(Schema):
    kind = fields.List(fields.String(validate=validate.OneOf(KIND_CODES)), load_default=list)
    issuer = fields.String(load_default=None, validate=validate.Length(min=1, max=500))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    year_from = fields.Integer(load_default=None, validate=validate.Range(1800, 2100))
    year_to = fields.Integer(load_default=None, validate=validate.Range(1800, 2100))
    number = fields.String(load_default=None, validate=validate.Length(min=1, max=120))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_WINDOW))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))

    @validates_schema
    def _check(self, data: dict[str, Any], **_kw: Any) -> None:
        if data.get("page", 1) * data.get("per_page", 20) > MAX_WINDOW:
            raise ValidationError(f"page × per_page must stay within {MAX_WINDOW}", "page")


class VersionSummarySchema(Schema):
    n = fields.Integer(attribute="seq", required=True)
    label = fields.String(required=True)
    date = fields.Date(attribute="version_date", allow_none=True)
    source = fields.String(allow_none=True)
    text_kind = fields.String(allow_none=True)
    created_at = UtcDateTime(required=True)


class DocumentSummarySchema(Schema):
    id = fields.String(attribute="external_id", required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    issuer = fields.String(allow_none=True)
    issuer_normalized = fields.String(allow_none=True)
    issued_date = fields.Date(allow_none=True)
    effective_date = fields.Date(allow_none=True)
    status = fields.String(required=True)


class DocumentListSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(DocumentSummarySchema), required=True)


class DocumentSchema(DocumentSummarySchema):
    summary = fields.String(allow_none=True)
    metadata_complete = fields.Boolean(required=True)
    topics = fields.List(fields.String(), required=True)
    source = fields.String(allow_none=True)
    license = fields.String(allow_none=True)
    versions = fields.List(fields.Nested(VersionSummarySchema), required=True)


class PartSchema(Schema):
    ordinal = fields.Integer(required=True)
    parent = fields.Integer(attribute="parent_ordinal", allow_none=True)
    kind = fields.String(required=True)
    number = fields.String(required=True)
    heading = fields.String(required=True)
    path = fields.String(required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)


class VersionSchema(VersionSummarySchema):
    document_id = fields.Function(lambda v: v.document.external_id, required=True)
    text = fields.String(required=True)
    parts = fields.List(fields.Nested(PartSchema), required=True)
