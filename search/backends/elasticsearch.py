"""The Elasticsearch backend: the production engine behind the same `SearchBackend` contract.

Searches go to the alias `lis-documents`; the real index is versioned (`lis-documents-<stamp>`).
`rebuild()` loads a new index and swaps the alias in one `POST /_aliases` (remove + add), so
searches keep answering on the old index meanwhile.

Writes are ordered by external versioning: a drain gives its documents the id of its own
PostgreSQL transaction as version (see `lis.indexing.services.write_version`), the server
keeps the highest and answers 409 to an older write, which counts as done. So two workers that
drain at once never leave the older state last, whatever order their requests arrive in.

Writes during a rebuild are not lost: while it runs the new index also carries the write alias
`lis-documents-building`, and every `index()`/`delete()` (from any process: the alias lives in
the cluster) goes to the live alias *and* to the building index. The rebuild loads its documents
with the lowest version (`es_query.REBUILD_VERSION`), so a stale copy read from the database
before a live write (or delete) never overwrites that write. What remains — a delete that
reached the new index before the rebuild read the document, and came too early to leave a
tombstone the copy would meet — is closed by the catch-up pass: `rebuild(..., catch_up=...)`
calls the hook with a writer on the new index *before* the swap, and the caller deletes what
the rebuild read but the database no longer holds. Pass `docs` as a lazy generator that reads
the database *after* the call starts (not a list read beforehand).

A server that does not answer, or answers 429 or 5xx, raises `SearchUnavailable`: the outbox
keeps the change and the worker retries.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from elasticsearch import ApiError, BadRequestError, Elasticsearch, TransportError, helpers

from search.backends import es_query
from search.interface import (
    BulkIndexer,
    CatchUp,
    DocumentsRejected,
    FacetValue,
    Hit,
    SearchDocument,
    SearchPage,
    SearchQuery,
    SearchUnavailable,
    Versions,
)
from search.query import parse

log = logging.getLogger(__name__)

ALIAS = "lis-documents"
BUILDING_ALIAS = "lis-documents-building"
CHUNK = 500
STALE_INDEX = "the search index was built by an older version of LIS: run `lis search reindex`"


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, ApiError):
        return exc.meta.status == 429 or exc.meta.status >= 500
    return isinstance(exc, TransportError)  # connection refused, timeout, TLS


def _transient_status(status: int) -> bool:
    return status == 429 or status >= 500


@contextmanager
def _unavailable_on_errors() -> Iterator[None]:
    """Connection errors, 429 and 5xx become `SearchUnavailable`; other errors (our bugs: a 400
    for a malformed request) propagate as they are."""
    try:
        yield
    except helpers.BulkIndexError as exc:
        statuses = [next(iter(item.values())).get("status", 500) for item in exc.errors]
        if any(_transient_status(s) for s in statuses):
            raise SearchUnavailable(f"Elasticsearch rejected writes: {statuses}") from exc
        raise
    except (ApiError, TransportError) as exc:
        if _transient(exc):
            raise SearchUnavailable(f"Elasticsearch does not answer: {exc}") from exc
        raise


# Per-item answers of a bulk request that mean the write is done: a delete of what is not there,
# and a version conflict (a newer write of the same document is already there).
_DONE = {"delete": (404, 409), "index": (409,), "create": (409,)}


def _reason(item: dict[str, Any]) -> str:
    error = item.get("error")
    if isinstance(error, dict):
        return f"{error.get('type', 'error')}: {error.get('reason', '')}"[:300]
    return str(error or f"status {item.get('status')}")[:300]


class _Bulk:
    """Collects writes and sends them in chunks through `helpers.streaming_bulk`. Elasticsearch
    has no rollback: on an error the unsent rest is dropped (the outbox still holds it).

    `target` names one index to write to (a rebuild's catch-up); by default the writes go to the
    live alias and to an index being rebuilt. Documents the server refuses for good are collected
    and raised as `DocumentsRejected` by `commit()`, after everything else is written."""

    def __init__(
        self,
        backend: ElasticsearchBackend,
        *,
        target: str | None = None,
        delete_version: int | None = None,
    ) -> None:
        self._backend = backend
        self._target = target
        self._delete_version = delete_version
        self._pending: list[dict[str, Any]] = []
        self._rejected: dict[str, str] = {}
        self.uncommitted = 0

    def add(self, docs: Iterable[SearchDocument], *, versions: Versions | None = None) -> int:
        count = 0
        for doc in docs:
            version = versions.get(doc.id) if versions else None
            self._pending.append(es_query.index_action(doc, version))
            count += 1
        self._grow(count)
        return count

    def delete(self, ids: Iterable[str], *, versions: Versions | None = None) -> int:
        count = 0
        for doc_id in ids:
            version = versions.get(doc_id) if versions else None
            if version is None:
                version = self._delete_version
            self._pending.append(es_query.delete_action(doc_id, version))
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
            self._rejected |= self._backend._send(actions, refresh=refresh, target=self._target)

    def commit(self) -> None:
        self._flush(refresh=True)
        self.uncommitted = 0
        rejected, self._rejected = self._rejected, {}
        if rejected:
            raise DocumentsRejected(rejected)


PING_TIMEOUT = 2  # seconds


class ElasticsearchBackend:
    name = "elasticsearch"
    concurrent_writes = True  # see `search.interface.concurrent_writes`

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
        """Create the first index and its alias when there is none (a fresh cluster).

        Every process of the app does this at start, at the same moment on a fresh stack: the
        first index has a fixed name, so that they all create (or find) the same one and the
        alias never points at two indexes (which would refuse every write)."""
        with _unavailable_on_errors():
            if not any(self.alias in names for names in self._aliases().values()):
                name = f"{self.alias}-initial"
                try:
                    self.client.indices.create(index=name, **es_query.index_body())
                except BadRequestError as exc:
                    if exc.error != "resource_already_exists_exception":
                        raise
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
    def _send(
        self, actions: list[dict[str, Any]], *, refresh: bool, target: str | None = None
    ) -> dict[str, str]:
        """Send actions to the live alias and to an index being rebuilt, if any (or to `target`
        alone); returns the documents refused for good (id → reason).

        Only the live alias waits for the refresh (`refresh=wait_for`): an index being built
        has refresh_interval -1, where a wait would last until the rebuild ends (or forever)."""
        with _unavailable_on_errors():
            if target is not None:
                return self._bulk_request(actions, target, refresh=refresh)
            aliases = self._aliases()
            if not any(self.alias in names for names in aliases.values()):
                self.ensure_index()
                aliases = self._aliases()
            building = sorted(i for i, names in aliases.items() if self.building_alias in names)
            rejected = self._bulk_request(actions, self.alias, refresh=refresh)
            for index in building:
                rejected |= self._bulk_request(actions, index, refresh=False)
            return rejected

    def _bulk_request(
        self, actions: list[dict[str, Any]], index: str, *, refresh: bool
    ) -> dict[str, str]:
        """One bulk load into `index`. A 429 or 5xx for any item makes the whole batch
        unavailable (retried later); other refusals (a 400 mapping error) are returned."""
        rejected: dict[str, str] = {}
        transient: list[int] = []
        for ok, result in helpers.streaming_bulk(
            self.client,
            ({**a, "_index": index} for a in actions),
            chunk_size=CHUNK,
            refresh="wait_for" if refresh else False,
            raise_on_error=False,
        ):
            if ok:
                continue
            op, item = next(iter(result.items()))
            status = int(item.get("status", 500))
            if status in _DONE.get(op, ()):
                continue
            if _transient_status(status):
                transient.append(status)
            else:
                rejected[str(item.get("_id", ""))] = _reason(item)
        if transient:
            raise SearchUnavailable(f"Elasticsearch rejected writes: {sorted(set(transient))}")
        return rejected

    def index(self, docs: Iterable[SearchDocument]) -> int:
        with self.bulk() as bulk:
            return bulk.add(docs)

    def delete(self, ids: Iterable[str]) -> int:
        with self.bulk() as bulk:
            return bulk.delete(ids)

    @contextmanager
    def _bulk(self, **options: Any) -> Iterator[_Bulk]:
        bulk = _Bulk(self, **options)
        yield bulk
        bulk.commit()

    def bulk(self) -> AbstractContextManager[BulkIndexer]:
        return self._bulk()

    def rebuild(self, docs: Iterable[SearchDocument], *, catch_up: CatchUp | None = None) -> int:
        """Load a new versioned index, catch up, swap the alias atomically, drop the old indexes.

        The copies read from the database carry the lowest external version, so that a live
        write (or a live delete's tombstone) that reached the new index first is kept. `catch_up`
        runs before the swap with a writer on the new index; its deletes remove only the
        rebuild's own copies (a document a live write put there meanwhile stays)."""
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
                for ok, item in helpers.streaming_bulk(
                    self.client,
                    (
                        {"_index": name, **es_query.index_action(doc, es_query.REBUILD_VERSION)}
                        for doc in docs
                    ),
                    chunk_size=CHUNK,
                    raise_on_error=False,
                ):
                    status = int(next(iter(item.values())).get("status", 500))
                    if ok or status == 409:  # a live write got there first: it is newer
                        written += 1
                    elif _transient_status(status):
                        raise SearchUnavailable(f"Elasticsearch rejected writes: [{status}]")
                    else:  # one broken document must not stop the rebuild of the rest
                        log.error("rebuild: document refused: %s", item)
                if catch_up is not None:
                    try:
                        with self._bulk(
                            target=name, delete_version=es_query.CATCH_UP_DELETE_VERSION
                        ) as bulk:
                            catch_up(bulk)
                    except DocumentsRejected as exc:  # as in the load above: the rest goes on
                        log.error("rebuild: catch-up refused: %s", exc)
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
        return written

    # --- reading ------------------------------------------------------------------------------
    def count(self) -> int:
        self._check_schema()
        with _unavailable_on_errors():
            return int(self.client.count(index=self.alias)["count"])

    def ping(self) -> bool:
        """Whether searches can be answered: the server answers *and* the alias exists (a fresh
        cluster, or one whose index was deleted, answers a plain ping but cannot search).
        Health checks must answer quickly even when the server hangs."""
        try:
            client = self.client.options(request_timeout=PING_TIMEOUT)
            return bool(client.indices.exists_alias(name=self.alias))
        except (ApiError, TransportError):
            return False

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
