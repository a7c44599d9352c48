"""Parsing texts into chapters, sections, articles, clauses and points: large and hostile texts.

Two synthetic texts the corpus does not hold, timed (median of runs): a 600-article code of
about 600 kB, and an article with 20,000 lines that open a quotation and never close it (quoted
amendments make the parser track quotes; a quadratic slip would show here first).

    .venv/bin/python bench/parse.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import _common as c  # puts the repository root first on sys.path

from lis.documents.parsing import parse_parts

ARTICLE = (
    "Điều {n}. Tiêu đề của điều {n}\n"
    "1. Khoản thứ nhất của điều này quy định về nội dung thử nghiệm dài vừa phải.\n"
    "2. Khoản thứ hai gồm các điểm sau đây:\n"
    "a) Điểm a với nội dung “trích dẫn” ngắn;\nb) Điểm b;\nc) Điểm c.\n"
    "3. Khoản thứ ba. {filler}\n"
)


def large_code() -> str:
    filler = "Nội dung bổ sung để văn bản đủ dài. " * 20
    chapters = []
    for chapter in range(1, 31):
        numbers = range((chapter - 1) * 20 + 1, chapter * 20 + 1)
        body = "".join(ARTICLE.format(n=n, filler=filler) for n in numbers)
        chapters.append(f"Chương {chapter}\nTIÊU ĐỀ CHƯƠNG\n{body}")
    return "".join(chapters)


def stray_quotes(lines: int = 20_000) -> str:
    return "Điều 1. Một\n" + "“Dòng có dấu mở ngoặc kép\n" * lines + "Điều 2. Hai\nNội dung.\n"


def median_ms(text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        parse_parts(text)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    code, quotes = large_code(), stray_quotes()
    rows = [
        ("600-article code", len(code), median_ms(code, args.runs)),
        ("20,000 unclosed quotes", len(quotes), median_ms(quotes, args.runs)),
    ]
    c.table(["text", "characters", "median ms"], rows, "Parsing")
    c.print_bars(
        [
            c.Bar("parse_600_articles", rows[0][2], "ms", "<=", 500),
            c.Bar("parse_stray_quotes", rows[1][2], "ms", "<=", 2000),
        ]
    )


if __name__ == "__main__":
    main()
