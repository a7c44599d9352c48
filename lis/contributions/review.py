"""Heads review their units' contributions: verify or reject, rate quality, record the outcome.

Who may review: an administrator, or a head whose unit is the contribution's unit or above it
(the contribution's unit lies in the head's unit subtree). Nobody reviews their own
contribution — neither one where they are the person credited nor one they logged for someone
else — not even an administrator: the ledger feeds emulation scores and must not be self-graded.

States: submitted → verified | rejected (with a reason). A rejected contribution returns to
submitted when its author corrects it (`services.edit_contribution`). Verified is final for the
author; only then may a head rate its quality (re-rating allowed) and record its outcome in a
later version of the draft.

Services take a session and plain values, flush, audit every change in the same transaction and
never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session, selectinload

from lis import clock
from lis.audit.services import record
from lis.contributions.models import OUTCOMES, QUALITY_BANDS, Contribution
from lis.db import utcnow
from lis.documents.models import Document, Version
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.queries import person_of_user, unit_and_descendants
from lis.reference.models import Unit, WorkKind

ENTITY = "contribution"
REVIEW_ROLES = ("admin", "head")
MAX_REASON = 2000
MAX_COMMENT = 5000
MAX_MAJOR_ERRORS = 100
MAX_ID = 2**31 - 1


class Actor(Protocol):
    """A logged-in user or principal: what the rules need of the person acting."""

    id: int
    email: str

    def has_role(self, *roles: str) -> bool: ...


# --------------------------------------------------------------------------
# Who may review what
# --------------------------------------------------------------------------


def review_reach(session: Session, actor: Actor) -> set[int] | None:
    """The unit ids whose contributions `actor` reviews: None for every unit (administrators),
    a head's unit and the units under it, nothing for anyone else."""
    if actor.has_role("admin"):
        return None
    if not actor.has_role("head"):
        return set()
    person = person_of_user(session, actor.id)
    return unit_and_descendants(session, person.unit_id) if person is not None else set()


def is_own(actor: Actor, contribution: Contribution) -> bool:
    """The actor is credited with the contribution or logged it: either way, not theirs to
    judge."""
    person = contribution.person
    return contribution.created_by_id == actor.id or (
        person is not None and person.user_id == actor.id
    )


def may_review(session: Session, actor: Actor, contribution: Contribution) -> bool:
    """Whether `actor` may verify, reject, rate or judge this contribution (its state aside)."""
    if is_own(actor, contribution):
        return False
    reach = review_reach(session, actor)
    return reach is None or contribution.unit_id in reach


def _check_reviewer(session: Session, actor: Actor, contribution: Contribution) -> None:
    if is_own(actor, contribution):
        raise PermissionDenied("nobody reviews their own contribution", {"id": "own contribution"})
    reach = review_reach(session, actor)
    if reach is not None and contribution.unit_id not in reach:
        raise PermissionDenied(
            "only heads of the contribution's unit or a unit above it review it",
            {"id": "outside your units"},
        )


def loaded() -> Select[tuple[Contribution]]:
    return select(Contribution).options(
        selectinload(Contribution.document),
        selectinload(Contribution.work_kind),
        selectinload(Contribution.person),
        selectinload(Contribution.unit),
        selectinload(Contribution.version),
        selectinload(Contribution.outcome_version),
        selectinload(Contribution.file),
        selectinload(Contribution.verified_by),
        selectinload(Contribution.rated_by),
    )


def _for_review(session: Session, actor: Actor, contribution_id: int) -> Contribution:
    """The contribution, locked for the change (two heads clicking at once: one wins, the other
    sees the new state), after checking that `actor` may review it."""
    found = None
    if 0 < contribution_id <= MAX_ID:  # larger ids cannot exist and overflow the driver
        found = session.scalar(
            loaded().where(Contribution.id == contribution_id).with_for_update(of=Contribution)
        )
    if found is None:
        raise NotFound(f"no contribution {contribution_id}", {"id": "unknown"})
    _check_reviewer(session, actor, found)
    return found


def _require_state(contribution: Contribution, *states: str) -> None:
    if contribution.state not in states:
        raise Conflict(
            f"the contribution is {contribution.state}; this needs it {' or '.join(states)}",
            {"state": contribution.state},
        )


