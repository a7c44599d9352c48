"""Document search as the app offers it: plain arguments in, a `SearchPage` out.

Besides the text, a search filters on the document's metadata (kind, issuer, status, year) and
on its place in the legislative record: origin (imported or a draft made in LIS), stage, the
unit holding it, the lead verifying committee, the term, the planned sessions and the units
that advised on it (logged a contribution that is not withdrawn or rejected). The engine
stores codes and keys only; `facet_labels` turns them into names in the reader's language, from
the reference tables, at query time (a renamed unit needs no reindex).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lis.documents.issuers import normalize_issuer
from lis.drafts.machine import stage_label
from lis.reference.models import DocumentKind, Term, Unit
from search.interface import DEFAULT_FACETS, Hit, SearchBackend, SearchPage, SearchQuery

MAX_WINDOW = 10_000  # deepest result reachable by paging, as on Elasticsearch
# The legislative-record filters, in the order the API documents them.
RECORD_FILTERS: tuple[str, ...] = (
    "origin",
    "stage",
    "holder",
    "committee",
    "term",
    "session",
    "adviser",
)
FILTERS: tuple[str, ...] = ("kind", "issuer", "status", *RECORD_FILTERS)
# Codes and keys: compared in upper case whatever the reader typed.
UPPER_FILTERS: tuple[str, ...] = ("holder", "committee", "term", "session", "adviser")
# Facets whose values are unit codes, labelled with the unit's name.
UNIT_FACETS: tuple[str, ...] = ("holder", "committee", "adviser")
APP_FACETS: tuple[str, ...] = (*DEFAULT_FACETS, *RECORD_FILTERS)
# Imported documents are acts in force: the stage they are indexed under when none is recorded.
IMPORTED_STAGE = "S_IN_FORCE"

_SESSION_KEY = re.compile(r"([IVXLC]{1,8})-(B?)([0-9]{1,3})")


@dataclass(frozen=True)
class SearchArgs:
    q: str = ""
    kind: tuple[str, ...] = ()
    issuer: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    origin: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    holder: tuple[str, ...] = ()
    committee: tuple[str, ...] = ()
    term: tuple[str, ...] = ()
    session: tuple[str, ...] = ()
    adviser: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: tuple[str, ...] = field(default=APP_FACETS)

    def to_query(self) -> SearchQuery:
        filters = {name: getattr(self, name) for name in FILTERS if getattr(self, name)}
        return SearchQuery(
            text=self.q,
            filters=filters,
            year_from=self.year_from,
            year_to=self.year_to,
            facets=self.facets,
            sort=self.sort,  # type: ignore[arg-type]
            offset=(self.page - 1) * self.per_page,
            limit=self.per_page,
        )


_ARG_NAMES = {f.name for f in fields(SearchArgs)}


def args_from(data: Mapping[str, Any]) -> SearchArgs:
    """SearchArgs from what `SearchArgsSchema` loaded (lists become tuples, codes upper case)."""
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name not in _ARG_NAMES:
            continue
        if name in FILTERS:
            items = (str(v) for v in value or ())
            if name in UPPER_FILTERS:
                value = tuple(v.upper() for v in items)
            elif name == "issuer":
                # The index holds the normalised spelling; a typed `Uỷ ban…` must find `Ủy ban…`.
                value = tuple(normalize_issuer(v) or v for v in items)
            else:
                value = tuple(items)
        values[name] = value
    return SearchArgs(**values)


def search_documents(backend: SearchBackend, args: SearchArgs) -> SearchPage:
    return backend.search(args.to_query())


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    """One hit as the API and `lis search query --json` print it."""
    return {
        "id": hit.id,
        "number": hit.number,
        "title": hit.title,
        "kind": hit.kind,
        "score": round(hit.score, 4),
        "highlights": {field: list(marked) for field, marked in hit.highlights.items()},
    }


def page_to_dict(
    page: SearchPage, args: SearchArgs, labels: Mapping[str, Mapping[str, str]] | None = None
) -> dict[str, Any]:
    """A page as the API returns it; each facet value has a label (the value itself when none
    is known, e.g. an issuer or a year)."""
    labels = labels or {}
    return {
        "total": page.total,
        "page": args.page,
        "per_page": args.per_page,
        "hits": [hit_to_dict(h) for h in page.hits],
        "facets": {
            name: [
                {
                    "value": v.value,
                    "count": v.count,
                    "label": labels.get(name, {}).get(v.value, v.value),
                }
                for v in values
            ]
            for name, values in page.facets.items()
        },
    }


# --- session keys -----------------------------------------------------------------------------
def session_key(term_code: str, kind: str, number: int) -> str:
    """The key a session is indexed and filtered under: "XV-9" for the 9th regular session of
    term XV, "XV-B2" for its 2nd irregular ("bất thường") session."""
    return f"{term_code}-{'B' if kind == 'irregular' else ''}{number}"


def parse_session_key(key: str) -> tuple[str, str, int] | None:
    """(term code, "regular" | "irregular", number) of a session key, or None if malformed."""
    match = _SESSION_KEY.fullmatch(key.upper())
    if match is None:
        return None
    term, irregular, number = match.groups()
    return term, "irregular" if irregular else "regular", int(number)


def session_sort_key(key: str) -> tuple[int, int, int]:
    """Newest first when sorted: by term number, then regular before irregular, then number."""
    parsed = parse_session_key(key)
    if parsed is None:
        return (0, 0, 0)
    term, kind, number = parsed
    return (_roman(term), kind == "regular", number)


def _roman(code: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, ch in enumerate(code):
        value = values.get(ch, 0)
        total += -value if i + 1 < len(code) and values.get(code[i + 1], 0) > value else value
    return total


def _ordinal_en(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def session_label(key: str, lang: str = "vi") -> str:
    """ "Kỳ họp thứ 9, khóa XV" / "9th session, term XV"; the key itself when malformed."""
    parsed = parse_session_key(key)
    if parsed is None:
        return key
    term, kind, number = parsed
    if lang.startswith("en"):
        what = "extraordinary session" if kind == "irregular" else "session"
        return f"{_ordinal_en(number)} {what}, term {term}"
    if kind == "irregular":
        return f"Kỳ họp bất thường lần thứ {number}, khóa {term}"
    return f"Kỳ họp thứ {number}, khóa {term}"


# --- labels -----------------------------------------------------------------------------------
STATUS_LABELS = {
    "in_force_at_codification": ("Còn hiệu lực khi pháp điển", "In force when codified"),
    "unknown": ("Chưa rõ tình trạng", "Status unknown"),
}
ORIGIN_LABELS = {
    "imported": ("Văn bản đã ban hành", "Issued documents"),
    "draft": ("Dự thảo", "Drafts"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang.startswith("en") else pair[0]


# Document kinds and terms are declared reference data (`lis seed reference`), not edited in
# the app: their labels are read once per process and database, and again only for a code not
# seen yet. Every search page shows them, and a query each time was a tenth of the API's cost
# over the engine's.
_DECLARED: dict[tuple[str, str], dict[str, tuple[Any, Any]]] = {}


def _declared(session: Session, table: str, codes: Iterable[str]) -> dict[str, tuple[Any, Any]]:
    key = (str(session.get_bind().engine.url), table)
    known = _DECLARED.get(key, {})
    if not set(codes) <= known.keys():
        stmt = (
            select(DocumentKind.code, DocumentKind.name, DocumentKind.name_en)
            if table == "kind"
            else select(Term.code, Term.start_year, Term.end_year)
        )
        known = {code: (a, b) for code, a, b in session.execute(stmt)}
        _DECLARED[key] = known
    return known


def facet_labels(
    session: Session, facets: Mapping[str, Iterable[str]], lang: str = "vi"
) -> dict[str, dict[str, str]]:
    """A label per facet value, in `lang` ("vi" or "en"); values without one are left out.

    At most one query per reference table, and none when the page has no such values."""
    wanted = {name: list(values) for name, values in facets.items()}
    out: dict[str, dict[str, str]] = {}
    if wanted.get("kind"):
        kinds = _declared(session, "kind", wanted["kind"])
        out["kind"] = {v: _pick(kinds[v], lang) for v in wanted["kind"] if v in kinds}
    for name, table in (("status", STATUS_LABELS), ("origin", ORIGIN_LABELS)):
        if wanted.get(name):
            out[name] = {v: _pick(table[v], lang) for v in wanted[name] if v in table}
    if wanted.get("stage"):
        out["stage"] = {v: stage_label(v, lang) for v in wanted["stage"]}
    codes = {v for name in UNIT_FACETS for v in wanted.get(name, ())}
    if codes:
        units = {
            code: _pick((vi, en), lang)
            for code, vi, en in session.execute(
                select(Unit.code, Unit.name, Unit.name_en).where(Unit.code.in_(codes))
            )
        }
        for name in UNIT_FACETS:
            if wanted.get(name):
                out[name] = {v: units[v] for v in wanted[name] if v in units}
    if wanted.get("term"):
        terms = _declared(session, "term", wanted["term"])
        word = "Term" if lang.startswith("en") else "Khóa"
        out["term"] = {
            v: f"{word} {v} ({terms[v][0]}–{terms[v][1]})" for v in wanted["term"] if v in terms
        }
    if wanted.get("session"):
        out["session"] = {v: session_label(v, lang) for v in wanted["session"]}
    return out


def page_facet_labels(session: Session, page: SearchPage, lang: str = "vi") -> dict[str, dict]:
    """`facet_labels` for the values of a result page's facets."""
    return facet_labels(
        session, {name: [v.value for v in values] for name, values in page.facets.items()}, lang
    )
