"""What the bench scripts share: paths, timing figures, bar lines, scratch data and the app.

Every bench script ends with one line per quality bar (DESIGN.md §6), in the form
`bar: <name> = <value> <unit> (limit <op> <limit>) ok|FAIL`, so people and scripts read the
result the same way. Scratch databases and indexes live under `bench/out/` (gitignored) and are
reused between runs while the corpus and the code that shapes the data are unchanged.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import http.client
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
FULL_CORPUS = CORPUS_DIR / "vn_legal_docs.jsonl.gz"
SAMPLE_CORPUS = CORPUS_DIR / "vn_legal_docs.sample300.jsonl"
QUERIES = BENCH / "quality_queries.json"
PYTHON = Path(sys.executable)
LIS = PYTHON.parent / "lis"
# The code whose changes make a built database or index stale (schema, import, analysis).
DATA_CODE = ("lis/documents", "lis/indexing", "search", "migrations")
# Bench processes run without LIS_DEBUG (debug logs every request); a throwaway key suffices.
SECRET_KEY = "bench-" + secrets.token_urlsafe(24)

# `python bench/search.py` puts bench/ first on the path, where `search` would be this script
# and not the engine package: the repository root goes first instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))


# --- corpus -----------------------------------------------------------------------------------
def require_corpus(path: Path) -> Path:
    """Exit 2 with a clear message when the corpus is not where the bench expects it."""
    if not path.is_file():
        print(
            f"corpus not found: {path}\n"
            "The benches need the shared corpus (see ../shared/corpus/README.md); "
            "put it there and run again.",
            file=sys.stderr,
        )
        sys.exit(2)
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def code_fingerprint() -> str:
    """A hash of the code that decides what lands in the database and the index."""
    digest = hashlib.sha256()
    for top in DATA_CODE:
        for path in sorted((ROOT / top).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- figures ----------------------------------------------------------------------------------
def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation, as numpy's default."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(rank), math.ceil(rank)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


@dataclass(frozen=True)
class Summary:
    n: int
    p50: float
    p95: float
    p99: float
    mean: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        return cls(
            n=len(values),
            p50=percentile(values, 50),
            p95=percentile(values, 95),
            p99=percentile(values, 99),
            mean=sum(values) / len(values) if values else math.nan,
            max=max(values) if values else math.nan,
        )


@contextlib.contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as t: ...` then `t[0]` is the elapsed wall time in seconds."""
    out: list[float] = []
    start = time.perf_counter()
    try:
        yield out
    finally:
        out.append(time.perf_counter() - start)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = "") -> None:
    """Print a plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        rest = zip(row[1:], widths[1:], strict=True)
        parts = [row[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in rest]
        return "  ".join(parts).rstrip()

    if title:
        print(f"\n{title}")
    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


@dataclass(frozen=True)
class Bar:
    """One quality bar: `op` is "<=", ">=" or "=="; `digits` is how the value and limit print;
    a count has no unit ("")."""

    name: str
    value: float
    unit: str
    op: str
    limit: float
    digits: int = 1

    @property
    def ok(self) -> bool:
        if math.isnan(self.value):
            return False
        if self.op == "==":
            return self.value == self.limit
        return self.value <= self.limit if self.op == "<=" else self.value >= self.limit

    def line(self) -> str:
        value = f"{self.value:.{self.digits}f}"
        limit = f"{self.limit:.{self.digits}f}"
        if "." in limit:  # 0.85 and 1.3 print as written, 300 stays 300
            limit = limit.rstrip("0").rstrip(".")
        unit = f" {self.unit}" if self.unit else ""
        return (
            f"bar: {self.name} = {value}{unit} (limit {self.op} {limit}) "
            f"{'ok' if self.ok else 'FAIL'}"
        )


def print_bars(bars: Sequence[Bar]) -> None:
    """The last lines of every bench script; the exit code stays 0 when a bar fails."""
    print()
    for bar in bars:
        print(bar.line())
    sys.stdout.flush()


# --- settings, processes, the app -------------------------------------------------------------
@dataclass(frozen=True)
class Scratch:
    """A scratch database and index under one directory."""

    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / "lis.db"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def stamp_path(self) -> Path:
        return self.root / "built.json"

    def env(self) -> dict[str, str]:
        """The environment for `lis` and gunicorn subprocesses pointed at this scratch data."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIS_")}
        env.update(
            LIS_DATABASE_URL=self.database_url,
            LIS_INDEX_DIR=str(self.index_dir),
            LIS_SEARCH_BACKEND="embedded",
            LIS_SECRET_KEY=SECRET_KEY,
            LIS_DEBUG="0",  # wins over a developer's .env: no per-request debug logging
            PYTHONUNBUFFERED="1",
        )
        return env

    def settings(self):  # type: ignore[no-untyped-def]  # lis is imported lazily
        from lis.settings import Settings

        return Settings(
            database_url=self.database_url,
            index_dir=self.index_dir,
            secret_key=SECRET_KEY,
            demo_corpus=None,
            index_after_commit=False,
        )