def _snapshot(contribution: Contribution, *names: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(contribution, name)
        out[name] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    return out


# --------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    unit_id: int | None = None  # defaults to the head's own unit
    include_sub_units: bool = True
    work_kind_id: int | None = None
    document_id: int | None = None


def _scope(
    session: Session, actor: Actor, unit_id: int | None, include_sub_units: bool
) -> set[int] | None:
    """The units whose contributions the queue shows (None: all)."""
    reach = review_reach(session, actor)
    if unit_id is None:
        if reach is None:
            return None
        person = person_of_user(session, actor.id)
        if person is None or not reach:  # nobody to review: an empty queue
            return set()
        unit_id = person.unit_id
    if reach is not None and unit_id not in reach:
        raise PermissionDenied("this unit is outside your units", {"unit": "outside your units"})
    units = unit_and_descendants(session, unit_id) if include_sub_units else {unit_id}
    return units if reach is None else units & reach


def _in_scope(
    session: Session, actor: Actor, f: QueueFilter, *states: str
) -> Select[tuple[Contribution]]:
    stmt = loaded().where(Contribution.state.in_(states))
    units = _scope(session, actor, f.unit_id, f.include_sub_units)
    if units is not None:
        stmt = stmt.where(Contribution.unit_id.in_(sorted(units)) if units else false())
    if f.work_kind_id is not None:
        stmt = stmt.where(Contribution.work_kind_id == f.work_kind_id)
    if f.document_id is not None:
        stmt = stmt.where(Contribution.document_id == f.document_id)
    person = person_of_user(session, actor.id)
    # One's own contributions are someone else's to review.
    stmt = stmt.where(
        (Contribution.created_by_id.is_(None)) | (Contribution.created_by_id != actor.id)
    )
    if person is not None:
        stmt = stmt.where(Contribution.person_id != person.id)
    return stmt


def review_queue(
    session: Session,
    actor: Actor,
    include_sub_units: bool = True,
    f: QueueFilter | None = None,
) -> Select[tuple[Contribution]]:
    """Submitted contributions waiting for `actor`'s review, oldest delivery first: a head's
    unit (with its sub-units unless told otherwise), every unit for administrators. The
    actor's own contributions are left out (someone else reviews them)."""
    f = f or QueueFilter(include_sub_units=include_sub_units)
    stmt = _in_scope(session, actor, f, "submitted")
    return stmt.order_by(Contribution.delivered_date, Contribution.id)


def recently_reviewed(
    session: Session, actor: Actor, f: QueueFilter | None = None
) -> Select[tuple[Contribution]]:
    """Verified and rejected contributions in `actor`'s reach, last changed first: where heads
    rate and record outcomes, and see what they sent back."""
    stmt = _in_scope(session, actor, f or QueueFilter(), "verified", "rejected")
    return stmt.order_by(Contribution.updated_at.desc(), Contribution.id.desc())


@dataclass
class QueueCounts:
    """What waits, counted: in all, late (delivered after the due date), per unit, per kind of
    work and per draft (labels are codes and external ids; the pages name them)."""

    total: int = 0
    late: int = 0
    by_unit: list[tuple[str, int]] = field(default_factory=list)
    by_work_kind: list[tuple[str, int]] = field(default_factory=list)
    by_document: list[tuple[str, int]] = field(default_factory=list)


def queue_counts(session: Session, stmt: Select[tuple[Contribution]]) -> QueueCounts:
    """Counts over a queue (or any contribution select) without loading its rows."""
    sub = stmt.order_by(None).subquery()

    def grouped(column: Any, join_on: Any, key: Any) -> list[tuple[str, int]]:
        rows = session.execute(
            select(column, func.count()).select_from(sub).join(join_on, key).group_by(column)
        ).all()
        return sorted(((str(label), int(n)) for label, n in rows), key=lambda r: (-r[1], r[0]))

    total = session.scalar(select(func.count()).select_from(sub)) or 0
    late = (
        session.scalar(
            select(func.count())
            .select_from(sub)
            .where(sub.c.due_date.is_not(None), sub.c.delivered_date > sub.c.due_date)
        )
        or 0
    )
    return QueueCounts(
        total=total,
        late=late,
        by_unit=grouped(Unit.code, Unit, Unit.id == sub.c.unit_id),
        by_work_kind=grouped(WorkKind.code, WorkKind, WorkKind.id == sub.c.work_kind_id),
        by_document=grouped(Document.external_id, Document, Document.id == sub.c.document_id),
    )


def group_by_document(rows: list[Contribution]) -> list[tuple[Any, list[Contribution]]]:
    """Rows grouped per draft, drafts in the order their first row comes."""
    groups: dict[int, list[Contribution]] = {}
    for row in rows:
        groups.setdefault(row.document_id, []).append(row)
    return [(items[0].document, items) for items in groups.values()]


def later_versions(session: Session, contribution: Contribution) -> list[Version]:
    """The draft's versions an outcome may refer to (see `record_outcome`), newest first."""
    versions = session.scalars(
        select(Version)
        .where(Version.document_id == contribution.document_id)
        .order_by(Version.seq.desc())
    )
    return [v for v in versions if _is_later(v, contribution)]


def _is_later(version: Version, contribution: Contribution) -> bool:
    if contribution.version is not None:
        return version.seq > contribution.version.seq
    day = version.version_date or clock.local_date(version.created_at)
    return day >= contribution.delivered_date


# --------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------


def verify(session: Session, actor: Actor, contribution_id: int) -> Contribution:
    """Confirm a submitted contribution: it is frozen for its author from now on."""
    c = _for_review(session, actor, contribution_id)
    _require_state(c, "submitted")
    names = ("state", "verified_by_id", "verified_at", "reject_reason")
    before = _snapshot(c, *names)
    c.state = "verified"
    c.verified_by_id = actor.id
    c.verified_at = utcnow()
    c.reject_reason = ""
    session.flush()
    session.expire(c, ["verified_by"])  # loaded (as nobody) before the change
    record(
        session,
        actor=actor,
        action="verify",
        entity=ENTITY,
        entity_id=c.id,
        summary=f"verified: {c.title}",
        before=before,
        after=_snapshot(c, *names),
    )
    return c


def _text(value: Any, name: str, *, required: bool, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None:
        raise ValidationError(f"{name} must be text", {name: "must be text"})
    if required and not text:
        raise ValidationError(f"{name} is required", {name: "required"})
    if len(text) > limit:
        raise ValidationError(f"{name} is too long", {name: f"at most {limit} characters"})
    if "\x00" in text:
        raise ValidationError(f"{name} has NUL characters", {name: "must not contain NUL"})
    return text


def reject(session: Session, actor: Actor, contribution_id: int, reason: str) -> Contribution:
    """Send a submitted contribution back to its author with a reason (1–2000 characters); the
    author corrects it, which resubmits it."""
    c = _for_review(session, actor, contribution_id)
    _require_state(c, "submitted")
    text = _text(reason, "reason", required=True, limit=MAX_REASON)
    before = _snapshot(c, "state", "reject_reason")
    c.state = "rejected"
    c.reject_reason = text
    session.flush()
    record(
        session,
        actor=actor,
        action="reject",
        entity=ENTITY,
        entity_id=c.id,
        summary=f"rejected: {c.title}",
        before=before,
        after=_snapshot(c, "state", "reject_reason"),
    )
    return c


def rate(
    session: Session,
    actor: Actor,
    contribution_id: int,
    quality: str,
    comment: str = "",
    major_errors: int = 0,
) -> Contribution:
    """Rate a verified contribution on the four bands of DESIGN §2, with a comment and the count
    of major errors. Rating again replaces the rating (the audit keeps each one)."""
    c = _for_review(session, actor, contribution_id)
    _require_state(c, "verified")
    if quality not in QUALITY_BANDS:
        raise ValidationError(
            "unknown quality band", {"quality": f"one of {', '.join(QUALITY_BANDS)}"}
        )
    text = _text(comment or "", "comment", required=False, limit=MAX_COMMENT)
    if (
        isinstance(major_errors, bool)
        or not isinstance(major_errors, int)
        or not 0 <= major_errors <= MAX_MAJOR_ERRORS
    ):
        raise ValidationError(
            "major errors must be a whole number from 0 to 100",
            {"major_errors": f"between 0 and {MAX_MAJOR_ERRORS}"},
        )
    names = ("quality", "quality_comment", "major_errors", "rated_by_id", "rated_at")
    before = _snapshot(c, *names)
    c.quality = quality
    c.quality_comment = text
    c.major_errors = major_errors
    c.rated_by_id = actor.id
    c.rated_at = utcnow()
    session.flush()
    session.expire(c, ["rated_by"])
    record(
        session,
        actor=actor,
        action="rate" if before["quality"] is None else "re-rate",
        entity=ENTITY,
        entity_id=c.id,
        summary=f"rated {quality}: {c.title}",
        before=before,
        after=_snapshot(c, *names),
    )
    return c


def record_outcome(
    session: Session,
    actor: Actor,
    contribution_id: int,
    outcome: str,
    outcome_version_seq: int,
) -> Contribution:
    """Record whether a verified contribution's advice was taken up in a later version of the
    draft: one after the version the advice concerns, or (none named) one dated on or after the
    delivery. A version that does not exist or is not later is a 422 naming `version`, the
    request's name for it (API and form alike)."""
    c = _for_review(session, actor, contribution_id)
    _require_state(c, "verified")
    if outcome not in OUTCOMES:
        raise ValidationError("unknown outcome", {"outcome": f"one of {', '.join(OUTCOMES)}"})
    if isinstance(outcome_version_seq, bool) or not isinstance(outcome_version_seq, int):
        raise ValidationError("the version is a number", {"version": "must be a number"})
    version = None
    if 0 < outcome_version_seq <= MAX_ID:
        version = session.scalar(
            select(Version).where(
                Version.document_id == c.document_id, Version.seq == outcome_version_seq
            )
        )
    if version is None:
        raise ValidationError(
            f"the draft has no version {outcome_version_seq}",
            {"version": "no such version of this draft"},
        )
    if not _is_later(version, c):
        problem = (
            "must be later than the version the advice concerns"
            if c.version is not None
            else "must be dated on or after the delivery"
        )
        raise ValidationError(f"version {version.seq} {problem}", {"version": problem})
    names = ("outcome", "outcome_version_id", "outcome_by_id", "outcome_at")
    before = _snapshot(c, *names)
    c.outcome = outcome
    c.outcome_version = version
    c.outcome_by_id = actor.id
    c.outcome_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="outcome",
        entity=ENTITY,
        entity_id=c.id,
        summary=f"outcome {outcome} in version {version.seq}: {c.title}",
        before=before,
        after={**_snapshot(c, *names), "outcome_version_seq": version.seq},
    )
    return c
