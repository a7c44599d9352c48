"""Pages for managing units and people (administrators).

Each page is a thin layer over `lis.reference.services` and `lis.people.services`: the form
catches typing slips, the service enforces the rules, and its field errors are shown next to
the fields they name, in the reader's language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from lis.auth.access import require_roles
from lis.db import db, transaction
from lis.errors import DomainError
from lis.people import queries
from lis.people import services as people
from lis.people.forms import (
    KIND_NAMES,
    ConfirmForm,
    PersonForm,
    UnitCloseForm,
    UnitEditForm,
    UnitForm,
    kind_choices,
)
from lis.reference import queries as reference
from lis.reference import services as units
from lis.reference.models import Unit
from lis.web.labels import format_day

bp = Blueprint("people", __name__, url_prefix="/admin")

PER_PAGE = 50
INDENT = "\u00a0\u00a0\u00a0"  # options cannot hold markup: depth is shown with spaces

# The services' field problems (English, for the API) as the page says them.
PROBLEMS = {
    units.REQUIRED: _l("This field is required."),
    units.TOO_LONG: _l("This is too long."),
    units.BAD_CODE: _l("Use capital letters, digits and dashes, e.g. UB-PLTP-V."),
    units.CODE_USED: _l("Another unit already has this code."),
    units.UNKNOWN_KIND: _l("Choose a kind of unit."),
    units.UNKNOWN_UNIT: _l("There is no unit with this code."),
    units.CLOSED_UNIT: _l("This unit is closed: choose an open one."),
    units.CYCLE: _l("A unit cannot sit under itself or one of its sub-units."),
    units.ROOT_ONLY: _l("Choose a parent unit: only the Assembly has none."),
    units.ALREADY_CLOSED: _l("This unit is already closed."),
    units.BEFORE_OPENING: _l("The unit cannot close before the day it opened."),
    units.SELF_SUCCESSOR: _l("A unit cannot replace itself."),
    units.HAS_PEOPLE: _l(
        "The unit still has active people: move them to another unit or deactivate them first."
    ),
    units.HAS_CHILDREN: _l("The unit still has open sub-units: close or move them first."),
    units.REFERENCED: _l("Other records refer to this unit: close it instead."),
    units.KEPT_CLOSED: _l("A closed unit is kept for the record."),
    people.BAD_EMAIL: _l("This is not a valid e-mail address."),
    people.EMAIL_USED: _l("Another person already has this e-mail."),
    people.NO_USER: _l("There is no login with this e-mail."),
    people.USER_LINKED: _l("This login is already linked to another person."),
}


def problem_text(problem: object) -> str:
    return str(PROBLEMS.get(str(problem), problem))


def show_errors(form: FlaskForm, exc: DomainError) -> list[str]:
    """Put each field problem next to its field; return the ones no field of `form` shows."""
    rest = []
    for name, problem in exc.fields.items():
        text = problem_text(problem)
        if name in form and name != "csrf_token":
            form[name].errors = [*form[name].errors, text]
        else:
            rest.append(text)
    return rest or ([] if exc.fields else [exc.message])


def unit_label(unit: Unit | None) -> str:
    if unit is None:
        return ""
    return unit.name_en if str(get_locale()) == "en" else unit.name


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "unit_label": unit_label,
        "unit_kind_label": lambda kind: str(KIND_NAMES.get(kind, kind)),
        "format_day": format_day,
        "is_open": units.is_open,
    }


def unit_options(
    *, blank: str | None = None, open_only: bool = True, keep: Unit | None = None, skip: set[int]
) -> list[tuple[str, str]]:
    """Units for a select, tree-ordered and indented; `keep` stays listed even when closed."""
    out = [("", blank)] if blank is not None else []
    for unit, depth in queries.units_with_depth(db.session()):
        if unit.id in skip or (open_only and not units.is_open(unit) and unit is not keep):
            continue
        closed = "" if units.is_open(unit) else f" ({_('closed')})"
        out.append((unit.code, f"{INDENT * depth}{unit.code} · {unit_label(unit)}{closed}"))
    return out


# --- units ----------------------------------------------------------------------------------------
def _new_unit_form() -> UnitForm:
    form = UnitForm(prefix="new")
    form.kind.choices = kind_choices()
    form.parent.choices = unit_options(blank=_("— none (only for the Assembly) —"), skip=set())
    return form


@bp.route("/units", methods=["GET", "POST"])
@require_roles("admin")
def units_page() -> Any:
    """The unit tree with open or closed state and people counts, and the form for a new unit."""
    form = _new_unit_form()
    status, problems = 200, []
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                with transaction() as session:
                    unit = units.create_unit(
                        session,
                        actor=current_user,
                        code=form.code.data or "",
                        name=form.name.data or "",
                        name_en=form.name_en.data or "",
                        kind=form.kind.data or "",
                        parent=form.parent.data or None,
                        field=form.field.data or None,
                        note=form.note.data or None,
                    )
                flash(_("Unit %(code)s created.", code=unit.code), "info")
                return redirect(url_for(".units_page", _anchor=f"unit-{unit.code}"))
            except DomainError as exc:
                status, problems = exc.status, show_errors(form, exc)
    session = db.session()
    return render_template(
        "units/list.html",
        rows=queries.units_with_depth(session),
        counts=queries.people_counts(session),
        form=form,
        problems=problems,
        open_form=request.method == "POST",
    ), status


def _edit_forms(unit: Unit, *, posted: str) -> tuple[UnitEditForm, UnitCloseForm]:
    """The unit's edit and close forms; the one named by `posted` reads the request."""
    session = db.session()
    if posted == "edit":
        edit = UnitEditForm(prefix="edit")
    else:
        edit = UnitEditForm(prefix="edit", formdata=None, obj=unit)
        edit.parent.data = unit.parent.code if unit.parent else ""  # obj gave the Unit itself
    edit.kind.choices = kind_choices()
    below = units.descendant_ids(session, unit.id) | {unit.id}
    edit.parent.choices = unit_options(
        blank=_("— none (only for the Assembly) —"), keep=unit.parent, skip=below
    )
    close = (
        UnitCloseForm(prefix="close")
        if posted == "close"
        else UnitCloseForm(prefix="close", formdata=None)
    )
    close.replaced_by.choices = unit_options(blank=_("— none —"), skip=below)
    return edit, close


