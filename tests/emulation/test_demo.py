"""The emulation demo that `make run` seeds: every emulation page has data, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from emulation.commendation_models import EligibilityReport, Initiative, Nomination
from emulation.demo import ensure_demo_emulation
from emulation.models import Movement, QualityRating, ScoreLine, ScoreSnapshot
from lis.audit.models import AuditEvent
from lis.contributions.models import Contribution
from lis.demo import ensure_demo_users
from lis.documents.models import Document

TODAY = dt.date(2026, 3, 2)


def test_the_demo_scores_last_year_and_opens_this_years_movement(db_session: Any) -> None:
    laws = db_session.scalar(
        select(func.count()).select_from(Document).where(Document.origin == "imported")
    )
    if not laws:
        pytest.skip("the demo needs the imported sample corpus (../shared/corpus)")
    ensure_demo_users(db_session)
    said = ensure_demo_emulation(db_session, TODAY)
    assert said is not None and "movement" in said
    snapshot = db_session.scalar(select(ScoreSnapshot).where(ScoreSnapshot.year == 2025))
    assert snapshot is not None and snapshot.fact_count > 0
    ranked = db_session.scalars(
        select(ScoreLine).where(ScoreLine.snapshot_id == snapshot.id, ScoreLine.rank == 1)
    ).all()
    assert ranked  # someone came first
    assert db_session.scalar(select(func.count()).select_from(QualityRating)) > 0
    movement = db_session.scalar(select(Movement))
    assert movement.start_date == dt.date(2026, 1, 1) and movement.participants
    assert [p.title_code for p in movement.pledges] == ["CSTDCS"]
    nomination = db_session.scalar(select(Nomination))
    assert (nomination.title_code, nomination.state, nomination.year) == ("CSTDCS", "draft", 2025)
    report = db_session.scalar(select(EligibilityReport))
    assert report is not None and report.title_code == "CSTDCS"
    assert db_session.scalar(select(func.count()).select_from(Initiative)) == 1
    # The past work it enters is audited, verified at a date and entered by someone.
    past = db_session.scalars(select(Contribution).where(Contribution.source == "imported")).all()
    assert past and all(c.created_by_id and c.verified_at for c in past)
    audited = db_session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.entity == "contribution", AuditEvent.action == "import")
    )
    assert audited == len(past)
    assert ensure_demo_emulation(db_session, TODAY) is None  # once
