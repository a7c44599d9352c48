"""Pages: eligibility reports, who qualifies in a unit, what if a parameter changed, and the
catalogue of title rules.

- `/emulation/eligibility`: the stored reports the reader may see, with links to the rest.
- `/emulation/eligibility/evaluate`: a form to run a title's rules for a person or a unit
  and keep the report (POST stores, then shows it).
- `/emulation/eligibility/<id>`: a report: per rule its outcome, the explanation, the
  provision cited (marked when its text is not verified), the parameters and the facts used.
- `/emulation/eligibility/qualifies?unit=&year=&title=`: subject × title with outcomes.
- `/emulation/eligibility/what-if?unit=&year=&title=&param=&value=`: whose outcome changes.
- `/emulation/eligibility/rules?on=`: each title's rules and the parameters in force.

Who sees and does what is decided by `emulation.eligibility`; deputies get 403.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BuildError

from emulation import access, eligibility, legal, title_rules
from emulation.commendation_models import Award, EligibilityReport, Initiative
from emulation.eligibility_forms import (
    EvaluateForm,
    WhatIfForm,
    explain,
    outcome_label,
    provision_info,
    value_text,
)
from emulation.models import Title
from lis import clock
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.errors import DomainError
from lis.people.models import Person
from lis.reference.models import Unit
from lis.web.labels import current_language as _lang
from lis.web.labels import localized_name as _name

bp = Blueprint(
    "emulation_eligibility",
    __name__,
    url_prefix="/emulation/eligibility",
    template_folder="templates",
)

PER_PAGE = 50
FIELD_MESSAGES = {
    "title": _l("Choose a title that has rules and fits the subject (a person or a unit)."),
    "year": _l("Give a year between 2000 and 2100."),
    "person": _l("Choose a person, or a unit for a collective title (not both)."),
    "unit": _l("Choose a unit you may evaluate."),
    "on": _l("Give a day between 2000 and 2101 on which rules are in force."),
    "param": _l("Choose a parameter from the catalogue."),
    "value": _l("Give a value of the parameter's type."),
    "overrides": _l("Give a value of the parameter's type."),
}


def _decider(title: Title) -> str:
    return title.decider_en if _lang() == "en" and title.decider_en else title.decider


def _titles() -> dict[str, Title]:
    return {t.code: t for t in eligibility.titles_with_rules(db.session())}


def _year_arg() -> int:
    year = request.args.get("year", type=int)
    if year is not None and eligibility.MIN_YEAR <= year <= eligibility.MAX_YEAR:
        return year
    return clock.today().year - 1  # titles are considered for the year just ended


def _day_arg() -> dt.date:
    text = request.args.get("on", "")
    try:
        day = dt.date.fromisoformat(text) if text else clock.today()
    except ValueError:
        return clock.today()
    return day if eligibility.MIN_ON <= day <= eligibility.MAX_ON else clock.today()


def _code_arg(name: str) -> str | None:
    code = request.args.get(name, "").strip()
    if not code:
        return None
    if len(code) > 40 or not re.fullmatch(r"[A-Za-z0-9_.-]+", code):
        abort(404)
    return code


# --------------------------------------------------------------------------
# Facts cited, as links where a page shows them
# --------------------------------------------------------------------------


def _route_for(pattern: str, value: int) -> str | None:
    """The URL of the first GET route whose rule matches `pattern` with one id argument (the
    records pages are another module's: link to them only when they exist)."""
    for rule in current_app.url_map.iter_rules():
        match = re.fullmatch(pattern, rule.rule)
        if match and "GET" in (rule.methods or ()) and len(rule.arguments) == 1:
            try:
                return url_for(rule.endpoint, **{match.group(1): value})
            except BuildError:
                return None
    return None


def _fact_rows(report: EligibilityReport) -> dict[str, dict[str, Any]]:
    """Each fact the report cites: a label and, where a page shows it, a link."""
    session = db.session()
    cited = {f for r in report.results for f in r.get("facts") or ()}
    ids: dict[str, set[int]] = {}
    for fact in cited:
        kind, _sep, ref = str(fact).partition(":")
        if ref.isdigit() and len(ref) < 11:
            ids.setdefault(kind, set()).add(int(ref))
    awards = {
        a.id: a
        for a in session.scalars(select(Award).where(Award.id.in_(sorted(ids.get("award", ())))))
    }
    people = {
        p.id: p
        for p in session.scalars(select(Person).where(Person.id.in_(sorted(ids.get("person", ())))))
    }
    initiatives = {
        i.id: i
        for i in session.scalars(
            select(Initiative).where(Initiative.id.in_(sorted(ids.get("initiative", ()))))
        )
    }
    unit_code = (
        report.unit.code
        if report.unit is not None
        else report.person.unit.code
        if report.person is not None
        else None
    )
    out: dict[str, dict[str, Any]] = {}
    for fact in sorted(cited):
        kind, _sep, ref = str(fact).partition(":")
        number = int(ref) if ref.isdigit() and len(ref) < 11 else None
        label, link = fact, None
        if kind == "award" and number is not None:
            award = awards.get(number)
            label = (
                _("Award %(title)s %(year)s", title=award.title_code, year=award.year)
                if award
                else _("Award no. %(id)s", id=number)
            )
            who = award.person_id if award else report.person_id
            if award is not None and award.unit_id is not None:
                link = _route_for(r"/emulation/records/units/<(?:int:)?(\w+)>", award.unit_id)
            elif who is not None:
                link = _route_for(r"/emulation/records/people/<(?:int:)?(\w+)>", who)
        elif kind == "initiative" and number is not None:
            initiative = initiatives.get(number)
            label = _("Initiative: %(title)s", title=initiative.title) if initiative else fact
            link = _route_for(r"/emulation/records/initiatives/<(?:int:)?(\w+)>", number)
        elif kind == "person" and number is not None:
            member = people.get(number)
            label = member.name if member else _("Person no. %(id)s", id=number)
            link = _route_for(r"/emulation/records/people/<(?:int:)?(\w+)>", number)
        elif kind == "rating" and number is not None:
            label = _("Quality rating %(year)s", year=number)
            args = {"year": number, **({"unit": unit_code} if unit_code else {})}
            link = url_for("emulation_ratings.index", **args)
        elif kind == "case" and number is not None:
            label = _("Pending case no. %(id)s", id=number)
        elif kind == "discipline" and number is not None:
            label = _("Discipline no. %(id)s", id=number)
        elif kind == "attestation" and number is not None:
            label = _("Attestation no. %(id)s", id=number)
        out[fact] = {"label": label, "link": link}
    return out


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "elig_outcome": outcome_label,
        "elig_explain": explain,
        "elig_provision": provision_info,
        "elig_value": value_text,
        "elig_name": _name,
    }


