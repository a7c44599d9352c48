"""Pages: the commendation records the title rules read.

- `/emulation/records/initiatives`: initiatives with their authors and shares, who recognised
  them, scope, date and the awards that used each; `/initiatives/new`, `/<id>/edit`: the form
  (officers, administrators).
- `/emulation/records/awards?person_id=|unit=`: a person's or a unit's awards (revoked ones
  marked, with the reason), a revoke form per award for officers; `/awards/new`: the form.
- `/emulation/records/people/<id>`: a person's record: ratings by year, awards, initiatives
  (with the awards that used each), disciplines, cases and attestations; an attestation form
  for heads of the person's units (and officers); discipline and case forms for officers.

Who sees and does what is decided by `emulation.records`; deputies get 403.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from emulation import records
from emulation.commendation_models import Award, Initiative
from emulation.movement_forms import options
from emulation.rating_forms import band_label
from emulation.record_forms import (
    AUTHOR_ROWS,
    BASIS_NAMES,
    CASE_NAMES,
    CRITERION_NAMES,
    DISCIPLINE_NAMES,
    FORM_FIELDS,
    KIND_NAMES,
    SCOPE_NAMES,
    AttestForm,
    AwardForm,
    CaseForm,
    CloseCaseForm,
    DisciplineForm,
    InitiativeForm,
    RevokeForm,
    label,
)
from lis import clock
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.errors import Conflict, DomainError, ValidationError
from lis.people.models import Person
from lis.people.queries import units_with_depth
from lis.reference.models import Unit
from lis.web.labels import localized_name as _name

bp = Blueprint(
    "emulation_records", __name__, url_prefix="/emulation/records", template_folder="templates"
)

PER_PAGE = 50
MAX_PAGE = 1000
# What a service's refusal of a field says on the forms, in the reader's language.
FIELD_MESSAGES = {
    "authors": _l(
        "Each author once, each share above 0 and at most 1, the shares together 1 at most."
    ),
    "recognized_on": _l("Give a day that has passed (from 1990)."),
    "recognized_by_unit_id": _l("Choose the unit that recognised it."),
    "title_code": _l(
        "Choose a title that fits the subject (a person or a unit) and that it does not hold "
        "for this year already."
    ),
    "initiative_ids": _l(
        "Give initiatives that exist and, for a person's award, that the person authored."
    ),
    "decision_date": _l(
        "The decision is dated within or after the award's year, not later than today."
    ),
    "person_id": _l("Give a person or a unit, not both."),
    "unit_id": _l("Give a person or a unit, not both."),
    "year": _l("Give a year from 1990 that has begun."),
    "decided_on": _l("Give a day that has passed (from 1990)."),
    "effective_to": _l("The measure ends on or after the day it was decided."),
    "opened_on": _l("Give a day that has passed (from 1990)."),
    "criterion": _l("Choose a criterion."),
}


@bp.context_processor
def _globals() -> dict[str, Any]:
    return {
        "record_name": _name,
        "scope_label": lambda c: label(SCOPE_NAMES, c),
        "basis_label": lambda c: label(BASIS_NAMES, c),
        "award_kind_label": lambda c: label(KIND_NAMES, c),
        "discipline_label": lambda c: label(DISCIPLINE_NAMES, c),
        "case_label": lambda c: label(CASE_NAMES, c),
        "criterion_label": lambda c: label(CRITERION_NAMES, c),
        "band_label": band_label,
        "may_keep": current_user.has_role(*records.KEEP_ROLES),
        "share_text": _share_text,
    }


def _share_text(share: float | None) -> str:
    """A share as a percentage, as the reader writes numbers (33,33 % in Vietnamese)."""
    if share is None:
        return ""
    return f"{format_decimal(share * 100, format='#,##0.##')}%"


def _int_arg(name: str, low: int, high: int) -> int | None:
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= high else None


def _page() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, MAX_PAGE))


def _page_url(endpoint: str, **changes: Any) -> str:
    params = {k: v for k, v in request.args.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v is not None})
    return f"{url_for(endpoint)}?{urlencode(params)}"


def _titles() -> dict[str, Any]:
    return {t.code: t for t in records.titles(db.session())}


def _unit_labels() -> list[tuple[str, str]]:
    units = units_with_depth(db.session(), open_only=True)
    return [(u.code, "\u00a0\u00a0" * depth + f"{u.code} — {_name(u)}") for u, depth in units]


def _unit_id(code: str | None) -> int | None:
    if not code:
        return None
    return db.session().scalar(select(Unit.id).where(Unit.code == code))


def person_from_text(text: str | None) -> int | None:
    """A person named by id or e-mail; None when the text names nobody."""
    token = (text or "").strip()
    session = db.session()
    if token.isdigit() and len(token) <= 10 and 0 < int(token) <= records.MAX_ID:
        return session.scalar(select(Person.id).where(Person.id == int(token)))
    if "@" in token and len(token) <= 254:
        return session.scalar(select(Person.id).where(func.lower(Person.email) == token.lower()))
    return None


def _add_error(form: Any, name: str, message: str) -> bool:
    field = getattr(form, FORM_FIELDS.get(name, name), None)
    if field is None or not hasattr(field, "errors") or name == "authors":
        return False
    field.errors = [*list(field.errors or []), message]
    return True


def _show_errors(form: Any, exc: DomainError) -> list[str]:
    """A service's field errors on the form's fields (in the reader's language where we have
    the words); the others for the top of the form."""
    rest = []
    for name, problem in exc.fields.items():
        message = str(FIELD_MESSAGES.get(name, problem))
        if not _add_error(form, name, message):
            rest.append(message if name in FIELD_MESSAGES else f"{name}: {problem}")
    return rest or ([] if exc.fields else [exc.message])


@bp.route("")
@require_roles(*records.READ_ROLES)
def index() -> Any:
    """Staff to their own record; everyone else to the initiatives."""
    if not current_user.has_role("admin", "officer", "council", "head"):
        me = records.own_person(db.session(), current_user)
        if me is not None:
            return redirect(url_for("emulation_records.person", person_id=me.id))
    return redirect(url_for("emulation_records.initiatives"))


# --------------------------------------------------------------------------
# Initiatives
# --------------------------------------------------------------------------


@bp.route("/initiatives")
@require_roles(*records.READ_ROLES)
def initiatives() -> Any:
    session = db.session()
    year = _int_arg("year", records.MIN_YEAR, records.MAX_YEAR)
    person_id = _int_arg("person_id", 1, records.MAX_ID)
    stmt = records.list_initiatives(session, current_user, person_id=person_id, year=year)
    page = _page()
    total, rows = page_of(session, stmt, page, PER_PAGE)
    return render_template(
        "emulation/records/initiatives.html",
        rows=rows,
        used=records.awards_using(session, [r.id for r in rows]),
        year=year,
        subject=session.get(Person, person_id) if person_id else None,
        total=total,
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        page_url=lambda **kw: _page_url("emulation_records.initiatives", **kw),
        titles=_titles(),
    )


def _initiative_form(row: Initiative | None) -> InitiativeForm:
    if request.method == "POST":
        form = InitiativeForm()
    elif row is None:
        form = InitiativeForm(formdata=None)
    else:
        data = {
            "title": row.title,
            "summary": row.summary,
            "recognized_by_unit": row.recognized_by.code,
            "recognized_on": row.recognized_on,
            "scope": row.scope,
            "decision_no": row.decision_no,
            "applied_effectively": row.applied_effectively,
            "authors": [
                {"person": a.person.email or str(a.person_id), "share": a.share}
                for a in row.authors
            ],
        }
        form = InitiativeForm(formdata=None, data=data)
    if request.method == "GET":
        while len(form.authors.entries) < max(AUTHOR_ROWS, len(row.authors) + 2 if row else 0):
            form.authors.append_entry()
    form.recognized_by_unit.choices = options(_unit_labels())
    return form


def _authors(form: InitiativeForm) -> tuple[list[dict[str, Any]], bool]:
    """The filled author rows as the service takes them, and whether every row was readable."""
    out: list[dict[str, Any]] = []
    ok = True
    for entry in form.authors.entries:
        row = entry.form
        text = (row.person.data or "").strip()
        if not text and row.share.data is None:
            continue
        person_id = person_from_text(text)
        if person_id is None:
            row.person.errors = [
                *list(row.person.errors or []),
                _("Nobody with this id or e-mail."),
            ]
            ok = False
            continue
        if row.share.data is None:
            row.share.errors = [*list(row.share.errors or []), _("Give the author's share.")]
            ok = False
            continue
        out.append({"person_id": person_id, "share": row.share.data})
    return out, ok


def _render_initiative(
    form: InitiativeForm, row: Initiative | None, errors: list[str], status: int
) -> Any:
    return render_template(
        "emulation/records/initiative_form.html", form=form, row=row, errors=errors
    ), status


def _save_initiative(row: Initiative | None) -> Any:
    form = _initiative_form(row)
    if request.method == "GET":
        return _render_initiative(form, row, [], 200)
    errors: list[str] = []
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        abort(400)
    authors, readable = _authors(form)
    if valid and readable:
        unit_id = _unit_id(form.recognized_by_unit.data)
        values = {
            "title": form.title.data or "",
            "summary": form.summary.data or "",
            "recognized_by_unit_id": unit_id or 0,
            "recognized_on": form.recognized_on.data,
            "scope": form.scope.data or "",
            "decision_no": form.decision_no.data or "",
            "applied_effectively": bool(form.applied_effectively.data),
            "authors": authors,
        }
        try:
            with transaction() as session:
                if row is None:
                    saved_id = records.create_initiative(session, current_user, **values).id
                else:
                    records.update_initiative(session, current_user, row.id, **values)
                    saved_id = row.id
        except (ValidationError, Conflict) as exc:
            errors = _show_errors(form, exc)
            if row is not None:
                row = records.get_initiative(db.session(), row.id)
            return _render_initiative(form, row, errors, exc.status)
        flash(_("The initiative is saved."), "info")
        return redirect(url_for("emulation_records.initiatives", _anchor=f"initiative-{saved_id}"))
    return _render_initiative(form, row, errors, 422)


@bp.route("/initiatives/new", methods=["GET", "POST"])
@require_roles(*records.KEEP_ROLES)
def new_initiative() -> Any:
    return _save_initiative(None)


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@require_roles(*records.KEEP_ROLES)
def edit_initiative(initiative_id: int) -> Any:
    return _save_initiative(records.get_initiative(db.session(), initiative_id))


# --------------------------------------------------------------------------
# Awards
# --------------------------------------------------------------------------


def _render_awards(
    revoke_errors: dict[int, str] | None = None, status: int = 200, **subject: Any
) -> Any:
    session = db.session()
    person_id = subject.get("person_id", _int_arg("person_id", 1, records.MAX_ID))
    unit_code = subject.get("unit", request.args.get("unit", "").strip()[:40])
    unit = session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
    if unit_code and unit is None:
        abort(404)
    person = records.read_person(session, current_user, person_id) if person_id else None
    year = _int_arg("year", records.MIN_YEAR, records.MAX_YEAR)
    stmt = records.list_awards(
        session,
        current_user,
        person_id=person.id if person else None,
        unit_id=unit.id if unit else None,
        year=year,
    )
    if unit is not None and person is None:
        # A unit's history is its own collective awards; its people's are on their pages.
        stmt = stmt.where(Award.unit_id == unit.id)
    page = _page()
    total, rows = page_of(session, stmt, page, PER_PAGE)
    return render_template(
        "emulation/records/awards.html",
        rows=rows,
        person=person,
        unit=unit,
        year=year,
        titles=_titles(),
        total=total,
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        page_url=lambda **kw: _page_url("emulation_records.awards", **kw),
        revoke_errors=revoke_errors or {},
        reason_values=request.form if revoke_errors else {},
    ), status


@bp.route("/awards")
@require_roles(*records.READ_ROLES)
def awards() -> Any:
    return _render_awards()


def _award_form() -> AwardForm:
    form = AwardForm() if request.method == "POST" else AwardForm(formdata=None)
    form.unit.choices = options([("", "—"), *_unit_labels()])
    form.title_code.choices = options(
        [(code, f"{code} — {_name(t)}") for code, t in _titles().items()]
    )
    if request.method == "GET":
        person_id = _int_arg("person_id", 1, records.MAX_ID)
        if person_id:
            form.person.data = str(person_id)
        form.unit.data = request.args.get("unit", "")[:40]
    return form


def _ids(text: str | None) -> list[int] | None:
    tokens = [t for t in re.split(r"[\s,;]+", text or "") if t]
    if not all(t.isdigit() and len(t) <= 10 for t in tokens):
        return None
    return [int(t) for t in tokens]


@bp.route("/awards/new", methods=["GET", "POST"])
@require_roles(*records.KEEP_ROLES)
def new_award() -> Any:
    form = _award_form()
    errors: list[str] = []
    if request.method == "GET":
        return render_template("emulation/records/award_form.html", form=form, errors=errors)
    status = 422
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        abort(400)
    person_id = person_from_text(form.person.data) if (form.person.data or "").strip() else None
    if (form.person.data or "").strip() and person_id is None:
        _add_error(form, "person", _("Nobody with this id or e-mail."))
        valid = False
    initiative_ids = _ids(form.initiative_ids.data)
    if initiative_ids is None:
        _add_error(form, "initiative_ids", _("Give the initiatives' ids, separated by commas."))
        valid = False
    if valid:
        unit_id = _unit_id(form.unit.data)
        try:
            with transaction() as session:
                row = records.create_award(
                    session,
                    current_user,
                    person_id=person_id,
                    unit_id=unit_id,
                    title_code=form.title_code.data or "",
                    year=form.year.data or 0,
                    basis=form.basis.data or "",
                    kind=form.kind.data or "",
                    decision_no=form.decision_no.data or "",
                    decision_date=form.decision_date.data,
                    initiative_ids=initiative_ids or [],
                )
                target = {"person_id": row.person_id} if row.person_id else {"unit": form.unit.data}
        except (ValidationError, Conflict) as exc:
            errors = _show_errors(form, exc)
            status = exc.status
        else:
            flash(_("The award is recorded."), "info")
            return redirect(url_for("emulation_records.awards", **target))
    return render_template("emulation/records/award_form.html", form=form, errors=errors), status


@bp.route("/awards/<int:award_id>/revoke", methods=["POST"])
@require_roles(*records.KEEP_ROLES)
def revoke_award(award_id: int) -> Any:
    session = db.session()
    award = records.get_award(session, award_id)
    subject = {"person_id": award.person_id} if award.person_id else {"unit": award.unit.code}  # type: ignore[union-attr]
    form = RevokeForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        message = _("Say why the award is revoked (at most 2,000 characters).")
        return _render_awards({award_id: message}, 422, **subject)
    try:
        with transaction() as tx:
            records.revoke_award(tx, current_user, award_id, form.reason.data or "")
    except (ValidationError, Conflict) as exc:
        message = (
            _("This award is already revoked.")
            if exc.status == 409
            else _("Say why the award is revoked (at most 2,000 characters).")
        )
        return _render_awards({award_id: message}, exc.status, **subject)
    flash(_("The award is revoked; it stays in the history, marked."), "info")
    return redirect(url_for("emulation_records.awards", **subject))


# --------------------------------------------------------------------------
# A person's record
# --------------------------------------------------------------------------


def _render_person(
    person_id: int,
    *,
    attest_form: AttestForm | None = None,
    discipline_form: DisciplineForm | None = None,
    case_form: CaseForm | None = None,
    close_errors: dict[int, str] | None = None,
    status: int = 200,
) -> Any:
    session = db.session()
    record = records.person_record(session, current_user, person_id)
    may_attest = current_user.has_role(*records.ATTEST_ROLES) and records.may_attest(
        session, current_user, record.person, None
    )
    keeper = current_user.has_role(*records.KEEP_ROLES)
    if attest_form is None and may_attest:
        attest_form = AttestForm(formdata=None, prefix="attest", year=clock.today().year)
    if discipline_form is None and keeper:
        discipline_form = DisciplineForm(formdata=None, prefix="discipline")
    if case_form is None and keeper:
        case_form = CaseForm(formdata=None, prefix="case")
    return render_template(
        "emulation/records/person.html",
        record=record,
        titles=_titles(),
        attest_form=attest_form if may_attest else None,
        discipline_form=discipline_form if keeper else None,
        case_form=case_form if keeper else None,
        close_errors=close_errors or {},
    ), status


@bp.route("/people/<int:person_id>")
@require_roles(*records.READ_ROLES)
def person(person_id: int) -> Any:
    return _render_person(person_id)


def _back_to(person_id: int) -> Any:
    return redirect(url_for("emulation_records.person", person_id=person_id))


@bp.route("/people/<int:person_id>/attest", methods=["POST"])
@require_roles(*records.ATTEST_ROLES)
def attest(person_id: int) -> Any:
    records.read_person(db.session(), current_user, person_id)
    form = AttestForm(prefix="attest")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _render_person(person_id, attest_form=form, status=422)
    try:
        with transaction() as session:
            records.attest(
                session,
                current_user,
                person_id=person_id,
                year=form.year.data or 0,
                criterion=form.criterion.data or "",
                holds=form.holds.data == "yes",
                note=form.note.data or "",
            )
    except ValidationError as exc:
        _show_errors(form, exc)
        return _render_person(person_id, attest_form=form, status=exc.status)
    flash(_("The attestation is recorded in your name."), "info")
    return _back_to(person_id)


@bp.route("/people/<int:person_id>/disciplines", methods=["POST"])
@require_roles(*records.KEEP_ROLES)
def add_discipline(person_id: int) -> Any:
    records.read_person(db.session(), current_user, person_id)
    form = DisciplineForm(prefix="discipline")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _render_person(person_id, discipline_form=form, status=422)
    try:
        with transaction() as session:
            records.create_discipline(
                session,
                current_user,
                person_id=person_id,
                form=form.form.data or "",
                decided_on=form.decided_on.data,  # type: ignore[arg-type]
                effective_to=form.effective_to.data,
                decision_no=form.decision_no.data or "",
                note=form.note.data or "",
            )
    except ValidationError as exc:
        _show_errors(form, exc)
        return _render_person(person_id, discipline_form=form, status=exc.status)
    flash(_("The disciplinary measure is recorded."), "info")
    return _back_to(person_id)


@bp.route("/people/<int:person_id>/cases", methods=["POST"])
@require_roles(*records.KEEP_ROLES)
def open_case(person_id: int) -> Any:
    records.read_person(db.session(), current_user, person_id)
    form = CaseForm(prefix="case")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _render_person(person_id, case_form=form, status=422)
    try:
        with transaction() as session:
            records.open_case(
                session,
                current_user,
                person_id=person_id,
                kind=form.kind.data or "",
                opened_on=form.opened_on.data,  # type: ignore[arg-type]
                note=form.note.data or "",
            )
    except ValidationError as exc:
        _show_errors(form, exc)
        return _render_person(person_id, case_form=form, status=exc.status)
    flash(_("The case is recorded as open."), "info")
    return _back_to(person_id)


@bp.route("/cases/<int:case_id>/close", methods=["POST"])
@require_roles(*records.KEEP_ROLES)
def close_case(case_id: int) -> Any:
    case = records.get_case(db.session(), case_id)
    if case.person_id is None:
        abort(404)  # a unit's cases are closed through the API
    person_id = case.person_id
    form = CloseCaseForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        message = _("Give a valid day, or leave it empty for today.")
        return _render_person(person_id, close_errors={case_id: message}, status=422)
    try:
        with transaction() as session:
            records.close_case(
                session,
                current_user,
                case_id,
                closed_on=form.closed_on.data,
                note=form.note.data or "",
            )
    except (ValidationError, Conflict) as exc:
        message = (
            _("This case is already closed.")
            if exc.status == 409
            else _("The day must fall between the case's opening and today.")
        )
        return _render_person(person_id, close_errors={case_id: message}, status=exc.status)
    flash(_("The case is closed."), "info")
    return _back_to(person_id)
