"""Load: concurrent clients searching and logging contributions against gunicorn on PostgreSQL,
then a count check (DESIGN §6: zero 5xx, zero lost or duplicated writes).

32 clients (threads, one keep-alive connection each) run for 60 s on loopback against the app
served as deployed (gunicorn gthread workers, `wsgi:app`). About 70 % of their requests are
searches (the judged queries of bench/quality_queries.json, some with record filters) and 30 %
log a contribution to the demo law draft through `POST /api/v1/contributions`, as demo staff of
UB-PLTP-V, each with its own `Idempotency-Key`. About one logging action in ten is deliberately
sent twice with the same key and body: half of them as a double click (both requests at once on
two connections), half as a network retry (again after the answer). An answer that never came
(a dropped connection) is retried with the same key too, as a client should.

Afterwards the database must hold exactly one row per key that was answered 2xx: none lost,
none twice, none that nobody was told about; no request may have been answered 5xx; and some
log requests must have been answered 2xx (`load_logged`), or the other bars prove nothing.

The database (`lis_bench_load` on the local PostgreSQL unless --database-url says otherwise) is
dropped and rebuilt on every run: migrated, then `lis seed demo` (reference data, demo users,
the 300-document sample, the demo drafts) and a few more staff members of UB-PLTP-V.

    .venv/bin/python bench/load.py [--clients 32] [--duration 60] [--workers 2] [--threads 16]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import secrets
import shutil
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import _common as c

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/lis_bench_load"
UNIT = "UB-PLTP-V"
DEMO_STAFF = "staff@demo.lis.vn"
EXTRA_STAFF = 5
LAW_TITLE = "Luật sửa đổi, bổ sung một số điều của Luật Xử lý vi phạm hành chính"
WORK_KINDS = ("VERIFY_REPORT", "RESEARCH_BRIEF")
LOG_SHARE = 0.30  # of all actions
RETRY_SHARE = 0.10  # of logging actions: sent twice with the same key and body
ERROR_RETRIES = 3  # a request that got no answer is sent again (same key) this many times
KINDS = ("search", "log", "replay")  # replay: a deliberate or after-error resend of a key
HEADERS = (
    *("requests", "n", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"),
    *("2xx", "4xx", "5xx", "no answer"),
)


@dataclass(frozen=True)
class PgScratch(c.Scratch):
    """The bench's index under bench/out/load, its database on PostgreSQL."""

    url: str = DEFAULT_URL

    @property
    def database_url(self) -> str:
        return self.url