# --------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------


@bp.route("")
@require_roles(*eligibility.READ_ROLES)
def index() -> Any:
    """The stored reports the reader may see, newest first."""
    session = db.session()
    title = _code_arg("title")
    year = request.args.get("year", type=int)
    if year is not None and not eligibility.MIN_YEAR <= year <= eligibility.MAX_YEAR:
        year = None
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 1000))
    stmt = eligibility.list_reports(session, current_user, title=title, year=year)
    total, rows = page_of(session, stmt, page, PER_PAGE)
    return render_template(
        "emulation/eligibility/index.html",
        rows=rows,
        total=total,
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        titles=_titles(),
        title=title,
        year=year,
    )


@bp.route("/<int:report_id>")
@require_roles(*eligibility.READ_ROLES)
def report(report_id: int) -> Any:
    row = eligibility.get_report(db.session(), current_user, report_id)
    titles = _titles()
    return render_template(
        "emulation/eligibility/report.html",
        report=row,
        title=titles.get(row.title_code),
        facts=_fact_rows(row),
        rule_params={r.id: r.params for r in title_rules.all_rules()},
        may_evaluate=current_user.has_role(*eligibility.EVALUATE_ROLES),
    )


def _evaluate_form() -> EvaluateForm:
    session = db.session()
    form = EvaluateForm()
    titles = _titles()
    kinds = {"person": _("for people"), "unit": _("for units")}
    form.title.choices = [
        (code, f"{_name(t)} ({kinds[title_rules.subject_kind(code)]})")
        for code, t in titles.items()
    ]
    people = eligibility.people_to_evaluate(session, current_user)
    form.person.choices = [("", "—")] + [(str(p.id), f"{p.name} — {p.unit.code}") for p in people]
    units = eligibility.units_to_evaluate(session, current_user)
    form.unit.choices = [("", "—")] + [(u.code, f"{u.code} — {_name(u)}") for u in units]
    if request.method == "GET":
        wanted_title = request.args.get("title", "")
        form.title.data = wanted_title if wanted_title in titles else None
        form.year.data = _year_arg()
        wanted_person = request.args.get("person", "")
        if wanted_person in {value for value, _label in form.person.choices}:
            form.person.data = wanted_person
        wanted_unit = request.args.get("unit", "")
        if wanted_unit in {value for value, _label in form.unit.choices}:
            form.unit.data = wanted_unit
    return form


