"""JSON API for reference data: units, terms with their sessions, document kinds and kinds of
advisory work. Every logged-in user reads it; administrators create, change and close units."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from lis.auth.access import require_roles
from lis.db import db, transaction
from lis.reference import queries, services
from lis.reference.models import Unit
from lis.reference.schemas import (
    DocumentKindListSchema,
    TermListSchema,
    UnitArgsSchema,
    UnitCloseSchema,
    UnitCreateSchema,
    UnitDetailSchema,
    UnitListSchema,
    UnitSchema,
    UnitUpdateSchema,
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

    @require_roles("admin")
    @blp.arguments(UnitCreateSchema(), as_kwargs=False)
    @blp.response(201, UnitDetailSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a unit under an open parent; its code cannot change afterwards (admins)."""
        with transaction() as session:
            unit = services.create_unit(session, actor=current_user, **data)
        return queries.get_unit(db.session(), unit.code)


@blp.route("/units/<string:code>")
class UnitItem(MethodView):
    @blp.response(200, UnitDetailSchema)
    def get(self, code: str) -> Any:
        """One unit by its code, with its children (closed ones included)."""
        return queries.get_unit(db.session(), code)

    @require_roles("admin")
    @blp.arguments(UnitUpdateSchema(), as_kwargs=False)
    @blp.response(200, UnitDetailSchema)
    def patch(self, data: dict[str, Any], code: str) -> Any:
        """Rename, move (parent), re-kind or annotate a unit; only the fields sent change
        (admins)."""
        with transaction() as session:
            unit = queries.get_unit(session, code)
            services.update_unit(session, unit, actor=current_user, changes=data)
        return queries.get_unit(db.session(), code)

    @require_roles("admin")
    @blp.response(204)
    def delete(self, code: str) -> None:
        """Delete a unit entered by mistake: 409 when anything refers to it (people, documents,
        sub-units…); close it instead (admins)."""
        with transaction() as session:
            services.delete_unit(session, queries.get_unit(session, code), actor=current_user)


@blp.route("/units/<string:code>/close")
class UnitClose(MethodView):
    @require_roles("admin")
    @blp.arguments(UnitCloseSchema(), as_kwargs=False)
    @blp.response(200, UnitDetailSchema)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Close a unit from `valid_to` (its first day closed), optionally naming its successor.
        The unit keeps its row; 409 while it has active people or open sub-units (admins)."""
        with transaction() as session:
            unit = queries.get_unit(session, code)
            services.close_unit(
                session,
                unit,
                actor=current_user,
                on=data["valid_to"],
                replaced_by=data["replaced_by"],
            )
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
