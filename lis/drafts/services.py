"""Drafts: create one, add its text versions, move it through its declared stage machine.

No Flask here: views and the API call these inside `transaction()`, the demo seeder and tests
call them with any SQLAlchemy session. Every change writes an audit event in the same
transaction. Who may act is decided from the user's roles and the units their person belongs
to (`lis.people.queries.unit_ids_of_user`), against the rules declared in the stage machines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from pathlib import PurePath
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from lis import clock
from lis.audit.services import record
from lis.documents.importer import store_parts
from lis.documents.issuers import normalize_issuer
from lis.documents.models import PROCEDURES, Document, Version
from lis.documents.queries import get_document
from lis.drafts.machine import (
    ACTING_ROLES,
    ACTORS,
    DRAFT_KINDS,
    Machine,
    Transition,
    adopted_by_of,
    machine_for,
)
from lis.drafts.models import StageEvent
from lis.errors import Conflict, PermissionDenied, ValidationError
from lis.people.queries import unit_ids_of_user
from lis.reference.models import Session as NASession
from lis.reference.models import Term, Unit
from lis.relations.services import suggest_from_version

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000
# A .docx is a zip: refuse one that inflates beyond this (a zip bomb), whatever its own size.
MAX_DOCX_INFLATED = 60 * 1024 * 1024
UPLOAD_EXTENSIONS: tuple[str, ...] = (".txt", ".docx")
ADOPTING_BODIES: dict[str, str] = {"QH": "Quốc hội", "UBTVQH": "Ủy ban Thường vụ Quốc hội"}
# Which body adopts each kind when the kind alone says it (resolutions need `adopted_by`).
DEFAULT_ADOPTER: dict[str, str] = {
    "law": "QH",
    "code": "QH",
    "ordinance": "UBTVQH",
    "joint_resolution": "UBTVQH",
    "resolution": "QH",
}
# General-affairs department of the NA Office: records the acts of bodies outside LIS.
OFFICE_UNIT = "VPQH-TH"
# Planned sessions are named by key: "XV-9" is the 9th regular session of term XV, "XV-B9" the
# 9th irregular (bất thường) one.
SESSION_KEY = re.compile(r"^(?P<term>[IVXLC]+)-(?P<irregular>B?)(?P<number>\d{1,3})$")
EDITABLE: tuple[str, ...] = (
    "title",
    "summary",
    "drafting_agency",
    "drafting_unit",
    "lead_unit",
    "term",
    "planned_sessions",
    "subjects",
    "procedure",
)
# Who drafts and who verifies decide whose staff may record the stage acts of the drafting body
# and of LEAD_VERIFIER (see `actor_unit_ids`): changing them after creation moves those powers
# to another body, so only an admin may.
ADMIN_ONLY: tuple[str, ...] = ("drafting_unit", "lead_unit")
# Bodies that lead the verification (thẩm tra) of a draft: the Ethnic Council and the NA's
# committees (NA Resolution 178/2025/QH15), never a department, the NA Office or the Standing
# Committee. Units carry their kind in the reference data, so a new committee qualifies as seeded.
VERIFYING_KINDS: tuple[str, ...] = ("council", "committee")


# --- who may act -------------------------------------------------------------------------------
def _is_admin(user: Any) -> bool:
    return bool(user is not None and user.has_role("admin"))


def _acting_units(session: Session, user: Any) -> set[int]:
    """Units a staff/head user acts for (their unit and those above it); none for other roles."""
    if user is None or not user.has_role(*ACTING_ROLES):
        return set()
    return unit_ids_of_user(session, user.id)


def _unit_ids(session: Session, codes: tuple[str, ...] | list[str]) -> set[int]:
    if not codes:
        return set()
    return set(session.scalars(select(Unit.id).where(Unit.code.in_(list(codes)))))


def actor_unit_ids(session: Session, document: Document, actor_code: str) -> set[int]:
    """Units whose staff and heads may record the acts of `actor_code` on this draft."""
    actor = ACTORS[actor_code]
    if actor.rule == "lead_unit":
        return {document.lead_unit_id} if document.lead_unit_id else set()
    if actor.rule == "drafting_unit" and document.drafting_unit_id:
        return {document.drafting_unit_id}
    return _unit_ids(session, actor.units)


def may_act_as(session: Session, user: Any, document: Document, actor_code: str) -> bool:
    if _is_admin(user):
        return True
    return bool(_acting_units(session, user) & actor_unit_ids(session, document, actor_code))


def may_edit(session: Session, user: Any, document: Document) -> bool:
    """Metadata and versions: members of the drafting or lead unit, the NA Office's general
    affairs (they record outside bodies' texts), or admins."""
    if _is_admin(user):
        return True
    allowed = {document.drafting_unit_id, document.lead_unit_id} | _unit_ids(session, [OFFICE_UNIT])
    return bool(_acting_units(session, user) & (allowed - {None}))


def may_change_units(user: Any) -> bool:
    """Whether the user may change a draft's drafting or lead unit after creation (ADMIN_ONLY)."""
    return _is_admin(user)


def may_create(session: Session, user: Any) -> bool:
    """Whether the user could create some draft (shows the "New draft" link)."""
    return _is_admin(user) or bool(_acting_units(session, user))


def _unit_codes(session: Session, ids: set[int]) -> list[str]:
    if not ids:
        return []
    return sorted(session.scalars(select(Unit.code).where(Unit.id.in_(ids))))


# --- lookups -----------------------------------------------------------------------------------
def machine_of(document: Document) -> Machine | None:
    return machine_for(document.kind, adopted_by_of(document.issuer))


def _unit(session: Session, code: Any, field: str, *, today: dt.date | None = None) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code)) if code else None
    if unit is None:
        raise ValidationError(f"no unit with code {code!r}", {field: "unknown unit"})
    if today is not None and not unit.active_on(today):
        raise ValidationError(f"unit {code} closed on {unit.valid_to}", {field: "closed unit"})
    return unit


