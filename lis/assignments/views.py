"""Pages: assign work, open and overdue assignments per unit and per person.

- `/assignments/`: the logged-in person's own work (open, overdue, done, cancelled).
- `/assignments/unit`: a unit's work with its sub-units', counted per unit and per person
  (heads see their reach; readers of everything pick any unit).
- `/assignments/new?doc=<id>`: the form to assign work on a draft (heads, administrators).
- `/assignments/<id>`: one assignment, with buttons to complete, cancel or change it.

Who may see and do what is decided by `lis.assignments.services`; deputies get 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lis import clock
from lis.assignments import services
from lis.assignments.forms import AssignForm, CloseForm, EditForm
from lis.assignments.models import Assignment
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.documents.models import Document
from lis.drafts.machine import stage_label
from lis.errors import DomainError, PermissionDenied, ValidationError
from lis.people.queries import person_of_user, unit_and_descendants, unit_ids_of_user
from lis.reference.models import Unit
from lis.web.labels import current_language as _lang
from lis.web.labels import localized_name as _name

bp = Blueprint("assignments", __name__, url_prefix="/assignments")

PER_PAGE = 50
STATE_NAMES = {
    "open": _l("Open"),
    "overdue": _l("Overdue"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
TABS = ("open", "overdue", "done", "cancelled")


def _today() -> dt.date:
    return clock.today()


def assignment_panel(document: Document | None) -> dict[str, Any] | None:
    """What `assignments/_panel.html` shows on a draft's page: its assignments the reader may
    see and whether they may assign (None: nothing to show to this reader)."""
    if document is None or getattr(document, "origin", None) != "draft":
        return None
    if not current_user.is_authenticated or not current_user.has_role(*services.READ_ROLES):
        return None
    session = db.session()
    f = services.AssignmentFilter(document_id=document.id)
    rows = list(session.scalars(services.list_assignments(session, current_user, f, _today())))
    rows.sort(key=lambda a: (a.state != "open", services.STATES.index(a.state)))
    return {
        "items": rows,
        "may_assign": current_user.has_role(*services.WRITE_ROLES),
        "new_url": url_for("assignments.new", doc=document.external_id),
    }


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "assignment_panel": assignment_panel,
        "assignment_state_label": lambda code: str(STATE_NAMES.get(code, code)),
        "assignment_name": _name,
        "assignment_stage_label": lambda code: stage_label(code, _lang()),
        "assignment_today": _today,
    }


def _tab() -> str:
    tab = request.args.get("state", "open")
    return tab if tab in TABS else "open"


def _page() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, 1000))


def _page_url(**changes: Any) -> str:
    params = {k: v for k, v in request.args.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v is not None})
    return f"{request.path}?{urlencode(params)}"


@bp.route("/")
@require_roles(*services.READ_ROLES)
def mine() -> Any:
    """My assignments: the work given to me as a person."""
    session = db.session()
    tab = _tab()
    person = person_of_user(session, current_user.id)
    f = services.AssignmentFilter(state=tab, mine=True)
    stmt = services.list_assignments(session, current_user, f, _today())
    page = _page()
    total, rows = page_of(session, stmt, page, PER_PAGE)
    counts = {
        t: page_of(
            session,
            services.list_assignments(
                session, current_user, services.AssignmentFilter(state=t, mine=True), _today()
            ),
            1,
            1,
        )[0]
        for t in TABS
    }
    return render_template(
        "assignments/mine.html",
        person=person,
        tab=tab,
        tabs=TABS,
        counts=counts,
        rows=rows,
        total=total,
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        page_url=_page_url,
        today=_today(),
        may_see_units=current_user.has_role("admin", "head", "officer", "council"),
    )


@bp.route("/unit")
@require_roles(*services.READ_ROLES)
def unit_view() -> Any:
    """A unit's open (or overdue…) work with its sub-units', counted per unit and person."""
    session = db.session()
    tab = _tab()
    today = _today()
    code = request.args.get("unit", "").strip()
    person = person_of_user(session, current_user.id)
    unit: Unit | None = None
    if code:
        if not code.isprintable():
            abort(404)
        unit = session.scalar(select(Unit).where(Unit.code == code[:40]))
        if unit is None:
            abort(404)
    elif person is not None:
        unit = person.unit
    units = unit_and_descendants(session, unit.id) if unit is not None else None
    f = services.AssignmentFilter(
        unit_id=unit.id if unit else None, include_sub_units=True, state=tab
    )
    stmt = services.list_assignments(session, current_user, f, today)
    page = _page()
    total, rows = page_of(session, stmt, page, PER_PAGE)
    scope = units if units is not None else set(session.scalars(select(Unit.id)))
    visible = services.visible_clause(session, current_user)
    return render_template(
        "assignments/unit.html",
        unit=unit,
        tab=tab,
        tabs=TABS,
        rows=rows,
        total=total,
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        page_url=_page_url,
        today=today,
        by_unit=services.counts_by_unit(session, scope, today, visible=visible),
        by_person=services.counts_by_person(session, scope, today, visible=visible),
        unit_choices=_unit_choices(today),
    )


def _unit_choices(today: dt.date) -> list[Unit]:
    """Units worth choosing on the unit page: all for readers of everything, else the
    reader's own units and their reach."""
    session = db.session()
    units = [u for u in session.scalars(select(Unit).order_by(Unit.code)) if u.active_on(today)]
    if services.visible_clause(session, current_user) is None:
        return units
    mine = set(unit_ids_of_user(session, current_user.id))
    mine |= services.head_reach(session, current_user) or set()
    return [u for u in units if u.id in mine]


