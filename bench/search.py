"""Search latency through the HTTP API against the raw engine, on the full corpus (DESIGN §6).

The API is served by a real WSGI server (gunicorn, one gthread worker with keep-alive) and timed
as a client sees it; the same queries (the same SearchQuery the API builds, facets and highlights
included) are timed straight through the embedded engine in this process, interleaved with the
HTTP requests so both see the same machine state. The in-process app (Flask test client) is
timed too, to show where any overhead sits: engine → Flask app → HTTP server.

    .venv/bin/python bench/search.py [--reps 10] [--rebuild]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import _common as c

EMAIL = "bench@lis.vn"
PER_PAGE = 20  # the API's default page size


@dataclass(frozen=True)
class Spec:
    """One query of the mix, as API parameters; `group` says what kind of query it is."""

    group: str
    q: str = ""
    kind: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1

    def params(self) -> str:
        pairs: list[tuple[str, object]] = [("q", self.q)]
        pairs += [("kind", k) for k in self.kind] + [("status", s) for s in self.status]
        for name in ("year_from", "year_to"):
            if getattr(self, name) is not None:
                pairs.append((name, getattr(self, name)))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.page != 1:
            pairs.append(("page", self.page))
        return urlencode(pairs)

    def describe(self) -> str:
        """Readable form for tables: the text, then any filters, sorting and page."""
        extra = [
            f"kind={','.join(self.kind)}" if self.kind else "",
            f"status={','.join(self.status)}" if self.status else "",
            f"years {self.year_from or ''}-{self.year_to or ''}"
            if self.year_from or self.year_to
            else "",
            f"sort={self.sort}" if self.sort != "relevance" else "",
            f"page {self.page}" if self.page != 1 else "",
        ]
        text = repr(self.q) if self.q else "(no text)"
        return " ".join([text, *(e for e in extra if e)])

    def args(self) -> Any:
        """The SearchArgs the API builds from these parameters (schema defaults included)."""
        from lis.documents.search import SearchArgs

        return SearchArgs(
            q=self.q,
            kind=self.kind,
            status=self.status,
            year_from=self.year_from,
            year_to=self.year_to,
            sort=self.sort,
            page=self.page,
            per_page=PER_PAGE,
        )


# Filters, year ranges, later pages, sorting and browsing (no text), on top of the judged queries.
EXTRA: tuple[Spec, ...] = (
    Spec("filtered", "thuế", kind=("circular",)),
    Spec("filtered", "bảo hiểm xã hội", kind=("law", "decree")),
    Spec("filtered", "đất đai", year_from=2010, year_to=2020),
    Spec("filtered", "giáo dục", year_from=2015),
    Spec("filtered", "môi trường", kind=("decree",), year_from=2018, year_to=2024),
    Spec("filtered", "xu phat vi pham hanh chinh", kind=("decree",)),
    Spec("filtered", "an toàn thực phẩm", year_to=2015),
    Spec("filtered", "doanh nghiệp", status=("in_force_at_codification",)),
    Spec("filtered", "phòng cháy chữa cháy", kind=("law", "decree", "circular")),
    Spec("filtered", "thu nhập cá nhân", year_from=2012, year_to=2014),
    Spec("filtered", "lao động", kind=("code", "law")),
    Spec("filtered", "y tế", sort="issued_desc"),
    Spec("filtered", "hải quan", kind=("circular",), sort="issued_asc"),
    Spec("page2", "luật", page=2),
    Spec("page2", "nghị định xử phạt vi phạm hành chính", page=2),
    Spec("page2", "thông tư hướng dẫn", page=2),
    Spec("page2", "quyền và nghĩa vụ", page=2),
    Spec("page2", "ngân sách nhà nước", kind=("circular",), page=2),
    Spec("page2", "giao thông đường bộ", year_from=2010, page=2),
    Spec("page2", "2020", page=2),
    Spec("browse", kind=("law",)),
    Spec("browse", year_from=2020, year_to=2020),
    Spec("browse", kind=("decree",), page=2),
    Spec("browse"),
    Spec("browse", sort="issued_asc"),
)


def query_mix() -> list[Spec]:
    judged = [Spec(str(item["kind"]), str(item["q"])) for item in c.load_queries()]
    return judged + list(EXTRA)


@dataclass
class Timings:
    api: list[float] = field(default_factory=list)
    app: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)


# --- the server -------------------------------------------------------------------------------
def api_token(scratch: c.Scratch) -> str:
    """Create the bench user once (kept in the reused database) and issue a fresh token."""
    password = secrets.token_urlsafe(16)
    try:
        c.lis(
            scratch,
            "users",
            "create",
            "--email",
            EMAIL,
            "--role",
            "deputy",
            extra_env={"LIS_PASSWORD": password},
        )
    except RuntimeError as exc:
        if "already exists" not in str(exc):
            raise
    return c.lis(scratch, "users", "token", "--email", EMAIL).stdout.strip().splitlines()[-1]


class Client:
    """One http.client connection: reused while the server keeps it open, reopened (inside the
    timed request) when the server closes it, as gunicorn's sync worker does after every
    response."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.requests = 0
        self.closed_by_server = 0

    def get(self, path: str) -> tuple[float, int, bytes]:
        start = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        resp = self.conn.getresponse()
        body = resp.read()
        elapsed = time.perf_counter() - start
        self.requests += 1
        if resp.will_close:
            self.closed_by_server += 1
            self.conn.close()
        return elapsed, resp.status, body


