"""JSON API for documents and search: schema in, service call, schema out."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from flask_babel import get_locale
from flask_smorest import Blueprint

from lis.db import db, page_of
from lis.documents import queries
from lis.documents.compare_schemas import CompareArgsSchema, CompareSchema, comparison_to_dict
from lis.documents.comparisons import compare_versions
from lis.documents.schemas import (
    DocumentListArgsSchema,
    DocumentListSchema,
    DocumentSchema,
    SearchArgsSchema,
    SearchPageSchema,
    VersionSchema,
)
from lis.documents.search import args_from, page_facet_labels, page_to_dict, search_documents
from lis.search_backend import get_backend

blp = Blueprint(
    "documents_api", __name__, url_prefix="/api/v1", description="Search and read documents"
)


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, SearchPageSchema)
    def get(self, data: dict[str, Any]) -> Response:
        """Full-text and number search with filters, facet counts and highlights.

        Filters on the legislative record too (origin, stage, holder, committee, term,
        session); each facet value comes with a label in the reader's language."""
        args = args_from(data)
        page = search_documents(get_backend(), args)
        labels = page_facet_labels(db.session(), page, str(get_locale() or "vi"))
        # page_to_dict already has the schema's shape (a test checks it against the OpenAPI
        # document); returning a Response skips a second, costly marshmallow pass.
        return jsonify(page_to_dict(page, args, labels))


@blp.route("/documents")
class Documents(MethodView):
    @blp.arguments(DocumentListArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, DocumentListSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Documents, newest first, filtered by metadata, a page at a time."""
        page, per_page = data.pop("page"), data.pop("per_page")
        total, items = page_of(db.session(), queries.list_documents(**data), page, per_page)
        return {"total": total, "page": page, "per_page": per_page, "items": items}


@blp.route("/documents/<string:doc_id>")
class DocumentItem(MethodView):
    @blp.response(200, DocumentSchema)
    def get(self, doc_id: str) -> Any:
        """A document's metadata and the list of its versions."""
        return queries.get_document(db.session(), doc_id)


@blp.route("/documents/<string:doc_id>/versions/<int(signed=True):n>")
class VersionItem(MethodView):
    @blp.response(200, VersionSchema)
    def get(self, doc_id: str, n: int) -> Any:
        """One version: its full text and its parts (chapters … points) as offsets into it."""
        return queries.get_version(db.session(), doc_id, n)


@blp.route("/documents/<string:doc_id>/compare")
class CompareVersions(MethodView):
    @blp.arguments(CompareArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, CompareSchema)
    def get(self, data: dict[str, Any], doc_id: str) -> dict[str, Any]:
        """Compare two versions article by article, with word-level changes inside articles."""
        result = compare_versions(db.session(), doc_id, data["a"], data["b"])
        return comparison_to_dict(result)
