"""The search page's state: arguments from the URL, links that keep what they do not change,
the facet sidebar and the page numbers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request, url_for
from marshmallow import ValidationError

from lis.db import db
from lis.documents.schemas import SearchArgsSchema
from lis.documents.search import (
    FILTERS,
    RECORD_FILTERS,
    SearchArgs,
    args_from,
    facet_labels,
    session_sort_key,
)
from lis.drafts.machine import STAGES
from lis.web.labels import (
    FACET_TITLES,
    FIELD_ERRORS,
    current_language,
    kind_label,
    status_label,
)
from search.interface import SearchPage

_ARGS = SearchArgsSchema()
LIST_FIELDS = FILTERS
DEFAULTS = SearchArgs()


def raw_args() -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for key in request.args:
        if key in LIST_FIELDS:
            raw[key] = [v for v in request.args.getlist(key) if v]
        elif key in _ARGS.fields and request.args.get(key, "") != "":
            raw[key] = request.args.get(key)
    return raw


def load_args(raw: dict[str, Any]) -> tuple[SearchArgs, dict[str, str]]:
    """Valid arguments and, per invalid field, a message for the reader.

    An invalid field is dropped and the search runs with the rest, so a typo in the year does
    not throw away the query and the other filters.
    """
    try:
        return args_from(_ARGS.load(raw)), {}
    except ValidationError as exc:
        messages = exc.normalized_messages()
    bad = set(messages) if isinstance(messages, dict) else set(raw)
    errors = {name: str(FIELD_ERRORS.get(name, messages)) for name in bad}
    kept = {k: v for k, v in raw.items() if k not in bad}
    try:
        return args_from(_ARGS.load(kept)), errors
    except ValidationError:
        return SearchArgs(q=str(raw.get("q", ""))[:500]), errors


def _params(args: SearchArgs, **changes: Any) -> list[tuple[str, str]]:
    """URL parameters for `args` with `changes`, leaving defaults out so URLs stay short."""
    values: dict[str, Any] = {"q": args.q}
    values.update((name, getattr(args, name)) for name in FILTERS)
    values |= {
        "year_from": args.year_from,
        "year_to": args.year_to,
        "sort": args.sort,
        "per_page": args.per_page,
        "page": args.page,
    }
    values.update(changes)
    params: list[tuple[str, str]] = []
    for name, value in values.items():
        if isinstance(value, tuple | list):
            params.extend((name, str(v)) for v in value)
        elif value is not None and value != "" and value != getattr(DEFAULTS, name):
            params.append((name, str(value)))
    return params


def _url(params: Iterable[tuple[str, str]]) -> str:
    query = urlencode(list(params))
    base = url_for("web.search")
    return f"{base}?{query}" if query else base


@dataclass(frozen=True)
class SearchLinks:
    """URL builders for the search page: every link keeps what it does not change."""

    args: SearchArgs

    def page(self, number: int) -> str:
        return _url(_params(self.args, page=number))

    def toggle(self, name: str, value: str) -> str:
        """Add `value` to the facet's filter, or remove it when it is already selected."""
        if name == "year":
            year = int(value)
            chosen = self.args.year_from == year and self.args.year_to == year
            span = (None, None) if chosen else (year, year)
            return _url(_params(self.args, year_from=span[0], year_to=span[1], page=1))
        current: tuple[str, ...] = getattr(self.args, name)
        values = tuple(v for v in current if v != value) if value in current else (*current, value)
        return _url(_params(self.args, **{name: values, "page": 1}))

    def selected(self, name: str, value: str) -> bool:
        if name == "year":
            return self.args.year_from == self.args.year_to == int(value)
        return value in getattr(self.args, name)

    def without_years(self) -> str:
        return _url(_params(self.args, year_from=None, year_to=None, page=1))

    def without_filters(self) -> str:
        cleared: dict[str, Any] = dict.fromkeys(FILTERS, ())
        return _url(_params(self.args, **cleared, year_from=None, year_to=None, page=1))

    def hidden(self, *skip: str) -> list[tuple[str, str]]:
        """(name, value) pairs for hidden inputs of a form that sets the fields in `skip`."""
        return [(k, v) for k, v in _params(self.args, page=1) if k not in skip]


