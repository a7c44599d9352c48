"""Nominations: a subject proposed for a title, moved through the procedure with its dossier.

draft → unit_review → council → decided | rejected; decided → announced; decided | announced →
revoked. Who may do what (the same rules hold in the API and on the pages):

- create: a head for the people of their units and for their units (a head's units are their
  unit and the units under it), officers and administrators for anyone. The title's subject
  (individual, collective) must match the nominee, and a subject has at most one nomination
  per title and year that is not rejected or revoked (a decided one counts: no second award).
- draft → unit_review: the person who made it, any head of the nominee's unit (or above it),
  administrators.
- unit_review → council: a head of a unit above the nominee's unit, officers, administrators.
  The eligibility rules run first (when `emulation.eligibility` is installed) and the report is
  linked; a failing report or an incomplete dossier (Law 2022 Art. 84) blocks the move (409)
  unless an override reason is given, which is kept on the nomination and on the event.
- council → decided | rejected: only `record_decision`, called by the council's ballot; a
  direct move is refused (409: a ballot decides).
- decided → announced: officers and administrators.
- decided | announced → revoked: officers and administrators, with a reason; the award the
  decision created is marked revoked (it stays, and breaks consecutive-year runs).
- a draft is withdrawn by deleting it, by the person who made it.
- dossier files: added and removed while draft or unit_review by whoever may move the
  nomination on at that point; at most 10 MB; PDF, Word, PNG, JPEG or plain text recognised
  by their first bytes (never by their name); a checksum kept and checked on every download.
- read: officers, the council and administrators everything; heads their units' nominees
  and what they made; staff their own nominations; deputies nothing.

Every move writes a NominationEvent and an audit event in the same transaction. Services take
a session and plain values, flush, and never commit.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from emulation import access
from emulation.access import Actor
from emulation.commendation_models import (
    DOSSIER_KINDS,
    NOMINATION_STATES,
    Award,
    DossierItem,
    EligibilityReport,
    Initiative,
    Nomination,
    NominationEvent,
)
from emulation.models import Movement, Title
from lis import clock
from lis.audit.services import record
from lis.db import utcnow
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.models import Person
from lis.people.queries import person_of_user, unit_and_descendants
from lis.reference.models import Unit

ENTITY = "nomination"
MAX_ID = 2**31 - 1
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_SUMMARY = 5000
MAX_NOTE = 5000
MAX_REASON = 2000
MAX_NAME = 255
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DOSSIER_ITEMS = 50

READ_ROLES = access.READ_ROLES
CREATE_ROLES = ("admin", "officer", "head")
KEEPER_ROLES = ("admin", "officer")  # keep the records: announce, revoke, record decisions
# States that block another nomination of the same subject, title and year.
LIVE_STATES = ("draft", "unit_review", "council", "decided", "announced")
DOSSIER_STATES = ("draft", "unit_review")
MOVES: dict[str, tuple[str, ...]] = {
    "draft": ("unit_review",),
    "unit_review": ("council",),
    "council": ("decided", "rejected"),
    "decided": ("announced", "revoked"),
    "announced": ("revoked",),
    "rejected": (),
    "revoked": (),
}
BALLOT_MOVES = ("decided", "rejected")
# Law 2022 Art. 84.1: request, achievement report, minutes of the review; certification of
# the initiative where the title rests on one.
REQUIRED_KINDS: tuple[str, ...] = ("request", "achievement_report", "minutes")
INITIATIVE_KIND = "initiative_certification"
# Without an eligibility report: the titles whose rules rely on an initiative (Art. 84.1.d).
INITIATIVE_TITLES = frozenset({"CSTDCS", "CSTD_QH", "CSTD_TQ", "BK_UBTVQH"})
# The modules the eligibility rules need; until they are installed no report is made.
RULE_MODULES = frozenset(
    {
        "emulation.eligibility",
        "emulation.title_rules",
        "emulation.legal",
        "emulation.fact_loader",
        "emulation.rule_texts",
    }
)
SUBJECT_OF_TITLE = {"individual": "person", "collective": "unit"}
FILE_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "png": "image/png",
    "jpg": "image/jpeg",
    "txt": "text/plain",
}


# --------------------------------------------------------------------------
# Small checks
# --------------------------------------------------------------------------


def _text(value: str | None, name: str, limit: int) -> str:
    value = value or ""
    if len(value) > limit:
        raise ValidationError(f"{name} is longer than {limit} characters", {name: "too long"})
    if "\x00" in value:
        raise ValidationError(f"{name} contains NUL characters", {name: "invalid characters"})
    return value.strip()


def _check_year(year: int) -> int:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            f"the year must be between {MIN_YEAR} and {MAX_YEAR}", {"year": "out of range"}
        )
    return year


def _id_ok(value: Any) -> bool:
    return isinstance(value, int) and 0 < value <= MAX_ID


# --------------------------------------------------------------------------
# Who may do what
# --------------------------------------------------------------------------


def subject_unit_id(n: Nomination) -> int:
    """The nominee's unit: a person's unit, or the unit nominated."""
    if n.person_id is not None:
        return n.person.unit_id
    assert n.unit_id is not None
    return n.unit_id


def _head_unit(session: Session, actor: Actor) -> int | None:
    if not actor.has_role("head"):
        return None
    person = person_of_user(session, actor.id)
    return person.unit_id if person is not None else None


def head_reach(session: Session, actor: Actor) -> set[int]:
    """The units a head heads: their unit and the units under it (none for others)."""
    unit_id = _head_unit(session, actor)
    return unit_and_descendants(session, unit_id) if unit_id is not None else set()


def may_create_for(session: Session, actor: Actor, unit_id: int) -> bool:
    if actor.has_role(*KEEPER_ROLES):
        return True
    return unit_id in head_reach(session, actor)


def may_submit(session: Session, actor: Actor, n: Nomination) -> bool:
    """draft → unit_review, and the dossier while in draft."""
    if actor.has_role("admin"):
        return True
    if n.created_by_id == actor.id and actor.has_role(*CREATE_ROLES):
        return True
    return subject_unit_id(n) in head_reach(session, actor)


def may_pass_review(session: Session, actor: Actor, n: Nomination) -> bool:
    """unit_review → council, and the dossier while in unit review: a head of a unit strictly
    above the nominee's unit, officers, administrators."""
    if actor.has_role(*KEEPER_ROLES):
        return True
    head_unit = _head_unit(session, actor)
    if head_unit is None:
        return False
    unit = subject_unit_id(n)
    return unit != head_unit and unit in unit_and_descendants(session, head_unit)