def _render_unit(
    unit: Unit,
    edit: UnitEditForm,
    close: UnitCloseForm,
    problems: list[str],
    status: int,
    at: str = "edit",
) -> Any:
    members = queries.list_people(
        db.session(), queries.PeopleFilter(unit=unit.code, active=True), 1, 200
    )
    return render_template(
        "units/edit.html",
        unit=unit,
        form=edit,
        close_form=close,
        problems=problems,
        problems_at=at,
        members=members,
        children=reference.tree_order(unit.children),
    ), status


@bp.route("/units/<string:code>", methods=["GET", "POST"])
@require_roles("admin")
def unit_page(code: str) -> Any:
    """One unit: edit its names, kind, parent, field and note; close it from a date."""
    unit = reference.get_unit(db.session(), code)
    edit, close = _edit_forms(unit, posted="edit" if request.method == "POST" else "")
    status, problems = 200, []
    if request.method == "POST":
        status = 422
        if edit.validate_on_submit():
            changes = {
                "name": edit.name.data or "",
                "name_en": edit.name_en.data or "",
                "kind": edit.kind.data or "",
                "parent": edit.parent.data or None,
                "field": edit.field.data or None,
                "note": edit.note.data or None,
            }
            try:
                with transaction() as session:
                    units.update_unit(session, unit, actor=current_user, changes=changes)
                flash(_("Unit %(code)s saved.", code=unit.code), "info")
                return redirect(url_for(".unit_page", code=unit.code))
            except DomainError as exc:
                status, problems = exc.status, show_errors(edit, exc)
    return _render_unit(unit, edit, close, problems, status)


@bp.route("/units/<string:code>/close", methods=["POST"])
@require_roles("admin")
def unit_close(code: str) -> Any:
    """Close the unit from the date given; refused (with the reason) while people or open
    sub-units remain in it."""
    unit = reference.get_unit(db.session(), code)
    edit, close = _edit_forms(unit, posted="close")
    problems: list[str] = []
    status = 422
    if close.validate_on_submit():
        try:
            with transaction() as session:
                units.close_unit(
                    session,
                    unit,
                    actor=current_user,
                    on=close.valid_to.data,
                    replaced_by=close.replaced_by.data or None,
                )
            flash(
                _(
                    "Unit %(code)s closed from %(day)s.",
                    code=unit.code,
                    day=format_day(unit.valid_to),
                ),
                "info",
            )
            return redirect(url_for(".unit_page", code=unit.code))
        except DomainError as exc:
            status, problems = exc.status, show_errors(close, exc)
    return _render_unit(unit, edit, close, problems, status, at="close")


# --- people ---------------------------------------------------------------------------------------
_BOOL = {"1": True, "0": False}


