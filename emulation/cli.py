"""`lis emulation`: compute and reproduce score snapshots from a terminal or a cron job.

The commands act as the system (no login), with an administrator's rights; the audit log
records them as "system". Each commits once.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from emulation import scoring
from emulation.access import SystemActor
from emulation.models import ScoreLine, ScoreSnapshot
from lis.db import db, transaction
from lis.errors import DomainError

TOP_PERSONS = 20
NAME_WIDTH = 32


def _fail(exc: DomainError) -> None:
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    raise click.ClickException(exc.message + (f" ({details})" if details else ""))


@click.group("emulation")
def emulation_group() -> None:
    """Emulation scores."""


@emulation_group.command("score")
@click.option("--year", type=int, help="Score this calendar year (catalogue criteria).")
@click.option("--movement", "movement_id", type=int, help="Score this movement (its id).")
@click.option("--note", default="", help="Why this computation was run.")
@with_appcontext
def score(year: int | None, movement_id: int | None, note: str) -> None:
    """Compute a score snapshot for a year or a movement and print its rankings."""
    try:
        with transaction() as session:
            snap = scoring.compute(
                session, SystemActor(), year=year, movement_id=movement_id, note=note
            )
            snap_id = snap.id
    except DomainError as exc:
        _fail(exc)
    session = db.session()
    snap = scoring.get_snapshot(session, snap_id)
    scope = f"year {snap.year}" if snap.year is not None else f"movement {snap.movement_id}"
    click.echo(f"snapshot {snap.id} ({scope}, {snap.period_start} to {snap.period_end})")
    click.echo(f"rule version: {snap.rule_version}")
    click.echo(f"facts: {snap.fact_count}")
    if snap.previous_id is not None:
        click.echo(f"previous snapshot: {snap.previous_id}")
    codes = [str(c["code"]) for c in snap.criteria]
    people = _lines(session, snap, "person")
    units = _lines(session, snap, "unit")
    click.echo(f"\npeople: {len(people)} (top {min(TOP_PERSONS, len(people))})")
    _table(people[:TOP_PERSONS], codes)
    click.echo(f"\nunits: {len(units)}")
    _table(units, codes)


def _lines(session: Session, snap: ScoreSnapshot, kind: str) -> list[ScoreLine]:
    stmt = scoring.visible_lines(session, SystemActor(), snap.id, subject_kind=kind)
    return list(session.scalars(stmt.options(selectinload(ScoreLine.unit))))


def _cell(value: float | None, places: int = 2) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def _table(lines: Sequence[ScoreLine], codes: Sequence[str]) -> None:
    widths = [max(len(c), 8) for c in codes]
    head = f"{'rank':>4}  {'name':<{NAME_WIDTH}}"
    head += "".join(f"  {c:>{w}}" for c, w in zip(codes, widths, strict=True))
    click.echo(head + f"  {'total':>8}")
    for line in lines:
        rank = "-" if line.rank is None else str(line.rank)
        name = scoring.subject_name(line, "vi")[:NAME_WIDTH]
        row = f"{rank:>4}  {name:<{NAME_WIDTH}}"
        row += "".join(
            f"  {_cell(line.values.get(c)):>{w}}" for c, w in zip(codes, widths, strict=True)
        )
        click.echo(row + f"  {_cell(line.total):>8}")


@emulation_group.command("reproduce")
@click.argument("snapshot_id", type=int)
@with_appcontext
def reproduce(snapshot_id: int) -> None:
    """Score a snapshot again from its stored facts; exit 1 unless it reproduces exactly."""
    session = db.session()
    try:
        result = scoring.reproduce(session, snapshot_id)
    except DomainError as exc:
        _fail(exc)
    if result.exact:
        click.echo(f"exact ({result.lines_checked} lines checked)")
        return
    names = {
        line.id: f"{line.subject_kind} {scoring.subject_name(line, 'vi')}"
        for line in session.scalars(
            select(ScoreLine)
            .where(ScoreLine.id.in_(sorted({d.line_id for d in result.differences})))
            .options(selectinload(ScoreLine.person), selectinload(ScoreLine.unit))
        )
    }
    for d in result.differences:
        changed = ", ".join(map(str, d.changed_fact_ids)) or "none"
        click.echo(
            f"line {d.line_id} ({names.get(d.line_id, '?')}) {d.criterion}: "
            f"stored {_cell(d.stored, 4)}, recomputed {_cell(d.recomputed, 4)}; "
            f"changed facts: {changed}"
        )
    click.echo(f"not exact: {len(result.differences)} differences in {result.lines_checked} lines")
    sys.exit(1)
