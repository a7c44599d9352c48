"""The OpenAPI document, and schemathesis against it: no 5xx, no response outside the schema."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.conftest import need_sample
from tests.fuzzing import fuzz


def test_openapi_document(api: Any) -> None:
    spec = api("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/v1/search",
        "/api/v1/documents",
        "/api/v1/documents/{doc_id}",
        "/api/v1/documents/{doc_id}/versions/{n}",
    ):
        assert path in spec["paths"], path
    assert "bearer" in spec["components"]["securitySchemes"]


def test_every_operation_documents_the_errors_it_can_answer(api: Any, client: Any) -> None:
    """401 everywhere, 403 on writes, 404 where the path names something; and the app really
    answers them, e.g. without a login."""
    spec = api("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert "401" in codes, (method, path)
            if method in {"post", "put", "patch", "delete"}:
                assert "403" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
    assert client.get("/api/v1/documents/x").status_code == 401
    assert api("/api/v1/documents/no-such-document").status_code == 404


def test_docs_page(api: Any) -> None:
    resp = api("/api/v1/docs")
    assert resp.status_code == 200 and b"swagger-ui" in resp.data


@pytest.mark.parametrize("role", ["deputy", "admin"])
def test_schemathesis_finds_no_server_errors(
    app: Flask, token_for: Any, db_session: Any, role: str
) -> None:
    """As a reader (writes refused before their input is read) and as an administrator, whom
    every endpoint lets through to its validation and its services."""
    need_sample()
    token = token_for(role)
    db_session.commit()  # a refused request rolls back to here, not past the token
    failures = fuzz(app, token, max_examples=40 if role == "deputy" else 25)
    assert not failures, "\n\n".join(failures)
