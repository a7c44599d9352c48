"""Turn documents into search records and move outbox rows into the search backend.

Every change to a Document, its Versions or the state of a Contribution to it (its units are
the document's advisers) writes an outbox row in the same transaction (see `hooks.py`), so a
crash or an unreachable engine loses nothing: whatever is left is drained by the next request,
`lis search sync` or `lis worker`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, inspect, not_, or_, select, text
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from lis.contributions.models import Contribution
from lis.documents.models import Document, Version
from lis.documents.search import IMPORTED_STAGE, session_key
from lis.indexing.models import OutboxEntry
from lis.reference.models import Session as NaSession
from lis.reference.models import Unit
from search.interface import (
    BulkIndexer,
    DocumentsRejected,
    SearchBackend,
    SearchDocument,
    SearchUnavailable,
    Versions,
    concurrent_writes,
)

log = logging.getLogger(__name__)
BATCH = 500
# Contributions in these states make their unit an adviser of the document: a withdrawn or
# rejected piece of work is not advice the draft received.
ADVISING_STATES: tuple[str, ...] = ("submitted", "verified")


def record_keywords(document: Document) -> dict[str, tuple[str, ...]]:
    """The legislative record as keyword values: codes and keys, never names (labels are
    looked up when a page is shown, so renaming a unit needs no reindex)."""
    origin = document.origin or "imported"
    stage = document.stage or (IMPORTED_STAGE if origin == "imported" else None)
    keywords: dict[str, tuple[str, ...]] = {"origin": (origin,)}
    if stage:
        keywords["stage"] = (stage,)
    if document.holder_unit is not None:
        keywords["holder"] = (document.holder_unit.code,)
    if document.lead_unit is not None:
        keywords["committee"] = (document.lead_unit.code,)
    if document.term is not None:
        keywords["term"] = (document.term.code,)
    # An imported document loaded without its planned sessions has none (only drafts are
    # planned for sessions): skipping the lazy load keeps a bulk import at one query per batch.
    if document.origin == "imported" and "planned_sessions" in inspect(document).unloaded:
        return keywords
    sessions = tuple(session_key(s.term.code, s.kind, s.number) for s in document.planned_sessions)
    if sessions:
        keywords["session"] = sessions
    return keywords


def advisers_by_document(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The codes of the units that advised on each document (sorted), in one query.

    Documents without advice are left out."""
    wanted = list(ids)
    out: dict[int, list[str]] = {}
    for start in range(0, len(wanted), BATCH):
        rows = session.execute(
            select(Contribution.document_id, Unit.code)
            .join(Unit, Unit.id == Contribution.unit_id)
            .where(
                Contribution.document_id.in_(wanted[start : start + BATCH]),
                Contribution.state.in_(ADVISING_STATES),
            )
            .distinct()
        )
        for document_id, code in rows:
            out.setdefault(document_id, []).append(code)
    return {document_id: tuple(sorted(codes)) for document_id, codes in out.items()}


def to_search_document(document: Document, advisers: Iterable[str] | None = None) -> SearchDocument:
    """The record the engines index. `advisers` are the codes of the units that advised on the
    document (see `advisers_by_document`); None looks them up for a draft and assumes none for
    an imported act, which nobody logs advice on, so a bulk import costs no query per
    document."""
    version = document.latest_version
    keywords: dict[str, tuple[str, ...]] = {"status": (document.status,)}
    if document.issuer_normalized:
        keywords["issuer"] = (document.issuer_normalized,)
    keywords.update(record_keywords(document))
    if advisers is None:
        advisers = _advisers_of(document)
    advisers = tuple(advisers)
    if advisers:
        keywords["adviser"] = advisers
    return SearchDocument(
        id=document.external_id,
        number=document.number,
        title=document.title,
        body=version.text if version else (document.summary or ""),
        kind=document.kind,
        issued_date=document.issued_date,
        keywords=keywords,
    )


def _advisers_of(document: Document) -> tuple[str, ...]:
    session = object_session(document)
    if session is None or document.id is None or document.origin != "draft":
        return ()
    return advisers_by_document(session, [document.id]).get(document.id, ())


