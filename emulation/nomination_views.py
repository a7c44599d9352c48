"""Pages: nominations, their dossiers and their moves.

- `/emulation/nominations/`: the nominations the reader may see, in tabs by state, filtered by
  year and title; a "new" button for heads, officers and administrators.
- `/emulation/nominations/new`: propose a person or a unit for a title and year.
- `/emulation/nominations/<id>`: the nominee, the title, the dossier checklist of the law (each
  required kind provided, with its file, size and checksum, or missing), the upload form, the
  moves the reader may make (with a note and an override reason), the eligibility report's
  outcome, and the history.
- POST `/<id>/transitions`, `/<id>/delete`, `/<id>/dossier`, `/<id>/dossier/<item_id>/delete`;
  GET `/<id>/dossier/<item_id>` downloads a file once its checksum is checked.

Who sees and does what is decided by `emulation.nominations`; deputies get 403.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from emulation import nominations as services
from emulation.commendation_models import NOMINATION_STATES, Nomination
from emulation.models import Movement
from emulation.nomination_forms import (
    DOSSIER_NAMES,
    MOVE_NAMES,
    STATE_NAMES,
    ConfirmForm,
    NominationForm,
    TransitionForm,
    UploadForm,
    options,
)
from lis import clock
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.errors import DomainError
from lis.web.labels import current_language as _lang
from lis.web.labels import localized_name as _name

bp = Blueprint(
    "emulation_nominations",
    __name__,
    url_prefix="/emulation/nominations",
    template_folder="templates",
)

PER_PAGE = 50
# Where the eligibility pages show one stored report (the first one installed is linked).
ELIGIBILITY_ENDPOINTS = ("emulation_eligibility.report", "emulation_eligibility.detail")
TABS = ("", *NOMINATION_STATES)
OUTCOME_NAMES = {
    "pass": _l("meets the rules"),
    "fail": _l("does not meet the rules"),
    "unknown": _l("cannot tell"),
}
BASIS_NAMES = {
    "excellent": _l("excellent task completion"),
    "initiative": _l("initiatives"),
    "science": _l("scientific work"),
    "other": _l("other grounds"),
}
# What a service's problem means, whatever field it is on.
PROBLEM_MESSAGES = {
    "the title is for a unit": _l("This title is for a unit: choose a unit, not a person."),
    "the title is for a person": _l("This title is for a person: choose a person, not a unit."),
    "outside your units": _l("You may nominate only your units and their people."),
    "required": _l("This is required."),
}
FIELD_MESSAGES = {
    "title": _l("Choose a title; a subject has one live nomination per title and year."),
    "year": _l("The year must be between 2000 and 2100."),
    "person_id": _l("Choose a person of your units for a title for individuals."),
    "unit": _l("Choose one of your units for a title for collectives."),
    "movement_id": _l("No such movement."),
    "summary": _l("The summary is too long."),
    "note": _l("Say why (this move needs a reason)."),
    "override_reason": _l(
        "The dossier is incomplete or the eligibility report fails: give a reason to move on "
        "anyway, or complete it first."
    ),
    "kind": _l("Choose the kind of document."),
    "file": _l("Upload a PDF, Word, PNG, JPEG or plain text file of at most 10 MB."),
}


def _when(value: dt.datetime | None) -> str:
    """A stored (naive UTC) time in the office's time zone."""
    if value is None:
        return ""
    local = value.replace(tzinfo=dt.UTC).astimezone(clock.zone())
    return local.strftime("%d/%m/%Y %H:%M" if _lang() == "vi" else "%d %b %Y %H:%M")


def _size(value: int) -> str:
    if value < 1024:
        return _("%(num)d bytes", num=value)
    if value < 1024 * 1024:
        return _("%(num).1f KB", num=value / 1024)
    return _("%(num).1f MB", num=value / (1024 * 1024))


def _title_name(code: str) -> str:
    found = services.title_of(db.session(), code)
    return _name(found) if found is not None else code


def _eligibility_url(report_id: int | None) -> str | None:
    """The eligibility report's page, when that page is installed (it is built apart)."""
    if report_id is None:
        return None
    for endpoint in ELIGIBILITY_ENDPOINTS:
        for rule in current_app.url_map.iter_rules():
            if rule.endpoint == endpoint and len(rule.arguments) == 1:
                (arg,) = rule.arguments
                return url_for(endpoint, **{arg: report_id})
    return None


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "nomination_state_label": lambda code: str(STATE_NAMES.get(code, code)),
        "nomination_kind_label": lambda code: str(DOSSIER_NAMES.get(code, code)),
        "nomination_move_label": lambda code: str(MOVE_NAMES.get(code, code)),
        "nomination_outcome_label": lambda code: str(OUTCOME_NAMES.get(code, code)),
        "nomination_basis_label": lambda code: str(BASIS_NAMES.get(code, code)),
        "nomination_name": _name,
        "nomination_when": _when,
        "nomination_size": _size,
        "nomination_title_name": _title_name,
        "nomination_decider": lambda t: t.decider_en
        if _lang() == "en" and t.decider_en
        else t.decider,
    }


