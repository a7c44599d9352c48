"""Shared test data for advisory contributions: a law draft in S_VERIFY under the law
committee (UB-PLTP) with two versions, members of its department, an assignment, and `log`,
which logs a contribution with sensible defaults.

The draft is back-dated (created 120 days ago, versions 100 and 50 days ago) so tests can
log contributions delivered on earlier days without breaking "not before the draft existed".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from lis import clock
from lis.assignments.models import Assignment
from lis.auth.models import User
from lis.contributions.models import Contribution
from lis.documents.models import Document
from lis.drafts import services as drafts
from tests.drafts.helpers import DRAFT, V1, V2
from tests.factories import PersonFactory, UserFactory, unit_by_code

LEAD_UNIT = "UB-PLTP"
DEPARTMENT = "UB-PLTP-V"  # the committee's department: its staff log for the committee too
STAGE = "S_VERIFY"
WORK_KIND = "VERIFY_REPORT"  # verification report, a S_VERIFY kind of work
DRAFT_AGE_DAYS = 120


def member(session: Session, *roles: str, unit: str = DEPARTMENT, **kw: Any) -> User:
    """A user with these roles whose person belongs to `unit` (the `make_member` fixture's
    equivalent for code that only has a session)."""
    user = UserFactory(roles=list(roles) or ["staff"], **kw)
    PersonFactory(name=user.name, email=user.email, user=user, unit=unit_by_code(unit))
    session.flush()
    return user


def make_draft(
    session: Session, actor: User | None = None, *, title: str | None = None
) -> Document:
    """A law draft led by UB-PLTP, with versions 1 and 2 (V1/V2 of tests/drafts/helpers: both
    have articles dieu-1…dieu-4), in stage S_VERIFY, created DRAFT_AGE_DAYS ago."""
    actor = actor or UserFactory(roles=["admin"])
    today = clock.today()
    data = dict(DRAFT, lead_unit=LEAD_UNIT)
    if title:
        data["title"] = title
    doc = drafts.create_draft(session, actor, data)
    drafts.add_version(session, actor, doc, "Dự thảo 1", V1, today - dt.timedelta(days=100))
    drafts.add_version(session, actor, doc, "Dự thảo 2", V2, today - dt.timedelta(days=50))
    doc.stage = STAGE
    # Noon of that day in the office's time zone, stored in UTC as the app stores it.
    noon = dt.datetime.combine(
        today - dt.timedelta(days=DRAFT_AGE_DAYS), dt.time(12), tzinfo=clock.zone()
    )
    doc.created_at = noon.astimezone(dt.UTC).replace(tzinfo=None)
    session.flush()
    return doc


def make_assignment(
    session: Session,
    document: Document,
    *,
    unit: str = DEPARTMENT,
    stage: str = STAGE,
    work_kind: str = WORK_KIND,
    due_date: dt.date | None = None,
    person_id: int | None = None,
    actor: User | None = None,
) -> Assignment:
    """An open assignment of `work_kind` on the draft for `unit`, due in 10 days by default."""
    from lis.assignments import services as assignments

    return assignments.assign(
        session,
        actor or UserFactory(roles=["admin"]),
        document=document.external_id,
        stage=stage,
        work_kind=work_kind,
        unit=unit,
        due_date=due_date or clock.today() + dt.timedelta(days=10),
        title="Thẩm tra dự án luật",
        person_id=person_id,
    )


def payload(document: Document | str, **overrides: Any) -> dict[str, Any]:
    """The `data` mapping of a valid log_contribution call on `document`."""
    data: dict[str, Any] = {
        "document": document if isinstance(document, str) else document.external_id,
        "work_kind": WORK_KIND,
        "title": "Báo cáo thẩm tra dự án Luật thử nghiệm",
        "delivered_date": clock.today() - dt.timedelta(days=1),
    }
    data.update(overrides)
    return data


def log(session: Session, user: User, **overrides: Any) -> Contribution:
    """Log a contribution as `user` through `log_contribution` and return the row.

    `document` may be a Document or an external id (default: a new draft from make_draft);
    `idempotency_key`, `upload`, `today` and `source` go to the keyword arguments; every
    other override replaces a key of `data`.
    """
    from lis.contributions.services import log_contribution

    kwargs = {
        k: overrides.pop(k)
        for k in ("idempotency_key", "upload", "today", "source")
        if k in overrides
    }
    document = overrides.pop("document", None)
    if document is None:
        document = make_draft(session)
    row, _created = log_contribution(session, user, payload(document, **overrides), **kwargs)
    return row
