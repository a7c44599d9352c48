"""Comparing two stored versions of a document: which versions, loaded, then compared."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lis.documents import queries
from lis.documents.compare import Comparison, compare_texts
from lis.documents.models import Document, Version
from lis.errors import NotFound, ValidationError


@dataclass(frozen=True)
class VersionComparison:
    """Two versions of a document, old (``a``) and new (``b``), and how they differ."""

    document: Document
    a: Version
    b: Version
    comparison: Comparison


def _version(session: Session, document: Document, seq: int, name: str) -> Version:
    if not 1 <= seq <= queries.MAX_SEQ:
        raise NotFound(f"document {document.external_id!r} has no version {seq}", {name: "unknown"})
    version = session.scalar(
        select(Version).where(Version.document_id == document.id, Version.seq == seq)
    )
    if version is None:
        raise NotFound(f"document {document.external_id!r} has no version {seq}", {name: "unknown"})
    return version


def pick_versions(document: Document, a: int | None, b: int | None) -> tuple[int, int]:
    """The two version numbers to compare: `b` defaults to the latest, `a` to the one before.

    Comparing a version with itself says nothing, so it is refused naming `b`; a document with
    a single version has nothing to compare it with, which is refused naming `a`.
    """
    seqs = [v.seq for v in document.versions]
    if b is None:
        if not seqs:
            raise ValidationError("the document has no version", {"b": "no version"})
        b = seqs[-1]
    if a is None:
        earlier = [seq for seq in seqs if seq < b]
        if not earlier:
            raise ValidationError(
                "there is no version before this one to compare it with",
                {"a": "no earlier version"},
            )
        a = earlier[-1]
    if a == b:
        raise ValidationError("compare two different versions", {"b": "same as a"})
    return a, b


def compare_versions(
    session: Session, doc_id: str, a: int | None = None, b: int | None = None
) -> VersionComparison:
    """Load two versions of a document and compare them article by article (no Flask here)."""
    document = queries.get_document(session, doc_id)
    a, b = pick_versions(document, a, b)
    old, new = _version(session, document, a, "a"), _version(session, document, b, "b")
    return VersionComparison(document, old, new, compare_texts(old.text, new.text))
