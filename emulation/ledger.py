"""Read the advisory ledger into facts for a period.

Only verified contributions are facts; contributions still waiting for a head (`submitted`) are
returned apart so screens can show them without counting them; rejected and withdrawn ones are
not work done. A contribution belongs to the period of its delivery date.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from emulation.facts import ContributionFact, DraftFact
from lis.contributions.models import Contribution
from lis.documents.models import document_sessions
from lis.drafts.models import StageEvent
from lis.reference.models import Session as NASession
from lis.reference.models import WorkKind

ADOPTED = "S_ADOPTED"
NOT_ADOPTED = "S_NOT_ADOPTED"


@dataclass(frozen=True)
class Pending:
    """A contribution logged but not yet verified: shown apart, never scored."""

    id: int
    person_id: int
    unit_id: int


@dataclass(frozen=True)
class Ledger:
    facts: list[ContributionFact]
    pending: list[Pending]
    drafts: dict[int, DraftFact]  # by document id: drafts that reached a final stage in the period


def _subject_filter(stmt, person_ids: Collection[int] | None, unit_ids: Collection[int] | None):  # type: ignore[no-untyped-def]
    if person_ids is not None and unit_ids is not None:
        return stmt.where(
            Contribution.person_id.in_(list(person_ids)) | Contribution.unit_id.in_(list(unit_ids))
        )
    if person_ids is not None:
        return stmt.where(Contribution.person_id.in_(list(person_ids)))
    if unit_ids is not None:
        return stmt.where(Contribution.unit_id.in_(list(unit_ids)))
    return stmt


def load(
    session: Session,
    start: dt.date,
    end: dt.date,
    *,
    person_ids: Collection[int] | None = None,
    unit_ids: Collection[int] | None = None,
) -> Ledger:
    """The period's facts, for the given people and units (contributions logged for those
    units or by those people), or for everyone when both are None."""
    period = Contribution.delivered_date.between(start, end)
    stmt = (
        select(
            Contribution.id,
            Contribution.person_id,
            Contribution.unit_id,
            Contribution.document_id,
            WorkKind.code,
            Contribution.due_date,
            Contribution.delivered_date,
            Contribution.quality,
            Contribution.major_errors,
            Contribution.outcome,
        )
        .join(WorkKind, WorkKind.id == Contribution.work_kind_id)
        .where(period, Contribution.state == "verified")
        .order_by(Contribution.id)
    )
    # A year is 200,000 rows: read them through the Core connection (the ORM adds nothing to
    # plain columns but time) with the cyclic collector paused (it would run a thousand times
    # over objects that hold no cycles).
    with _collector_paused():
        rows = session.connection().execute(_subject_filter(stmt, person_ids, unit_ids))
        facts = [ContributionFact(*row) for row in rows]
    pending_stmt = (
        select(Contribution.id, Contribution.person_id, Contribution.unit_id)
        .where(period, Contribution.state == "submitted")
        .order_by(Contribution.id)
    )
    pending = [
        Pending(*row)
        for row in session.execute(_subject_filter(pending_stmt, person_ids, unit_ids))
    ]
    return Ledger(facts, pending, draft_facts(session, {f.document_id for f in facts}, start, end))


def draft_facts(
    session: Session, document_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, DraftFact]:
    """Drafts among `document_ids` whose final stage (adopted or not) was reached in the
    period, and whether adoption came by the end of the last session they were planned for."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    final: dict[int, tuple[dt.date, bool]] = {}
    events = select(StageEvent.document_id, StageEvent.event_date, StageEvent.to_stage).where(
        StageEvent.to_stage.in_((ADOPTED, NOT_ADOPTED)),
        StageEvent.event_date.between(start, end),
    )
    for chunk in _chunks(ids):
        for doc_id, day, stage in session.execute(events.where(StageEvent.document_id.in_(chunk))):
            # The latest final event counts (a draft not adopted and adopted later).
            if doc_id not in final or day >= final[doc_id][0]:
                final[doc_id] = (day, stage == ADOPTED)
    if not final:
        return {}
    planned_end: dict[int, dt.date | None] = {}
    plan = (
        select(document_sessions.c.document_id, func.max(NASession.end_date))
        .join(NASession, and_(NASession.id == document_sessions.c.session_id))
        .group_by(document_sessions.c.document_id)
    )
    for chunk in _chunks(sorted(final)):
        rows = session.execute(plan.where(document_sessions.c.document_id.in_(chunk))).all()
        planned_end.update((doc_id, last) for doc_id, last in rows)
    out: dict[int, DraftFact] = {}
    for doc_id, (day, adopted) in final.items():
        last = planned_end.get(doc_id)
        on_plan = None if last is None or not adopted else day <= last
        out[doc_id] = DraftFact(doc_id, adopted, on_plan)
    return out


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chunks(ids: list[int], size: int = 5000) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]
