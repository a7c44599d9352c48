"""Session hooks: write outbox rows for changed documents inside the same flush.

Keys in `session.info`:
- DOCS_KEY: documents changed in the flush under way;
- ROWS_KEY: the outbox rows this session added (a bulk import removes them once indexed);
- COMMITTED_KEY: set when a commit carried outbox rows, so the request drains after it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from lis.contributions.models import Contribution
from lis.documents.models import Document, Version
from lis.indexing.models import OutboxEntry

DOCS_KEY = "lis.outbox_docs"
ROWS_KEY = "lis.outbox_rows"
WRITTEN_KEY = "lis.outbox_written"
COMMITTED_KEY = "lis.outbox_committed"


# What a contribution changes in its document's search record: its unit advised on it while it
# is submitted or verified (see `lis.indexing.services.ADVISING_STATES`).
_ADVICE_ATTRS = ("state", "unit", "unit_id", "document", "document_id")


def _documents_of(session: Session, obj: Version | Contribution) -> list[Document]:
    """The document `obj` belongs to, by relationship or by `document_id`: before the flush
    they disagree when only one of them was set, and both are then reindexed."""
    out = [obj.document] if obj.document is not None else []
    if obj.document_id is not None and (not out or out[0].id != obj.document_id):
        with session.no_autoflush:
            document = session.get(Document, obj.document_id)
        if document is not None:
            out.append(document)
    return out


def _advice_changes(session: Session, obj: Contribution) -> list[Document]:
    """The documents whose advisers a changed contribution may alter: its document when its
    state or unit changed, and the one it left when it was moved to another document."""
    state = inspect(obj)
    if not any(state.attrs[name].history.has_changes() for name in _ADVICE_ATTRS):
        return []
    out = _documents_of(session, obj)
    with session.no_autoflush:
        for old in state.attrs.document_id.history.deleted:
            if old is not None and (doc := session.get(Document, old)) is not None:
                out.append(doc)
    out += [d for d in state.attrs.document.history.deleted if d is not None]
    return out


def _changed_documents(session: Session) -> tuple[set[Document], set[Document]]:
    """Documents to reindex: any new or changed Document (a column such as `stage` or
    `lead_unit_id`, or a collection such as `planned_sessions`, makes it dirty), the document
    of any new or changed Version (added through the relationship or by `document_id`), and
    the document of any contribution logged, deleted or changed in state or unit (its units
    are the document's advisers)."""
    upserts: set[Document] = set()
    deletes: set[Document] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Document):
            upserts.add(obj)
        elif isinstance(obj, Version) or (isinstance(obj, Contribution) and obj in session.new):
            upserts.update(_documents_of(session, obj))
        elif isinstance(obj, Contribution):
            upserts.update(_advice_changes(session, obj))
    for obj in session.deleted:
        if isinstance(obj, Document):
            deletes.add(obj)
        elif isinstance(obj, Contribution):
            upserts.update(_documents_of(session, obj))
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
    # A flush that failed (a duplicate idempotency key, say) leaves its documents pending: the
    # transaction is gone, so they must not reach the next one.
    session.info.pop(DOCS_KEY, None)
    session.info.pop(ROWS_KEY, None)
    session.info.pop(WRITTEN_KEY, None)


def install(session_factory: Any) -> None:
    if event.contains(session_factory, "before_flush", _before_flush):
        return
    event.listen(session_factory, "before_flush", _before_flush)
    event.listen(session_factory, "after_flush_postexec", _after_flush_postexec)
    event.listen(session_factory, "after_commit", _after_commit)
    event.listen(session_factory, "after_rollback", _after_rollback)
