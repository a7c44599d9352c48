"""JSON API for assignments of advisory work.

Who may call what (see `lis.assignments.services` for the rules in full):

- POST (assign), PATCH, complete, cancel: heads and administrators, each within their reach
  (a head's unit and the units under it); the person an assignment names may also complete it.
- GET: administrators, officers and the council read every assignment (they follow the whole
  process and the emulation of work); heads read their reach and what they assigned; staff read
  their own and their units'. Deputies get 403: these are the Office's internal task lists.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from lis import clock
from lis.assignments import services
from lis.assignments.models import Assignment
from lis.assignments.schemas import (
    AssignmentArgsSchema,
    AssignmentCreateSchema,
    AssignmentPageSchema,
    AssignmentSchema,
    AssignmentUpdateSchema,
    CloseSchema,
)
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.documents.models import Document
from lis.errors import ValidationError
from lis.reference.models import Unit

blp = Blueprint(
    "assignments_api", __name__, url_prefix="/api/v1", description="Assignments of advisory work"
)

_READ = require_roles(*services.READ_ROLES)
_WRITE = require_roles(*services.WRITE_ROLES)
_COMPLETE = require_roles("head", "staff")


def filter_from(data: dict[str, Any]) -> services.AssignmentFilter:
    """Turn the query's codes into ids; an unknown unit or document is a 422 naming it."""
    session = db.session()
    unit_id = document_id = None
    if data.get("unit"):
        unit_id = session.scalar(select(Unit.id).where(Unit.code == data["unit"]))
        if unit_id is None:
            raise ValidationError("no such unit", {"unit": "unknown"})
    if data.get("document"):
        document_id = session.scalar(
            select(Document.id).where(Document.external_id == data["document"])
        )
        if document_id is None:
            raise ValidationError("no such document", {"document": "unknown"})
    return services.AssignmentFilter(
        unit_id=unit_id,
        include_sub_units=data.get("include_sub_units", False),
        person_id=data.get("person"),
        document_id=document_id,
        state=data.get("state"),
        mine=data.get("mine", False),
    )


@blp.route("/assignments")
class Assignments(MethodView):
    @_READ
    @blp.arguments(AssignmentArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, AssignmentPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Assignments the caller may read, soonest due first.

        Administrators, officers and the council read all; heads their unit, the units under
        it and what they assigned; staff their own and their units'; deputies get 403.
        `state=overdue` is open work whose due date has passed.
        """
        session = db.session()
        stmt = services.list_assignments(session, current_user, filter_from(data), clock.today())
        total, items = page_of(session, stmt, data["page"], data["per_page"])
        return {"total": total, "page": data["page"], "per_page": data["per_page"], "items": items}

    @_WRITE
    @blp.arguments(AssignmentCreateSchema())
    @blp.response(201, AssignmentSchema)
    def post(self, data: dict[str, Any]) -> Assignment:
        """Assign work on a draft (heads within their unit and below; administrators).

        The stage must be one of the draft's procedure and fit the kind of work; the person,
        if any, must be in the unit; the due date may not precede the draft nor lie more than
        five years ahead. Problems are 422 naming the field.
        """
        with transaction() as session:
            row = services.assign(
                session,
                current_user,
                document=data["document"],
                stage=data["stage"],
                work_kind=data["work_kind"],
                unit=data["unit"],
                person_id=data["person"],
                title=data["title"],
                description=data["description"],
                due_date=data["due_date"],
            )
            row_id = row.id
        return services.get_assignment(db.session(), row_id)


@blp.route("/assignments/<int:assignment_id>")
class AssignmentItem(MethodView):
    @_READ
    @blp.response(200, AssignmentSchema)
    def get(self, assignment_id: int) -> Assignment:
        """One assignment, when the caller may read it (see the list for who reads what)."""
        return services.read_assignment(db.session(), current_user, assignment_id)

    @_WRITE
    @blp.arguments(AssignmentUpdateSchema())
    @blp.response(200, AssignmentSchema)
    def patch(self, data: dict[str, Any], assignment_id: int) -> Assignment:
        """Change the due date, person, unit, title or description of open work (the
        assigning head, heads above the unit, administrators); 409 once it is closed."""
        changes: dict[str, Any] = {}
        for field, arg in (
            ("unit", "unit"),
            ("person", "person_id"),
            ("title", "title"),
            ("description", "description"),
            ("due_date", "due_date"),
        ):
            if field in data:
                changes[arg] = data[field]
        with transaction() as session:
            services.update(session, current_user, assignment_id, **changes)
        return services.get_assignment(db.session(), assignment_id)


@blp.route("/assignments/<int:assignment_id>/complete")
class CompleteAssignment(MethodView):
    @_COMPLETE
    @blp.arguments(CloseSchema())
    @blp.response(200, AssignmentSchema)
    def post(self, data: dict[str, Any], assignment_id: int) -> Assignment:
        """Mark open work done (the person it names, the heads who may change it,
        administrators); 409 once it is closed."""
        with transaction() as session:
            services.complete(session, current_user, assignment_id, data["note"])
        return services.get_assignment(db.session(), assignment_id)


@blp.route("/assignments/<int:assignment_id>/cancel")
class CancelAssignment(MethodView):
    @_WRITE
    @blp.arguments(CloseSchema())
    @blp.response(200, AssignmentSchema)
    def post(self, data: dict[str, Any], assignment_id: int) -> Assignment:
        """Cancel open work (the assigning head, heads above the unit, administrators);
        409 once it is closed."""
        with transaction() as session:
            services.cancel(session, current_user, assignment_id, data["note"])
        return services.get_assignment(db.session(), assignment_id)
