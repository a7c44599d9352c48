"""The import job: a file into the database a batch at a time, indexed as it goes.

Like a request or a CLI command, a job is a place that commits: one transaction per batch, so
an interrupted run keeps whole documents only and a re-run finishes the rest. The index is fed
through one bulk writer: the engine indexes in its own thread while the next batch is parsed and
written, and the outbox rows of what it has committed are then removed. If the index cannot be
written (another process holds it), the rows stay for `lis search sync`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from lis.db import db, transaction
from lis.documents.importer import ImportStats, Line, import_batch, open_lines, read_lines
from lis.indexing.hooks import ROWS_KEY
from lis.indexing.services import forget_outbox_rows, to_search_document
from search.interface import BulkIndexer, SearchBackend, SearchUnavailable

BATCH = 200
INDEX_COMMIT_EVERY = 2_000


def _batches(lines: Iterable[Line], size: int) -> Iterator[list[Line]]:
    it = iter(lines)
    while batch := list(islice(it, size)):
        yield batch


@dataclass
class ImportResult(ImportStats):
    index_note: str | None = None


def import_file(
    path: Path,
    backend: SearchBackend | None,
    *,
    batch_size: int = BATCH,
    on_batch: Callable[[int], None] = lambda _n: None,
) -> ImportResult:
    """Import `path`; index the changes when `backend` is given. Returns the totals."""
    total = ImportResult()
    outbox_ids: list[int] = []
    with ExitStack() as stack:
        stream = stack.enter_context(open_lines(path))
        bulk: BulkIndexer | None = None
        if backend is not None:
            try:
                bulk = stack.enter_context(backend.bulk())
            except SearchUnavailable as exc:
                total.index_note = f"not indexed now ({exc}); run `lis search sync` later"
        for batch in _batches(read_lines(stream), batch_size):
            with transaction() as session:
                stats = import_batch(session, batch)
            rows = session.info.pop(ROWS_KEY, [])
            total.add(stats)
            if bulk is not None:
                bulk.add(to_search_document(doc) for doc in stats.changed)
                outbox_ids += [row.id for row in rows]
                if bulk.uncommitted >= INDEX_COMMIT_EVERY:
                    bulk.commit()
                    _forget(outbox_ids)
            session.expunge_all()  # keep memory flat on a large file
            on_batch(len(batch))
    _forget(outbox_ids)  # the bulk writer committed when the stack closed
    return total


def _forget(ids: list[int]) -> None:
    if ids:
        with transaction(db.session()) as session:
            forget_outbox_rows(session, ids)
        ids.clear()
