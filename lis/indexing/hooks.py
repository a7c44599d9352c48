"""Session hooks: write outbox rows for changed documents inside the same flush.

Keys in `session.info`:
- DOCS_KEY: documents changed in the flush under way;
- ROWS_KEY: the outbox rows this session added (a bulk import removes them once indexed);
- COMMITTED_KEY: set when a commit carried outbox rows, so the request drains after it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from lis.documents.models import Document, Version
from lis.indexing.models import OutboxEntry

DOCS_KEY = "lis.outbox_docs"
ROWS_KEY = "lis.outbox_rows"
WRITTEN_KEY = "lis.outbox_written"
COMMITTED_KEY = "lis.outbox_committed"


def _changed_documents(session: Session) -> tuple[set[Document], set[Document]]:
    """Documents to reindex: any new or changed Document (a column such as `stage` or
    `lead_unit_id`, or a collection such as `planned_sessions`, makes it dirty) and the document
    of any new or changed Version (added through the relationship or by `document_id`)."""
    upserts: set[Document] = set()
    deletes: set[Document] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Document):
            upserts.add(obj)
        elif isinstance(obj, Version):
            document = obj.document
            if document is None and obj.document_id is not None:
                with session.no_autoflush:
                    document = session.get(Document, obj.document_id)
            if document is not None:
                upserts.add(document)
    for obj in session.deleted:
        if isinstance(obj, Document):
            deletes.add(obj)
    return upserts - deletes, deletes


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    upserts, deletes = _changed_documents(session)
    if not (upserts or deletes):
        return
    pending = session.info.setdefault(DOCS_KEY, {})
    for doc in upserts:
        pending[id(doc)] = (doc, "upsert")
    for doc in deletes:
        pending[id(doc)] = (doc, "delete")


def _after_flush_postexec(session: Session, _ctx: Any) -> None:
    """Ids exist only after the flush, so the outbox rows are added here; SQLAlchemy flushes
    them in the same commit."""
    pending = session.info.pop(DOCS_KEY, None)
    if not pending:
        return
    rows = session.info.setdefault(ROWS_KEY, [])
    for doc, op in pending.values():
        row = OutboxEntry(entity="document", entity_id=doc.id, op=op, external_id=doc.external_id)
        session.add(row)
        rows.append(row)
    session.info[WRITTEN_KEY] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(WRITTEN_KEY, False):
        session.info[COMMITTED_KEY] = True


def _after_rollback(session: Session) -> None:
    session.info.pop(ROWS_KEY, None)
    session.info.pop(WRITTEN_KEY, None)


def install(session_factory: Any) -> None:
    if event.contains(session_factory, "before_flush", _before_flush):
        return
    event.listen(session_factory, "before_flush", _before_flush)
    event.listen(session_factory, "after_flush_postexec", _after_flush_postexec)
    event.listen(session_factory, "after_commit", _after_commit)
    event.listen(session_factory, "after_rollback", _after_rollback)
