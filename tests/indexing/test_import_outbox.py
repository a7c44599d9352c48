"""An import leaves nothing waiting in the outbox (real embedded engine, real database)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from lis.db import db, transaction
from lis.documents.import_job import import_file
from lis.indexing.models import OutboxEntry
from lis.indexing.services import pending_count
from search.backends.embedded import EmbeddedBackend
from search.interface import SearchQuery
from tests.documents.test_importer import record, write
from tests.factories import DocumentFactory
from tests.search import record as search_record

engine = search_record.engine
index_template = search_record.index_template


def found(backend: EmbeddedBackend, text: str) -> set[str]:
    return {h.id for h in backend.search(SearchQuery(text=text, limit=50)).hits}


def test_a_rerun_after_an_interrupted_import_leaves_every_document_searchable(
    engine: EmbeddedBackend, tmp_path: Path
) -> None:
    """The first run committed its batches but never indexed them (stopped before its index
    commit, or run with --no-index): their rows wait. The re-run finds those documents
    unchanged, yet drains the whole outbox, so they are searchable and nothing waits."""
    rows = [
        record(id=f"t-rerun-{i}", number=f"{i}/2098/QH99", title=f"Luật Zyqvarơ số {i}")
        for i in range(5)
    ]
    import_file(write(tmp_path / "partial.jsonl", rows[:3]), None)
    with transaction() as session:  # a change made meanwhile, not drained either
        DocumentFactory(origin="draft", external_id="t-rerun-draft", title="Dự thảo Zyqvarơ")
        session.flush()
    assert pending_count(db.session()) == 4
    assert found(engine, "zyqvaro") == set()

    result = import_file(write(tmp_path / "all.jsonl", rows), engine)
    assert (result.created, result.unchanged) == (2, 3)
    assert result.index_note is None
    assert pending_count(db.session()) == 0
    assert found(engine, "zyqvaro") == {r["id"] for r in rows} | {"t-rerun-draft"}


def test_an_engine_busy_at_the_start_leaves_the_rows_and_says_so(
    engine: EmbeddedBackend, tmp_path: Path
) -> None:
    """Another process holds the writer: the import commits, the rows wait, the note says what
    to run."""
    with engine.bulk():
        result = import_file(write(tmp_path / "docs.jsonl", [record(id="t-busy-1")]), engine)
    assert result.created == 1
    assert result.index_note is not None and "1 changes wait in the outbox" in result.index_note
    rows = db.session().scalars(select(OutboxEntry.external_id)).all()
    assert rows == ["t-busy-1"]
    assert all(
        r.attempts == 0 for r in db.session().scalars(select(OutboxEntry))
    )  # nothing tried: the import did not even get the writer


def test_rows_of_documents_it_indexed_are_removed(engine: EmbeddedBackend, tmp_path: Path) -> None:
    result = import_file(write(tmp_path / "docs.jsonl", [record(id="t-clean-1")]), engine)
    assert result.created == 1 and result.index_note is None
    assert pending_count(db.session()) == 0
    assert found(engine, "hoa giai thu") >= {"t-clean-1"}
