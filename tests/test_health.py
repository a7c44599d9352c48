"""GET /healthz names the part that fails, and the app keeps serving what needs no search."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from lis.db import db
from lis.documents.models import Document
from lis.search_backend import EXTENSION
from search.backends.embedded import SCHEMA_FILE, EmbeddedBackend


def test_healthy(client: FlaskClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok", "search": "ok"}


def test_a_database_behind_the_migrations_is_503_naming_the_database(
    client: FlaskClient, db_session: Any
) -> None:
    """A database that answers but has not been migrated fails every page: not healthy."""
    db_session.execute(text("DELETE FROM alembic_version"))  # rolled back after the test
    resp = client.get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "degraded" and body["search"] == "ok"
    assert body["database"].startswith("not migrated") and "lis db upgrade" in body["database"]


def test_a_busy_writer_is_not_an_outage(app: Flask, client: FlaskClient) -> None:
    """Another process indexing holds tantivy's writer lock; searches still answer."""
    with app.extensions[EXTENSION].bulk():
        resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json()["search"] == "ok"


def _root_is_a_file(root: Path) -> None:
    shutil.rmtree(root)
    root.write_text("not a directory")


def _index_from_an_older_lis(root: Path) -> None:
    current = (root / "CURRENT").read_text(encoding="utf-8").strip()
    (root / current / SCHEMA_FILE).write_text("1", encoding="utf-8")


@pytest.fixture(params=[_root_is_a_file, _index_from_an_older_lis])
def search_down(request: Any, app: Flask, db_session: Any, tmp_path: Path) -> Iterator[None]:
    """The app's backend replaced by a real embedded engine whose index cannot be opened."""
    root = tmp_path / "idx"
    broken = EmbeddedBackend(root)
    broken.ping()
    request.param(root)
    broken.close()
    good = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = broken
    try:
        yield
    finally:
        app.extensions[EXTENSION] = good


def test_search_down_is_503_naming_search(
    search_down: None, client: FlaskClient, token_for: Any, login: Any
) -> None:
    headers = {"Authorization": f"Bearer {token_for('deputy')}"}
    doc_id = db.session().scalar(select(Document.external_id).order_by(Document.id).limit(1))
    assert doc_id is not None
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "degraded", "database": "ok", "search": "unavailable"}
    api = client.get("/api/v1/search?q=luat", headers=headers)
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "search_unavailable"
    # What does not need search keeps working: documents by API and as a page.
    assert client.get(f"/api/v1/documents/{doc_id}", headers=headers).status_code == 200
    assert client.get("/api/v1/documents", headers=headers).status_code == 200
    login("deputy")
    assert client.get(f"/documents/{doc_id}").status_code == 200
    # The search page itself says search is down, inside the usual page (its form stays).
    home = client.get("/")
    assert home.status_code == 503 and "<form" in home.get_data(as_text=True)


def test_an_elasticsearch_without_the_alias_is_503_naming_search(
    app: Flask, client: FlaskClient
) -> None:
    """The server answers but holds no `lis-documents` alias (a fresh cluster, a deleted
    index): searches cannot be answered, so search is not ok."""
    from tests.search.test_es_client import make_backend

    backend, calls = make_backend(lambda m, t, b: (404, {}))
    good = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = backend
    try:
        resp = client.get("/healthz")
    finally:
        app.extensions[EXTENSION] = good
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "degraded", "database": "ok", "search": "unavailable"}
    assert ("HEAD", "/_alias/lis-documents", None) in calls


def test_a_fresh_cluster_gets_an_empty_index_at_start() -> None:
    """The app creates the alias on a server that has none, so a new stack becomes healthy (in
    the production stack the worker waits for that)."""
    from lis.search_backend import prepare_index
    from tests.search.test_es_client import default, make_backend

    created: list[str] = []

    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if target.startswith("/_alias/") and not created:
            return 404, {"error": "alias [lis-documents] missing", "status": 404}
        if method == "POST" and target == "/_aliases":
            created.append(body["actions"][0]["add"]["index"])
        return default(method, target, body)

    backend, _ = make_backend(handler)
    prepare_index(backend)
    assert len(created) == 1 and created[0].startswith("lis-documents-")
    down, _ = make_backend(lambda m, t, b: (503, {"error": "down", "status": 503}))
    prepare_index(down)  # not fatal: the app starts and /healthz says search is down
