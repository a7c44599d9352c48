"""Import documents from the corpus' JSON Lines format, idempotently by `id`.

Streaming and batched: the caller commits each batch, so an interrupted import re-run finishes
with no duplicates and no half-written document. A bad line is reported and skipped.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from lis.audit.models import AuditEvent
from lis.audit.services import SYSTEM_ACTOR
from lis.documents.issuers import normalize_issuer
from lis.documents.models import KINDS, STATUSES, Document, Version, VersionPart
from lis.documents.parsing import parse_parts
from lis.reference.models import Term
from search.analysis import normalize, number_key

REQUIRED_TEXT = ("id", "number", "title", "text")
# A few old laws (1957) have no number in the source: the key must be there, the value may be null.
NULLABLE = frozenset({"number"})
OPTIONAL_TEXT = ("issuer", "source", "license", "text_kind")
MAX_FIELD = {"id": 255, "number": 120, "issuer": 500}
IMPORTED_LABEL = "Văn bản nhập từ kho dữ liệu"


class RecordError(ValueError):
    """Why one line cannot be imported."""


@dataclass(frozen=True)
class Record:
    id: str
    number: str
    title: str
    kind: str
    text: str
    issuer: str | None
    issued_date: dt.date | None
    effective_date: dt.date | None
    status: str
    metadata_complete: bool
    topics: list[str]
    text_kind: str | None
    source: str | None
    license: str | None

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def _date(obj: dict[str, Any], name: str) -> dt.date | None:
    value = obj.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"{name} must be a date string YYYY-MM-DD, not {type(value).__name__}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise RecordError(f"{name} is not a valid date: {value!r}") from None
    if not 1800 <= day.year <= 2100:
        raise RecordError(f"{name} is out of range: {value!r}")
    return day


def to_record(obj: Any) -> Record:
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
    for name in REQUIRED_TEXT:
        if name not in obj:
            raise RecordError(f"missing field {name!r}")
        value = obj[name]
        if value is None and name in NULLABLE:
            continue
        if value is None:
            raise RecordError(f"{name} is null")
        if not isinstance(value, str):
            raise RecordError(f"{name} must be a string, not {type(value).__name__}")
        if not value.strip():
            raise RecordError(f"{name} is empty")
    for name in OPTIONAL_TEXT:
        if obj.get(name) is not None and not isinstance(obj[name], str):
            raise RecordError(f"{name} must be a string or null")
    for name, limit in MAX_FIELD.items():
        if isinstance(obj.get(name), str) and len(obj[name]) > limit:
            raise RecordError(f"{name} is longer than {limit} characters")
    doc_type = obj.get("doc_type")
    if doc_type is not None and not isinstance(doc_type, str):
        raise RecordError("doc_type must be a string")
    kind = KINDS.get(normalize(doc_type or "").strip())
    if kind is None:
        raise RecordError(f"unknown doc_type {doc_type!r} (known: {', '.join(KINDS)})")
    topics = obj.get("topics") or []
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise RecordError("topics must be a list of strings")
    status = obj.get("status") or "unknown"
    if status not in STATUSES:
        raise RecordError(f"unknown status {status!r} (known: {', '.join(STATUSES)})")
    complete = obj.get("metadata_complete", True)
    if not isinstance(complete, bool):
        raise RecordError("metadata_complete must be true or false")
    issued = _date(obj, "issued_date")
    effective = _date(obj, "effective_date")
    return Record(
        id=obj["id"].strip(),
        number=normalize(obj["number"] or "").strip(),
        title=normalize(obj["title"]).strip(),
        kind=kind,
        text=normalize(obj["text"]),
        issuer=normalize(obj["issuer"]).strip() if obj.get("issuer") else None,
        issued_date=issued,
        effective_date=effective,
        status=status,
        metadata_complete=complete,
        topics=[normalize(t) for t in topics],
        text_kind=obj.get("text_kind"),
        source=obj.get("source"),
        license=obj.get("license"),
    )


@dataclass(frozen=True)
class Line:
    number: int
    record: Record | None = None
    error: str | None = None


def open_lines(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")  # type: ignore[return-value]
    return open(path, encoding="utf-8")


def read_lines(stream: Iterable[str]) -> Iterator[Line]:
    """Parse line by line (never the whole file); blank lines are ignored."""
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield Line(number, error=f"not valid JSON: {exc.msg} at column {exc.colno}")
            continue
        try:
            yield Line(number, record=to_record(obj))
        except RecordError as exc:
            yield Line(number, error=str(exc))


@dataclass
class ImportStats:
    created: int = 0
    updated: int = 0
    new_versions: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    # The documents this batch created or changed: what the index must learn about.
    changed: list[Document] = field(default_factory=list)

    def add(self, other: ImportStats) -> None:
        self.created += other.created
        self.updated += other.updated
        self.new_versions += other.new_versions
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.errors.extend(other.errors)


def _metadata(record: Record) -> dict[str, Any]:
    return {
        "kind": record.kind,
        "number": record.number,
        "title": record.title,
        "issuer": record.issuer,
        "issued_date": record.issued_date,
        "effective_date": record.effective_date,
        "status": record.status,
        "metadata_complete": record.metadata_complete,
        "topics": record.topics,
        "source": record.source,
        "license": record.license,
    }


def _new_version(document: Document, record: Record, seq: int) -> Version:
    version = Version(
        seq=seq,
        label=IMPORTED_LABEL,
        version_date=record.issued_date,
        source=record.source,
        text_kind=record.text_kind,
        text=record.text,
        text_sha256=record.text_sha256,
    )
    document.versions.append(version)
    return version


def import_batch(session: Session, lines: list[Line]) -> ImportStats:
    """Create, update or leave each record; flushes, never commits.

    An id met twice is applied in file order, the second line as an update of the first, so
    the result is the same whatever the batch size: the batch is cut where an id repeats.
    """
    stats = ImportStats()
    records: dict[str, Record] = {}
    for line in lines:
        if line.record is None:
            stats.skipped += 1
            stats.errors.append((line.number, line.error or "invalid"))
            continue
        if line.record.id in records:
            _apply(session, records, stats)
            records = {}
        records[line.record.id] = line.record
    if records:
        _apply(session, records, stats)
    return stats


def _apply(session: Session, records: dict[str, Record], stats: ImportStats) -> None:
    part = _import_records(session, records)
    stats.add(part)
    seen = {id(d) for d in stats.changed}
    stats.changed.extend(d for d in part.changed if id(d) not in seen)


# "…/2015/QH13", "…/2012/UBTVQH13": the NA and its Standing Committee number their acts with
# the term (khóa) that adopted them.
_TERM_SUFFIX = re.compile(r"/(?:UBTV)?QH(\d{1,2})$", re.IGNORECASE)


def term_number(number: str) -> int | None:
    """The term an NA or UBTVQH act's number names, so imported laws have a term facet too."""
    match = _TERM_SUFFIX.search(number.strip())
    return int(match.group(1)) if match else None


