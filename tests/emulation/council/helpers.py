"""Council test data: members, a nomination before the council with its eligibility report
(rows written in the state a test needs; moving nominations is tested with the nominations),
and meetings opened through the services (their rules are what is tested)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulation import council
from emulation.commendation_models import CouncilMeeting, EligibilityReport, Nomination
from lis.audit.models import AuditEvent
from lis.people.models import Person
from tests.emulation.helpers import person
from tests.factories import UserFactory, unit_by_code

HELD_ON = dt.date(2025, 12, 15)
RULE_VERSIONS = ["R2.cstdcs.excellent_or_initiative@1", "G1.no_pending_case@1"]
PARAMS = {"cstdcs_needs_both": False, "ldtt_min_months": 10}


def officer() -> Any:
    return UserFactory(roles=["officer"])


def members(n: int, unit: str = "UB-PLTP") -> list[Person]:
    return [person(unit, name=f"Ủy viên Hội đồng {i + 1}") for i in range(n)]


def nomination(
    session: Session,
    *,
    state: str = "council",
    title: str = "CSTDCS",
    report: bool = True,
    who: Person | None = None,
) -> Nomination:
    """A nomination of a person of the law committee's department, in `state`, with a passing
    eligibility report (its rule versions and parameters) unless told."""
    who = who or person("UB-PLTP-V")
    row = Nomination(
        person_id=who.id,
        title_code=title,
        year=2025,
        proposed_by_unit_id=unit_by_code("UB-PLTP-V").id,
        state=state,
        summary="Hoàn thành xuất sắc nhiệm vụ, có sáng kiến",
    )
    if report:
        row.eligibility_report = EligibilityReport(
            person_id=who.id,
            title_code=title,
            year=2025,
            evaluated_on=dt.date(2025, 12, 1),
            outcome="pass",
            results=[
                {
                    "rule": "R2.cstdcs.excellent_or_initiative",
                    "version": 1,
                    "outcome": "pass",
                    "reason": "excellent",
                    "params": {"basis": "excellent"},
                    "facts": ["rating:2025"],
                    "provision": "law_06_2022.art23.1",
                }
            ],
            params=dict(PARAMS),
            rule_versions=list(RULE_VERSIONS),
        )
    session.add(row)
    session.flush()
    return row


def meeting(
    session: Session,
    actor: Any = None,
    *,
    size: int = 9,
    present: int | None = None,
    people: Sequence[Person] | None = None,
    held_on: dt.date = HELD_ON,
) -> CouncilMeeting:
    """An open meeting of `size` new members (or `people`), the first `present` of them
    marked present (all of them unless told)."""
    actor = actor or officer()
    people = list(people) if people is not None else members(size)
    row = council.open_meeting(
        session,
        actor,
        title="Phiên họp Hội đồng Thi đua – Khen thưởng cuối năm 2025",
        held_on=held_on,
        members=[p.id for p in people],
    )
    count = len(people) if present is None else present
    if count:
        council.record_attendance(
            session, actor, row.id, {p.id: i < count for i, p in enumerate(people)}
        )
    return row


def present_ids(row: CouncilMeeting) -> list[int]:
    return sorted(a.person_id for a in row.attendance if a.present)


def events(session: Session, action: str, entity_id: object | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action)
    if entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == str(entity_id))
    return list(session.scalars(stmt.order_by(AuditEvent.id)))
