"""Pages for drafts: the list, a new draft, edit it, add a version, move a stage.

Thin over `lis.drafts.services`: a form checks what a browser gets wrong, the service decides
the rest, and its field problems are shown next to the form's fields. The draft itself is shown
on the document page (`lis.web.views.document`), which carries the "Move stage" form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session

from lis import clock
from lis.db import db, page_of, transaction
from lis.documents.models import Document
from lis.drafts import queries, services
from lis.drafts.forms import (
    PROBLEMS,
    DraftEditForm,
    DraftForm,
    StageForm,
    VersionForm,
    options,
)
from lis.drafts.machine import STAGES, stage_label
from lis.errors import DomainError, PermissionDenied
from lis.reference.models import Session as NASession
from lis.reference.models import Term, Unit
from lis.web.labels import current_language

bp = Blueprint("drafts", __name__, url_prefix="/drafts")
PER_PAGE = 25


def show_errors(form: FlaskForm, exc: DomainError) -> list[str]:
    """Put each field problem next to its field; return what no field of `form` shows."""
    rest: list[str] = []
    for name, problem in exc.fields.items():
        text = str(PROBLEMS.get(str(problem), problem))
        if name in form and name != "csrf_token":
            form[name].errors = [*form[name].errors, text]
        elif not isinstance(problem, list):
            rest.append(text)
    if exc.status in (403, 409) or not exc.fields:
        rest.append(exc.message)
    return list(dict.fromkeys(rest))


def unit_name(unit: Unit | None) -> str:
    if unit is None:
        return ""
    return unit.name_en if current_language() == "en" else unit.name


def _unit_pairs(
    session: Session, blank: str | None, kinds: tuple[str, ...] | None = None
) -> list[tuple[str, str]]:
    today = clock.today()
    stmt = select(Unit).order_by(Unit.code)
    if kinds is not None:
        stmt = stmt.where(Unit.kind.in_(kinds))
    units = [u for u in session.scalars(stmt) if u.active_on(today)]
    out = [("", blank)] if blank is not None else []
    return out + [(u.code, f"{u.code} · {unit_name(u)}") for u in units]


def _session_name(s: NASession) -> str:
    if s.kind == "irregular":
        return _("Irregular session %(n)s, term %(t)s", n=s.number, t=s.term.code)
    return _("Session %(n)s, term %(t)s", n=s.number, t=s.term.code)


def _fill_choices(session: Session, form: DraftForm) -> None:
    form.drafting_unit.choices = options(
        _unit_pairs(session, _("— none (an outside body drafts) —"))
    )
    form.lead_unit.choices = options(_unit_pairs(session, "", services.VERIFYING_KINDS))
    terms = list(session.scalars(select(Term).order_by(Term.number.desc())))
    form.term.choices = options([(t.code, t.code) for t in terms])
    sessions = session.scalars(
        select(NASession).join(Term).order_by(Term.number.desc(), NASession.start_date.desc())
    )
    form.planned_sessions.choices = options(
        [(services.session_key(s), _session_name(s)) for s in sessions]
    )


def _form_data(form: DraftForm) -> dict[str, Any]:
    data = {
        "title": form.title.data,
        "summary": form.summary.data,
        "drafting_agency": form.drafting_agency.data,
        "drafting_unit": form.drafting_unit.data or None,
        "lead_unit": form.lead_unit.data,
        "term": form.term.data or None,
        "planned_sessions": form.planned_sessions.data or [],
        "subjects": [s.strip() for s in (form.subjects.data or "").split(",") if s.strip()],
        "procedure": form.procedure.data,
    }
    if getattr(form, "kind", None) is not None:
        data["kind"] = form.kind.data
        data["adopted_by"] = form.adopted_by.data
    return data


@bp.route("/")
def index() -> Any:
    """Drafts, most recently changed first, filtered by stage and lead unit."""
    session = db.session()
    stage = request.args.get("stage") or None
    stage = stage if stage in STAGES else None
    lead = (request.args.get("lead_unit") or "").strip()[:40] or None
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 400))
    total, drafts = page_of(
        session, services.list_drafts(stage=stage, lead_unit=lead), page, PER_PAGE
    )
    used_stages = sorted(
        {s for s in session.scalars(select(Document.stage).where(Document.origin == "draft")) if s},
        key=list(STAGES).index,
    )
    return render_template(
        "drafts/list.html",
        drafts=drafts,
        total=total,
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        stage=stage,
        lead_unit=lead,
        stages=[(s, stage_label(s, current_language())) for s in used_stages],
        units=_unit_pairs(session, None),
        may_create=services.may_create(session, current_user),
        unit_name=unit_name,
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> Any:
    session = db.session()
    if not services.may_create(session, current_user):
        raise PermissionDenied(_("Only staff and heads of units may create drafts."))
    form = DraftForm()
    _fill_choices(session, form)
    if request.method == "GET":
        form.term.data = form.term.choices[0].value if form.term.choices else None
    problems: list[str] = []
    status = 200
    if form.validate_on_submit():
        try:
            with transaction() as tx:
                doc = services.create_draft(tx, current_user, _form_data(form))
                doc_id = doc.external_id
            flash(_("The draft has been created."), "info")
            return redirect(url_for("web.document", doc_id=doc_id))
        except DomainError as exc:
            status, problems = exc.status, show_errors(form, exc)
    elif request.method == "POST":
        status = 422
    return render_template("drafts/form.html", form=form, problems=problems, doc=None), status


def _draft_or_404(doc_id: str) -> Document:
    doc = services.get_draft(db.session(), doc_id)
    if doc.origin != "draft":
        abort(404)
    return doc


@bp.route("/<string:doc_id>/edit", methods=["GET", "POST"])
def edit(doc_id: str) -> Any:
    session = db.session()
    doc = _draft_or_404(doc_id)
    if not services.may_edit(session, current_user, doc):
        raise PermissionDenied(_("Only staff and heads of the drafting or lead unit may edit it."))
    if request.method == "POST":
        form = DraftEditForm()
    else:
        form = DraftEditForm(
            formdata=None,
            data={
                "title": doc.title,
                "summary": doc.summary,
                "drafting_agency": doc.drafting_agency,
                "drafting_unit": doc.drafting_unit.code if doc.drafting_unit else "",
                "lead_unit": doc.lead_unit.code if doc.lead_unit else "",
                "term": doc.term.code if doc.term else "",
                "planned_sessions": [services.session_key(s) for s in doc.planned_sessions],
                "subjects": ", ".join(doc.topics or []),
                "procedure": doc.procedure,
            },
        )
    _fill_choices(session, form)
    fixed = () if services.may_change_units(current_user) else services.ADMIN_ONLY
    current = services.snapshot_units(doc)
    for name in fixed:  # shown, but a disabled field is not sent: the value cannot change here
        form[name].render_kw = {**(form[name].render_kw or {}), "disabled": True}
        form[name].description = PROBLEMS["admin only"]
        if request.method == "POST" and name not in request.form:
            form[name].data = current[name] or ""
    problems: list[str] = []
    status = 200
    if form.validate_on_submit():
        data = _form_data(form)
        for name in fixed:
            if name not in request.form:
                del data[name]
        try:
            with transaction() as tx:
                services.update_draft(tx, current_user, services.get_draft(tx, doc_id), data)
            flash(_("The draft has been saved."), "info")
            return redirect(url_for("web.document", doc_id=doc_id))
        except DomainError as exc:
            status, problems = exc.status, show_errors(form, exc)
    elif request.method == "POST":
        status = 422
    return render_template("drafts/form.html", form=form, problems=problems, doc=doc), status


@bp.route("/<string:doc_id>/versions/new", methods=["GET", "POST"])
def add_version(doc_id: str) -> Any:
    session = db.session()
    doc = _draft_or_404(doc_id)
    if not services.may_edit(session, current_user, doc):
        raise PermissionDenied(
            _("Only staff and heads of the drafting or lead unit may add versions.")
        )
    form = VersionForm()
    if request.method == "GET":
        form.version_date.data = clock.today()
    problems: list[str] = []
    status = 200
    if form.validate_on_submit():
        try:
            upload = form.file.data
            if upload is not None and getattr(upload, "filename", ""):
                data = upload.stream.read(services.MAX_FILE_BYTES + 1)
                text, source = services.text_from_upload(upload.filename, data), upload.filename
            elif (form.text.data or "").strip():
                text, source = form.text.data or "", None
            else:
                raise services.ValidationError(
                    "paste the text or upload a file", {"text": "required"}
                )
            with transaction() as tx:
                version = services.add_version(
                    tx,
                    current_user,
                    services.get_draft(tx, doc_id),
                    form.label.data or "",
                    text,
                    form.version_date.data,
                    source,
                )
                seq = version.seq
            flash(_("Version %(n)s has been added.", n=seq), "info")
            return redirect(url_for("web.document", doc_id=doc_id, v=seq))
        except DomainError as exc:
            status, problems = exc.status, show_errors(form, exc)
    elif request.method == "POST":
        status = 422
    return render_template(
        "drafts/version_form.html", form=form, problems=problems, doc=doc
    ), status


def stage_form(session: Session, doc: Document) -> StageForm | None:
    """The "Move stage" form with only the moves this user may make (None when there are none)."""
    allowed = services.allowed_transitions(session, current_user, doc)
    if not allowed:
        return None
    form = StageForm(formdata=None)
    lang = current_language()
    form.to.choices = options([(t.to_stage, stage_label(t.to_stage, lang)) for t in allowed])
    form.event_date.data = clock.today()
    return form


@bp.route("/<string:doc_id>/stage", methods=["POST"])
def move_stage(doc_id: str) -> Any:
    _draft_or_404(doc_id)
    form = StageForm()
    form.to.choices = options([(s, s) for s in STAGES])
    if not form.validate_on_submit():
        flash(_("Choose the next stage and a valid date."), "error")
        return redirect(url_for("web.document", doc_id=doc_id) + "#stage")
    try:
        with transaction() as tx:
            services.move_stage(
                tx,
                current_user,
                services.get_draft(tx, doc_id),
                form.to.data or "",
                form.note.data or "",
                form.event_date.data,
            )
        flash(
            _("Moved to stage: %(stage)s.", stage=stage_label(form.to.data, current_language())),
            "info",
        )
    except DomainError as exc:
        problems = [str(PROBLEMS.get(str(p), p)) for p in exc.fields.values() if isinstance(p, str)]
        flash(" ".join([*problems[:1], exc.message]), "error")
    return redirect(url_for("web.document", doc_id=doc_id) + "#stage")


def compare_url(doc_id: str, a: int, b: int) -> str:
    """The comparison of two versions (built by the compare area; a plain path until it is)."""
    if "compare.compare" in current_app.view_functions:
        return url_for("compare.compare", doc_id=doc_id, a=a, b=b)
    return f"/documents/{quote(doc_id, safe='')}/compare?a={a}&b={b}"


def document_context(doc: Document) -> dict[str, Any]:
    """What the document page shows of the legislative record (any document, draft or not)."""
    session = db.session()
    record = queries.draft_record(session, current_user, doc, current_language())
    return {
        "record": record,
        "compare_url": compare_url,
        "stage_form": stage_form(session, doc) if doc.origin == "draft" else None,
        "may_edit_draft": doc.origin == "draft" and services.may_edit(session, current_user, doc),
        "unit_name": unit_name,
    }
