"""Assignment: a task of advisory work on a draft at a stage, for a unit or a person.

A head asks a unit (and optionally one person in it) for one kind of advisory work (a
verification report, a comparison table…) on a draft at one stage of its procedure, by a due
date. Contributions, when they come, answer an assignment; so an assignment stays a plain
record of what was asked and how it ended (done or cancelled), and is never deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lis.db import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from lis.auth.models import User
    from lis.documents.models import Document
    from lis.people.models import Person
    from lis.reference.models import Unit, WorkKind

STATES: tuple[str, ...] = ("open", "done", "cancelled")
CLOSED_STATES: tuple[str, ...] = ("done", "cancelled")


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'done', 'cancelled')", name="state"),
        # The lists people look at: a unit's (or a person's) open work, soonest due first.
        Index("ix_assignments_unit_state_due", "unit_id", "state", "due_date"),
        Index("ix_assignments_person_state_due", "person_id", "state", "due_date"),
    )

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    # A stage code of the draft's machine (S_VERIFY…): the work belongs to that stage even
    # after the draft has moved on.
    stage: Mapped[str] = mapped_column(String(40))
    work_kind_id: Mapped[int] = mapped_column(ForeignKey("work_kinds.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="open")
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    close_note: Mapped[str] = mapped_column(Text, default="")
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    document: Mapped[Document] = relationship()
    work_kind: Mapped[WorkKind] = relationship()
    unit: Mapped[Unit] = relationship()
    person: Mapped[Person | None] = relationship()
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    def days_late(self, today: dt.date) -> int:
        """Days past the due date for open work (0 when on time or closed)."""
        if self.state != "open":
            return 0
        return max(0, (today - self.due_date).days)
