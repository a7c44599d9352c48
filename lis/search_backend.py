"""The app's search backend: built once per app, drained after each commit that queued work."""

from __future__ import annotations

import logging

from flask import Flask, current_app

from lis.db import db, transaction
from lis.indexing.hooks import COMMITTED_KEY, ROWS_KEY
from lis.indexing.services import drain_batch
from lis.settings import Settings, SettingsError
from search.backends import BackendNotAvailable, build_backend
from search.interface import SearchBackend

log = logging.getLogger(__name__)
EXTENSION = "lis.search"


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


def drain_outbox(backend: SearchBackend, *, max_batches: int = 1_000_000) -> int:
    """Apply pending outbox rows until none are left or the engine refuses.

    One commit per batch, so a crash halfway loses nothing."""
    done = 0
    for _ in range(max_batches):
        with transaction() as session:
            result = drain_batch(session, backend)
        done += result.indexed + result.deleted
        if result.failed or not (result.indexed or result.deleted):
            break
    return done


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions[EXTENSION] = make_backend(settings)

    if not settings.index_after_commit:
        return

    @app.teardown_request
    def _index_committed_changes(_exc: BaseException | None) -> None:
        session = db.session()
        session.info.pop(ROWS_KEY, None)
        if not session.info.pop(COMMITTED_KEY, False):
            return
        try:
            drain_outbox(get_backend(), max_batches=4)
        except Exception:  # the rows stay in the outbox for `lis search sync` / `lis worker`
            log.exception("could not index after commit; the outbox keeps the changes")
