"""Pages: emulation scores, and the facts behind every number (issue 7 items 3 and 6).

- `/emulation/scores`: the snapshots computed so far; officers, council members and
  administrators compute a new one for a year or a movement from the form there.
- `/emulation/scores/<id>`: a snapshot's people and units, ranked, each criterion's value, the
  total and the unverified items apart; every number opens the line page at its criterion.
- `/emulation/scores/lines/<id>`: one subject's line: per criterion the value, the counts and
  the facts it was computed from; then the unverified items, which are not counted.
- `/emulation/scores/<id>/reproduce`: computes the snapshot again from its stored fact ids.
- `/emulation/scores/<id>/diff?against=<id>`: what changed since another snapshot, and why.

Who sees which lines is decided by `emulation.access` through `emulation.scoring`; deputies
get 403 everywhere, a staff member sees only their own line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from emulation import access, scoring
from emulation.models import Criterion, Movement, ScoreLine, ScoreSnapshot
from emulation.score_forms import ComputeForm
from lis import clock
from lis.auth.access import require_roles
from lis.contributions.rules import is_late
from lis.converters import MAX_ID
from lis.db import db, page_of, transaction
from lis.drafts.forms import options
from lis.errors import DomainError, ValidationError
from lis.people.models import Person
from lis.reference.models import Unit
from lis.web.labels import current_language as _lang
from lis.web.labels import format_day
from lis.web.labels import localized_name as _name

bp = Blueprint(
    "emulation_scores", __name__, url_prefix="/emulation/scores", template_folder="templates"
)

PER_PAGE = 50  # snapshots on the list
PEOPLE_PER_PAGE = 100  # person lines on a snapshot's page
MAX_PAGE = 10_000
MAX_MOVEMENTS = 300  # choices in the compute form, newest first
DASH = "—"  # a criterion that cannot be scored: nothing to read, which is not zero

SUBJECT_KINDS = {"person": _l("Individuals"), "unit": _l("Units")}
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
# The counts each formula stores beside its value (emulation.criteria), in words.
COUNT_NAMES = {
    "items": _l("Items"),
    "on_time": _l("On time"),
    "late": _l("Late"),
    "rated": _l("Rated items"),
    "major_errors": _l("Major errors"),
    "judged": _l("Items with a recorded outcome"),
    "units": _l("Converted units"),
    "drafts": _l("Drafts that reached a final stage"),
    "adopted": _l("Adopted"),
    "adopted_late": _l("Adopted after the planned session"),
    **QUALITY_NAMES,
    **OUTCOME_NAMES,
}
FIELD_MESSAGES = {
    "year": _l("This year cannot be scored."),
    "movement_id": _l("This movement cannot be scored."),
}


# --------------------------------------------------------------------------
# Formats and labels
# --------------------------------------------------------------------------


def score_number(value: float | int | None) -> str:
    """One decimal, in the reader's style (82,5 in Vietnamese, 82.5 in English); a dash when
    the criterion cannot be scored."""
    if value is None:
        return DASH
    return format_decimal(value, "#,##0.0")


def plain_number(value: Any) -> str:
    """Weights, parameters and counts: as many decimals as they have (up to three)."""
    if value is None:
        return DASH
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return format_decimal(value, "#,##0.###")


def moment(value: dt.datetime | None) -> str:
    """A stored (naive UTC) timestamp as the office's local date and time."""
    if value is None:
        return ""
    local = value.replace(tzinfo=dt.UTC).astimezone(clock.zone())
    return f"{format_day(local.date())} {local:%H:%M}"


def _label(names: Mapping[str, Any], code: str | None) -> str:
    return str(names.get(code, code)) if code else ""


def scope_label(snapshot: ScoreSnapshot) -> str:
    if snapshot.year is not None:
        return _("Year %(year)s", year=snapshot.year)
    return snapshot.movement.name if snapshot.movement is not None else DASH


def line_url(line_id: int, code: str | None = None) -> str:
    return url_for(".line", line_id=line_id, _anchor=f"c-{code}" if code else None)


def _param_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {plain_number(v)}" for k, v in value.items()) or DASH
    return plain_number(value)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "score_number": score_number,
        "plain_number": plain_number,
        "score_moment": moment,
        "score_scope": scope_label,
        "score_line_url": line_url,
        "score_name": _name,
        "score_subject": lambda line: scoring.subject_name(line, _lang()),
        "score_kind_label": lambda code: _label(SUBJECT_KINDS, code),
        "score_quality_label": lambda code: _label(QUALITY_NAMES, code),
        "score_outcome_label": lambda code: _label(OUTCOME_NAMES, code),
        "score_count_label": lambda code: _label(COUNT_NAMES, code),
        "score_param_text": _param_text,
        "score_is_late": is_late,
        "DASH": DASH,
    }