def may_move(session: Session, actor: Actor, n: Nomination, to: str) -> bool:
    if to == "unit_review":
        return may_submit(session, actor, n)
    if to == "council":
        return may_pass_review(session, actor, n)
    if to in ("announced", "revoked"):
        return actor.has_role(*KEEPER_ROLES)
    return False


def may_edit_dossier(session: Session, actor: Actor, n: Nomination) -> bool:
    if n.state == "draft":
        return may_submit(session, actor, n)
    if n.state == "unit_review":
        return may_pass_review(session, actor, n)
    return False


def may_delete(actor: Actor, n: Nomination) -> bool:
    return n.state == "draft" and n.created_by_id == actor.id


def moves_for(session: Session, actor: Actor, n: Nomination) -> list[str]:
    """The states `actor` may move the nomination to by hand (a ballot decides the others)."""
    return [
        to for to in MOVES[n.state] if to not in BALLOT_MOVES and may_move(session, actor, n, to)
    ]


def _own_person_id(session: Session, actor: Actor) -> int | None:
    person = person_of_user(session, actor.id)
    return person.id if person is not None else None


def visible_clause(session: Session, actor: Actor) -> ColumnElement[bool] | None:
    """A WHERE clause on Nomination for what `actor` may read (None: everything)."""
    if actor.has_role(*access.SEE_ALL):
        return None
    if not actor.has_role("head", "staff"):
        return false()
    clauses: list[ColumnElement[bool]] = []
    reach = head_reach(session, actor)
    if reach:
        units = sorted(reach)
        people = select(Person.id).where(Person.unit_id.in_(units))
        clauses += [Nomination.unit_id.in_(units), Nomination.person_id.in_(people)]
    if actor.has_role("head"):
        clauses.append(Nomination.created_by_id == actor.id)
    own = _own_person_id(session, actor)
    if own is not None:
        clauses.append(Nomination.person_id == own)
    return or_(*clauses) if clauses else false()


def may_read(session: Session, actor: Actor, n: Nomination) -> bool:
    clause = visible_clause(session, actor)
    if clause is None:
        return True
    found = session.scalar(select(Nomination.id).where(Nomination.id == n.id, clause))
    return found is not None


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def _loaded() -> Select[tuple[Nomination]]:
    return select(Nomination).options(
        selectinload(Nomination.person).selectinload(Person.unit),
        selectinload(Nomination.unit),
        selectinload(Nomination.proposed_by_unit),
        selectinload(Nomination.created_by),
        selectinload(Nomination.eligibility_report),
        selectinload(Nomination.dossier),
        selectinload(Nomination.events),
    )


