"""Two requests writing to SQLite at once: the second waits for the first instead of failing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from lis.db import make_engine, sqlite_writes


def _race(tmp_path: Path, immediate: bool) -> list[BaseException | None]:
    """A reads, B writes and commits, then A writes: the interleaving of two logging requests."""
    engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    outcomes: list[BaseException | None] = [None, None]
    a_has_read = threading.Event()

    def a() -> None:
        sqlite_writes.set(immediate)
        try:
            with engine.begin() as conn:
                conn.execute(text("SELECT count(*) FROM t")).scalar()
                a_has_read.set()
                time.sleep(0.5)  # B commits meanwhile, unless it must wait for A
                conn.execute(text("INSERT INTO t VALUES (1)"))
        except BaseException as exc:  # the outcome under test
            outcomes[0] = exc

    def b() -> None:
        sqlite_writes.set(immediate)
        a_has_read.wait(5)
        try:
            with engine.begin() as conn:
                conn.execute(text("SELECT count(*) FROM t")).scalar()
                conn.execute(text("INSERT INTO t VALUES (2)"))
        except BaseException as exc:
            outcomes[1] = exc

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    with engine.connect() as conn:
        outcomes.append(conn.execute(text("SELECT count(*) FROM t")).scalar())  # type: ignore[arg-type]
    engine.dispose()
    return outcomes


def test_writing_requests_queue_for_the_write_lock(tmp_path: Path) -> None:
    a, b, rows = _race(tmp_path, immediate=True)
    assert (a, b, rows) == (None, None, 2)


def test_without_it_sqlite_refuses_the_late_writer(tmp_path: Path) -> None:
    """Why the requests that write begin IMMEDIATE: a deferred reader-turned-writer fails."""
    a, b, rows = _race(tmp_path, immediate=False)
    assert b is None and rows == 1
    assert isinstance(a, OperationalError) and "locked" in str(a)