# --- setup ------------------------------------------------------------------------------------
def recreate_database(url: str) -> None:
    """Drop and create the bench database (only one whose name says it is a bench's)."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database or ""
    if not parsed.drivername.startswith("postgresql") or not name.startswith("lis_bench"):
        raise SystemExit(f"refusing to drop {name!r}: use a PostgreSQL database named lis_bench*")
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def connect(url: str) -> Any:
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(url).set(drivername="postgresql")
    return psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True)


def staff_tokens(scratch: PgScratch) -> list[tuple[str, str]]:
    """(e-mail, API token) of the demo staff member and EXTRA_STAFF more of UB-PLTP-V, made
    with the services the CLI and the admin pages use."""
    from lis.auth.services import create_user, find_user, issue_token
    from lis.db import db, transaction
    from lis.people.services import create_person

    app = c.create_app(scratch)
    emails = [DEMO_STAFF]
    with app.app_context():
        with transaction() as session:
            admin = find_user(session, "admin@demo.lis.vn")
            for n in range(1, EXTRA_STAFF + 1):
                email = f"load.staff{n}@bench.lis.vn"
                name = f"Chuyên viên thử tải {n}"
                create_user(
                    session,
                    email=email,
                    password=secrets.token_urlsafe(16),
                    roles=["staff"],
                    name=name,
                    actor=admin,
                )
                session.flush()
                create_person(session, actor=admin, name=name, unit=UNIT, email=email, user=email)
                emails.append(email)
        with transaction() as session:
            tokens = [(email, issue_token(session, email)) for email in emails]
        db.engine.dispose()
    return tokens


def setup(scratch: PgScratch) -> list[tuple[str, str]]:
    recreate_database(scratch.url)
    shutil.rmtree(scratch.root, ignore_errors=True)
    scratch.root.mkdir(parents=True)
    with c.stopwatch() as took:
        c.lis(scratch, "db", "upgrade")
        seeded = c.lis(scratch, "seed", "demo", "--corpus", str(c.SAMPLE_CORPUS)).stdout
        tokens = staff_tokens(scratch)
    drafts = [line.strip() for line in seeded.splitlines() if line.startswith("Demo draft")]
    print(
        f"data: {scratch.url.rsplit('/', 1)[-1]} migrated and seeded (demo users, the sample, "
        f"{len(drafts)} demo drafts) and {EXTRA_STAFF} more staff of {UNIT} in {took[0]:.1f} s"
    )
    return tokens


# --- the server -------------------------------------------------------------------------------
# --- clients ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    kind: str
    status: int  # 0: no answer (connection dropped or timed out)
    seconds: float
    body: bytes = b""


IDLE_REOPEN = 25.0  # seconds: gunicorn closes a keep-alive connection idle for 30 s


class Connection:
    """One keep-alive connection; reopened after the server closes it or it breaks, and before
    a request when it has been idle for nearly the server's keep-alive (a double click's second
    connection is rarely used), so that no failure of the client's own making is counted."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.conn = self._open()
        self.used = time.monotonic()

    def _open(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def send(
        self,
        kind: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        if time.monotonic() - self.used > IDLE_REOPEN:
            self.conn.close()
            self.conn = self._open()
        self.used = time.monotonic()
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=self.headers | (headers or {}))
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = self._open()
            return Answer(kind, 0, time.perf_counter() - start)
        if resp.will_close:
            self.conn.close()
            self.conn = self._open()
        return Answer(kind, resp.status, time.perf_counter() - start, data)


def search_paths() -> list[str]:
    """The judged queries as typed, and some with record filters, a later page or a sort."""
    rng = random.Random(7)
    paths = []
    for item in c.load_queries():
        params: list[tuple[str, object]] = [("q", item["q"])]
        roll = rng.random()
        if roll < 0.15:
            params.append(("adviser", UNIT))
        elif roll < 0.25:
            params.append(("origin", "draft"))
        elif roll < 0.30:
            params.append(("page", 2))
        elif roll < 0.35:
            params.append(("sort", "issued_desc"))
        paths.append(f"/api/v1/search?{urlencode(params)}")
    paths += [
        f"/api/v1/search?{urlencode({'adviser': UNIT})}",
        f"/api/v1/search?{urlencode({'stage': 'S_VERIFY', 'origin': 'draft'})}",
        "/api/v1/search",
    ]
    return paths


@dataclass
class KeyLog:
    """Every answer to the requests that carried one idempotency key."""

    statuses: list[int] = field(default_factory=list)
    ids: set[int] = field(default_factory=set)

    @property
    def acknowledged(self) -> bool:
        return any(200 <= s < 300 for s in self.statuses)


@dataclass
class ClientResult:
    answers: list[Answer] = field(default_factory=list)
    keys: dict[str, KeyLog] = field(default_factory=dict)


class Client(threading.Thread):
    def __init__(
        self,
        number: int,
        port: int,
        token: str,
        draft: str,
        paths: list[str],
        run: str,
        start_at: float,
        stop_at: float,
    ) -> None:
        super().__init__(name=f"client-{number}", daemon=True)
        self.number = number
        self.port, self.token, self.draft, self.paths, self.run_id = port, token, draft, paths, run
        self.start_at, self.stop_at = start_at, stop_at
        self.rng = random.Random(number)
        self.result = ClientResult()
        self.logged = 0

    def run(self) -> None:
        main = Connection(self.port, self.token)
        spare = Connection(self.port, self.token)  # the second click of a double click
        time.sleep(max(0.0, self.start_at - time.monotonic()))
        while time.monotonic() < self.stop_at:
            if self.rng.random() < LOG_SHARE:
                self.log_one(main, spare)
            else:
                self.result.answers.append(main.send("search", "GET", self.rng.choice(self.paths)))

    def log_one(self, main: Connection, spare: Connection) -> None:
        self.logged += 1
        key = f"load-{self.run_id}-{self.number}-{self.logged}"
        body = json.dumps(
            {
                "document": self.draft,
                "work_kind": self.rng.choice(WORK_KINDS),
                "title": f"Báo cáo thử tải {self.number}-{self.logged}",
                "delivered_date": time.strftime("%Y-%m-%d"),
            },
            ensure_ascii=False,
        ).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        record = self.result.keys.setdefault(key, KeyLog())

        def post(conn: Connection, kind: str) -> Answer:
            answer = conn.send(kind, "POST", "/api/v1/contributions", body, headers)
            for _ in range(ERROR_RETRIES):
                if answer.status:
                    break
                self.note(record, answer)
                answer = conn.send("replay", "POST", "/api/v1/contributions", body, headers)
            self.note(record, answer)
            return answer

        if self.rng.random() >= RETRY_SHARE:
            post(main, "log")
        elif self.rng.random() < 0.5:  # a double click: the same request twice at once
            second = threading.Thread(target=post, args=(spare, "replay"))
            second.start()
            post(main, "log")
            second.join()
        else:  # a retry after the answer (the client did not see it)
            post(main, "log")
            post(main, "replay")

    def note(self, record: KeyLog, answer: Answer) -> None:
        # list.append and set.add are atomic: the two clicks of a double click may both note.
        self.result.answers.append(answer)
        record.statuses.append(answer.status)
        if 200 <= answer.status < 300:
            try:
                record.ids.add(int(json.loads(answer.body)["id"]))
            except (ValueError, KeyError, TypeError):
                record.ids.add(-1)  # a 2xx without the contribution: counted as a problem


def find_draft(port: int, token: str) -> str:
    conn = Connection(port, token)
    answer = conn.send("setup", "GET", "/api/v1/drafts?per_page=50")
    if answer.status != 200:
        raise RuntimeError(f"GET /api/v1/drafts answered {answer.status}: {answer.body[:300]!r}")
    for item in json.loads(answer.body)["items"]:
        if item["kind"] == "law" and item["title"] == LAW_TITLE:
            return str(item["id"])
    raise RuntimeError("the demo law draft is not among the drafts")


def logging_api_ready(port: int, token: str) -> bool:
    """Whether POST /api/v1/contributions exists (it answers 4xx to an empty body, not 404/405)."""
    answer = Connection(port, token).send(
        "setup", "POST", "/api/v1/contributions", b"{}", {"Content-Type": "application/json"}
    )
    return answer.status not in (404, 405)


# --- the count check --------------------------------------------------------------------------
@dataclass
class Count:
    rows_new: int
    keys_acknowledged: int
    lost: list[str]
    duplicated_keys: list[str]
    unacknowledged: list[str]
    unkeyed_rows: int

    @property
    def duplicated(self) -> int:
        return len(self.duplicated_keys)

    @property
    def equal(self) -> bool:
        return self.rows_new == self.keys_acknowledged


def count_check(url: str, run: str, rows_before: int, keys: dict[str, KeyLog]) -> Count:
    with connect(url) as conn:
        rows_after = conn.execute("SELECT count(*) FROM contributions").fetchone()[0]
        per_key = dict(
            conn.execute(
                "SELECT idempotency_key, count(*) FROM contributions "
                "WHERE idempotency_key LIKE %s GROUP BY idempotency_key",
                (f"load-{run}-%",),
            ).fetchall()
        )
    acknowledged = {k for k, log in keys.items() if log.acknowledged}
    lost = sorted(k for k in acknowledged if per_key.get(k, 0) == 0)
    # Two rows for a key, or two different contributions (or none) in its 2xx answers.
    duplicated = sorted(
        k for k, log in keys.items() if per_key.get(k, 0) > 1 or len(log.ids) > 1 or (-1 in log.ids)
    )
    unacknowledged = sorted(k for k in per_key if k not in acknowledged)
    return Count(
        rows_new=rows_after - rows_before,
        keys_acknowledged=len(acknowledged),
        lost=lost,
        duplicated_keys=duplicated,
        unacknowledged=unacknowledged,
        unkeyed_rows=rows_after - rows_before - sum(per_key.values()),
    )


def scalar(url: str, query: str) -> int:
    with connect(url) as conn:
        return int(conn.execute(query).fetchone()[0])


# --- report -----------------------------------------------------------------------------------
def ms(values: list[float]) -> list[float]:
    return [v * 1000 for v in values]


def report(answers: list[Answer], seconds: float, title: str) -> tuple[float, float]:
    """Print the tables; (throughput in requests/s, p95 in ms over every request)."""
    by_kind: dict[str, list[Answer]] = defaultdict(list)
    for a in answers:
        by_kind[a.kind].append(a)
    rows = []
    for kind in (*KINDS, "all"):
        group = answers if kind == "all" else by_kind.get(kind, [])
        if not group:
            continue
        s = c.Summary.of(ms([a.seconds for a in group]))
        statuses = Counter(a.status // 100 for a in group)
        rows.append(
            [
                kind,
                len(group),
                len(group) / seconds,
                s.p50,
                s.p95,
                s.p99,
                s.max,
                statuses[2],
                statuses[4],
                statuses[5],
                statuses[0],
            ]
        )
    c.table(
        HEADERS,
        rows,
        title=title,
    )
    statuses = sorted({a.status for a in answers})
    c.table(
        ["status", *(k for k in KINDS if k in by_kind)],
        [
            [str(s) if s else "no answer"]
            + [sum(1 for a in by_kind[k] if a.status == s) for k in KINDS if k in by_kind]
            for s in statuses
        ],
        title="Answers by status",
    )
    bad = [a for a in answers if a.status >= 400 or a.status == 0]
    samples: dict[tuple[str, int], bytes] = {}
    for a in bad:
        samples.setdefault((a.kind, a.status), a.body[:240])
    if samples:
        print("\nOne answer of each error:")
        for (kind, status), body in sorted(samples.items()):
            print(f"  {kind} {status or 'no answer'}: {body.decode(errors='replace')}")
    total = c.Summary.of(ms([a.seconds for a in answers]))
    return len(answers) / seconds, total.p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=16, help="threads per gunicorn worker")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    c.require_corpus(c.SAMPLE_CORPUS)
    scratch = PgScratch(c.OUT / "load", url=args.database_url)
    tokens = setup(scratch)
    paths = search_paths()
    run = uuid.uuid4().hex[:8]
    with c.Gunicorn(scratch, workers=args.workers, threads=args.threads) as server:
        print(
            f"server: gunicorn -w {args.workers} -k gthread --threads {args.threads} on "
            f"127.0.0.1:{server.port}, log {Path(server.log_path).relative_to(c.ROOT)}"
        )
        if not logging_api_ready(server.port, tokens[0][1]):
            print("\nPOST /api/v1/contributions does not exist yet: nothing to load-test.")
            c.print_bars([c.Bar("load_logging_api", 0, "", "==", 1, digits=0)])
            return
        draft = find_draft(server.port, tokens[0][1])
        warm = Connection(server.port, tokens[0][1])
        for path in paths[:: max(1, len(paths) // 20)]:
            warm.send("setup", "GET", path)
        rows_before = scalar(scratch.url, "SELECT count(*) FROM contributions")
        print(
            f"load: {args.clients} clients for {args.duration:.0f} s as {len(tokens)} staff of "
            f"{UNIT}; ~{1 - LOG_SHARE:.0%} searches ({len(paths)} queries), ~{LOG_SHARE:.0%} "
            f"contributions to {draft} ({RETRY_SHARE:.0%} sent twice with the same key)"
        )
        start_at = time.monotonic() + 0.5
        stop_at = start_at + args.duration
        clients = [
            Client(n, server.port, tokens[n % len(tokens)][1], draft, paths, run, start_at, stop_at)
            for n in range(args.clients)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - start_at
        rss = server.worker_rss_mb()
        pending = scalar(scratch.url, "SELECT count(*) FROM search_outbox")
        c.lis(scratch, "search", "sync")
        check = warm.send("check", "GET", f"/api/v1/search?{urlencode({'adviser': UNIT})}")
        hits = json.loads(check.body)["hits"] if check.status == 200 else []
        found = draft in {h["id"] for h in hits}

    answers = [a for client in clients for a in client.result.answers]
    keys = {k: v for client in clients for k, v in client.result.keys.items()}
    throughput, p95 = report(
        answers,
        elapsed,
        f"Load: {args.clients} clients × {elapsed:.0f} s, gunicorn -w {args.workers} "
        f"--threads {args.threads}, PostgreSQL",
    )
    count = count_check(scratch.url, run, rows_before, keys)
    replays = sum(1 for log in keys.values() if len(log.statuses) > 1)
    print(
        f"\ncount check: {count.rows_new} new rows in contributions for "
        f"{count.keys_acknowledged} keys answered 2xx ({len(keys)} keys sent, {replays} of them "
        f"more than once): {'equal' if count.equal else 'NOT EQUAL'}; lost {len(count.lost)}, "
        f"duplicated {count.duplicated}, rows nobody was told about {len(count.unacknowledged)}, "
        f"rows without a key {count.unkeyed_rows}"
    )
    for name, items in (
        ("lost", count.lost),
        ("duplicated", count.duplicated_keys),
        ("untold", count.unacknowledged),
    ):
        if items:
            print(f"  {name}: {', '.join(items[:10])}{' …' if len(items) > 10 else ''}")
    print(
        f"search: the demo law {'is' if found else 'is NOT'} found by adviser={UNIT} after the "
        f"run (HTTP {check.status}); "
        f"{pending} outbox rows were pending when the load stopped (then `lis search sync`)"
    )
    print(f"gunicorn worker RSS after the run: {rss:.0f} MB (largest worker)")
    print(f"\nthroughput: {throughput:.1f} requests/s; p95 over every request: {p95:.1f} ms")
    c.print_bars(bars(answers, count))


def bars(answers: list[Answer], count: Count) -> list[c.Bar]:
    """The run's bars. `load_logged` guards the others: a run whose every log request failed
    (4xx) has no 5xx, nothing lost and nothing duplicated, and would pass them all unloaded."""
    fivexx = sum(1 for a in answers if a.status >= 500)
    logged = sum(1 for a in answers if a.kind == "log" and 200 <= a.status < 300)
    return [
        c.Bar("load_5xx", fivexx, "", "==", 0, digits=0),
        c.Bar("load_logged", logged, "", ">=", 1, digits=0),
        c.Bar("load_lost", len(count.lost), "", "==", 0, digits=0),
        c.Bar("load_duplicated", count.duplicated, "", "==", 0, digits=0),
        c.Bar(
            "load_rows_minus_acknowledged",
            count.rows_new - count.keys_acknowledged,
            "",
            "==",
            0,
            digits=0,
        ),
    ]


if __name__ == "__main__":
    main()
