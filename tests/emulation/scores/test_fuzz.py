"""schemathesis over the score endpoints with a snapshot in place, as an officer (who may
compute and read every line) and as a staff member (who reads their own line only)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from emulation import scoring
from tests.emulation.helpers import YEAR
from tests.emulation.scores.cases import known_case
from tests.fuzzing import fuzz


@pytest.mark.parametrize("role", ["officer", "staff"])
def test_no_server_errors(
    app: Flask, db_session: Any, token_for: Any, make_user: Any, role: str
) -> None:
    known_case(db_session)
    scoring.compute(db_session, make_user("officer"), year=YEAR)
    token = token_for(role, unit="UB-PLTP-V")
    db_session.commit()
    failures = fuzz(app, token, prefix="/api/v1/emulation/snapshots", max_examples=30)
    failures += fuzz(app, token, prefix="/api/v1/emulation/lines", max_examples=30)
    assert not failures, "\n\n".join(failures)
