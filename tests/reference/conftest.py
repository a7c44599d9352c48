"""Reference data seeded inside the test's savepoint, so it is rolled back with the test."""

from __future__ import annotations

from typing import Any

import pytest

from lis.reference.seed import SeedReport, seed_reference


@pytest.fixture(autouse=True)
def _outer_transaction_really_begun(db_session: Any) -> None:
    """pysqlite sends BEGIN only before the first DML statement, so the session's SAVEPOINT
    would become the outermost transaction and a commit inside the app (the CLI here) would
    reach the file. A no-op DELETE on the test's connection makes pysqlite begin first, so the
    test's rollback undoes everything. Harmless on PostgreSQL."""
    if db_session.bind.dialect.name == "sqlite":
        db_session.bind.exec_driver_sql("DELETE FROM units WHERE 0")


@pytest.fixture
def reference(db_session: Any) -> SeedReport:
    return seed_reference(db_session)
