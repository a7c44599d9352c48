"""A small world for the dashboards: four units (the law committee with its department, the
economic committee with its department), five people, a 2024 snapshot and two 2025 snapshots
(the second supersedes the first), and a movement-free staff member whose line is in them.

2025 (latest) unit totals: UB-KTTC 91.75 (1), UB-PLTP 79.75 (2), UB-PLTP-V 78.75 (3),
UB-KTTC-V cannot be scored (None). People: Cường 90 (1), An 88 (2), the staff member 80 (3),
Bình 60.625 (4), Dung 50 (5); in UB-PLTP-V: An, the staff member, Bình.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from emulation.models import ScoreSnapshot
from lis.auth.models import User
from lis.people.models import Person
from lis.people.queries import person_of_user
from tests.emulation.dashboards.snapshots import make_snapshot, values
from tests.emulation.helpers import person


@dataclass
class World:
    s2024: ScoreSnapshot
    s2025_old: ScoreSnapshot
    s2025: ScoreSnapshot
    staff_user: User
    staff: Person
    an: Person
    binh: Person
    cuong: Person
    dung: Person


@pytest.fixture
def world(db_session: Session, make_member: Any) -> World:
    staff_user = make_member("staff", unit="UB-PLTP-V", name="Trần Thị Sáu")
    staff = person_of_user(db_session, staff_user.id)
    assert staff is not None
    an = person("UB-PLTP-V", name="Nguyễn Văn An")
    binh = person("UB-PLTP-V", name="Lê Thị Bình")
    cuong = person("UB-KTTC-V", name="Phạm Văn Cường")
    dung = person("UB-KTTC-V", name="Hoàng Thị Dung")
    s2024 = make_snapshot(
        db_session,
        2024,
        units={
            "UB-PLTP": values(70, 70, 70, 70),
            "UB-KTTC": values(60, 60, 60, 60),
            "UB-PLTP-V": values(50, 50, 50, 50),
        },
        people=[(an, values(70, 70, 70, 70)), (cuong, values(65, 65, 65, 65))],
    )
    s2025_old = make_snapshot(
        db_session,
        2025,
        units={"UB-PLTP": values(10, 10, 10, 10), "UB-KTTC": values(20, 20, 20, 20)},
        people=[(an, values(10, 10, 10, 10))],
    )
    s2025 = make_snapshot(
        db_session,
        2025,
        units={
            "UB-PLTP": values(90, 85, 70, 60),
            "UB-PLTP-V": values(80, 90, None, 50),
            "UB-KTTC": values(95, 95, 90, 80),
            "UB-KTTC-V": values(None, None, None, None),
        },
        people=[
            (an, values(100, 90, 80, 70)),
            (binh, values(60, 70, None, 40)),
            (staff, values(80, 80, 80, 80)),
            (cuong, values(90, 90, 90, 90)),
            (dung, values(50, 50, 50, 50)),
        ],
    )
    return World(s2024, s2025_old, s2025, staff_user, staff, an, binh, cuong, dung)
