"""Logging advisory contributions, editing and withdrawing them, and a person's own record.

Who may do what:

- log: staff and heads log their own work; a head may log for the people of their unit and the
  units under it; an administrator for anyone (the historical import relies on it). The person
  must belong to the unit the work is logged for (their unit or one above it: a committee's
  department works for the committee). The assignment it answers, if any, must be given to
  that person or to one of those units.
- edit and withdraw: the author (who logged it, or the person it is for) while it is
  submitted or rejected; editing a rejected contribution resubmits it.
- read: administrators, officers and the council everything (they feed emulation); heads
  their own and their units' (and the units under them); staff their own; deputies nothing
  (the ledger is internal: they see only the advisers panel of a draft).

Logging is idempotent per user and key: the same key with the same request returns the first
row (created=False), with a different request is a 409 naming `Idempotency-Key`. Under
concurrency the unique constraint (created_by_id, idempotency_key) decides; the loser catches
the IntegrityError inside a SAVEPOINT and returns the winner's row.

No Flask here: the API, the pages, the import and tests call these with any session; every
change is audited in the same transaction, and nothing commits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, selectinload

from lis import clock
from lis.assignments.models import Assignment
from lis.audit.services import record
from lis.contributions import rules
from lis.contributions.models import STATES, Contribution, ContributionFile
from lis.contributions.rules import IDEMPOTENCY_HEADER, Upload
from lis.documents.models import Document, Version, VersionPart
from lis.drafts.machine import adopted_by_of, machine_for
from lis.drafts.models import StageEvent
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.models import Person
from lis.people.queries import person_of_user, unit_and_descendants
from lis.reference.models import Unit, WorkKind

__all__ = [
    "EDITABLE_STATES",
    "LOG_ROLES",
    "READ_ALL_ROLES",
    "READ_ROLES",
    "ContributionFilter",
    "Upload",
    "contributions_query",
    "edit_contribution",
    "facts",
    "get_contribution",
    "log_contribution",
    "may_edit",
    "may_read",
    "own_contributions",
    "read_contribution",
    "visible_clause",
    "withdraw_contribution",
    "year_totals",
]

ENTITY = "contribution"
LOG_ROLES: tuple[str, ...] = ("admin", "staff", "head")
READ_ALL_ROLES: tuple[str, ...] = ("admin", "officer", "council")
READ_ROLES: tuple[str, ...] = ("admin", "head", "staff", "officer", "council")
EDITABLE_STATES: tuple[str, ...] = ("submitted", "rejected")
# Keys of `data` an edit may change (the person stays: a contribution is theirs for good).
EDITABLE_KEYS: tuple[str, ...] = (
    "document",
    "stage",
    "work_kind",
    "title",
    "delivered_date",
    "due_date",
    "assignment_id",
    "version",
    "articles",
    "note",
    "unit",
)


class Actor(Protocol):
    """A logged-in user or API principal: what the rules need of whoever acts."""

    id: int
    email: str

    def has_role(self, *roles: str) -> bool: ...


# --- look-ups ----------------------------------------------------------------------------------
def _document(session: Session, external_id: Any, *, historical: bool = False) -> Document:
    """The document the work was on: a draft LIS holds; for historical work (the import) also
    an act enacted before LIS, imported from the corpus, since that is where past advice went."""
    text = str(external_id or "").strip()
    doc = None
    if 0 < len(text) <= 255 and "\x00" not in text:
        doc = session.scalar(select(Document).where(Document.external_id == text))
    if doc is None:
        if not text:
            raise ValidationError("name the draft", {"document": "required"})
        raise ValidationError(f"no document {text[:60]!r}", {"document": "unknown"})
    if doc.origin != "draft" and not historical:
        raise ValidationError(
            "advice is logged on drafts only (imported laws take no advice)",
            {"document": "not a draft"},
        )
    return doc


def _work_kind(session: Session, code: Any) -> WorkKind:
    text = str(code or "").strip()
    kind = None
    if 0 < len(text) <= 40 and "\x00" not in text:
        kind = session.scalar(select(WorkKind).where(WorkKind.code == text))
    if kind is None:
        if not text:
            raise ValidationError("name the kind of work", {"work_kind": "required"})
        raise ValidationError(f"no kind of work {text[:40]!r}", {"work_kind": "unknown"})
    return kind


def _assignment(session: Session, value: Any) -> Assignment | None:
    assignment_id = rules.as_id(value, "assignment_id")
    if assignment_id is None:
        return None
    found = session.get(Assignment, assignment_id)
    if found is None:
        raise ValidationError(f"no assignment {assignment_id}", {"assignment_id": "unknown"})
    return found


def _check_assignee(session: Session, assignment: Assignment, person: Person) -> None:
    """Work answers only an assignment given to its author, or to the author's unit as a whole
    (their unit or one above it, as the log form offers them): otherwise anyone could close
    another unit's task, and its on-time record, with their own work."""
    if assignment.person_id is not None:
        if assignment.person_id != person.id:
            raise PermissionDenied(
                "the assignment is given to someone else",
                {"assignment_id": "assigned to another person"},
            )
        return
    if assignment.unit_id not in _unit_chain(session, person.unit_id):
        raise PermissionDenied(
            "the assignment is given to another unit",
            {"assignment_id": "assigned to another unit"},
        )


