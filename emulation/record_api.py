"""JSON API for the commendation records: initiatives, awards, disciplines, pending cases and
attestations of qualitative criteria.

Who may call what (`emulation.records` holds the rules in full):

- write (initiatives, awards and their revocation, disciplines, cases): officers and
  administrators;
- attest: heads for their units' people and units, officers and administrators for anyone;
- read: officers, the council and administrators everything; heads their units' and their
  people's records; staff their own; deputies get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import Select

from emulation import records
from emulation.commendation_models import (
    Attestation,
    Award,
    Discipline,
    Initiative,
    PendingCase,
)
from emulation.record_schemas import (
    RecordArgsSchema,
    RecordAttestationInSchema,
    RecordAttestationPageSchema,
    RecordAttestationSchema,
    RecordAwardArgsSchema,
    RecordAwardInSchema,
    RecordAwardPageSchema,
    RecordAwardSchema,
    RecordCaseArgsSchema,
    RecordCaseCloseSchema,
    RecordCaseInSchema,
    RecordCasePageSchema,
    RecordCaseSchema,
    RecordDisciplineInSchema,
    RecordDisciplinePageSchema,
    RecordDisciplineSchema,
    RecordInitiativeInSchema,
    RecordInitiativePageSchema,
    RecordInitiativeSchema,
    RecordRevokeSchema,
)
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction

blp = Blueprint(
    "emulation_records_api",
    __name__,
    url_prefix="/api/v1/emulation",
    description="Commendation records: initiatives, awards, disciplines, pending cases and "
    "attestations, which the title rules read",
)

_READ = require_roles(*records.READ_ROLES)
_KEEP = require_roles(*records.KEEP_ROLES)
_ATTEST = require_roles(*records.ATTEST_ROLES)


def _page(
    data: dict[str, Any], stmt: Select[Any], each: Callable[[list[Any]], Any] | None = None
) -> dict[str, Any]:
    session = db.session()
    total, items = page_of(session, stmt, data["page"], data["per_page"])
    if each is not None:
        each(items)
    return {"total": total, "page": data["page"], "per_page": data["per_page"], "items": items}


def _filters(data: dict[str, Any]) -> dict[str, Any]:
    return {"person_id": data["person_id"], "unit_id": data["unit_id"], "year": data["year"]}


# --------------------------------------------------------------------------
# Initiatives
# --------------------------------------------------------------------------


@blp.route("/initiatives")
class Initiatives(MethodView):
    @_READ
    @blp.arguments(RecordArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, RecordInitiativePageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Initiatives the caller may see, newest first: of an author (`person_id`), of a unit's
        people (`unit_id`, with its sub-units), recognised in a `year`; each with its authors
        and shares and the awards that used it."""
        session = db.session()
        stmt = records.list_initiatives(session, current_user, **_filters(data))
        return _page(data, stmt, lambda rows: records.with_awards(session, rows))

    @_KEEP
    @blp.arguments(RecordInitiativeInSchema())
    @blp.response(201, RecordInitiativeSchema)
    def post(self, data: dict[str, Any]) -> Initiative:
        """Record a recognised initiative with its authors (officers, administrators).

        Each share is above 0 and at most 1 and they sum to 1 at most (422 naming `authors`);
        `recognized_on` is not in the future."""
        with transaction() as session:
            row_id = records.create_initiative(session, current_user, **data).id
        return _initiative(row_id)


def _initiative(row_id: int) -> Initiative:
    session = db.session()
    row = records.get_initiative(session, row_id)
    records.with_awards(session, [row])
    return row


@blp.route("/initiatives/<int:initiative_id>")
class InitiativeItem(MethodView):
    @_READ
    @blp.response(200, RecordInitiativeSchema)
    def get(self, initiative_id: int) -> Initiative:
        """One initiative, with its authors and the awards that used it."""
        session = db.session()
        row = records.read_initiative(session, current_user, initiative_id)
        records.with_awards(session, [row])
        return row

    @_KEEP
    @blp.arguments(RecordInitiativeInSchema())
    @blp.response(200, RecordInitiativeSchema)
    def put(self, data: dict[str, Any], initiative_id: int) -> Initiative:
        """Replace an initiative's fields and authors (officers, administrators). An author
        whose own award used it stays (409 naming `authors`)."""
        with transaction() as session:
            records.update_initiative(session, current_user, initiative_id, **data)
        return _initiative(initiative_id)


# --------------------------------------------------------------------------
# Awards
# --------------------------------------------------------------------------


