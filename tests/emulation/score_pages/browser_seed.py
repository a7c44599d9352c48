"""Advisory work of the demo staff member in one year, two items verified and one waiting, so
the browser test has something to score. Run against the app's database (LIS_* environment):
`python -m tests.emulation.score_pages.browser_seed`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lis.app import create_app
from lis.contributions.models import Contribution
from lis.db import transaction
from lis.documents.models import Document
from lis.people.models import Person
from lis.reference.models import WorkKind

YEAR = 2019  # before the demo emulation data (`lis seed demo` fills the two past years)
STAFF_EMAIL = "staff@demo.lis.vn"
ON_TIME = "Báo cáo thẩm tra (bản trình Ủy ban)"
LATE = "Bảng so sánh các điều sửa đổi"
WAITING = "Báo cáo tổng hợp ý kiến đại biểu"


def seed() -> None:
    app = create_app()
    with app.app_context(), transaction() as session:
        person = session.scalar(select(Person).where(Person.email == STAFF_EMAIL))
        doc = session.scalar(
            select(Document).where(Document.origin == "draft").order_by(Document.id)
        )
        kind = session.scalar(select(WorkKind).where(WorkKind.code == "VERIFY_REPORT"))
        assert person is not None and doc is not None and kind is not None, "run `lis seed demo`"
        due = dt.date(YEAR, 5, 10)
        for title, delivered, state in (
            (ON_TIME, due, "verified"),
            (LATE, due + dt.timedelta(days=3), "verified"),
            (WAITING, due, "submitted"),
        ):
            session.add(
                Contribution(
                    document_id=doc.id,
                    stage="S_VERIFY",
                    work_kind_id=kind.id,
                    person_id=person.id,
                    unit_id=person.unit_id,
                    title=title,
                    due_date=due,
                    delivered_date=delivered,
                    quality="good" if state == "verified" else None,
                    state=state,
                    articles=[],
                )
            )


if __name__ == "__main__":
    seed()