def _unit_chain(session: Session, unit_id: int) -> list[int]:
    """The unit and those above it, up to (not including) the Assembly itself."""
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).tuples().all())
    codes = dict(session.execute(select(Unit.id, Unit.code)).tuples().all())
    out: list[int] = []
    current: int | None = unit_id
    while current is not None and current not in out and codes.get(current) != "QH":
        out.append(current)
        current = parents.get(current)
    return out


def _person(
    session: Session, actor: Actor, person_id: Any, *, source: str, current: int | None = None
) -> Person:
    """The person the work is for: the actor's own by default; someone else only for a head
    (within their units) or an administrator. `current` is the person already on the row (an
    edit keeps it without asking again)."""
    wanted = rules.as_id(person_id, "person")
    if current is not None and wanted in (None, current):
        person = session.get(Person, current)
        assert person is not None
        return person
    own = person_of_user(session, actor.id)
    if wanted is None or (own is not None and wanted == own.id):
        if own is None:
            raise ValidationError(
                "your login is not linked to a person record; ask an administrator",
                {"person": "no person record for this login"},
            )
        return own
    person = session.get(Person, wanted)
    if person is None:
        raise ValidationError(f"no person {wanted}", {"person": "unknown"})
    if not actor.has_role("admin"):
        reach = (
            unit_and_descendants(session, own.unit_id)
            if own is not None and actor.has_role("head")
            else set()
        )
        if person.unit_id not in reach:
            raise PermissionDenied(
                "you may log only your own work (heads: the work of their units' people)",
                {"person": "not yours to log for"},
            )
    if not person.active and source != "imported":
        raise ValidationError(f"{person.name} is no longer active", {"person": "inactive"})
    return person


def _unit(session: Session, code: Any, person: Person, delivered: dt.date) -> Unit:
    chain = _unit_chain(session, person.unit_id)
    text = str(code or "").strip()
    if not text:
        unit = session.get(Unit, person.unit_id)
        assert unit is not None
        return unit
    unit = None
    if len(text) <= 40 and "\x00" not in text:
        unit = session.scalar(select(Unit).where(Unit.code == text))
    if unit is None:
        raise ValidationError(f"no unit {text[:40]!r}", {"unit": "unknown"})
    if unit.id not in chain:
        raise ValidationError(
            f"{person.name} does not belong to {unit.code}",
            {"unit": f"the person is not in {unit.code} or a unit under it"},
        )
    if not unit.active_on(delivered):
        raise ValidationError(
            f"{unit.code} did not exist on {delivered.isoformat()}", {"unit": "closed"}
        )
    return unit


