"""`lis emulation score` and `lis emulation reproduce`: what they print and their exit codes.

The group is invoked directly through the app's CLI runner (which gives it the app), so the
tests do not depend on its registration in `lis.cli`."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from emulation.cli import emulation_group
from emulation.models import ScoreSnapshot
from lis.audit.models import AuditEvent
from tests.emulation.helpers import YEAR
from tests.emulation.scores.cases import known_case, movement


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(emulation_group, list(args))


def latest(session: Any) -> ScoreSnapshot:
    snap = session.scalar(select(ScoreSnapshot).order_by(ScoreSnapshot.id.desc()))
    assert snap is not None
    return snap


def test_score_a_year_prints_the_rankings(app: Flask, db_session: Any) -> None:
    k = known_case(db_session)
    db_session.commit()
    result = run(app, "score", "--year", str(YEAR), "--note", "from cron")
    assert result.exit_code == 0, result.output
    snap = latest(db_session)
    out = result.output
    assert f"snapshot {snap.id} (year {YEAR}" in out
    assert f"rule version: {snap.rule_version}" in out and "facts: 4" in out
    assert "people: 3" in out and "units: 2" in out
    header = next(line for line in out.splitlines() if line.lstrip().startswith("rank"))
    assert header.split() == [
        "rank",
        "name",
        "progress",
        "quality",
        "effectiveness",
        "volume",
        "total",
    ]
    a_row = next(line for line in out.splitlines() if k.a.name in line)
    assert a_row.split()[0] == "3" and a_row.split()[-5:] == [
        "87.50",
        "77.50",
        "75.00",
        "50.00",
        "75.88",
    ]
    b_row = next(line for line in out.splitlines() if k.b.name in line)
    assert b_row.split()[0] == "1" and b_row.split()[-3:] == ["-", "25.00", "77.19"]
    assert snap.note == "from cron" and snap.computed_by_id is None
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.entity == "score_snapshot"))
    assert event.actor_email == "system" and event.entity_id == str(snap.id)


def test_score_a_movement(app: Flask, db_session: Any) -> None:
    m = movement(db_session, units=("UB-PLTP-V",), state="reviewed")
    db_session.commit()
    result = run(app, "score", "--movement", str(m.id))
    assert result.exit_code == 0, result.output
    assert f"movement {m.id}" in result.output
    assert "rule version: progress=progress@1,volume=volume@1" in result.output


def test_score_refuses_bad_input_in_one_line(app: Flask, db_session: Any) -> None:
    for args, words in (
        ([], "year"),
        (["--year", "1800"], "between 1990 and 2100"),
        (["--year", str(YEAR), "--movement", "1"], "not both"),
        (["--movement", "999999"], "movement_id: unknown"),
    ):
        result = run(app, "score", *args)
        assert result.exit_code == 1, (args, result.output)
        assert words in result.output and len(result.output.strip().splitlines()) == 1
    assert db_session.scalar(select(ScoreSnapshot.id)) is None
    assert run(app, "score", "--year", "soon").exit_code == 2  # not a number: click's usage


def test_reproduce_exact_then_changed(app: Flask, db_session: Any) -> None:
    k = known_case(db_session)
    db_session.commit()
    assert run(app, "score", "--year", str(YEAR)).exit_code == 0
    snap = latest(db_session)
    exact = run(app, "reproduce", str(snap.id))
    assert exact.exit_code == 0 and exact.output.startswith("exact"), exact.output
    assert "5 lines checked" in exact.output
    k.c1.outcome = "not_accepted"
    db_session.commit()
    changed = run(app, "reproduce", str(snap.id))
    assert changed.exit_code == 1
    lines = changed.output.strip().splitlines()
    assert any(
        "effectiveness: stored 75.0000, recomputed 25.0000" in line
        and k.a.name in line
        and f"changed facts: {k.c1.id}" in line
        for line in lines
    ), changed.output
    assert lines[-1].startswith("not exact: 4 differences")


def test_reproduce_an_unknown_snapshot(app: Flask, db_session: Any) -> None:
    result = run(app, "reproduce", "999999")
    assert result.exit_code == 1 and "no score snapshot 999999" in result.output
    assert len(result.output.strip().splitlines()) == 1
