"""JSON API for documents and search: schema in, service call, schema out."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from lis.db import db, page_of
from lis.documents import queries
from lis.documents.schemas import (
    DocumentListArgsSchema,
    DocumentListSchema,
    DocumentSchema,
    SearchArgsSchema,
    SearchPageSchema,
    VersionSchema,
)
from lis.documents.search import SearchArgs, hit_to_dict, search_documents
from lis.search_backend import get_backend
from search.interface import SearchPage

blp = Blueprint(
    "documents_api", __name__, url_prefix="/api/v1", description="Search and read documents"
)


def page_to_dict(page: SearchPage, args: SearchArgs) -> dict[str, Any]:
    return {
        "total": page.total,
        "page": args.page,
        "per_page": args.per_page,
        "hits": [hit_to_dict(h) for h in page.hits],
        "facets": {
            name: [{"value": v.value, "count": v.count} for v in values]
            for name, values in page.facets.items()
        },
    }


def args_from(data: dict[str, Any]) -> SearchArgs:
    return SearchArgs(
        q=data["q"],
        kind=tuple(data["kind"]),
        issuer=tuple(data["issuer"]),
        status=tuple(data["status"]),
        year_from=data["year_from"],
        year_to=data["year_to"],
        sort=data["sort"],
        page=data["page"],
        per_page=data["per_page"],
    )


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, SearchPageSchema)
    def get(self, data: dict[str, Any]) -> Response:
        """Full-text and number search with filters, facet counts and highlights."""
        args = args_from(data)
        # page_to_dict already has the schema's shape (a test checks it against the OpenAPI
        # document); returning a Response skips a second, costly marshmallow pass.
        return jsonify(page_to_dict(search_documents(get_backend(), args), args))


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