def _field_message(name: str, problem: Any) -> str:
    message = PROBLEM_MESSAGES.get(str(problem)) or FIELD_MESSAGES.get(name)
    return str(message) if message is not None else str(problem)


def _page() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, 1000))


def _page_url(**changes: Any) -> str:
    params = {k: v for k, v in request.args.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v is not None and v != ""})
    for key, value in changes.items():
        if value == "":
            params.pop(key, None)
    return f"{url_for('emulation_nominations.index')}?{urlencode(params)}"


# --------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------


@bp.route("/")
@require_roles(*services.READ_ROLES)
def index() -> Any:
    session = db.session()
    state = request.args.get("state", "")
    state = state if state in NOMINATION_STATES else ""
    year = request.args.get("year", type=int)
    if year is not None and not services.MIN_YEAR <= year <= services.MAX_YEAR:
        year = None
    title = request.args.get("title", "")
    codes = [t.code for t in services.titles(session)]
    title = title if title in codes else ""
    f = services.NominationFilter(state=state or None, year=year, title=title or None)
    page = _page()
    total, rows = page_of(
        session, services.list_nominations(session, current_user, f), page, PER_PAGE
    )
    counts = services.counts_by_state(session, current_user, f)
    return render_template(
        "emulation/nominations/index.html",
        rows=rows,
        state=state,
        tabs=TABS,
        counts=counts,
        all_count=sum(counts.values()),
        year=year,
        title=title,
        titles=services.titles(session),
        total=total,
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        page_url=_page_url,
        may_create=current_user.has_role(*services.CREATE_ROLES),
        missing=services.missing_dossier,
    )


# --------------------------------------------------------------------------
# A new nomination
# --------------------------------------------------------------------------


def _fill_choices(form: NominationForm) -> None:
    session = db.session()
    form.title.choices = [(t.code, f"{_name(t)} ({t.code})") for t in services.titles(session)]
    units = services.units_for(session, current_user)
    form.unit.choices = options(
        [("", _("— not a unit —")), *((u.code, f"{u.code} — {_name(u)}") for u in units)]
    )
    people = services.people_for(session, [u.id for u in units])
    form.person_id.choices = options(
        [("", _("— not a person —")), *((str(p.id), f"{p.name} ({p.unit.code})") for p in people)]
    )
    movements = session.scalars(select(Movement).order_by(Movement.start_date.desc()).limit(200))
    form.movement_id.choices = options(
        [("", _("— none —")), *((str(m.id), m.name) for m in movements)]
    )


def _put_errors(form: Any, exc: DomainError) -> None:
    placed = False
    for name, problem in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), _field_message(name, problem)]
            placed = True
    if not placed:
        flash(exc.message, "error")


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*services.CREATE_ROLES)
def new() -> Any:
    form = NominationForm()
    _fill_choices(form)
    if request.method == "GET":
        form.year.data = clock.today().year
        form.title.data = request.args.get("title", "")
    status = 200
    if form.validate_on_submit():
        try:
            with transaction() as session:
                row = services.create(
                    session,
                    current_user,
                    title=form.title.data or "",
                    year=form.year.data or 0,
                    person_id=int(form.person_id.data) if form.person_id.data else None,
                    unit=form.unit.data or None,
                    movement_id=int(form.movement_id.data) if form.movement_id.data else None,
                    summary=form.summary.data or "",
                )
                row_id = row.id
        except DomainError as exc:
            if exc.status == 403 and not ({"person_id", "unit"} & set(exc.fields)):
                raise
            _put_errors(form, exc)
            status = exc.status if exc.status in (403, 409) else 422
        else:
            flash(_("The nomination is saved as a draft."), "info")
            return redirect(url_for("emulation_nominations.detail", nomination_id=row_id))
    elif request.method == "POST":
        if "csrf_token" in form.errors:
            abort(400)
        status = 422
    return render_template("emulation/nominations/new.html", form=form), status


# --------------------------------------------------------------------------
# One nomination
# --------------------------------------------------------------------------


