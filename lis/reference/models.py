"""Reference tables: seeded from `data/*.json` by `seed.py`, keyed by their codes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lis.db import Base, intpk

UNIT_KINDS: tuple[str, ...] = (
    "assembly",
    "standing_committee",
    "council",
    "committee",
    "board",
    "agency",
    "office",
    "department",
    "office_department",
)
SESSION_KINDS: tuple[str, ...] = ("regular", "irregular")


class Unit(Base):
    """A body of the NA or a department under one; closed units keep their row with `valid_to`
    so that older drafts still show who verified them."""

    __tablename__ = "units"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    aliases_en: Mapped[list[str]] = mapped_column(default=list)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    field: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))
    verified: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Unit | None] = relationship(
        remote_side="Unit.id", foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list[Unit]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by="Unit.code"
    )
    replaced_by: Mapped[Unit | None] = relationship(
        remote_side="Unit.id", foreign_keys=[replaced_by_id]
    )

    @property
    def parent_code(self) -> str | None:
        return self.parent.code if self.parent else None

    @property
    def replaced_by_code(self) -> str | None:
        return self.replaced_by.code if self.replaced_by else None

    def active_on(self, day: dt.date) -> bool:
        """Valid from `valid_from` (inclusive) until `valid_to` (exclusive: the day it closed)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


class Term(Base):
    """A term (khóa) of the NA, e.g. XV (2021-2026)."""

    __tablename__ = "terms"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(8), unique=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))
    verified: Mapped[bool] = mapped_column(default=True)

    sessions: Mapped[list[Session]] = relationship(
        back_populates="term",
        cascade="all, delete-orphan",
        # Chronological; a session whose opening day is unknown sorts by its closing day.
        order_by=lambda: [func.coalesce(Session.start_date, Session.end_date), Session.number],
    )


class Session(Base):
    """A session (kỳ họp) of a term: regular ones are numbered 1, 2…; irregular ones have their
    own numbers ("kỳ họp bất thường lần thứ 9"). Dates may be unknown (see the note)."""

    __tablename__ = "sessions"
    __table_args__ = (UniqueConstraint("term_id", "kind", "number"),)

    id: Mapped[intpk]
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))
    verified: Mapped[bool] = mapped_column(default=True)

    term: Mapped[Term] = relationship(back_populates="sessions")


class DocumentKind(Base):
    """A kind of document (the codes of `lis.documents.models.KINDS`) and its number formats."""

    __tablename__ = "document_kinds"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    issuers: Mapped[str | None] = mapped_column(Text)
    number_patterns: Mapped[list[str]] = mapped_column(default=list)
    number_examples: Mapped[list[str]] = mapped_column(default=list)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))
    verified: Mapped[bool] = mapped_column(default=True)


class WorkKind(Base):
    """A kind of advisory work that staff log as a contribution, and the stages it belongs to."""

    __tablename__ = "work_kinds"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    stages: Mapped[list[str]] = mapped_column(default=list)
    who: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))
    verified: Mapped[bool] = mapped_column(default=True)