def get_nomination(session: Session, nomination_id: int, *, lock: bool = False) -> Nomination:
    found = None
    if _id_ok(nomination_id):  # larger ids cannot exist and overflow the driver
        stmt = _loaded().where(Nomination.id == nomination_id)
        if lock:
            stmt = stmt.with_for_update(of=Nomination)
        found = session.scalar(stmt)
    if found is None:
        raise NotFound(f"no nomination {nomination_id}", {"nomination_id": "unknown"})
    return found


def _check_reader(actor: Actor) -> None:
    if not actor.has_role(*READ_ROLES):
        raise PermissionDenied(
            "nominations are seen by officers, the council, heads and the nominee",
            {"role": "missing"},
        )


def read_nomination(session: Session, actor: Actor, nomination_id: int) -> Nomination:
    """The nomination, when `actor` may read it (403 otherwise)."""
    _check_reader(actor)
    found = get_nomination(session, nomination_id)
    if not may_read(session, actor, found):
        raise PermissionDenied(
            "this nomination is not yours nor your units'", {"nomination_id": "forbidden"}
        )
    return found


@dataclass(frozen=True)
class NominationFilter:
    state: str | None = None
    year: int | None = None
    title: str | None = None
    unit_id: int | None = None  # the nominee's unit, with the units under it


def _filtered(
    session: Session, actor: Actor, f: NominationFilter, stmt: Select[Any]
) -> Select[Any]:
    clause = visible_clause(session, actor)
    if clause is not None:
        stmt = stmt.where(clause)
    if f.state:
        stmt = stmt.where(Nomination.state == f.state)
    if f.year is not None:
        stmt = stmt.where(Nomination.year == f.year)
    if f.title:
        stmt = stmt.where(Nomination.title_code == f.title)
    if f.unit_id is not None:
        units = sorted(unit_and_descendants(session, f.unit_id))
        people = select(Person.id).where(Person.unit_id.in_(units))
        stmt = stmt.where(or_(Nomination.unit_id.in_(units), Nomination.person_id.in_(people)))
    return stmt


def list_nominations(
    session: Session, actor: Actor, f: NominationFilter
) -> Select[tuple[Nomination]]:
    """What `actor` may read among the nominations that pass `f`, newest year first."""
    _check_reader(actor)
    stmt = _filtered(session, actor, f, _loaded())
    return stmt.order_by(Nomination.year.desc(), Nomination.id.desc())


def counts_by_state(session: Session, actor: Actor, f: NominationFilter) -> dict[str, int]:
    """How many nominations the reader sees in each state, the other filters applied (tabs)."""
    _check_reader(actor)
    every_state = NominationFilter(year=f.year, title=f.title, unit_id=f.unit_id)
    stmt = select(Nomination.state, func.count()).group_by(Nomination.state)
    rows = session.execute(_filtered(session, actor, every_state, stmt)).all()
    found = {state: int(count) for state, count in rows}
    return {state: found.get(state, 0) for state in NOMINATION_STATES}


def title_of(session: Session, code: str) -> Title | None:
    return session.scalar(select(Title).where(Title.code == code))


def award_of(session: Session, n: Nomination) -> Award | None:
    return session.scalar(
        select(Award).where(Award.nomination_id == n.id).order_by(Award.id.desc()).limit(1)
    )


# --------------------------------------------------------------------------
# The dossier checklist
# --------------------------------------------------------------------------


def _cited(result: Any, prefix: str) -> list[int]:
    out = []
    for fact in result.get("facts") or ():
        kind, _sep, ident = str(fact).partition(":")
        if kind == prefix and ident.isdigit():
            out.append(int(ident))
    return out


def _passing(report: EligibilityReport | None) -> list[dict[str, Any]]:
    if report is None:
        return []
    return [r for r in report.results or () if isinstance(r, dict) and r.get("outcome") == "pass"]