def _term(session: Session, code: str | None) -> Term | None:
    if not code:
        return session.scalar(select(Term).order_by(Term.number.desc()).limit(1))
    term = session.scalar(select(Term).where(Term.code == code))
    if term is None:
        raise ValidationError(f"no term with code {code!r}", {"term": "unknown term"})
    return term


def session_key(s: NASession) -> str:
    return f"{s.term.code}-{'B' if s.kind == 'irregular' else ''}{s.number}"


def _sessions(session: Session, keys: list[str]) -> list[NASession]:
    out: list[NASession] = []
    for key in dict.fromkeys(keys):
        match = SESSION_KEY.match(str(key).strip())
        found = None
        if match:
            found = session.scalar(
                select(NASession)
                .join(Term)
                .where(
                    Term.code == match["term"],
                    NASession.number == int(match["number"]),
                    NASession.kind == ("irregular" if match["irregular"] else "regular"),
                )
            )
        if found is None:
            raise ValidationError(
                f"no session {key!r} (use e.g. 'XV-9', or 'XV-B9' for an irregular one)",
                {"planned_sessions": "unknown session"},
            )
        out.append(found)
    return out


def get_draft(session: Session, external_id: str) -> Document:
    """Any document by its external id (drafts are documents; imported ones have a record too)."""
    return get_document(session, external_id)


def list_drafts(
    *, stage: str | None = None, lead_unit: str | None = None, term: str | None = None
) -> Select[tuple[Document]]:
    stmt = select(Document).where(Document.origin == "draft")
    if stage:
        stmt = stmt.where(Document.stage == stage)
    if lead_unit:
        stmt = stmt.join(Unit, Document.lead_unit_id == Unit.id).where(Unit.code == lead_unit)
    if term:
        stmt = stmt.join(Term, Document.term_id == Term.id).where(Term.code == term)
    return stmt.order_by(Document.updated_at.desc(), Document.id.desc())


# --- create and edit ---------------------------------------------------------------------------
def _clean(value: Any) -> str | None:
    value = (value or "").strip() if isinstance(value, str) else value
    return value or None


def _snapshot(doc: Document) -> dict[str, Any]:
    return {
        "kind": doc.kind,
        "title": doc.title,
        "summary": doc.summary,
        "issuer": doc.issuer,
        "drafting_agency": doc.drafting_agency,
        "drafting_unit": doc.drafting_unit.code if doc.drafting_unit else None,
        "lead_unit": doc.lead_unit.code if doc.lead_unit else None,
        "term": doc.term.code if doc.term else None,
        "planned_sessions": [session_key(s) for s in doc.planned_sessions],
        "subjects": list(doc.topics or []),
        "procedure": doc.procedure,
        "stage": doc.stage,
    }


