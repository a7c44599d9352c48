"""Pages: emulation movements, their pledges, and the criteria catalogue.

- `/emulation/movements/`: the movements, filtered by state, with a launch button for those
  who run them.
- `/emulation/movements/new`, `/<id>/edit`: the movement form (officers, the council,
  administrators).
- `/emulation/movements/<id>`: a movement with its criteria, participants and pledges; the
  pledge form for those who may file one; close and review buttons.
- `/emulation/criteria`: the catalogue (what each criterion measures, from which ledger facts,
  with which formula, weight and parameters, and on what authority).

Who may see and do what is decided by `emulation.movements`; deputies get 403.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from emulation import movements as services
from emulation.access import RUN_ROLES
from emulation.models import Criterion, Movement
from emulation.movement_forms import (
    MovementForm,
    PledgeForm,
    ReviewForm,
    movement_form,
    options,
)
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.errors import Conflict, DomainError, PermissionDenied, ValidationError
from lis.people.models import Person
from lis.people.queries import units_with_depth
from lis.web.labels import current_language as _lang
from lis.web.labels import localized_name as _name

bp = Blueprint(
    "emulation_movements", __name__, url_prefix="/emulation/movements", template_folder="templates"
)

PER_PAGE = 50
MAX_PEOPLE_TOKENS = services.MAX_PARTICIPANTS
STATE_NAMES = {"open": _l("Open"), "closed": _l("Closed"), "reviewed": _l("Reviewed")}
KIND_NAMES = {"regular": _l("Regular"), "thematic": _l("Thematic")}
SUBJECT_NAMES = {"individual": _l("individual"), "collective": _l("collective")}
PLEDGE_STATE_NAMES = {"filed": _l("Filed"), "withdrawn": _l("Withdrawn")}
# Where a service's field error goes on the movement form.
FORM_FIELDS = {
    "participants": "units",
    "participants.units": "units",
    "participants.people": "people",
}


def _measures(row: Criterion) -> str:
    return row.measures_en if _lang() == "en" and row.measures_en else row.measures


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "movement_state_label": lambda code: str(STATE_NAMES.get(code, code)),
        "movement_kind_label": lambda code: str(KIND_NAMES.get(code, code)),
        "pledge_state_label": lambda code: str(PLEDGE_STATE_NAMES.get(code, code)),
        "title_subject_label": lambda code: str(SUBJECT_NAMES.get(code, code)),
        "emulation_name": _name,
        "criterion_measures": _measures,
        "criterion_reads": services.reads_of,
    }


def _page() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, 1000))


def _page_url(**changes: Any) -> str:
    params = {k: v for k, v in request.args.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v is not None})
    return f"{request.path}?{urlencode(params)}"


@bp.route("/")
@require_roles(*services.READ_ROLES)
def index() -> Any:
    session = db.session()
    state = request.args.get("state", "")
    state = state if state in services.STATES else ""
    page = _page()
    total, rows = page_of(
        session, services.list_movements(session, state=state or None), page, PER_PAGE
    )
    return render_template(
        "emulation/movements/index.html",
        rows=rows,
        state=state,
        states=services.STATES,
        total=total,
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        page_url=_page_url,
        may_run=services.may_run(current_user),
    )


# --------------------------------------------------------------------------
# The movement form
# --------------------------------------------------------------------------


def _fill_choices(form: MovementForm) -> None:
    units = [(u, depth) for u, depth in units_with_depth(db.session(), open_only=True)]
    labels = [(u.code, "\u00a0\u00a0" * depth + f"{u.code} — {_name(u)}") for u, depth in units]
    if "launching_unit" in form:
        form.launching_unit.choices = options(labels)
    form.units.choices = options(labels)


def person_ids_from_text(text: str) -> tuple[list[int], list[str]]:
    """People listed by id or e-mail, separated by commas, spaces or lines: (their ids, in
    order, and the entries that name nobody). An entry given twice is kept twice, so that the
    service refuses the duplicate and says so."""
    tokens = [t for t in re.split(r"[\s,;]+", text or "") if t][: MAX_PEOPLE_TOKENS + 1]
    session = db.session()
    ids: list[int] = []
    unknown: list[str] = []
    for token in tokens:
        person_id = None
        if token.isdigit() and len(token) <= 10:
            person_id = session.scalar(select(Person.id).where(Person.id == int(token)))
        elif "@" in token and len(token) <= 254:
            person_id = session.scalar(
                select(Person.id).where(func.lower(Person.email) == token.lower())
            )
        if person_id is None:
            unknown.append(token[:60])
        else:
            ids.append(person_id)
    return ids, unknown


def _people_text(m: Movement) -> str:
    return "\n".join(p.email or str(p.id) for p in services.participant_people(m))


def _criterion_choices(
    form: MovementForm, current: list[dict[str, Any]] | None = None
) -> list[services.CriterionChoice]:
    """The criteria with a weight above 0; a movement's own parameters are kept."""
    params = {c["code"]: c.get("params") for c in current or []}
    return [
        services.CriterionChoice(code, float(field.data), params.get(code))
        for code, field in form.weight_fields()
        if field.data
    ]