def _render_evaluate(form: EvaluateForm, errors: dict[str, str], status: int = 200) -> Any:
    return render_template(
        "emulation/eligibility/evaluate.html", form=form, errors=errors, titles=_titles()
    ), status


@bp.route("/evaluate", methods=["GET", "POST"])
@require_roles(*eligibility.EVALUATE_ROLES)
def evaluate() -> Any:
    """Run a title's rules for a person or a unit and keep the report."""
    form = _evaluate_form()
    if request.method == "GET":
        return _render_evaluate(form, {})
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        errors = {
            name: str(FIELD_MESSAGES.get(name, problems[0]))
            for name, problems in form.errors.items()
        }
        return _render_evaluate(form, errors, 422)
    session = db.session()
    unit_id = None
    if form.unit.data:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == form.unit.data))
        if unit_id is None:
            return _render_evaluate(form, {"unit": str(FIELD_MESSAGES["unit"])}, 422)
    person = form.person.data or ""
    if person and not (person.isdigit() and len(person) < 11):
        return _render_evaluate(form, {"person": str(FIELD_MESSAGES["person"])}, 422)
    try:
        with transaction() as tx:
            row = eligibility.evaluate(
                tx,
                current_user,
                title=form.title.data or "",
                year=form.year.data or 0,
                person_id=int(person) if person else None,
                unit_id=unit_id,
                on=form.on.data,
            )
            report_id = row.id
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = {name: str(FIELD_MESSAGES.get(name, exc.message)) for name in exc.fields}
        flash(_("Please correct the marked fields."), "error")
        return _render_evaluate(form, errors, exc.status)
    flash(_("The eligibility report is stored."), "info")
    return redirect(url_for("emulation_eligibility.report", report_id=report_id))


# --------------------------------------------------------------------------
# Who qualifies, what if
# --------------------------------------------------------------------------


def _chosen_unit(units: list[Unit]) -> Unit | None:
    """The unit asked for (404 if unknown, 403 if not the reader's), else a head's own."""
    session = db.session()
    code = _code_arg("unit")
    if code:
        unit = session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            abort(404)
        return unit
    if current_user.has_role(*access.SEE_ALL):
        return None
    person = eligibility.own_person(session, current_user)
    return person.unit if person is not None and person.unit in units else None


def _grid(rows: Iterable[eligibility.QualifyRow]) -> list[dict[str, Any]]:
    """Rows by subject: each subject with its outcome per title."""
    out: list[dict[str, Any]] = []
    for row in rows:
        key = (row.subject_kind, row.subject_id)
        if not out or out[-1]["key"] != key:
            out.append({"key": key, "row": row, "cells": {}})
        out[-1]["cells"][row.title] = row
    return out