def _import_records(session: Session, records: dict[str, Record]) -> ImportStats:
    stats = ImportStats()
    terms = dict(session.execute(select(Term.number, Term.id)).tuples().all())
    existing = {
        d.external_id: d
        for d in session.scalars(
            select(Document)
            .where(Document.external_id.in_(list(records)))
            .options(selectinload(Document.versions).load_only(Version.seq, Version.text_sha256))
        )
    }
    new_versions: list[tuple[Version, str]] = []
    audits: list[dict[str, Any]] = []
    for external_id, record in records.items():
        doc = existing.get(external_id)
        if doc is None:
            doc = Document(
                external_id=external_id,
                number_key=number_key(record.number),
                issuer_normalized=normalize_issuer(record.issuer),
                # Imported acts are adopted and in force: the final stage of every machine.
                origin="imported",
                stage="S_IN_FORCE",
                term_id=terms.get(term_number(record.number) or 0),
                **_metadata(record),
            )
            session.add(doc)
            new_versions.append((_new_version(doc, record, 1), record.text))
            stats.created += 1
            stats.changed.append(doc)
            audits.append(
                _audit("create", record, after=_audited(_metadata(record)) | {"version": 1})
            )
            continue
        changed = False
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name, value in _metadata(record).items():
            if getattr(doc, name) != value:
                before[name], after[name] = getattr(doc, name), value
                setattr(doc, name, value)
                changed = True
        if changed:
            doc.number_key = number_key(record.number)
            doc.issuer_normalized = normalize_issuer(record.issuer)
        term_id = terms.get(term_number(record.number) or 0)
        if doc.origin == "imported" and term_id is not None and doc.term_id != term_id:
            before["term_id"], after["term_id"] = doc.term_id, term_id
            doc.term_id = term_id
            changed = True
        latest = doc.versions[-1] if doc.versions else None
        if latest is None or latest.text_sha256 != record.text_sha256:
            seq = (latest.seq if latest else 0) + 1
            new_versions.append((_new_version(doc, record, seq), record.text))
            stats.new_versions += 1
            changed = True
            before["version"], after["version"] = seq - 1, seq
        if changed:
            stats.updated += 1
            stats.changed.append(doc)
            audits.append(_audit("update", record, before=_audited(before), after=_audited(after)))
        else:
            stats.unchanged += 1
    session.flush()
    store_parts(session, new_versions)
    if audits:
        session.execute(insert(AuditEvent), audits)
    return stats


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


def _audit(action: str, record: Record, **change: dict[str, Any]) -> dict[str, Any]:
    """The import is a change like any other: each document it creates or changes is audited,
    in the batch's transaction. The actor is the system, as for any command run outside a
    login. Rows, not objects: one insert per batch keeps the audit a small part of the import.
    """
    return {
        "actor_id": None,
        "actor_email": SYSTEM_ACTOR,
        "action": action,
        "entity": "document",
        "entity_id": record.id,
        "summary": f"imported: {record.number} {record.title}"[:500],
        "before": change.get("before"),
        "after": change.get("after"),
    }


_PART_COLUMNS = (
    "version_id",
    "ordinal",
    "parent_ordinal",
    "kind",
    "number",
    "heading",
    "path",
    "start",
    "end",
)


def store_parts(session: Session, versions: list[tuple[Version, str]]) -> None:
    """Parts are many (hundreds per law, 430,000 for the corpus): insert them with one plain
    executemany; even SQLAlchemy Core's per-row parameter processing doubles the import time."""
    rows: list[tuple[Any, ...]] = []
    for version, text in versions:
        for ordinal, part in enumerate(parse_parts(text)):
            rows.append(
                (
                    version.id,
                    ordinal,
                    part.parent,
                    part.kind,
                    part.number[:32],
                    part.heading,
                    part.path[:200],
                    part.start,
                    part.end,
                )
            )
    if not rows:
        return
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    table = VersionPart.__table__.name
    columns = ", ".join(f'"{c}"' for c in _PART_COLUMNS)
    marks = ", ".join([mark] * len(_PART_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - constants only
    connection.exec_driver_sql(sql, rows)
