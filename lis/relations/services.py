"""Relations between documents: suggest them from texts, let people decide, read them back.

Nothing found in a text is linked silently: the detector's finds are stored as ``suggested``
and only a person's confirmation (or a relation a person enters) makes a link that the document
page shows.  Every change is written to the audit log in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from lis.audit.services import record
from lis.db import utcnow
from lis.documents.models import Document, Version
from lis.errors import Conflict, NotFound, ValidationError
from lis.relations.detect import find_citations
from lis.relations.models import KINDS, MAX_NUMBER, Relation
from search.analysis import normalize, number_key

ENTITY = "relation"
MAX_NOTE = 2000


def _snapshot(relation: Relation) -> dict[str, Any]:
    return {
        "source_id": relation.source_id,
        "target_id": relation.target_id,
        "cited_number": relation.cited_number,
        "kind": relation.kind,
        "detected_kind": relation.detected_kind,
        "state": relation.state,
        "version_id": relation.version_id,
        "note": relation.note,
    }


def _summary(verb: str, relation: Relation) -> str:
    return f"{verb} {relation.kind}: {relation.source.number} → {relation.cited_number}"


def get_relation(session: Session, relation_id: int) -> Relation:
    relation = session.get(Relation, relation_id)
    if relation is None:
        raise NotFound(f"no relation {relation_id}", {"id": "unknown"})
    return relation


def documents_by_key(session: Session, keys: set[str]) -> dict[str, list[Document]]:
    """Documents whose number has one of these look-up keys (several share some old numbers)."""
    found: dict[str, list[Document]] = defaultdict(list)
    if keys:
        for doc in session.scalars(select(Document).where(Document.number_key.in_(keys))):
            found[doc.number_key].append(doc)
    return found


def _resolve(candidates: list[Document], source: Document) -> Document | None:
    """The one document a number names; None when none or several do (the number is kept)."""
    others = [doc for doc in candidates if doc.id != source.id]
    return others[0] if len(others) == 1 else None


def suggest_from_version(
    session: Session, version: Version, actor: Any | None = None
) -> list[Relation]:
    """Store the citations of a version's text as suggestions; return the new ones.

    A citation is skipped when it is the document's own number, when the same (number, kind)
    is already recorded in any state, or when a person already decided on a relation that the
    detector first suggested with this kind (a corrected kind must not come back as a new
    suggestion).
    """
    source = version.document
    citations = find_citations(version.text, own_number=source.number)
    if not citations:
        return []
    existing = session.scalars(select(Relation).where(Relation.source_id == source.id)).all()
    known = {(r.cited_key, r.kind) for r in existing}
    decided = [r for r in existing if r.detected_kind and r.state != "suggested"]
    known |= {(r.cited_key, r.detected_kind) for r in decided}
    targets = documents_by_key(session, {c.key for c in citations})
    created: list[Relation] = []
    for citation in citations:
        key = citation.key[:MAX_NUMBER]
        if (key, citation.kind) in known:
            continue
        target = _resolve(targets.get(citation.key, []), source)
        if target is None and any(d.id == source.id for d in targets.get(citation.key, [])):
            continue  # the document's own number, written differently
        relation = Relation(
            source=source,
            target=target,
            cited_number=citation.number[:MAX_NUMBER],
            cited_key=key,
            kind=citation.kind,
            detected_kind=citation.kind,
            state="suggested",
            version_id=version.id,
            context=citation.context,
            created_by_id=getattr(actor, "id", None),
        )
        session.add(relation)
        session.flush()
        known.add((key, citation.kind))
        record(
            session,
            actor=actor,
            action="suggest",
            entity=ENTITY,
            entity_id=relation.id,
            summary=_summary("suggested", relation),
            after=_snapshot(relation),
        )
        created.append(relation)
    return created


def latest_version(session: Session, document: Document) -> Version | None:
    return session.scalar(
        select(Version)
        .where(Version.document_id == document.id)
        .order_by(Version.seq.desc())
        .limit(1)
    )


def suggest_for_document(
    session: Session, document: Document, actor: Any | None = None
) -> list[Relation]:
    """Re-scan the latest version of a document (nothing happens without a text)."""
    version = latest_version(session, document)
    return suggest_from_version(session, version, actor) if version is not None else []


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise ValidationError(f"kind must be one of {', '.join(KINDS)}", {"kind": "invalid"})


def _check_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(f"note is longer than {MAX_NOTE} characters", {"note": "too long"})
    return note or None


def _taken(session: Session, relation: Relation, kind: str) -> bool:
    other = session.scalar(
        select(Relation.id).where(
            Relation.source_id == relation.source_id,
            Relation.cited_key == relation.cited_key,
            Relation.kind == kind,
            Relation.id != relation.id,
        )
    )
    return other is not None


def confirm(
    session: Session,
    relation_id: int,
    actor: Any,
    *,
    kind: str | None = None,
    note: str | None = None,
) -> Relation:
    """A person confirms a suggestion (or a dismissed one after all), perhaps with another kind."""
    _check_kind(kind)
    note = _check_note(note)
    relation = get_relation(session, relation_id)
    if relation.state == "confirmed":
        raise Conflict(f"relation {relation_id} is already confirmed", {"state": "confirmed"})
    if kind and kind != relation.kind and _taken(session, relation, kind):
        raise Conflict(
            f"{relation.source.number} already has a {kind} relation to {relation.cited_number}",
            {"kind": "taken"},
        )
    return _decide(session, relation, actor, "confirmed", note=note, kind=kind)


def dismiss(session: Session, relation_id: int, actor: Any, *, note: str | None = None) -> Relation:
    """A person rejects a suggestion; it stays, dismissed, so that a re-scan does not bring it
    back.  A confirmed relation is not dismissed but deleted (by an administrator)."""
    note = _check_note(note)
    relation = get_relation(session, relation_id)
    if relation.state != "suggested":
        message = f"relation {relation_id} is {relation.state}, not a suggestion"
        raise Conflict(message, {"state": relation.state})
    return _decide(session, relation, actor, "dismissed", note=note)


def _decide(
    session: Session,
    relation: Relation,
    actor: Any,
    state: str,
    *,
    note: str | None,
    kind: str | None = None,
) -> Relation:
    """Record a person's decision on a suggestion, and who took it, in the audit log."""
    before = _snapshot(relation)
    relation.kind = kind or relation.kind
    relation.state = state
    relation.note = note if note is not None else relation.note
    relation.decided_by_id = getattr(actor, "id", None)
    relation.decided_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action={"confirmed": "confirm", "dismissed": "dismiss"}[state],
        entity=ENTITY,
        entity_id=relation.id,
        summary=_summary(state, relation),
        before=before,
        after=_snapshot(relation),
    )
    return relation


