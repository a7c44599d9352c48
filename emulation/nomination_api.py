"""JSON API for nominations: list, create, read, delete a draft, move on, and the dossier.

Who may call what (`emulation.nominations` holds the rules in full):

- create: heads (for their units' people and their units), officers, administrators.
- move: draft → unit_review the maker or a head of the nominee's unit; unit_review → council a
  head above the nominee's unit, officers, administrators (an incomplete dossier or a failing
  eligibility report is a 409 unless `override_reason` says why); council → decided / rejected
  only through a council ballot (409 here); announce and revoke: officers, administrators.
- dossier files: while draft or unit review, by those who may move it on; downloads check
  the file's checksum (409 when the stored bytes no longer match).
- read: officers, the council and administrators everything; heads their units' nominees and
  what they made; staff their own; deputies get 403.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response, request, send_file, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from emulation import nominations as services
from emulation.commendation_models import DossierItem, Nomination
from emulation.nomination_schemas import (
    NominationArgsSchema,
    NominationCreateSchema,
    NominationDetailSchema,
    NominationDossierItemSchema,
    NominationDossierUploadSchema,
    NominationPageSchema,
    NominationTransitionSchema,
)
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.errors import ValidationError
from lis.reference.models import Unit

blp = Blueprint(
    "emulation_nominations_api",
    __name__,
    url_prefix="/api/v1/emulation",
    description="Emulation: nominations, their dossiers and their moves",
)

_READ = require_roles(*services.READ_ROLES)
_CREATE = require_roles(*services.CREATE_ROLES)
_BINARY = {"schema": {"type": "string", "format": "binary"}}


# --------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------


def _ref(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"code": row.code, "name": row.name, "name_en": row.name_en}


def _title(code: str) -> dict[str, Any]:
    found = services.title_of(db.session(), code)
    if found is None:
        return {"code": code, "name": code, "name_en": code, "subject": ""}
    return {**(_ref(found) or {}), "subject": found.subject}


def _award(n: Nomination) -> dict[str, Any] | None:
    award = services.award_of(db.session(), n)
    if award is None:
        return None
    return {
        "id": award.id,
        "basis": award.basis,
        "kind": award.kind,
        "revoked": award.revoked,
        "revoked_reason": award.revoked_reason,
        "initiatives": sorted(i.id for i in award.initiatives),
    }


def _item(n: Nomination, item: DossierItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "name": item.name,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "uploaded_at": item.uploaded_at,
        "url": url_for(
            "emulation_nominations_api.DossierFile", nomination_id=n.id, item_id=item.id
        ),
    }


def nomination_dict(n: Nomination) -> dict[str, Any]:
    nominee_unit = n.person.unit if n.person is not None else n.unit
    report = n.eligibility_report
    return {
        "id": n.id,
        "state": n.state,
        "title": _title(n.title_code),
        "year": n.year,
        "person": {"id": n.person.id, "name": n.person.name} if n.person else None,
        "unit": _ref(n.unit),
        "nominee_unit": _ref(nominee_unit),
        "proposed_by_unit": _ref(n.proposed_by_unit),
        "movement_id": n.movement_id,
        "summary": n.summary,
        "eligibility_report_id": n.eligibility_report_id,
        "eligibility_outcome": report.outcome if report is not None else None,
        "override_reason": n.override_reason,
        "decision_note": n.decision_note,
        "award": _award(n),
        "missing_dossier": services.missing_dossier(n),
        "created_by": n.created_by.email if n.created_by else None,
        "created_at": n.created_at,
        "updated_at": n.updated_at,
    }


def detail_dict(n: Nomination) -> dict[str, Any]:
    session = db.session()
    return nomination_dict(n) | {
        "checklist": [
            {
                "kind": row.kind,
                "required": row.required,
                "provided": row.provided,
                "items": [i.id for i in row.items],
            }
            for row in services.checklist(n)
        ],
        "dossier": [_item(n, i) for i in n.dossier],
        "events": [
            {
                "id": e.id,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
                "override_reason": e.override_reason,
                "actor": e.actor_email,
                "at": e.at,
            }
            for e in n.events
        ],
        "moves": services.moves_for(session, current_user, n),
        "may_delete": services.may_delete(current_user, n),
        "may_edit_dossier": services.may_edit_dossier(session, current_user, n),
    }


def _fresh(nomination_id: int) -> dict[str, Any]:
    """The nomination as committed, read again (for answering after a change)."""
    session = db.session()
    session.expire_all()
    return detail_dict(services.get_nomination(session, nomination_id))


def unit_id_of(code: str) -> int:
    """A unit's id by code; an unknown code is a 422 naming `unit`."""
    found = db.session().scalar(select(Unit.id).where(Unit.code == code))
    if found is None:
        raise ValidationError("no such unit", {"unit": "unknown"})
    return found


# --------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------


