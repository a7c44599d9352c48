"""The comparison of two versions in the API: arguments and the structured answer."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from lis.documents import queries
from lis.documents.compare import STATUSES
from lis.documents.comparisons import VersionComparison
from lis.documents.schemas import VersionSummarySchema


class CompareArgsSchema(Schema):
    a = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=queries.MAX_SEQ),
        metadata={"description": "The older version's number (default: the one before b)"},
    )
    b = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=queries.MAX_SEQ),
        metadata={"description": "The newer version's number (default: the latest)"},
    )


class WordChangeSchema(Schema):
    op = fields.String(
        required=True, validate=validate.OneOf(("equal", "insert", "delete", "replace"))
    )
    old = fields.String(required=True, metadata={"description": "The old side's text of the run"})
    new = fields.String(required=True, metadata={"description": "The new side's text of the run"})


class ArticleSideSchema(Schema):
    path = fields.String(allow_none=True, metadata={"description": "Anchor, e.g. dieu-5"})
    number = fields.String(allow_none=True)
    heading = fields.String(allow_none=True)


class ArticleChangeSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    old = fields.Nested(
        ArticleSideSchema, allow_none=True, metadata={"description": "null for an added article"}
    )
    new = fields.Nested(
        ArticleSideSchema, allow_none=True, metadata={"description": "null for a removed article"}
    )
    similarity = fields.Float(required=True)
    changes = fields.List(
        fields.Nested(WordChangeSchema),
        required=True,
        metadata={"description": "Word-level runs; empty when unchanged, added or removed"},
    )


class CompareSummarySchema(Schema):
    unchanged = fields.Integer(required=True)
    changed = fields.Integer(required=True)
    added = fields.Integer(required=True)
    removed = fields.Integer(required=True)
    renumbered = fields.Integer(required=True)
    renumbered_changed = fields.Integer(required=True)


class CompareDocumentSchema(Schema):
    id = fields.String(attribute="external_id", required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)


class CompareSchema(Schema):
    document = fields.Nested(CompareDocumentSchema, required=True)
    a = fields.Nested(VersionSummarySchema, required=True)
    b = fields.Nested(VersionSummarySchema, required=True)
    summary = fields.Nested(CompareSummarySchema, required=True)
    articles = fields.List(fields.Nested(ArticleChangeSchema), required=True)


def comparison_to_dict(result: VersionComparison) -> dict[str, Any]:
    articles = []
    for change in result.comparison.changes:
        old = None if change.status == "added" else change
        new = None if change.status == "removed" else change
        articles.append(
            {
                "status": change.status,
                "old": old
                and {"path": old.old_path, "number": old.old_number, "heading": old.old_heading},
                "new": new
                and {"path": new.new_path, "number": new.new_number, "heading": new.new_heading},
                "similarity": change.similarity,
                "changes": [{"op": w.op, "old": w.old, "new": w.new} for w in change.words],
            }
        )
    return {
        "document": result.document,
        "a": result.a,
        "b": result.b,
        "summary": result.comparison.counts,
        "articles": articles,
    }