@bp.route("/qualifies")
@require_roles(*eligibility.EVALUATE_ROLES)
def qualifies() -> Any:
    session = db.session()
    units = eligibility.units_to_evaluate(session, current_user)
    unit = _chosen_unit(units)
    year = _year_arg()
    titles = _titles()
    title = _code_arg("title")
    if title is not None and title not in titles:
        abort(404)
    rows: list[eligibility.QualifyRow] = []
    if unit is not None:
        rows = eligibility.who_qualifies(
            session, current_user, unit_id=unit.id, year=year, title=title
        )
    shown = [t for code, t in titles.items() if title is None or code == title]
    return render_template(
        "emulation/eligibility/qualifies.html",
        units=units,
        unit=unit,
        year=year,
        titles=titles,
        title=title,
        people_titles=[t for t in shown if t.subject == "individual"],
        unit_titles=[t for t in shown if t.subject == "collective"],
        grid=_grid(rows),
    )


def _what_if_form(units: list[Unit]) -> WhatIfForm:
    form = WhatIfForm(formdata=request.args if request.args.get("param") else None)
    form.unit.choices = [(u.code, f"{u.code} — {_name(u)}") for u in units]
    form.title.choices = [(c, _name(t)) for c, t in _titles().items()]
    form.param.choices = [(n, n) for n in eligibility.param_names()]
    if not request.args.get("param"):
        form.year.data = _year_arg()
        own = _chosen_unit(units) if units else None
        form.unit.data = own.code if own is not None else None
        if request.args.get("title") in dict(form.title.choices):
            form.title.data = request.args.get("title")
    return form


@bp.route("/what-if")
@require_roles(*eligibility.EVALUATE_ROLES)
def what_if() -> Any:
    """Choose a unit, year, title and a parameter's new value: whose outcome changes."""
    session = db.session()
    units = eligibility.units_to_evaluate(session, current_user)
    form = _what_if_form(units)
    errors: dict[str, str] = {}
    rows: list[eligibility.WhatIfRow] | None = None
    new_value: Any = None
    status = 200
    if request.args.get("param"):
        if not form.validate():
            errors = {n: str(FIELD_MESSAGES.get(n, p[0])) for n, p in form.errors.items()}
            status = 422
        else:
            unit = session.scalar(select(Unit).where(Unit.code == form.unit.data))
            try:
                new_value = eligibility.parse_value(form.param.data or "", form.value.data or "")
                rows = eligibility.what_if(
                    session,
                    current_user,
                    unit_id=unit.id if unit else 0,
                    year=form.year.data or 0,
                    title=form.title.data or "",
                    overrides={form.param.data or "": new_value},
                )
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                errors = {n: str(FIELD_MESSAGES.get(n, exc.message)) for n in exc.fields}
                status = exc.status
    in_force = eligibility.params_in_force(clock.today())
    return render_template(
        "emulation/eligibility/what_if.html",
        form=form,
        errors=errors,
        rows=rows,
        new_value=new_value,
        in_force=in_force,
        catalogue=_param_choices(in_force),
    ), status


def _param_choices(in_force: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": n,
            "type": eligibility.param_kind(n),
            "value": in_force.get(n),
            "choices": legal.choices(n) or (),
        }
        for n in eligibility.param_names()
    ]


# --------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------


@bp.route("/rules")
@require_roles(*eligibility.READ_ROLES)
def rules() -> Any:
    session = db.session()
    on = _day_arg()
    return render_template(
        "emulation/eligibility/rules.html",
        on=on,
        titles=eligibility.catalogue(session, current_user),
        params=eligibility.param_versions_in_force(on),
        all_params=legal.params_catalogue(),
        decider=_decider,
        param_kind=eligibility.param_kind,
    )