@bp.route("/people")
@require_roles("admin")
def people_page() -> Any:
    """People with a unit filter (optionally with its sub-units), name search and state."""
    args = request.args
    unit_code = args.get("unit", "").strip().upper()[:40] or None
    if unit_code and units.find_unit(db.session(), unit_code) is None:
        unit_code = None
    f = queries.PeopleFilter(
        unit=unit_code,
        sub_units=args.get("sub_units") == "1",
        q=args.get("q", "").strip()[:200] or None,
        active=_BOOL.get(args.get("active", "1"), None),
    )
    page = args.get("page", "1")
    page_n = int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1
    total, items = queries.list_people(db.session(), f, page_n, PER_PAGE)
    kept = [
        (k, v)
        for k, v in (
            ("unit", f.unit or ""),
            ("sub_units", "1" if f.sub_units else ""),
            ("q", f.q or ""),
            ("active", args.get("active", "1")),
        )
        if v
    ]
    return render_template(
        "people/list.html",
        people=items,
        total=total,
        page=page_n,
        last_page=max(1, -(-total // PER_PAGE)),
        filters=f,
        active_value=args.get("active", "1"),
        unit_choices=unit_options(blank=_("All units"), open_only=False, skip=set()),
        page_url=lambda n: f"{request.path}?{urlencode([*kept, ('page', n)])}",
    )


def _person_data(person: Any) -> dict[str, Any]:
    return {
        "name": person.name,
        "email": person.email or "",
        "position": person.position,
        "unit": person.unit.code,
        "user": person.user.email if person.user else "",
        "note": person.note or "",
    }


def _person_form(person: Any = None, *, from_request: bool = True) -> PersonForm:
    """The form as posted, or filled from `person` (or empty, in the unit given in the URL)."""
    if from_request and request.method == "POST":
        form = PersonForm()
    else:
        form = PersonForm(formdata=None, data=_person_data(person) if person else None)
        if person is None and request.args.get("unit"):
            form.unit.data = request.args["unit"].upper()[:40]
    form.unit.choices = unit_options(
        blank=_("— choose a unit —"), keep=person.unit if person else None, skip=set()
    )
    return form


def _form_values(form: PersonForm) -> dict[str, Any]:
    return {
        "name": form.name.data or "",
        "email": form.email.data or None,
        "position": form.position.data or "",
        "unit": form.unit.data or "",
        "user": form.user.data or None,
        "note": form.note.data or None,
    }


def _render_person(form: PersonForm, person: Any, problems: list[str], status: int) -> Any:
    return render_template(
        "people/form.html",
        form=form,
        person=person,
        problems=problems,
        confirm=ConfirmForm(),
        user_emails=queries.unlinked_user_emails(db.session()),
    ), status


@bp.route("/people/new", methods=["GET", "POST"])
@require_roles("admin")
def person_new() -> Any:
    """Record a person in a unit, optionally linked to a login by its e-mail."""
    form = _person_form()
    status, problems = 200, []
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                with transaction() as session:
                    person = people.create_person(session, actor=current_user, **_form_values(form))
                flash(_("%(name)s added to %(unit)s.", name=person.name, unit=person.unit.code))
                return redirect(url_for(".people_page", unit=person.unit.code))
            except DomainError as exc:
                status, problems = exc.status, show_errors(form, exc)
    return _render_person(form, None, problems, status)


@bp.route("/people/<string:person_id>", methods=["GET", "POST"])
@require_roles("admin")
def person_page(person_id: str) -> Any:
    """Edit a person: move them, relink or unlink their login."""
    person = queries.get_person(db.session(), person_id)
    form = _person_form(person)
    status, problems = 200, []
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                with transaction() as session:
                    people.update_person(
                        session, person, actor=current_user, changes=_form_values(form)
                    )
                flash(_("%(name)s saved.", name=person.name))
                return redirect(url_for(".person_page", person_id=person.id))
            except DomainError as exc:
                status, problems = exc.status, show_errors(form, exc)
    return _render_person(form, person, problems, status)


@bp.route("/people/<string:person_id>/active", methods=["POST"])
@require_roles("admin")
def person_active(person_id: str) -> Any:
    """Deactivate someone who left (the record stays), or bring them back."""
    person = queries.get_person(db.session(), person_id)
    wanted = request.form.get("active") == "1"
    if ConfirmForm().validate_on_submit():
        try:
            with transaction() as session:
                people.set_active(session, person, wanted, actor=current_user)
        except DomainError as exc:
            form = _person_form(person, from_request=False)
            return _render_person(form, person, show_errors(form, exc), exc.status)
        if wanted:
            flash(_("%(name)s is active again.", name=person.name))
        else:
            flash(_("%(name)s is deactivated.", name=person.name))
    return redirect(url_for(".person_page", person_id=person.id))
