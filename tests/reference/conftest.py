"""Reference data seeded afresh inside the test's savepoint, so it is rolled back with the test.

The session's database is seeded once for every test; these tests empty the tables first so
that they watch the seed create every row."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from lis.reference.seed import SeedReport, seed_reference


@pytest.fixture
def reference(db_session: Any) -> SeedReport:
    for sql in (
        "DELETE FROM work_kinds",
        "DELETE FROM document_kinds",
        "DELETE FROM sessions",
        "UPDATE documents SET term_id = NULL",  # imported NA acts carry their term
        "DELETE FROM terms",
        "UPDATE units SET parent_id = NULL, replaced_by_id = NULL",
        "DELETE FROM units",
    ):
        db_session.execute(text(sql))
    return seed_reference(db_session)
