"""The embedded engine in a multi-process deployment (several gunicorn workers, `lis worker`).

Two real app processes share one SQLite database and one index directory, as two gunicorn
workers do. Each writes documents the way a request does (commit, then drain the outbox after
the commit); tantivy lets one process write at a time, so a process that finds the writer taken
leaves its changes in the outbox, and `lis search sync` (what `lis worker` runs in a loop)
applies them. Readers in every process see each generation once it is committed, including
one swapped in by `lis search reindex` from a third process.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "multi-process-test-secret-0123456789abcdef"

# One app process, driven through stdin: one JSON command a line, one JSON answer a line.
AGENT = r"""
import fcntl, json, sys
from lis.app import create_app
from lis.db import db, transaction
from lis.documents.importer import import_batch, read_lines
from lis.indexing.services import pending_count
from lis.search_backend import drain_outbox
from lis.settings import Settings
from search.interface import SearchQuery

database_url, index_dir, secret, db_lock = sys.argv[1:5]
app = create_app(Settings(database_url=database_url, index_dir=index_dir, secret_key=secret))
backend = app.extensions["lis.search"]  # what get_backend() returns in a request
held = None


def record(name):
    return json.dumps({
        "id": f"mp-{name}", "number": f"{len(name)}/2024/QH15-{name}",
        "title": f"Luật thử nghiệm {name}", "doc_type": "Luật", "issuer": "Quốc hội",
        "issued_date": "2024-06-01", "status": "in_force_at_codification",
        "text": f"Điều 1. Phạm vi\nVăn bản {name} về nhiều tiến trình.",
    }, ensure_ascii=False)


def answer(**out):
    print(json.dumps(out), flush=True)


for line in sys.stdin:
    cmd = json.loads(line)
    op = cmd["op"]
    with app.app_context():
        if op == "write":
            for name in cmd["names"]:
                # A request: commit, then the after-commit drain (teardown) takes the writer
                # if it is free; otherwise the outbox keeps the change.
                with app.test_request_context("/"):
                    with open(db_lock, "w") as lock:
                        fcntl.flock(lock, fcntl.LOCK_EX)  # one SQLite writer: see db_lock
                        with transaction() as session:
                            stats = import_batch(session, list(read_lines([record(name)])))
                    assert stats.created == 1, stats.errors
            answer(pending=pending_count(db.session()))
        elif op == "drain":  # what `lis worker` does in a loop
            answer(applied=drain_outbox(backend))
        elif op == "hold":
            held = backend.bulk()
            held.__enter__()
            answer(held=True)
        elif op == "release":
            held.__exit__(None, None, None)
            held = None
            answer(held=False)
        elif op == "find":
            out = {}
            for name in cmd["names"]:
                page = backend.search(SearchQuery(text=name, limit=10))
                out[name] = [h.id for h in page.hits]
            answer(found=out)
        elif op == "state":
            answer(count=backend.count(), generation=backend.generation,
                   pending=pending_count(db.session()))
        elif op == "quit":
            answer(bye=True)
            break
