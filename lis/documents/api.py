"""JSON API for documents and search: schema in, service call, schema out."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from lis.db import db
from lis.documents import queries
from lis.documents.schemas import (
    DocumentListArgsSchema,
    DocumentSchema,
    DocumentSummarySchema,
    SearchArgsSchema,
    SearchPageSchema,
    VersionSchema,
)
from lis.documents.search import SearchArgs, search_documents
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
        "hits": [
            {
                "id": h.id,
                "number": h.number,
                "title": h.title,
                "kind": h.kind,
                "score": round(h.score, 4),
                "highlights": {k: list(v) for k, v in h.highlights.items()},
            }
            for h in page.hits
        ],
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
    @blp.arguments(SearchArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, SearchPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Full-text and number search with filters, facet counts and highlights."""
        args = args_from(data)
        return page_to_dict(search_documents(get_backend(), args), args)


@blp.route("/documents")
class Documents(MethodView):
    @blp.arguments(DocumentListArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, DocumentSummarySchema(many=True))
    @blp.paginate()
    def get(self, data: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Documents, newest first, filtered by metadata. Paginated (X-Pagination header)."""
        from sqlalchemy import func, select

        stmt = queries.list_documents(**data)
        session = db.session()
        pagination_parameters.item_count = session.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        )
        page = pagination_parameters
        return list(session.scalars(stmt.offset(page.first_item).limit(page.page_size)))


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
