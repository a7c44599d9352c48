"""The import job: a file into the database a batch at a time, indexed as it goes.

Like a request or a CLI command, a job is a place that commits: one transaction per batch, so
an interrupted run keeps whole documents only and a re-run finishes the rest. The index is fed
through one bulk writer: the engine indexes in its own thread while the next batch is parsed and
written, and the outbox rows of what it has committed are then removed.

The index never stops the import: an engine that cannot be written (another process holds it, a
server that is down) leaves the rows in the outbox and the job says so. At the end the job
drains the whole outbox, not only what this run changed, so that a re-run after an interrupted
run (whose last rows were never indexed) leaves every document searchable.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import TracebackType

from sqlalchemy import select

from lis.db import db, transaction
from lis.documents.importer import ImportStats, Line, import_batch, open_lines, read_lines
from lis.documents.models import Document
from lis.indexing.hooks import ROWS_KEY
from lis.indexing.models import OutboxEntry
from lis.indexing.services import (
    forget_outbox_rows,
    pending_count,
    refused_count,
    to_search_document,
)
from lis.search_backend import drain_outbox
from search.interface import (
    BulkIndexer,
    DocumentsRejected,
    SearchBackend,
    SearchUnavailable,
    concurrent_writes,
)

BATCH = 200
INDEX_COMMIT_EVERY = 2_000


def _batches(lines: Iterable[Line], size: int) -> Iterator[list[Line]]:
    it = iter(lines)
    while batch := list(islice(it, size)):
        yield batch


@dataclass
class ImportResult(ImportStats):
    index_note: str | None = None


class _Indexer:
    """The import's bulk writer and the outbox rows of what it was given. A failure of the
    engine stops the indexing, never the import: the rows not yet committed to the index stay
    in the outbox.

    Only for an engine with one writer at a time (the embedded one), whose lock orders every
    write. An engine that takes writes from several processes at once orders them by version
    (`lis.indexing.services.write_version`), which only a drain can give rightly: it reads the
    documents after taking its version, where the import holds them from before its commit. So
    there the import leaves its changes to the drain at the end of the job.
    """

    def __init__(self, backend: SearchBackend | None) -> None:
        self.backend = backend
        self.error: str | None = None
        self._stack = ExitStack()
        self._bulk: BulkIndexer | None = None
        self._rows: list[tuple[int, str]] = []  # (outbox row id, external id) not yet forgotten

    def __enter__(self) -> _Indexer:
        if self.backend is not None and not concurrent_writes(self.backend):
            try:
                self._bulk = self._stack.enter_context(self.backend.bulk())
            except SearchUnavailable as exc:
                self.error = str(exc)
        return self

    def add(self, docs: list[Document], rows: list[OutboxEntry]) -> None:
        if self._bulk is None or self.backend is None:
            return
        try:
            self._bulk.add(to_search_document(doc) for doc in docs)
            # Only the rows of what was given here: the session may carry rows of other work
            # (its earlier transactions), which the drain at the end applies.
            indexed = {doc.external_id for doc in docs}
            self._rows += [(row.id, row.external_id) for row in rows if row.external_id in indexed]
            if self._bulk.uncommitted >= INDEX_COMMIT_EVERY:
                self._bulk.commit()
                self._forget()
        except DocumentsRejected as exc:
            self._forget(keep=set(exc.reasons))
        except SearchUnavailable as exc:
            self._stop(exc)

    def _stop(self, exc: BaseException) -> None:
        """Roll the writer back (the embedded engine drops what it had not committed)."""
        self.error = str(exc)
        self._bulk = None
        self._rows.clear()
        self._stack.__exit__(type(exc), exc, exc.__traceback__)

    def _forget(self, keep: Collection[str] = ()) -> None:
        """Remove the rows of what the index committed; those of refused documents stay for
        the drain, which marks them."""
        ids = [row_id for row_id, external_id in self._rows if external_id not in keep]
        self._rows.clear()
        if ids:
            with transaction(db.session()) as session:
                forget_outbox_rows(session, ids)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            self._stack.__exit__(exc_type, exc, tb)
            return
        if self._bulk is None:
            return
        try:
            self._stack.close()  # commits the writer
        except DocumentsRejected as rejected:
            self._forget(keep=set(rejected.reasons))
        except SearchUnavailable as unavailable:
            self.error = str(unavailable)
            self._rows.clear()
        else:
            self._forget()


def import_file(
    path: Path,
    backend: SearchBackend | None,
    *,
    batch_size: int = BATCH,
    on_batch: Callable[[int], None] = lambda _n: None,
) -> ImportResult:
    """Import `path`; index the changes when `backend` is given. Returns the totals."""
    total = ImportResult()
    with open_lines(path) as stream, _Indexer(backend) as indexer:
        for batch in _batches(read_lines(stream), batch_size):
            with transaction() as session:
                stats = import_batch(session, batch)
            rows = session.info.pop(ROWS_KEY, [])
            total.add(stats)
            indexer.add(stats.changed, rows)
            session.expunge_all()  # keep memory flat on a large file
            on_batch(len(batch))
    if backend is not None:
        total.index_note = _drain_outbox(backend, indexer.error)
    return total


def _drain_outbox(backend: SearchBackend, error: str | None) -> str | None:
    """Apply every waiting outbox row, this run's and any an earlier run left; a note for the
    user when some still wait."""
    if error is None:
        drain_outbox(backend)
    session = db.session()
    waiting = pending_count(session)
    refused = refused_count(session)
    if waiting > refused:
        # The drain stopped on an unavailable engine: its reason is on the oldest row.
        error = error or session.scalar(
            select(OutboxEntry.last_error).order_by(OutboxEntry.id).limit(1)
        )
        reason = f" ({error})" if error else ""
        return (
            f"unavailable{reason}: {waiting - refused} changes wait in the outbox; "
            "run `lis search sync` or `lis worker`"
        )
    if refused:
        return f"the search engine refused {refused} documents: see the log and `lis search sync`"
    return None
