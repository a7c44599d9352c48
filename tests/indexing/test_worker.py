"""The worker's loop and the drain after a request: backoff, one log line per outage, a clean
stop on SIGTERM, and a request that never waits long on an engine that does not answer."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lis.db import db, transaction
from lis.indexing.services import pending_count
from lis.indexing.worker import Backoff, run_worker
from lis.search_backend import RequestDrain
from lis.settings import Settings
from search.interface import BulkIndexer, SearchUnavailable
from tests.factories import DocumentFactory

ROOT = Path(__file__).resolve().parents[2]


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(base=1.0, cap=60.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(10)]
    ceilings = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    for delay, top in zip(delays, ceilings, strict=True):
        assert top / 2 <= delay <= top
    assert len(set(delays)) == len(delays)  # jittered, not a fixed schedule
    backoff.reset()
    assert backoff.next_delay() <= 1.0


def test_outage_logs_down_once_and_back_once(caplog: pytest.LogCaptureFixture) -> None:
    """The batch function here stands in for an engine that refuses five times: this checks the
    loop's timing and logging only (the real engine's outages: tests/indexing/test_outbox.py)."""
    answers: list[Any] = [SearchUnavailable("connection refused")] * 5 + [(4, False), (0, False)]
    stop = threading.Event()

    def drain() -> tuple[int, bool]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    caplog.set_level(logging.WARNING, logger="lis.indexing.worker")
    started = time.monotonic()
    state = run_worker(
        drain, stop=stop, interval=0.01, backoff=Backoff(base=0.01, cap=0.04), on_idle=stop.set
    )
    assert state.transitions == ["down", "back"]
    assert (state.failures, state.applied, answers) == (5, 4, [])
    assert len(caplog.records) == 2
    assert "unavailable" in caplog.records[0].message
    assert "available again" in caplog.records[1].message
    # Waits of 0.005-0.01, 0.01-0.02, 0.02-0.04, then at the cap twice.
    assert 0.07 <= time.monotonic() - started < 2


def test_database_errors_do_not_end_the_worker() -> None:
    answers: list[Any] = [OSError("database is down"), (0, False)]
    stop = threading.Event()

    def drain() -> tuple[int, bool]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    state = run_worker(drain, stop=stop, backoff=Backoff(base=0.01), on_idle=stop.set)
    assert state.transitions == ["down", "back"] and answers == []


def test_a_stop_mid_batch_finishes_the_batch_then_exits() -> None:
    stop = threading.Event()
    calls = []

    def drain() -> tuple[int, bool]:
        calls.append(1)
        stop.set()  # what the SIGTERM handler does while a batch is under way
        return 500, False

    state = run_worker(drain, stop=stop)
    assert calls == [1] and state.applied == 500


def test_sigterm_stops_lis_worker(settings: Settings, app: Flask, tmp_path: Path) -> None:
    """The real command in its own process, on the test database and an index of its own."""
    env = dict(
        os.environ,
        LIS_DATABASE_URL=settings.database_url,
        LIS_INDEX_DIR=str(tmp_path / "index"),
        LIS_SECRET_KEY="test-secret-key-not-for-production",
    )
    env.pop("LIS_SEARCH_BACKEND", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from lis.cli import main; main()", "worker", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "worker: draining" in first, first
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "SIGTERM" in out and "worker: stopped" in out


class _Hanging:
    """An engine that makes every write wait `delay` seconds and then fails, as a server that
    does not answer does until the client's timeout. A test double of the SearchBackend
    interface, used only to time the request drain's pause (the real engine cannot hang)."""

    name = "hanging"

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.calls = 0

    @contextmanager
    def _bulk(self) -> Iterator[BulkIndexer]:
        self.calls += 1
        time.sleep(self.delay)
        raise SearchUnavailable("read timed out")
        yield  # pragma: no cover

    def bulk(self) -> AbstractContextManager[BulkIndexer]:
        return self._bulk()


def test_a_request_waits_on_a_hanging_engine_at_most_once_per_pause(db_session: Any) -> None:
    with transaction() as session:
        DocumentFactory(origin="draft", title="Luật chờ máy chủ")
        session.flush()
    waiting = pending_count(db.session())
    assert waiting >= 1
    engine = _Hanging(delay=0.3)
    drain = RequestDrain(slow=0.1, pause=60)
    started = time.monotonic()
    assert drain(engine) == 0  # type: ignore[arg-type]
    assert time.monotonic() - started >= 0.3 and drain.paused
    started = time.monotonic()
    for _ in range(5):
        assert drain(engine) == 0  # type: ignore[arg-type]
    assert time.monotonic() - started < 0.1 and engine.calls == 1
    assert pending_count(db.session()) == waiting  # the changes wait for the worker
