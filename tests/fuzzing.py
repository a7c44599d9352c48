"""schemathesis over our OpenAPI document, as a given user: no 5xx, no answer outside the schema.

Shared by the suite-wide runs (tests/test_openapi.py) and the runs focused on one area."""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings

CHECKS = (
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
)


def fuzz(app: Flask, token: str, *, prefix: str = "/api/v1/", max_examples: int = 40) -> list[str]:
    """Every operation under `prefix`, called with `token`; returns the failures, one a line."""
    headers = {"Authorization": f"Bearer {token}"}
    spec = app.test_client().get("/api/v1/openapi.json", headers=headers).get_json()
    spec["paths"] = {k: v for k, v in spec["paths"].items() if k.startswith(prefix)}
    schema = schemathesis.from_dict(spec, app=app)
    failures = []
    for operation in schema.get_all_operations():
        op = operation.ok()

        @settings(
            max_examples=max_examples,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy())
        def check(case: Any) -> None:
            response = case.call_wsgi(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collect all operations' failures, then fail once
            failures.append(f"{op.verbose_name}: {exc}")
    return failures
