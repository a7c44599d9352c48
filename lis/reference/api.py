"""JSON API for reference data (read only): units, terms with their sessions, document kinds and
kinds of advisory work."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from lis.db import db
from lis.reference import queries
from lis.reference.models import Unit
from lis.reference.schemas import (
    DocumentKindListSchema,
    TermListSchema,
    UnitArgsSchema,
    UnitDetailSchema,
    UnitListSchema,
    UnitSchema,
    WorkKindArgsSchema,
    WorkKindListSchema,
)

blp = Blueprint(
    "reference_api",
    __name__,
    url_prefix="/api/v1",
    description="Reference data: NA units, terms and sessions, document kinds, kinds of work",
)

_unit_schema = UnitSchema()


def unit_tree(units: list[Unit]) -> list[dict[str, Any]]:
    """Nest units given in tree order (parents first) under their parents; a unit whose parent
    is not among them is a root."""
    roots: list[dict[str, Any]] = []
    nodes: dict[int, dict[str, Any]] = {}
    for unit in units:
        node = nodes[unit.id] = {**_unit_schema.dump(unit), "children": []}
        parent = nodes.get(unit.parent_id) if unit.parent_id is not None else None
        (parent["children"] if parent else roots).append(node)
    return roots


@blp.route("/units")
class Units(MethodView):
    @blp.arguments(UnitArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, UnitListSchema)
    def get(self, args: dict[str, Any]) -> Response:
        """NA units, flat (each naming its parent) or as a tree; closed units carry valid_to."""
        units = queries.list_units(db.session(), kind=args["kind"], active_on=args["active_on"])
        if args["view"] == "tree":
            items = unit_tree(units)
        else:
            items = [_unit_schema.dump(u) for u in units]
        # Already in the schema's shape (the tree is built from dumped units).
        return jsonify({"total": len(units), "items": items})


@blp.route("/units/<string:code>")
class UnitItem(MethodView):
    @blp.response(200, UnitDetailSchema)
    def get(self, code: str) -> Any:
        """One unit by its code, with its children (closed ones included)."""
        return queries.get_unit(db.session(), code)


@blp.route("/terms")
class Terms(MethodView):
    @blp.response(200, TermListSchema)
    def get(self) -> dict[str, Any]:
        """NA terms, each with its sessions in order."""
        terms = queries.list_terms(db.session())
        return {"total": len(terms), "items": terms}


@blp.route("/document-kinds")
class DocumentKinds(MethodView):
    @blp.response(200, DocumentKindListSchema)
    def get(self) -> dict[str, Any]:
        """Kinds of document, with the formats of their numbers."""
        kinds = queries.list_document_kinds(db.session())
        return {"total": len(kinds), "items": kinds}


@blp.route("/work-kinds")
class WorkKinds(MethodView):
    @blp.arguments(WorkKindArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, WorkKindListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Kinds of advisory work that staff log, with the stages they belong to."""
        kinds = queries.list_work_kinds(db.session(), stage=args["stage"])
        return {"total": len(kinds), "items": kinds}