def _target_document(session: Session, external_id: str) -> Document:
    doc = session.scalar(select(Document).where(Document.external_id == external_id))
    if doc is None:
        raise ValidationError(f"no document with id {external_id!r}", {"target": "unknown"})
    return doc


def create_relation(
    session: Session,
    source: Document,
    actor: Any,
    *,
    kind: str,
    target_id: str | None = None,
    cited_number: str | None = None,
    note: str | None = None,
) -> Relation:
    """A relation a person enters: confirmed at once.

    The target is a document of the database (``target_id``, its public id) or, when the cited
    document is not in it, just its number; a number that names exactly one document links it.
    A suggestion or dismissed relation with the same number and kind is confirmed instead of
    duplicated.
    """
    _check_kind(kind)
    note = _check_note(note)
    target: Document | None = None
    if target_id:
        target = _target_document(session, target_id)
        number = target.number
    elif cited_number and cited_number.strip():
        number = normalize(cited_number.strip())[:MAX_NUMBER]
    else:
        raise ValidationError("give a target document or a cited number", {"target": "required"})
    key = number_key(number)[:MAX_NUMBER]
    if not key:
        raise ValidationError("the cited number is empty", {"cited_number": "invalid"})
    if (target is not None and target.id == source.id) or key == source.number_key:
        raise ValidationError("a document cannot relate to itself", {"target": "self"})
    if target is None:
        target = _resolve(documents_by_key(session, {key}).get(key, []), source)
    existing = session.scalar(
        select(Relation).where(
            Relation.source_id == source.id, Relation.cited_key == key, Relation.kind == kind
        )
    )
    if existing is not None:
        if existing.state == "confirmed":
            raise Conflict(
                f"{source.number} already has a {kind} relation to {existing.cited_number}",
                {"kind": "taken"},
            )
        if target is not None and existing.target_id is None:
            existing.target = target
        return confirm(session, existing.id, actor, note=note)
    relation = Relation(
        source=source,
        target=target,
        cited_number=number,
        cited_key=key,
        kind=kind,
        state="confirmed",
        note=note,
        created_by_id=getattr(actor, "id", None),
        decided_by_id=getattr(actor, "id", None),
        decided_at=utcnow(),
    )
    session.add(relation)
    session.flush()
    record(
        session,
        actor=actor,
        action="create",
        entity=ENTITY,
        entity_id=relation.id,
        summary=_summary("created", relation),
        after=_snapshot(relation),
    )
    return relation


def delete(session: Session, relation_id: int, actor: Any) -> None:
    """Remove a relation for good (administrators): the audit log keeps what it was."""
    relation = get_relation(session, relation_id)
    before = _snapshot(relation)
    summary = _summary("deleted", relation)
    session.delete(relation)
    session.flush()
    record(
        session,
        actor=actor,
        action="delete",
        entity=ENTITY,
        entity_id=relation_id,
        summary=summary,
        before=before,
    )


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


@dataclass
class DocumentRelations:
    """A document's relations: confirmed ones both ways, and open suggestions both ways."""

    document: Document
    outgoing: list[Relation] = field(default_factory=list)
    incoming: list[Relation] = field(default_factory=list)
    suggestions: list[Relation] = field(default_factory=list)

    def grouped(self) -> list[tuple[str, str, list[Relation]]]:
        """(kind, direction, relations) for each kind and direction that has relations."""
        groups = []
        for kind in KINDS:
            for direction, rows in (("outgoing", self.outgoing), ("incoming", self.incoming)):
                chosen = [r for r in rows if r.kind == kind]
                if chosen:
                    groups.append((kind, direction, chosen))
        return groups


def relations_of(session: Session, document: Document) -> DocumentRelations:
    """Confirmed relations from and to a document, and the suggestions that involve it."""
    rows = session.scalars(
        select(Relation)
        .where(
            or_(Relation.source_id == document.id, Relation.target_id == document.id),
            Relation.state != "dismissed",
        )
        .options(selectinload(Relation.source), selectinload(Relation.target))
        .order_by(Relation.id)
    ).all()
    result = DocumentRelations(document)
    for row in rows:
        if row.state == "suggested":
            result.suggestions.append(row)
        elif row.source_id == document.id:
            result.outgoing.append(row)
        else:
            result.incoming.append(row)
    return result