"""


class Agent:
    """One app process (what a gunicorn worker is), commanded through its stdin."""

    def __init__(self, script: Path, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        # Its log goes to a file: a pipe nobody reads would block it once full.
        with log.open("w") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, str(script), *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                env=env,
                cwd=ROOT,
            )

    def send(self, op: str, **args: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()

    def receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=5)
            pytest.fail(f"agent died: {self.log.read_text(encoding='utf-8')}")
        return json.loads(line)

    def ask(self, op: str, **args: Any) -> dict[str, Any]:
        self.send(op, **args)
        return self.receive()

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.ask("quit")
                self.proc.wait(timeout=10)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


def lis(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "lis", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[dict[str, str], Agent, Agent]]:
    """A migrated SQLite database, an index directory and two app processes on them."""
    database_url = f"sqlite:///{tmp_path / 'lis.db'}"
    index_dir = tmp_path / "index"
    # Only the settings given here: a developer's shell or .env must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIS_")}
    env |= {
        "LIS_DATABASE_URL": database_url,
        "LIS_INDEX_DIR": str(index_dir),
        "LIS_SECRET_KEY": SECRET,
        "LIS_DEBUG": "0",
        "LIS_SEARCH_BACKEND": "embedded",
        "PYTHONPATH": str(ROOT),
    }
    lis(env, "db", "upgrade")
    script = tmp_path / "agent.py"
    script.write_text(AGENT, encoding="utf-8")
    # SQLite takes one writer at a time, and a deferred transaction that read before another
    # process committed cannot become a writer (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not
    # wait out): the processes take turns to commit, as PostgreSQL would make them, so that this
    # test is about the index. The after-commit drains still run at the same time.
    db_lock = str(tmp_path / "db.lock")
    agents = [
        Agent(
            script, env, tmp_path / f"agent{i}.log", database_url, str(index_dir), SECRET, db_lock
        )
        for i in range(2)
    ]
    try:
        yield env, agents[0], agents[1]
    finally:
        for agent in agents:
            agent.stop()


def settle(agents: tuple[Agent, ...], expected: int) -> list[dict[str, Any]]:
    """What each process sees once tantivy's reader has picked up the last commit (it watches
    the index and reloads within about a second)."""
    deadline = time.monotonic() + 10
    while True:
        states = [a.ask("state") for a in agents]
        if all(s["count"] == expected for s in states) or time.monotonic() > deadline:
            return states
        time.sleep(0.2)


def names(prefix: str, n: int) -> list[str]:
    return [f"zq{prefix}{i}" for i in range(n)]


@pytest.mark.slow
def test_two_processes_one_writer_readers_everywhere(
    deployment: tuple[dict[str, str], Agent, Agent],
) -> None:
    env, a, b = deployment
    written: list[str] = []

    # 1. Both processes write at once: their after-commit drains contend for the writer.
    a.send("write", names=names("a", 5))
    b.send("write", names=names("b", 5))
    a.receive(), b.receive()
    written += names("a", 5) + names("b", 5)

    # 2. While one process holds the writer (a drain, an import), the other's changes are
    # committed to the database and wait in the outbox instead of failing the request.
    assert a.ask("hold") == {"held": True}
    before = b.ask("state")["pending"]
    after = b.ask("write", names=names("c", 3))["pending"]
    assert after == before + 3
    assert b.ask("find", names=names("c", 3))["found"] == {n: [] for n in names("c", 3)}
    # A drain (a worker's, the next request's) is refused at once and keeps the rows.
    assert b.ask("drain") == {"applied": 0}
    database = env["LIS_DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as conn:
        waiting = conn.execute(
            "SELECT external_id, attempts, last_error FROM search_outbox ORDER BY id"
        ).fetchall()
    busy = "another process is writing to the search index"
    tried = [(row[0], row[1] >= 1, row[2]) for row in waiting if row[0].startswith("mp-zqc")]
    assert tried == [(f"mp-{n}", True, busy) for n in names("c", 3)]
    assert a.ask("release") == {"held": False}
    written += names("c", 3)

    # 3. `lis search sync` (one pass of `lis worker`) applies whatever is waiting.
    out = lis(env, "search", "sync").stdout
    assert out.strip().endswith("0 waiting"), out

    # 4. Readers in both processes see the committed index: every change exactly once.
    states = settle((a, b), len(written))
    assert [s["count"] for s in states] == [len(written)] * 2
    assert [s["pending"] for s in states] == [0, 0]
    expected = {n: [f"mp-{n}"] for n in written}
    assert a.ask("find", names=written)["found"] == expected
    assert b.ask("find", names=written)["found"] == expected

    # 5. A rebuild from a third process writes a new generation and swaps the CURRENT pointer:
    # both processes move to it on their next search, with the same answers.
    old = states[0]["generation"]
    lis(env, "search", "reindex")
    current = (Path(env["LIS_INDEX_DIR"]) / "CURRENT").read_text(encoding="utf-8").strip()
    assert current != old
    states = settle((a, b), len(written))
    assert [(s["generation"], s["count"]) for s in states] == [(current, len(written))] * 2
    assert b.ask("find", names=written)["found"] == expected