def _show_errors(form: Any, exc: DomainError) -> list[str]:
    """Put a service's field errors on the form's fields; the rest are returned for the page
    (criteria errors go above the weights)."""
    rest: list[str] = []
    for name, problem in exc.fields.items():
        field = getattr(form, FORM_FIELDS.get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), str(problem)]
        else:
            rest.append(f"{name}: {problem}")
    if not exc.fields:
        rest.append(exc.message)
    return rest


def _render_form(
    form: MovementForm, movement: Movement | None, errors: list[str], status: int
) -> Any:
    rows = services.catalogue(db.session())
    return render_template(
        "emulation/movements/form.html",
        form=form,
        movement=movement,
        catalogue=dict(zip(form.codes, rows, strict=False)),
        errors=errors,
    ), status


def _submitted(form: MovementForm) -> tuple[dict[str, Any], list[str]]:
    """The form's values for the services, and entries of the people list that name nobody."""
    ids, unknown = person_ids_from_text(form.people.data or "")
    if unknown:
        form.people.errors = [
            *list(form.people.errors or []),
            _("Nobody with this id or e-mail: %(entries)s", entries=", ".join(unknown[:10])),
        ]
    values = {
        "name": form.name.data or "",
        "theme": form.theme.data or "",
        "slogan": form.slogan.data or "",
        "start_date": form.start_date.data,
        "end_date": form.end_date.data,
        "units": list(form.units.data or []),
        "people": ids,
    }
    return values, unknown


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*RUN_ROLES)
def new() -> Any:
    rows = services.catalogue(db.session())
    form = movement_form(rows)
    _fill_choices(form)
    if request.method == "GET":
        for (_code, field), row in zip(form.weight_fields(), rows, strict=True):
            field.data = row.weight if row.default else 0
    errors: list[str] = []
    status = 200
    if form.validate_on_submit():
        values, unknown = _submitted(form)
        if not unknown:
            try:
                with transaction() as session:
                    row = services.launch(
                        session,
                        current_user,
                        launching_unit=form.launching_unit.data or "",
                        kind=form.kind.data or "",
                        criteria=_criterion_choices(form),
                        **values,
                    )
                    row_id = row.id
            except ValidationError as exc:
                errors = _show_errors(form, exc)
            else:
                flash(_("The movement is launched."), "info")
                return redirect(url_for("emulation_movements.detail", movement_id=row_id))
        status = 422
    elif request.method == "POST":
        status = 422
    return _render_form(form, None, errors, status)


@bp.route("/<int:movement_id>/edit", methods=["GET", "POST"])
@require_roles(*RUN_ROLES)
def edit(movement_id: int) -> Any:
    session = db.session()
    m = services.get_movement(session, movement_id)
    if m.state != "open":
        flash(_("Only an open movement can be changed."), "error")
        return redirect(url_for("emulation_movements.detail", movement_id=m.id))
    rows = services.catalogue(session)
    form = movement_form(rows, obj=m if request.method == "GET" else None)
    _fill_choices(form)
    if request.method == "GET":
        form.units.data = [u.code for u in services.participant_units(m)]
        form.people.data = _people_text(m)
        weights = {c["code"]: c["weight"] for c in m.criteria}
        for code, field in form.weight_fields():
            field.data = weights.get(code, 0)
    # The launching unit and the kind stay as launched: the page only shows them.
    del form.launching_unit
    del form.kind
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            values, unknown = _submitted(form)
            current = [dict(c) for c in m.criteria]
            if not unknown:
                try:
                    with transaction() as tx:
                        services.update(
                            tx,
                            current_user,
                            movement_id,
                            criteria=_criterion_choices(form, current),
                            **values,
                        )
                except ValidationError as exc:
                    m = services.get_movement(db.session(), movement_id)
                    errors = _show_errors(form, exc)
                else:
                    flash(_("The movement is changed."), "info")
                    return redirect(url_for("emulation_movements.detail", movement_id=movement_id))
    return _render_form(form, m, errors, status)


# --------------------------------------------------------------------------
# One movement
# --------------------------------------------------------------------------


def _pledge_form(m: Movement, formdata: Any = None) -> PledgeForm | None:
    """The pledge form when the reader may file for someone in this movement."""
    subjects = services.subjects_for(db.session(), current_user, m)
    if not subjects:
        return None
    form = PledgeForm(formdata=formdata)
    # Only titles that fit someone on offer: individual ones for people, collective for units.
    fitting = {services.TITLE_SUBJECT[s.kind] for s in subjects}
    form.subject.choices = options([(s.key, s.label) for s in subjects])
    form.title.choices = options(
        [
            (t.code, f"{_name(t)} ({SUBJECT_NAMES.get(t.subject, t.subject)})")
            for t in services.titles(db.session())
            if t.subject in fitting
        ]
    )
    return form


