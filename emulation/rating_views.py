"""Pages: the year's quality ratings per unit, suggested from the scores and decided by heads.

- `/emulation/ratings?year=&unit=`: a table per unit (person, score, suggested band and why,
  decided band, by whom and when, comment), the bands counted and the cap of excellent above
  each table; for heads a decide form per row and a button to suggest from the latest scores.
- POST `/emulation/ratings/suggest`: suggest a unit's bands (heads for their units, officers,
  administrators).
- POST `/emulation/ratings/<id>/decide`: record a decision, back to the page it came from.

Who sees and does what is decided by `emulation.ratings`; deputies get 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import groupby
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from emulation import access, ratings
from emulation import rating_rules as rules
from emulation.models import BANDS, QualityRating
from emulation.rating_forms import (
    BAND_NAMES,
    DecideForm,
    SuggestForm,
    band_label,
    reason_text,
    score_text,
)
from lis import clock
from lis.auth.access import require_roles
from lis.db import db, page_of, transaction
from lis.errors import DomainError
from lis.reference.models import Unit
from lis.web.labels import current_language as _lang
from lis.web.labels import localized_name as _name

bp = Blueprint(
    "emulation_ratings", __name__, url_prefix="/emulation/ratings", template_folder="templates"
)

PER_PAGE = 200
FIELD_MESSAGES = {
    "band": _l("Choose one of the four bands."),
    "comment": _l("Say why the decision differs from the suggestion (at most 2,000 characters)."),
    "cap_override_reason": _l(
        "The unit has reached its cap of excellent: give a reason to exceed it, or choose "
        "another band."
    ),
}


def _when(value: dt.datetime | None) -> str:
    """A stored (naive UTC) time in the office's time zone."""
    if value is None:
        return ""
    local = value.replace(tzinfo=dt.UTC).astimezone(clock.zone())
    return local.strftime("%d/%m/%Y %H:%M" if _lang() == "vi" else "%d %b %Y %H:%M")


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "rating_band_label": band_label,
        "rating_reason": lambda r: reason_text(ratings.decode_reason(r.suggestion_reason)),
        "rating_name": _name,
        "rating_when": _when,
        "rating_score": score_text,
        "rating_split_override": ratings.split_override,
    }


def _args() -> Any:
    """The page's query: the request's, or (re-rendering after a failed form) the query of the
    page the form was posted from."""
    return g.get("rating_args") or request.args


def _year() -> int:
    session = db.session()
    year = _args().get("year", type=int)
    if year is not None and ratings.MIN_YEAR <= year <= ratings.MAX_YEAR:
        return year
    years = ratings.years_with_scores(session)
    return years[0] if years else clock.today().year


def _unit() -> Unit | None:
    session = db.session()
    code = _args().get("unit", "").strip()
    if code:
        if len(code) > 40 or not code.isprintable():
            abort(404)
        unit = session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            abort(404)
        return unit
    if current_user.has_role(*access.SEE_ALL):
        return None
    person = ratings.own_person(session, current_user)
    return person.unit if person is not None and current_user.has_role("head") else None


def _page() -> int:
    page = _args().get("page", 1, type=int) or 1
    return max(1, min(page, 1000))


def _page_url(**changes: Any) -> str:
    params = {k: v for k, v in _args().items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v is not None})
    return f"{url_for('emulation_ratings.index')}?{urlencode(params)}"


def _unit_choices() -> list[Unit]:
    session = db.session()
    units = list(session.scalars(select(Unit).order_by(Unit.code)))
    reach = access.reach_of(session, current_user)
    if reach.everything:
        return units
    return [u for u in units if u.id in reach.unit_ids]


def _groups(rows: Iterable[QualityRating], year: int, reach: access.Reach) -> list[dict[str, Any]]:
    """The page's rows by unit, each unit with its counts (for readers of the whole unit)."""
    session = db.session()
    out = []
    for unit_id, items in groupby(rows, key=lambda r: r.unit_id):
        members = list(items)
        whole = reach.everything or unit_id in reach.unit_ids
        summary = None
        if whole:
            bands = session.execute(
                select(QualityRating.suggested_band, QualityRating.band).where(
                    QualityRating.unit_id == unit_id, QualityRating.year == year
                )
            ).all()
            summary = ratings.summarise(bands, year)
        out.append({"unit": members[0].unit, "summary": summary, "rows": members})
    return out


