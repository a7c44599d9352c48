"""Pages: import past contributions from XLSX; the advisers panel of a draft.

- `/contributions/history/import`: heads (for their units and sub-units) and administrators
  upload a sheet; the page shows the row-by-row report. Nothing is imported unless every row
  passes (see `lis.contributions.history`).
- `/contributions/history/template.xlsx`: the sheet to fill in, with a sheet of valid codes.
- The advisers panel (`contributions/_advisers.html`) is included by the document page; its
  data comes from the `advisers_panel_for` template global registered here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

from lis.auth.access import require_roles
from lis.contributions import advisers, history
from lis.contributions.advisers import AdvisersPanel
from lis.contributions.history_api import IMPORT_ROLES, compare_url, file_url
from lis.contributions.history_forms import ImportForm
from lis.db import db, transaction
from lis.documents.models import Document
from lis.errors import ValidationError
from lis.web.labels import current_language

bp = Blueprint("contribution_history", __name__, url_prefix="/contributions/history")

STATE_NAMES = {
    "submitted": _l("Awaiting verification"),
    "verified": _l("Verified"),
    "rejected": _l("Rejected"),
}
QUALITY_NAMES = {
    "excellent": _l("Completed the task excellently"),
    "good": _l("Completed the task well"),
    "completed": _l("Completed the task"),
    "not_completed": _l("Did not complete the task"),
}
OUTCOME_NAMES = {
    "accepted": _l("Accepted"),
    "partly_accepted": _l("Partly accepted"),
    "not_accepted": _l("Not accepted"),
}
TRACE_NAMES = {
    "unchanged": _l("Unchanged"),
    "changed": _l("Changed"),
    "removed": _l("Removed"),
    "renumbered": _l("Renumbered"),
    "renumbered_changed": _l("Renumbered and changed"),
    "unknown": _l("Not in this version"),
}
# What a refused row's reason means, per column, in the UI language (the raw reason follows).
COLUMN_HINTS = {
    "document": _l("No draft has this id or number."),
    "stage": _l("Give a stage code or its name, one of the draft's procedure."),
    "work_kind": _l("Give a kind-of-work code of this stage (see the Codes sheet)."),
    "person": _l("The e-mail must be that of a person of your unit or its sub-units."),
    "unit": _l("The person must belong to this unit."),
    "title": _l("Name the deliverable (at most 500 characters)."),
    "due_date": _l("The due date must not be before the draft was created nor years ahead."),
    "delivered_date": _l(
        "The delivery date must not be in the future nor before the draft was created."
    ),
    "version": _l("This version does not belong to the draft."),
    "articles": _l("These articles are not in the chosen version."),
}


def advisers_panel_for(document: Document | None) -> AdvisersPanel | None:
    """The panel of `document` for the reader, or None when there is nothing to show (a
    document that is not a draft and that nobody advised on)."""
    if document is None or not current_user.is_authenticated:
        return None
    panel = advisers.advisers_panel(db.session(), current_user, document, current_language())
    if not panel.stages and getattr(document, "origin", None) != "draft":
        return None
    return panel


def _label(names: dict[str, Any], code: str | None) -> str:
    return str(names.get(code, code)) if code else ""


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "advisers_panel_for": advisers_panel_for,
        "adviser_state_label": lambda code: _label(STATE_NAMES, code),
        "adviser_quality_label": lambda code: _label(QUALITY_NAMES, code),
        "adviser_outcome_label": lambda code: _label(OUTCOME_NAMES, code),
        "adviser_trace_label": lambda code: _label(TRACE_NAMES, code),
        "adviser_compare_url": lambda item, anchor=None: compare_url(item, anchor),
        "adviser_file_url": file_url,
        "adviser_name": _name,
    }


def _name(obj: Any) -> str:
    """A reference row's (unit, kind of work) name in the reader's language."""
    if obj is None:
        return ""
    en = current_language() == "en"
    return obj.name_en if en and getattr(obj, "name_en", "") else obj.name


def _render(form: ImportForm, report: history.ImportReport | None, status: int = 200) -> Any:
    return render_template(
        "contributions/history/import.html",
        form=form,
        report=report,
        columns=history.COLUMNS,
        hints={k: str(v) for k, v in COLUMN_HINTS.items()},
        lang=current_language(),
        max_rows=history.MAX_ROWS,
        queue_url=_queue_url(),
    ), status


def _queue_url() -> str | None:
    """The review queue, where imported rows wait (its endpoint belongs to another module)."""
    for endpoint in ("review.queue", "review.index"):
        try:
            return url_for(endpoint)
        except BuildError:
            continue
    return None


@bp.route("/import", methods=["GET", "POST"])
@require_roles(*IMPORT_ROLES)
def import_sheet() -> Any:
    form = ImportForm()
    if not form.validate_on_submit():
        return _render(form, None, 422 if form.is_submitted() else 200)
    upload = form.file.data
    data = upload.stream.read(history.MAX_BYTES + 1)
    try:
        with transaction() as session:
            report = history.import_sheet(session, current_user, data, upload.filename or "")
    except history.ImportRefused as exc:
        return _render(form, exc.report, 422)
    except ValidationError as exc:
        form.file.errors = [*form.file.errors, _file_message(exc)]
        return _render(form, None, 422)
    return _render(ImportForm(formdata=None), report)


def _file_message(exc: ValidationError) -> str:
    problem = str(exc.fields.get("file", ""))
    if problem.startswith("missing columns"):
        return _("The first row must name the columns; missing: %(cols)s", cols=problem[17:])
    messages = {
        "empty": _("The file is empty."),
        "no rows": _("The sheet has no rows to import."),
        "not an XLSX workbook": _("The file is not an XLSX workbook (Excel 2007 or later)."),
        "unreadable workbook": _("The workbook cannot be read."),
        "no sheet": _("The workbook has no sheet."),
    }
    if problem in messages:
        return messages[problem]
    if problem.startswith("larger than"):
        return _("The file is larger than 5 MB.")
    if problem.startswith("more than"):
        return _("The sheet has more than %(n)d rows.", n=history.MAX_ROWS)
    return exc.message


@bp.route("/template.xlsx")
@require_roles(*IMPORT_ROLES)
def template() -> Any:
    """The sheet to fill in (headers in the reader's language; either language imports)."""
    data = history.template_xlsx(db.session(), current_language())
    name = "contributions-template.xlsx" if current_language() == "en" else "mau-dong-gop.xlsx"
    return Response(
        data,
        mimetype=history.XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
