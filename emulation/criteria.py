"""The criteria formulas: pure functions in a registry, keyed by name and version.

A criterion in the catalogue (`Criterion`, seeded from `data/criteria.json`) or in a movement
names one of these formulas, a weight and its parameters. Formulas are never edited in place: a
changed formula is registered under a new version (`progress@2`) so snapshots computed with
`progress@1` still reproduce exactly. The deductions mirror Decree 335/2025/NĐ-CP's task-result
axes (quantity, quality, progress; −25 % per major error or delay), see
`../shared/research/emulation-rules.md` §3; every number is a parameter.

Each formula takes the subject's verified contribution facts and draft facts of the period, and
returns a value on a 0–100 scale (or None when nothing it reads exists: "cannot score", which is
not zero), the ids of the facts it used and the counts shown beside the value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from emulation.facts import ContributionFact, DraftFact

SCALE = 100.0

Params = Mapping[str, Any]
FormulaFn = Callable[[Sequence[ContributionFact], Sequence[DraftFact], Params], "Result"]


class FormulaError(ValueError):
    """An unknown formula or a parameter it cannot take; `field` names the parameter."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Result:
    value: float | None
    used: tuple[int, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=dict)
    fact_kind: str = "contribution"  # what `used` holds ids of: contributions or documents


@dataclass(frozen=True)
class Formula:
    key: str
    reads: str  # which ledger facts, in words (shown in the catalogue)
    defaults: Mapping[str, Any]
    fn: FormulaFn

    def __call__(
        self,
        contributions: Sequence[ContributionFact],
        drafts: Sequence[DraftFact] = (),
        params: Params | None = None,
    ) -> Result:
        return self.fn(contributions, drafts, resolve_params(self.key, params))


REGISTRY: dict[str, Formula] = {}


def register(
    key: str, *, reads: str, defaults: Mapping[str, Any]
) -> Callable[[FormulaFn], FormulaFn]:
    def wrap(fn: FormulaFn) -> FormulaFn:
        if key in REGISTRY:
            raise RuntimeError(f"formula {key} is registered twice")
        REGISTRY[key] = Formula(key=key, reads=reads, defaults=dict(defaults), fn=fn)
        return fn

    return wrap


def get(key: str) -> Formula:
    try:
        return REGISTRY[key]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise FormulaError(f"unknown formula {key!r} (known: {known})", "formula") from None


def resolve_params(key: str, overrides: Params | None) -> dict[str, Any]:
    """The formula's defaults with `overrides` applied, checked: unknown names, negative or
    non-numeric values are refused, never silently ignored."""
    formula = get(key)
    params = {name: _copy(value) for name, value in formula.defaults.items()}
    for name, value in (overrides or {}).items():
        if name not in formula.defaults:
            raise FormulaError(f"{key} takes no parameter {name!r}", f"params.{name}")
        default = formula.defaults[name]
        if isinstance(default, Mapping):
            if not isinstance(value, Mapping):
                raise FormulaError(f"{name} must be a mapping of numbers", f"params.{name}")
            merged = dict(default)
            for sub, number in value.items():
                merged[str(sub)] = _number(number, f"params.{name}.{sub}")
            params[name] = merged
        else:
            params[name] = _number(value, f"params.{name}")
    return params


