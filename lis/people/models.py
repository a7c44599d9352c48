"""Person: someone in a unit (staff, head, deputy…), optionally linked to a User.

A person is kept apart from the login because the record outlives accounts: a former staff
member's contributions still name them after their account is closed, and people are recorded
before (or without) ever logging in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lis.db import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from lis.auth.models import User
    from lis.reference.models import Unit


class Person(Base):
    __tablename__ = "people"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    position: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    unit: Mapped[Unit] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def user_email(self) -> str | None:
        """The linked login's e-mail, which is how the API and forms name the link."""
        return self.user.email if self.user else None