def _version(session: Session, document: Document, seq: Any) -> Version | None:
    number = rules.as_id(seq, "version")
    if number is None:
        return None
    version = session.scalar(
        select(Version).where(Version.document_id == document.id, Version.seq == number)
    )
    if version is None:
        raise ValidationError(
            f"the draft has no version {number}", {"version": "not a version of this draft"}
        )
    return version


def _latest_version(session: Session, document: Document) -> Version | None:
    return session.scalar(
        select(Version)
        .where(Version.document_id == document.id)
        .order_by(Version.seq.desc())
        .limit(1)
    )


def _article_paths(session: Session, version: Version) -> list[str]:
    return list(
        session.scalars(
            select(VersionPart.path).where(
                VersionPart.version_id == version.id, VersionPart.kind == "article"
            )
        )
    )


def _since(
    session: Session, document: Document, today: dt.date, *, historical: bool
) -> tuple[dt.date, dt.date]:
    """(the first day work on the document can have been delivered, the day LIS recorded it).

    Work logged now is on a draft LIS holds, so not before its record was created. Historical
    work predates the record (a draft entered in LIS after the work it received, an act
    imported from the corpus long after it was enacted), so the bound is the earliest of the
    document's own dates: its versions' and stage events' dates, the start of its term, and
    for an enacted act MAX_DRAFTING_YEARS before its issue (its drafting is not recorded)."""
    recorded = clock.local_date(document.created_at) if document.created_at else today
    if not historical:
        return recorded, recorded
    dates = [recorded]
    first_version = session.scalar(
        select(func.min(Version.version_date)).where(Version.document_id == document.id)
    )
    first_event = session.scalar(
        select(func.min(StageEvent.event_date)).where(StageEvent.document_id == document.id)
    )
    dates += [d for d in (first_version, first_event) if d is not None]
    if document.term is not None and document.term.start_date is not None:
        dates.append(document.term.start_date)
    if document.issued_date is not None:
        dates.append(rules.years_after(document.issued_date, -rules.MAX_DRAFTING_YEARS))
    return min(dates), recorded


def _history(session: Session, document: Document) -> list[str]:
    return list(
        session.scalars(select(StageEvent.to_stage).where(StageEvent.document_id == document.id))
    )


# --- validation --------------------------------------------------------------------------------
@dataclass
class _Valid:
    """Everything a contribution row needs, checked."""

    document: Document
    stage: str
    work_kind: WorkKind
    person: Person
    unit: Unit
    assignment: Assignment | None
    title: str
    version: Version | None
    articles: list[str]
    due_date: dt.date | None
    delivered_date: dt.date
    note: str


