"""A nomination with everything an evidence pack shows, written straight into the tables (the
services that write them are tested by their own helpers): a staff member's year of work
scored by `emulation.scoring.compute`, ratings of three years, an initiative used by an
earlier award, an eligibility report, the nomination's history, a council meeting with a
secret ballot, and a dossier file."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from emulation import scoring
from emulation.commendation_models import (
    Attendance,
    Award,
    Ballot,
    CouncilMeeting,
    DossierItem,
    EligibilityReport,
    Initiative,
    InitiativeAuthor,
    Nomination,
    NominationEvent,
)
from emulation.models import QualityRating, ScoreSnapshot
from lis.contributions.models import Contribution
from lis.people.models import Person
from lis.people.queries import person_of_user
from tests.emulation.helpers import YEAR, draft, fact, person
from tests.factories import unit_by_code

LAW = "UB-PLTP-V"  # the nominee's department
COMMITTEE = "UB-PLTP"  # the committee above it
ECONOMY = "UB-KTTC-V"
NOMINEE = "Nguyễn Thị Ánh Tuyết"
TITLE = "CSTDCS"
TITLE_NAME = "Chiến sĩ thi đua cơ sở"
DRAFT_TITLE = "Luật Thủ đô (sửa đổi)"
ON_TIME = "Báo cáo thẩm tra dự án Luật Thủ đô"
LATE = "Bảng so sánh các điều sửa đổi"
WAITING = "Báo cáo tổng hợp ý kiến đại biểu"
INITIATIVE = "Quy trình rà soát thuật ngữ pháp lý"
DOSSIER = b"%PDF-1.4 to trinh"


@dataclass
class World:
    staff: Any  # the nominee's login
    nominee: Person
    on_time: Contribution
    late: Contribution
    waiting: Contribution
    other: Contribution  # another person's work: never in the pack
    snap: ScoreSnapshot
    initiative: Initiative
    old_award: Award
    report: EligibilityReport
    nomination: Nomination
    meeting: CouncilMeeting
    ballot: Ballot
    dossier: DossierItem


def build_nomination(session: Any, officer: Any, who: Person, **kw: Any) -> Nomination:
    values: dict[str, Any] = {
        "person_id": who.id,
        "title_code": TITLE,
        "year": YEAR,
        "proposed_by_unit_id": who.unit_id,
        "state": "council",
        "summary": "Hoàn thành xuất sắc nhiệm vụ, có sáng kiến được công nhận",
        "created_by_id": officer.id,
    }
    values.update(kw)
    nomination = Nomination(**values)
    session.add(nomination)
    session.flush()
    return nomination


@pytest.fixture
def world(db_session: Any, make_member: Any, make_user: Any) -> World:
    session = db_session
    staff = make_member("staff", unit=LAW, name=NOMINEE)
    nominee = person_of_user(session, staff.id)
    assert nominee is not None
    officer = make_user("officer")
    doc = draft(title=DRAFT_TITLE, number="15/2024/QH15")
    day = dt.date(YEAR, 6, 3)
    on_time = fact(session, nominee, document=doc, delivered=day, due=day, quality="excellent")
    late = fact(session, nominee, document=doc, delivered=day + dt.timedelta(days=5), due=day)
    waiting = fact(session, nominee, document=doc, state="submitted", delivered=day)
    on_time.title, late.title, waiting.title = ON_TIME, LATE, WAITING
    on_time.outcome = "accepted"
    other = fact(session, person(LAW, name="Trần Văn Bình"), document=doc)
    last_year = fact(session, nominee, document=doc, delivered=dt.date(YEAR - 1, 6, 1))
    last_year.title = "Việc của năm trước"
    session.commit()
    snap = scoring.compute(session, officer, year=YEAR)
    law, committee = unit_by_code(LAW), unit_by_code(COMMITTEE)
    for year, band in ((YEAR - 2, "good"), (YEAR - 1, "excellent"), (YEAR, "excellent")):
        session.add(
            QualityRating(
                person_id=nominee.id,
                unit_id=law.id,
                year=year,
                band=band,
                suggested_band=band,
                decided_at=dt.datetime(year + 1, 1, 10, 3, 0),
                comment=f"Đánh giá năm {year}",
            )
        )
    session.add(QualityRating(person_id=nominee.id, unit_id=law.id, year=YEAR - 3))  # undecided
    initiative = Initiative(
        title=INITIATIVE,
        recognized_by_unit_id=committee.id,
        recognized_on=dt.date(YEAR - 1, 11, 20),
        scope="grassroots",
        decision_no="12/QĐ-UBPL",
    )
    initiative.authors = [InitiativeAuthor(person_id=nominee.id, share=0.6)]
    session.add(initiative)
    session.flush()
    old_award = Award(
        person_id=nominee.id,
        title_code="LDTT",
        year=YEAR - 1,
        decision_no="88/QĐ-VPQH",
        decision_date=dt.date(YEAR, 1, 15),
        basis="initiative",
    )
    old_award.initiatives = [initiative]
    session.add(old_award)
    session.flush()
    report = EligibilityReport(
        person_id=nominee.id,
        title_code=TITLE,
        year=YEAR,
        evaluated_on=dt.date(YEAR + 1, 1, 20),
        outcome="pass",
        results=[
            {
                "rule": "R2.cstdcs.excellent_or_initiative",
                "version": 1,
                "outcome": "pass",
                "reason": "cstdcs_excellent",
                "params": {
                    "year": YEAR,
                    "scope": "grassroots",
                    "both": False,
                    "band": "excellent",
                    "initiatives": [],
                    "reused": [],
                    "basis": "excellent",
                },
                "facts": [f"rating:{YEAR}", f"initiative:{initiative.id}"],
                "provisions": ["LAW_06_2022.A23.K1"],
            },
            {
                "rule": "G1.no_pending_case",
                "version": 1,
                "outcome": "pass",
                "reason": "no_open_case",
                "params": {},
                "facts": [],
                "provisions": ["DECREE_98_2023.A4"],
                "gate": True,
            },
        ],
        params={"cstdcs_requires_both_excellent_and_initiative": False},
        rule_versions=["R2.cstdcs.excellent_or_initiative@1", "G1.no_pending_case@1"],
    )
    session.add(report)
    session.flush()
    nomination = build_nomination(session, officer, nominee, eligibility_report_id=report.id)
    for src, dst in ((None, "draft"), ("draft", "unit_review"), ("unit_review", "council")):
        session.add(
            NominationEvent(
                nomination_id=nomination.id,
                from_state=src,
                to_state=dst,
                note=f"chuyển sang {dst}",
                actor_email="officer@lis.vn",
            )
        )
    meeting = CouncilMeeting(
        title="Phiên họp Hội đồng Thi đua – Khen thưởng quý I",
        held_on=dt.date(YEAR + 1, 2, 10),
        members_total=9,
        quorum_share=2 / 3,
    )
    session.add(meeting)
    session.flush()
    members = [person(COMMITTEE, name=f"Ủy viên {i}") for i in range(8)]
    for i, member in enumerate(members):
        session.add(Attendance(meeting_id=meeting.id, person_id=member.id, present=i < 7))
    ballot = Ballot(
        meeting_id=meeting.id,
        nomination_id=nomination.id,
        secret=True,
        threshold=0.9,
        yes=8,
        no=1,
        abstain=0,
        result="passed",
        rule_versions=list(report.rule_versions),
    )
    session.add(ballot)
    dossier = DossierItem(
        nomination_id=nomination.id,
        kind="request",
        name="to-trinh.pdf",
        content_type="application/pdf",
        size=len(DOSSIER),
        sha256=hashlib.sha256(DOSSIER).hexdigest(),
        data=DOSSIER,
    )
    session.add(dossier)
    session.commit()
    return World(
        staff=staff,
        nominee=nominee,
        on_time=on_time,
        late=late,
        waiting=waiting,
        other=other,
        snap=snap,
        initiative=initiative,
        old_award=old_award,
        report=report,
        nomination=nomination,
        meeting=meeting,
        ballot=ballot,
        dossier=dossier,
    )


def pack_url(world: World, suffix: str = "") -> str:
    return f"/emulation/evidence/{world.nomination.id}{suffix}"


def latest_snapshot(session: Any) -> ScoreSnapshot | None:
    return session.scalar(select(ScoreSnapshot).order_by(ScoreSnapshot.id.desc()).limit(1))
