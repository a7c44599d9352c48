"""StageEvent: one move of a draft from a stage to the next, as it was recorded."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lis.db import Base, intpk, utcnow

if TYPE_CHECKING:
    from lis.documents.models import Document
    from lis.reference.models import Unit


class StageEvent(Base):
    __tablename__ = "stage_events"
    __table_args__ = (UniqueConstraint("document_id", "seq"),)

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    # The day it happened (a session's vote), which may precede the day it was recorded (`at`).
    event_date: Mapped[dt.date] = mapped_column(Date)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(254))
    # The procedural actor the machine names for this transition (LEAD_VERIFIER, UBTVQH…).
    acting_as: Mapped[str] = mapped_column(String(40))
    holder_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    document: Mapped[Document] = relationship(back_populates="stage_events")
    holder_unit: Mapped[Unit | None] = relationship()