def record_labels(values: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """Names of legislative-record values (stages, units, terms, sessions) in the UI language."""
    wanted = {name: values.get(name, []) for name in RECORD_FILTERS}
    if not any(wanted.values()):
        return {}
    return facet_labels(db.session(), wanted, current_language())


def active_filters(args: SearchArgs, links: SearchLinks) -> list[tuple[str, str]]:
    """(label, URL that removes it) for each filter in force."""
    out = [(kind_label(v), links.toggle("kind", v)) for v in args.kind]
    out += [(v, links.toggle("issuer", v)) for v in args.issuer]
    out += [(status_label(v), links.toggle("status", v)) for v in args.status]
    labels = record_labels({name: list(getattr(args, name)) for name in RECORD_FILTERS})
    for name in RECORD_FILTERS:
        title = FACET_TITLES[name]
        for value in getattr(args, name):
            label = labels.get(name, {}).get(value, value)
            out.append((f"{title}: {label}", links.toggle(name, value)))
    if args.year_from is not None or args.year_to is not None:
        if args.year_from == args.year_to:
            label = str(args.year_from)
        else:
            label = f"{args.year_from or '…'}–{args.year_to or '…'}"
        out.append((label, links.without_years()))
    return out


@dataclass(frozen=True, slots=True)
class FacetItem:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass(frozen=True, slots=True)
class FacetGroup:
    name: str
    title: str
    items: list[FacetItem]
    visible: int  # how many items to show before "more"


# Drafts first: where a draft is and who holds it are what staff look for; the record facets
# show only when they tell hits apart (see `_trivial`), so a search of the corpus alone looks
# as it did before drafts.
FACET_ORDER = (
    "origin",
    "stage",
    "kind",
    "status",
    "committee",
    "holder",
    "adviser",
    "term",
    "session",
    "issuer",
    "year",
)
FACET_VISIBLE = {
    "kind": 12,
    "status": 6,
    "issuer": 8,
    "year": 8,
    "origin": 2,
    "stage": 8,
    "holder": 6,
    "committee": 6,
    "term": 4,
    "session": 6,
    "adviser": 6,
}
_STAGE_ORDER = {code: i for i, code in enumerate(STAGES)}


def _ordered(name: str, values: list[str]) -> list[str]:
    """Stages in the order of the procedure, terms and sessions newest first; the others as the
    engine counted them (most hits first)."""
    if name == "stage":
        return sorted(values, key=lambda v: _STAGE_ORDER.get(v, len(_STAGE_ORDER)))
    if name == "session":
        return sorted(values, key=session_sort_key, reverse=True)
    if name == "term":
        return sorted(values, key=lambda v: session_sort_key(f"{v}-0"), reverse=True)
    return values


def _trivial(name: str, counts: dict[str, int], chosen: list[str], total: int) -> bool:
    """A record facet that cannot narrow the results: nothing chosen, and no value or a single
    value that every hit has (all S_IN_FORCE, all imported)."""
    if name not in RECORD_FILTERS or chosen:
        return False
    return not counts or (len(counts) == 1 and next(iter(counts.values())) >= total)


def facet_groups(page: SearchPage, args: SearchArgs, links: SearchLinks) -> list[FacetGroup]:
    """The sidebar: each facet's values with counts; a selected value is always listed."""
    chosen_by_name = {name: list(getattr(args, name)) for name in FILTERS}
    shown = {
        name: [v.value for v in page.facets.get(name, ())] + chosen_by_name[name]
        for name in RECORD_FILTERS
    }
    record = record_labels(shown)
    labels = {"kind": kind_label, "status": status_label}
    groups = []
    for name in FACET_ORDER:
        counts = {v.value: v.count for v in page.facets.get(name, ())}
        if name == "year":
            chosen = (
                [str(args.year_from)] if args.year_from and args.year_from == args.year_to else []
            )
        else:
            chosen = chosen_by_name[name]
        if _trivial(name, counts, chosen, page.total):
            continue
        values = [v for v in chosen if v not in counts] + _ordered(name, list(counts))
        if name in RECORD_FILTERS:
            names = record.get(name, {})
            label = lambda v, names=names: names.get(v, v)  # noqa: E731
        else:
            label = labels.get(name, str)
        items = [
            FacetItem(v, label(v), counts.get(v, 0), links.selected(name, v), links.toggle(name, v))
            for v in values
        ]
        if not items:
            continue
        last_selected = max((i + 1 for i, item in enumerate(items) if item.selected), default=0)
        groups.append(
            FacetGroup(
                name, str(FACET_TITLES[name]), items, max(FACET_VISIBLE[name], last_selected)
            )
        )
    return groups


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """Page numbers to show: the first, the last and a window around the current one;
    None marks a gap."""
    if last <= 1:
        return [1] if last == 1 else []
    shown = {1, last, *range(max(1, current - around), min(last, current + around) + 1)}
    out: list[int | None] = []
    previous = 0
    for number in sorted(shown):
        if number - previous > 1:
            out.append(None)
        out.append(number)
        previous = number
    return out