def _validate(
    session: Session,
    actor: Actor,
    data: Mapping[str, Any],
    *,
    today: dt.date,
    source: str,
    current_person: int | None = None,
) -> _Valid:
    historical = source == "imported"
    document = _document(session, data.get("document"), historical=historical)
    assignment = _assignment(session, data.get("assignment_id"))
    machine = machine_for(document.kind, adopted_by_of(document.issuer))
    if machine is None:
        raise ValidationError(
            f"a {document.kind} has no NA procedure", {"document": "no procedure"}
        )
    stage = str(data.get("stage") or "").strip() or (
        assignment.stage if assignment is not None else document.stage or ""
    )
    rules.check_stage(stage, machine.stages, document.stage, _history(session, document))
    kind = _work_kind(session, data.get("work_kind"))
    rules.check_work_kind_stage(kind.code, kind.stages or [], stage)
    if assignment is not None:
        if assignment.document_id != document.id:
            raise ValidationError(
                "the assignment is for another draft", {"assignment_id": "another draft"}
            )
        if assignment.stage != stage:
            raise ValidationError(
                f"the assignment is for stage {assignment.stage}, not {stage}",
                {"assignment_id": f"for stage {assignment.stage}"},
            )
    since, recorded = _since(session, document, today, historical=historical)
    delivered = rules.as_date(data.get("delivered_date"), "delivered_date", required=True)
    assert delivered is not None
    rules.check_delivered(delivered, since, today)
    due = rules.as_date(data.get("due_date"), "due_date")
    if due is None and assignment is not None:
        due = assignment.due_date
    rules.check_due(due, since, recorded)
    person = _person(session, actor, data.get("person_id"), source=source, current=current_person)
    if assignment is not None:
        _check_assignee(session, assignment, person)
    unit = _unit(session, data.get("unit"), person, delivered)
    version = _version(session, document, data.get("version"))
    articles = rules.clean_articles(data.get("articles"))
    if articles:
        version = version or _latest_version(session, document)
        if version is None:
            raise ValidationError(
                "the draft has no version to take articles from", {"articles": "no version"}
            )
        rules.check_articles(articles, _article_paths(session, version), version.seq)
    return _Valid(
        document=document,
        stage=stage,
        work_kind=kind,
        person=person,
        unit=unit,
        assignment=assignment,
        title=rules.clean_title(data.get("title")),
        version=version,
        articles=articles,
        due_date=due,
        delivered_date=delivered,
        note=rules.clean_text(data.get("note"), "note", rules.MAX_NOTE),
    )


def _apply(row: Contribution, valid: _Valid) -> None:
    # Relationships and keys both: callers read keys before the flush.
    row.document, row.document_id = valid.document, valid.document.id
    row.stage = valid.stage
    row.work_kind, row.work_kind_id = valid.work_kind, valid.work_kind.id
    row.person, row.person_id = valid.person, valid.person.id
    row.unit, row.unit_id = valid.unit, valid.unit.id
    row.assignment = valid.assignment
    row.assignment_id = valid.assignment.id if valid.assignment else None
    row.title = valid.title
    row.version = valid.version
    row.version_id = valid.version.id if valid.version else None
    row.articles = list(valid.articles)
    row.due_date = valid.due_date
    row.delivered_date = valid.delivered_date
    row.note = valid.note


def _attach(row: Contribution, upload: Upload) -> None:
    clean = rules.clean_upload(upload)
    row.file = ContributionFile(
        name=clean.name,
        content_type=clean.content_type,
        size=len(clean.data),
        sha256=clean.sha256,
        data=clean.data,
    )


def facts(row: Contribution) -> dict[str, Any]:
    """The row as plain JSON values: the audit's before/after and the replay comparison."""
    return {
        "document": row.document.external_id if row.document else None,
        "stage": row.stage,
        "work_kind": row.work_kind.code if row.work_kind else None,
        "title": row.title,
        "delivered_date": row.delivered_date.isoformat() if row.delivered_date else None,
        "due_date": row.due_date.isoformat() if row.due_date else None,
        "assignment_id": row.assignment_id,
        "version": row.version.seq if row.version else None,
        "articles": list(row.articles or []),
        "note": row.note,
        "person_id": row.person_id,
        "unit": row.unit.code if row.unit else None,
        "state": row.state,
        "source": row.source,
        "file_name": row.file.name if row.file else None,
        "file_sha256": row.file.sha256 if row.file else None,
    }


# --- logging -----------------------------------------------------------------------------------
def _by_key(session: Session, actor_id: int, key: str) -> Contribution | None:
    return session.scalar(
        select(Contribution).where(
            Contribution.created_by_id == actor_id, Contribution.idempotency_key == key
        )
    )


def _replay(row: Contribution, data: Mapping[str, Any], upload: Upload | None) -> Contribution:
    sha = rules.clean_upload(upload).sha256 if upload is not None else None
    diffs = rules.replay_differences(data, facts(row), sha)
    if diffs:
        raise Conflict(
            f"this {IDEMPOTENCY_HEADER} was already used for contribution {row.id} with "
            f"different {', '.join(diffs)}",
            {IDEMPOTENCY_HEADER: f"already used for contribution {row.id}", "differs": diffs},
        )
    return row