# --- measuring --------------------------------------------------------------------------------
def measure(
    scratch: c.Scratch, server: c.Gunicorn, token: str, specs: list[Spec], reps: int
) -> tuple[dict[Spec, Timings], Client, list[str]]:
    from search.backends.embedded import EmbeddedBackend

    raw_engine = EmbeddedBackend(scratch.index_dir)
    app = c.create_app(scratch)
    test_client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    client = Client(server.port, token)
    queries = [(s, f"/api/v1/search?{s.params()}", s.args().to_query()) for s in specs]
    problems: list[str] = []

    # Warm-up, and a check that the API and the engine answer the same thing.
    for spec, path, query in c.progress(queries, desc="Warm-up", unit=" q"):
        _, status, body = client.get(path)
        page = raw_engine.search(query)
        test_client.get(path, headers=headers)
        if status != 200:
            problems.append(f"{spec.q!r}: HTTP {status}: {body[:200]!r}")
            continue
        data = json.loads(body)
        if data["total"] != page.total or [h["id"] for h in data["hits"]] != [
            h.id for h in page.hits
        ]:
            problems.append(f"{spec.q!r} {spec.params()}: API and engine disagree")

    timings: dict[Spec, Timings] = defaultdict(Timings)
    order = list(queries)
    rng = random.Random(42)
    with c.progress(total=reps * len(order), desc="Timing", unit=" q") as bar:
        for _ in range(reps):
            rng.shuffle(order)
            for spec, path, query in order:
                t = timings[spec]
                elapsed, status, _ = client.get(path)
                if status != 200:
                    problems.append(f"{spec.q!r}: HTTP {status}")
                t.api.append(elapsed)
                start = time.perf_counter()
                test_client.get(path, headers=headers)
                t.app.append(time.perf_counter() - start)
                start = time.perf_counter()
                raw_engine.search(query)
                t.raw.append(time.perf_counter() - start)
                bar.update(1)
    return timings, client, problems


def ms(values: list[float]) -> list[float]:
    return [v * 1000 for v in values]


