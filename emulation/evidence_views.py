"""Pages: the evidence pack of a nomination (issue 8 item 7), as a web page, a PDF to sign and
an XLSX workbook, all three from the same `emulation.evidence.assemble`.

- `/emulation/evidence/<id>`: the pack on screen (printable).
- `/emulation/evidence/<id>.pdf`: the same template laid out for A4 by WeasyPrint, with the
  nomination in the header, "Trang X/Y" in the footer and the chair's and secretary's
  signature block at the end.
- `/emulation/evidence/<id>.xlsx`: one sheet per section.

Officers, council members and administrators read every pack; a head those of their units'
nominees; a staff member their own; deputies get 403. Reading is not audited: nothing changes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, render_template, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from emulation import evidence
from emulation.evidence import EvidencePack
from emulation.score_views import (
    COUNT_NAMES,
    OUTCOME_NAMES,
    QUALITY_NAMES,
    plain_number,
    score_number,
)
from emulation.score_views import moment as score_moment
from lis.auth.access import require_roles
from lis.db import db
from lis.web.labels import current_language as _lang

bp = Blueprint(
    "emulation_evidence", __name__, url_prefix="/emulation/evidence", template_folder="templates"
)

READ_ROLES = ("officer", "council", "head", "staff")  # admins hold every role
PDF_MIME = "application/pdf"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DASH = "—"

NOMINATION_STATES = {
    "draft": _l("Draft nomination"),
    "unit_review": _l("Under unit review"),
    "council": _l("Before the council"),
    "decided": _l("Decided by the council"),
    "rejected": _l("Not approved by the council"),
    "announced": _l("Announced"),
    "revoked": _l("Revoked"),
}
RULE_OUTCOMES = {"pass": _l("Met"), "fail": _l("Not met"), "unknown": _l("Cannot tell")}
LEVELS = {
    "grassroots": _l("Grassroots level"),
    "na_agencies": _l("NA agencies level"),
    "ministry": _l("Ministry level"),
    "national": _l("National level"),
}
TITLE_KINDS = {"title": _l("Emulation title"), "form": _l("Form of commendation")}
CONTRIBUTION_STATES = {
    "submitted": _l("Waiting for verification"),
    "verified": _l("Verified"),
    "rejected": _l("Returned to the author"),
}
INITIATIVE_SCOPES = {
    "grassroots": _l("Grassroots"),
    "na_agencies": _l("NA agencies"),
    "ministry": _l("Ministry"),
    "national": _l("Nationwide"),
}
AWARD_BASES = {
    "excellent": _l("Excellent rating"),
    "initiative": _l("Initiative"),
    "science": _l("Scientific work"),
    "other": _l("Other achievements"),
}
AWARD_KINDS = {
    "regular": _l("Regular"),
    "thematic": _l("Thematic"),
    "extraordinary": _l("Extraordinary"),
}
DOSSIER_KINDS = {
    "request": _l("Request letter"),
    "achievement_report": _l("Achievement report"),
    "minutes": _l("Review minutes"),
    "initiative_certification": _l("Initiative certification"),
    "other": _l("Other document"),
}
VOTE_CHOICES = {"yes": _l("Yes"), "no": _l("No"), "abstain": _l("Abstain")}
BALLOT_RESULTS = {"passed": _l("Passed"), "failed": _l("Not passed")}


def _label(names: Mapping[str, Any], code: str | None) -> str:
    return str(names.get(code, code)) if code else ""


def _name(obj: Any) -> str:
    """A reference row's name in the reader's language."""
    if obj is None:
        return ""
    english = getattr(obj, "name_en", "")
    return english if _lang() == "en" and english else obj.name


def _decider(title: Any) -> str:
    if title is None:
        return ""
    return title.decider_en if _lang() == "en" and title.decider_en else title.decider


def _percent(share: float | None) -> str:
    return DASH if share is None else f"{plain_number(round(share * 100, 1))} %"


def _size(n: int) -> str:
    if n < 1024:
        return _("%(n)s bytes", n=n)
    if n < 1024 * 1024:
        return f"{plain_number(round(n / 1024, 1))} KB"
    return f"{plain_number(round(n / 1024 / 1024, 1))} MB"


def pack_heading(pack: EvidencePack) -> str:
    """What names the pack on screen, in the PDF's header and in the file names' title."""
    title = _name(pack.title) if pack.title is not None else pack.nomination.title_code
    return _(
        "Nomination No. %(id)s: %(nominee)s, %(title)s, %(year)s",
        id=pack.nomination.id,
        nominee=pack.nominee.name,
        title=title,
        year=pack.nomination.year,
    )


def template_helpers() -> dict[str, Any]:
    """The labels and formats the pack's templates use (the PDF passes them explicitly)."""
    return {
        "ev_heading": pack_heading,
        "ev_name": _name,
        "ev_decider": _decider,
        "ev_state": lambda code: _label(NOMINATION_STATES, code),
        "ev_outcome": lambda code: _label(RULE_OUTCOMES, code),
        "ev_level": lambda code: _label(LEVELS, code),
        "ev_title_kind": lambda code: _label(TITLE_KINDS, code),
        "ev_contribution_state": lambda code: _label(CONTRIBUTION_STATES, code),
        "ev_quality": lambda code: _label(QUALITY_NAMES, code),
        "ev_result": lambda code: _label(OUTCOME_NAMES, code),
        "ev_count": lambda code: _label(COUNT_NAMES, code),
        "ev_scope": lambda code: _label(INITIATIVE_SCOPES, code),
        "ev_basis": lambda code: _label(AWARD_BASES, code),
        "ev_award_kind": lambda code: _label(AWARD_KINDS, code),
        "ev_dossier_kind": lambda code: _label(DOSSIER_KINDS, code),
        "ev_vote": lambda code: _label(VOTE_CHOICES, code),
        "ev_ballot_result": lambda code: _label(BALLOT_RESULTS, code),
        "ev_number": score_number,
        "ev_plain": plain_number,
        "ev_percent": _percent,
        "ev_moment": score_moment,
        "ev_size": _size,
        "ev_bands": ("excellent", "good", "completed", "not_completed"),
        "DASH": DASH,
    }


bp.context_processor(template_helpers)


def _pack(nomination_id: int) -> EvidencePack:
    return evidence.assemble(db.session(), current_user, nomination_id)


def _file_name(pack: EvidencePack, extension: str) -> str:
    code = re.sub(r"[^A-Za-z0-9_-]+", "-", pack.nomination.title_code)[:40] or "title"
    return f"lis-evidence-{pack.nomination.id}-{code}-{pack.nomination.year}.{extension}"


@bp.get("/<int:nomination_id>")
@require_roles(*READ_ROLES)
def page(nomination_id: int) -> Any:
    return render_template("emulation/evidence/pack.html", pack=_pack(nomination_id))


@bp.get("/<int:nomination_id>.pdf")
@require_roles(*READ_ROLES)
def pdf(nomination_id: int) -> Any:
    from emulation.evidence_pdf import render_pdf

    pack = _pack(nomination_id)
    return send_file(
        io.BytesIO(render_pdf(pack)),
        mimetype=PDF_MIME,
        as_attachment=False,
        download_name=_file_name(pack, "pdf"),
        max_age=0,
    )


@bp.get("/<int:nomination_id>.xlsx")
@require_roles(*READ_ROLES)
def xlsx(nomination_id: int) -> Any:
    from emulation.evidence_xlsx import workbook_of

    pack = _pack(nomination_id)
    return send_file(
        io.BytesIO(workbook_of(pack)),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=_file_name(pack, "xlsx"),
        max_age=0,
    )
