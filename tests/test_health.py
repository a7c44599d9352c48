"""GET /healthz names the part that fails."""

from __future__ import annotations

import shutil
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from lis.search_backend import EXTENSION
from search.backends.embedded import EmbeddedBackend


def test_healthy(client: FlaskClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok", "search": "ok"}


def test_search_down_is_503_naming_search(
    app: Flask, client: FlaskClient, tmp_path: Any, token_for: Any
) -> None:
    headers = {"Authorization": f"Bearer {token_for('deputy')}"}
    good = app.extensions[EXTENSION]
    broken_root = tmp_path / "idx"
    broken = EmbeddedBackend(broken_root)
    broken.ping()
    shutil.rmtree(broken_root)
    broken_root.write_text("not a directory")  # the engine cannot open its index
    app.extensions[EXTENSION] = broken
    broken.close()
    try:
        resp = client.get("/healthz")
        api = client.get("/api/v1/search?q=luat", headers=headers)
        document = client.get("/api/v1/documents/phapdien-37087", headers=headers)
    finally:
        app.extensions[EXTENSION] = good
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "unavailable", "database": "ok", "search": "unavailable"}
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "search_unavailable"
    assert document.status_code in (200, 404)  # what does not need search keeps working