def snapshot_units(doc: Document) -> dict[str, str | None]:
    """The codes of the ADMIN_ONLY fields, as an edit form or request would send them."""
    snapshot = _snapshot(doc)
    return {name: snapshot[name] for name in ADMIN_ONLY}


def _apply(session: Session, doc: Document, data: dict[str, Any], today: dt.date) -> None:
    """Set the editable fields present in `data` (validated: unknown codes are 422)."""
    if "title" in data:
        title = _clean(data["title"])
        if not title:
            raise ValidationError("a draft needs a title", {"title": "required"})
        doc.title = title
    if "summary" in data:
        doc.summary = _clean(data["summary"])
    if "drafting_agency" in data:
        doc.drafting_agency = _clean(data["drafting_agency"])
    if "drafting_unit" in data:
        code = _clean(data["drafting_unit"])
        unit = _unit(session, code, "drafting_unit", today=today) if code else None
        # Both the relationship and the key: callers read the key before the flush.
        doc.drafting_unit, doc.drafting_unit_id = unit, unit.id if unit else None
    if "lead_unit" in data:
        unit = _unit(session, _clean(data["lead_unit"]), "lead_unit", today=today)
        if unit.kind not in VERIFYING_KINDS:
            raise ValidationError(
                f"unit {unit.code} does not verify drafts: the lead verifying unit is the Ethnic "
                "Council or a committee of the National Assembly",
                {"lead_unit": "not a verifying body"},
            )
        doc.lead_unit, doc.lead_unit_id = unit, unit.id
    if "term" in data:
        term = _term(session, _clean(data["term"]))
        doc.term, doc.term_id = term, term.id if term else None
    if "planned_sessions" in data:
        doc.planned_sessions = _sessions(session, list(data["planned_sessions"] or []))
    if "subjects" in data:
        doc.topics = [s.strip() for s in data["subjects"] or [] if s and s.strip()]
    if "procedure" in data:
        procedure = data["procedure"] or "normal"
        if procedure not in PROCEDURES:
            raise ValidationError(
                f"procedure must be one of {PROCEDURES}", {"procedure": "invalid"}
            )
        doc.procedure = procedure
    if not doc.drafting_agency and doc.drafting_unit is None:
        raise ValidationError(
            "name the drafting agency or the drafting unit",
            {"drafting_agency": "drafting_agency or drafting_unit is required"},
        )


def _resolve_holder(session: Session, doc: Document, holder: str | None) -> int | None:
    if holder is None:
        return None
    if holder == "$drafting_unit":
        return doc.drafting_unit_id
    if holder == "$lead_unit":
        return doc.lead_unit_id
    return session.scalar(select(Unit.id).where(Unit.code == holder))


def _add_event(
    session: Session,
    doc: Document,
    actor: Any,
    *,
    from_stage: str | None,
    to_stage: str,
    acting_as: str,
    holder_unit_id: int | None,
    note: str,
    event_date: dt.date,
) -> StageEvent:
    last = session.scalar(select(func.max(StageEvent.seq)).where(StageEvent.document_id == doc.id))
    seq = (last or 0) + 1
    event = StageEvent(
        document=doc,
        seq=seq,
        from_stage=from_stage,
        to_stage=to_stage,
        event_date=event_date,
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None) or "system",
        acting_as=acting_as,
        holder_unit_id=holder_unit_id,
        note=note,
    )
    session.add(event)
    doc.stage = to_stage
    doc.holder_unit_id = holder_unit_id
    return event