def lis(
    scratch: Scratch, *args: str, capture: bool = True, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the `lis` console script against the scratch data; raise with its output if it fails."""
    env = scratch.env() | (extra_env or {})
    proc = subprocess.run(
        [str(LIS), *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"`lis {' '.join(args)}` exited with {proc.returncode}\n"
            f"{proc.stdout or ''}{proc.stderr or ''}"
        )
    return proc


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock so two bench scripts never build the same scratch data at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def ensure_corpus_data(corpus: Path, name: str, *, rebuild: bool = False) -> Scratch:
    """A scratch DB + index holding `corpus`, imported through `lis import documents`.

    Reused when a previous run built it from the same corpus file with the same data code; the
    output says which, and why it was rebuilt otherwise.
    """
    scratch = Scratch(OUT / name)
    wanted = {
        "corpus": str(corpus),
        "corpus_sha256": file_sha256(corpus),
        "code": code_fingerprint(),
    }
    with locked(OUT / f".{name}.lock"):
        try:
            built = json.loads(scratch.stamp_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            built = None
        same = built is not None and all(built.get(k) == v for k, v in wanted.items())
        if same and not rebuild:
            print(
                f"data: reusing {scratch.root.relative_to(ROOT)} "
                f"({built['documents']} documents from {corpus.name}, built {built['at']})"
            )
            return scratch
        if rebuild:
            reason = "--rebuild given"
        elif built is None:
            reason = "none built yet"
        elif built.get("corpus_sha256") != wanted["corpus_sha256"]:
            reason = "the corpus changed"
        else:
            reason = "the import/index/schema code changed"
        print(f"data: building {scratch.root.relative_to(ROOT)} from {corpus.name} ({reason})")
        shutil.rmtree(scratch.root, ignore_errors=True)
        scratch.root.mkdir(parents=True)
        with stopwatch() as took:
            lis(scratch, "db", "upgrade")
            # As deployed: the reference data is there before the corpus (kinds and terms label
            # the facets, and an NA act takes its term at import).
            lis(scratch, "seed", "reference")
            # stderr is not captured so the importer's own progress bar shows on a terminal.
            proc = subprocess.run(
                [str(LIS), "import", "documents", str(corpus)],
                cwd=ROOT,
                env=scratch.env(),
                text=True,
                stdout=subprocess.PIPE,
                check=False,
            )
        if proc.returncode != 0:
            raise RuntimeError(f"import failed ({proc.returncode}): {proc.stdout}")
        documents = count_documents(scratch)
        print(f"data: {proc.stdout.strip()}; {documents} documents in {took[0]:.1f} s")
        stamp = wanted | {"documents": documents, "at": time.strftime("%Y-%m-%d %H:%M:%S")}
        tmp = scratch.stamp_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stamp, indent=2), encoding="utf-8")
        tmp.replace(scratch.stamp_path)
        return scratch


def count_documents(scratch: Scratch) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(scratch.db_path)) as conn:
        return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])


def create_app(scratch: Scratch):  # type: ignore[no-untyped-def]  # lis is imported lazily
    """The real app (create_app) on the scratch data, for benches that run in-process."""
    from lis.app import create_app as make

    return make(scratch.settings())


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident set size of a live process (Linux /proc), in MB; NaN when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.nan


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def load_queries() -> list[dict[str, object]]:
    with QUERIES.open(encoding="utf-8") as f:
        return json.load(f)  # type: ignore[no-any-return]


def progress(iterable=None, **kwargs):  # type: ignore[no-untyped-def]
    """tqdm on stderr, shown only on a terminal."""
    from tqdm import tqdm

    return tqdm(iterable, disable=None, file=sys.stderr, leave=False, **kwargs)


# --- serving the app as deployed ----------------------------------------------------------------
class Gunicorn:
    """gunicorn with gthread workers and keep-alive (as deployed) on a free loopback port,
    serving `wsgi:app` with the scratch's settings; waits until /healthz answers 200."""

    def __init__(self, scratch: Scratch, *, workers: int = 1, threads: int = 2) -> None:
        self.port = free_port()
        self.log_path = scratch.root / "gunicorn.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.scratch = scratch
        self.cmd = [
            str(PYTHON.parent / "gunicorn"),
            *("-w", str(workers), "--threads", str(threads), "-k", "gthread"),
            *("--keep-alive", "30", "-b", f"127.0.0.1:{self.port}", "wsgi:app"),
        ]

    def __enter__(self) -> Gunicorn:
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                self.cmd, cwd=ROOT, env=self.scratch.env(), stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                resp = conn.getresponse()
                body = resp.read()
                conn.close()
                if resp.status == 200:
                    return self
                raise RuntimeError(f"/healthz answered {resp.status}: {body[:300]!r}")
            except (ConnectionError, OSError):
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s:\n{self.log()}")

    def __exit__(self, *_exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def worker_rss_mb(self) -> float:
        assert self.proc is not None
        return max((rss_mb(pid) for pid in children_of(self.proc.pid)), default=float("nan"))