def initiatives_cited(report: EligibilityReport | None) -> list[int]:
    """The initiatives the passing rules of a report rely on.

    A rule that says on what basis it passed (`params.basis`) relies on the initiatives it
    names as `used` only when that basis is "initiative" (a grassroots fighter who passed on
    an excellent rating leaves their initiatives free); a rule that does not say relies on
    every initiative it cites."""
    out: set[int] = set()
    for result in _passing(report):
        params = result.get("params") or {}
        if not isinstance(params, dict) or "basis" not in params:
            out.update(_cited(result, "initiative"))
        elif params["basis"] == "initiative":
            used = params.get("used", params.get("initiatives")) or []
            out.update(int(i) for i in used if isinstance(i, int) and not isinstance(i, bool))
    return sorted(out)


def needs_initiative_certification(n: Nomination) -> bool:
    """From the linked report when there is one (a passing rule cites an initiative), else
    from the title (the titles whose rules rely on an initiative)."""
    if n.eligibility_report is not None:
        return bool(initiatives_cited(n.eligibility_report))
    return n.title_code in INITIATIVE_TITLES


def required_kinds(n: Nomination) -> list[str]:
    kinds = list(REQUIRED_KINDS)
    if needs_initiative_certification(n):
        kinds.append(INITIATIVE_KIND)
    return kinds


def missing_dossier(nomination: Nomination) -> list[str]:
    """The kinds the law requires and the dossier lacks, in the law's order."""
    provided = {item.kind for item in nomination.dossier}
    return [kind for kind in required_kinds(nomination) if kind not in provided]


@dataclass(frozen=True)
class ChecklistRow:
    kind: str
    required: bool
    items: tuple[DossierItem, ...]

    @property
    def provided(self) -> bool:
        return bool(self.items)


def checklist(n: Nomination) -> list[ChecklistRow]:
    """Each kind of file: whether the law requires it here and the files provided."""
    required = set(required_kinds(n))
    rows = []
    for kind in DOSSIER_KINDS:
        items = tuple(i for i in n.dossier if i.kind == kind)
        if kind in required or items:
            rows.append(ChecklistRow(kind, kind in required, items))
    return rows


# --------------------------------------------------------------------------
# Writing: snapshots, events
# --------------------------------------------------------------------------


def snapshot(n: Nomination) -> dict[str, Any]:
    """What the audit log keeps of a nomination, before and after a change."""
    return {
        "state": n.state,
        "title": n.title_code,
        "year": n.year,
        "person_id": n.person_id,
        "unit_id": n.unit_id,
        "proposed_by_unit_id": n.proposed_by_unit_id,
        "movement_id": n.movement_id,
        "eligibility_report_id": n.eligibility_report_id,
        "override_reason": n.override_reason,
        "decision_note": n.decision_note,
        "dossier": [
            {"id": i.id, "kind": i.kind, "name": i.name, "sha256": i.sha256} for i in n.dossier
        ],
    }


def _event(
    session: Session,
    actor: Actor,
    n: Nomination,
    from_state: str | None,
    note: str = "",
    override_reason: str = "",
) -> NominationEvent:
    row = NominationEvent(
        nomination_id=n.id,
        from_state=from_state,
        to_state=n.state,
        note=note,
        override_reason=override_reason,
        actor_id=actor.id,
        actor_email=getattr(actor, "email", None) or "system",
    )
    session.add(row)
    session.flush()
    session.refresh(n, ["events"])
    return row


def _subject_label(n: Nomination) -> str:
    if n.person is not None:
        return n.person.name
    return n.unit.code if n.unit is not None else "?"


# --------------------------------------------------------------------------
# Create, delete
# --------------------------------------------------------------------------


def _find_title(session: Session, code: str) -> Title:
    title = title_of(session, code) if 0 < len(code or "") <= 40 else None
    if title is None:
        raise ValidationError("no such title", {"title": "unknown"})
    return title


def _find_subject(
    session: Session, title: Title, person_id: int | None, unit: str | int | None
) -> tuple[Person | None, Unit | None]:
    if (person_id is None) == (unit is None or unit == ""):
        field = "person_id" if title.subject == "individual" else "unit"
        raise ValidationError("name a person or a unit (one of them)", {field: "required"})
    wanted = SUBJECT_OF_TITLE.get(title.subject, "person")
    given = "person" if person_id is not None else "unit"
    if wanted != given:
        field = "person_id" if given == "person" else "unit"
        raise ValidationError(
            f"{title.code} is a title for a {'person' if wanted == 'person' else 'unit'}",
            {field: f"the title is for a {wanted}"},
        )
    if person_id is not None:
        found = session.get(Person, person_id) if _id_ok(person_id) else None
        if found is None or not found.active:
            raise ValidationError("no such person", {"person_id": "unknown"})
        return found, None
    found_unit = None
    if isinstance(unit, int):  # callers inside the app may pass the id
        found_unit = session.get(Unit, unit) if _id_ok(unit) else None
    elif len(unit or "") <= 40:
        found_unit = session.scalar(select(Unit).where(Unit.code == unit))
    if found_unit is None:
        raise ValidationError("no such unit", {"unit": "unknown"})
    if not found_unit.active_on(clock.today()):
        raise ValidationError("the unit is closed", {"unit": "closed"})
    return None, found_unit


