"""The outbox against Elasticsearch: the real client and our backend over the fake node of
`tests.search.test_es_client` (no server runs here), and the real database.

What a server would do with the requests is not simulated; the tests assert what is sent and
what the outbox keeps, for the answers a server gives (down, a 400 for one document).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from flask import Flask
from sqlalchemy import select, text

from lis.db import db, transaction
from lis.documents.import_job import import_file
from lis.documents.models import Document
from lis.indexing.models import OutboxEntry
from lis.indexing.services import REFUSED, drain_batch, pending_count
from lis.search_backend import EXTENSION, RequestDrain, drain_outbox, reindex
from search.backends import es_query
from search.backends.elasticsearch import CHUNK
from search.interface import SearchDocument
from tests.documents.test_importer import record, write
from tests.factories import DocumentFactory
from tests.search.test_es_client import default, make_backend


def refusing(bad: str) -> Any:
    """A server that refuses one document for good (a mapping error) and takes the rest."""

    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if not target.startswith("/_bulk"):
            return default(method, target, body)
        items = []
        for line in body:
            op = next(iter(line))
            if op not in ("index", "delete") or "_id" not in line[op]:
                continue
            doc_id = line[op]["_id"]
            if doc_id == bad:
                error = {"type": "mapper_parsing_exception", "reason": "failed to parse [year]"}
                items.append({op: {"_id": doc_id, "status": 400, "error": error}})
            else:
                items.append({op: {"_id": doc_id, "status": 200}})
        return 200, {
            "errors": any(i[next(iter(i))]["status"] >= 300 for i in items),
            "items": items,
        }

    return handler


def down(_method: str, _target: str, _body: Any) -> tuple[int, Any]:
    return 0, TransportConnectionError("connection refused")


def outbox_rows(external_id: str) -> list[OutboxEntry]:
    return list(
        db.session().scalars(select(OutboxEntry).where(OutboxEntry.external_id == external_id))
    )


def bulk_ids(calls: list[Any]) -> list[str]:
    return [
        line[op]["_id"]
        for _m, target, body in calls
        if target.startswith("/_bulk")
        for line in body
        for op in ("index", "delete")
        if op in line
    ]


def test_a_refused_document_does_not_hold_up_the_outbox(db_session: Any) -> None:
    assert pending_count(db.session()) == 0
    with transaction() as session:
        DocumentFactory(origin="draft", external_id="es-bad", number="")
        DocumentFactory(origin="draft", external_id="es-good", number="")
        session.flush()
    backend, calls = make_backend(refusing("es-bad"))
    with transaction() as session:
        result = drain_batch(session, backend)
    assert (result.indexed, result.refused, result.failed) == (1, 1, 0)
    assert outbox_rows("es-good") == []
    [kept] = outbox_rows("es-bad")
    assert kept.attempts == 1
    assert kept.last_error == f"{REFUSED}mapper_parsing_exception: failed to parse [year]"
    # The next drains pass over it: the changes behind it go through.
    with transaction() as session:
        DocumentFactory(origin="draft", external_id="es-later", number="")
        session.flush()
    calls.clear()
    assert drain_outbox(backend) == 1
    assert bulk_ids(calls) == ["es-later"]
    assert pending_count(db.session()) == 1
    # Once the document is fixed and written, its old refusal is over.
    with transaction():
        db.session().scalar(select(Document).where(Document.external_id == "es-bad")).title = "x"
    fixed, _ = make_backend(default)
    assert drain_outbox(fixed) == 1
    assert pending_count(db.session()) == 0


def test_requests_never_wait_on_elasticsearch(db_session: Any) -> None:
    """The drain after a request's commit leaves a search server to the worker: no request
    is sent, the change waits in the outbox."""
    with transaction() as session:
        DocumentFactory(origin="draft", number="")
        session.flush()
    waiting = pending_count(db.session())
    backend, calls = make_backend(default)
    assert RequestDrain()(backend) == 0
    assert calls == [] and pending_count(db.session()) == waiting


def test_import_with_the_search_server_down_still_imports(
    app: Flask, db_session: Any, tmp_path: Path
) -> None:
    path = write(tmp_path / "docs.jsonl", [record(id="t-es-down-1"), record(id="t-es-down-2")])
    backend, _ = make_backend(down)
    result = import_file(path, backend)
    assert result.created == 2
    assert result.index_note is not None
    assert "2 changes wait in the outbox" in result.index_note
    assert "`lis search sync` or `lis worker`" in result.index_note
    assert len(outbox_rows("t-es-down-1")) == 1 and pending_count(db.session()) == 2
    assert db.session().scalar(select(Document).where(Document.external_id == "t-es-down-2"))


def test_a_server_that_fails_midway_stops_the_indexing_not_the_import(
    app: Flask, db_session: Any, tmp_path: Path
) -> None:
    """More than one bulk chunk: the first send fails inside the import's loop."""
    rows = [record(id=f"t-es-mid-{i}", number=f"{i}/2097/QH99") for i in range(CHUNK + 1)]
    path = write(tmp_path / "docs.jsonl", rows)
    backend, calls = make_backend(down)
    result = import_file(path, backend, batch_size=CHUNK + 1)
    assert result.created == CHUNK + 1
    assert result.index_note is not None
    assert f"{CHUNK + 1} changes wait in the outbox" in result.index_note
    assert pending_count(db.session()) == CHUNK + 1
    assert len(calls) == 1  # the failed send; no drain is tried against a server known down


