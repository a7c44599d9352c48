"""Session hooks: write outbox rows for changed documents inside the same flush."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from lis.documents.models import Document, Version
from lis.indexing.models import OutboxEntry

PENDING_KEY = "lis.outbox_written"


def _changed_documents(session: Session) -> tuple[set[Document], set[Document]]:
    upserts: set[Document] = set()
    deletes: set[Document] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Document):
            upserts.add(obj)
        elif isinstance(obj, Version) and obj.document is not None:
            upserts.add(obj.document)
    for obj in session.deleted:
        if isinstance(obj, Document):
            deletes.add(obj)
    return upserts - deletes, deletes


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    upserts, deletes = _changed_documents(session)
    if not (upserts or deletes):
        return
    pending = session.info.setdefault("lis.outbox_docs", {})
    for doc in upserts:
        pending[id(doc)] = (doc, "upsert")
    for doc in deletes:
        pending[id(doc)] = (doc, "delete")


def _after_flush_postexec(session: Session, _ctx: Any) -> None:
    """Ids exist only after the flush, so the outbox rows are added here; SQLAlchemy flushes
    them in the same commit."""
    pending = session.info.pop("lis.outbox_docs", None)
    if not pending:
        return
    for doc, op in pending.values():
        session.add(
            OutboxEntry(entity="document", entity_id=doc.id, op=op, external_id=doc.external_id)
        )
    session.info[PENDING_KEY] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(PENDING_KEY, False):
        session.info["lis.outbox_committed"] = True


def install(session_factory: Any) -> None:
    if event.contains(session_factory, "before_flush", _before_flush):
        return
    event.listen(session_factory, "before_flush", _before_flush)
    event.listen(session_factory, "after_flush_postexec", _after_flush_postexec)
    event.listen(session_factory, "after_commit", _after_commit)