# --------------------------------------------------------------------------
# Request arguments
# --------------------------------------------------------------------------


def _page() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, MAX_PAGE))


def _page_url(**changes: Any) -> str:
    params = {k: v for k, v in request.args.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v is not None})
    return f"{request.path}?{urlencode(params)}"


def _snapshot_id_arg(name: str) -> int | None:
    """An optional snapshot id from the query string; anything else is the reader's mistake."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise ValidationError(f"{name} must be a snapshot id", {name: "not a snapshot id"})
    return int(raw)


# --------------------------------------------------------------------------
# The list, and computing a snapshot
# --------------------------------------------------------------------------


def _compute_form(data: Any = None) -> ComputeForm:
    form = ComputeForm(formdata=data) if data is not None else ComputeForm()
    movements = db.session().scalars(
        select(Movement)
        .order_by(Movement.start_date.desc(), Movement.id.desc())
        .limit(MAX_MOVEMENTS)
    )
    form.movement.choices = options(
        [("", _("— choose a movement —"))]
        + [
            (str(m.id), f"{m.name} ({format_day(m.start_date)} – {format_day(m.end_date)})")
            for m in movements
        ]
    )
    if data is None:
        form.year.data = clock.today().year - 1  # the year usually scored: the one just ended
    return form


def _render_index(form: ComputeForm | None, status: int = 200) -> Any:
    session = db.session()
    page = _page()
    total, rows = page_of(session, scoring.list_snapshots(session), page, PER_PAGE)
    return render_template(
        "emulation/scores/index.html",
        snapshots=rows,
        total=total,
        page=page,
        last_page=max(1, -(-total // PER_PAGE)),
        page_url=_page_url,
        form=form,
    ), status


@bp.get("")
@require_roles(*access.READ_ROLES)
def index() -> Any:
    may_run = current_user.has_role(*access.RUN_ROLES)
    return _render_index(_compute_form() if may_run else None)


def _show_errors(form: ComputeForm, exc: DomainError) -> None:
    """Put the service's field errors on the form's fields (the rest in a flash message)."""
    placed = False
    for name, problem in exc.fields.items():
        field = {"year": form.year, "movement_id": form.movement, "note": form.note}.get(name)
        if field is not None:
            message = FIELD_MESSAGES.get(name)
            text = f"{message} ({problem})" if message is not None else str(problem)
            field.errors = [*list(field.errors or []), text]
            placed = True
    if not placed:
        flash(exc.message, "error")


@bp.post("")
@require_roles(*access.RUN_ROLES)
def compute() -> Any:
    form = _compute_form(request.form)
    if not form.validate():
        return _render_index(form, 422)
    by_year = form.scope.data == "year"
    try:
        with transaction() as session:
            snapshot = scoring.compute(
                session,
                current_user,
                year=form.year.data if by_year else None,
                movement_id=None if by_year else int(form.movement.data or 0),
                note=form.note.data or "",
            )
            snapshot_id = snapshot.id
    except DomainError as exc:
        if exc.status == 403:
            raise
        _show_errors(form, exc)
        return _render_index(form, 422)
    flash(_("The scores are computed."), "info")
    return redirect(url_for(".snapshot", snapshot_id=snapshot_id))


# --------------------------------------------------------------------------
# One snapshot
# --------------------------------------------------------------------------


def criteria_of(snapshot: ScoreSnapshot) -> list[dict[str, Any]]:
    """The snapshot's criteria as it used them (formula version, weight, parameters), named
    from the catalogue when the snapshot does not carry the names itself."""
    codes = [str(c.get("code", "")) for c in snapshot.criteria or []]
    catalogue = {
        c.code: c for c in db.session().scalars(select(Criterion).where(Criterion.code.in_(codes)))
    }
    out = []
    for item in snapshot.criteria or []:
        code = str(item.get("code", ""))
        known = catalogue.get(code)
        if _lang() == "en":
            name = item.get("name_en") or (known.name_en if known else "") or code
            measures = known.measures_en if known else ""
        else:
            name = item.get("name") or (known.name if known else "") or code
            measures = known.measures if known else ""
        out.append(
            {
                "code": code,
                "name": name,
                "measures": measures,
                "formula": item.get("formula", ""),
                "weight": item.get("weight"),
                "params": dict(item.get("params") or {}),
            }
        )
    return out


@bp.get("/<int:snapshot_id>")
@require_roles(*access.READ_ROLES)
def snapshot(snapshot_id: int) -> Any:
    session = db.session()
    snap = scoring.get_snapshot(session, snapshot_id)
    kind = request.args.get("kind", "")
    kind = kind if kind in SUBJECT_KINDS else ""
    visible_units = _units_of_lines(
        scoring.visible_lines(session, current_user, snapshot_id).order_by(None)
    )
    unit = _chosen_unit(visible_units)
    unit_id = unit.id if unit is not None else None
    page = _page()
    people_total, people = 0, []
    if kind in ("", "person"):
        stmt = scoring.visible_lines(
            session, current_user, snapshot_id, subject_kind="person", unit_id=unit_id
        )
        people_total, people = page_of(session, stmt, page, PEOPLE_PER_PAGE)
    units: list[ScoreLine] = []
    if kind in ("", "unit"):
        stmt = scoring.visible_lines(
            session, current_user, snapshot_id, subject_kind="unit", unit_id=unit_id
        )
        units = list(session.scalars(stmt))
    return render_template(
        "emulation/scores/snapshot.html",
        snap=snap,
        criteria=criteria_of(snap),
        people=people,
        people_total=people_total,
        units=units,
        kind=kind,
        kinds=SUBJECT_KINDS,
        unit=unit,
        unit_choices=visible_units,
        page=page,
        last_page=max(1, -(-people_total // PEOPLE_PER_PAGE)),
        page_url=_page_url,
    )


def _units_of_lines(lines: Any) -> list[Unit]:
    """The units that the reader's lines of a snapshot belong to: what the filter offers."""
    ids = select(lines.subquery().c.unit_id)
    return list(db.session().scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.code)))


