"""Dashboards for councils and heads (issue 7 §5): rankings per unit and per criterion and
trends over years, as tables with server-drawn SVG charts, each table exportable as XLSX.

- `/emulation/dashboards/`: units ranked by total (chart + table).
- `/emulation/dashboards/criteria`: for each criterion, units ranked by its value (one chart
  and one table per criterion), then the people of a chosen unit (`?unit=CODE`, with the units
  under it) ranked by total with every criterion.
- `/emulation/dashboards/trends`: each unit's total in the latest snapshot of every year
  (`?unit=CODE` for one unit), as a line chart and a table with the years as columns.
- `/emulation/dashboards/<table>.xlsx` with `table` one of units, criteria (`?criterion=` for
  one), people, trends: the same table as a workbook, under the same query and the same rule.

`?year=` picks the latest snapshot of that year (default: the newest year); `?snapshot=<id>`
picks a snapshot and wins over `year`. Bad parameters answer 422 (not a number, out of range)
or 404 (no such snapshot, year without scores, unknown unit), never 500.

Who sees what (issue 7 §6, `emulation.access`): officers, council members and administrators
see everything; a head sees the units they head (with the units under them) and the people in
them; deputies get 403. Staff see only their own line: the criteria page shows them the people
table of their unit reduced to their own row, and the unit dashboards (ranking, trends and
their exports) answer 403 with a page that says where their own score is, since a unit ranking
without any unit would be an empty page pretending to be an answer. Exports obey the same rule.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from flask import Blueprint, abort, render_template, request, send_file, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from emulation import access, charts, dashboards
from emulation.dashboards import CriterionInfo, Ranked, Row, Trends
from emulation.models import ScoreSnapshot
from emulation.xlsx import Column, Table, workbook
from lis.auth.access import require_roles
from lis.db import db
from lis.errors import NotFound, PermissionDenied, ValidationError
from lis.reference.models import Unit
from lis.web.labels import current_language as _lang

bp = Blueprint(
    "emulation_dashboards",
    __name__,
    url_prefix="/emulation/dashboards",
    template_folder="templates",
)

MAX_ID = 2**31 - 1
YEARS = (1990, 2200)
EXPORTS = ("units", "criteria", "people", "trends")
TREND_CHART_SERIES = 6  # more lines than this are unreadable; the table has every unit
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fmt(value: float | None) -> str:
    return "—" if value is None else str(format_decimal(value, format="#,##0.00"))


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"dash_number": _fmt}


# --- query parameters ---------------------------------------------------------------------------
def _int_arg(name: str, low: int, high: int) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and low <= int(raw) <= high):
        raise ValidationError(
            f"{name} must be a whole number from {low} to {high}", {name: "invalid"}
        )
    return int(raw)


def _code_arg(name: str) -> str | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if len(raw) > 40 or not raw.isprintable():
        raise ValidationError(f"{name} must be a code of at most 40 characters", {name: "invalid"})
    return raw


def _unit_arg() -> Unit | None:
    code = _code_arg("unit")
    return dashboards.unit_by_code(db.session(), code) if code else None


def _snapshot() -> ScoreSnapshot | None:
    snapshot_id = _int_arg("snapshot", 1, MAX_ID)
    year = _int_arg("year", *YEARS)
    return dashboards.pick_snapshot(db.session(), snapshot_id=snapshot_id, year=year)


def _reach() -> access.Reach:
    reach = access.reach_of(db.session(), current_user)
    dashboards.require_any(reach)
    return reach


def _sees_units(reach: access.Reach) -> bool:
    return reach.everything or bool(reach.unit_ids)


# --- labels -------------------------------------------------------------------------------------
def _unit_name(unit: Unit | Row | dashboards.TrendSeries) -> str:
    if isinstance(unit, Unit):
        return unit.name_en if _lang() == "en" and unit.name_en else unit.name
    return unit.unit_name_en if _lang() == "en" and unit.unit_name_en else unit.unit_name


def _criterion_name(c: CriterionInfo) -> str:
    return c.name_en if _lang() == "en" and c.name_en else c.name


def _snapshot_label(s: ScoreSnapshot) -> str:
    if s.year is not None:
        scope = _("Year %(year)d", year=s.year)
    else:
        scope = s.movement.name if s.movement is not None else _("Movement")
    return _(
        "%(scope)s · snapshot #%(id)d computed on %(date)s",
        scope=scope,
        id=s.id,
        date=format_date(s.created_at.date()) if s.created_at else "—",
    )


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:40] or "x"


def _scope_part(s: ScoreSnapshot) -> str:
    return f"{s.year}-s{s.id}" if s.year is not None else f"movement-{s.movement_id}-s{s.id}"


# --- tables (one description for the page and its export) ---------------------------------------
def _criteria_columns(criteria: Sequence[CriterionInfo]) -> list[Column]:
    return [Column(_criterion_name(c), "number", 14) for c in criteria]


def _units_table(s: ScoreSnapshot, rows: Sequence[Row], criteria: Sequence[CriterionInfo]) -> Table:
    columns = [
        Column(_("Rank"), "int", 8),
        Column(_("Unit code"), "text", 14),
        Column(_("Unit"), "text", 44),
        Column(_("Total"), "number", 10),
        *_criteria_columns(criteria),
    ]
    return Table(
        key="units",
        title=_("Units ranked by total score"),
        sheet=_("Unit ranking"),
        note=_snapshot_label(s),
        columns=columns,
        rows=[
            [r.rank, r.unit_code, _unit_name(r), r.total, *(r.values.get(c.code) for c in criteria)]
            for r in rows
        ],
        links=[_people_url(s, r.unit_code) for r in rows],
        link_column=2,
    )


def _people_url(s: ScoreSnapshot, unit_code: str) -> str:
    return url_for(".criteria", snapshot=s.id, unit=unit_code, _anchor="people")


def _criterion_table(s: ScoreSnapshot, ranking: dashboards.CriterionRanking) -> Table:
    c = ranking.criterion
    return Table(
        key=f"criterion-{_file_part(c.code)}",
        title=_("Units ranked by %(criterion)s", criterion=_criterion_name(c)),
        sheet=_criterion_name(c),
        note=_snapshot_label(s),
        columns=[
            Column(_("Rank"), "int", 8),
            Column(_("Unit code"), "text", 14),
            Column(_("Unit"), "text", 44),
            Column(_criterion_name(c), "number", 14),
            Column(_("Total"), "number", 10),
        ],
        rows=[
            [r.rank, r.row.unit_code, _unit_name(r.row), r.row.values.get(c.code), r.row.total]
            for r in ranking.rows
        ],
    )


def _people_table(
    s: ScoreSnapshot, unit: Unit, ranked: Sequence[Ranked], criteria: Sequence[CriterionInfo]
) -> Table:
    return Table(
        key="people",
        title=_("People of %(unit)s ranked by total score", unit=_unit_name(unit)),
        sheet=_("People"),
        note=_snapshot_label(s),
        columns=[
            Column(_("Rank in the unit"), "int", 10),
            Column(_("Overall rank"), "int", 10),
            Column(_("Name"), "text", 32),
            Column(_("Unit code"), "text", 14),
            Column(_("Total"), "number", 10),
            *_criteria_columns(criteria),
        ],
        rows=[
            [
                r.rank,
                r.row.rank,
                r.row.person_name,
                r.row.unit_code,
                r.row.total,
                *(r.row.values.get(c.code) for c in criteria),
            ]
            for r in ranked
        ],
    )


def _trends_table(t: Trends) -> Table:
    return Table(
        key="trends",
        title=_("Total score of each unit over the years"),
        sheet=_("Trends"),
        note=_("Latest snapshot of each year"),
        columns=[
            Column(_("Unit code"), "text", 14),
            Column(_("Unit"), "text", 44),
            *(Column(str(year), "number", 10) for year in t.years),
        ],
        rows=[
            [s.unit_code, _unit_name(s), *(s.totals.get(year) for year in t.years)]
            for s in t.series
        ],
    )


# --- charts -------------------------------------------------------------------------------------
def _bar_chart(chart_id: str, title: str, desc: str, bars: list[charts.Bar]) -> Markup:
    svg = charts.bar_chart(
        bars,
        chart_id=chart_id,
        title=title,
        desc=desc,
        scale_max=100,
        value_format=_fmt,
        none_text=_("no score"),
        empty_text=_("Nothing to show."),
    )
    return Markup(svg)  # noqa: S704  every label is escaped inside charts.py


def _units_chart(rows: Sequence[Row]) -> Markup:
    return _bar_chart(
        "chart-units",
        _("Units ranked by total score"),
        _("Horizontal bars: each unit's total score out of 100, highest first."),
        [charts.Bar(f"{r.unit_code} · {_unit_name(r)}", r.total) for r in rows],
    )


def _criterion_chart(ranking: dashboards.CriterionRanking) -> Markup:
    name = _criterion_name(ranking.criterion)
    return _bar_chart(
        f"chart-criterion-{ranking.criterion.code}",
        _("Units ranked by %(criterion)s", criterion=name),
        _("Horizontal bars: each unit's %(criterion)s score out of 100.", criterion=name),
        [
            charts.Bar(
                f"{r.row.unit_code} · {_unit_name(r.row)}", r.row.values.get(ranking.criterion.code)
            )
            for r in ranking.rows
        ],
    )


def _trends_chart(t: Trends) -> Markup:
    shown = t.series[:TREND_CHART_SERIES]
    svg = charts.line_chart(
        [charts.Series(s.unit_code, [s.totals.get(y) for y in t.years]) for s in shown],
        [str(y) for y in t.years],
        chart_id="chart-trends",
        title=_("Total score of each unit over the years"),
        desc=_("Lines: one per unit, with the total score out of 100 for each year."),
        scale_max=100,
        value_format=_fmt,
        empty_text=_("Nothing to show."),
    )
    return Markup(svg)  # noqa: S704  every label is escaped inside charts.py


# --- pages --------------------------------------------------------------------------------------
def _common(snapshot: ScoreSnapshot | None, reach: access.Reach, **extra: Any) -> dict[str, Any]:
    session = db.session()
    others = (
        [s for s in dashboards.snapshots_of_year(session, snapshot.year) if s.id != snapshot.id]
        if snapshot is not None and snapshot.year is not None
        else []
    )
    return {
        "snapshot": snapshot,
        "snapshot_label": _snapshot_label(snapshot) if snapshot else "",
        "years": dashboards.years(session),
        "other_snapshots": others,
        "sees_units": _sees_units(reach),
        **extra,
    }


def _forbidden_units() -> Any:
    return render_template("emulation/dashboards/staff.html"), 403


@bp.route("/")
@require_roles(*access.READ_ROLES)
def units() -> Any:
    """Units ranked by total."""
    reach = _reach()
    if not _sees_units(reach):
        return _forbidden_units()
    snapshot = _snapshot()
    context = _common(snapshot, reach, active="units")
    if snapshot is not None:
        session = db.session()
        rows = dashboards.unit_ranking(session, reach, snapshot)
        criteria = dashboards.criteria_of(session, snapshot)
        context["table"] = _units_table(snapshot, rows, criteria)
        context["chart"] = _units_chart(rows)
    return render_template("emulation/dashboards/units.html", **context)


def _people_unit(reach: access.Reach, snapshot: ScoreSnapshot) -> tuple[Unit | None, list[Unit]]:
    session = db.session()
    choices = dashboards.people_units(session, reach, snapshot)
    unit = _unit_arg()
    if unit is None:
        own = dashboards.default_people_unit(session, current_user.id)
        unit = next((u for u in choices if u.id == own), choices[0] if choices else None)
    return unit, choices


@bp.route("/criteria")
@require_roles(*access.READ_ROLES)
def criteria() -> Any:
    """Units ranked by each criterion; the people of a unit with every criterion."""
    reach = _reach()
    snapshot = _snapshot()
    context = _common(snapshot, reach, active="criteria")
    if snapshot is not None:
        session = db.session()
        infos = dashboards.criteria_of(session, snapshot)
        blocks = []
        if _sees_units(reach):
            for ranking in dashboards.criterion_rankings(session, reach, snapshot, infos):
                blocks.append(
                    {
                        "code": ranking.criterion.code,
                        "weight": ranking.criterion.weight,
                        "table": _criterion_table(snapshot, ranking),
                        "chart": _criterion_chart(ranking),
                    }
                )
        unit, choices = _people_unit(reach, snapshot)
        context.update(blocks=blocks, unit=unit, unit_choices=choices)
        if unit is not None:
            ranked = dashboards.people_ranking(session, reach, snapshot, unit.id)
            context["people"] = _people_table(snapshot, unit, ranked, infos)
    return render_template("emulation/dashboards/criteria.html", **context)


@bp.route("/trends")
@require_roles(*access.READ_ROLES)
def trends() -> Any:
    """Each unit's total over the years."""
    reach = _reach()
    if not _sees_units(reach):
        return _forbidden_units()
    session = db.session()
    unit = _unit_arg()
    every = dashboards.trends(session, reach)
    shown = dashboards.trends(session, reach, unit.id) if unit is not None else every
    return render_template(
        "emulation/dashboards/trends.html",
        active="trends",
        sees_units=True,
        unit=unit,
        unit_choices=[(s.unit_code, _unit_name(s)) for s in every.series],
        table=_trends_table(shown),
        chart=_trends_chart(shown),
        trend=shown,
        chart_limited=unit is None and len(shown.series) > TREND_CHART_SERIES,
        chart_series=TREND_CHART_SERIES,
    )