def _document(external_id: str) -> Document:
    doc = None
    if external_id and len(external_id) <= 255 and external_id.isprintable():
        doc = db.session().scalar(select(Document).where(Document.external_id == external_id))
    if doc is None:
        abort(404)
    return doc


def _fill_assign_choices(form: AssignForm, doc: Document) -> None:
    session = db.session()
    today = _today()
    lang = _lang()
    form.stage.choices = [(s, stage_label(s, lang)) for s in services.stages_for(doc)]
    # Work that fits the draft's current stage first: that is what a head usually assigns.
    kinds = sorted(
        services.work_kinds(session),
        key=lambda k: (bool(k.stages) and doc.stage not in k.stages, _name(k)),
    )
    form.work_kind.choices = [(k.code, _name(k)) for k in kinds]
    units = services.assignable_units(session, current_user, today)
    form.unit.choices = [(u.code, f"{u.code} — {_name(u)}") for u in units]
    people = services.people_in(session, [u.id for u in units])
    form.person.choices = [("", _("— the unit as a whole —"))] + [
        (str(p.id), f"{p.name} ({p.unit.code})") for p in people
    ]


def _show_errors(form: Any, exc: DomainError) -> None:
    """Put a service's field errors on the form's fields (the rest in a flash message)."""
    placed = False
    for name, problem in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), _field_message(name, str(problem))]
            placed = True
    if not placed:
        flash(exc.message, "error")


FIELD_MESSAGES = {
    "stage": _l("This stage is not part of the draft's procedure."),
    "work_kind": _l("This kind of work does not belong to the chosen stage."),
    "person": _l("The person must belong to the chosen unit."),
    "due_date": _l(
        "The due date must not be before the draft was created, nor more than five years ahead."
    ),
    "unit": _l("You may assign work only to your unit and the units under it."),
    "document": _l("Work can be assigned on drafts only."),
    "title": _l("The title is too long."),
    "description": _l("The description is too long."),
}