def _chosen_unit(choices: Iterable[Unit]) -> Unit | None:
    code = request.args.get("unit", "").strip()
    if not code:
        return None
    for unit in choices:
        if unit.code == code:
            return unit
    raise ValidationError("no line of this snapshot belongs to that unit", {"unit": code[:40]})


# --------------------------------------------------------------------------
# One line: the facts behind each number
# --------------------------------------------------------------------------


@bp.get("/lines/<int:line_id>")
@require_roles(*access.READ_ROLES)
def line(line_id: int) -> Any:
    detail = scoring.line_detail(db.session(), current_user, line_id)
    return render_template(
        "emulation/scores/line.html",
        detail=detail,
        line=detail.line,
        snap=detail.snapshot,
    )


# --------------------------------------------------------------------------
# Reproduce, compare
# --------------------------------------------------------------------------


@bp.get("/<int:snapshot_id>/reproduce")
@require_roles(*access.READ_ROLES)
def reproduce(snapshot_id: int) -> Any:
    """Compute the snapshot again from its stored fact ids (nothing is written). A reader sees
    the differences in the lines they may see, and only a count of the others."""
    session = db.session()
    snap = scoring.get_snapshot(session, snapshot_id)
    result = scoring.reproduce(session, snapshot_id)
    ids = sorted({d.line_id for d in result.differences})
    lines = {
        row.id: row
        for row in session.scalars(
            select(ScoreLine)
            .where(ScoreLine.id.in_(ids))
            .options(selectinload(ScoreLine.person), selectinload(ScoreLine.unit))
        )
    }
    reach = access.reach_of(session, current_user)
    shown = [
        d
        for d in result.differences
        if d.line_id in lines and access.sees_line(reach, lines[d.line_id])
    ]
    return render_template(
        "emulation/scores/reproduce.html",
        snap=snap,
        result=result,
        differences=shown,
        hidden=len(result.differences) - len(shown),
        lines=lines,
        criterion_names={c["code"]: c["name"] for c in criteria_of(snap)},
    )


@bp.get("/<int:snapshot_id>/diff")
@require_roles(*access.READ_ROLES)
def diff(snapshot_id: int) -> Any:
    session = db.session()
    new = scoring.get_snapshot(session, snapshot_id)
    against = _snapshot_id_arg("against") or new.previous_id
    if against is None:
        return render_template(
            "emulation/scores/diff.html", new=new, old=None, changes=[], people={}, units={}
        )
    old = scoring.get_snapshot(session, against)
    changes = scoring.diff(session, current_user, old.id, new.id)
    person_ids = {c.person_id for c in changes if c.person_id is not None}
    unit_ids = {c.unit_id for c in changes if c.unit_id is not None}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    names = {c["code"]: c["name"] for c in criteria_of(old)}
    names.update({c["code"]: c["name"] for c in criteria_of(new)})
    return render_template(
        "emulation/scores/diff.html",
        new=new,
        old=old,
        changes=changes,
        people=people,
        units=units,
        criterion_names=names,
    )
