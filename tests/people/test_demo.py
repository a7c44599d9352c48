"""Demo people: each demo login has a person in its unit; running the seed twice changes nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from lis.auth.models import ROLES
from lis.auth.services import find_user
from lis.demo import DEMO_PEOPLE, demo_email, ensure_demo_users
from lis.people.models import Person
from lis.people.queries import person_of_user, unit_ids_of_user
from tests.factories import unit_by_code

EXPECTED = {
    "staff": "UB-PLTP-V",
    "head": "UB-PLTP-V",
    "deputy": "UB-PLTP",
    "officer": "VPQH-TCCB",
    "council": "VPQH-TCCB",
    "admin": "VPQH-CDS",
    "recorder": "VPQH-TH",
}


def test_every_demo_login_has_a_person(db_session: Any) -> None:
    logins = ensure_demo_users(db_session)
    assert [email for email, _ in logins] == [*map(demo_email, ROLES), "recorder@demo.lis.vn"]
    assert dict(logins)["recorder@demo.lis.vn"] == ["staff"]
    for key, unit in EXPECTED.items():
        user = find_user(db_session, demo_email(key))
        person = person_of_user(db_session, user.id)
        assert person is not None and person.unit.code == unit, key
    head = person_of_user(db_session, find_user(db_session, demo_email("head")).id)
    assert head.position == "Vụ trưởng"
    staff = find_user(db_session, demo_email("staff"))
    assert unit_ids_of_user(db_session, staff.id) == {
        unit_by_code("UB-PLTP-V").id,
        unit_by_code("UB-PLTP").id,
    }
    colleagues = db_session.scalars(
        select(Person).where(Person.user_id.is_(None), Person.email.like("%@demo.lis.vn"))
    ).all()
    assert {p.unit.code for p in colleagues} == {"UB-PLTP-V", "VPQH-TH"}
    assert len(colleagues) == len([p for p in DEMO_PEOPLE if not p.roles]) >= 3


def test_seeding_twice_changes_nothing(db_session: Any) -> None:
    first = ensure_demo_users(db_session)
    count = db_session.scalar(select(func.count()).select_from(Person))
    assert ensure_demo_users(db_session) == first
    assert db_session.scalar(select(func.count()).select_from(Person)) == count


def test_an_older_demo_login_gets_linked(db_session: Any, make_user: Any) -> None:
    """Databases seeded before people existed have the logins already: they get their person."""
    user = make_user("head", email=demo_email("head"))
    ensure_demo_users(db_session)
    person = person_of_user(db_session, user.id)
    assert person is not None and person.position == "Vụ trưởng"


def test_cli_seed_demo_prints_the_recorder(app: Flask, db_session: Any) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "recorder@demo.lis.vn" in result.output
