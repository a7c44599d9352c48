"""Pure scoring: a subject's facts and a set of criterion definitions in, each criterion's
value, the weighted total and the ranks out. No database, no Flask: the services load facts
and store snapshots around it, and tests and the benchmark call it directly."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from emulation import criteria
from emulation.facts import ContributionFact, DraftFact


@dataclass(frozen=True)
class CriterionDef:
    """One criterion as a movement (or the yearly catalogue) uses it."""

    code: str
    formula: str
    weight: float
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "formula": self.formula,
            "weight": self.weight,
            "params": criteria.resolve_params(self.formula, self.params),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CriterionDef:
        return cls(
            code=str(data["code"]),
            formula=str(data["formula"]),
            weight=float(data["weight"]),
            params=dict(data.get("params") or {}),
        )


def check_definitions(defs: Sequence[CriterionDef]) -> None:
    """Refuse a set that cannot be scored: no criteria, a code twice, an unknown formula, bad
    parameters, a negative weight or weights summing to nothing."""
    if not defs:
        raise criteria.FormulaError("a score needs at least one criterion", "criteria")
    seen: set[str] = set()
    for d in defs:
        if d.code in seen:
            raise criteria.FormulaError(f"criterion {d.code} appears twice", "criteria")
        seen.add(d.code)
        criteria.resolve_params(d.formula, d.params)
        if not d.weight >= 0 or d.weight == float("inf"):
            raise criteria.FormulaError(f"{d.code}: the weight must be ≥ 0", "criteria.weight")
    if sum(d.weight for d in defs) <= 0:
        raise criteria.FormulaError("the weights sum to zero", "criteria.weight")


def rule_version(defs: Sequence[CriterionDef]) -> str:
    """What a snapshot records as its rule version: the formulas, by version, in order."""
    return ",".join(f"{d.code}={d.formula}" for d in defs)


@dataclass(frozen=True)
class SubjectScore:
    results: Mapping[str, criteria.Result]
    total: float | None

    @property
    def values(self) -> dict[str, float | None]:
        return {code: r.value for code, r in self.results.items()}


def total(values: Mapping[str, float | None], defs: Sequence[CriterionDef]) -> float | None:
    """The weighted mean of the criteria that could be scored. A criterion with nothing to
    read (None) is left out rather than counted as zero, so nobody is marked down for work
    that was never theirs to do (a person never asked for a dated deliverable); with nothing
    scorable at all, the total is None and the subject is not ranked."""
    scored = [(d.weight, values[d.code]) for d in defs if values.get(d.code) is not None]
    weight = math.fsum(w for w, _ in scored)
    if not scored or weight == 0:
        return None
    return math.fsum(w * v for w, v in scored if v is not None) / weight


def score(
    defs: Sequence[CriterionDef],
    contributions: Sequence[ContributionFact],
    drafts: Sequence[DraftFact] = (),
) -> SubjectScore:
    results = {d.code: criteria.get(d.formula)(contributions, drafts, d.params) for d in defs}
    return SubjectScore(results, total({c: r.value for c, r in results.items()}, defs))


def rank(totals: Mapping[Any, float | None], places: int = 6) -> dict[Any, int | None]:
    """Competition ranking (1, 2, 2, 4) by total, highest first; totals equal to `places`
    decimals share a rank; subjects without a total are not ranked."""
    rounded = {k: round(v, places) for k, v in totals.items() if v is not None}
    order = sorted(rounded.values(), reverse=True)
    first_place: dict[float, int] = {}
    for i, v in enumerate(order, start=1):
        first_place.setdefault(v, i)
    return {k: (first_place[rounded[k]] if k in rounded else None) for k in totals}


def group(facts: Iterable[ContributionFact], key: str) -> dict[int, list[ContributionFact]]:
    """Facts by person_id or unit_id."""
    out: dict[int, list[ContributionFact]] = {}
    for f in facts:
        out.setdefault(getattr(f, key), []).append(f)
    return out
