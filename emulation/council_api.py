"""JSON API for the Emulation and Commendation Council: meetings, attendance, ballots.

Who may call what (see `emulation.council` for the rules in full):

- GET: officers, council members and administrators;
- POST /council/meetings, PUT attendance, POST ballots, POST close: officers and administrators;
- heads, staff and deputies: 403 everywhere.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import Select

from emulation import council as services
from emulation.commendation_models import Ballot, CouncilMeeting
from emulation.council_schemas import (
    CouncilAttendanceUpdateSchema,
    CouncilBallotCreateSchema,
    CouncilBallotSchema,
    CouncilCloseSchema,
    CouncilMeetingArgsSchema,
    CouncilMeetingCreateSchema,
    CouncilMeetingPageSchema,
    CouncilMeetingSchema,
)
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction

blp = Blueprint(
    "emulation_council_api",
    __name__,
    url_prefix="/api/v1/emulation",
    description="Emulation: the council's meetings, attendance and ballots",
)

_READ = require_roles(*services.READ_ROLES)
_KEEP = require_roles(*services.KEEP_ROLES)


@blp.route("/council/meetings")
class Meetings(MethodView):
    @_READ
    @blp.arguments(CouncilMeetingArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, CouncilMeetingPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Council meetings, the latest first, with their quorum; `state` filters (open,
        closed)."""
        session = db.session()
        stmt: Select[tuple[CouncilMeeting]] = services.list_meetings(session, current_user)
        if data.get("state"):
            stmt = stmt.where(CouncilMeeting.state == data["state"])
        total, items = page_of(session, stmt, data["page"], data["per_page"])
        return {"total": total, "page": data["page"], "per_page": data["per_page"], "items": items}

    @_KEEP
    @blp.arguments(CouncilMeetingCreateSchema())
    @blp.response(201, CouncilMeetingSchema)
    def post(self, data: dict[str, Any]) -> CouncilMeeting:
        """Open a meeting of the listed members (officers, administrators).

        Every member starts absent; the quorum share in force on `held_on` is kept with the
        meeting. An inactive or unknown person, or one listed twice, is 422 naming `members`.
        """
        with transaction() as session:
            row = services.open_meeting(
                session,
                current_user,
                title=data["title"],
                held_on=data["held_on"],
                members=data["members"],
            )
            row_id = row.id
        return services.get_meeting(db.session(), row_id)


@blp.route("/council/meetings/<int:meeting_id>")
class MeetingItem(MethodView):
    @_READ
    @blp.response(200, CouncilMeetingSchema)
    def get(self, meeting_id: int) -> CouncilMeeting:
        """One meeting with its attendance, quorum and ballots (a secret ballot shows its
        counts only)."""
        return services.get_meeting(db.session(), meeting_id, current_user)


@blp.route("/council/meetings/<int:meeting_id>/attendance")
class MeetingAttendance(MethodView):
    @_KEEP
    @blp.arguments(CouncilAttendanceUpdateSchema())
    @blp.response(200, CouncilMeetingSchema)
    def put(self, data: dict[str, Any], meeting_id: int) -> CouncilMeeting:
        """Mark members present or absent (members not listed keep their mark); someone who
        is not a member is 422 naming `attendance`; a closed meeting is 409."""
        present = {row["person_id"]: row["present"] for row in data["attendance"]}
        with transaction() as session:
            services.record_attendance(session, current_user, meeting_id, present)
        return services.get_meeting(db.session(), meeting_id)


@blp.route("/council/meetings/<int:meeting_id>/ballots")
class MeetingBallots(MethodView):
    @_KEEP
    @blp.arguments(CouncilBallotCreateSchema())
    @blp.response(201, CouncilBallotSchema)
    def post(self, data: dict[str, Any], meeting_id: int) -> Ballot:
        """Record the council's vote on a nomination before it, which decides the nomination.

        Secret: `yes`, `no`, `abstain` and no `votes` (422 naming `votes`). Open: `votes` of
        members present; counts, if sent, must match them. The sum never exceeds the members
        present (422 naming `counts`). 409 when the meeting is closed (`state`), the quorum is
        not met (`quorum`) or the nomination is not before the council (`nomination_id`). The
        yes votes must exceed the threshold share of all members, as in force on the meeting's
        day; the ballot keeps the rule versions the nomination's eligibility stood on.
        """
        votes = data["votes"]
        with transaction() as session:
            row = services.record_ballot(
                session,
                current_user,
                meeting_id,
                data["nomination_id"],
                secret=data["secret"],
                yes=data["yes"],
                no=data["no"],
                abstain=data["abstain"],
                votes=None if votes is None else {v["person_id"]: v["choice"] for v in votes},
            )
            row_id = row.id
        return services.get_ballot(db.session(), row_id)


@blp.route("/council/meetings/<int:meeting_id>/close")
class CloseMeeting(MethodView):
    @_KEEP
    @blp.arguments(CouncilCloseSchema())
    @blp.response(200, CouncilMeetingSchema)
    def post(self, data: dict[str, Any], meeting_id: int) -> CouncilMeeting:
        """Close an open meeting with its minutes; 409 when already closed."""
        with transaction() as session:
            services.close_meeting(session, current_user, meeting_id, data["minutes"])
        return services.get_meeting(db.session(), meeting_id)