def _copy(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormulaError(f"{where} must be a number", where)
    if value < 0 or value != value or value in (float("inf"),):
        raise FormulaError(f"{where} must be a finite number ≥ 0", where)
    return float(value)


def _mean(points: Sequence[float]) -> float:
    # fsum is exactly rounded, so the value does not depend on the order of the rows.
    return SCALE * math.fsum(points) / len(points)


# --------------------------------------------------------------------------
# Formulas (version 1)
# --------------------------------------------------------------------------


@register(
    "progress@1",
    reads="verified contributions with a due date: delivered by it or late",
    defaults={"late_deduction": 0.25},
)
def _progress(facts: Sequence[ContributionFact], _d: Sequence[DraftFact], p: Params) -> Result:
    """Each item with a due date is worth 1; a late item loses `late_deduction` of it (Decree
    335: −25 % of the item's progress points per delay). Items without a due date cannot be
    late or on time, so they are not counted here."""
    items = [f for f in facts if f.due_date is not None]
    if not items:
        return Result(None, (), {"items": 0, "on_time": 0, "late": 0})
    late_points = max(0.0, 1.0 - p["late_deduction"])
    late = sum(1 for f in items if f.late)
    points = [late_points if f.late else 1.0 for f in items]
    return Result(
        _mean(points),
        tuple(sorted(f.id for f in items)),
        {"items": len(items), "on_time": len(items) - late, "late": late},
    )


@register(
    "quality@1",
    reads="verified contributions rated by a head: quality band and major errors",
    defaults={
        "band_points": {"excellent": 100, "good": 80, "completed": 60, "not_completed": 30},
        "error_deduction": 0.25,
    },
)
def _quality(facts: Sequence[ContributionFact], _d: Sequence[DraftFact], p: Params) -> Result:
    """The mean of the rated items' band points, each item losing `error_deduction` of its
    points per major error (Decree 335), never below zero."""
    items = [f for f in facts if f.quality is not None]
    if not items:
        return Result(None, (), {"rated": 0, "major_errors": 0})
    bands: Mapping[str, float] = p["band_points"]
    points = [
        bands.get(f.quality or "", 0.0)
        / SCALE
        * max(0.0, 1.0 - p["error_deduction"] * f.major_errors)
        for f in items
    ]
    detail: dict[str, Any] = {
        "rated": len(items),
        "major_errors": sum(f.major_errors for f in items),
    }
    for band in bands:
        detail[band] = sum(1 for f in items if f.quality == band)
    return Result(_mean(points), tuple(sorted(f.id for f in items)), detail)


@register(
    "effectiveness@1",
    reads="verified contributions whose outcome in the next version is recorded",
    defaults={"outcome_points": {"accepted": 1, "partly_accepted": 0.5, "not_accepted": 0}},
)
def _effectiveness(facts: Sequence[ContributionFact], _d: Sequence[DraftFact], p: Params) -> Result:
    """The share of advice taken up in the next version, partly accepted advice counting by
    its `outcome_points`."""
    items = [f for f in facts if f.outcome is not None]
    if not items:
        return Result(None, (), {"judged": 0})
    points_of: Mapping[str, float] = p["outcome_points"]
    points = [min(1.0, points_of.get(f.outcome or "", 0.0)) for f in items]
    detail: dict[str, Any] = {"judged": len(items)}
    for outcome in points_of:
        detail[outcome] = sum(1 for f in items if f.outcome == outcome)
    return Result(_mean(points), tuple(sorted(f.id for f in items)), detail)


@register(
    "volume@1",
    reads="every verified contribution, weighted by its kind of work (converted units)",
    defaults={"kind_weights": {}, "default_weight": 1, "target": 12},
)
def _volume(facts: Sequence[ContributionFact], _d: Sequence[DraftFact], p: Params) -> Result:
    """Work items converted into units by kind (a verification report weighs more than a
    briefing note), against the period's `target`; capped at the scale. No work is zero, not
    "cannot score"."""
    weights: Mapping[str, float] = p["kind_weights"]
    units = math.fsum(weights.get(f.work_kind, p["default_weight"]) for f in facts)
    value = SCALE if p["target"] == 0 else min(SCALE, SCALE * units / p["target"])
    return Result(value, tuple(sorted(f.id for f in facts)), {"items": len(facts), "units": units})


@register(
    "adoption@1",
    reads="drafts the subject advised on that reached a final stage: adopted, on plan or late",
    defaults={"late_adoption_points": 0.5},
)
def _adoption(_f: Sequence[ContributionFact], drafts: Sequence[DraftFact], p: Params) -> Result:
    """The share of drafts adopted at (or before) their planned session; one adopted later
    counts `late_adoption_points`; one not adopted counts nothing."""
    if not drafts:
        return Result(None, (), {"drafts": 0}, "document")
    late = min(1.0, p["late_adoption_points"])
    points = [0.0 if not d.adopted else (late if d.on_plan is False else 1.0) for d in drafts]
    detail = {
        "drafts": len(drafts),
        "adopted": sum(1 for d in drafts if d.adopted),
        "adopted_late": sum(1 for d in drafts if d.adopted and d.on_plan is False),
    }
    return Result(_mean(points), tuple(sorted(d.id for d in drafts)), detail, "document")
