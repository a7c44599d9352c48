"""Scoring one year for 2,000 staff and 200,000 contributions on PostgreSQL (DESIGN §6).

The bench database is rebuilt on every run: schema dropped and migrated, reference data seeded,
then 40 synthetic units under the NA Office (BENCH-01 … BENCH-40), 50 staff each, 500 drafts and
one year of contributions bulk-loaded with COPY: mostly verified, some waiting, rejected or
withdrawn; every quality band, 0–5 major errors, every outcome, dated and undated, on time and
late, all 21 kinds of work, a few logged for another unit.

Both ways of scoring the year with the catalogue's default criteria are timed, best of
`--runs` after a warm-up:
- the SQL path (emulation.sql_scoring: one GROUP BY per grouping), persons and units, ranked;
- the pure path (emulation.ledger.load, then emulation.scorecard.score per subject), the same.
Then the two must agree, criterion by criterion and on the total, for a sample of persons and
every unit. The bars: the SQL path scores the year in ≤ 1 s, and the two agree. For
information, the time of a stored snapshot (emulation.scoring.compute: the pure path plus every
line's fact ids and checksum, written to the database) is shown too.

    LIS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lis_bench \\
        .venv/bin/python bench/scoring.py [--runs 5] [--contributions 200000] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import statistics
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import _common as c  # puts the repository root first on sys.path

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/lis_bench"
YEAR = 2025
START, END = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
UNITS, STAFF_PER_UNIT, DRAFTS = 40, 50, 500
PARENT_UNIT = "VPQH"  # the NA Office
LIMIT_S = 1.0
SAMPLE_PERSONS = 200
TOLERANCE = 1e-9
STATES = (("verified", 90), ("submitted", 5), ("rejected", 3), ("withdrawn", 2))
BANDS = ((None, 10), ("excellent", 20), ("good", 40), ("completed", 22), ("not_completed", 8))
OUTCOMES = ((None, 40), ("accepted", 30), ("partly_accepted", 18), ("not_accepted", 12))
ERRORS = ((0, 80), (1, 10), (2, 5), (3, 3), (4, 1), (5, 1))
COPY_COLUMNS = (
    "document_id",
    "stage",
    "work_kind_id",
    "person_id",
    "unit_id",
    "title",
    "articles",
    "due_date",
    "delivered_date",
    "note",
    "source",
    "state",
    "reject_reason",
    "quality",
    "quality_comment",
    "major_errors",
    "outcome",
)


# --- the database -----------------------------------------------------------------------------
def database_url() -> str:
    url = os.environ.get("LIS_BENCH_DATABASE_URL") or DEFAULT_URL
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql") or not (parsed.database or "").startswith(
        "lis_bench"
    ):
        print(
            f"refusing {parsed.render_as_string()}: the bench drops its schema, so it needs a "
            "PostgreSQL database named lis_bench*",
            file=sys.stderr,
        )
        sys.exit(2)
    return url


def reachable_or_exit(url: str) -> None:
    """Connect once (creating the database when only it is missing); exit 2 with one line if
    PostgreSQL cannot be reached."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    plain = make_url(url).set(drivername="postgresql")
    try:
        psycopg.connect(plain.render_as_string(hide_password=False), connect_timeout=5).close()
        return
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if f'database "{plain.database}" does not exist' not in reason:
            print(f"PostgreSQL not reachable at {plain.render_as_string()}: {reason}")
            sys.exit(2)
    admin = plain.set(database="postgres").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(plain.database)))
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        print(f"database {plain.database} does not exist and cannot be created: {reason}")
        sys.exit(2)


def reset_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_app(url: str):  # type: ignore[no-untyped-def]  # lis is imported lazily
    from lis.app import create_app
    from lis.settings import Settings

    return create_app(
        Settings(
            database_url=url,
            index_dir=c.OUT / "scoring" / "index",
            secret_key=c.SECRET_KEY,
            demo_corpus=None,
            index_after_commit=False,
        )
    )


def migrate_and_seed() -> None:
    from flask_migrate import upgrade

    from emulation.seed import seed_emulation
    from lis.db import transaction
    from lis.reference.seed import seed_reference

    upgrade()
    with transaction() as session:
        seed_emulation(session, seed_reference(session))