def _field_message(name: str, problem: str) -> str:
    message = FIELD_MESSAGES.get(name)
    return str(message) if message is not None else problem


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*services.WRITE_ROLES)
def new() -> Any:
    """Assign work on a draft, prefilled with its current stage."""
    doc = _document(request.values.get("doc", ""))
    if doc.origin != "draft":
        abort(404)
    form = AssignForm(doc=doc.external_id)
    _fill_assign_choices(form, doc)
    if request.method == "GET":
        form.stage.data = doc.stage
        if doc.lead_unit is not None and doc.lead_unit.code in dict(form.unit.choices):
            form.unit.data = doc.lead_unit.code
    status = 200
    if form.validate_on_submit():
        try:
            with transaction() as session:
                row = services.assign(
                    session,
                    current_user,
                    document=doc.external_id,
                    stage=form.stage.data or "",
                    work_kind=form.work_kind.data or "",
                    unit=form.unit.data or "",
                    person_id=int(form.person.data) if form.person.data else None,
                    title=form.title.data or "",
                    description=form.description.data or "",
                    due_date=form.due_date.data,
                )
                row_id = row.id
        except DomainError as exc:
            if exc.status == 403 and "unit" not in exc.fields:
                raise
            _show_errors(form, exc)
            status = 422
        else:
            flash(_("The work is assigned."), "info")
            return redirect(url_for("assignments.detail", assignment_id=row_id))
    elif request.method == "POST":
        status = 422
    return render_template("assignments/new.html", form=form, doc=doc), status


def _edit_form(a: Assignment, data: Any = None) -> EditForm:
    form = EditForm(formdata=data, person=str(a.person_id or ""), due_date=a.due_date)
    people = services.people_in(db.session(), [a.unit_id])
    form.person.choices = [("", _("— the unit as a whole —"))] + [
        (str(p.id), p.name) for p in people
    ]
    return form


@bp.route("/<int:assignment_id>")
@require_roles(*services.READ_ROLES)
def detail(assignment_id: int) -> Any:
    session = db.session()
    a = services.read_assignment(session, current_user, assignment_id)
    return _render_detail(a)


def _render_detail(a: Assignment, edit: EditForm | None = None, status: int = 200) -> Any:
    session = db.session()
    may_manage = services.may_manage(session, current_user, a)
    return render_template(
        "assignments/detail.html",
        a=a,
        today=_today(),
        may_manage=may_manage and a.is_open,
        may_complete=services.may_complete(session, current_user, a) and a.is_open,
        edit_form=edit or (_edit_form(a) if may_manage and a.is_open else None),
        close_form=CloseForm(),
    ), status


@bp.route("/<int:assignment_id>/complete", methods=["POST"])
@require_roles("head", "staff")
def complete(assignment_id: int) -> Any:
    form = CloseForm()
    if not form.validate():
        abort(400)
    with transaction() as session:
        services.complete(session, current_user, assignment_id, form.note.data or "")
    flash(_("The assignment is marked done."), "info")
    return redirect(url_for("assignments.detail", assignment_id=assignment_id))


@bp.route("/<int:assignment_id>/cancel", methods=["POST"])
@require_roles(*services.WRITE_ROLES)
def cancel(assignment_id: int) -> Any:
    form = CloseForm()
    if not form.validate():
        abort(400)
    with transaction() as session:
        services.cancel(session, current_user, assignment_id, form.note.data or "")
    flash(_("The assignment is cancelled."), "info")
    return redirect(url_for("assignments.detail", assignment_id=assignment_id))


@bp.route("/<int:assignment_id>/edit", methods=["POST"])
@require_roles(*services.WRITE_ROLES)
def edit(assignment_id: int) -> Any:
    session = db.session()
    a = services.get_assignment(session, assignment_id)
    if not services.may_manage(session, current_user, a):
        raise PermissionDenied(
            "only the assigning head, heads above and administrators change it",
            {"id": "forbidden"},
        )
    form = _edit_form(a, request.form)
    if not form.validate():
        return _render_detail(a, form, 422)
    try:
        with transaction() as tx:
            services.update(
                tx,
                current_user,
                assignment_id,
                person_id=int(form.person.data) if form.person.data else None,
                due_date=form.due_date.data,
            )
    except ValidationError as exc:
        session.rollback()
        a = services.get_assignment(db.session(), assignment_id)
        _show_errors(form, exc)
        return _render_detail(a, form, 422)
    flash(_("The assignment is changed."), "info")
    return redirect(url_for("assignments.detail", assignment_id=assignment_id))