def report(
    timings: dict[Spec, Timings], client: Client, server: c.Gunicorn, problems: list[str], reps: int
) -> list[c.Bar]:
    everything = Timings()
    groups: dict[str, Timings] = defaultdict(Timings)
    for spec, t in timings.items():
        for target in (everything, groups[spec.group]):
            target.api += t.api
            target.app += t.app
            target.raw += t.raw

    api, app, raw = (c.Summary.of(ms(v)) for v in (everything.api, everything.app, everything.raw))
    rows = [
        [name, s.n, s.p50, s.p95, s.p99, s.mean, s.max]
        for name, s in (
            ("API over HTTP (gunicorn)", api),
            ("app in-process (test client)", app),
            ("raw engine", raw),
        )
    ]
    c.table(
        ["path", "n", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms"],
        rows,
        title=f"Search latency, {len(timings)} queries × {reps} repetitions",
    )

    group_rows = []
    for name, t in sorted(groups.items()):
        a, p, r = (c.Summary.of(ms(v)) for v in (t.api, t.app, t.raw))
        group_rows.append(
            [
                name,
                len(t.api) // reps,
                a.p50,
                a.p95,
                p.p50,
                r.p50,
                r.p95,
                a.p50 / r.p50 if r.p50 else float("nan"),
            ]
        )
    c.table(
        ["group", "queries", "API p50", "API p95", "app p50", "raw p50", "raw p95", "API/raw p50"],
        group_rows,
        title="By query group (ms)",
    )

    slowest = sorted(timings.items(), key=lambda kv: -c.percentile(kv[1].api, 50))[:8]
    c.table(
        ["query", "group", "API p50", "app p50", "raw p50"],
        [
            [
                s.describe()[:60],
                s.group,
                c.percentile(ms(t.api), 50),
                c.percentile(ms(t.app), 50),
                c.percentile(ms(t.raw), 50),
            ]
            for s, t in slowest
        ],
        title="Slowest queries by API p50 (ms)",
    )

    print(
        f"\nratio API/raw: p50 {api.p50 / raw.p50:.2f}, p95 {api.p95 / raw.p95:.2f}; "
        f"app/raw: p50 {app.p50 / raw.p50:.2f}, p95 {app.p95 / raw.p95:.2f}"
    )
    kept = client.requests - client.closed_by_server
    print(
        f"connections: {client.requests} requests, {client.closed_by_server} closed by the "
        f"server after the response ({kept} reused): "
        + (
            "a new TCP connection per request, its connect time included in every API figure"
            if client.closed_by_server == client.requests
            else "keep-alive"
        )
    )
    print(f"gunicorn worker RSS after the run: {server.worker_rss_mb():.0f} MB")
    if problems:
        print(f"\nPROBLEMS ({len(problems)}):")
        for p in problems[:20]:
            print(f"  {p}")
    return [
        c.Bar("api_p50", api.p50, "ms", "<=", 15),
        c.Bar("api_p95", api.p95, "ms", "<=", 50),
        c.Bar("api_raw_ratio", api.p50 / raw.p50, "x", "<=", 1.3, digits=2),
    ]


def engine_breakdown(scratch: c.Scratch, specs: list[Spec], reps: int) -> None:
    """Where the raw engine's time goes: the same queries without highlights and/or facets."""
    from dataclasses import replace

    from search.backends.embedded import EmbeddedBackend

    engine = EmbeddedBackend(scratch.index_dir)
    variants = {
        "as the API asks (facets + highlights)": {},
        "without highlights": {"highlight": False},
        "without facets": {"facets": ()},
        "without either": {"highlight": False, "facets": ()},
    }
    rows = []
    queries = [s.args().to_query() for s in specs]
    for name, changes in c.progress(variants.items(), desc="Breakdown", unit=" variant"):
        times = []
        for _ in range(reps):
            for query in queries:
                variant = replace(query, **changes)
                start = time.perf_counter()
                engine.search(variant)
                times.append(time.perf_counter() - start)
        s = c.Summary.of(ms(times))
        rows.append([name, s.n, s.p50, s.p95, s.mean])
    c.table(
        ["raw engine", "n", "p50 ms", "p95 ms", "mean ms"],
        rows,
        title=f"Raw engine time by part of the query (the mix × {reps})",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10, help="timed repetitions of the mix")
    parser.add_argument(
        "--rebuild", action="store_true", help="re-import the scratch data even if it is up to date"
    )
    args = parser.parse_args()

    corpus = c.require_corpus(c.FULL_CORPUS)
    scratch = c.ensure_corpus_data(corpus, "full", rebuild=args.rebuild)
    token = api_token(scratch)
    specs = query_mix()
    print(
        f"query mix: {len(specs)} queries ({len(specs) - len(EXTRA)} judged, "
        f"{len(EXTRA)} with filters, sorting, page 2 or no text); {args.reps} repetitions"
    )
    with c.Gunicorn(scratch, workers=1, threads=2) as server:
        print(
            f"server: gunicorn -w 1 -k gthread --threads 2 on 127.0.0.1:{server.port}, "
            f"log {Path(server.log_path).relative_to(c.ROOT)}"
        )
        timings, client, problems = measure(scratch, server, token, specs, args.reps)
        bars = report(timings, client, server, problems, args.reps)
    engine_breakdown(scratch, specs, max(1, args.reps // 3))
    c.print_bars(bars)


if __name__ == "__main__":
    main()