@blp.route("/nominations")
class Nominations(MethodView):
    @_READ
    @blp.arguments(NominationArgsSchema(), location="query", as_kwargs=False)
    @blp.response(200, NominationPageSchema)
    def get(self, data: dict[str, Any]) -> dict[str, Any]:
        """Nominations the caller may read, newest year first, by state, year, title and the
        nominee's unit (with the units under it).

        Officers, the council and administrators read all; heads their units' nominees and
        what they made; staff their own; deputies get 403."""
        session = db.session()
        f = services.NominationFilter(
            state=data["state"],
            year=data["year"],
            title=data["title"],
            unit_id=unit_id_of(data["unit"]) if data["unit"] else None,
        )
        stmt = services.list_nominations(session, current_user, f)
        total, items = page_of(session, stmt, data["page"], data["per_page"])
        return {
            "total": total,
            "page": data["page"],
            "per_page": data["per_page"],
            "items": [nomination_dict(n) for n in items],
        }

    @_CREATE
    @blp.arguments(NominationCreateSchema())
    @blp.response(201, NominationDetailSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Propose a person (`person_id`) or a unit (`unit`, a code) for a title and year, as
        a draft (heads for their units' people and their units; officers, administrators).

        The title's subject must match (422 naming `person_id` or `unit`); a second live
        nomination of the same subject, title and year is a 409 naming `title`."""
        with transaction() as session:
            row = services.create(
                session,
                current_user,
                title=data["title"],
                year=data["year"],
                person_id=data["person_id"],
                unit=data["unit"],
                movement_id=data["movement_id"],
                summary=data["summary"],
            )
            row_id = row.id
        location = url_for("emulation_nominations_api.NominationItem", nomination_id=row_id)
        return _fresh(row_id), 201, {"Location": location}


@blp.route("/nominations/<int:nomination_id>")
class NominationItem(MethodView):
    @_READ
    @blp.response(200, NominationDetailSchema)
    def get(self, nomination_id: int) -> dict[str, Any]:
        """One nomination with its dossier checklist, its files, its history and the moves the
        caller may make."""
        return detail_dict(services.read_nomination(db.session(), current_user, nomination_id))

    @_CREATE
    @blp.response(204)
    def delete(self, nomination_id: int) -> None:
        """Withdraw a draft by deleting it (its maker only; 409 once submitted)."""
        with transaction() as session:
            services.delete_draft(session, current_user, nomination_id)


@blp.route("/nominations/<int:nomination_id>/transitions")
class NominationTransitions(MethodView):
    @_READ
    @blp.arguments(NominationTransitionSchema())
    @blp.response(200, NominationDetailSchema)
    def post(self, data: dict[str, Any], nomination_id: int) -> dict[str, Any]:
        """Move the nomination on: 409 with the reason when the move is not allowed from its
        state, when a ballot decides it (decided, rejected), or when the dossier is incomplete
        or the eligibility report fails and no `override_reason` is given; 403 when the caller
        may not make this move; 422 when revoking without a `note`."""
        with transaction() as session:
            services.transition(
                session,
                current_user,
                nomination_id,
                data["to"],
                note=data["note"],
                override_reason=data["override_reason"],
            )
        return _fresh(nomination_id)


def _upload() -> tuple[str, str, str, bytes]:
    """(kind, file name, claimed type, bytes) of a multipart upload; 422 naming the field."""
    if request.mimetype != "multipart/form-data":
        raise ValidationError(
            "send a multipart form with `kind` and the file in `file`", {"file": "required"}
        )
    kind = request.form.get("kind", "")
    if kind not in services.DOSSIER_KINDS:
        allowed = ", ".join(services.DOSSIER_KINDS)
        raise ValidationError("no such kind of file", {"kind": f"one of {allowed}"})
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise ValidationError("send the file in `file`", {"file": "required"})
    data = sent.stream.read(services.MAX_FILE_BYTES + 1)
    return kind, sent.filename, sent.mimetype or "", data


@blp.route("/nominations/<int:nomination_id>/dossier")
class Dossier(MethodView):
    @_READ
    @blp.doc(
        requestBody={
            "required": True,
            "content": {"multipart/form-data": {"schema": NominationDossierUploadSchema}},
        }
    )
    @blp.response(201, NominationDossierItemSchema)
    def post(self, nomination_id: int) -> Any:
        """Add a file to the dossier (multipart: `kind`, `file`), while draft or unit review,
        by those who may move the nomination on.

        The type is read from the file's first bytes (PDF, DOCX, DOC, PNG, JPEG or plain
        text; 422 naming `file` otherwise); at most 10 MB; the same file twice in one dossier
        is a 409 naming `file`. Its SHA-256 is kept and checked on every download."""
        kind, name, claimed, data = _upload()
        with transaction() as session:
            item = services.add_dossier_item(
                session,
                current_user,
                nomination_id,
                kind=kind,
                name=name,
                content_type=claimed,
                data=data,
            )
            item_id = item.id
        n = services.get_nomination(db.session(), nomination_id)
        found = next(i for i in n.dossier if i.id == item_id)
        return _item(n, found), 201


@blp.route("/nominations/<int:nomination_id>/dossier/<int:item_id>")
class DossierFile(MethodView):
    @_READ
    @blp.response(200, content_type="application/octet-stream", description="The file")
    @blp.doc(responses={"200": {"content": {"application/octet-stream": _BINARY}}})
    def get(self, nomination_id: int, item_id: int) -> Response:
        """A file of the dossier, as an attachment, once its bytes are checked against the
        checksum taken on upload (409 naming `file` when they no longer match)."""
        found = services.dossier_file(db.session(), current_user, nomination_id, item_id)
        response = send_file(
            io.BytesIO(found.data),
            mimetype="application/octet-stream",
            as_attachment=True,
            download_name=found.name,
            etag=found.sha256,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Checksum-SHA256"] = found.sha256
        return response

    @_READ
    @blp.response(204)
    def delete(self, nomination_id: int, item_id: int) -> None:
        """Take a file out of the dossier (while draft or unit review, by those who may move
        the nomination on)."""
        with transaction() as session:
            services.remove_dossier_item(session, current_user, nomination_id, item_id)