def test_cli_import_with_the_search_server_down_exits_cleanly(
    app: Flask, db_session: Any, tmp_path: Path
) -> None:
    path = write(tmp_path / "docs.jsonl", [record(id="t-es-cli-1")])
    backend, _ = make_backend(down)
    shared = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = backend
    try:
        result = app.test_cli_runner().invoke(args=["import", "documents", str(path)])
    finally:
        app.extensions[EXTENSION] = shared
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "search index: unavailable" in result.output
    assert "1 changes wait in the outbox" in result.output
    assert "created 1," in result.output


def test_cli_reindex_with_the_search_server_down_is_a_message(app: Flask, db_session: Any) -> None:
    backend, _ = make_backend(down)
    shared = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = backend
    try:
        result = app.test_cli_runner().invoke(args=["search", "reindex"])
    finally:
        app.extensions[EXTENSION] = shared
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert "search index unavailable" in result.output and "unchanged" in result.output


def test_reindex_deletes_what_a_live_drain_deleted_while_it_read(db_session: Any) -> None:
    """The rebuild read a document, then it was deleted and a worker applied the delete (to the
    live index and the one being built, where the stale copy had not arrived yet). The
    catch-up, before the swap, deletes the copy from the new index."""
    with transaction() as session:
        keep = DocumentFactory(origin="draft", external_id="es-keep", number="")
        gone = DocumentFactory(origin="draft", external_id="es-gone", number="")
        session.flush()
    backend, calls = make_backend(default)
    assert drain_outbox(backend) == 2

    def docs() -> Iterator[SearchDocument]:
        for doc in (keep, gone):
            yield SearchDocument(
                id=doc.external_id, number="", title=doc.title, body="", kind=doc.kind
            )
        with transaction() as session:
            session.delete(gone)
        assert drain_outbox(backend) == 1  # a worker: the row is gone before the catch-up

    calls.clear()
    written, _ = reindex(backend, docs())
    assert written == 2
    new = next(c[1][1:] for c in calls if c[0] == "PUT" and c[1].startswith("/lis-documents-"))
    swap = max(i for i, c in enumerate(calls) if c[1] == "/_aliases")
    catch_up = [
        (i, line)
        for i, (_m, target, body) in enumerate(calls)
        if target.startswith("/_bulk")
        for line in body
        if line.get("delete", {}).get("_index") == new
    ]
    assert [line for _i, line in catch_up] == [
        {"delete": {"_id": "es-gone", "_index": new, "version": 1, "version_type": "external"}}
    ]
    assert catch_up[0][0] < swap


def test_drains_write_their_transaction_id_as_version(db_session: Any) -> None:
    """Two workers at once cannot leave the older state last: each write carries the id of the
    drain's transaction, taken before it reads the documents, and the server refuses an older
    one. On SQLite (one writer at a time, one worker) writes go unversioned."""
    with transaction() as session:
        doc = DocumentFactory(origin="draft", external_id="es-versioned", number="")
        session.flush()
    with transaction():
        doc.title = "Luật đã sửa"
    backend, calls = make_backend(default)
    with transaction() as session:
        assert drain_batch(session, backend).indexed == 1
        postgres = session.get_bind().dialect.name == "postgresql"
        xid = session.scalar(text("SELECT txid_current()")) if postgres else None
    [head] = [line for line in calls[-1][2] if "index" in line]
    if postgres:
        assert head["index"]["version"] == xid > es_query.CATCH_UP_DELETE_VERSION
        assert head["index"]["version_type"] == "external"
    else:
        assert "version" not in head["index"]


def test_an_import_on_elasticsearch_leaves_its_writes_to_the_drain(
    app: Flask, db_session: Any, tmp_path: Path
) -> None:
    """The import holds its documents from before its commit, so it cannot give them a version
    that orders them rightly; the drain at its end reads and writes them."""
    path = write(tmp_path / "docs.jsonl", [record(id="t-es-import-1"), record(id="t-es-import-2")])
    backend, calls = make_backend(default)
    result = import_file(path, backend)
    assert result.created == 2 and result.index_note is None
    written = bulk_ids(calls)
    assert sorted(written) == ["t-es-import-1", "t-es-import-2"]
    assert pending_count(db.session()) == 0
