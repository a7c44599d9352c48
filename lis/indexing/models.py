"""The transactional outbox of pending search-index changes."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lis.db import Base, created_at, intpk


class OutboxEntry(Base):
    """Written in the same transaction as the change; drained into the index after commit."""

    __tablename__ = "search_outbox"

    id: Mapped[intpk]
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    op: Mapped[str] = mapped_column(String(10))  # "upsert" | "delete"
    external_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[created_at]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