def _render(errors: dict[int, dict[str, str]] | None = None, status: int = 200) -> Any:
    session = db.session()
    year = _year()
    unit = _unit()
    reach = access.reach_of(session, current_user)
    stmt = ratings.list_ratings(
        session, current_user, year=year, unit_id=unit.id if unit is not None else None
    )
    page = _page()
    total, rows = page_of(session, stmt, page, PER_PAGE)
    try:
        year_rules: rules.Rules | None = rules.rules_for(year)
    except rules.NoParam:
        year_rules = None
    deciders = {r.id for r in rows if ratings.may_decide(session, current_user, r)}
    suggest_units = ratings.units_to_suggest(session, current_user)
    years = sorted({*ratings.years_with_scores(session), year}, reverse=True)
    return render_template(
        "emulation/ratings/index.html",
        year=year,
        years=years,
        unit=unit,
        unit_choices=_unit_choices(),
        year_rules=year_rules,
        snapshot=ratings.latest_year_snapshot(session, year),
        groups=_groups(rows, year, reach),
        total=total,
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        page_url=_page_url,
        deciders=deciders,
        suggest_units=suggest_units,
        band_names=BAND_NAMES,
        bands=BANDS,
        errors=errors or {},
        values=request.form if errors else {},
        next_url=_page_url(),
    ), status


@bp.route("")
@require_roles(*ratings.READ_ROLES)
def index() -> Any:
    """The year's ratings of the units the reader may see (a head: their unit by default)."""
    return _render()


def _back() -> Any:
    """Back to the ratings page the form was posted from (only ever a path of ours)."""
    home = url_for("emulation_ratings.index")
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(home):
        target = home
    return redirect(target)


@bp.route("/suggest", methods=["POST"])
@require_roles(*ratings.SUGGEST_ROLES)
def suggest() -> Any:
    form = SuggestForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Choose a unit and a year to suggest ratings for."), "error")
        return _back()
    session = db.session()
    unit = session.scalar(select(Unit).where(Unit.code == form.unit.data))
    if unit is None:
        abort(404)
    try:
        with transaction() as tx:
            rows = ratings.suggest_for_unit(tx, current_user, unit.id, form.year.data or 0)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        if exc.status == 409:
            message = _(
                "There are no scores for %(year)s yet: compute the year's scores first.",
                year=form.year.data,
            )
            flash(message, "error")
        else:
            flash(exc.message, "error")
        return _back()
    flash(
        _(
            "Ratings suggested from the latest scores (people rated: %(num)d); decided bands "
            "are unchanged.",
            num=len(rows),
        ),
        "info",
    )
    return _back()


def _failed(rating_id: int, fields: dict[str, Any], message: str, status: int) -> Any:
    """Show a form's problems beside its row, on the page it came from."""
    g.rating_args = MultiDict(parse_qsl(urlsplit(request.form.get("next", "")).query))
    errors = {
        name: str(FIELD_MESSAGES.get(name, problem if isinstance(problem, str) else problem[0]))
        for name, problem in fields.items()
    }
    db.session().rollback()
    flash(message, "error")
    return _render({rating_id: errors}, status)


@bp.route("/<int:rating_id>/decide", methods=["POST"])
@require_roles(*ratings.DECIDE_ROLES)
def decide(rating_id: int) -> Any:
    form = DecideForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _failed(rating_id, form.errors, _("Please correct the marked fields."), 422)
    try:
        with transaction() as session:
            ratings.decide(
                session,
                current_user,
                rating_id,
                form.band.data or "",
                form.comment.data or "",
                form.cap_override_reason.data or None,
            )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        if exc.status == 409:
            return _failed(
                rating_id,
                {"cap_override_reason": "required"},
                _("This would exceed the unit's cap of excellent."),
                409,
            )
        return _failed(rating_id, exc.fields, _("Please correct the marked fields."), 422)
    flash(_("The rating is decided."), "info")
    return _back()
