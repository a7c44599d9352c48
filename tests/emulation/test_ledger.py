"""Reading the ledger into facts: what counts, what is shown apart, what is ignored; and the
drafts that reached their final stage, on plan or late. Plus the seeded catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from emulation import ledger
from emulation.models import Criterion, Title
from emulation.seed import seed_emulation
from lis.drafts.models import StageEvent
from lis.reference.models import Session as NASession
from lis.reference.seed import SeedReport
from tests.emulation.helpers import YEAR, draft, fact, person

START, END = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)


def test_only_verified_work_of_the_period_counts(db_session: Any) -> None:
    p = person()
    counted = fact(db_session, p, quality="excellent", errors=2, outcome="accepted")
    waiting = fact(db_session, p, state="submitted")
    fact(db_session, p, state="rejected")
    fact(db_session, p, state="withdrawn")
    fact(db_session, p, delivered=dt.date(YEAR - 1, 12, 31))  # last year
    edge = fact(db_session, p, delivered=END)
    got = ledger.load(db_session, START, END, person_ids=[p.id])
    assert [f.id for f in got.facts] == [counted.id, edge.id]
    first = got.facts[0]
    assert (first.quality, first.major_errors, first.outcome) == ("excellent", 2, "accepted")
    assert first.work_kind == "VERIFY_REPORT" and first.unit_id == p.unit_id
    assert [x.id for x in got.pending] == [waiting.id]


def test_subjects_select_by_person_or_by_unit(db_session: Any) -> None:
    a, b, c = person("UB-PLTP-V"), person("UB-KTTC-V"), person("UB-KTTC-V")
    fa, fb, fc = fact(db_session, a), fact(db_session, b), fact(db_session, c)
    by_person = ledger.load(db_session, START, END, person_ids=[a.id])
    assert [f.id for f in by_person.facts] == [fa.id]
    by_unit = ledger.load(db_session, START, END, unit_ids=[b.unit_id])
    assert {f.id for f in by_unit.facts} >= {fb.id, fc.id} and fa.id not in {
        f.id for f in by_unit.facts
    }
    both = ledger.load(db_session, START, END, person_ids=[a.id], unit_ids=[b.unit_id])
    assert {fa.id, fb.id, fc.id} <= {f.id for f in both.facts}


def _final(db_session: Any, doc: Any, stage: str, day: dt.date) -> None:
    db_session.add(
        StageEvent(
            document_id=doc.id,
            seq=1,
            from_stage="S_VOTE",
            to_stage=stage,
            event_date=day,
            actor_email="clerk@test.lis.vn",
            acting_as="QH",
        )
    )
    db_session.flush()


def test_drafts_adopted_on_plan_late_or_not_at_all(db_session: Any) -> None:
    session_row = db_session.scalar(
        select(NASession).where(NASession.end_date.is_not(None)).order_by(NASession.id)
    )
    assert session_row is not None, "the seeded sessions have dates"
    on_plan, late, rejected, unplanned, unfinished = (draft() for _ in range(5))
    for doc in (on_plan, late, rejected):
        doc.planned_sessions.append(session_row)
    db_session.flush()
    end = session_row.end_date
    _final(db_session, on_plan, ledger.ADOPTED, end)
    _final(db_session, late, ledger.ADOPTED, end + dt.timedelta(days=40))
    _final(db_session, rejected, ledger.NOT_ADOPTED, end)
    _final(db_session, unplanned, ledger.ADOPTED, end)
    start, stop = end - dt.timedelta(days=200), end + dt.timedelta(days=200)
    ids = [d.id for d in (on_plan, late, rejected, unplanned, unfinished)]
    got = ledger.draft_facts(db_session, ids, start, stop)
    assert set(got) == {on_plan.id, late.id, rejected.id, unplanned.id}
    assert (got[on_plan.id].adopted, got[on_plan.id].on_plan) == (True, True)
    assert (got[late.id].adopted, got[late.id].on_plan) == (True, False)
    assert (got[rejected.id].adopted, got[rejected.id].on_plan) == (False, None)
    assert (got[unplanned.id].adopted, got[unplanned.id].on_plan) == (True, None)
    # outside the period, nothing reached its end
    assert ledger.draft_facts(db_session, ids, stop, stop + dt.timedelta(days=1)) == {}


def test_the_catalogue_is_seeded_and_seeding_is_idempotent(db_session: Any) -> None:
    codes = set(db_session.scalars(select(Criterion.code)))
    assert codes == {"progress", "quality", "effectiveness", "volume", "adoption"}
    titles = {t.code: t.subject for t in db_session.scalars(select(Title))}
    assert titles["CSTDCS"] == "individual" and titles["TTLDXS"] == "collective"
    again = seed_emulation(db_session, SeedReport())
    assert not again.changed
    assert again.tallies["emulation_criteria"].unchanged == 5
