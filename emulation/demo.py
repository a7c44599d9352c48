"""Demo emulation data for a laptop (`lis seed demo`): two past years of verified advisory
work of the demo department (UB-PLTP-V) and the general-affairs department (VPQH-TH) on
imported laws, a score snapshot of each year, last year's suggested quality ratings, and this
year's movement with the demo staff member's pledge; then that staff member's initiative, a
decided rating and a drafted nomination with its eligibility report, so every emulation page has
something to show. Idempotent: nothing is added once a movement exists. Never used in production."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulation import eligibility, movements, nominations, ratings, records, scoring
from emulation.access import SystemActor
from emulation.models import Movement, QualityRating
from lis import clock
from lis.audit.services import record
from lis.auth import services as auth_services
from lis.contributions.models import Contribution
from lis.demo import DEMO_DOMAIN, demo_email
from lis.documents.models import Document
from lis.people.models import Person
from lis.people.queries import person_of_user
from lis.reference.models import Unit, WorkKind

UNITS = ("UB-PLTP-V", "VPQH-TH")
KINDS = ("VERIFY_REPORT", "COMPARISON_TABLE", "OPINION_SUMMARY", "RESEARCH_BRIEF", "UBTVQH_BRIEF")
BANDS = ("excellent", "good", "good", "good", "completed", "not_completed")
OUTCOMES = (None, "accepted", "accepted", "partly_accepted", "not_accepted")


def ensure_demo_emulation(session: Session, today: dt.date | None = None) -> str | None:
    """Create the demo emulation data when missing; a line saying what was made, or None."""
    today = today or clock.today()
    if session.scalar(select(Movement.id).limit(1)) is not None:
        return None
    head = auth_services.find_user(session, demo_email("head"))
    laws = list(
        session.scalars(
            select(Document)
            .where(Document.origin == "imported", Document.kind == "law")
            .order_by(Document.id)
            .limit(12)
        )
    )
    people = list(
        session.scalars(
            select(Person)
            .join(Unit, Unit.id == Person.unit_id)
            .where(Unit.code.in_(UNITS), Person.email.like(f"%@{DEMO_DOMAIN}"))
            .order_by(Person.id)
        )
    )
    if head is None or not laws or not people:
        return None
    kinds = {
        k.code: k.id for k in session.scalars(select(WorkKind).where(WorkKind.code.in_(KINDS)))
    }
    years = (today.year - 2, today.year - 1)
    count = sum(_year_of_work(session, year, people, laws, kinds, head.id) for year in years)
    session.flush()
    system = SystemActor()
    for year in years:
        scoring.compute(session, system, year=year, note="Dữ liệu minh họa")
    for code in UNITS:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == code))
        if unit_id is not None:
            ratings.suggest_for_unit(session, system, unit_id, years[-1])
    movement = movements.launch(
        session,
        system,
        name=f"Phong trào thi đua tham mưu xây dựng pháp luật năm {today.year}",
        launching_unit="VPQH",
        start_date=dt.date(today.year, 1, 1),
        end_date=dt.date(today.year, 12, 31),
        units=list(UNITS),
        theme="Chuyên nghiệp, hiệu năng, hiệu quả",
        slogan="Tham mưu đúng hạn, chất lượng, hiệu quả",
        today=today,
    )
    staff = auth_services.find_user(session, demo_email("staff"))
    staff_person = person_of_user(session, staff.id) if staff else None
    if staff_person is not None:
        movements.file_pledge(
            session, system, movement.id, title="CSTDCS", person_id=staff_person.id
        )
        _commendation(session, system, staff_person, years[-1])
    return (
        f"{count} verified contributions of {years[0]}–{years[-1]}, a score snapshot each, "
        f"quality ratings suggested, movement {movement.id} launched"
    )


def _year_of_work(
    session: Session,
    year: int,
    people: list[Person],
    laws: list[Document],
    kinds: dict[str, int],
    verifier_id: int,
) -> int:
    rng = random.Random(year)  # noqa: S311  the same demo on every laptop, not a secret
    count = 0
    for person in people:
        for _ in range(rng.randint(6, 14)):
            delivered = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(360))
            due = delivered + dt.timedelta(days=rng.choice((-6, -2, 0, 0, 3, 7, 10)))
            law = rng.choice(laws)
            row = Contribution(
                document_id=law.id,
                stage=law.stage or "S_IN_FORCE",
                work_kind_id=kinds[rng.choice(KINDS)],
                person_id=person.id,
                unit_id=person.unit_id,
                title=f"Sản phẩm tham mưu của {person.name}",
                delivered_date=delivered,
                due_date=due,
                state="verified",
                verified_by_id=verifier_id,
                quality=rng.choice(BANDS),
                major_errors=rng.choice((0, 0, 0, 1, 2)),
                outcome=rng.choice(OUTCOMES),
                source="imported",
                articles=[],
                created_by_id=verifier_id,
                verified_at=dt.datetime.combine(delivered + dt.timedelta(days=3), dt.time(9)),
            )
            session.add(row)
            session.flush()
            # Past work entered by the head, as the historical import would: audited like it.
            record(
                session,
                actor=None,
                action="import",
                entity="contribution",
                entity_id=row.id,
                summary=f"demo data: past work of {person.name} on {law.number}"[:500],
                after={"person_id": person.id, "document_id": law.id, "state": "verified"},
            )
            count += 1
    return count


def _commendation(session: Session, system: SystemActor, nominee: Person, year: int) -> None:
    """The staff member's initiative of the year and a nomination for the grassroots fighter
    title that the head has drafted, with the rules run, so the commendation pages have a case
    to show (the dossier, the unit review and the council are left to the user)."""
    unit_id = session.scalar(select(Unit.id).where(Unit.code == "UB-PLTP"))
    rating = session.scalar(
        select(QualityRating).where(
            QualityRating.person_id == nominee.id, QualityRating.year == year
        )
    )
    if rating is not None and rating.band is None:
        ratings.decide(
            session,
            system,
            rating.id,
            "excellent",
            "Dữ liệu minh họa",
            cap_override_reason="Dữ liệu minh họa",
        )
    records.create_initiative(
        session,
        system,
        title="Bảng so sánh tự động giữa các dự thảo luật theo từng điều",
        summary=f"Công cụ đối chiếu dự thảo theo điều, khoản, áp dụng tại Vụ từ năm {year}.",
        recognized_by_unit_id=unit_id,
        recognized_on=dt.date(year, 10, 15),
        scope="grassroots",
        decision_no=f"15/QĐ-UBPLTP/{year}",
        authors=[{"person_id": nominee.id, "share": 1.0}],
    )
    nominations.create(
        session,
        system,
        title="CSTDCS",
        year=year,
        person_id=nominee.id,
        summary="Hoàn thành xuất sắc nhiệm vụ tham mưu thẩm tra; có sáng kiến được công nhận.",
    )
    eligibility.evaluate(
        session, system, title="CSTDCS", year=year, person_id=nominee.id, on=dt.date(year, 12, 31)
    )