# --- the year's data --------------------------------------------------------------------------
@dataclass(frozen=True)
class World:
    unit_ids: list[int]
    person_units: dict[int, int]  # person id → unit id
    document_ids: list[int]
    kinds: dict[str, int]  # work kind code → id


def pick(rng: random.Random, table: Sequence[tuple[Any, int]], k: int) -> list[Any]:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights, k=k)


def make_world(session: Any) -> World:
    """The units, staff and drafts the contributions point to (Core inserts, one per table)."""
    from sqlalchemy import insert, select

    from lis.documents.models import Document
    from lis.people.models import Person
    from lis.reference.models import Unit, WorkKind

    parent = session.scalar(select(Unit.id).where(Unit.code == PARENT_UNIT))
    codes = [f"BENCH-{n:02d}" for n in range(1, UNITS + 1)]
    session.execute(
        insert(Unit),
        [
            {
                "code": code,
                "name": f"Vụ thử nghiệm {code[-2:]}",
                "name_en": f"Bench department {code[-2:]}",
                "aliases_en": [],
                "kind": "office_department",
                "parent_id": parent,
                "source": "bench/scoring.py",
                "verified": False,
            }
            for code in codes
        ],
    )
    unit_ids = list(session.scalars(select(Unit.id).where(Unit.code.in_(codes)).order_by(Unit.id)))
    session.execute(
        insert(Person),
        [
            {
                "name": f"Chuyên viên {u:02d}-{n:02d}",
                "email": f"bench.{u:02d}.{n:02d}@bench.lis.vn",
                "position": "Chuyên viên",
                "unit_id": unit_id,
                "active": True,
            }
            for u, unit_id in enumerate(unit_ids, start=1)
            for n in range(1, STAFF_PER_UNIT + 1)
        ],
    )
    person_units = dict(
        session.execute(select(Person.id, Person.unit_id).where(Person.unit_id.in_(unit_ids))).all()
    )
    session.execute(
        insert(Document),
        [
            {
                "external_id": f"bench-draft-{n}",
                "kind": "law",
                "number": f"{n}/{YEAR}/BENCH",
                "number_key": f"{n}/{YEAR}/bench",
                "title": f"Dự thảo luật thử nghiệm số {n}",
                "status": "unknown",
                "topics": [],
                "origin": "draft",
                "stage": "S_VERIFY",
                "procedure": "normal",
            }
            for n in range(1, DRAFTS + 1)
        ],
    )
    document_ids = list(
        session.scalars(select(Document.id).where(Document.external_id.like("bench-draft-%")))
    )
    kinds = dict(session.execute(select(WorkKind.code, WorkKind.id)).all())
    session.commit()
    return World(unit_ids, person_units, document_ids, kinds)


