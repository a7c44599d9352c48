"""Score a period with SQL aggregates instead of Python loops over facts.

The pure path (`emulation.ledger.load` then `emulation.scorecard.score` per subject) reads every
fact into Python, which is what a snapshot needs (the ids behind each number) but costs seconds
on a year of a whole office. Here the database sums what each formula of `emulation.criteria`
needs, one GROUP BY per grouping, and the same arithmetic turns those sums into values: a
second, independent computation that the benchmark and the tests hold equal to the pure one.

Only the contribution formulas have an SQL form; a formula reading drafts (`adoption@1`) or one
added later without a form here is refused by name rather than silently scored as nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

from sqlalchemy import Float, case, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from emulation import criteria, scorecard
from emulation.criteria import SCALE
from emulation.scorecard import CriterionDef
from lis.contributions.models import Contribution
from lis.errors import ValidationError
from lis.reference.models import WorkKind

GROUPINGS: tuple[str, ...] = ("person", "unit")


class NoSqlForm(criteria.FormulaError):
    """A criterion's formula that this module cannot compute in SQL."""


class SubjectRow(TypedDict):
    values: dict[str, float | None]
    total: float | None


# Each SQL form: the aggregate columns it needs (named by suffix) and how its value is made
# from them, with the formula's parameters already resolved.
Columns = dict[str, ColumnElement[Any]]
ValueFn = Callable[[Mapping[str, Any]], float | None]


def _num(value: float) -> ColumnElement[float]:
    """A bound float, typed on both engines (PostgreSQL cannot infer a bare parameter's type
    inside sum() or CASE)."""
    return cast(literal(float(value)), Float)


def _by(column: ColumnElement[Any], points: Mapping[str, float], other: float) -> Any:
    """CASE column WHEN key THEN points[key] … ELSE other: a dict lookup with a default."""
    if not points:
        return _num(other)
    return case(
        *((column == key, _num(value)) for key, value in sorted(points.items())),
        else_=_num(other),
    )


def _progress(p: Mapping[str, Any]) -> tuple[Columns, ValueFn]:
    late = (Contribution.due_date.is_not(None)) & (
        Contribution.delivered_date > Contribution.due_date
    )
    columns: Columns = {
        "items": func.count(Contribution.due_date),
        "late": func.sum(case((late, 1), else_=0)),
    }
    late_points = max(0.0, 1.0 - p["late_deduction"])

    def value(row: Mapping[str, Any]) -> float | None:
        items, n_late = int(row["items"]), int(row["late"] or 0)
        if not items:
            return None
        return SCALE * ((items - n_late) * 1.0 + n_late * late_points) / items

    return columns, value


def _quality(p: Mapping[str, Any]) -> tuple[Columns, ValueFn]:
    # Each band's points on the 0–1 scale, as the pure formula divides before it multiplies.
    bands = {band: float(points) / SCALE for band, points in p["band_points"].items()}
    remaining = _num(1.0) - _num(p["error_deduction"]) * Contribution.major_errors
    factor = case((remaining > 0, remaining), else_=_num(0.0))
    columns: Columns = {
        "rated": func.count(Contribution.quality),
        "points": func.sum(
            case(
                (Contribution.quality.is_(None), _num(0.0)),
                else_=_by(Contribution.quality, bands, 0.0) * factor,
            )
        ),
    }

    def value(row: Mapping[str, Any]) -> float | None:
        rated = int(row["rated"])
        return None if not rated else SCALE * float(row["points"] or 0.0) / rated

    return columns, value


def _effectiveness(p: Mapping[str, Any]) -> tuple[Columns, ValueFn]:
    points = {outcome: min(1.0, float(v)) for outcome, v in p["outcome_points"].items()}
    columns: Columns = {
        "judged": func.count(Contribution.outcome),
        "points": func.sum(
            case(
                (Contribution.outcome.is_(None), _num(0.0)),
                else_=_by(Contribution.outcome, points, 0.0),
            )
        ),
    }

    def value(row: Mapping[str, Any]) -> float | None:
        judged = int(row["judged"])
        return None if not judged else SCALE * float(row["points"] or 0.0) / judged

    return columns, value


def _volume(p: Mapping[str, Any]) -> tuple[Columns, ValueFn]:
    weights = {kind: float(w) for kind, w in p["kind_weights"].items()}
    columns: Columns = {"units": func.sum(_by(WorkKind.code, weights, p["default_weight"]))}
    target = float(p["target"])

    def value(row: Mapping[str, Any]) -> float | None:
        units = float(row["units"] or 0.0)
        return SCALE if target == 0 else min(SCALE, SCALE * units / target)

    return columns, value


SQL_FORMS: dict[str, Callable[[Mapping[str, Any]], tuple[Columns, ValueFn]]] = {
    "progress@1": _progress,
    "quality@1": _quality,
    "effectiveness@1": _effectiveness,
    "volume@1": _volume,
}


def check_sql_forms(defs: Sequence[CriterionDef]) -> None:
    """Refuse, by name, a criterion whose formula has no SQL form."""
    for d in defs:
        if d.formula not in SQL_FORMS:
            known = ", ".join(sorted(SQL_FORMS))
            raise NoSqlForm(
                f"criterion {d.code}: formula {d.formula} has no SQL form (only {known})",
                "formula",
            )


def score_period(
    session: Session,
    start: dt.date,
    end: dt.date,
    defs: Sequence[CriterionDef],
    grouping: str = "person",
) -> dict[int, SubjectRow]:
    """Each subject's criterion values and total for the verified contributions delivered in
    [start, end], grouped by the person who did the work or by the unit it was logged for (no
    roll-up to parent units). Subjects are those with at least one such contribution, as in
    `scorecard.group` over the ledger's facts."""
    if grouping not in GROUPINGS:
        raise ValidationError(
            f"grouping must be one of {', '.join(GROUPINGS)}", {"grouping": "unknown grouping"}
        )
    check_sql_forms(defs)
    scorecard.check_definitions(defs)
    subject = Contribution.person_id if grouping == "person" else Contribution.unit_id

    columns: list[ColumnElement[Any]] = [subject.label("subject")]
    makers: list[tuple[str, str, ValueFn]] = []
    for i, d in enumerate(defs):
        params = criteria.resolve_params(d.formula, d.params)
        cols, value = SQL_FORMS[d.formula](params)
        prefix = f"c{i}_"
        columns += [expr.label(prefix + name) for name, expr in cols.items()]
        makers.append((d.code, prefix, value))

    stmt = (
        select(*columns)
        .select_from(Contribution)
        .join(WorkKind, WorkKind.id == Contribution.work_kind_id)
        .where(
            Contribution.state == "verified",
            Contribution.delivered_date.between(start, end),
        )
        .group_by(subject)
    )
    out: dict[int, SubjectRow] = {}
    for row in session.execute(stmt).mappings():
        values: dict[str, float | None] = {}
        for code, prefix, value in makers:
            mine = {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}
            values[code] = value(mine)
        out[int(row["subject"])] = {"values": values, "total": scorecard.total(values, defs)}
    return out


__all__ = ["GROUPINGS", "SQL_FORMS", "NoSqlForm", "SubjectRow", "check_sql_forms", "score_period"]
