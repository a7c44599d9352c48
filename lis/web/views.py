"""Pages: search with facets, and a document with its text and article navigation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import select

from lis.db import db
from lis.documents import queries
from lis.documents.models import KIND_LABELS, Document
from lis.documents.search import MAX_WINDOW, search_documents
from lis.drafts.views import document_context
from lis.search_backend import get_backend
from lis.web.labels import format_count, format_day, template_globals
from lis.web.outline import outline
from lis.web.search_page import (
    SearchLinks,
    active_filters,
    facet_groups,
    load_args,
    page_numbers,
    raw_args,
)
from search.interface import SearchPage, SearchUnavailable

bp = Blueprint("web", __name__)
bp.app_context_processor(template_globals)
bp.add_app_template_filter(format_day, "date")
bp.add_app_template_filter(format_count, "number")


def _documents_by_id(ids: Sequence[str]) -> dict[str, Document]:
    """Issuer and dates for the hits of one page: a single query."""
    if not ids:
        return {}
    rows = db.session().scalars(select(Document).where(Document.external_id.in_(ids)))
    return {d.external_id: d for d in rows}


@bp.route("/")
def search() -> Any:
    args, errors = load_args(raw_args())
    page: SearchPage | None = None
    unavailable = False
    try:
        page = search_documents(get_backend(), args)
    except SearchUnavailable:
        unavailable = True
    status = 400 if errors else (503 if unavailable else 200)
    links = SearchLinks(args)
    last_page = 0
    if page is not None and page.total:
        last_page = min(-(-page.total // args.per_page), MAX_WINDOW // args.per_page)
    return render_template(
        "search.html",
        args=args,
        page=page,
        errors=errors,
        unavailable=unavailable,
        kind_labels=KIND_LABELS,
        links=links,
        docs=_documents_by_id([h.id for h in page.hits]) if page else {},
        filters=active_filters(args, links),
        facets=facet_groups(page, args, links) if page else [],
        last_page=last_page,
        page_numbers=page_numbers(args.page, last_page),
        first_rank=(args.page - 1) * args.per_page + 1,
    ), status


@bp.route("/documents/<string:doc_id>")
def document(doc_id: str) -> Any:
    doc = queries.get_document(db.session(), doc_id)
    version = queries.select_version(doc, request.args.get("v", type=int))
    return render_template(
        "document.html",
        doc=doc,
        document=doc,  # the name other areas' panels (relations, assignments) expect
        version=version,
        kind_labels=KIND_LABELS,
        outline=outline(version.text, queries.part_rows(db.session(), version.id))
        if version is not None
        else None,
        **document_context(doc),
    )
