"""Search quality: do judged queries find their intended document near the top? (DESIGN §6)

Every query of `bench/quality_queries.json` goes through the app's search service exactly as the
API sends it (SearchArgs → search_documents) on the full corpus imported by `lis import
documents`. Prints hit@1, hit@3 and MRR (first relevant rank within the top 10, else 0) per
query kind and overall, then every query whose answer is not first, with what came first
instead, so the ranking can be tuned.

    .venv/bin/python bench/quality.py            # full corpus, all queries
    .venv/bin/python bench/quality.py --sample   # 300-doc sample, in_sample queries only
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass

import _common as c

TOP = 10  # MRR counts the first relevant rank within this many results
KIND_ORDER = ("number", "title", "title_unaccented", "topic", "phrase")


@dataclass(frozen=True)
class Outcome:
    q: str
    kind: str
    relevant: tuple[str, ...]
    got: tuple[tuple[str, str, str], ...]  # (id, number, title) of the top results
    total: int

    @property
    def rank(self) -> int | None:
        """1-based rank of the first relevant document within the top results, or None."""
        for i, (doc_id, _number, _title) in enumerate(self.got, start=1):
            if doc_id in self.relevant:
                return i
        return None

    def hit(self, k: int) -> bool:
        return self.rank is not None and self.rank <= k

    @property
    def rr(self) -> float:
        return 1 / self.rank if self.rank else 0.0


def run_queries(scratch: c.Scratch, queries: list[dict[str, object]]) -> list[Outcome]:
    from lis.documents.search import SearchArgs, search_documents
    from lis.search_backend import get_backend

    app = c.create_app(scratch)
    outcomes = []
    with app.app_context():
        backend = get_backend()
        for item in c.progress(queries, desc="Queries", unit=" q"):
            # The API's defaults (schema load_default), except a page of TOP results.
            page = search_documents(backend, SearchArgs(q=str(item["q"]), per_page=TOP))
            outcomes.append(
                Outcome(
                    q=str(item["q"]),
                    kind=str(item["kind"]),
                    relevant=tuple(item["relevant"]),  # type: ignore[arg-type]
                    got=tuple((h.id, h.number, h.title) for h in page.hits),
                    total=page.total,
                )
            )
    return outcomes


def describe(scratch: c.Scratch, ids: set[str]) -> dict[str, tuple[str, str]]:
    """number and title of the expected documents, from the scratch database."""
    import sqlite3

    with c.contextlib.closing(sqlite3.connect(scratch.db_path)) as conn:
        marks = ",".join("?" * len(ids))
        rows = conn.execute(
            f"SELECT external_id, number, title FROM documents WHERE external_id IN ({marks})",  # noqa: S608
            sorted(ids),
        ).fetchall()
    return {doc_id: (number, title) for doc_id, number, title in rows}


def short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def report(outcomes: list[Outcome], scratch: c.Scratch) -> list[c.Bar]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.kind].append(o)
    kinds = [k for k in KIND_ORDER if k in groups] + sorted(set(groups) - set(KIND_ORDER))
    rows = []
    for kind in [*kinds, "overall"]:
        group = outcomes if kind == "overall" else groups[kind]
        n = len(group)
        rows.append(
            [
                kind,
                n,
                f"{100 * sum(o.hit(1) for o in group) / n:.1f}",
                f"{100 * sum(o.hit(3) for o in group) / n:.1f}",
                f"{100 * sum(o.hit(TOP) for o in group) / n:.1f}",
                f"{sum(o.rr for o in group) / n:.3f}",
            ]
        )
    c.table(
        ["kind", "queries", "hit@1 %", "hit@3 %", f"hit@{TOP} %", "MRR"],
        rows,
        title="Search quality (per query kind)",
    )

    misses = [o for o in outcomes if o.rank != 1]
    expected = describe(scratch, {r for o in misses for r in o.relevant})
    print(f"\nQueries whose intended answer is not at rank 1: {len(misses)}")
    for o in misses:
        rank = f"rank {o.rank}" if o.rank else f"not in top {TOP}"
        print(f"\n  [{o.kind}] {o.q!r}: {rank} ({o.total} results)")
        for r in o.relevant:
            number, title = expected.get(r, ("?", "(not in the database)"))
            print(f"    want  {r:<18} {short(number, 24):<24} {short(title, 80)}")
        for i, (doc_id, number, title) in enumerate(o.got[:3], start=1):
            mark = "*" if doc_id in o.relevant else " "
            print(f"    {i}.{mark}   {doc_id:<18} {short(number, 24):<24} {short(title, 80)}")

    n = len(outcomes)
    return [
        c.Bar("hit@3", 100 * sum(o.hit(3) for o in outcomes) / n, "%", ">=", 95),
        c.Bar("hit@1", 100 * sum(o.hit(1) for o in outcomes) / n, "%", ">=", 80),
        c.Bar("mrr", sum(o.rr for o in outcomes) / n, "score", ">=", 0.85, digits=3),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sample",
        action="store_true",
        help="the 300-doc sample and only the queries marked in_sample",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="re-import the scratch data even if it is up to date"
    )
    args = parser.parse_args()

    corpus = c.require_corpus(c.SAMPLE_CORPUS if args.sample else c.FULL_CORPUS)
    queries = c.load_queries()
    if args.sample:
        queries = [q for q in queries if q.get("in_sample")]
    scratch = c.ensure_corpus_data(
        corpus, "sample" if args.sample else "full", rebuild=args.rebuild
    )
    print(
        f"queries: {len(queries)} from {c.QUERIES.relative_to(c.ROOT)}"
        f"{' (in_sample only)' if args.sample else ''}; corpus: {corpus.name}"
    )
    with c.stopwatch() as took:
        outcomes = run_queries(scratch, queries)
    print(f"ran {len(outcomes)} queries in {took[0]:.2f} s")
    c.print_bars(report(outcomes, scratch))


if __name__ == "__main__":
    main()
