"""Comparing two versions of a code, article by article (DESIGN §6, issue item 4).

The longest codes of the full corpus (every Bộ luật with 300 articles or more: the Civil, Penal,
Maritime and both Procedure codes) are each given a new version with known edits: 3 articles
inserted (articles of another law), 2 removed, 20 edited (a phrase inserted, a word replaced or
deleted, in two of their lines), and every article renumbered 1, 2, 3 … in its new order, as a
drafting committee would.  `compare_texts` is timed on each pair, parsing included, and its
answer is checked against the known edits.  The full text of each code is also compared with
the codified text the corpus holds (the same code as amended since), for scale: those pairs
differ in many articles, not in the few of a draft revision.

The bar is the slowest code's median time on the edited pair: a deputy opening "what changed
between these two versions" waits for that.

    .venv/bin/python bench/compare.py [--runs 7] [--seed 4]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import _common as c  # puts the repository root first on sys.path

from lis.documents.compare import STATUSES, Comparison, compare_texts
from lis.documents.parsing import Part, parse_parts

MIN_ARTICLES = 300
INSERTED, REMOVED, EDITED = 3, 2, 20
# Articles inserted into the codes come from a law on another subject (Luật Thanh niên).
DONOR_ID = "phapdien-142850"
LABEL_RE = re.compile(r"(?:[ĐÐ]iều|ĐIỀU)[ \t]*\d+[a-zđ]?\.?[ \t]*")
LIMIT_MS = 500.0


@dataclass(frozen=True)
class Code:
    id: str
    title: str
    text: str
    codified: str | None
    articles: list[Part]


@dataclass(frozen=True)
class Edited:
    """A new version and what the comparer must find: old number → new number, and status."""

    text: str
    expected: dict[tuple[str | None, str | None], str]


def read_corpus() -> tuple[list[Code], list[str]]:
    """The codes with at least MIN_ARTICLES articles, longest first, and the donor's articles."""
    path = c.require_corpus(c.FULL_CORPUS)
    codes: list[Code] = []
    donor: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            is_code = '"doc_type": "Bộ luật"' in line
            if not is_code and f'"{DONOR_ID}"' not in line[:60]:
                continue
            doc = json.loads(line)
            articles = [p for p in parse_parts(doc["text"]) if p.kind == "article"]
            if doc["id"] == DONOR_ID:
                donor = [doc["text"][p.start : p.end] for p in articles]
            elif len(articles) >= MIN_ARTICLES:
                codified = doc.get("codified_text")
                codes.append(Code(doc["id"], doc["title"], doc["text"], codified, articles))
    if not codes or len(donor) < INSERTED:
        print(f"no code with {MIN_ARTICLES}+ articles, or no {DONOR_ID}, in {path}")
        sys.exit(2)
    codes.sort(key=lambda code: -len(code.text))
    return codes, donor


def edit_lines(body: str, rng: random.Random) -> str:
    """Two small edits in two lines of an article body that have words enough."""
    lines = body.split("\n")
    eligible = [i for i, line in enumerate(lines) if i > 0 and len(line.split()) >= 8]
    if not eligible:
        eligible = [len(lines) - 1]
    for index in rng.sample(eligible, min(2, len(eligible))):
        words = lines[index].split(" ")
        at = rng.randrange(1, len(words) - 1) if len(words) > 2 else 0
        kind = rng.choice(("insert", "replace", "delete"))
        if kind == "insert":
            words.insert(at, "và các trường hợp khác theo quy định của pháp luật")
        elif kind == "replace":
            words[at] = "thích hợp"
        else:
            del words[at]
        lines[index] = " ".join(words)
    return "\n".join(lines)


