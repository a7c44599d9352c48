"""JSON API for relations and suggested relations."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from lis.auth.access import require_roles
from lis.db import db, transaction
from lis.documents import queries
from lis.relations import services
from lis.relations.schemas import (
    ConfirmSchema,
    DismissSchema,
    DocumentRelationsSchema,
    RelationCreateSchema,
    RelationSchema,
    SuggestResultSchema,
)

blp = Blueprint(
    "relations_api", __name__, url_prefix="/api/v1", description="Relations between documents"
)

# Who may decide on relations; administrators hold every role.
DECIDERS = ("staff", "head")


@blp.route("/documents/<string:doc_id>/relations")
class DocumentRelations(MethodView):
    @blp.response(200, DocumentRelationsSchema)
    def get(self, doc_id: str) -> Any:
        """Confirmed relations from and to a document, and the open suggestions involving it."""
        session = db.session()
        return services.relations_of(session, queries.get_document(session, doc_id))

    @require_roles(*DECIDERS)
    @blp.arguments(RelationCreateSchema)
    @blp.response(201, RelationSchema)
    def post(self, data: dict[str, Any], doc_id: str) -> Any:
        """Enter a relation by hand (staff, heads, administrators): it is confirmed at once."""
        with transaction() as session:
            source = queries.get_document(session, doc_id)
            return services.create_relation(
                session,
                source,
                current_user,
                kind=data["kind"],
                target_id=data["target"],
                cited_number=data["cited_number"],
                note=data["note"],
            )


@blp.route("/documents/<string:doc_id>/relations/suggest")
class SuggestRelations(MethodView):
    decorators = (require_roles(*DECIDERS),)

    @blp.response(200, SuggestResultSchema)
    def post(self, doc_id: str) -> Any:
        """Scan the latest version for cited numbers again; returns the new suggestions."""
        with transaction() as session:
            document = queries.get_document(session, doc_id)
            return {"created": services.suggest_for_document(session, document, current_user)}


@blp.route("/relations/<int:relation_id>/confirm")
class ConfirmRelation(MethodView):
    decorators = (require_roles(*DECIDERS),)

    @blp.arguments(ConfirmSchema)
    @blp.response(200, RelationSchema)
    def post(self, data: dict[str, Any], relation_id: int) -> Any:
        """Confirm a suggestion, optionally correcting its kind and adding a note."""
        with transaction() as session:
            return services.confirm(
                session, relation_id, current_user, kind=data["kind"], note=data["note"]
            )


@blp.route("/relations/<int:relation_id>/dismiss")
class DismissRelation(MethodView):
    decorators = (require_roles(*DECIDERS),)

    @blp.arguments(DismissSchema)
    @blp.response(200, RelationSchema)
    def post(self, data: dict[str, Any], relation_id: int) -> Any:
        """Dismiss a suggestion: it is kept, so that a new scan does not suggest it again."""
        with transaction() as session:
            return services.dismiss(session, relation_id, current_user, note=data["note"])


@blp.route("/relations/<int:relation_id>")
class RelationItem(MethodView):
    @require_roles("admin")
    @blp.response(204)
    def delete(self, relation_id: int) -> None:
        """Delete a relation (administrators); the audit log keeps what it was."""
        with transaction() as session:
            services.delete(session, relation_id, current_user)
