"""Commendation records (issue 8): initiatives and their authors, awards and the initiatives
each used, discipline and pending cases (the gates), attestations of qualitative criteria,
eligibility reports, nominations with their dossier files and history, council meetings with
attendance, and ballots.

A subject is a person or a unit (a collective), never both. A secret ballot stores counts only:
there is no table where a secret vote could be written down.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lis.db import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from emulation.models import Movement
    from lis.auth.models import User
    from lis.people.models import Person
    from lis.reference.models import Unit

ONE_SUBJECT = "(person_id IS NULL) <> (unit_id IS NULL)"

INITIATIVE_SCOPES: tuple[str, ...] = ("grassroots", "na_agencies", "ministry", "national")
# Why an award was given; the Bằng khen rule (Law 2022 Art. 74.1.d as MoHA reads it) depends
# on whether a grassroots title stood on an excellent rating or on initiatives.
AWARD_BASES: tuple[str, ...] = ("excellent", "initiative", "science", "other")
# Decree 98/2023 Art. 4: thematic and extraordinary awards are not a basis for merit-based ones.
AWARD_KINDS: tuple[str, ...] = ("regular", "thematic", "extraordinary")
DISCIPLINE_FORMS: tuple[str, ...] = (
    "reprimand",  # khiển trách
    "warning",  # cảnh cáo
    "demotion",  # hạ bậc lương / giáng chức
    "dismissal",  # cách chức
    "discharge",  # buộc thôi việc
)
CASE_KINDS: tuple[str, ...] = (
    "discipline_review",
    "investigation",
    "inspection",
    "complaint",
    "press_report",
)
NOMINATION_STATES: tuple[str, ...] = (
    "draft",
    "unit_review",
    "council",
    "decided",
    "rejected",
    "announced",
    "revoked",
)
DOSSIER_KINDS: tuple[str, ...] = (
    "request",  # tờ trình
    "achievement_report",  # báo cáo thành tích
    "minutes",  # biên bản bình xét / họp hội đồng
    "initiative_certification",  # xác nhận sáng kiến
    "other",
)
OUTCOMES: tuple[str, ...] = ("pass", "fail", "unknown")
BALLOT_RESULTS: tuple[str, ...] = ("passed", "failed")
VOTE_CHOICES: tuple[str, ...] = ("yes", "no", "abstain")


class Initiative(Base):
    """A recognised initiative (sáng kiến, Law 2022 Art. 3.4) and the level that recognised it."""

    __tablename__ = "initiatives"
    __table_args__ = (CheckConstraint(f"scope IN {INITIATIVE_SCOPES!r}", name="scope"),)

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    recognized_by_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    recognized_on: Mapped[dt.date] = mapped_column(Date, index=True)
    scope: Mapped[str] = mapped_column(String(16))
    decision_no: Mapped[str] = mapped_column(String(120), default="")
    applied_effectively: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    recognized_by: Mapped[Unit] = relationship()
    authors: Mapped[list[InitiativeAuthor]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan"
    )


class InitiativeAuthor(Base):
    __tablename__ = "initiative_authors"
    __table_args__ = (
        UniqueConstraint("initiative_id", "person_id"),
        CheckConstraint("share > 0 AND share <= 1", name="share"),
    )

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    share: Mapped[float] = mapped_column(Float, default=1.0)

    initiative: Mapped[Initiative] = relationship(back_populates="authors")
    person: Mapped[Person] = relationship()


class Award(Base):
    """A title or form received (from this system's nominations or entered from the record),
    with the initiatives it used. Revoked awards stay, marked, and break consecutive runs."""

    __tablename__ = "awards"
    __table_args__ = (
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        CheckConstraint(f"basis IN {AWARD_BASES!r}", name="basis"),
        CheckConstraint(f"kind IN {AWARD_KINDS!r}", name="kind"),
        Index("ix_awards_person_title_year", "person_id", "title_code", "year"),
        Index("ix_awards_unit_title_year", "unit_id", "title_code", "year"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    title_code: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    decision_no: Mapped[str] = mapped_column(String(120), default="")
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(16), default="other")
    kind: Mapped[str] = mapped_column(String(16), default="regular")
    revoked: Mapped[bool] = mapped_column(default=False)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nominations.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    person: Mapped[Person | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    initiatives: Mapped[list[Initiative]] = relationship(secondary="award_initiatives")


class AwardInitiative(Base):
    """An initiative an award stood on: a rule that forbids reuse reads this."""

    __tablename__ = "award_initiatives"

    award_id: Mapped[int] = mapped_column(
        ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True
    )
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True
    )


class Discipline(Base):
    """A disciplinary measure (a gate for every title in its period)."""

    __tablename__ = "disciplines"
    __table_args__ = (CheckConstraint(f"form IN {DISCIPLINE_FORMS!r}", name="form"),)

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    form: Mapped[str] = mapped_column(String(16))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    effective_to: Mapped[dt.date | None] = mapped_column(Date)
    decision_no: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    person: Mapped[Person] = relationship()


class PendingCase(Base):
    """An open review, investigation, inspection, complaint or press report: it blocks a
    proposal until closed (Decree 98/2023 Art. 4)."""

    __tablename__ = "pending_cases"
    __table_args__ = (
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        CheckConstraint(f"kind IN {CASE_KINDS!r}", name="kind"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    person: Mapped[Person | None] = relationship()
    unit: Mapped[Unit | None] = relationship()


class Attestation(Base):
    """A qualitative criterion (solidarity, exemplary conduct, "outstanding") attested for a
    subject and year by a named person: the rules read it, never invent it."""

    __tablename__ = "attestations"
    __table_args__ = (
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        UniqueConstraint("person_id", "unit_id", "year", "criterion"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(Integer)
    criterion: Mapped[str] = mapped_column(String(40))
    holds: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    attested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attested_by_email: Mapped[str] = mapped_column(String(254))
    attested_at: Mapped[created_at]

    person: Mapped[Person | None] = relationship()
    unit: Mapped[Unit | None] = relationship()


class EligibilityReport(Base):
    """The rules run for one subject, title and year on one day: each rule's outcome with its
    explanation, provision and facts, the parameters used, and the overall outcome."""

    __tablename__ = "eligibility_reports"
    __table_args__ = (
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        CheckConstraint(f"outcome IN {OUTCOMES!r}", name="outcome"),
        Index("ix_eligibility_subject", "person_id", "unit_id", "title_code", "year"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    title_code: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    evaluated_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(8))
    # [{"rule", "version", "outcome", "reason", "params", "facts", "provision"}]
    results: Mapped[list[Any]] = mapped_column(default=list)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rule_versions: Mapped[list[Any]] = mapped_column(default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    person: Mapped[Person | None] = relationship()
    unit: Mapped[Unit | None] = relationship()


class Nomination(Base):
    """A proposal of a subject for a title: draft → unit_review → council → decided | rejected →
    announced; a decided or announced one may be revoked."""

    __tablename__ = "nominations"
    __table_args__ = (
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
        CheckConstraint(f"state IN {NOMINATION_STATES!r}", name="state"),
        Index("ix_nominations_state_year", "state", "year"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    title_code: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"))
    proposed_by_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    state: Mapped[str] = mapped_column(String(16), default="draft")
    summary: Mapped[str] = mapped_column(Text, default="")
    eligibility_report_id: Mapped[int | None] = mapped_column(ForeignKey("eligibility_reports.id"))
    # Set when a person moved it on with an incomplete dossier or a failed rule.
    override_reason: Mapped[str] = mapped_column(Text, default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    proposed_by_unit: Mapped[Unit] = relationship(foreign_keys=[proposed_by_unit_id])
    movement: Mapped[Movement | None] = relationship()
    eligibility_report: Mapped[EligibilityReport | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    dossier: Mapped[list[DossierItem]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan", order_by="DossierItem.id"
    )
    events: Mapped[list[NominationEvent]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan", order_by="NominationEvent.id"
    )


class NominationEvent(Base):
    """One move of a nomination: who, when, from → to, why (and an override's reason)."""

    __tablename__ = "nomination_events"

    id: Mapped[intpk]
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(254))
    at: Mapped[created_at]

    nomination: Mapped[Nomination] = relationship(back_populates="events")


class DossierItem(Base):
    """A file of a nomination's dossier (Law 2022 Art. 84), kept with its checksum."""

    __tablename__ = "dossier_items"
    __table_args__ = (CheckConstraint(f"kind IN {DOSSIER_KINDS!r}", name="kind"),)

    id: Mapped[intpk]
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[created_at]

    nomination: Mapped[Nomination] = relationship(back_populates="dossier")


class CouncilMeeting(Base):
    """A meeting of the Emulation and Commendation Council: who sat, and its ballots."""

    __tablename__ = "council_meetings"

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    members_total: Mapped[int] = mapped_column(Integer)
    # The share of members who must be present, as in force on the day (a parameter).
    quorum_share: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    minutes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    ballots: Mapped[list[Ballot]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Ballot.id"
    )


class Attendance(Base):
    __tablename__ = "council_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("council_meetings.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    present: Mapped[bool] = mapped_column(default=True)

    meeting: Mapped[CouncilMeeting] = relationship(back_populates="attendance")
    person: Mapped[Person] = relationship()


class Ballot(Base):
    """A vote on one nomination. Counts always; who voted what only for an open ballot (in
    OpenVote). The threshold is the share of members that must vote yes, as in force."""

    __tablename__ = "ballots"
    __table_args__ = (
        CheckConstraint("yes >= 0 AND no >= 0 AND abstain >= 0", name="counts"),
        CheckConstraint(f"result IN {BALLOT_RESULTS!r}", name="result"),
    )

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("council_meetings.id", ondelete="CASCADE"), index=True
    )
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    secret: Mapped[bool] = mapped_column(default=True)
    threshold: Mapped[float] = mapped_column(Float)
    yes: Mapped[int] = mapped_column(Integer, default=0)
    no: Mapped[int] = mapped_column(Integer, default=0)
    abstain: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str] = mapped_column(String(8))
    # The rule versions and parameters behind the nomination's eligibility when voted.
    rule_versions: Mapped[list[Any]] = mapped_column(default=list)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[created_at]

    meeting: Mapped[CouncilMeeting] = relationship(back_populates="ballots")
    nomination: Mapped[Nomination] = relationship()
    votes: Mapped[list[OpenVote]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan"
    )


class OpenVote(Base):
    """A named vote in an open ballot. Never written for a secret ballot."""

    __tablename__ = "open_votes"
    __table_args__ = (
        UniqueConstraint("ballot_id", "person_id"),
        CheckConstraint(f"choice IN {VOTE_CHOICES!r}", name="choice"),
    )

    id: Mapped[intpk]
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    choice: Mapped[str] = mapped_column(String(8))

    ballot: Mapped[Ballot] = relationship(back_populates="votes")
    person: Mapped[Person] = relationship()
