"""The Elasticsearch backend: the production engine behind the same `SearchBackend` contract.

Searches go to the alias `lis-documents`; the real index is versioned (`lis-documents-<stamp>`).
`rebuild()` loads a new index and swaps the alias in one `POST /_aliases` (remove + add), so
searches keep answering on the old index meanwhile.

Writes during a rebuild are not lost: while it runs the new index also carries the write alias
`lis-documents-building`, and every `index()`/`delete()` (from any process: the alias lives in
the cluster) goes to the live alias *and* to the building index. The rebuild loads its documents
with `op_type=create`, so a stale copy read from the database before a live write never
overwrites that write. What remains — a delete that reaches the new index before the rebuild
loads the stale copy — is closed by the catch-up pass: `rebuild(..., catch_up=...)` calls the
hook after the swap, and the caller re-sends what changed since the rebuild started (the outbox
rows processed since then). Pass `docs` as a lazy generator that reads the database *after* the
call starts (not a list read beforehand).

A server that does not answer, or answers 429 or 5xx, raises `SearchUnavailable`: the outbox
keeps the change and the worker retries.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError, helpers

from search.backends import es_query
from search.interface import (
    BulkIndexer,
    FacetValue,
    Hit,
    SearchDocument,
    SearchPage,
    SearchQuery,
    SearchUnavailable,
)
from search.query import parse

ALIAS = "lis-documents"
BUILDING_ALIAS = "lis-documents-building"
CHUNK = 500
STALE_INDEX = "the search index was built by an older version of LIS: run `lis search reindex`"


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, ApiError):
        return exc.meta.status == 429 or exc.meta.status >= 500
    return isinstance(exc, TransportError)  # connection refused, timeout, TLS


@contextmanager
def _unavailable_on_errors() -> Iterator[None]:
    """Connection errors, 429 and 5xx become `SearchUnavailable`; other errors (our bugs: a 400
    for a malformed request) propagate as they are."""
    try:
        yield
    except helpers.BulkIndexError as exc:
        statuses = [next(iter(item.values())).get("status", 500) for item in exc.errors]
        if any(s == 429 or s >= 500 for s in statuses):
            raise SearchUnavailable(f"Elasticsearch rejected writes: {statuses}") from exc
        raise
    except (ApiError, TransportError) as exc:
        if _transient(exc):
            raise SearchUnavailable(f"Elasticsearch does not answer: {exc}") from exc
        raise


class _Bulk:
    """Collects writes and sends them in chunks through `helpers.bulk`. Elasticsearch has no
    rollback: on an error the unsent rest is dropped (the outbox still holds it)."""

    def __init__(self, backend: ElasticsearchBackend) -> None:
        self._backend = backend
        self._pending: list[dict[str, Any]] = []
        self.uncommitted = 0

    def add(self, docs: Iterable[SearchDocument]) -> int:
        count = 0
        for doc in docs:
            self._pending.append({"_op_type": "index", "_id": doc.id, **es_query.to_source(doc)})
            count += 1
        self._grow(count)
        return count

    def delete(self, ids: Iterable[str]) -> int:
        count = 0
        for doc_id in ids:
            self._pending.append({"_op_type": "delete", "_id": doc_id})
            count += 1
        self._grow(count)
        return count

    def _grow(self, count: int) -> None:
        self.uncommitted += count
        if len(self._pending) >= CHUNK:
            self._flush(refresh=False)

    def _flush(self, *, refresh: bool) -> None:
        actions, self._pending = self._pending, []
        if actions:
            self._backend._send(actions, refresh=refresh)

    def commit(self) -> None:
        self._flush(refresh=True)
        self.uncommitted = 0


PING_TIMEOUT = 2  # seconds


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Elasticsearch | None = None,
        alias: str = ALIAS,
        **client_options: Any,
    ) -> None:
        """`client_options` go to `Elasticsearch(...)` (tests pass `node_class`). Retries are
        left to the worker (max_retries=0): a failed request fails fast and the row waits."""
        if client is None:
            options = {"max_retries": 0, "request_timeout": 10, **client_options}
            client = Elasticsearch(url, **options)
        self.client = client
        self.alias = alias
        self.building_alias = f"{alias}-building"
        self._checked = False

    # --- indexes and aliases -----------------------------------------------------------------
    def _aliases(self) -> dict[str, set[str]]:
        """Index name → which of our aliases it carries (live, building)."""
        found = self.client.options(ignore_status=404).indices.get_alias(
            name=f"{self.alias},{self.building_alias}"
        )
        # A 404 names the missing alias and still lists the indexes of the one that exists.
        return {
            index: set(spec["aliases"])
            for index, spec in found.body.items()
            if isinstance(spec, dict) and "aliases" in spec
        }

    def _new_index(self) -> str:
        name = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
        self.client.indices.create(index=name, **es_query.index_body())
        return name

    def ensure_index(self) -> None:
        """Create the first index and its alias when there is none (a fresh cluster)."""
        with _unavailable_on_errors():
            if not any(self.alias in names for names in self._aliases().values()):
                name = self._new_index()
                self.client.indices.update_aliases(
                    actions=[{"add": {"index": name, "alias": self.alias}}]
                )

    def _check_schema(self) -> None:
        if self._checked:
            return
        with _unavailable_on_errors():
            found = self.client.options(ignore_status=404).indices.get_mapping(index=self.alias)
        if found.meta.status == 404:
            raise SearchUnavailable(f"no search index yet ({self.alias}): run `lis search reindex`")
        for spec in found.body.values():
            meta = spec.get("mappings", {}).get("_meta", {})
            if meta.get("lis_schema") != es_query.SCHEMA_VERSION:
                raise SearchUnavailable(STALE_INDEX)
        self._checked = True

    # --- writing ------------------------------------------------------------------------------
    def _send(self, actions: list[dict[str, Any]], *, refresh: bool) -> int:
        """Send actions to the live alias and to an index being rebuilt, if any."""
        with _unavailable_on_errors():
            aliases = self._aliases()
            if not any(self.alias in names for names in aliases.values()):
                self.ensure_index()
                aliases = self._aliases()
            building = sorted(i for i, names in aliases.items() if self.building_alias in names)
            targets = [self.alias, *building]
            batch = [{**a, "_index": target} for target in targets for a in actions]
            helpers.bulk(
                self.client,
                batch,
                chunk_size=CHUNK,
                refresh="wait_for" if refresh else False,
                ignore_status=(404,),  # deleting what is not there is done
            )
        return len(actions)

    def index(self, docs: Iterable[SearchDocument]) -> int:
        with self.bulk() as bulk:
            return bulk.add(docs)

    def delete(self, ids: Iterable[str]) -> int:
        with self.bulk() as bulk:
            return bulk.delete(ids)

    @contextmanager
    def _bulk(self) -> Iterator[_Bulk]:
        bulk = _Bulk(self)
        yield bulk
        bulk.commit()

    def bulk(self) -> AbstractContextManager[BulkIndexer]:
        return self._bulk()

    def rebuild(
        self,
        docs: Iterable[SearchDocument],
        *,
        catch_up: Callable[[], object] | None = None,
    ) -> int:
        """Load a new versioned index, swap the alias atomically, drop the old indexes.

        `catch_up` runs after the swap: re-send what changed since the rebuild started."""
        with _unavailable_on_errors():
            name = self._new_index()
            self.client.indices.put_settings(
                index=name, settings={"index": {"refresh_interval": "-1"}}
            )
            self.client.indices.update_aliases(
                actions=[{"add": {"index": name, "alias": self.building_alias}}]
            )
            try:
                written = 0
                for _ok, _item in helpers.streaming_bulk(
                    self.client,
                    (
                        {
                            "_op_type": "create",
                            "_index": name,
                            "_id": doc.id,
                            **es_query.to_source(doc),
                        }
                        for doc in docs
                    ),
                    chunk_size=CHUNK,
                    ignore_status=(409,),  # a live write got there first: it is newer
                ):
                    written += 1  # a 409 (ignored) still means the document is there
            except BaseException:
                self.client.indices.delete(index=name, ignore_unavailable=True)
                raise
            self.client.indices.put_settings(
                index=name, settings={"index": {"refresh_interval": None}}
            )
            self.client.indices.refresh(index=name)
            old = sorted(i for i, n in self._aliases().items() if self.alias in n and i != name)
            actions: list[dict[str, Any]] = [
                {"remove": {"index": index, "alias": self.alias}} for index in old
            ]
            actions += [
                {"add": {"index": name, "alias": self.alias}},
                {"remove": {"index": name, "alias": self.building_alias}},
            ]
            self.client.indices.update_aliases(actions=actions)
            if old:
                self.client.indices.delete(index=",".join(old), ignore_unavailable=True)
        self._checked = False
        if catch_up is not None:
            catch_up()
        return written

    # --- reading ------------------------------------------------------------------------------
    def count(self) -> int:
        self._check_schema()
        with _unavailable_on_errors():
            return int(self.client.count(index=self.alias)["count"])

    def ping(self) -> bool:
        """Health checks must answer quickly even when the server hangs."""
        return bool(self.client.options(request_timeout=PING_TIMEOUT).ping())

    def close(self) -> None:
        self.client.close()

    def search(self, query: SearchQuery) -> SearchPage:
        self._check_schema()
        with _unavailable_on_errors():
            if query.offset + query.limit <= es_query.MAX_RESULT_WINDOW:
                response = self.client.search(index=self.alias, body=es_query.search_body(query))
            else:
                response = self._deep_page(query)
        return self._page(query, response.body)

    def _deep_page(self, query: SearchQuery) -> Any:
        """Past max_result_window: walk to the offset with `search_after` over a point in time
        (consistent pages), then fetch the page itself, facets included."""
        pit = self.client.open_point_in_time(index=self.alias, keep_alive="1m")["id"]
        try:
            after: list[Any] | None = None
            skipped = 0
            while skipped < query.offset:
                step = min(es_query.MAX_RESULT_WINDOW, query.offset - skipped)
                body = es_query.search_body(query, search_after=after, size=step, with_aggs=False)
                body.pop("from", None)
                body.pop("highlight", None)
                body["_source"] = False
                body["track_total_hits"] = False
                body["pit"] = {"id": pit, "keep_alive": "1m"}
                hits = self.client.search(body=body)["hits"]["hits"]
                if not hits:
                    break
                skipped += len(hits)
                after = hits[-1]["sort"]
            body = es_query.search_body(query, search_after=after or [])
            if after is None:
                body.pop("search_after")
            body["pit"] = {"id": pit, "keep_alive": "1m"}
            return self.client.search(body=body)
        finally:
            self.client.close_point_in_time(id=pit)

    def _page(self, query: SearchQuery, body: dict[str, Any]) -> SearchPage:
        parsed = parse(query.text)
        scored = es_query.is_scored(query, parsed)
        hits = []
        for raw in body["hits"]["hits"]:
            source = raw.get("_source", {})
            marked = raw.get("highlight", {})
            highlights = {k: tuple(marked[k]) for k in ("title", "body") if marked.get(k)}
            hits.append(
                Hit(
                    id=source.get("id", raw.get("_id", "")),
                    score=float(raw.get("_score") or 0.0) if scored else 0.0,
                    number=source.get("number", ""),
                    title=source.get("title", ""),
                    kind=source.get("kind", ""),
                    highlights=highlights,
                )
            )
        facets = es_query.facet_values(body.get("aggregations", {}), query.facets)
        return SearchPage(
            total=int(body["hits"]["total"]["value"]),
            hits=tuple(hits),
            facets={
                name: tuple(FacetValue(v, c) for v, c in values) for name, values in facets.items()
            },
        )
