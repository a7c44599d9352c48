"""Import speed: `lis import documents` against the raw engine indexing the same texts (DESIGN §6).

1. The full corpus into a fresh scratch SQLite database and index through the path users run,
   `lis import documents FILE` in a subprocess (database write, version parts and indexing
   included), timed from process start to exit.
2. The raw engine alone, in its own subprocess: SearchDocuments made straight from the JSON
   lines (no database, no validation beyond what the engine needs) streamed into
   `EmbeddedBackend.rebuild`. Its time counts reading and decoding the file too, since the
   import has to do that as well; the engine-only share is printed beside it.

Each runs in its own process so that its peak RSS (os.wait4) is its own.

    .venv/bin/python bench/import.py [--sample]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _common as c

RESULT_MARK = "RAW-RESULT "


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    stdout: str


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Run `cmd` (stderr to the terminal, for its progress bar); wall time and its own peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=c.ROOT, env=env, text=True, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, tell Popen
    proc.stdout.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{stdout}")
    return Run(elapsed, usage.ru_maxrss / 1024, stdout)


# --- the raw engine (runs in a child process: `import.py --raw-child CORPUS INDEX_DIR`) --------
def raw_documents(corpus: Path, parse_time: list[float]) -> Iterator[Any]:
    """SearchDocuments straight from the JSON lines; adds the time spent here to parse_time."""
    from lis.documents.models import KINDS
    from search.interface import SearchDocument

    opener = gzip.open if corpus.suffix == ".gz" else open
    start = time.perf_counter()
    with opener(corpus, "rt", encoding="utf-8") as lines:  # type: ignore[operator]
        for raw in lines:
            if not raw.strip():
                continue
            obj = json.loads(raw)
            issued = obj.get("issued_date")
            keywords = {"status": (obj.get("status") or "unknown",)}
            if obj.get("issuer"):
                keywords["issuer"] = (obj["issuer"],)
            doc = SearchDocument(
                id=obj["id"],
                number=obj.get("number") or "",
                title=obj["title"],
                body=obj["text"],
                kind=KINDS.get(obj.get("doc_type") or "", "other"),
                issued_date=dt.date.fromisoformat(issued) if issued else None,
                keywords=keywords,
            )
            parse_time[0] += time.perf_counter() - start
            yield doc
            start = time.perf_counter()


def raw_child(corpus: Path, index_dir: Path) -> None:
    from search.backends.embedded import EmbeddedBackend

    parse_time = [0.0]
    start = time.perf_counter()
    docs = c.progress(raw_documents(corpus, parse_time), desc="Raw engine", unit=" docs")
    written = EmbeddedBackend(index_dir).rebuild(docs)
    total = time.perf_counter() - start
    result = {"documents": written, "seconds": total, "parse_seconds": parse_time[0]}
    print(RESULT_MARK + json.dumps(result), flush=True)


# --- the bench --------------------------------------------------------------------------------
def count_rows(scratch: c.Scratch, table: str) -> int:
    import sqlite3

    with c.contextlib.closing(sqlite3.connect(scratch.db_path)) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", action="store_true", help="the 300-doc sample (a quick check)")
    parser.add_argument(
        "--raw-child", nargs=2, metavar=("CORPUS", "INDEX_DIR"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.raw_child:
        raw_child(Path(args.raw_child[0]), Path(args.raw_child[1]))
        return

    corpus = c.require_corpus(c.SAMPLE_CORPUS if args.sample else c.FULL_CORPUS)
    root = c.OUT / ("import-sample" if args.sample else "import")
    with c.locked(c.OUT / f".{root.name}.lock"):
        shutil.rmtree(root, ignore_errors=True)
        scratch = c.Scratch(root / "app")
        scratch.root.mkdir(parents=True)
        raw_index = root / "raw-index"
        print(
            f"corpus: {corpus} ({corpus.stat().st_size / 1e6:.1f} MB); "
            f"fresh scratch data in {root.relative_to(c.ROOT)}"
        )

        with c.stopwatch() as migrate:
            c.lis(scratch, "db", "upgrade")
            c.lis(scratch, "seed", "reference")  # as deployed: NA acts take their term
        print(
            f"schema: `lis db upgrade` and `lis seed reference` in {migrate[0]:.1f} s (not counted)"
        )

        print("1/2 `lis import documents` ...", flush=True)
        app = run_measured([str(c.LIS), "import", "documents", str(corpus)], env=scratch.env())
        summary = app.stdout.strip().splitlines()[-1] if app.stdout.strip() else ""
        print(f"    {summary}")
        created = re.search(r"created (\d+)", summary)
        reported = re.search(r" in ([\d.]+) s", summary)
        documents = c.count_documents(scratch)
        from search.backends.embedded import EmbeddedBackend

        indexed = EmbeddedBackend(scratch.index_dir).count()
        pending = count_rows(scratch, "search_outbox")
        parts = count_rows(scratch, "version_parts")

        print("2/2 raw engine (EmbeddedBackend.rebuild, no database) ...", flush=True)
        raw = run_measured(
            [
                str(c.PYTHON),
                str(Path(__file__).resolve()),
                "--raw-child",
                str(corpus),
                str(raw_index),
            ]
        )
        line = next(ln for ln in raw.stdout.splitlines() if ln.startswith(RESULT_MARK))
        raw_result = json.loads(line[len(RESULT_MARK) :])

    import_docs = int(created.group(1)) if created else documents
    raw_docs = int(raw_result["documents"])
    raw_engine_s = raw_result["seconds"] - raw_result["parse_seconds"]
    rows = [
        [
            "lis import documents (wall)",
            import_docs,
            app.seconds,
            import_docs / app.seconds,
            app.peak_rss_mb,
            c.dir_size_mb(scratch.root),
        ],
        [
            "  as reported by the command",
            import_docs,
            float(reported.group(1)) if reported else float("nan"),
            import_docs / float(reported.group(1)) if reported else float("nan"),
            "",
            "",
        ],
        [
            "raw engine: read + decode + index",
            raw_docs,
            raw_result["seconds"],
            raw_docs / raw_result["seconds"],
            raw.peak_rss_mb,
            c.dir_size_mb(raw_index),
        ],
        ["  of which reading + JSON decoding", raw_docs, raw_result["parse_seconds"], "", "", ""],
        ["  of which engine (rebuild)", raw_docs, raw_engine_s, raw_docs / raw_engine_s, "", ""],
    ]
    c.table(
        ["path", "docs", "seconds", "docs/s", "peak RSS MB", "on disk MB"],
        rows,
        title="Import of the corpus",
    )
    ratio = app.seconds / raw_result["seconds"]
    in_process = f", {float(reported.group(1)) / raw_result['seconds']:.2f} x" if reported else ""
    print(
        f"\nimport/raw: {ratio:.2f} x (import wall time, process start-up included; "
        f"as the command reports it{in_process}; against the engine alone "
        f"{app.seconds / raw_engine_s:.2f} x)"
    )
    print(f"raw engine child process wall time, start-up included: {raw.seconds:.1f} s")
    print(
        f"after the import: {documents} documents and {parts} version parts in the database, "
        f"{indexed} in the index, {pending} outbox rows waiting"
    )
    problems = []
    if indexed != documents:
        problems.append(f"the index holds {indexed} documents, the database {documents}")
    if pending:
        problems.append(f"{pending} outbox rows were left undrained")
    if raw_docs != import_docs:
        problems.append(
            f"the import took {import_docs} documents, the raw engine {raw_docs} "
            "(lines the importer skipped are listed above)"
        )
    for p in problems:
        print(f"NOTE: {p}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process peak RSS: {own:.0f} MB (not part of either figure)")
    c.print_bars(
        [
            c.Bar("import_rate", import_docs / app.seconds, "docs/s", ">=", 300, digits=0),
            c.Bar("import_vs_raw", ratio, "x", "<=", 2.0, digits=2),
        ]
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