def contribution_rows(world: World, n: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """`n` contributions of the year, in COPY_COLUMNS order."""
    people = list(world.person_units)
    kind_ids = list(world.kinds.values())
    states = pick(rng, STATES, n)
    bands = pick(rng, BANDS, n)
    outcomes = pick(rng, OUTCOMES, n)
    errors = pick(rng, ERRORS, n)
    days = (END - START).days
    for i in range(n):
        person = rng.choice(people)
        unit = world.person_units[person] if rng.random() >= 0.05 else rng.choice(world.unit_ids)
        delivered = START + dt.timedelta(days=rng.randint(0, days))
        roll = rng.random()
        # Undated, or due between 10 days before and 30 days after delivery (a quarter late).
        due = None if roll < 0.2 else delivered + dt.timedelta(days=rng.randint(-10, 30))
        state = states[i]
        verified = state == "verified"
        yield (
            rng.choice(world.document_ids),
            "S_VERIFY",
            rng.choice(kind_ids),
            person,
            unit,
            f"Sản phẩm thử nghiệm {i + 1}",
            "[]",
            due,
            delivered,
            "",
            "logged",
            state,
            "Thiếu căn cứ" if state == "rejected" else "",
            bands[i] if verified else None,
            "",
            errors[i] if verified and bands[i] else 0,
            outcomes[i] if verified else None,
        )


def bulk_load(engine: Any, world: World, n: int, seed: int) -> float:
    """COPY the contributions in; the seconds it took."""
    rng = random.Random(seed)
    columns = ", ".join(COPY_COLUMNS)
    with c.stopwatch() as took:
        raw = engine.raw_connection()
        try:
            cursor = raw.driver_connection.cursor()
            with cursor.copy(f"COPY contributions ({columns}) FROM STDIN") as copy:
                for row in c.progress(contribution_rows(world, n, rng), total=n, desc="COPY"):
                    copy.write_row(row)
            raw.commit()
            cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
    return took[0]


# --- the two paths ----------------------------------------------------------------------------
Scores = dict[str, dict[int, tuple[dict[str, float | None], float | None]]]


def catalogue(session: Any) -> list[Any]:
    from sqlalchemy import select

    from emulation.models import Criterion
    from emulation.scorecard import CriterionDef

    rows = session.scalars(select(Criterion).where(Criterion.default).order_by(Criterion.id))
    return [CriterionDef(r.code, r.formula, r.weight, r.params) for r in rows]


def sql_path(session: Any, defs: list[Any], times: dict[str, list[float]]) -> Scores:
    from emulation import scorecard, sql_scoring

    out: Scores = {}
    for grouping in ("person", "unit"):
        with c.stopwatch() as took:
            rows = sql_scoring.score_period(session, START, END, defs, grouping)
            scorecard.rank({s: r["total"] for s, r in rows.items()})
        times.setdefault(f"  {grouping}s", []).append(took[0])
        out[grouping] = {s: (r["values"], r["total"]) for s, r in rows.items()}
    return out


def pure_path(session: Any, defs: list[Any], times: dict[str, list[float]]) -> Scores:
    from emulation import ledger, scorecard

    with c.stopwatch() as took:
        year = ledger.load(session, START, END)
    times.setdefault("  ledger.load", []).append(took[0])
    out: Scores = {}
    for grouping in ("person", "unit"):
        with c.stopwatch() as took:
            scores = {}
            for subject, facts in scorecard.group(year.facts, f"{grouping}_id").items():
                docs = {f.document_id for f in facts}
                drafts = [d for doc, d in year.drafts.items() if doc in docs]
                scores[subject] = scorecard.score(defs, facts, drafts)
            scorecard.rank({s: r.total for s, r in scores.items()})
        times.setdefault(f"  score {grouping}s", []).append(took[0])
        out[grouping] = {s: (r.values, r.total) for s, r in scores.items()}
    return out


def timed(
    run: Callable[[Any, list[Any], dict[str, list[float]]], Scores],
    engine: Any,
    defs: list[Any],
    runs: int,
    label: str,
) -> tuple[dict[str, list[float]], Scores]:
    """A warm-up then `runs` timed runs, each in a fresh session; the parts' times by name
    (the whole under `label`) and the last run's scores."""
    from sqlalchemy.orm import Session

    times: dict[str, list[float]] = {}
    scores: Scores = {}
    for i in c.progress(range(runs + 1), desc=label):
        parts: dict[str, list[float]] = {}
        with Session(engine) as session, c.stopwatch() as took:
            scores = run(session, defs, parts)
        if i == 0:
            continue  # the warm-up
        times.setdefault(label, []).append(took[0])
        for name, values in parts.items():
            times.setdefault(name, []).extend(values)
    return times, scores


def snapshot(engine: Any, runs: int) -> dict[str, list[float]]:
    """What a council's "compute" costs end to end: `emulation.scoring.compute` for the year,
    lines and fact ids written, each run rolled back so the next starts from the same data."""
    from sqlalchemy.orm import Session

    from emulation import scoring
    from emulation.access import SystemActor

    times: dict[str, list[float]] = {}
    for i in c.progress(range(runs + 1), desc="snapshot"):
        with Session(engine) as session:
            with c.stopwatch() as took:
                scoring.compute(session, SystemActor(), year=YEAR)
            session.rollback()
        if i:
            times.setdefault("stored snapshot (compute)", []).append(took[0])
    return times


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE)