def _live_duplicate(
    session: Session, title: str, year: int, person_id: int | None, unit_id: int | None
) -> int | None:
    stmt = select(Nomination.id).where(
        Nomination.title_code == title,
        Nomination.year == year,
        Nomination.state.in_(LIVE_STATES),
    )
    if person_id is not None:
        stmt = stmt.where(Nomination.person_id == person_id)
    else:
        stmt = stmt.where(Nomination.unit_id == unit_id)
    return session.scalar(stmt.limit(1))


def create(
    session: Session,
    actor: Actor,
    *,
    title: str,
    year: int,
    person_id: int | None = None,
    unit: str | int | None = None,
    movement_id: int | None = None,
    summary: str = "",
) -> Nomination:
    """Propose a person or a unit (by code) for a title and year, as a draft."""
    if not actor.has_role(*CREATE_ROLES):
        raise PermissionDenied(
            "heads, officers and administrators make nominations", {"role": "missing"}
        )
    found_title = _find_title(session, title)
    _check_year(year)
    summary = _text(summary, "summary", MAX_SUMMARY)
    who, unit_row = _find_subject(session, found_title, person_id, unit)
    nominee_unit = who.unit_id if who is not None else unit_row.id  # type: ignore[union-attr]
    if not may_create_for(session, actor, nominee_unit):
        field = "person_id" if who is not None else "unit"
        raise PermissionDenied(
            "a head nominates the people of their units and their units only",
            {field: "outside your units"},
        )
    if movement_id is not None and (
        not _id_ok(movement_id) or session.get(Movement, movement_id) is None
    ):
        raise ValidationError("no such movement", {"movement_id": "unknown"})
    subject_person = who.id if who is not None else None
    subject_unit = unit_row.id if unit_row is not None else None
    existing = _live_duplicate(session, found_title.code, year, subject_person, subject_unit)
    if existing is not None:
        raise Conflict(
            f"already nominated for {found_title.code} in {year} (nomination {existing})",
            {"title": f"already nominated for this year (nomination {existing})"},
        )
    proposer = person_of_user(session, actor.id)
    n = Nomination(
        person_id=subject_person,
        unit_id=subject_unit,
        title_code=found_title.code,
        year=year,
        movement_id=movement_id,
        proposed_by_unit_id=proposer.unit_id if proposer is not None else nominee_unit,
        state="draft",
        summary=summary,
        created_by_id=actor.id,
    )
    session.add(n)
    session.flush()
    session.refresh(n)
    _event(session, actor, n, None)
    record(
        session,
        actor=actor,
        action="create",
        entity=ENTITY,
        entity_id=n.id,
        summary=f"nominated {_subject_label(n)} for {n.title_code} {n.year}",
        after=snapshot(n),
    )
    return n


def delete_draft(session: Session, actor: Actor, nomination_id: int) -> None:
    """Withdraw a draft by deleting it: its maker only (a draft has no decision to keep)."""
    n = get_nomination(session, nomination_id, lock=True)
    if n.created_by_id != actor.id:
        raise PermissionDenied(
            "only the person who made the draft deletes it", {"nomination_id": "not yours"}
        )
    if n.state != "draft":
        raise Conflict(
            f"a nomination in {n.state} cannot be deleted: only drafts can",
            {"state": f"{n.state}, not draft"},
        )
    before = snapshot(n)
    label = _subject_label(n)
    session.delete(n)
    session.flush()
    record(
        session,
        actor=actor,
        action="delete",
        entity=ENTITY,
        entity_id=nomination_id,
        summary=f"deleted the draft nomination of {label}",
        before=before,
    )


# --------------------------------------------------------------------------
# Moves
# --------------------------------------------------------------------------


