"""Relation: one document's link to another (basis, amends, replaces, guides, repeals).

A relation always points from the citing document (``source``) to the cited one: a decree that
"quy định chi tiết" a law *guides* it, a law that "bãi bỏ" an ordinance *repeals* it.  The cited
number is kept even when the cited document is in the database, because the number is what
the text says and the link may be lost (the target deleted, or never imported): ``cited_key``
(its :func:`search.analysis.number_key`) is then what identifies the target, and what the
uniqueness rule uses, so that the same citation is never suggested twice.

Relations found in a text start as ``suggested`` and are only shown as links once a person
confirms them; ``detected_kind`` keeps what the detector inferred when a person corrects the
kind, so a later scan does not suggest the same citation again under its first kind.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lis.db import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from lis.documents.models import Document, Version

# Kinds of relation, in the order a reader scans them (the legal basis first).
KINDS: tuple[str, ...] = ("basis", "amends", "replaces", "guides", "repeals")
STATES: tuple[str, ...] = ("suggested", "confirmed", "dismissed")
MAX_NUMBER = 120
MAX_CONTEXT = 500


class Relation(Base):
    __tablename__ = "relations"
    __table_args__ = (UniqueConstraint("source_id", "cited_key", "kind"),)

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    # None when the cited number is not (yet) in the database: cited_number says what it was.
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    cited_number: Mapped[str] = mapped_column(String(MAX_NUMBER))
    cited_key: Mapped[str] = mapped_column(String(MAX_NUMBER))
    kind: Mapped[str] = mapped_column(String(16))
    detected_kind: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    # Where a suggestion was found: the version scanned and the words around the number.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"))
    context: Mapped[str | None] = mapped_column(String(MAX_CONTEXT))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    source: Mapped[Document] = relationship(foreign_keys=[source_id])
    target: Mapped[Document | None] = relationship(foreign_keys=[target_id])
    version: Mapped[Version | None] = relationship()
