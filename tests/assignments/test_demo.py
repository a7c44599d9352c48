"""The demo assignments: one open, one overdue, for the demo staff member; seeded once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from lis.assignments.demo import ensure_demo_assignments
from lis.assignments.models import Assignment
from lis.demo import ensure_demo_users
from lis.drafts.demo import ensure_demo_drafts


def test_demo_assignments(db_session: Any) -> None:
    ensure_demo_users(db_session)
    ensure_demo_drafts(db_session)
    today = dt.date(2026, 12, 1)
    assert ensure_demo_assignments(db_session, today) == 2
    assert ensure_demo_assignments(db_session, today) == 0
    rows = list(db_session.scalars(select(Assignment).order_by(Assignment.due_date)))
    assert [(a.work_kind.code, a.state) for a in rows] == [
        ("RESEARCH_BRIEF", "open"),
        ("VERIFY_REPORT", "open"),
    ]
    assert [a.days_late(today) for a in rows] == [3, 0]
    assert {a.person.user.email for a in rows} == {"staff@demo.lis.vn"}
    assert {a.unit.code for a in rows} == {"UB-PLTP-V"}


def test_seed_demo_prints_them(app: Any, db_session: Any) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "Demo assignments: 2" in result.output
