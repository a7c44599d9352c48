"""A nomination of the demo staff member before the council, with a secret ballot, so the
browser test has a pack to open. Run against the app's database (LIS_* environment):
`python -m tests.emulation.evidence.browser_seed`; prints the nomination's id."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from emulation.commendation_models import Ballot, CouncilMeeting, Nomination
from lis.app import create_app
from lis.db import transaction
from lis.people.models import Person

STAFF_EMAIL = "staff@demo.lis.vn"
YEAR = 2024


def seed() -> int:
    app = create_app()
    with app.app_context(), transaction() as session:
        person = session.scalar(select(Person).where(Person.email == STAFF_EMAIL))
        assert person is not None, "run `lis seed demo`"
        nomination = Nomination(
            person_id=person.id,
            title_code="LDTT",
            year=YEAR,
            proposed_by_unit_id=person.unit_id,
            state="council",
            summary="Hoàn thành tốt nhiệm vụ được giao",
        )
        meeting = CouncilMeeting(
            title="Phiên họp Hội đồng Thi đua – Khen thưởng",
            held_on=dt.date(YEAR + 1, 1, 20),
            members_total=7,
            quorum_share=2 / 3,
        )
        session.add_all([nomination, meeting])
        session.flush()
        session.add(
            Ballot(
                meeting_id=meeting.id,
                nomination_id=nomination.id,
                secret=True,
                threshold=0.5,
                yes=6,
                no=1,
                abstain=0,
                result="passed",
            )
        )
        session.flush()
        return nomination.id


if __name__ == "__main__":
    print(seed())
