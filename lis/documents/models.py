"""Documents (laws, drafts, resolutions…) and their immutable text versions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lis.db import Base, created_at, intpk, updated_at

if TYPE_CHECKING:
    from lis.drafts.models import StageEvent
    from lis.reference.models import Session, Term, Unit

# Normalised kinds, from the corpus' `doc_type` (Vietnamese) to the codes used in the API.
KINDS: dict[str, str] = {
    "Luật": "law",
    "Bộ luật": "code",
    "Pháp lệnh": "ordinance",
    "Nghị quyết": "resolution",
    "Nghị quyết liên tịch": "joint_resolution",
    "Nghị định": "decree",
    "Thông tư": "circular",
    "Thông tư liên tịch": "joint_circular",
    "Quyết định": "decision",
    "Chỉ thị": "directive",
    "Sắc lệnh": "edict",
}
KIND_LABELS: dict[str, str] = {code: label for label, code in KINDS.items()}
STATUSES: tuple[str, ...] = ("in_force_at_codification", "unknown")
# Where a document came from: the imported corpus, or a draft created in LIS.
ORIGINS: tuple[str, ...] = ("imported", "draft")
PROCEDURES: tuple[str, ...] = ("normal", "shortened", "special")

# The sessions at which a draft is planned to be considered (one, or two for two-session laws).
document_sessions = Table(
    "document_sessions",
    Base.metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("session_id", ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_kind_issued", "kind", "issued_date"),)

    id: Mapped[intpk]
    external_id: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    number: Mapped[str] = mapped_column(String(120))
    number_key: Mapped[str] = mapped_column(String(120), index=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    issuer: Mapped[str | None] = mapped_column(String(500))
    issuer_normalized: Mapped[str | None] = mapped_column(String(500), index=True)
    issued_date: Mapped[dt.date | None] = mapped_column(Date)
    effective_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(40), default="unknown")
    metadata_complete: Mapped[bool] = mapped_column(default=True)
    topics: Mapped[list[str]] = mapped_column(default=list)
    source: Mapped[str | None] = mapped_column(Text)
    license: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16), default="imported", server_default="imported")
    # The legislative record (drafts; imported documents sit in their kind's final stage).
    stage: Mapped[str | None] = mapped_column(String(40), index=True)
    holder_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    drafting_agency: Mapped[str | None] = mapped_column(String(300))
    drafting_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"), index=True)
    procedure: Mapped[str] = mapped_column(String(16), default="normal", server_default="normal")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    holder_unit: Mapped[Unit | None] = relationship(foreign_keys=[holder_unit_id])
    drafting_unit: Mapped[Unit | None] = relationship(foreign_keys=[drafting_unit_id])
    lead_unit: Mapped[Unit | None] = relationship(foreign_keys=[lead_unit_id])
    term: Mapped[Term | None] = relationship()
    planned_sessions: Mapped[list[Session]] = relationship(secondary=document_sessions)
    stage_events: Mapped[list[StageEvent]] = relationship(
        back_populates="document", order_by="StageEvent.seq", cascade="all, delete-orphan"
    )

    versions: Mapped[list[Version]] = relationship(
        back_populates="document", order_by="Version.seq", cascade="all, delete-orphan"
    )

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def latest_version(self) -> Version | None:
        return self.versions[-1] if self.versions else None

    @property
    def year(self) -> int | None:
        return self.issued_date.year if self.issued_date else None


class Version(Base):
    """An immutable snapshot of a document's text; a changed text makes a new one."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("document_id", "seq"),)

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    version_date: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(Text)
    text_kind: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]

    document: Mapped[Document] = relationship(back_populates="versions")
    parts: Mapped[list[VersionPart]] = relationship(
        back_populates="version", order_by="VersionPart.ordinal", cascade="all, delete-orphan"
    )


class VersionPart(Base):
    """One chapter, section, article, clause or point of a version, as offsets into its text."""

    __tablename__ = "version_parts"
    __table_args__ = (UniqueConstraint("version_id", "ordinal"),)

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    parent_ordinal: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(32))
    heading: Mapped[str] = mapped_column(Text, default="")
    path: Mapped[str] = mapped_column(String(200))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)

    version: Mapped[Version] = relationship(back_populates="parts")
