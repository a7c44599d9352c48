"""schemathesis over the assignment endpoints as an administrator (the suite-wide run in
tests/test_openapi.py calls them as a deputy, who is refused before any input is used)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.assignments.helpers import draft, make_assignment
from tests.fuzzing import fuzz


def test_no_server_errors_for_writers(
    app: Flask, client: FlaskClient, db_session: Any, token_for: Any, make_user: Any
) -> None:
    make_assignment(db_session, make_user("admin"), draft())
    token = token_for("admin")
    db_session.commit()
    failures = fuzz(app, token, prefix="/api/v1/assignments", max_examples=30)
    assert not failures, "\n\n".join(failures)