def _require_logger(actor: Actor) -> None:
    if not actor.has_role(*LOG_ROLES):
        raise PermissionDenied(
            "only staff, heads and administrators log contributions", {"role": "missing"}
        )


def log_contribution(
    session: Session,
    actor: Actor,
    data: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
    upload: Upload | None = None,
    today: dt.date | None = None,
    source: str = "logged",
) -> tuple[Contribution, bool]:
    """Log one piece of advisory work; (the row, True) or, for a replayed key, (its row, False).

    `data`: document (external id), stage (default: the assignment's, else the draft's
    current), work_kind (code), title, delivered_date, due_date (default: the assignment's),
    assignment_id, version (seq), articles (paths), note, person_id (default: the actor's
    person), unit (code; default: the person's unit). Problems are ValidationError naming the
    field, PermissionDenied, or Conflict naming `Idempotency-Key`.
    """
    today = today or clock.today()
    _require_logger(actor)
    if source not in ("logged", "imported"):
        raise ValidationError("source must be logged or imported", {"source": "invalid"})
    key = rules.idempotency_key(idempotency_key)
    if key is not None:
        existing = _by_key(session, actor.id, key)
        if existing is not None:
            return _replay(existing, data, upload), False
    valid = _validate(session, actor, data, today=today, source=source)
    row = Contribution(
        idempotency_key=key,
        source=source,
        state="submitted",
        reject_reason="",
        quality_comment="",
        major_errors=0,
        created_by_id=actor.id,
    )
    _apply(row, valid)
    if upload is not None:
        _attach(row, upload)
    if key is None:
        session.add(row)
        session.flush()
    else:
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            # Another request with this key committed first: theirs is the contribution.
            winner = _by_key(session, actor.id, key)
            if winner is None:
                raise
            return _replay(winner, data, upload), False
    record(
        session,
        actor=actor,
        action="create",
        entity=ENTITY,
        entity_id=row.id,
        summary=f"{valid.work_kind.code} on {valid.document.external_id} at {valid.stage}: "
        f"{valid.title}"[:500],
        after=facts(row),
    )
    return row, True


# --- reading -----------------------------------------------------------------------------------
def _loaded() -> Select[tuple[Contribution]]:
    return select(Contribution).options(
        selectinload(Contribution.document),
        selectinload(Contribution.work_kind),
        selectinload(Contribution.person),
        selectinload(Contribution.unit),
        selectinload(Contribution.version),
        selectinload(Contribution.outcome_version),
        selectinload(Contribution.verified_by),
        selectinload(Contribution.rated_by),
        selectinload(Contribution.created_by),
        selectinload(Contribution.file).options(defer(ContributionFile.data)),
    )


def get_contribution(session: Session, contribution_id: Any) -> Contribution:
    """The contribution with this id, whoever asks (callers check `may_read`); 404 otherwise."""
    number = None
    with contextlib.suppress(ValidationError):
        number = rules.as_id(contribution_id, "id")
    row = session.scalar(_loaded().where(Contribution.id == number)) if number is not None else None
    if row is None:
        raise NotFound(f"no contribution {str(contribution_id)[:20]}", {"id": "unknown"})
    return row


def _reach(session: Session, actor: Actor) -> set[int]:
    """Units whose contributions a head reads: their unit and every unit under it."""
    if not actor.has_role("head"):
        return set()
    own = person_of_user(session, actor.id)
    return unit_and_descendants(session, own.unit_id) if own is not None else set()