def _evaluate(session: Session, actor: Actor, n: Nomination) -> EligibilityReport | None:
    """Run the title's rules for the nominee and store the report, when the eligibility
    module is installed and the title has rules; None otherwise."""
    try:
        from emulation import eligibility
    except ModuleNotFoundError as exc:
        if exc.name in RULE_MODULES:
            return None
        raise
    from emulation.title_rules import titles_with_rules

    if n.title_code not in titles_with_rules():
        return None
    subject: dict[str, int | None] = (
        {"person_id": n.person_id} if n.person_id is not None else {"unit_id": n.unit_id}
    )
    report = eligibility.evaluate(
        session, actor, title=n.title_code, year=n.year, store=True, **subject
    )
    report_id = getattr(report, "id", None)
    if not isinstance(report, EligibilityReport):
        found = session.get(EligibilityReport, report_id) if report_id else None
        return found
    return report


def blockers(n: Nomination) -> dict[str, str]:
    """What keeps the nomination from going to the council: field → reason."""
    out: dict[str, str] = {}
    missing = missing_dossier(n)
    if missing:
        out["dossier"] = "incomplete: " + ", ".join(missing)
    report = n.eligibility_report
    if report is not None and report.outcome == "fail":
        out["eligibility"] = f"the eligibility report {report.id} fails"
    return out


def _to_council(session: Session, actor: Actor, n: Nomination, override_reason: str) -> str:
    """Evaluate, link the report, check the dossier; the override reason used ("" if none)."""
    report = _evaluate(session, actor, n)
    if report is not None:
        n.eligibility_report_id = report.id
        session.flush()
        session.refresh(n, ["eligibility_report"])
    blocking = blockers(n)
    if not blocking:
        return ""
    if not override_reason:
        raise Conflict(
            "cannot go to the council: "
            + "; ".join(blocking.values())
            + ". Complete it, or give override_reason to move on anyway",
            {**blocking, "override_reason": "required to move on anyway"},
        )
    n.override_reason = override_reason
    return override_reason


def _revoke_award(session: Session, n: Nomination, reason: str) -> Award | None:
    award = award_of(session, n)
    if award is not None and not award.revoked:
        award.revoked = True
        award.revoked_reason = reason
        award.revoked_at = utcnow()
    return award


def transition(
    session: Session,
    actor: Actor,
    nomination_id: int,
    to: str,
    *,
    note: str = "",
    override_reason: str = "",
) -> Nomination:
    """Move the nomination on by hand (see the module's docstring for who may)."""
    if to not in NOMINATION_STATES:
        raise ValidationError(
            f"{str(to)[:40]} is not a state", {"to": f"one of {', '.join(NOMINATION_STATES)}"}
        )
    note = _text(note, "note", MAX_NOTE)
    override_reason = _text(override_reason, "override_reason", MAX_REASON)
    n = get_nomination(session, nomination_id, lock=True)
    if not may_read(session, actor, n):
        raise PermissionDenied(
            "this nomination is not yours nor your units'", {"nomination_id": "forbidden"}
        )
    if to not in MOVES[n.state]:
        raise Conflict(
            f"a nomination in {n.state} cannot move to {to}",
            {"to": f"not allowed from {n.state}"},
        )
    if to in BALLOT_MOVES:
        raise Conflict(
            "a council ballot decides: record the ballot in the council's meeting",
            {"to": "a ballot decides"},
        )
    if not may_move(session, actor, n, to):
        raise PermissionDenied(f"you may not move this nomination to {to}", {"to": "forbidden"})
    if to == "revoked" and not note:
        raise ValidationError("say why the award is revoked", {"note": "required"})
    before = snapshot(n)
    from_state = n.state
    used_override = ""
    if to == "council":
        used_override = _to_council(session, actor, n, override_reason)
    n.state = to
    if to == "revoked":
        _revoke_award(session, n, note)
    session.flush()
    _event(session, actor, n, from_state, note, used_override)
    record(
        session,
        actor=actor,
        action="override" if used_override else "transition",
        entity=ENTITY,
        entity_id=n.id,
        summary=f"{from_state} → {to}: {_subject_label(n)}, {n.title_code} {n.year}",
        before=before,
        after=snapshot(n),
    )
    return n


def award_basis(report: EligibilityReport | None) -> tuple[str, list[int]]:
    """(basis, initiatives used) of the award a decision creates, read from the report.

    "excellent" when the grassroots fighter rule passed on the excellent rating (its
    initiatives then stay free for a later award); "initiative" when the passing rules rely
    on initiatives (those become used by the award); "other" otherwise."""
    for result in _passing(report):
        params = result.get("params") or {}
        is_cstdcs = "cstdcs" in str(result.get("rule", "")).lower()
        if is_cstdcs and isinstance(params, dict) and params.get("basis") == "excellent":
            return "excellent", []
    used = initiatives_cited(report)
    if used:
        return "initiative", used
    return "other", []