@blp.route("/awards")
class Awards(MethodView):
    @_READ
    @blp.arguments(RecordAwardArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, RecordAwardPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Awards the caller may see (revoked ones too, marked), newest year first: a person's,
        a unit's and its people's (with its sub-units), of a year, of a title."""
        stmt = records.list_awards(
            db.session(), current_user, title_code=data["title_code"], **_filters(data)
        )
        return _page(data, stmt)

    @_KEEP
    @blp.arguments(RecordAwardInSchema())
    @blp.response(201, RecordAwardSchema)
    def post(self, data: dict[str, Any]) -> Award:
        """Record a title or form received (officers, administrators).

        `person_id` for an individual title, `unit_id` for a collective one (422 naming
        `title_code` otherwise); one award per subject, title and year unless revoked (409);
        the initiatives of a person's award are theirs (422 naming `initiative_ids`)."""
        with transaction() as session:
            row_id = records.create_award(session, current_user, **data).id
        return records.get_award(db.session(), row_id)


@blp.route("/awards/<int:award_id>")
class AwardItem(MethodView):
    @_READ
    @blp.response(200, RecordAwardSchema)
    def get(self, award_id: int) -> Award:
        """One award with the initiatives it used, and its revocation if any."""
        return records.read_award(db.session(), current_user, award_id)


@blp.route("/awards/<int:award_id>/revoke")
class RevokeAward(MethodView):
    @_KEEP
    @blp.arguments(RecordRevokeSchema())
    @blp.response(200, RecordAwardSchema)
    def post(self, data: dict[str, Any], award_id: int) -> Award:
        """Revoke an award with a reason (officers, administrators). The award stays, marked
        revoked with the reason and the time; 409 when already revoked."""
        with transaction() as session:
            records.revoke_award(session, current_user, award_id, data["reason"])
        return records.get_award(db.session(), award_id)


# --------------------------------------------------------------------------
# Disciplines
# --------------------------------------------------------------------------


@blp.route("/disciplines")
class Disciplines(MethodView):
    @_READ
    @blp.arguments(RecordArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, RecordDisciplinePageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Disciplinary measures the caller may see, newest first (`year`: decided in it)."""
        return _page(data, records.list_disciplines(db.session(), current_user, **_filters(data)))

    @_KEEP
    @blp.arguments(RecordDisciplineInSchema())
    @blp.response(201, RecordDisciplineSchema)
    def post(self, data: dict[str, Any]) -> Discipline:
        """Record a disciplinary measure (officers, administrators); `decided_on` not in the
        future, `effective_to` not before it."""
        with transaction() as session:
            row = records.create_discipline(session, current_user, **data)
            row_id = row.id
        return db.session().get(Discipline, row_id)  # type: ignore[return-value]


# --------------------------------------------------------------------------
# Pending cases
# --------------------------------------------------------------------------


@blp.route("/cases")
class Cases(MethodView):
    @_READ
    @blp.arguments(RecordCaseArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, RecordCasePageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Pending cases the caller may see, newest first (`year`: open at some time in it;
        `open`: not closed yet)."""
        stmt = records.list_cases(
            db.session(), current_user, open_only=data["open"], **_filters(data)
        )
        return _page(data, stmt)

    @_KEEP
    @blp.arguments(RecordCaseInSchema())
    @blp.response(201, RecordCaseSchema)
    def post(self, data: dict[str, Any]) -> PendingCase:
        """Open a case about a person or a unit (officers, administrators): while open it
        blocks any proposal for its subject."""
        with transaction() as session:
            row_id = records.open_case(session, current_user, **data).id
        return records.get_case(db.session(), row_id)


@blp.route("/cases/<int:case_id>/close")
class CloseCase(MethodView):
    @_KEEP
    @blp.arguments(RecordCaseCloseSchema())
    @blp.response(200, RecordCaseSchema)
    def post(self, data: dict[str, Any], case_id: int) -> PendingCase:
        """Close a case, once (409 after), on a day between its opening and today."""
        with transaction() as session:
            records.close_case(session, current_user, case_id, **data)
        return records.get_case(db.session(), case_id)


# --------------------------------------------------------------------------
# Attestations
# --------------------------------------------------------------------------


@blp.route("/attestations")
class Attestations(MethodView):
    @_READ
    @blp.arguments(RecordArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, RecordAttestationPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Attestations the caller may see, by year (newest first) and criterion."""
        return _page(data, records.list_attestations(db.session(), current_user, **_filters(data)))

    @_ATTEST
    @blp.arguments(RecordAttestationInSchema())
    @blp.response(201, RecordAttestationSchema)
    def post(self, data: dict[str, Any]) -> Attestation:
        """Attest whether a qualitative criterion holds for a person or a unit and a year, in
        the caller's name (heads for their units' people and units, officers and
        administrators for anyone, nobody for themselves). Attesting the same criterion again
        replaces the earlier word; the audit log keeps both."""
        with transaction() as session:
            row_id = records.attest(session, current_user, **data).id
        return db.session().get(Attestation, row_id)  # type: ignore[return-value]
