"""Demo users and people for a laptop: a login per role (printed by `make run`), each with a
person in a unit, and a few colleagues without logins. Never used in production."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lis.auth import services
from lis.auth.models import ROLES
from lis.people import services as people
from lis.people.models import Person

DEMO_PASSWORD = os.environ.get("LIS_DEMO_PASSWORD", "demo-password")
DEMO_DOMAIN = "demo.lis.vn"
# Staff of the general-affairs department (VPQH-TH), who record the acts of outside bodies.
RECORDER = "recorder"


@dataclass(frozen=True)
class DemoPerson:
    key: str  # the part of the e-mail before @demo.lis.vn: a role for people with a login
    name: str
    unit: str
    position: str
    roles: tuple[str, ...] = ()  # empty: a person without a login


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("admin", "Trần Quốc Minh", "VPQH-CDS", "Chuyên viên chính", ("admin",)),
    DemoPerson("deputy", "Phạm Thị Hà", "UB-PLTP", "Ủy viên Ủy ban", ("deputy",)),
    DemoPerson("staff", "Nguyễn Thị Lan", "UB-PLTP-V", "Chuyên viên", ("staff",)),
    DemoPerson("head", "Lê Văn Hùng", "UB-PLTP-V", "Vụ trưởng", ("head",)),
    DemoPerson("officer", "Hoàng Văn Nam", "VPQH-TCCB", "Chuyên viên chính", ("officer",)),
    DemoPerson(
        "council", "Đỗ Thị Thu", "VPQH-TCCB", "Ủy viên Hội đồng Thi đua – Khen thưởng", ("council",)
    ),
    DemoPerson(RECORDER, "Vũ Minh Tuấn", "VPQH-TH", "Chuyên viên", ("staff",)),
    DemoPerson("mai.bui", "Bùi Thị Mai", "UB-PLTP-V", "Phó Vụ trưởng"),
    DemoPerson("khai.ngo", "Ngô Văn Khải", "UB-PLTP-V", "Chuyên viên chính"),
    DemoPerson("trang.dang", "Đặng Thu Trang", "UB-PLTP-V", "Chuyên viên"),
    DemoPerson("long.phan", "Phan Văn Long", "VPQH-TH", "Chuyên viên chính"),
    DemoPerson("huong.trinh", "Trịnh Thị Hương", "VPQH-TH", "Chuyên viên"),
)


def demo_email(role: str) -> str:
    return f"{role}@{DEMO_DOMAIN}"


def ensure_demo_users(session: Session) -> list[tuple[str, list[str]]]:
    """An account per role (admin included) and one for the recorder, each with a person in
    its unit, plus a few colleagues without logins. Existing accounts and people are left as
    they are (an unlinked person is linked to its demo login), so running it again is safe.
    Needs the reference units (`lis seed reference`)."""
    wanted = {p.key: p for p in DEMO_PEOPLE}
    out = []
    for key in (*ROLES, RECORDER):
        spec = wanted.get(key)
        email = demo_email(key)
        user = services.find_user(session, email)
        if user is None:
            user = services.create_user(
                session,
                email=email,
                password=DEMO_PASSWORD,
                roles=list(spec.roles) if spec else [key],
                name=spec.name if spec else f"Demo {key}",
            )
        out.append((user.email, list(user.roles)))
    for spec in DEMO_PEOPLE:
        _ensure_person(session, spec)
    return out


def _ensure_person(session: Session, spec: DemoPerson) -> Person:
    email = demo_email(spec.key)
    person = session.scalar(select(Person).where(Person.email == email))
    login = email if spec.roles else None
    if person is None:
        user = services.find_user(session, email) if login else None
        linked = user is not None and session.scalar(
            select(Person.id).where(Person.user_id == user.id)
        )
        return people.create_person(
            session,
            actor=None,
            name=spec.name,
            email=email,
            position=spec.position,
            unit=spec.unit,
            user=login if user is not None and not linked else None,
        )
    if login and person.user is None:
        user = services.find_user(session, email)
        taken = user is None or session.scalar(select(Person.id).where(Person.user_id == user.id))
        if not taken:
            people.update_person(session, person, actor=None, changes={"user": login})
    return person
