"""JSON API for emulation scores: compute a snapshot, read it line by line with the facts
behind each number, reproduce it and compare two.

Who may call what (emulation/access.py): administrators, officers and the council compute
(POST). Reading needs READ_ROLES: officers, the council and administrators see every line; a
head the lines of the units they head and of the people in them; a staff member their own
line. Deputies get 403: these are the Office's internal assessments.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from emulation import scoring
from emulation.access import READ_ROLES, RUN_ROLES, reach_of, sees_line
from emulation.models import ScoreLine, ScoreSnapshot
from emulation.score_schemas import (
    ScoreLineArgsSchema,
    ScoreLineDetailSchema,
    ScoreLinePageSchema,
    SnapshotArgsSchema,
    SnapshotCreateSchema,
    SnapshotDiffArgsSchema,
    SnapshotDiffSchema,
    SnapshotPageSchema,
    SnapshotReproductionSchema,
    SnapshotSchema,
)
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.errors import ValidationError
from lis.people.models import Person
from lis.reference.models import Unit

blp = Blueprint(
    "emulation_scores_api",
    __name__,
    url_prefix="/api/v1/emulation",
    description="Emulation scores",
)

_READ = require_roles(*READ_ROLES)
_RUN = require_roles(*RUN_ROLES)


@blp.route("/snapshots")
class Snapshots(MethodView):
    @_READ
    @blp.arguments(SnapshotArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, SnapshotPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Score snapshots, newest first, of a year or a movement (or all).

        Each reader sees every snapshot's heading; which lines they see depends on their
        role (see /snapshots/{id}/lines)."""
        session = db.session()
        stmt = scoring.list_snapshots(session, year=data["year"], movement_id=data["movement_id"])
        total, items = page_of(session, stmt, data["page"], data["per_page"])
        return {"total": total, "page": data["page"], "per_page": data["per_page"], "items": items}

    @_RUN
    @blp.arguments(SnapshotCreateSchema())
    @blp.response(201, SnapshotSchema)
    def post(self, data: dict[str, Any]) -> ScoreSnapshot:
        """Compute the scores of a year (1990–2100, the catalogue's default criteria) or of a
        movement (its period, criteria and participants; any state) from the verified ledger,
        as a new snapshot pointing to the previous one of the same scope (administrators,
        officers, the council). An unknown movement is a 422 naming `movement_id`."""
        with transaction() as session:
            snap = scoring.compute(
                session,
                current_user,
                year=data["year"],
                movement_id=data["movement_id"],
                note=data["note"],
            )
            snap_id = snap.id
        return scoring.get_snapshot(db.session(), snap_id)


@blp.route("/snapshots/<int:snapshot_id>")
class SnapshotItem(MethodView):
    @_READ
    @blp.response(200, SnapshotSchema)
    def get(self, snapshot_id: int) -> ScoreSnapshot:
        """One snapshot with the criteria it used (formula versions, weights, parameters)."""
        return scoring.get_snapshot(db.session(), snapshot_id)


def _unit_id(code: str | None) -> int | None:
    if code is None:
        return None
    unit_id = db.session().scalar(select(Unit.id).where(Unit.code == code.upper()))
    if unit_id is None:
        raise ValidationError("no such unit", {"unit": "unknown"})
    return unit_id


@blp.route("/snapshots/<int:snapshot_id>/lines")
class SnapshotLines(MethodView):
    @_READ
    @blp.arguments(ScoreLineArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, ScoreLinePageSchema)
    def get(self, data: dict[str, Any], snapshot_id: int) -> dict[str, Any]:
        """The lines the caller may see: people then units, by rank (unranked last). Each
        gives every criterion's value and counts, the total, the rank and how many unverified
        contributions were set apart. `unit` keeps that unit's people and its own line."""
        session = db.session()
        stmt = scoring.visible_lines(
            session,
            current_user,
            snapshot_id,
            subject_kind=data["subject_kind"],
            unit_id=_unit_id(data["unit"]),
        )
        total, items = page_of(session, stmt, data["page"], data["per_page"])
        return {"total": total, "page": data["page"], "per_page": data["per_page"], "items": items}


@blp.route("/lines/<int:line_id>")
class LineItem(MethodView):
    @_READ
    @blp.response(200, ScoreLineDetailSchema)
    def get(self, line_id: int) -> scoring.LineDetail:
        """One line with, per criterion, the facts behind its number (contributions: draft,
        kind of work, due and delivered dates, lateness, quality, major errors, outcome;
        drafts: number and title) and the unverified contributions apart. 403 when the line
        is not the caller's to see."""
        return scoring.line_detail(db.session(), current_user, line_id)


@blp.route("/snapshots/<int:snapshot_id>/reproduce")
class Reproduce(MethodView):
    @_READ
    @blp.response(200, SnapshotReproductionSchema)
    def get(self, snapshot_id: int) -> scoring.Reproduction:
        """Score the snapshot again from the facts it stored: `exact` when every value, total
        and facts digest agrees. The differences listed are those of the lines the caller
        may see, each naming the facts changed since (no longer verified, gone, or edited
        after the snapshot)."""
        session = db.session()
        result = scoring.reproduce(session, snapshot_id)
        reach = reach_of(session, current_user)
        if reach.everything:
            return result
        ids = {d.line_id for d in result.differences}
        lines = session.scalars(select(ScoreLine).where(ScoreLine.id.in_(sorted(ids) or [-1])))
        seen = {line.id for line in lines if sees_line(reach, line)}
        shown = [d for d in result.differences if d.line_id in seen]
        return scoring.Reproduction(result.snapshot_id, result.exact, result.lines_checked, shown)


@blp.route("/snapshots/<int:snapshot_id>/diff")
class Diff(MethodView):
    @_READ
    @blp.arguments(SnapshotDiffArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, SnapshotDiffSchema)
    def get(self, data: dict[str, Any], snapshot_id: int) -> dict[str, Any]:
        """What changed from snapshot `against` (the earlier one) to this one, subject by
        subject: totals, ranks, the criteria whose value moved (old → new) and the
        contributions added or removed. Only subjects the caller may see; unchanged ones are
        left out."""
        session = db.session()
        changes = scoring.diff(session, current_user, data["against"], snapshot_id)
        people = _names(session, Person, {c.person_id for c in changes if c.person_id})
        units = _names(session, Unit, {c.unit_id for c in changes if c.subject_kind == "unit"})
        items = [
            {
                **asdict(c),
                "subject_name": people.get(c.person_id or 0, "")
                if c.subject_kind == "person"
                else units.get(c.unit_id or 0, ""),
            }
            for c in changes
        ]
        return {"old_id": data["against"], "new_id": snapshot_id, "changes": items}


def _names(session: Any, model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(model.id, model.name).where(model.id.in_(sorted(ids)))
    return dict(session.execute(stmt).tuples().all())
