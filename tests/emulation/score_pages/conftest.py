"""A small scored year for the score pages: three people in two departments, their verified
work and one contribution still waiting, scored by `emulation.scoring.compute` (real code)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from emulation import scoring
from emulation.models import ScoreLine, ScoreSnapshot
from lis.contributions.models import Contribution
from lis.people.models import Person
from lis.people.queries import person_of_user
from tests.emulation.helpers import YEAR, draft, fact, person

LAW = "UB-PLTP-V"
ECONOMY = "UB-KTTC-V"
ALICE, BOB, CAROL = "Nguyễn Thị An", "Trần Văn Bình", "Lê Thị Cúc"


@dataclass
class World:
    staff: Any  # the login of ALICE
    officer: Any
    alice: Person
    bob: Person
    carol: Person
    alice_on_time: Contribution
    alice_late: Contribution
    alice_pending: Contribution
    bob_fact: Contribution
    carol_fact: Contribution
    snap: ScoreSnapshot

    def line(self, who: Person | None = None, unit_id: int | None = None) -> ScoreLine:
        """The snapshot's line of a person, or of a unit."""
        for row in self.snap.lines:
            if who is not None and row.person_id == who.id:
                return row
            if who is None and row.subject_kind == "unit" and row.unit_id == unit_id:
                return row
        raise AssertionError(f"no line for {who or unit_id}")

    def lines(self) -> list[ScoreLine]:
        return list(self.snap.lines)


def compute(session: Any, actor: Any, **scope: Any) -> ScoreSnapshot:
    """A snapshot computed and committed (a form that fails later rolls back to here)."""
    snap = scoring.compute(session, actor, **scope)
    session.commit()
    return snap


@pytest.fixture
def world(db_session: Any, make_member: Any, make_user: Any) -> World:
    staff = make_member("staff", unit=LAW, name=ALICE)
    alice = person_of_user(db_session, staff.id)
    assert alice is not None
    bob = person(LAW, name=BOB)
    carol = person(ECONOMY, name=CAROL)
    doc = draft(title="Luật Thủ đô (sửa đổi)")
    day = dt.date(YEAR, 6, 1)
    alice_on_time = fact(db_session, alice, document=doc, delivered=day, due=day, quality="good")
    alice_late = fact(
        db_session,
        alice,
        document=doc,
        delivered=day + dt.timedelta(days=4),
        due=day,
        quality="good",
    )
    alice_pending = fact(db_session, alice, document=doc, state="submitted", delivered=day)
    bob_fact = fact(db_session, bob, quality="excellent", errors=1, outcome="accepted")
    carol_fact = fact(db_session, carol, quality="completed", kind="RESEARCH_BRIEF")
    db_session.commit()
    officer = make_user("officer")
    snap = compute(db_session, officer, year=YEAR)
    return World(
        staff=staff,
        officer=officer,
        alice=alice,
        bob=bob,
        carol=carol,
        alice_on_time=alice_on_time,
        alice_late=alice_late,
        alice_pending=alice_pending,
        bob_fact=bob_fact,
        carol_fact=carol_fact,
        snap=snap,
    )


def line_ids(html: str) -> set[int]:
    """The score lines a page lists (each row is `id="line-<id>"`)."""
    return {int(n) for n in re.findall(r'id="line-(\d+)"', html)}


def section(html: str, element_id: str) -> str:
    """The HTML of the <section> with this id."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def snapshot_ids(session: Any) -> list[int]:
    return list(session.scalars(select(ScoreSnapshot.id).order_by(ScoreSnapshot.id)))
