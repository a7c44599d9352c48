"""The legal provisions the title rules encode and the dated parameters they use (pure).

Both live as data (emulation/data/provisions.json, emulation/data/rule_params.json) so that a
reader can check each rule against its source and see how sure we are: a provision is
`verified` only where the research quoted its text from the law itself or an official reading.
Every threshold is a parameter with the days it applies, OpenFisca-style, because several come
from old rules or other agencies' circulars and may change; the value in force on the evaluation
day is the one used. A what-if passes `overrides` for one run and never changes the data.

No database, no Flask.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"

# Quality bands, best first (Decree 335/2025 names them; emulation.models.BANDS holds the same).
BANDS: tuple[str, ...] = ("excellent", "good", "completed", "not_completed")
# Initiative scopes, narrowest first (as emulation.commendation_models.INITIATIVE_SCOPES).
SCOPES: tuple[str, ...] = ("grassroots", "na_agencies", "ministry", "national")
# Discipline forms, lightest first (as emulation.commendation_models.DISCIPLINE_FORMS).
DISCIPLINE_FORMS: tuple[str, ...] = ("reprimand", "warning", "demotion", "dismissal", "discharge")
DOCUMENT_KINDS: tuple[str, ...] = ("law", "decree", "resolution", "circular")

# The values a text parameter may take: a what-if cannot slip in a band that does not exist.
_CHOICES_BY_SUFFIX: dict[str, tuple[str, ...]] = {
    "_band": BANDS,
    "_scope": SCOPES,
    "_form": DISCIPLINE_FORMS,
}
# Bounds for numbers, so a what-if of "-3 consecutive years" or "150 %" is refused.
MAX_COUNT = 50


class NoParamInForce(LookupError):
    """No parameter of that name is in force on that day (or there is no such parameter)."""

    def __init__(self, name: str, on: dt.date) -> None:
        super().__init__(f"no rule parameter {name!r} is in force on {on.isoformat()}")
        self.name = name
        self.on = on


@dataclass(frozen=True)
class Provision:
    """A piece of a legal text: which document, article, clause and point, and what it says."""

    id: str
    document: str  # the document number, e.g. "06/2022/QH15"
    article: int | None
    clause: int | None
    point: str | None
    summary: str  # Vietnamese
    summary_en: str
    verified: bool
    url_note: str  # where the research saw it, and why it is (not) verified
    kind: str = "law"  # law | decree | resolution | circular
    title: str = ""
    title_en: str = ""


@dataclass(frozen=True)
class RuleParam:
    """A threshold with the days it applies (`valid_to` excluded; None: still in force)."""

    name: str
    value: Any
    valid_from: dt.date
    valid_to: dt.date | None
    provision: str
    note: str

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


@lru_cache(maxsize=1)
def _provisions() -> dict[str, Provision]:
    with (DATA / "provisions.json").open(encoding="utf-8") as fh:
        rows = json.load(fh)["provisions"]
    out: dict[str, Provision] = {}
    for row in rows:
        item = Provision(**row)
        if item.id in out:
            raise ValueError(f"provision {item.id!r} is listed twice")
        if item.kind not in DOCUMENT_KINDS:
            raise ValueError(f"provision {item.id!r} has an unknown kind {item.kind!r}")
        out[item.id] = item
    return out


@lru_cache(maxsize=1)
def _params() -> tuple[RuleParam, ...]:
    with (DATA / "rule_params.json").open(encoding="utf-8") as fh:
        rows = json.load(fh)["params"]
    out = []
    for row in rows:
        start = _date(row["valid_from"])
        assert start is not None
        out.append(
            RuleParam(
                name=row["name"],
                value=row["value"],
                valid_from=start,
                valid_to=_date(row["valid_to"]),
                provision=row["provision"],
                note=row["note"],
            )
        )
    _check_catalogue(out)
    return tuple(out)


def _check_catalogue(rows: list[RuleParam]) -> None:
    """Refuse a data file where a parameter overlaps itself, changes type or cites nothing."""
    known = _provisions()
    by_name: dict[str, list[RuleParam]] = {}
    for row in rows:
        if row.provision not in known:
            raise ValueError(f"parameter {row.name!r} cites unknown provision {row.provision!r}")
        if row.valid_to is not None and row.valid_to <= row.valid_from:
            raise ValueError(f"parameter {row.name!r} ends before it starts")
        _check_value(row.name, row.value)
        by_name.setdefault(row.name, []).append(row)
    for name, group in by_name.items():
        if len({_kind(r.value) for r in group}) != 1:
            raise ValueError(f"parameter {name!r} changes type between its periods")
        group.sort(key=lambda r: r.valid_from)
        for before, after in pairwise(group):
            if before.valid_to is None or before.valid_to > after.valid_from:
                raise ValueError(f"parameter {name!r} has overlapping periods")


def _kind(value: Any) -> type:
    if isinstance(value, bool):
        return bool
    if isinstance(value, int | float):
        return float if isinstance(value, float) else int
    return type(value)


def choices(name: str) -> tuple[str, ...] | None:
    """The values a text parameter may take, or None for a number or a yes/no."""
    for suffix, allowed in _CHOICES_BY_SUFFIX.items():
        if name.endswith(suffix):
            return allowed
    return None


def _check_value(name: str, value: Any) -> None:
    allowed = choices(name)
    if allowed is not None:
        if value not in allowed:
            raise ValueError(f"parameter {name!r} must be one of {', '.join(allowed)}")
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        if not 0 <= value <= MAX_COUNT:
            raise ValueError(f"parameter {name!r} must be a whole number from 0 to {MAX_COUNT}")
    elif isinstance(value, float):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"parameter {name!r} must be a share from 0 to 1")
    else:
        raise ValueError(f"parameter {name!r} has a value of an unsupported type")


def provision(pid: str) -> Provision:
    """The provision with that id; KeyError naming it when there is none."""
    try:
        return _provisions()[pid]
    except KeyError:
        raise KeyError(f"no provision {pid!r}") from None


def provisions() -> list[Provision]:
    return list(_provisions().values())


def params_catalogue() -> list[RuleParam]:
    """Every parameter row, all periods, in the data file's order."""
    return list(_params())


def param_names() -> frozenset[str]:
    return frozenset(row.name for row in _params())


def param_row(name: str, on: dt.date) -> RuleParam:
    """The parameter row in force on `on` (NoParamInForce when none is)."""
    for row in _params():
        if row.name == name and row.in_force(on):
            return row
    raise NoParamInForce(name, on)


def param(name: str, on: dt.date, overrides: Mapping[str, Any] | None = None) -> Any:
    """The value in force on `on`, or the override's (checked) when the what-if sets it."""
    if overrides and name in overrides:
        return check_overrides({name: overrides[name]})[name]
    return param_row(name, on).value


def check_overrides(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overrides, checked: a known name and a value of the parameter's type and range.

    ValueError names the first bad parameter. A share may be given as a whole number (1 for
    100 %); a yes/no must be a real bool, so that "false" typed in a form is not read as true.
    """
    if not overrides:
        return {}
    names = param_names()
    kinds = {row.name: _kind(row.value) for row in _params()}
    out: dict[str, Any] = {}
    for name, value in overrides.items():
        if name not in names:
            raise ValueError(f"unknown rule parameter {name!r}")
        wanted = kinds[name]
        if wanted is float and _kind(value) is int:
            value = float(value)
        if _kind(value) is not wanted:
            raise ValueError(f"rule parameter {name!r} must be a {wanted.__name__}")
        _check_value(name, value)
        out[name] = value
    return out
