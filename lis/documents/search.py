"""Document search as the app offers it: plain arguments in, a `SearchPage` out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from search.interface import DEFAULT_FACETS, Hit, SearchBackend, SearchPage, SearchQuery

MAX_WINDOW = 10_000  # deepest result reachable by paging, as on Elasticsearch


@dataclass(frozen=True)
class SearchArgs:
    q: str = ""
    kind: tuple[str, ...] = ()
    issuer: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: tuple[str, ...] = field(default=DEFAULT_FACETS)

    def to_query(self) -> SearchQuery:
        filters = {
            name: values
            for name, values in (
                ("kind", self.kind),
                ("issuer", self.issuer),
                ("status", self.status),
            )
            if values
        }
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