def _render_detail(
    n: Nomination,
    *,
    move_errors: dict[str, dict[str, str]] | None = None,
    move_values: dict[str, str] | None = None,
    upload: UploadForm | None = None,
    status: int = 200,
) -> Any:
    session = db.session()
    report = n.eligibility_report
    return render_template(
        "emulation/nominations/detail.html",
        n=n,
        title_row=services.title_of(session, n.title_code),
        nominee_unit=n.person.unit if n.person is not None else n.unit,
        checklist=services.checklist(n),
        missing=services.missing_dossier(n),
        blockers=services.blockers(n) if n.state == "unit_review" else {},
        moves=services.moves_for(session, current_user, n),
        move_errors=move_errors or {},
        move_values=move_values or {},
        may_delete=services.may_delete(current_user, n),
        may_edit_dossier=services.may_edit_dossier(session, current_user, n),
        upload_form=upload or UploadForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        report=report,
        report_url=_eligibility_url(report.id if report is not None else None),
        award=services.award_of(session, n),
    ), status


@bp.route("/<int:nomination_id>")
@require_roles(*services.READ_ROLES)
def detail(nomination_id: int) -> Any:
    return _render_detail(services.read_nomination(db.session(), current_user, nomination_id))


def _back(nomination_id: int) -> Any:
    return redirect(url_for("emulation_nominations.detail", nomination_id=nomination_id))


def _reread(nomination_id: int) -> Nomination:
    session = db.session()
    session.rollback()
    return services.read_nomination(session, current_user, nomination_id)


@bp.route("/<int:nomination_id>/transitions", methods=["POST"])
@require_roles(*services.READ_ROLES)
def move(nomination_id: int) -> Any:
    form = TransitionForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        n = services.read_nomination(db.session(), current_user, nomination_id)
        errors = {k: str(v[0]) for k, v in form.errors.items()}
        return _render_detail(
            n, move_errors={form.to.data or "": errors}, move_values=request.form, status=422
        )
    to = form.to.data or ""
    try:
        with transaction() as session:
            services.transition(
                session,
                current_user,
                nomination_id,
                to,
                note=form.note.data or "",
                override_reason=form.override_reason.data or "",
            )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        n = _reread(nomination_id)
        errors = {name: _field_message(name, p) for name, p in exc.fields.items()}
        flash(exc.message, "error")
        return _render_detail(
            n, move_errors={to: errors}, move_values=request.form, status=exc.status
        )
    flash(_("The nomination has moved to: %(state)s.", state=STATE_NAMES.get(to, to)), "info")
    return _back(nomination_id)


@bp.route("/<int:nomination_id>/delete", methods=["POST"])
@require_roles(*services.CREATE_ROLES)
def delete(nomination_id: int) -> Any:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with transaction() as session:
            services.delete_draft(session, current_user, nomination_id)
    except DomainError as exc:
        if exc.status != 409:
            raise
        flash(_("Only a draft can be deleted."), "error")
        return _back(nomination_id)
    flash(_("The draft nomination is deleted."), "info")
    return redirect(url_for("emulation_nominations.index"))


@bp.route("/<int:nomination_id>/dossier", methods=["POST"])
@require_roles(*services.READ_ROLES)
def upload(nomination_id: int) -> Any:
    form = UploadForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        n = services.read_nomination(db.session(), current_user, nomination_id)
        return _render_detail(n, upload=form, status=422)
    sent = form.file.data
    data = sent.stream.read(services.MAX_FILE_BYTES + 1)
    try:
        with transaction() as session:
            item = services.add_dossier_item(
                session,
                current_user,
                nomination_id,
                kind=form.kind.data or "",
                name=sent.filename or "",
                content_type=sent.mimetype or "",
                data=data,
            )
            name = item.name
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        n = _reread(nomination_id)
        _put_errors(form, exc)
        return _render_detail(n, upload=form, status=exc.status)
    flash(_("The file %(name)s is added to the dossier.", name=name), "info")
    return _back(nomination_id)


@bp.route("/<int:nomination_id>/dossier/<int:item_id>")
@require_roles(*services.READ_ROLES)
def download(nomination_id: int, item_id: int) -> Any:
    """The file, once its bytes are checked against its checksum (409 when damaged)."""
    found = services.dossier_file(db.session(), current_user, nomination_id, item_id)
    response = send_file(
        io.BytesIO(found.data),
        mimetype=found.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=found.name,
        etag=found.sha256,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<int:nomination_id>/dossier/<int:item_id>/delete", methods=["POST"])
@require_roles(*services.READ_ROLES)
def remove(nomination_id: int, item_id: int) -> Any:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with transaction() as session:
            services.remove_dossier_item(session, current_user, nomination_id, item_id)
    except DomainError as exc:
        if exc.status != 409:
            raise
        flash(_("The dossier is closed once the nomination went to the council."), "error")
        return _back(nomination_id)
    flash(_("The file is removed from the dossier."), "info")
    return _back(nomination_id)