def record_decision(
    session: Session,
    actor: Actor,
    nomination: Nomination,
    *,
    passed: bool,
    note: str,
    ballot_id: int,
) -> Nomination:
    """The council's ballot decided: council → decided (with the award) or → rejected.

    Called by the ballot service in the same transaction; officers and administrators."""
    if not actor.has_role(*KEEPER_ROLES):
        raise PermissionDenied(
            "officers and administrators record the council's decisions", {"role": "missing"}
        )
    note = _text(note, "note", MAX_NOTE)
    n = nomination
    if n.state != "council":
        raise Conflict(
            f"a nomination in {n.state} is not before the council",
            {"nomination_id": f"{n.state}, not council"},
        )
    before = snapshot(n)
    n.state = "decided" if passed else "rejected"
    n.decision_note = note
    award = None
    if passed:
        award = _create_award(session, actor, n)
    session.flush()
    _event(session, actor, n, "council", note)
    after = snapshot(n) | {"ballot_id": ballot_id, "award_id": award.id if award else None}
    record(
        session,
        actor=actor,
        action="decide",
        entity=ENTITY,
        entity_id=n.id,
        summary=f"council {'passed' if passed else 'rejected'}: {_subject_label(n)}, "
        f"{n.title_code} {n.year} (ballot {ballot_id})",
        before=before,
        after=after,
    )
    return n


def _create_award(session: Session, actor: Actor, n: Nomination) -> Award:
    basis, used = award_basis(n.eligibility_report)
    movement = session.get(Movement, n.movement_id) if n.movement_id else None
    award = Award(
        person_id=n.person_id,
        unit_id=n.unit_id,
        title_code=n.title_code,
        year=n.year,
        decision_date=clock.today(),
        basis=basis,
        kind="thematic" if movement is not None and movement.kind == "thematic" else "regular",
        nomination_id=n.id,
        created_by_id=actor.id,
    )
    if used:
        award.initiatives = list(session.scalars(select(Initiative).where(Initiative.id.in_(used))))
    session.add(award)
    session.flush()
    record(
        session,
        actor=actor,
        action="create",
        entity="award",
        entity_id=award.id,
        summary=f"award {n.title_code} {n.year} from nomination {n.id} ({basis})",
        after={
            "nomination_id": n.id,
            "title": n.title_code,
            "year": n.year,
            "person_id": n.person_id,
            "unit_id": n.unit_id,
            "basis": basis,
            "initiatives": used,
        },
    )
    return award


# --------------------------------------------------------------------------
# The dossier's files
# --------------------------------------------------------------------------


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\n\r\f" for ch in text)


