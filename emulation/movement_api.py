"""JSON API for emulation movements, their pledges, the criteria catalogue and the titles.

Who may call what (see `emulation.movements` for the rules in full):

- GET: everyone in the Office (administrators, officers, the council, heads, staff);
  deputies get 403, emulation being the Office's internal affair.
- POST /movements, PATCH, close, review: officers, the council and administrators.
- POST pledges: staff and heads for themselves, heads for their unit, officers and
  administrators for any participant; withdraw: who filed it, officers, administrators.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from emulation import movements as services
from emulation.access import RUN_ROLES
from emulation.models import Criterion, Movement, Pledge, Title
from emulation.movement_schemas import (
    CriterionSchema,
    MovementArgsSchema,
    MovementCreateSchema,
    MovementPageSchema,
    MovementSchema,
    MovementUpdateSchema,
    PledgeCreateSchema,
    PledgeSchema,
    ReviewSchema,
    TitleSchema,
)
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction

blp = Blueprint(
    "emulation_movements_api",
    __name__,
    url_prefix="/api/v1/emulation",
    description="Emulation movements",
)

_READ = require_roles(*services.READ_ROLES)
_RUN = require_roles(*RUN_ROLES)
_PLEDGE = require_roles(*services.PLEDGE_ROLES)


def choices(data: list[dict[str, Any]] | None) -> list[services.CriterionChoice] | None:
    if data is None:
        return None
    return [
        services.CriterionChoice(code=c["code"], weight=c.get("weight"), params=c.get("params"))
        for c in data
    ]


@blp.route("/movements")
class Movements(MethodView):
    @_READ
    @blp.arguments(MovementArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, MovementPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Movements, the latest period first; `state` filters (open, closed, reviewed)."""
        session = db.session()
        stmt = services.list_movements(session, state=data.get("state"))
        total, items = page_of(session, stmt, data["page"], data["per_page"])
        return {"total": total, "page": data["page"], "per_page": data["per_page"], "items": items}

    @_RUN
    @blp.arguments(MovementCreateSchema())
    @blp.response(201, MovementSchema)
    def post(self, data: dict[str, Any]) -> Movement:
        """Launch a movement (officers, the council, administrators).

        The criteria are copied from the catalogue (its default set when none are sent) with
        the weights and parameters sent; an unknown criterion, a unit that does not exist or
        is closed, an inactive person, a participant listed twice, or a period ending before
        it starts (or outside 1990–2100) are 422 naming the field.
        """
        with transaction() as session:
            row = services.launch(
                session,
                current_user,
                name=data["name"],
                theme=data["theme"],
                slogan=data["slogan"],
                launching_unit=data["launching_unit"],
                kind=data["kind"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                units=data["participants"]["units"],
                people=data["participants"]["people"],
                criteria=choices(data["criteria"]),
            )
            row_id = row.id
        return services.get_movement(db.session(), row_id)


@blp.route("/movements/<int:movement_id>")
class MovementItem(MethodView):
    @_READ
    @blp.response(200, MovementSchema)
    def get(self, movement_id: int) -> Movement:
        """One movement with its criteria and participants."""
        return services.get_movement(db.session(), movement_id)

    @_RUN
    @blp.arguments(MovementUpdateSchema())
    @blp.response(200, MovementSchema)
    def patch(self, data: dict[str, Any], movement_id: int) -> Movement:
        """Change an open movement: name, theme, slogan, period, participants, criteria
        (officers, the council, administrators); 409 once it is closed."""
        changes: dict[str, Any] = {
            k: data[k] for k in ("name", "theme", "slogan", "start_date", "end_date") if k in data
        }
        for key in ("units", "people"):
            if key in data.get("participants", {}):
                changes[key] = data["participants"][key]
        if "criteria" in data:
            changes["criteria"] = choices(data["criteria"])
        with transaction() as session:
            services.update(session, current_user, movement_id, **changes)
        return services.get_movement(db.session(), movement_id)


@blp.route("/movements/<int:movement_id>/close")
class CloseMovement(MethodView):
    @_RUN
    @blp.response(200, MovementSchema)
    def post(self, movement_id: int) -> Movement:
        """Close an open movement (no more changes or pledges); 409 otherwise."""
        with transaction() as session:
            services.close(session, current_user, movement_id)
        return services.get_movement(db.session(), movement_id)


@blp.route("/movements/<int:movement_id>/review")
class ReviewMovement(MethodView):
    @_RUN
    @blp.arguments(ReviewSchema())
    @blp.response(200, MovementSchema)
    def post(self, data: dict[str, Any], movement_id: int) -> Movement:
        """Record the review of a closed movement with its note; 409 unless it is closed."""
        with transaction() as session:
            services.review(session, current_user, movement_id, data["note"])
        return services.get_movement(db.session(), movement_id)


@blp.route("/movements/<int:movement_id>/pledges")
class MovementPledges(MethodView):
    @_READ
    @blp.response(200, PledgeSchema(many=True))
    def get(self, movement_id: int) -> list[Pledge]:
        """A movement's pledges, standing ones first."""
        session = db.session()
        services.get_movement(session, movement_id)
        return services.pledges_of(session, movement_id)

    @_PLEDGE
    @blp.arguments(PledgeCreateSchema())
    @blp.response(201, PledgeSchema)
    def post(self, data: dict[str, Any], movement_id: int) -> Pledge:
        """File a pledge for a title while the movement is open.

        With neither `person` nor `unit`, the pledge is the caller's own. Staff and heads
        file for themselves, heads for their unit, officers and administrators for anyone
        taking part. Individual titles are for people, collective ones for units (422 naming
        `title`); a subject not taking part is 422; a second standing pledge for the same
        subject and title is 409.
        """
        with transaction() as session:
            row = services.file_pledge(
                session,
                current_user,
                movement_id,
                title=data["title"],
                person_id=data["person"],
                unit=data["unit"],
                note=data["note"],
            )
            row_id = row.id
        return services.get_pledge(db.session(), row_id)


@blp.route("/pledges/<int:pledge_id>/withdraw")
class WithdrawPledge(MethodView):
    @_PLEDGE
    @blp.response(200, PledgeSchema)
    def post(self, pledge_id: int) -> Pledge:
        """Withdraw a standing pledge while its movement is open (who filed it, officers,
        administrators); 409 otherwise."""
        with transaction() as session:
            services.withdraw_pledge(session, current_user, pledge_id)
        return services.get_pledge(db.session(), pledge_id)


@blp.route("/criteria")
class Criteria(MethodView):
    @_READ
    @blp.response(200, CriterionSchema(many=True))
    def get(self) -> list[Criterion]:
        """The criteria catalogue: what each measures, which ledger facts it reads, its
        formula (by version), default weight and parameters, and its source."""
        return services.catalogue(db.session())


@blp.route("/titles")
class Titles(MethodView):
    @_READ
    @blp.response(200, TitleSchema(many=True))
    def get(self) -> list[Title]:
        """The titles a pledge may aim for (individual or collective)."""
        return services.titles(db.session())
