"""JSON API for yearly quality ratings: suggest from the scores, list, read, decide.

Who may call what (`emulation.ratings` holds the rules in full):

- suggest: officers and administrators for any unit, heads for their units.
- decide: heads of the person's unit or above it, administrators; never one's own rating.
- read: officers, the council and administrators every rating; heads their units'; staff
  their own; deputies get 403.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from emulation import ratings
from emulation.models import QualityRating
from emulation.rating_schemas import (
    RatingArgsSchema,
    RatingDecideSchema,
    RatingListSchema,
    RatingPageSchema,
    RatingSchema,
    RatingSuggestSchema,
)
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.errors import ValidationError
from lis.reference.models import Unit

blp = Blueprint(
    "emulation_ratings_api",
    __name__,
    url_prefix="/api/v1/emulation",
    description="Yearly quality ratings: suggested from the scores, decided by heads",
)

_READ = require_roles(*ratings.READ_ROLES)
_SUGGEST = require_roles(*ratings.SUGGEST_ROLES)
_DECIDE = require_roles(*ratings.DECIDE_ROLES)


def unit_id_of(code: str) -> int:
    """A unit's id by code; an unknown code is a 422 naming `unit`."""
    found = db.session().scalar(select(Unit.id).where(Unit.code == code))
    if found is None:
        raise ValidationError("no such unit", {"unit": "unknown"})
    return found


@blp.route("/ratings")
class Ratings(MethodView):
    @_READ
    @blp.arguments(RatingArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, RatingPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Ratings the caller may see, by year (newest first), unit and score.

        Officers, the council and administrators see all; heads their unit and the units under
        it; staff their own; deputies get 403. `unit` includes its sub-units.
        """
        session = db.session()
        unit_id = unit_id_of(data["unit"]) if data.get("unit") else None
        stmt = ratings.list_ratings(session, current_user, year=data["year"], unit_id=unit_id)
        total, items = page_of(session, stmt, data["page"], data["per_page"])
        return {"total": total, "page": data["page"], "per_page": data["per_page"], "items": items}


@blp.route("/ratings/suggest")
class SuggestRatings(MethodView):
    @_SUGGEST
    @blp.arguments(RatingSuggestSchema())
    @blp.response(200, RatingListSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Suggest the year's bands for a unit (and each unit under it, the cap counted per
        unit) from the latest yearly score snapshot; 409 when the year has none.

        Decided bands are never changed: only the suggestion beside them is refreshed.
        Officers and administrators for any unit, heads for their units.
        """
        with transaction() as session:
            rows = ratings.suggest_for_unit(
                session, current_user, unit_id_of(data["unit"]), data["year"]
            )
            ids = [r.id for r in rows]
            snapshot = ratings.latest_year_snapshot(session, data["year"])
        return {
            "year": data["year"],
            "unit": data["unit"],
            "snapshot_id": snapshot.id if snapshot else None,
            "items": ratings.by_ids(db.session(), ids),
        }


@blp.route("/ratings/<int:rating_id>")
class RatingItem(MethodView):
    @_READ
    @blp.response(200, RatingSchema)
    def get(self, rating_id: int) -> QualityRating:
        """One rating, with its suggestion (band and reason) and the head's decision."""
        return ratings.read_rating(db.session(), current_user, rating_id)


@blp.route("/ratings/<int:rating_id>/decide")
class DecideRating(MethodView):
    @_DECIDE
    @blp.arguments(RatingDecideSchema())
    @blp.response(200, RatingSchema)
    def post(self, data: dict[str, Any], rating_id: int) -> QualityRating:
        """Record the decided band (heads of the person's unit or above, administrators;
        never one's own).

        A band that differs from the suggestion needs a `comment` (422). "excellent" beyond
        the unit's cap for the year is 409 unless `cap_override_reason` says why.
        """
        with transaction() as session:
            ratings.decide(
                session,
                current_user,
                rating_id,
                data["band"],
                data["comment"],
                data["cap_override_reason"],
            )
        return ratings.get_rating(db.session(), rating_id)
