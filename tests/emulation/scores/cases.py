"""A small ledger whose scores were worked out by hand, and movements built straight in the
table (launching them through their services is tested with the movements).

The catalogue's default set: progress 30, quality 35, effectiveness 20, volume 15 (a
verification report is 3 units of a 12-unit year). Adoption is not in the default set.

- a (UB-PLTP-V): c1 on time, good, accepted; c2 late (due 1 May, delivered 10 May),
  excellent with one major error, partly accepted; plus one waiting (submitted), one
  rejected and one withdrawn.
  progress (1 + 0.75) / 2 = 87.5; quality (0.80 + 1.00 × 0.75) / 2 = 77.5;
  effectiveness (1 + 0.5) / 2 = 75; volume 6 / 12 = 50;
  total (30 × 87.5 + 35 × 77.5 + 20 × 75 + 15 × 50) / 100 = 75.875.
- b (UB-PLTP-V) and c (UB-KTTC-V): one on-time good report each, no outcome:
  progress 100, quality 80, effectiveness none (left out), volume 25;
  total (3000 + 2800 + 375) / 80 = 77.1875 — b and c tie at rank 1, a is 3rd.
- unit UB-PLTP-V (c1, c2, b's): progress 2.75 / 3 = 91.6667, quality 2.35 / 3 = 78.3333,
  effectiveness 75, volume 9 / 12 = 75; total 81.1667 (rank 1); UB-KTTC-V as c: 77.1875.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from emulation.models import Movement, MovementParticipant
from lis.contributions.models import Contribution
from lis.drafts.models import StageEvent
from lis.people.models import Person
from tests.emulation.helpers import YEAR, fact, person
from tests.factories import unit_by_code

MAY_1, MAY_10 = dt.date(YEAR, 5, 1), dt.date(YEAR, 5, 10)


@dataclass
class Known:
    a: Person
    b: Person
    c: Person
    c1: Contribution
    c2: Contribution
    waiting: Contribution
    rejected: Contribution
    withdrawn: Contribution
    fb: Contribution
    fc: Contribution


def known_case(session: Session, a: Person | None = None) -> Known:
    a = a or person("UB-PLTP-V", name="Anh A")
    b, c = person("UB-PLTP-V", name="Bình B"), person("UB-KTTC-V", name="Chi C")
    return Known(
        a=a,
        b=b,
        c=c,
        c1=fact(session, a, quality="good", outcome="accepted"),
        c2=fact(session, a, due=MAY_1, quality="excellent", errors=1, outcome="partly_accepted"),
        waiting=fact(session, a, state="submitted"),
        rejected=fact(session, a, state="rejected"),
        withdrawn=fact(session, a, state="withdrawn"),
        fb=fact(session, b),
        fc=fact(session, c),
    )


def movement(
    session: Session,
    *,
    units: tuple[str, ...] = (),
    people: tuple[Person, ...] = (),
    criteria: list[dict[str, Any]] | None = None,
    state: str = "open",
) -> Movement:
    row = Movement(
        name="Thi đua thử nghiệm",
        launching_unit_id=unit_by_code("UB-PLTP").id,
        start_date=dt.date(YEAR, 1, 1),
        end_date=dt.date(YEAR, 6, 30),
        state=state,
        criteria=criteria
        or [
            {"code": "progress", "formula": "progress@1", "weight": 50, "params": {}},
            {"code": "volume", "formula": "volume@1", "weight": 50, "params": {"target": 6}},
        ],
    )
    row.participants = [MovementParticipant(unit_id=unit_by_code(u).id) for u in units] + [
        MovementParticipant(person_id=p.id) for p in people
    ]
    session.add(row)
    session.flush()
    return row


def adopted(session: Session, document_id: int, day: dt.date) -> None:
    """The draft reached its final stage, adopted, on `day` (no planned session)."""
    session.add(
        StageEvent(
            document_id=document_id,
            seq=1,
            from_stage="S_VOTE",
            to_stage="S_ADOPTED",
            event_date=day,
            actor_email="clerk@test.lis.vn",
            acting_as="QH",
        )
    )
    session.flush()