def compare(sql: Scores, pure: Scores, rng: random.Random) -> tuple[int, int, list[str]]:
    """(subjects equal, subjects checked, what differed) for a sample of persons and every
    unit: each criterion's value and the total."""
    persons = sorted(pure["person"])
    checked = [("person", p) for p in rng.sample(persons, min(SAMPLE_PERSONS, len(persons)))]
    checked += [("unit", u) for u in sorted(pure["unit"])]
    wrong: list[str] = []
    for grouping, subject in checked:
        want_values, want_total = pure[grouping][subject]
        if subject not in sql[grouping]:
            wrong.append(f"{grouping} {subject}: missing from the SQL path")
            continue
        values, total = sql[grouping][subject]
        diffs = [k for k, v in want_values.items() if not same(values.get(k), v)]
        if not same(total, want_total):
            diffs.append(f"total {total} != {want_total}")
        if diffs:
            wrong.append(f"{grouping} {subject}: {', '.join(diffs)}")
    if set(sql["person"]) != set(pure["person"]) or set(sql["unit"]) != set(pure["unit"]):
        wrong.append("the two paths score different sets of subjects")
    return len(checked) - len(wrong), len(checked), wrong


# --- main -------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs after a warm-up")
    parser.add_argument("--contributions", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    url = database_url()
    reachable_or_exit(url)
    reset_schema(url)
    app = make_app(url)
    with app.app_context():
        from sqlalchemy import func, select

        from lis.contributions.models import Contribution
        from lis.db import db

        with c.stopwatch() as took:
            migrate_and_seed()
            world = make_world(db.session())
        print(
            f"data: {url.rsplit('/', 1)[-1]} migrated and seeded; {len(world.unit_ids)} units "
            f"under {PARENT_UNIT}, {len(world.person_units)} staff, {len(world.document_ids)} "
            f"drafts in {took[0]:.1f} s"
        )
        engine = db.engine
        seconds = bulk_load(engine, world, args.contributions, args.seed)
        session = db.session()
        by_state = dict(
            session.execute(
                select(Contribution.state, func.count()).group_by(Contribution.state)
            ).all()
        )
        defs = catalogue(session)
        db.remove()
        print(
            f"data: {args.contributions:,} contributions of {YEAR} by COPY in {seconds:.1f} s "
            f"({args.contributions / seconds:,.0f}/s): "
            + ", ".join(f"{by_state.get(s, 0):,} {s}" for s, _ in STATES)
        )
        print(
            "criteria: "
            + ", ".join(f"{d.code}={d.formula} ×{d.weight:g}" for d in defs)
            + " (the catalogue's defaults)"
        )

        sql_times, sql = timed(sql_path, engine, defs, args.runs, "SQL path")
        pure_times, pure = timed(pure_path, engine, defs, args.runs, "pure path")
        equal, checked, wrong = compare(sql, pure, random.Random(args.seed))
        snapshot_times = snapshot(engine, min(args.runs, 3))

    rows = [
        [name, len(values), min(values), statistics.median(values)]
        for name, values in (*sql_times.items(), *pure_times.items(), *snapshot_times.items())
    ]
    c.table(
        ["scoring one year", "runs", "min s", "median s"],
        rows,
        title=(
            f"Scoring {YEAR}: {len(pure['person']):,} persons and {len(pure['unit'])} units with "
            f"verified work, best of {args.runs} runs after a warm-up (ranking included)"
        ),
    )
    print(
        f"\nequality: {equal}/{checked} subjects ({min(SAMPLE_PERSONS, len(pure['person']))} "
        f"persons sampled, all {len(pure['unit'])} units) have every criterion and the total "
        f"equal to {TOLERANCE:g} on both paths"
    )
    for line in wrong[:10]:
        print(f"  {line}")
    print(
        "\nThe bar is on scoring (the SQL path). The pure path is the reference it is checked "
        "against, and a stored snapshot (emulation.scoring.compute) adds to it the fact ids and "
        "checksums of every line, written to the database: both are shown for information."
    )
    bars = [
        c.Bar("scoring_year_sql", min(sql_times["SQL path"]), "s", "<=", LIMIT_S, digits=3),
        c.Bar("scoring_sql_equals_pure", equal, "", "==", checked, digits=0),
    ]
    c.print_bars(bars)
    sys.exit(0 if all(bar.ok for bar in bars) else 1)


if __name__ == "__main__":
    main()