def visible_clause(session: Session, actor: Actor) -> ColumnElement[bool] | None:
    """What `actor` may read as a WHERE clause; None for everything. Deputies: 403."""
    if actor.has_role(*READ_ALL_ROLES):
        return None
    if not actor.has_role(*READ_ROLES):
        raise PermissionDenied(
            "the contribution ledger is internal to the Office", {"role": "missing"}
        )
    own = person_of_user(session, actor.id)
    clauses: list[ColumnElement[bool]] = [Contribution.created_by_id == actor.id]
    if own is not None:
        clauses.append(Contribution.person_id == own.id)
    reach = _reach(session, actor)
    if reach:
        clauses.append(Contribution.unit_id.in_(reach))
        clauses.append(
            Contribution.person_id.in_(select(Person.id).where(Person.unit_id.in_(reach)))
        )
    return or_(*clauses) if clauses else false()


def may_read(session: Session, actor: Actor, row: Contribution) -> bool:
    if actor.has_role(*READ_ALL_ROLES):
        return True
    if not actor.has_role(*READ_ROLES):
        return False
    if row.created_by_id == actor.id or (row.person and row.person.user_id == actor.id):
        return True
    reach = _reach(session, actor)
    return row.unit_id in reach or (row.person is not None and row.person.unit_id in reach)


def read_contribution(session: Session, actor: Actor, contribution_id: Any) -> Contribution:
    """One contribution when `actor` may read it: 403 for deputies and strangers, 404 if none."""
    if not actor.has_role(*READ_ROLES):
        raise PermissionDenied(
            "the contribution ledger is internal to the Office", {"role": "missing"}
        )
    row = get_contribution(session, contribution_id)
    if not may_read(session, actor, row):
        raise PermissionDenied("this contribution is not yours to read", {"id": "not visible"})
    return row


@dataclass(frozen=True)
class ContributionFilter:
    mine: bool = True  # only the actor's own (as the person, or as who logged it)
    year: int | None = None  # of the delivery date
    state: str | None = None
    document_id: int | None = None
    unit_id: int | None = None
    include_sub_units: bool = True
    person_id: int | None = None


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def contributions_query(
    session: Session, actor: Actor, f: ContributionFilter
) -> Select[tuple[Contribution]]:
    """The contributions `actor` may read that match `f`, latest delivery first."""
    stmt = _loaded()
    clause = visible_clause(session, actor)
    if clause is not None:
        stmt = stmt.where(clause)
    if f.mine:
        own = person_of_user(session, actor.id)
        mine: list[ColumnElement[bool]] = [Contribution.created_by_id == actor.id]
        if own is not None:
            mine.append(Contribution.person_id == own.id)
        stmt = stmt.where(or_(*mine))
    if f.year is not None:
        start, end = _year_range(f.year)
        stmt = stmt.where(Contribution.delivered_date.between(start, end))
    if f.state:
        stmt = stmt.where(Contribution.state == f.state)
    if f.document_id is not None:
        stmt = stmt.where(Contribution.document_id == f.document_id)
    if f.unit_id is not None:
        units = unit_and_descendants(session, f.unit_id) if f.include_sub_units else {f.unit_id}
        stmt = stmt.where(Contribution.unit_id.in_(units))
    if f.person_id is not None:
        stmt = stmt.where(Contribution.person_id == f.person_id)
    return stmt.order_by(Contribution.delivered_date.desc(), Contribution.id.desc())


def own_contributions(
    session: Session, person_id: int, year: int | None = None, state: str | None = None
) -> list[Contribution]:
    """A person's contributions (latest delivery first), by delivery year and state: the own
    record page and its exports. A person has at most a few thousand rows."""
    stmt = _loaded().where(Contribution.person_id == person_id)
    if year is not None:
        start, end = _year_range(year)
        stmt = stmt.where(Contribution.delivered_date.between(start, end))
    if state:
        if state not in STATES:
            raise ValidationError(f"state must be one of {', '.join(STATES)}", {"state": "invalid"})
        stmt = stmt.where(Contribution.state == state)
    stmt = stmt.order_by(Contribution.delivered_date.desc(), Contribution.id.desc())
    return list(session.scalars(stmt))


