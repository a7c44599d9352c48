"""The OpenAPI document, and schemathesis against it: no 5xx, no response outside the schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings

from tests.conftest import need_sample


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


def test_docs_page(api: Any) -> None:
    resp = api("/api/v1/docs")
    assert resp.status_code == 200 and b"swagger-ui" in resp.data


@pytest.fixture
def api_schema(app: Flask, token_for: Any) -> Any:
    need_sample()
    token = token_for("deputy")
    client = app.test_client()
    spec = client.get(
        "/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    schema = schemathesis.from_dict(spec, app=app)
    return schema, token


def test_schemathesis_finds_no_server_errors(api_schema: Any) -> None:
    schema, token = api_schema
    failures = []
    for operation in schema.get_all_operations():
        op = operation.ok()

        @settings(
            max_examples=40,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy())
        def check(case: Any) -> None:
            response = case.call_wsgi(headers={"Authorization": f"Bearer {token}"})
            case.validate_response(
                response,
                checks=(
                    schemathesis.checks.not_a_server_error,
                    schemathesis.checks.status_code_conformance,
                    schemathesis.checks.content_type_conformance,
                    schemathesis.checks.response_schema_conformance,
                ),
            )

        try:
            check()
        except Exception as exc:  # collect all operations' failures, then fail once
            failures.append(f"{op.verbose_name}: {exc}")
    assert not failures, "\n\n".join(failures)
