"""schemathesis over the nomination endpoints as an administrator, with a nomination and a
file in place (the suite-wide run in tests/test_openapi.py is shorter)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.emulation.nominations.helpers import cast, draft, fill
from tests.fuzzing import fuzz


def test_no_server_errors_for_an_administrator(app: Flask, db_session: Any, token_for: Any) -> None:
    c = cast()
    n = draft(db_session, c)
    fill(db_session, c.head, n, ("request",))
    token = token_for(user=c.admin)
    db_session.commit()
    failures = fuzz(app, token, prefix="/api/v1/emulation/nominations", max_examples=30)
    assert not failures, "\n\n".join(failures)
