"""Demo assignments for a laptop (`lis seed demo`): on the demo law under verification, the
demo head asks the demo staff member for the verification report (due in two weeks) and for a
research brief that is already overdue, so both lists have something to show. Idempotent: a
draft that already has assignments is left alone. Never used in production."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from lis import clock
from lis.assignments import services
from lis.assignments.models import Assignment
from lis.auth import services as auth_services
from lis.demo import demo_email
from lis.documents.models import Document
from lis.drafts.demo import DEMO_DRAFTS
from lis.people.queries import person_of_user


def ensure_demo_assignments(session: Session, today: dt.date | None = None) -> int:
    """Create the demo assignments when missing; how many were created."""
    today = today or clock.today()
    head = auth_services.find_user(session, demo_email("head"))
    staff = auth_services.find_user(session, demo_email("staff"))
    law = session.scalar(
        select(Document).where(
            Document.origin == "draft", Document.title == DEMO_DRAFTS[0].data["title"]
        )
    )
    if head is None or staff is None or law is None or law.stage != "S_VERIFY":
        return 0
    if session.scalar(select(Assignment.id).where(Assignment.document_id == law.id).limit(1)):
        return 0
    person = person_of_user(session, staff.id)
    tasks = (
        ("VERIFY_REPORT", today + dt.timedelta(days=14)),
        ("RESEARCH_BRIEF", today - dt.timedelta(days=3)),
    )
    for work_kind, due in tasks:
        services.assign(
            session,
            head,
            document=law.external_id,
            stage="S_VERIFY",
            work_kind=work_kind,
            unit="UB-PLTP-V",
            due_date=due,
            person_id=person.id if person else None,
            today=today - dt.timedelta(days=20),
        )
    return len(tasks)