def make_edited(code: Code, donor: list[str], rng: random.Random) -> Edited:
    """Insert, remove, edit and renumber; text between articles (chapter titles) is kept."""
    text, articles = code.text, code.articles
    positions = range(1, len(articles) - 1)
    removed = set(rng.sample(positions, REMOVED))
    long_enough = [
        i for i in positions if i not in removed and articles[i].end - articles[i].start > 400
    ]
    edited = set(rng.sample(long_enough, EDITED))
    inserted_after = dict(zip(rng.sample(positions, INSERTED), donor[:INSERTED], strict=True))
    pieces = [text[: articles[0].start]]
    expected: dict[tuple[str | None, str | None], str] = {}
    number = 0
    for index, part in enumerate(articles):
        end = articles[index + 1].start if index + 1 < len(articles) else len(text)
        article, gap = text[part.start : part.end], text[part.end : end]
        if index in removed:
            expected[(part.number, None)] = "removed"
            pieces.append(gap)
            continue
        label = LABEL_RE.match(article)
        body = article[label.end() :] if label else article
        number += 1
        status = "unchanged" if str(number) == part.number else "renumbered"
        if index in edited:
            body = edit_lines(body, rng)
            status = "changed" if status == "unchanged" else "renumbered_changed"
        expected[(part.number, str(number))] = status
        pieces.append(f"Điều {number}. {body}")
        if index in inserted_after:
            number += 1
            donor_body = LABEL_RE.sub("", inserted_after[index], count=1)
            pieces.append(f"\nĐiều {number}. {donor_body}")
            expected[(None, str(number))] = "added"
        pieces.append(gap)
    return Edited("".join(pieces), expected)


def timed(old: str, new: str, runs: int) -> Iterator[tuple[float, Comparison]]:
    for _ in range(runs):
        start = time.perf_counter()
        comparison = compare_texts(old, new)
        yield (time.perf_counter() - start) * 1000, comparison


def mismatches(comparison: Comparison, expected: dict[tuple[str | None, str | None], str]) -> int:
    found = {(ch.old_number, ch.new_number): ch.status for ch in comparison.changes}
    keys = found.keys() | expected.keys()
    return sum(found.get(key) != expected.get(key) for key in keys)


def row(
    name: str, scenario: str, comparison: Comparison, times: list[float], check: str
) -> list[object]:
    old = sum(ch.status != "added" for ch in comparison.changes)
    new = sum(ch.status != "removed" for ch in comparison.changes)
    summary = c.Summary.of(times)
    counts = [comparison.counts[status] for status in STATUSES]
    return [name, scenario, f"{old}→{new}", *counts, summary.p50, summary.max, check]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per pair")
    parser.add_argument("--seed", type=int, default=4, help="seed of the edits")
    args = parser.parse_args()

    codes, donor = read_corpus()
    rng = random.Random(args.seed)
    rows: list[list[object]] = []
    edited_p50: list[float] = []
    all_found = True
    for code in codes:
        name = f"{code.title} ({len(code.articles)})"
        edited = make_edited(code, donor, rng)
        results = list(timed(code.text, edited.text, args.runs))
        times = [ms for ms, _ in results]
        wrong = mismatches(results[-1][1], edited.expected)
        all_found &= wrong == 0
        edited_p50.append(c.Summary.of(times).p50)
        check = "exact" if wrong == 0 else f"{wrong} wrong"
        rows.append(row(name, "edited", results[-1][1], times, check))
        if code.codified:
            results = list(timed(code.text, code.codified, args.runs))
            rows.append(row("", "codified", results[-1][1], [ms for ms, _ in results], "-"))

    headers = ["code (articles)", "pair", "old→new", *STATUSES, "p50 ms", "max ms", "found"]
    headers[3:9] = ["same", "changed", "added", "removed", "renum", "renum+chg"]
    c.table(headers, rows, title=f"compare_texts, {args.runs} runs per pair (parsing included)")
    print(
        f"\nedited: {INSERTED} inserted, {REMOVED} removed, {EDITED} edited, the rest "
        f"renumbered; found = statuses checked against the known edits"
        f"{'' if all_found else ' (SOME WRONG)'}"
    )
    worst = max(edited_p50)
    c.print_bars([c.Bar("compare_300_articles", worst, "ms", "<=", LIMIT_MS)])


if __name__ == "__main__":
    main()
