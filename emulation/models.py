"""Emulation records: the criteria catalogue, titles, movements with participants and pledges,
score snapshots with their lines, and yearly quality ratings.

Snapshots are written once and never changed: a recomputation makes a new snapshot that points
to the one it supersedes, so a number shown to a council years ago can still be reproduced and
explained.
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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lis.db import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from lis.auth.models import User
    from lis.people.models import Person
    from lis.reference.models import Unit

MOVEMENT_KINDS: tuple[str, ...] = ("regular", "thematic")
MOVEMENT_STATES: tuple[str, ...] = ("open", "closed", "reviewed")
SUBJECT_KINDS: tuple[str, ...] = ("person", "unit")
PLEDGE_STATES: tuple[str, ...] = ("filed", "withdrawn")
# Decree 335/2025 bands, as in lis.contributions.models.QUALITY_BANDS.
BANDS: tuple[str, ...] = ("excellent", "good", "completed", "not_completed")


class Criterion(Base):
    """A criterion of the catalogue (declared data, seeded from emulation/data/criteria.json)."""

    __tablename__ = "emulation_criteria"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    measures: Mapped[str] = mapped_column(Text)
    measures_en: Mapped[str] = mapped_column(Text)
    formula: Mapped[str] = mapped_column(String(40))
    weight: Mapped[float] = mapped_column(Float)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Part of the yearly default set (movements choose their own).
    default: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(String(300), default="")


class Title(Base):
    """An emulation title or form of commendation: what a pledge aims for and a nomination
    proposes; its rules are in emulation/eligibility (seeded from emulation/data/titles.json)."""

    __tablename__ = "titles"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(16))  # individual | collective
    # An emulation title (danh hiệu) or a form of commendation (hình thức khen thưởng).
    kind: Mapped[str] = mapped_column(String(8), default="title", server_default="title")
    # grassroots | na_agencies | ministry | national
    level: Mapped[str] = mapped_column(
        String(16), default="grassroots", server_default="grassroots"
    )
    decider: Mapped[str] = mapped_column(String(300), default="", server_default="")
    decider_en: Mapped[str] = mapped_column(String(300), default="", server_default="")
    source: Mapped[str] = mapped_column(String(300), default="")


class Movement(Base):
    __tablename__ = "movements"
    __table_args__ = (
        CheckConstraint(f"kind IN {MOVEMENT_KINDS!r}", name="kind"),
        CheckConstraint(f"state IN {MOVEMENT_STATES!r}", name="state"),
        CheckConstraint("end_date >= start_date", name="period"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(300))
    theme: Mapped[str] = mapped_column(Text, default="")
    slogan: Mapped[str] = mapped_column(String(300), default="")
    launching_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(16), default="regular")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    # [{"code", "formula", "weight", "params"}]: copied from the catalogue at launch, so a later
    # change to the catalogue does not change a running movement.
    criteria: Mapped[list[Any]] = mapped_column(default=list)
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    launching_unit: Mapped[Unit] = relationship()
    created_by: Mapped[User | None] = relationship()
    participants: Mapped[list[MovementParticipant]] = relationship(
        back_populates="movement", cascade="all, delete-orphan"
    )
    pledges: Mapped[list[Pledge]] = relationship(
        back_populates="movement", cascade="all, delete-orphan"
    )


class MovementParticipant(Base):
    """A unit (with the units under it) or a person taking part in a movement."""

    __tablename__ = "movement_participants"
    __table_args__ = (
        CheckConstraint("(unit_id IS NULL) <> (person_id IS NULL)", name="one_subject"),
        UniqueConstraint("movement_id", "unit_id", "person_id"),
    )

    id: Mapped[intpk]
    movement_id: Mapped[int] = mapped_column(ForeignKey("movements.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    movement: Mapped[Movement] = relationship(back_populates="participants")
    unit: Mapped[Unit | None] = relationship()
    person: Mapped[Person | None] = relationship()


class Pledge(Base):
    """A participant's registration (đăng ký thi đua): the title it aims for."""

    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("(unit_id IS NULL) <> (person_id IS NULL)", name="one_subject"),
        CheckConstraint(f"state IN {PLEDGE_STATES!r}", name="state"),
        Index("ix_pledges_movement_subject", "movement_id", "unit_id", "person_id"),
    )

    id: Mapped[intpk]
    movement_id: Mapped[int] = mapped_column(ForeignKey("movements.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    title_code: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="filed")
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    movement: Mapped[Movement] = relationship(back_populates="pledges")
    unit: Mapped[Unit | None] = relationship()
    person: Mapped[Person | None] = relationship()


class ScoreSnapshot(Base):
    """One computation of scores for a movement or a year: the criteria as used (formula
    versions, weights, parameters), the period and who asked. Never updated."""

    __tablename__ = "score_snapshots"
    __table_args__ = (
        CheckConstraint("(movement_id IS NULL) <> (year IS NULL)", name="one_scope"),
        Index("ix_score_snapshots_scope", "movement_id", "year", "id"),
    )

    id: Mapped[intpk]
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"))
    year: Mapped[int | None] = mapped_column(Integer)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    rule_version: Mapped[str] = mapped_column(String(500))
    criteria: Mapped[list[Any]] = mapped_column(default=list)
    fact_count: Mapped[int] = mapped_column(Integer, default=0)
    # sha256 over every line's digest: equal digests, equal inputs.
    digest: Mapped[str] = mapped_column(String(64))
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("score_snapshots.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    movement: Mapped[Movement | None] = relationship()
    computed_by: Mapped[User | None] = relationship()
    previous: Mapped[ScoreSnapshot | None] = relationship(remote_side="ScoreSnapshot.id")
    lines: Mapped[list[ScoreLine]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan"
    )


class ScoreLine(Base):
    """One subject's score in a snapshot: each criterion's value and counts, the total, the rank
    among subjects of its kind, and the ids of the facts used (and of the unverified ones,
    shown apart and never counted)."""

    __tablename__ = "score_lines"
    __table_args__ = (
        CheckConstraint(f"subject_kind IN {SUBJECT_KINDS!r}", name="subject_kind"),
        Index("ix_score_lines_snapshot_kind_rank", "snapshot_id", "subject_kind", "rank"),
        Index("ix_score_lines_person", "person_id"),
        Index("ix_score_lines_unit", "unit_id"),
    )

    id: Mapped[intpk]
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("score_snapshots.id", ondelete="CASCADE"))
    subject_kind: Mapped[str] = mapped_column(String(8))
    # A person line also keeps the person's unit at the time, for per-unit rankings.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {code: value | None}
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {code: {counts}}
    total: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    # {"contribution": [ids], "document": [ids]}
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    unverified: Mapped[list[Any]] = mapped_column(default=list)  # contribution ids
    digest: Mapped[str] = mapped_column(String(64))

    snapshot: Mapped[ScoreSnapshot] = relationship(back_populates="lines")
    person: Mapped[Person | None] = relationship()
    unit: Mapped[Unit | None] = relationship()


class QualityRating(Base):
    """A person's yearly quality band: what the rules suggested (from which snapshot, why) and
    what the head decided. Both are kept; a decision that departs from the suggestion says why."""

    __tablename__ = "quality_ratings"
    __table_args__ = (
        UniqueConstraint("person_id", "year"),
        CheckConstraint(f"suggested_band IS NULL OR suggested_band IN {BANDS!r}", name="suggested"),
        CheckConstraint(f"band IS NULL OR band IN {BANDS!r}", name="band"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("score_snapshots.id"))
    score: Mapped[float | None] = mapped_column(Float)
    suggested_band: Mapped[str | None] = mapped_column(String(16))
    suggestion_reason: Mapped[str] = mapped_column(Text, default="")
    suggested_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    band: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    person: Mapped[Person] = relationship()
    unit: Mapped[Unit] = relationship()
    snapshot: Mapped[ScoreSnapshot | None] = relationship()
    decided_by: Mapped[User | None] = relationship()
