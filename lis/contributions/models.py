"""Contribution: one piece of advisory work on a draft, as its author logged it and as heads
verified, rated and judged its outcome. The only source of the facts emulation scores use.

States: `submitted` (editable by its author) → `verified` (frozen) or `rejected` (with a reason;
the author corrects it, which resubmits it); `withdrawn` by the author before verification.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
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
    from lis.assignments.models import Assignment
    from lis.auth.models import User
    from lis.documents.models import Document, Version
    from lis.people.models import Person
    from lis.reference.models import Unit, WorkKind

STATES: tuple[str, ...] = ("submitted", "verified", "rejected", "withdrawn")
# DESIGN §2: hoàn thành xuất sắc / tốt / hoàn thành / không hoàn thành nhiệm vụ.
QUALITY_BANDS: tuple[str, ...] = ("excellent", "good", "completed", "not_completed")
OUTCOMES: tuple[str, ...] = ("accepted", "partly_accepted", "not_accepted")
SOURCES: tuple[str, ...] = ("logged", "imported")


class Contribution(Base):
    __tablename__ = "contributions"
    __table_args__ = (
        UniqueConstraint("created_by_id", "idempotency_key"),
        CheckConstraint(f"state IN {STATES!r}", name="state"),
        CheckConstraint(f"quality IS NULL OR quality IN {QUALITY_BANDS!r}", name="quality"),
        CheckConstraint(f"outcome IS NULL OR outcome IN {OUTCOMES!r}", name="outcome"),
        CheckConstraint("major_errors >= 0", name="major_errors"),
        Index("ix_contributions_unit_state", "unit_id", "state"),
        Index("ix_contributions_person_delivered", "person_id", "delivered_date"),
        Index("ix_contributions_document_stage", "document_id", "stage"),
    )

    id: Mapped[intpk]
    # A client's key for one logging action: a retried request finds the first row instead.
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(40))
    work_kind_id: Mapped[int] = mapped_column(ForeignKey("work_kinds.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"))
    # Article paths of that version (e.g. "dieu-5"), as in VersionPart.path.
    articles: Mapped[list[str]] = mapped_column(default=list)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    delivered_date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="logged")

    state: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    quality: Mapped[str | None] = mapped_column(String(16))
    quality_comment: Mapped[str] = mapped_column(Text, default="")
    major_errors: Mapped[int] = mapped_column(Integer, default=0)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    outcome: Mapped[str | None] = mapped_column(String(16))
    # The later version in which the advice was (or was not) taken up.
    outcome_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("versions.id", ondelete="SET NULL")
    )
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    document: Mapped[Document] = relationship()
    work_kind: Mapped[WorkKind] = relationship()
    person: Mapped[Person] = relationship()
    unit: Mapped[Unit] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    version: Mapped[Version | None] = relationship(foreign_keys=[version_id])
    outcome_version: Mapped[Version | None] = relationship(foreign_keys=[outcome_version_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    rated_by: Mapped[User | None] = relationship(foreign_keys=[rated_by_id])
    file: Mapped[ContributionFile | None] = relationship(
        back_populates="contribution", cascade="all, delete-orphan", uselist=False
    )


class ContributionFile(Base):
    """The deliverable's file, kept with its checksum (one per contribution, replaced on edit)."""

    __tablename__ = "contribution_files"

    id: Mapped[intpk]
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[created_at]

    contribution: Mapped[Contribution] = relationship(back_populates="file")
