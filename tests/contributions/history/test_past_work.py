"""The historical import takes past work as it happened: before the draft's LIS record was made,
and on acts enacted before LIS (found by id or number), judged against the document's own
dates; live logging keeps the stricter rules, and a sheet is still imported whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lis import clock
from lis.clock import today
from lis.contributions import history
from lis.contributions.models import Contribution
from lis.documents.models import Document
from lis.errors import ValidationError
from tests.contributions.helpers import LEAD_UNIT, log, make_draft, member
from tests.contributions.history.test_import import row, sheet
from tests.factories import DocumentFactory, VersionFactory

ENACTED_NUMBER = "9901/2025/QH15"
ISSUED = dt.date(2025, 6, 25)


def _count(session: Session, doc: Document) -> int:
    stmt = select(func.count()).select_from(Contribution).where(Contribution.document_id == doc.id)
    return session.scalar(stmt) or 0


def _recorded_today(session: Session, doc: Document) -> None:
    """The draft's LIS record made today, after its versions (dated 100 and 50 days ago)."""
    now = dt.datetime.combine(today(), dt.time(12), tzinfo=clock.zone())
    doc.created_at = now.astimezone(dt.UTC).replace(tzinfo=None)
    session.flush()


def _enacted(session: Session) -> Document:
    """A law enacted before LIS, as the corpus import leaves it: in force, issued, one version."""
    doc = DocumentFactory(
        external_id="luat-9901-2025-qh15",
        kind="law",
        number=ENACTED_NUMBER,
        number_key=ENACTED_NUMBER.lower(),
        issuer="Quốc hội",
        issued_date=ISSUED,
        origin="imported",
        stage="S_IN_FORCE",
    )
    VersionFactory(document=doc, seq=1, label="Văn bản gốc", version_date=ISSUED)
    session.flush()
    return doc


@pytest.fixture
def w(db_session: Session) -> dict[str, Any]:
    draft = make_draft(db_session)
    _recorded_today(db_session, draft)
    world = {
        "draft": draft,
        "law": _enacted(db_session),
        "head": member(db_session, "head", unit=LEAD_UNIT),
        "staff": member(db_session, "staff"),
    }
    db_session.commit()
    return world


def test_work_before_the_drafts_record_is_judged_by_its_versions(
    db_session: Session, w: dict[str, Any]
) -> None:
    doc, email = w["draft"].external_id, w["staff"].email
    delivered = today() - dt.timedelta(days=90)  # after version 1 (100 days), before the record
    report = history.import_sheet(
        db_session,
        w["head"],
        sheet([row(doc, email, delivered_date=delivered, due_date=delivered, version=1)]),
    )
    assert report.created == 1
    got = db_session.get(Contribution, report.done[0].contribution_id)
    assert got is not None and got.delivered_date == delivered and got.source == "imported"
    # Logged live, the same work is still held to the day the draft was recorded.
    with pytest.raises(ValidationError) as caught:
        log(db_session, w["staff"], document=w["draft"], delivered_date=delivered)
    assert "before the draft existed" in caught.value.fields["delivered_date"]


def test_advice_on_an_enacted_law_is_imported_by_number_or_id(
    db_session: Session, w: dict[str, Any]
) -> None:
    email, law = w["staff"].email, w["law"]
    rows = [
        row(
            ENACTED_NUMBER,
            email,
            delivered_date=dt.date(2025, 3, 14),  # before it was passed, after its recording
            due_date=dt.date(2025, 3, 15),
            version=None,
            articles="",
        ),
        row(
            law.external_id,
            email,
            title="Báo cáo giải trình",
            delivered_date="02/05/2025",
            due_date="",
            version=None,
            articles="",
        ),
    ]
    report = history.import_sheet(db_session, w["head"], sheet(rows), "cu.xlsx")
    assert (report.created, report.already_imported) == (2, 0)
    assert _count(db_session, law) == 2
    # Live logging still takes drafts only.
    with pytest.raises(ValidationError) as caught:
        log(db_session, w["staff"], document=law, delivered_date=dt.date(2025, 3, 14))
    assert caught.value.fields["document"] == "not a draft"


def test_a_date_before_any_of_the_documents_own_dates_refuses_the_whole_sheet(
    db_session: Session, w: dict[str, Any]
) -> None:
    email = w["staff"].email
    rows = [
        row(ENACTED_NUMBER, email, delivered_date=dt.date(2025, 3, 14), version=None, articles=""),
        # Six years before the law was issued: a typo, not advice on its draft.
        row(
            ENACTED_NUMBER,
            email,
            title="Sai năm",
            delivered_date=dt.date(2019, 3, 14),
            due_date="",
            version=None,
            articles="",
        ),
    ]
    with pytest.raises(history.ImportRefused) as caught:
        history.import_sheet(db_session, w["head"], sheet(rows))
    assert [(e.row, e.field) for e in caught.value.report.errors] == [(3, "delivered_date")]
    assert _count(db_session, w["law"]) == 0  # nothing half-imported


def test_a_number_that_names_nothing_is_refused(db_session: Session, w: dict[str, Any]) -> None:
    rows = [row("99/2099/QH99", w["staff"].email, version=None, articles="")]
    with pytest.raises(history.ImportRefused) as caught:
        history.import_sheet(db_session, w["head"], sheet(rows))
    assert [(e.field, e.reason) for e in caught.value.report.errors] == [("document", "unknown")]