def _load(session: Session, ids: Iterable[int]) -> list[Document]:
    stmt = (
        select(Document)
        .where(Document.id.in_(list(ids)))
        .options(
            selectinload(Document.versions).defer(Version.text),
            selectinload(Document.holder_unit),
            selectinload(Document.lead_unit),
            selectinload(Document.term),
            selectinload(Document.planned_sessions).selectinload(NaSession.term),
        )
        # The session may hold these documents from the request that changed them: with
        # expire_on_commit off, a relationship loaded before its foreign key changed would
        # still name the old unit or term. Reload them as committed.
        .execution_options(populate_existing=True)
    )
    docs = list(session.scalars(stmt))
    # Only the latest version's text is indexed: load just that one.
    latest = {d.id: d.versions[-1].id for d in docs if d.versions}
    if latest:
        texts = dict(
            session.execute(select(Version.id, Version.text).where(Version.id.in_(latest.values())))
            .tuples()
            .all()
        )
        for d in docs:
            if d.id in latest:
                # Fill the deferred column without marking the version as changed.
                set_committed_value(d.versions[-1], "text", texts[latest[d.id]])
    return docs


def iter_search_documents(session: Session, batch: int = BATCH) -> Iterator[SearchDocument]:
    """Every document, in id order and in batches, so a rebuild never holds the corpus in memory."""
    last = 0
    while True:
        ids = list(
            session.scalars(
                select(Document.id).where(Document.id > last).order_by(Document.id).limit(batch)
            )
        )
        if not ids:
            return
        advisers = advisers_by_document(session, ids)
        for doc in sorted(_load(session, ids), key=lambda d: d.id):
            yield to_search_document(doc, advisers.get(doc.id, ()))
        session.expunge_all()
        last = ids[-1]


@dataclass
class DrainResult:
    indexed: int = 0
    deleted: int = 0
    failed: int = 0
    remaining: int = 0
    refused: int = 0  # rows whose document the engine refused for good (see `REFUSED`)


# `last_error` of a row whose document the engine refused for good (a 4xx such as a mapping
# error): sending it again gets the same answer, so drains pass over it rather than let it hold
# up the rows behind it. It stays in the outbox (counted by `pending_count`, shown by
# `refused_count`) until a later change of the same document is written, which clears it.
REFUSED = "refused: "