# --- exports ------------------------------------------------------------------------------------
@bp.route("/<table>.xlsx")
@require_roles(*access.READ_ROLES)
def export(table: str) -> Any:
    """The table of a dashboard as an XLSX file, under the same query and visibility."""
    if table not in EXPORTS:
        abort(404)
    reach = _reach()
    session = db.session()
    if table == "trends":
        unit = _unit_arg()
        t = dashboards.trends(session, reach, unit.id if unit else None)
        suffix = f"{t.years[0]}-{t.years[-1]}" if t.years else "none"
        if unit is not None:
            suffix = f"{_file_part(unit.code)}-{suffix}"
        return _send([_trends_table(t)], f"trends-{suffix}")
    snapshot = _snapshot()
    if snapshot is None:
        raise NotFound("no scores were computed yet", {"snapshot": "none"})
    infos = dashboards.criteria_of(session, snapshot)
    if table == "units":
        rows = dashboards.unit_ranking(session, reach, snapshot)
        return _send([_units_table(snapshot, rows, infos)], f"units-{_scope_part(snapshot)}")
    if table == "criteria":
        code = _code_arg("criterion")
        if code is not None:
            infos = [c for c in infos if c.code == code]
            if not infos:
                raise NotFound(f"the snapshot has no criterion {code!r}", {"criterion": "unknown"})
        rankings = dashboards.criterion_rankings(session, reach, snapshot, infos)
        name = f"criteria-{_file_part(code)}" if code else "criteria"
        return _send(
            [_criterion_table(snapshot, r) for r in rankings], f"{name}-{_scope_part(snapshot)}"
        )
    unit, _choices = _people_unit(reach, snapshot)
    if unit is None:
        raise PermissionDenied("no unit whose people you may see", {"unit": "none"})
    ranked = dashboards.people_ranking(session, reach, snapshot, unit.id)
    return _send(
        [_people_table(snapshot, unit, ranked, infos)],
        f"people-{_file_part(unit.code)}-{_scope_part(snapshot)}",
    )


def _send(tables: list[Table], name: str) -> Any:
    data = workbook(tables, title=tables[0].title if tables else "")
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=f"lis-{name}.xlsx",
        max_age=0,
    )
