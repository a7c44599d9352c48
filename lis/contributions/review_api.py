"""JSON API for heads: the review queue, verification, quality ratings and outcomes.

Heads (for their unit and the units under it) and administrators (for every unit) call these;
every other role gets 403, and so does anyone on their own contribution. A change in the wrong
state is a 409 naming `state`; bad input a 422 naming the field. See `lis.contributions.review`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from lis.auth.access import require_roles
from lis.contributions import review
from lis.contributions.models import Contribution
from lis.contributions.review_schemas import (
    ReviewOutcomeSchema,
    ReviewQueueArgsSchema,
    ReviewQueuePageSchema,
    ReviewRatingSchema,
    ReviewRejectSchema,
)
from lis.contributions.schemas import ContributionSchema
from lis.db import db, page_of, transaction
from lis.documents.models import Document
from lis.errors import ValidationError
from lis.reference.models import Unit, WorkKind

blp = Blueprint("review_api", __name__, url_prefix="/api/v1", description="Reviewing contributions")

_REVIEW = require_roles(*review.REVIEW_ROLES)


def queue_filter(data: dict[str, Any]) -> review.QueueFilter:
    """Turn the query's codes into ids; an unknown unit, kind of work or draft is a 422."""
    session = db.session()
    ids: dict[str, int | None] = {"unit": None, "work_kind": None, "document": None}
    for name, column, key in (
        ("unit", Unit.id, Unit.code),
        ("work_kind", WorkKind.id, WorkKind.code),
        ("document", Document.id, Document.external_id),
    ):
        if data.get(name):
            ids[name] = session.scalar(select(column).where(key == data[name]))
            if ids[name] is None:
                raise ValidationError(f"no such {name.replace('_', ' ')}", {name: "unknown"})
    return review.QueueFilter(
        unit_id=ids["unit"],
        include_sub_units=data.get("include_sub_units", True),
        work_kind_id=ids["work_kind"],
        document_id=ids["document"],
    )


def _counts(counts: review.QueueCounts) -> dict[str, Any]:
    out = asdict(counts)
    for name in ("by_unit", "by_work_kind", "by_document"):
        out[name] = [{"key": k, "count": n} for k, n in out[name]]
    return out


def _fresh(contribution_id: int) -> Contribution:
    """The contribution as committed, with its relations, for the answer."""
    session = db.session()
    stmt = review.loaded().where(Contribution.id == contribution_id)
    return session.scalars(stmt.execution_options(populate_existing=True)).one()


@blp.route("/review/queue")
class ReviewQueue(MethodView):
    decorators = (_REVIEW,)

    @blp.arguments(ReviewQueueArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, ReviewQueuePageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Submitted contributions waiting for review, oldest delivery first, with counts.

        Heads see their unit and (by default) the units under it, and may pick any unit within
        that reach (403 naming `unit` outside it); administrators see every unit. One's own
        contributions are never in one's queue.
        """
        session = db.session()
        stmt = review.review_queue(session, current_user, f=queue_filter(data))
        total, items = page_of(session, stmt, data["page"], data["per_page"])
        return {
            "total": total,
            "page": data["page"],
            "per_page": data["per_page"],
            "counts": _counts(review.queue_counts(session, stmt)),
            "items": items,
        }


@blp.route("/contributions/<int:contribution_id>/verify")
class Verify(MethodView):
    decorators = (_REVIEW,)

    @blp.response(200, ContributionSchema)
    def post(self, contribution_id: int) -> Contribution:
        """Confirm a submitted contribution (409 in another state); it is final for its author."""
        with transaction() as session:
            review.verify(session, current_user, contribution_id)
        return _fresh(contribution_id)


@blp.route("/contributions/<int:contribution_id>/reject")
class Reject(MethodView):
    decorators = (_REVIEW,)

    @blp.arguments(ReviewRejectSchema())
    @blp.response(200, ContributionSchema)
    def post(self, data: dict[str, Any], contribution_id: int) -> Contribution:
        """Send a submitted contribution back with a `reason` (1–2000 characters); its author
        corrects and resubmits it."""
        with transaction() as session:
            review.reject(session, current_user, contribution_id, data["reason"])
        return _fresh(contribution_id)


@blp.route("/contributions/<int:contribution_id>/rating")
class Rating(MethodView):
    decorators = (_REVIEW,)

    @blp.arguments(ReviewRatingSchema())
    @blp.response(200, ContributionSchema)
    def post(self, data: dict[str, Any], contribution_id: int) -> Contribution:
        """Rate a verified contribution's `quality` (excellent, good, completed,
        not_completed) with a `comment` and the count of `major_errors` (0–100); rating again
        replaces it, and the audit log keeps each rating."""
        with transaction() as session:
            review.rate(
                session,
                current_user,
                contribution_id,
                data["quality"],
                data["comment"],
                data["major_errors"],
            )
        return _fresh(contribution_id)


@blp.route("/contributions/<int:contribution_id>/outcome")
class Outcome(MethodView):
    decorators = (_REVIEW,)

    @blp.arguments(ReviewOutcomeSchema())
    @blp.response(200, ContributionSchema)
    def post(self, data: dict[str, Any], contribution_id: int) -> Contribution:
        """Record whether a verified contribution's advice was taken up (`outcome`) in a later
        `version` of the draft (its seq); a version that is missing or not later is a 422
        naming `version`."""
        with transaction() as session:
            review.record_outcome(
                session, current_user, contribution_id, data["outcome"], data["version"]
            )
        return _fresh(contribution_id)
