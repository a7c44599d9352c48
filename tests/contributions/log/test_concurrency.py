"""Eight clients retrying the same logging request at once make exactly one contribution.

This needs real concurrent transactions, so it commits its own rows through separate sessions
(outside the per-test savepoint) and removes them afterwards. Only the user stays behind: the
audit log, which is append-only, points at it.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid

import pytest
from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lis.auth.models import User
from lis.clock import today as clock_today
from lis.contributions.models import Contribution
from lis.contributions.services import log_contribution
from lis.db import db
from lis.documents.models import Document
from lis.people.models import Person
from lis.reference.models import Unit

THREADS = 8

pytestmark = pytest.mark.skipif(
    not os.environ.get("LIS_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="SQLite serialises writers with one database lock, so there is no race on the "
    "unique (created_by_id, idempotency_key) constraint to test; run with "
    "LIS_TEST_DATABASE_URL=postgresql+psycopg://… to exercise it",
)


def test_eight_threads_same_key_make_one_row(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    tag = uuid.uuid4().hex[:10]
    with Session(engine) as setup:
        unit = setup.scalar(select(Unit).where(Unit.code == "UB-DNGS-V"))
        user = User(
            email=f"race-{tag}@test.lis.vn", name="Race", password_hash="x", roles=["staff"]
        )
        person = Person(name="Race", email=f"race-{tag}@test.lis.vn", unit=unit, user=user)
        doc = Document(
            external_id=f"race-{tag}",
            kind="law",
            number="",
            number_key="",
            title="Dự án Luật đua",
            issuer="Quốc hội",
            issuer_normalized="Quốc hội",
            status="unknown",
            origin="draft",
            stage="S_VERIFY",
            topics=[],
            created_at=dt.datetime.now() - dt.timedelta(days=10),
        )
        setup.add_all([user, person, doc])
        setup.commit()
        user_id, person_id, doc_id = user.id, person.id, doc.id

    data = {
        "document": f"race-{tag}",
        "work_kind": "VERIFY_REPORT",
        "title": "Báo cáo thẩm tra",
        "delivered_date": clock_today(),
    }
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def client() -> None:
        try:
            with Session(engine) as session:
                actor = session.get(User, user_id)
                barrier.wait(timeout=30)
                row, created = log_contribution(
                    session, actor, data, idempotency_key=f"retry-{tag}"
                )
                outcome = (row.id, created)
                session.commit()
            with lock:
                results.append(outcome)
        except BaseException as exc:  # report every thread's failure, not just the first
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        assert len(results) == THREADS
        assert len({row_id for row_id, _ in results}) == 1
        assert sum(created for _, created in results) == 1
        with Session(engine) as check:
            rows = check.scalar(
                select(func.count())
                .select_from(Contribution)
                .where(Contribution.document_id == doc_id)
            )
        assert rows == 1
    finally:
        with Session(engine) as cleanup:
            cleanup.execute(delete(Contribution).where(Contribution.document_id == doc_id))
            cleanup.execute(delete(Document).where(Document.id == doc_id))
            cleanup.execute(delete(Person).where(Person.id == person_id))
            cleanup.commit()
