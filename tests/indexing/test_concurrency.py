"""Outbox work that really commits, from several sessions at once: the catch-up after a
rebuild and several workers on PostgreSQL. No savepoint fixture here: each test commits through
its own sessions and removes what it wrote."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lis.db import db
from lis.documents.models import Document
from lis.indexing.models import OutboxEntry
from lis.indexing.services import _take_rows, drain_batch, iter_search_documents, pending_count
from lis.search_backend import EXTENSION, drain_outbox, reindex
from search.backends.embedded import EmbeddedBackend
from search.interface import SearchDocument, SearchQuery
from tests.conftest import need_sample

CHANGED = "Luật sửa giữa chừng khi dựng lại chỉ mục"


@pytest.fixture
def private(app: Flask, tmp_path: Path) -> Iterator[EmbeddedBackend]:
    """A fresh index in place of the app's, with an app context and no pending changes."""
    backend = EmbeddedBackend(tmp_path / "index")
    with app.app_context():
        shared = app.extensions[EXTENSION]
        app.extensions[EXTENSION] = backend
        assert pending_count(db.session()) == 0
        try:
            yield backend
        finally:
            app.extensions[EXTENSION] = shared
            backend.close()
            db.remove()


def _set_title(doc_id: int, title: str) -> None:
    with db.session_factory() as other:
        other.get(Document, doc_id).title = title
        other.commit()


def test_reindex_catches_up_changes_made_during_the_rebuild(private: EmbeddedBackend) -> None:
    """Halfway through the rebuild another session changes a document the rebuild has already
    read, and a request's drain tries to apply it (to the index being replaced): it is refused,
    the row waits, and the catch-up after the swap puts the change into the new index."""
    need_sample()
    reader = Session(db.engine)
    first = reader.scalars(select(Document).order_by(Document.id).limit(1)).one()
    first_id, original, external_id = first.id, first.title, first.external_id
    reader.rollback()

    def docs() -> Iterator[SearchDocument]:
        for i, doc in enumerate(iter_search_documents(reader, batch=50)):
            if i == 120:
                _set_title(first_id, CHANGED)
                assert drain_outbox(private) == 0  # the old index's writer is held
                assert pending_count(db.session()) == 1
                db.remove()
            yield doc

    try:
        written, caught_up = reindex(private, docs())
        assert caught_up == 1 and pending_count(db.session()) == 0
        hits = private.search(SearchQuery(text=CHANGED, limit=3)).hits
        assert hits[0].id == external_id and hits[0].title == CHANGED
        assert written == private.count()
    finally:
        reader.close()
        db.remove()  # a fresh session: the old one's snapshot predates the restore
        _set_title(first_id, original)
        drain_outbox(private)  # the restored title goes to the private index, not the app's
        db.remove()
    assert pending_count(db.session()) == 0


def test_a_delete_during_the_rebuild_does_not_bring_the_document_back(
    private: EmbeddedBackend,
) -> None:
    """The rebuild reads a document; another session deletes it before the swap. The new index
    must not serve the copy read before the delete."""
    need_sample()
    with db.session_factory() as other:
        doc = Document(
            external_id="rebuild-delete-1",
            kind="law",
            number="1/2099/QH99",
            number_key="1/2099/qh99",
            title="Luật Xóa giữa chừng Quyvexo",
            origin="draft",
        )
        other.add(doc)
        other.commit()
        doc_id = doc.id
    drain_outbox(private)
    reader = Session(db.engine)
    seen: list[str] = []

    def docs() -> Iterator[SearchDocument]:
        for search_doc in iter_search_documents(reader, batch=50):
            seen.append(search_doc.id)
            yield search_doc
        with db.session_factory() as other:  # after the rebuild read it, before the swap
            other.delete(other.get(Document, doc_id))
            other.commit()
        drain_outbox(private)  # a request's drain meanwhile

    try:
        reindex(private, docs())
    finally:
        reader.close()
        db.remove()
    assert "rebuild-delete-1" in seen
    assert private.search(SearchQuery(text="quyvexo", limit=5)).hits == ()
    assert pending_count(db.session()) == 0


def _postgres_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; on SQLite one writer at a time runs one worker")


@pytest.fixture
def ghost_rows(private: EmbeddedBackend) -> Iterator[list[int]]:
    """Committed outbox rows for documents that do not exist: each drains to one delete."""
    _postgres_only()
    with Session(db.engine) as session:
        rows = [
            OutboxEntry(entity="document", entity_id=-i, op="delete", external_id=f"ghost-{i}")
            for i in range(1, 41)
        ]
        session.add_all(rows)
        session.commit()
        ids = [r.id for r in rows]
    try:
        yield ids
    finally:
        with Session(db.engine) as session:
            session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(ids)))
            session.commit()


def test_two_sessions_never_take_the_same_rows(ghost_rows: list[int]) -> None:
    with Session(db.engine) as one, Session(db.engine) as two:
        first = {r.id for r in _take_rows(one, 15)}
        second = {r.id for r in _take_rows(two, 15)}  # while the first still holds its rows
        assert len(first) == len(second) == 15 and not first & second
        one.rollback()
        two.rollback()


def test_two_workers_apply_each_row_once(private: EmbeddedBackend, ghost_rows: list[int]) -> None:
    """Two threads drain the same outbox in small batches through the real engine: between a
    drain's index commit and its database commit the other drain takes the writer, and SKIP
    LOCKED keeps it off the rows still in flight. Every row is applied exactly once."""
    applied: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            idle = 0
            while idle < 50:
                with Session(db.engine) as session:
                    result = drain_batch(session, private, limit=4)
                    session.commit()
                applied.append(result.deleted)
                idle = idle + 1 if not result.deleted else 0
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(applied) == len(ghost_rows)
    assert pending_count(db.session()) == 0