def forget_outbox_rows(session: Session, ids: list[int]) -> None:
    """Remove rows whose change is already in the index (a bulk load indexed them itself)."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(chunk)))


def stale_index_reason(session: Session, backend: SearchBackend) -> str | None:
    """Why the index cannot serve the database as it stands, or None when it can.

    An index written by an older LIS (the backend refuses it) or holding another number of
    documents than the database needs `lis search reindex`; `lis seed demo` can ask this so that
    `make run` on an existing checkout rebuilds it rather than serving "search unavailable"."""
    try:
        indexed = backend.count()
    except SearchUnavailable as exc:
        return str(exc)
    stored = session.scalar(select(func.count()).select_from(Document)) or 0
    if indexed != stored:
        return f"the index holds {indexed} documents, the database {stored}"
    return None


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxEntry)) or 0


def refused_count(session: Session) -> int:
    """Rows the drains pass over because the engine refused their document (see `REFUSED`)."""
    return (
        session.scalar(select(func.count()).select_from(OutboxEntry).where(_refused_clause())) or 0
    )


def _refused_clause() -> Any:
    return OutboxEntry.last_error.startswith(REFUSED, autoescape=True)


def _take_rows(session: Session, limit: int) -> list[OutboxEntry]:
    """The oldest rows not refused for good; on PostgreSQL locked with SKIP LOCKED so that
    several workers never take the same rows."""
    stmt = (
        select(OutboxEntry)
        .where(or_(OutboxEntry.last_error.is_(None), not_(_refused_clause())))
        .order_by(OutboxEntry.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def write_version(session: Session, backend: SearchBackend | None) -> int | None:
    """The version of a drain's writes on an engine that takes writes from several processes at
    once (`search.interface.concurrent_writes`), which keeps the highest and refuses the rest.

    PostgreSQL's id of the drain's transaction (`txid_current()`), taken after the outbox rows
    are locked and before the documents are read. Transaction ids are handed out in time order,
    so of two drains the one with the higher version took its id later; a change committed after
    a drain read its documents has its own outbox row, taken by a later drain whose id is
    higher, which then reads the change. Whatever order the drains finish in, the engine ends
    with the newest state. (The ids of the outbox rows would not do: a row's id is given at
    insert, and a transaction that commits later than another may hold the lower id.)

    SQLite is the one-machine setup: its writers are serialised and one worker runs, so writes
    go unversioned there."""
    if backend is None or not concurrent_writes(backend):
        return None
    if session.get_bind().dialect.name != "postgresql":
        return None
    return int(session.scalar(text("SELECT txid_current()")))


def write_versions(
    session: Session, backend: SearchBackend, rows: Iterable[OutboxEntry]
) -> Versions | None:
    """`write_version` for each document the rows name."""
    version = write_version(session, backend)
    return None if version is None else {row.external_id: version for row in rows}


def apply_rows(
    session: Session, bulk: BulkIndexer, rows: list[OutboxEntry], versions: Versions | None
) -> tuple[int, int]:
    """Write what the rows point at, as the database holds it now: (indexed, deleted).

    The rows only say which documents changed; what is written is the state the database holds
    now, so the order of the operations cannot leave a wrong state: a document that exists is
    indexed (an update after a delete re-indexes it), one that is gone is deleted (a delete
    after an update wins), each once."""
    docs = _current_documents(session, rows)
    present = {d.external_id for d in docs}
    deletes = sorted({r.external_id for r in rows} - present)
    deleted = bulk.delete(deletes, versions=versions) if deletes else 0
    indexed = 0
    if docs:
        advisers = advisers_by_document(session, [d.id for d in docs])
        ordered = sorted(docs, key=lambda d: d.id)
        indexed = bulk.add(
            (to_search_document(d, advisers.get(d.id, ())) for d in ordered),
            versions=versions,
        )
    return indexed, deleted


def _current_documents(session: Session, rows: list[OutboxEntry]) -> list[Document]:
    """The documents the rows touch, as the database holds them now: by id, and by external id
    (a document deleted and imported again has a new id under the same external id)."""
    ids = {r.entity_id for r in rows}
    ids |= set(
        session.scalars(
            select(Document.id).where(Document.external_id.in_({r.external_id for r in rows}))
        )
    )
    return _load(session, ids) if ids else []


def drain_batch(session: Session, backend: SearchBackend, limit: int = BATCH) -> DrainResult:
    """Apply up to `limit` outbox rows, oldest first; the caller commits.

    The engine's writer is taken before the outbox is read and the documents loaded: with the
    embedded engine a drain then reads the database after every drain that wrote before it, so
    two drains at once (two workers, each after its own request) never put an older state of a
    document over a newer one. Elasticsearch has no such writer: there the writes carry
    versions (`write_versions`) and the server refuses the older one. A busy or unreachable
    engine keeps the rows for a later drain; a document the engine refuses for good is marked
    on its rows (`REFUSED`) and the other rows are done.
    """
    result = DrainResult()
    rows: list[OutboxEntry] = []
    refused: dict[str, str] = {}
    try:
        with backend.bulk() as bulk:
            rows = _take_rows(session, limit)
            if not rows:
                return result
            result.indexed, result.deleted = apply_rows(
                session, bulk, rows, write_versions(session, backend, rows)
            )
    except SearchUnavailable as exc:
        rows = rows or _take_rows(session, limit)
        for row in rows:
            row.attempts += 1
            row.last_error = str(exc)[:500]
        result = DrainResult(failed=len(rows))
        if rows:
            log.info("search index unavailable, %d outbox rows kept: %s", len(rows), exc)
        return result
    except DocumentsRejected as exc:
        refused = exc.reasons
    done = {r.external_id for r in rows} - set(refused)
    for row in rows:
        if row.external_id in refused:
            row.attempts += 1
            row.last_error = f"{REFUSED}{refused[row.external_id]}"[:500]
            result.refused += 1
    if refused:
        result.indexed = max(0, result.indexed - len(refused))
        log.error(
            "search index refused %d document(s); their outbox rows are kept and passed over: %s",
            len(refused),
            "; ".join(f"{k}: {v}" for k, v in sorted(refused.items())[:5]),
        )
    session.execute(
        delete(OutboxEntry).where(OutboxEntry.id.in_([r.id for r in rows if r.external_id in done]))
    )
    if done:  # a later change was written: an older refusal of the same document is over
        session.execute(
            delete(OutboxEntry).where(OutboxEntry.external_id.in_(done), _refused_clause())
        )
    return result


def catch_up_rebuild(
    session: Session, backend: SearchBackend, bulk: BulkIndexer, read: set[str]
) -> int:
    """A rebuild's catch-up, before its index is swapped in (engines with concurrent writes):
    delete what the rebuild read but the database no longer holds (a delete committed after the
    read, whose live write may have reached the new index before the stale copy), and apply the
    rows still waiting. The rows stay: the drain after the swap removes them. Returns the
    changes written."""
    present = set(session.scalars(select(Document.external_id)))
    gone = sorted(read - present)
    written = bulk.delete(gone) if gone else 0
    last = 0
    while True:
        rows = list(
            session.scalars(
                select(OutboxEntry)
                .where(OutboxEntry.id > last)
                .order_by(OutboxEntry.id)
                .limit(BATCH)
            )
        )
        if not rows:
            return written
        indexed, deleted = apply_rows(session, bulk, rows, write_versions(session, backend, rows))
        written += indexed + deleted
        last = rows[-1].id
        session.expunge_all()