def _render_detail(
    m: Movement,
    *,
    pledge_form: PledgeForm | None = None,
    review_form: ReviewForm | None = None,
    status: int = 200,
) -> Any:
    session = db.session()
    may_run = services.may_run(current_user)
    return render_template(
        "emulation/movements/detail.html",
        m=m,
        catalogue={row.code: row for row in services.catalogue(session)},
        titles={t.code: t for t in services.titles(session)},
        pledges=services.pledges_of(session, m.id),
        units=services.participant_units(m),
        people=services.participant_people(m),
        may_run=may_run,
        may_withdraw=lambda p: m.state == "open"
        and p.state == "filed"
        and services.may_withdraw(current_user, p),
        pledge_form=pledge_form or _pledge_form(m),
        review_form=review_form or (ReviewForm() if may_run and m.state == "closed" else None),
    ), status


@bp.route("/<int:movement_id>")
@require_roles(*services.READ_ROLES)
def detail(movement_id: int) -> Any:
    return _render_detail(services.get_movement(db.session(), movement_id))


@bp.route("/<int:movement_id>/close", methods=["POST"])
@require_roles(*RUN_ROLES)
def close(movement_id: int) -> Any:
    with transaction() as session:
        services.close(session, current_user, movement_id)
    flash(_("The movement is closed."), "info")
    return redirect(url_for("emulation_movements.detail", movement_id=movement_id))


@bp.route("/<int:movement_id>/review", methods=["POST"])
@require_roles(*RUN_ROLES)
def review(movement_id: int) -> Any:
    form = ReviewForm()
    if not form.validate_on_submit():
        m = services.get_movement(db.session(), movement_id)
        return _render_detail(m, review_form=form, status=422)
    with transaction() as session:
        services.review(session, current_user, movement_id, form.note.data or "")
    flash(_("The review is recorded."), "info")
    return redirect(url_for("emulation_movements.detail", movement_id=movement_id))


@bp.route("/<int:movement_id>/pledges", methods=["POST"])
@require_roles(*services.PLEDGE_ROLES)
def file_pledge(movement_id: int) -> Any:
    session = db.session()
    m = services.get_movement(session, movement_id)
    if m.state != "open":
        raise Conflict(f"the movement is {m.state}: pledges are closed", {"state": m.state})
    form = _pledge_form(m, request.form)
    if form is None:
        raise PermissionDenied(
            "you take part in this movement neither yourself nor through your unit",
            {"subject": "not a participant"},
        )
    if not form.validate_on_submit():
        return _render_detail(m, pledge_form=form, status=422)
    kind, _sep, key = (form.subject.data or "").partition(":")
    try:
        with transaction() as tx:
            services.file_pledge(
                tx,
                current_user,
                movement_id,
                title=form.title.data or "",
                person_id=int(key) if kind == "person" else None,
                unit=key if kind == "unit" else None,
                note=form.note.data or "",
            )
    except (ValidationError, Conflict) as exc:
        m = services.get_movement(db.session(), movement_id)
        for name, problem in exc.fields.items():
            field = getattr(form, {"person": "subject", "unit": "subject"}.get(name, name), None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*list(field.errors or []), str(problem)]
        flash(exc.message, "error")
        return _render_detail(m, pledge_form=form, status=exc.status)
    flash(_("The pledge is filed."), "info")
    return redirect(url_for("emulation_movements.detail", movement_id=movement_id))


@bp.route("/pledges/<int:pledge_id>/withdraw", methods=["POST"])
@require_roles(*services.PLEDGE_ROLES)
def withdraw(pledge_id: int) -> Any:
    with transaction() as session:
        pledge = services.withdraw_pledge(session, current_user, pledge_id)
        movement_id = pledge.movement_id
    flash(_("The pledge is withdrawn."), "info")
    return redirect(url_for("emulation_movements.detail", movement_id=movement_id))


# --------------------------------------------------------------------------
# The criteria catalogue, at /emulation/criteria (beside the movements, not under them)
# --------------------------------------------------------------------------


@require_roles(*services.READ_ROLES)
def criteria_page() -> Any:
    return render_template(
        "emulation/movements/criteria.html", rows=services.catalogue(db.session())
    )


@bp.record_once
def _criteria_route(state: BlueprintSetupState) -> None:
    app: Flask = state.app
    app.add_url_rule(
        "/emulation/criteria", endpoint="emulation_movements.criteria", view_func=criteria_page
    )