def create_draft(
    session: Session, actor: Any, data: dict[str, Any], *, today: dt.date | None = None
) -> Document:
    """A new draft in its machine's initial stage (S_PROGRAMME), held by its drafting unit.

    `data`: kind, title, lead_unit (codes), and optionally summary, drafting_agency,
    drafting_unit, term (default: the latest), planned_sessions (keys like "XV-9"),
    subjects, procedure, adopted_by ("QH"/"UBTVQH", resolutions only).
    """
    today = today or clock.today()
    kind = data.get("kind")
    if kind not in DRAFT_KINDS:
        raise ValidationError(
            f"kind must be one of {', '.join(DRAFT_KINDS)}", {"kind": "no NA procedure"}
        )
    adopted_by = data.get("adopted_by") or DEFAULT_ADOPTER[kind]
    if adopted_by not in ADOPTING_BODIES:
        raise ValidationError("adopted_by must be QH or UBTVQH", {"adopted_by": "invalid"})
    if kind != "resolution":
        adopted_by = DEFAULT_ADOPTER[kind]
    machine = machine_for(kind, adopted_by)
    assert machine is not None  # every DRAFT_KINDS entry has one
    if not data.get("lead_unit"):
        raise ValidationError("a draft needs a lead verifying unit", {"lead_unit": "required"})
    issuer = ADOPTING_BODIES[adopted_by]
    # A temporary unique id: the stable one, draft-<id>, needs the row's id.
    doc = Document(
        external_id=f"draft-new-{uuid.uuid4().hex}",
        kind=kind,
        number="",
        number_key="",
        title="",
        issuer=issuer,
        issuer_normalized=normalize_issuer(issuer),
        status="unknown",
        origin="draft",
        created_by_id=getattr(actor, "id", None),
        topics=[],
    )
    _apply(session, doc, {"procedure": "normal", **{k: data.get(k) for k in EDITABLE}}, today)
    if not _is_admin(actor):
        own = {doc.drafting_unit_id, doc.lead_unit_id} - {None}
        if not _acting_units(session, actor) & own:
            raise PermissionDenied(
                "only staff and heads of the drafting unit or of the lead verifying unit "
                f"({', '.join(_unit_codes(session, own))}) may create this draft",
                {"lead_unit": "not your unit"},
            )
    session.add(doc)
    session.flush()
    doc.external_id = f"draft-{doc.id}"
    _add_event(
        session,
        doc,
        actor,
        from_stage=None,
        to_stage=machine.initial,
        acting_as="SUBMITTER",
        holder_unit_id=doc.drafting_unit_id,
        note=_clean(data.get("note")) or "",
        event_date=today,
    )
    session.flush()
    record(
        session,
        actor=actor,
        action="create",
        entity="document",
        entity_id=doc.external_id,
        summary=f"draft created: {doc.title}"[:500],
        after=_snapshot(doc),
    )
    return doc


