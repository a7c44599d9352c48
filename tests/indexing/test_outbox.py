"""The outbox keeps the index right through outages and reordering (real embedded engine).

Each test indexes into its own copy of the sample's index (`tests.search.record.engine`) or a
fresh one, so the app's shared index never sees its documents.
"""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import select

from lis.db import db, transaction
from lis.documents.models import Document
from lis.indexing.models import OutboxEntry
from lis.indexing.services import drain_batch, pending_count
from lis.indexing.worker import Backoff, run_worker
from lis.search_backend import REQUEST_DRAIN, drain_one
from search.backends.embedded import EmbeddedBackend
from search.interface import SearchQuery
from tests.conftest import need_sample
from tests.factories import DocumentFactory
from tests.search import record

index_template = record.index_template
engine = record.engine
EXTERNAL_ID = "outbox-test-1"


@pytest.fixture(autouse=True)
def _sample() -> None:
    need_sample()


def titles(backend: EmbeddedBackend, external_id: str = EXTERNAL_ID) -> list[str]:
    """The titles the index holds for `external_id` (two would be a document indexed twice)."""
    page = backend.search(SearchQuery(text="", filters={"origin": ("draft",)}, limit=100))
    return [h.title for h in page.hits if h.id == external_id]


def create(title: str) -> Document:
    with transaction() as session:
        doc = DocumentFactory(origin="draft", external_id=EXTERNAL_ID, title=title, number="")
        session.flush()
    return doc


def rename(doc: Document, title: str) -> None:
    with transaction():
        doc.title = title


def remove(doc: Document) -> None:
    with transaction() as session:
        session.delete(doc)


def ops() -> list[str]:
    rows = db.session().scalars(
        select(OutboxEntry).where(OutboxEntry.external_id == EXTERNAL_ID).order_by(OutboxEntry.id)
    )
    return [r.op for r in rows]


def test_update_delete_update_in_one_batch(engine: EmbeddedBackend) -> None:
    """Updated, deleted, imported again under the same id and updated: one batch writes the
    last state once (the old code applied the delete after the new document's upsert)."""
    doc = create("Luật thử nghiệm ban đầu")
    rename(doc, "Luật thử nghiệm sửa một")
    remove(doc)
    again = create("Luật thử nghiệm nhập lại")
    rename(again, "Luật thử nghiệm sửa hai")
    assert ops() == ["upsert", "upsert", "delete", "upsert", "upsert"]
    with transaction() as session:
        result = drain_batch(session, engine)
    assert result.failed == 0 and pending_count(db.session()) == 0
    assert titles(engine) == ["Luật thử nghiệm sửa hai"]


def test_a_delete_after_an_update_wins_in_one_batch(engine: EmbeddedBackend) -> None:
    doc = create("Luật thử nghiệm ban đầu")
    record.drain()
    assert titles(engine) == ["Luật thử nghiệm ban đầu"]
    rename(doc, "Luật thử nghiệm sửa")
    remove(doc)
    with transaction() as session:
        result = drain_batch(session, engine)
    assert (result.indexed, result.deleted) == (0, 1)
    assert titles(engine) == []


def test_update_delete_update_across_batches(engine: EmbeddedBackend) -> None:
    """One row per batch: no batch leaves the index in a state older than the database's."""
    doc = create("Luật thử nghiệm ban đầu")
    remove(doc)
    again = create("Luật thử nghiệm nhập lại")
    rename(again, "Luật thử nghiệm sửa hai")
    seen = []
    while pending_count(db.session()):
        with transaction() as session:
            assert drain_batch(session, engine, limit=1).failed == 0
        seen.append(titles(engine))
    assert seen == [["Luật thử nghiệm sửa hai"]] * 4


def test_changes_interleaved_with_drains(engine: EmbeddedBackend) -> None:
    doc = create("Luật thử nghiệm ban đầu")
    record.drain()
    rename(doc, "Luật thử nghiệm sửa")
    record.drain()
    assert titles(engine) == ["Luật thử nghiệm sửa"]
    remove(doc)
    record.drain()
    assert titles(engine) == []
    create("Luật thử nghiệm nhập lại")
    record.drain()
    assert titles(engine) == ["Luật thử nghiệm nhập lại"]


def test_engine_down_during_writes_then_up(app: Flask, engine: EmbeddedBackend) -> None:
    """Another process holds the index writer (tantivy's lock) while three requests change
    documents: each request answers, the changes wait; the worker retries until the writer is
    free and then applies every one, logging the outage once and the recovery once."""
    holder = engine.bulk()
    holder.__enter__()
    try:
        docs = []
        for i in range(3):
            with app.test_request_context("/drafts", method="POST"), transaction() as session:
                docs.append(DocumentFactory(origin="draft", title=f"Luật chờ chỉ mục {i}"))
                session.flush()
        assert pending_count(db.session()) == 3
        assert all(r.attempts >= 1 for r in db.session().scalars(select(OutboxEntry)))
    except BaseException:
        holder.__exit__(None, None, None)
        raise
    tries = []

    def drain() -> tuple[int, bool]:
        tries.append(1)
        if len(tries) == 3:  # the other process finishes after the worker's second try
            holder.__exit__(None, None, None)
        return drain_one(engine)

    stop = threading.Event()
    state = run_worker(
        drain,
        stop=stop,
        interval=0.01,
        backoff=Backoff(base=0.01, cap=0.02),
        once=False,
        on_idle=stop.set,
    )
    assert state.transitions == ["down", "back"]
    assert state.applied == 3 and pending_count(db.session()) == 0
    for doc in docs:
        assert titles(engine, doc.external_id) == [doc.title]


def test_a_fast_refusal_does_not_pause_indexing_after_requests(
    app: Flask, engine: EmbeddedBackend
) -> None:
    """A busy writer refuses at once: the request is not held up, and the next request after
    the writer is free makes both changes searchable as soon as it answers."""
    drain = app.extensions[REQUEST_DRAIN]
    busy = engine.bulk()  # exits last: the request's drain runs while it is held
    with busy, app.test_request_context("/drafts", method="POST"), transaction() as session:
        first = DocumentFactory(origin="draft", title="Luật thứ nhất chờ chỉ mục")
        session.flush()
    assert pending_count(db.session()) == 1 and not drain.paused
    with app.test_request_context("/drafts", method="POST"), transaction() as session:
        second = DocumentFactory(origin="draft", title="Luật thứ hai chờ chỉ mục")
        session.flush()
    assert pending_count(db.session()) == 0
    assert titles(engine, first.external_id) == [first.title]
    assert titles(engine, second.external_id) == [second.title]


def test_a_crash_between_commit_and_indexing_loses_nothing(
    app: Flask, engine: EmbeddedBackend
) -> None:
    """The change commits but the process dies before its drain (no request teardown here):
    the row is in the database, and `lis search sync` applies it."""
    with transaction() as session:
        doc = DocumentFactory(origin="draft", title="Luật sau sự cố")
        session.flush()
    assert titles(engine, doc.external_id) == []
    result = app.test_cli_runner().invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert "applied 1 changes; 0 waiting" in result.output
    assert titles(engine, doc.external_id) == [doc.title]