def year_totals(session: Session, person_id: int) -> list[dict[str, int]]:
    """Per delivery year (latest first): {"year", "total", "late", and a count per state}."""
    rows = session.execute(
        select(Contribution.delivered_date, Contribution.due_date, Contribution.state).where(
            Contribution.person_id == person_id
        )
    ).tuples()
    return rules.tally_years(rows, STATES)


# --- editing and withdrawing -------------------------------------------------------------------
def may_edit(actor: Actor, row: Contribution) -> bool:
    """The author (who logged it, or the person it is for) while it is still open to change."""
    is_author = row.created_by_id == actor.id or (
        row.person is not None and row.person.user_id == actor.id
    )
    return is_author and row.state in EDITABLE_STATES


def _require_author(actor: Actor, row: Contribution) -> None:
    is_author = row.created_by_id == actor.id or (
        row.person is not None and row.person.user_id == actor.id
    )
    if not is_author:
        raise PermissionDenied(
            "only its author may change a contribution", {"id": "not your contribution"}
        )
    if row.state not in EDITABLE_STATES:
        raise Conflict(
            f"the contribution is {row.state}: it can no longer change",
            {"state": row.state},
        )


def edit_contribution(
    session: Session,
    actor: Actor,
    contribution_id: Any,
    changes: Mapping[str, Any],
    upload: Upload | None = None,
    *,
    today: dt.date | None = None,
) -> Contribution:
    """Change what the author logged (the keys of `log_contribution`'s data, except the
    person); every rule is checked again on the result. A rejected contribution returns to
    `submitted` for review; the rejection reason stays in the audit trail."""
    today = today or clock.today()
    _require_logger(actor)
    row = get_contribution(session, contribution_id)
    _require_author(actor, row)
    unknown = sorted(set(changes) - set(EDITABLE_KEYS))
    if unknown:
        raise ValidationError(
            f"these cannot be changed: {', '.join(unknown)}",
            dict.fromkeys(unknown, "cannot be changed"),
        )
    before = facts(row)
    merged = {k: before[k] for k in EDITABLE_KEYS} | dict(changes)
    valid = _validate(
        session, actor, merged, today=today, source=row.source, current_person=row.person_id
    )
    _apply(row, valid)
    if upload is not None:
        clean = rules.clean_upload(upload)
        if row.file is not None:
            session.delete(row.file)
            session.flush()
        _attach(row, clean)
    resubmitted = row.state == "rejected"
    if resubmitted:
        row.state = "submitted"
        row.reject_reason = ""
    session.flush()
    after = facts(row)
    changed = sorted(k for k in after if after[k] != before[k])
    record(
        session,
        actor=actor,
        action="resubmit" if resubmitted else "update",
        entity=ENTITY,
        entity_id=row.id,
        summary=(f"edited: {', '.join(changed)}" if changed else "edited: no change")[:500],
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return row


def withdraw_contribution(
    session: Session, actor: Actor, contribution_id: Any, reason: str = ""
) -> Contribution:
    """The author takes back a contribution before it is verified (it stays, as withdrawn)."""
    _require_logger(actor)
    row = get_contribution(session, contribution_id)
    _require_author(actor, row)
    reason = rules.clean_text(reason, "reason", rules.MAX_REASON)
    before = row.state
    row.state = "withdrawn"
    session.flush()
    record(
        session,
        actor=actor,
        action="withdraw",
        entity=ENTITY,
        entity_id=row.id,
        summary=f"withdrawn: {reason}"[:500] if reason else "withdrawn",
        before={"state": before},
        after={"state": "withdrawn", "reason": reason},
    )
    return row


def file_of(session: Session, actor: Actor, contribution_id: Any) -> ContributionFile:
    """The deliverable's file, with its bytes, for someone who may read the contribution."""
    row = read_contribution(session, actor, contribution_id)
    found = session.scalar(
        select(ContributionFile).where(ContributionFile.contribution_id == row.id)
    )
    if found is None:
        raise NotFound("this contribution has no file", {"file": "none"})
    return found