def update_draft(
    session: Session,
    actor: Any,
    doc: Document,
    data: dict[str, Any],
    *,
    today: dt.date | None = None,
) -> Document:
    """Change a draft's metadata (not its kind, stage or text), audited with before/after.

    The drafting and lead units may be sent unchanged by anyone who may edit (a form sends every
    field), but only an admin may change them: see ADMIN_ONLY.
    """
    _require_draft(doc)
    if not may_edit(session, actor, doc):
        raise PermissionDenied(
            "only staff and heads of the drafting or lead unit may edit this draft",
            {"doc_id": "not your draft"},
        )
    before = _snapshot(doc)
    if not _is_admin(actor):
        for name in ADMIN_ONLY:
            if name in data and _clean(data[name]) != before[name]:
                raise PermissionDenied(
                    f"only an administrator may change the {name} of a draft after creation",
                    {name: "admin only"},
                )
    _apply(session, doc, {k: v for k, v in data.items() if k in EDITABLE}, today or clock.today())
    session.flush()
    after = _snapshot(doc)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        record(
            session,
            actor=actor,
            action="update",
            entity="document",
            entity_id=doc.external_id,
            summary=f"draft edited: {', '.join(sorted(changed))}",
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return doc


def _require_draft(doc: Document) -> None:
    if doc.origin != "draft":
        raise Conflict(
            "imported documents change only through the importer", {"doc_id": "not a draft"}
        )


# --- versions ----------------------------------------------------------------------------------
def normalize_text(text: str) -> str:
    """One form for every source: NFC (Word may store decomposed Vietnamese), \\n line ends, no
    BOM, no trailing blanks, so the same text pasted or uploaded hashes the same."""
    text = unicodedata.normalize("NFC", text.replace("\ufeff", ""))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def _decode_txt(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM, or NUL-heavy without one), else Windows-1258
    (the legacy Vietnamese code page)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if data and data.count(b"\x00") > len(data) // 4:
        even_nuls = data[0::2].count(0)
        return data.decode("utf-16-be" if even_nuls > data[1::2].count(0) else "utf-16-le")
    return data.decode("cp1258")


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text[:20_000] if ord(ch) < 32 and ch not in "\n\r\t\f")
    return "\x00" in text or controls > max(8, len(text[:20_000]) // 100)


def _docx_text(data: bytes) -> str:
    """Paragraphs and tables' text in document order (table cells tab-separated, a row a line)."""
    from docx import Document as DocxDocument  # imported here: only uploads need it
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_INFLATED:
                raise ValidationError("the .docx inflates too much", {"file": "too large"})
        docx = DocxDocument(io.BytesIO(data))
        lines: list[str] = []
        for block in docx.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells: list[str] = []
                    for cell in row.cells:
                        text = cell.text.strip()
                        if not cells or cells[-1] != text:  # a merged cell repeats itself
                            cells.append(text)
                    lines.append("\t".join(cells))
            else:
                lines.append(block.text)
    except ValidationError:
        raise
    except Exception as exc:  # python-docx/lxml/zipfile raise many kinds for a broken file
        raise ValidationError(
            f"the file is not a readable .docx ({type(exc).__name__})", {"file": "corrupt"}
        ) from exc
    return "\n".join(lines)


def text_from_upload(filename: str | None, data: bytes) -> str:
    """The text of an uploaded .txt or .docx; 422 naming `file` for anything else."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", {"file": "too large"}
        )
    if not data:
        raise ValidationError("the file is empty", {"file": "empty"})
    ext = PurePath(filename or "").suffix.lower()
    if ext not in UPLOAD_EXTENSIONS:
        raise ValidationError(
            f"upload a {' or '.join(UPLOAD_EXTENSIONS)} file", {"file": "unsupported type"}
        )
    if ext == ".docx":
        if not data.startswith(b"PK\x03\x04"):
            raise ValidationError("the file is not a .docx document", {"file": "corrupt"})
        return _docx_text(data)
    try:
        text = _decode_txt(data)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "the text's encoding is not recognised", {"file": "encoding"}
        ) from exc
    if _looks_binary(text):
        raise ValidationError("the file does not contain plain text", {"file": "not text"})
    # Windows-1258 stores tone marks as combining characters: compose them.
    return unicodedata.normalize("NFC", text)


def add_version(
    session: Session,
    actor: Any,
    document: Document,
    label: str,
    text: str,
    version_date: dt.date | None = None,
    source_name: str | None = None,
    *,
    today: dt.date | None = None,
) -> Version:
    """An immutable, labelled, dated version parsed into parts; an unchanged text is a 409.

    The numbers the text cites are stored as suggested relations in the same transaction, for
    a person to confirm or dismiss (nothing is linked silently).

    `version_date` (default: the office's today) may not be after today, nor before the date
    of the draft's latest version: versions are numbered in the order they were written, so the
    dates must follow that order. It may precede the draft's creation in LIS: the office often
    records a text (the Government's submitted draft, say) days after it was dated.
    """
    today = today or clock.today()
    _require_draft(document)
    if not may_edit(session, actor, document):
        raise PermissionDenied(
            "only staff and heads of the drafting or lead unit, or of the NA Office's general "
            "affairs department, may add versions",
            {"doc_id": "not your draft"},
        )
    label = (label or "").strip()
    if not label:
        raise ValidationError("a version needs a label", {"label": "required"})
    if len(label) > 200:
        raise ValidationError("the label is too long (200 characters)", {"label": "too long"})
    text = normalize_text(text or "")
    if not text:
        raise ValidationError("the version has no text", {"text": "required"})
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            f"the text is longer than {MAX_TEXT_CHARS:,} characters", {"text": "too long"}
        )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    latest = session.scalar(
        select(Version)
        .where(Version.document_id == document.id)
        .order_by(Version.seq.desc())
        .limit(1)
    )
    if latest is not None and latest.text_sha256 == digest:
        raise Conflict(
            f"the text is identical to the latest version ({latest.seq}: {latest.label})",
            {"text": "unchanged"},
        )
    version_date = version_date or today
    if version_date > today:
        raise ValidationError("the version date is in the future", {"version_date": "future"})
    if latest is not None and latest.version_date and version_date < latest.version_date:
        raise ValidationError(
            f"the version date is before that of version {latest.seq} ({latest.version_date})",
            {"version_date": "before the previous version"},
        )
    version = Version(
        document_id=document.id,
        seq=(latest.seq if latest else 0) + 1,
        label=label,
        version_date=version_date,
        source=(source_name or "")[:500] or None,
        text_kind="draft",
        text=text,
        text_sha256=digest,
    )
    session.add(version)
    session.flush()
    store_parts(session, [(version, text)])
    session.expire(document, ["versions"])
    record(
        session,
        actor=actor,
        action="add_version",
        entity="document",
        entity_id=document.external_id,
        summary=f"version {version.seq} added: {label}"[:500],
        after={
            "seq": version.seq,
            "label": label,
            "version_date": version.version_date.isoformat(),
            "source": version.source,
            "text_sha256": digest,
            "chars": len(text),
        },
    )
    suggest_from_version(session, version, actor)
    return version


# --- stages ------------------------------------------------------------------------------------
def allowed_transitions(session: Session, user: Any, document: Document) -> list[Transition]:
    """The moves from the draft's stage that this user may record."""
    machine = machine_of(document)
    if machine is None or document.origin != "draft":
        return []
    return [
        tr
        for tr in machine.transitions_from(document.stage)
        if may_act_as(session, user, document, tr.acting_as)
    ]


def move_stage(
    session: Session,
    actor: Any,
    document: Document,
    to_stage: str,
    note: str = "",
    event_date: dt.date | None = None,
    *,
    today: dt.date | None = None,
) -> StageEvent:
    """Record a move the machine allows, made by someone who may act as its actor."""
    today = today or clock.today()
    _require_draft(document)
    machine = machine_of(document)
    if machine is None:
        raise Conflict(f"{document.kind} has no NA procedure", {"to": "no stage machine"})
    tr = machine.transition(document.stage, to_stage)
    if tr is None:
        nexts = [t.to_stage for t in machine.transitions_from(document.stage)]
        raise Conflict(
            f"{machine.code} does not allow {document.stage} -> {to_stage}; allowed next: "
            f"{', '.join(nexts) or 'none (final stage)'}",
            {"to": "not allowed", "allowed": nexts},
        )
    if not may_act_as(session, actor, document, tr.acting_as):
        units = _unit_codes(session, actor_unit_ids(session, document, tr.acting_as))
        raise PermissionDenied(
            f"{document.stage} -> {to_stage} is an act of {tr.acting_as}; only staff and heads "
            f"of {', '.join(units) or 'no unit'} (or admins) may record it",
            {"to": f"needs {tr.acting_as}", "units": units},
        )
    event_date = event_date or today
    if event_date > today:
        raise ValidationError("the event date is in the future", {"event_date": "future"})
    last = session.scalar(
        select(StageEvent)
        .where(StageEvent.document_id == document.id)
        .order_by(StageEvent.seq.desc())
        .limit(1)
    )
    if last is not None and event_date < last.event_date:
        raise ValidationError(
            f"the event date is before the previous stage event ({last.event_date})",
            {"event_date": "before previous"},
        )
    from_stage = document.stage
    event = _add_event(
        session,
        document,
        actor,
        from_stage=from_stage,
        to_stage=to_stage,
        acting_as=tr.acting_as,
        holder_unit_id=_resolve_holder(session, document, tr.holder),
        note=(note or "").strip()[:5000],
        event_date=event_date,
    )
    session.flush()
    session.expire(document, ["stage_events"])
    record(
        session,
        actor=actor,
        action="transition",
        entity="document",
        entity_id=document.external_id,
        summary=f"{from_stage} -> {to_stage} as {tr.acting_as}",
        before={"stage": from_stage},
        after={
            "stage": to_stage,
            "acting_as": tr.acting_as,
            "holder": _unit_codes(session, {event.holder_unit_id} - {None}) or None,
            "event_date": event_date.isoformat(),
            "note": event.note,
        },
    )
    return event