def file_type(data: bytes) -> str | None:
    """The file's type by its first bytes (pdf, docx, doc, png, jpg, txt), None otherwise."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(data) else None
    return "txt" if _is_text(data) else None


def _clean_name(name: str, kind: str, ext: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if not base:
        base = f"{kind}.{ext}"
    return base[-MAX_NAME:]


def _dossier_nomination(session: Session, actor: Actor, nomination_id: int) -> Nomination:
    n = get_nomination(session, nomination_id, lock=True)
    if not may_read(session, actor, n):
        raise PermissionDenied(
            "this nomination is not yours nor your units'", {"nomination_id": "forbidden"}
        )
    if n.state not in DOSSIER_STATES:
        raise Conflict(
            f"the dossier is closed once the nomination is in {n.state}",
            {"state": f"{n.state}: the dossier is closed"},
        )
    if not may_edit_dossier(session, actor, n):
        raise PermissionDenied(
            "the dossier is kept by those who may move the nomination on",
            {"nomination_id": "forbidden"},
        )
    return n


def add_dossier_item(
    session: Session,
    actor: Actor,
    nomination_id: int,
    *,
    kind: str,
    name: str,
    content_type: str,
    data: bytes,
) -> DossierItem:
    """Keep a file of the dossier with its checksum. Its type is read from its first bytes;
    the `content_type` a client claims is not trusted."""
    if kind not in DOSSIER_KINDS:
        raise ValidationError(
            "no such kind of file", {"kind": f"one of {', '.join(DOSSIER_KINDS)}"}
        )
    if len(name or "") > 1000:
        raise ValidationError("the file name is too long", {"name": "too long"})
    n = _dossier_nomination(session, actor, nomination_id)
    if not data:
        raise ValidationError("the file is empty", {"file": "empty"})
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise ValidationError(
            f"the file is larger than {limit} MB", {"file": f"larger than {limit} MB"}
        )
    ext = file_type(data)
    if ext is None:
        raise ValidationError(
            "the file is not a PDF, Word, PNG, JPEG or plain text file",
            {"file": "not a PDF, DOCX, DOC, PNG, JPEG or text file"},
        )
    if len(n.dossier) >= MAX_DOSSIER_ITEMS:
        raise Conflict(
            f"a dossier holds at most {MAX_DOSSIER_ITEMS} files", {"file": "too many files"}
        )
    digest = hashlib.sha256(data).hexdigest()
    same = next((i for i in n.dossier if i.sha256 == digest), None)
    if same is not None:
        raise Conflict(
            f"this file is already in the dossier (item {same.id})",
            {"file": f"already in this dossier (item {same.id})"},
        )
    item = DossierItem(
        nomination_id=n.id,
        kind=kind,
        name=_clean_name(name, kind, ext),
        content_type=FILE_TYPES[ext],
        size=len(data),
        sha256=digest,
        data=data,
        uploaded_by_id=actor.id,
    )
    session.add(item)
    session.flush()
    session.refresh(n, ["dossier"])
    record(
        session,
        actor=actor,
        action="dossier_add",
        entity=ENTITY,
        entity_id=n.id,
        summary=f"{kind}: {item.name} ({item.size} bytes, sha256 {digest[:12]})",
        after={
            "item_id": item.id,
            "kind": kind,
            "name": item.name,
            "size": item.size,
            "sha256": digest,
            "content_type": item.content_type,
        },
    )
    return item


def _item_of(n: Nomination, item_id: int) -> DossierItem:
    found = next((i for i in n.dossier if i.id == item_id), None) if _id_ok(item_id) else None
    if found is None:
        raise NotFound(f"no file {item_id} in this dossier", {"item_id": "unknown"})
    return found


def remove_dossier_item(session: Session, actor: Actor, nomination_id: int, item_id: int) -> None:
    """Take a file out of the dossier (same people and states as adding one)."""
    n = _dossier_nomination(session, actor, nomination_id)
    item = _item_of(n, item_id)
    before = {
        "item_id": item.id,
        "kind": item.kind,
        "name": item.name,
        "size": item.size,
        "sha256": item.sha256,
    }
    session.delete(item)
    session.flush()
    session.refresh(n, ["dossier"])
    record(
        session,
        actor=actor,
        action="dossier_remove",
        entity=ENTITY,
        entity_id=n.id,
        summary=f"removed {before['kind']}: {before['name']}",
        before=before,
    )


def dossier_file(session: Session, actor: Actor, nomination_id: int, item_id: int) -> DossierItem:
    """A file of the dossier for a reader of the nomination, after checking that its bytes
    still match the checksum taken on upload (409 otherwise: a damaged file is never served)."""
    n = read_nomination(session, actor, nomination_id)
    item = _item_of(n, item_id)
    if hashlib.sha256(item.data).hexdigest() != item.sha256 or len(item.data) != item.size:
        raise Conflict(
            f"the stored file {item.id} no longer matches its checksum: it is not served",
            {"file": "checksum mismatch"},
        )
    return item


# --------------------------------------------------------------------------
# Choices for forms
# --------------------------------------------------------------------------


def units_for(session: Session, actor: Actor) -> list[Unit]:
    """Open units the actor may nominate (or nominate the people of), by code."""
    today = clock.today()
    stmt = select(Unit).order_by(Unit.code)
    if not actor.has_role(*KEEPER_ROLES):
        stmt = stmt.where(Unit.id.in_(sorted(head_reach(session, actor))))
    return [u for u in session.scalars(stmt) if u.active_on(today)]


def people_for(session: Session, unit_ids: Sequence[int]) -> list[Person]:
    """Active people of the given units, by name."""
    return list(
        session.scalars(
            select(Person)
            .where(Person.active, Person.unit_id.in_(list(unit_ids)))
            .options(selectinload(Person.unit))
            .order_by(Person.name, Person.id)
        )
    )


def titles(session: Session) -> list[Title]:
    return list(session.scalars(select(Title).order_by(Title.id)))
