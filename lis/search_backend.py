"""The app's search backend: built once per app, drained after each commit that queued work."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator

from flask import Flask, current_app

from lis.db import db, transaction
from lis.indexing.hooks import COMMITTED_KEY, ROWS_KEY
from lis.indexing.services import DrainResult, catch_up_rebuild, drain_batch
from lis.settings import Settings, SettingsError
from search.backends import BackendNotAvailable, build_backend
from search.interface import (
    BulkIndexer,
    SearchBackend,
    SearchDocument,
    SearchUnavailable,
    concurrent_writes,
)

log = logging.getLogger(__name__)
EXTENSION = "lis.search"
REQUEST_DRAIN = "lis.search.request_drain"
# Engines never drained after a request's commit (see `RequestDrain`): search servers.
WORKER_ONLY = ("elasticsearch",)


def make_backend(settings: Settings) -> SearchBackend:
    try:
        return build_backend(
            settings.search_backend,
            index_dir=settings.index_dir,
            elasticsearch_url=settings.elasticsearch_url,
        )
    except BackendNotAvailable as exc:
        raise SettingsError(str(exc)) from exc


def get_backend() -> SearchBackend:
    return current_app.extensions[EXTENSION]


def _drain_committed(backend: SearchBackend) -> DrainResult:
    with transaction() as session:
        return drain_batch(session, backend)


def drain_one(backend: SearchBackend) -> tuple[int, bool]:
    """One batch in its own transaction: (changes applied, whether the engine refused)."""
    result = _drain_committed(backend)
    return result.indexed + result.deleted, bool(result.failed)


def drain_outbox(backend: SearchBackend, *, max_batches: int = 1_000_000) -> int:
    """Apply pending outbox rows until none are left or the engine is unavailable.

    One commit per batch, so a crash halfway loses nothing. A batch whose documents were all
    refused for good is progress too: those rows are marked and passed over by the next batch."""
    done = 0
    for _ in range(max_batches):
        result = _drain_committed(backend)
        done += result.indexed + result.deleted
        if result.failed or not (result.indexed or result.deleted or result.refused):
            break
    return done


class RequestDrain:
    """The drain after a request's commit, which must never keep the user waiting on the engine.

    A search server (Elasticsearch, `WORKER_ONLY`) is not drained here: it may hang, and the
    web app never blocks on the search server: its changes wait in the outbox for `lis worker`
    (the production stack runs one), which applies them within its interval (1 s by default).
    A shorter timeout would still make a request wait on every outage, so none is tried.

    A refusal that came fast (the writer is busy in another process, a 429) costs the request
    nothing, so the next request tries again. A failure that made the request wait longer than
    `slow` seconds (a server that does not answer) stops these drains for `pause` seconds: the
    rows wait in the outbox for `lis worker`, and at most one request per pause pays the wait.
    """

    def __init__(self, *, slow: float = 0.5, pause: float = 30.0, max_batches: int = 4) -> None:
        self.slow = slow
        self.pause = pause
        self.max_batches = max_batches
        self._paused_until = 0.0
        self._lock = threading.Lock()

    @property
    def paused(self) -> bool:
        return time.monotonic() < self._paused_until

    def __call__(self, backend: SearchBackend) -> int:
        if self.paused or backend.name in WORKER_ONLY:
            return 0
        started = time.monotonic()
        failed = False
        done = 0
        try:
            for _ in range(self.max_batches):
                applied, failed = drain_one(backend)
                done += applied
                if failed or not applied:
                    break
        except Exception:  # the rows stay in the outbox for `lis search sync` / `lis worker`
            log.exception("could not index after commit; the outbox keeps the changes")
            failed = True
        elapsed = time.monotonic() - started
        if failed and elapsed > self.slow:
            with self._lock:
                self._paused_until = time.monotonic() + self.pause
            log.warning(
                "search engine slow to refuse (%.1f s): indexing after requests paused for %.0f s",
                elapsed,
                self.pause,
            )
        return done


def reindex(backend: SearchBackend, docs: Iterable[SearchDocument]) -> tuple[int, int]:
    """Rebuild the index from `docs`, then apply the outbox to it: (documents written, changes
    caught up).

    Changes committed while the rebuild reads the database may be missing from it; their outbox
    rows are applied after the swap. With the embedded engine the current index's writer is
    held during the rebuild, so that no drain (another process's request, a worker) takes those
    rows into the index that is being replaced: the drains are refused quickly and leave the
    rows for the catch-up. Elasticsearch has no such writer: live drains reach the new index
    too, and the rebuild's catch-up pass (`catch_up_rebuild`, before the swap) deletes what the
    rebuild read but a drain meanwhile deleted, which would otherwise come back.
    """
    if not concurrent_writes(backend):
        with contextlib.ExitStack() as stack:
            _hold_current_writer(backend, stack)
            written = backend.rebuild(docs)
        return written, drain_outbox(backend)
    read: set[str] = set()

    def tracked() -> Iterator[SearchDocument]:
        for doc in docs:
            read.add(doc.id)
            yield doc

    def catch_up(bulk: BulkIndexer) -> None:
        with transaction() as session:
            catch_up_rebuild(session, backend, bulk, read)

    written = backend.rebuild(tracked(), catch_up=catch_up)
    return written, drain_outbox(backend)


def _hold_current_writer(
    backend: SearchBackend, stack: contextlib.ExitStack, *, wait: float = 30.0
) -> None:
    """Take the current index's writer for the rebuild, waiting while a drain holds it. An index
    that cannot be opened at all (missing, written by an older LIS) has no drains to keep out."""
    deadline = time.monotonic() + wait
    while True:
        try:
            stack.enter_context(backend.bulk())
            return
        except SearchUnavailable as exc:
            try:
                backend.ping()
            except SearchUnavailable:
                return  # nothing can write to it: rebuild without holding it
            if time.monotonic() > deadline:
                log.warning("rebuilding without holding the current index's writer: %s", exc)
                return
            time.sleep(0.2)


def prepare_index(backend: SearchBackend) -> None:
    """Create an empty index on a search server that has none (a fresh cluster), at start.

    /healthz needs the alias (a server without it cannot search), and in the production stack
    the worker starts only once the app is healthy: without this a new stack would stay
    unhealthy until someone imported. A server that does not answer now is no reason not to
    start: the first write creates the index."""
    ensure = getattr(backend, "ensure_index", None)
    if ensure is None:
        return
    try:
        ensure()
    except Exception as exc:  # down, or refusing: /healthz says so until it answers
        log.warning("search index not checked at start: %s", exc)


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions[EXTENSION] = backend = make_backend(settings)
    prepare_index(backend)
    app.extensions[REQUEST_DRAIN] = request_drain = RequestDrain()

    if not settings.index_after_commit:
        return

    @app.teardown_request
    def _index_committed_changes(_exc: BaseException | None) -> None:
        session = db.session()
        session.info.pop(ROWS_KEY, None)
        if not session.info.pop(COMMITTED_KEY, False):
            return
        request_drain(get_backend())
