"""The search contract: what is indexed, what is asked, what comes back, and who answers.

Every backend (embedded tantivy, Elasticsearch) takes the same `SearchQuery` and returns the same
`SearchPage`; the contract tests hold them to it. Nothing here knows about the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

# Keyword fields that can be filtered on and counted, matched exactly (codes and keys, not
# words). The index declares them all up front so that filling one never needs a schema change.
# What the application puts in them (the engines only store and count the strings):
# - kind, status, origin ("imported" | "draft"), stage (a stage code such as "S_VERIFY");
# - issuer: the normalised issuer name;
# - holder, committee: unit codes ("UB-PLTP"): who holds the draft, the lead verifying committee;
# - term: a term code ("XV"); session: session keys ("XV-9", "XV-B2"), see `session` below;
# - adviser: unit codes of the units that advised on a draft (their contributions are
#   submitted or verified).
KEYWORD_FIELDS: tuple[str, ...] = (
    "kind",
    "issuer",
    "status",
    "origin",
    "stage",
    "holder",
    "committee",
    "term",
    "session",
    "adviser",
)
FACETS: tuple[str, ...] = (*KEYWORD_FIELDS, "year")
DEFAULT_FACETS: tuple[str, ...] = ("kind", "issuer", "status", "year")
Sort = Literal["relevance", "issued_desc", "issued_asc"]
SORTS: tuple[str, ...] = ("relevance", "issued_desc", "issued_asc")


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """A flat record of one document and its latest text, as the engines index it.

    `keywords` maps a name of KEYWORD_FIELDS to its values (several for `session`: a draft may be
    planned for two sessions). A session key is "<term code>-<number>" for a regular session
    ("XV-9": the 9th session of term XV) and "<term code>-B<number>" for an irregular one
    ("XV-B2": the 2nd extraordinary session, "bất thường"); keys sort within a term by number.
    """

    id: str
    number: str
    title: str
    body: str
    kind: str
    issued_date: dt.date | None = None
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        return self.issued_date.year if self.issued_date else None


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str = ""
    # Each facet's selected values are OR-ed; different facets are AND-ed.
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    facets: tuple[str, ...] = DEFAULT_FACETS
    sort: Sort = "relevance"
    offset: int = 0
    limit: int = 20
    highlight: bool = True


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    score: float
    number: str
    title: str
    kind: str
    # HTML-safe: the text is escaped and only <mark> tags are markup.
    highlights: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetValue, ...]] = field(default_factory=dict)


class SearchUnavailable(RuntimeError):
    """The engine cannot answer now (locked, down, missing index): callers degrade, never 500."""


class DocumentsRejected(Exception):
    """The engine refused some documents for good (a 4xx such as a mapping error) and wrote the
    others: sending the same documents again gets the same answer, so callers record the refusal
    rather than retry it forever. `reasons` maps a document id to the engine's reason."""

    def __init__(self, reasons: Mapping[str, str]) -> None:
        self.reasons = dict(reasons)
        first = next(iter(self.reasons.items()), ("", ""))
        super().__init__(f"{len(self.reasons)} document(s) refused, e.g. {first[0]}: {first[1]}")


# Per-document versions of a write: an engine that can order writes itself (Elasticsearch's
# external versioning) keeps the highest version of each document and refuses older ones, so two
# drains at once cannot put an older state over a newer one. Engines with one writer at a time
# (the embedded one) are ordered by their lock and ignore them.
Versions = Mapping[str, int]


class BulkIndexer(Protocol):
    """Many writes through one writer; `commit()` makes them durable and visible.

    `commit()` (or the end of `bulk()`) raises `DocumentsRejected` when the engine refused some
    documents for good; the others are written."""

    uncommitted: int

    # `versions` is given only to engines with `concurrent_writes` (see `Versions`).
    def add(self, docs: Iterable[SearchDocument], *, versions: Versions | None = None) -> int: ...

    def delete(self, ids: Iterable[str], *, versions: Versions | None = None) -> int: ...

    def commit(self) -> None: ...


# Called by `rebuild()` once the documents are loaded and before the new index is swapped in,
# with a writer on the new index: what it writes is in the index when searches first see it.
CatchUp = Callable[[BulkIndexer], object]


@runtime_checkable
class SearchBackend(Protocol):
    name: str

    def index(self, docs: Iterable[SearchDocument]) -> int:
        """Add or replace documents by id; returns how many were written. Durable on return."""

    def delete(self, ids: Iterable[str]) -> int: ...

    def search(self, query: SearchQuery) -> SearchPage: ...

    def count(self) -> int: ...

    def ping(self) -> bool: ...

    def bulk(self) -> AbstractContextManager[BulkIndexer]:
        """A writer for large loads, committed on a clean exit and rolled back on an error."""

    def rebuild(self, docs: Iterable[SearchDocument], *, catch_up: CatchUp | None = None) -> int:
        """Build a fresh index from `docs` and swap it in atomically; searches go on meanwhile.

        An engine with `concurrent_writes` takes `catch_up`, which re-applies before the swap what
        changed while `docs` was read (see `CatchUp`): a delete committed after a document was
        read must not come back with it."""

    def close(self) -> None: ...


def concurrent_writes(backend: SearchBackend) -> bool:
    """Whether the engine takes writes from several processes at once (Elasticsearch, which sets
    `concurrent_writes = True`): its writes are then ordered by `Versions`, and `rebuild()` takes
    a `catch_up`, since live writes reach the index being built. An engine with one writer at a
    time (the embedded one) needs neither: its lock orders the writes, and a rebuild holds it, so
    what changes meanwhile waits in the outbox and is applied after the swap."""
    return bool(getattr(backend, "concurrent_writes", False))
