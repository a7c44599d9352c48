"""Score snapshots: compute them from the ledger, read them as each role may, reproduce them
from their stored fact ids and compare two of them.

A snapshot is written once. Each line keeps the ids of the facts its numbers came from and a
digest of those facts' values, so the same numbers can be recomputed years later
(`reproduce`) and a recomputation after new facts can say what changed and why (`diff`).

Who may do what (emulation/access.py): RUN_ROLES compute; READ_ROLES read, each seeing the
lines its reach allows (officers, council and administrators all; a head the units they head
and the people in them; a staff member their own line). Services flush and never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, selectinload

from emulation import criteria, ledger, scorecard
from emulation.access import READ_ROLES, RUN_ROLES, Actor, lines_visible, reach_of, sees_line
from emulation.facts import ContributionFact, DraftFact, digest, fact_refs
from emulation.models import SUBJECT_KINDS, Criterion, Movement, ScoreLine, ScoreSnapshot
from lis.audit.services import record
from lis.contributions.models import Contribution
from lis.documents.models import Document
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.models import Person
from lis.people.queries import unit_and_descendants
from lis.reference.models import WorkKind

ENTITY = "score_snapshot"
PLACES = 4  # decimals kept of each value and total
MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_ID = 2**31 - 1
MAX_NOTE = 2000
MAX_RULE_VERSION = 500  # ScoreSnapshot.rule_version's length
# LineDifference.criterion when the numbers agree but the facts' values do not.
FACTS_CHANGED = "facts"
_CHUNK = 5000


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionEvidence:
    code: str
    name: str
    name_en: str
    formula: str
    weight: float
    value: float | None
    detail: dict[str, Any]  # the counts, as stored in line.details[code]
    fact_kind: str  # "contribution" | "document"
    facts: list[Contribution] | list[Document]  # the rows behind this number


@dataclass(frozen=True)
class LineDetail:
    line: ScoreLine
    snapshot: ScoreSnapshot
    criteria: list[CriterionEvidence]
    pending: list[Contribution]  # unverified, shown apart, not counted


@dataclass(frozen=True)
class LineDifference:
    line_id: int
    criterion: str  # a criterion code, "total", or FACTS_CHANGED
    stored: float | None
    recomputed: float | None
    changed_fact_ids: list[int]


@dataclass(frozen=True)
class Reproduction:
    snapshot_id: int
    exact: bool
    lines_checked: int
    differences: list[LineDifference]


@dataclass(frozen=True)
class LineChange:
    subject_kind: str
    person_id: int | None
    unit_id: int | None
    old_total: float | None
    new_total: float | None
    old_rank: int | None
    new_rank: int | None
    criteria: dict[str, tuple[float | None, float | None]]  # only criteria whose value changed
    added_facts: list[int]  # contribution ids
    removed_facts: list[int]


# --------------------------------------------------------------------------
# Computing
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    year: int | None
    movement: Movement | None
    start: dt.date
    end: dt.date
    defs: list[scorecard.CriterionDef]


def compute(
    session: Session,
    actor: Actor,
    *,
    year: int | None = None,
    movement_id: int | None = None,
    note: str = "",
) -> ScoreSnapshot:
    """Score a year or a movement from the verified ledger and store it as a new snapshot that
    points to the previous one of the same scope. A movement may be scored in any state: a
    council looks at the standings while it runs and after it closes."""
    if not actor.has_role(*RUN_ROLES):
        raise PermissionDenied(
            f"computing scores needs one of the roles: {', '.join(RUN_ROLES)}", {"role": "missing"}
        )
    if len(note) > MAX_NOTE or "\x00" in note:
        raise ValidationError("the note is too long or holds NUL", {"note": "invalid"})
    scope = _scope(session, year, movement_id)
    if scope.movement is not None:
        lines = _movement_lines(session, scope)
    else:
        lines = _year_lines(session, scope)
    _rank(lines)
    snapshot = ScoreSnapshot(
        movement_id=scope.movement.id if scope.movement else None,
        year=scope.year,
        period_start=scope.start,
        period_end=scope.end,
        rule_version=scorecard.rule_version(scope.defs),
        criteria=[d.as_dict() for d in scope.defs],
        fact_count=_fact_count(lines),
        digest=_snapshot_digest(lines),
        previous_id=_latest_id(session, scope.year, scope.movement),
        note=note,
        computed_by_id=getattr(actor, "id", None),
        lines=lines,
    )
    session.add(snapshot)
    session.flush()
    _audit(session, actor, snapshot, lines)
    return snapshot


def _scope(session: Session, year: int | None, movement_id: int | None) -> _Scope:
    if (year is None) == (movement_id is None):
        both = year is not None
        reason = "give a year or a movement, not both" if both else "give a year or a movement"
        raise ValidationError(reason, {"year": reason, "movement_id": reason})
    if year is not None:
        if isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError(
                f"the year must be between {MIN_YEAR} and {MAX_YEAR}",
                {"year": f"between {MIN_YEAR} and {MAX_YEAR}"},
            )
        rows = session.scalars(select(Criterion).where(Criterion.default).order_by(Criterion.id))
        defs = [
            scorecard.CriterionDef(code=c.code, formula=c.formula, weight=c.weight, params=c.params)
            for c in rows
        ]
        _check(defs)
        return _Scope(year, None, dt.date(year, 1, 1), dt.date(year, 12, 31), defs)
    assert movement_id is not None
    movement = session.get(Movement, movement_id) if 0 < movement_id <= MAX_ID else None
    if movement is None:
        raise ValidationError(f"no movement {movement_id}", {"movement_id": "unknown"})
    try:
        defs = [scorecard.CriterionDef.from_dict(d) for d in movement.criteria or []]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(
            f"the movement's criteria cannot be read: {exc}", {"criteria": "invalid"}
        ) from None
    _check(defs)
    return _Scope(None, movement, movement.start_date, movement.end_date, defs)


def _check(defs: Sequence[scorecard.CriterionDef]) -> None:
    try:
        scorecard.check_definitions(defs)
    except criteria.FormulaError as exc:
        raise ValidationError(str(exc), {exc.field: str(exc)}) from None
    if len(scorecard.rule_version(defs)) > MAX_RULE_VERSION:
        raise ValidationError("too many criteria to record", {"criteria": "too many"})


def _year_lines(session: Session, scope: _Scope) -> list[ScoreLine]:
    """Everyone who delivered work in the year (verified or waiting), and every unit work was
    logged for, each unit with the units under it."""
    book = ledger.load(session, scope.start, scope.end)
    person_ids = {f.person_id for f in book.facts} | {p.person_id for p in book.pending}
    unit_ids = {f.unit_id for f in book.facts} | {p.unit_id for p in book.pending}
    return _lines(session, scope, book, person_ids, {u: _subtree(session, u) for u in unit_ids})


def _movement_lines(session: Session, scope: _Scope) -> list[ScoreLine]:
    """The participants: the people named, every active person of the units named (with
    their sub-units), even those with nothing to show, and the units named."""
    assert scope.movement is not None
    parts = scope.movement.participants
    trees = {p.unit_id: _subtree(session, p.unit_id) for p in parts if p.unit_id is not None}
    all_units = set().union(*trees.values()) if trees else set()
    person_ids = {p.person_id for p in parts if p.person_id is not None}
    if all_units:
        members = select(Person.id).where(Person.active, Person.unit_id.in_(sorted(all_units)))
        person_ids |= set(session.scalars(members))
    book = ledger.load(session, scope.start, scope.end, person_ids=person_ids, unit_ids=all_units)
    return _lines(session, scope, book, person_ids, trees)


def _subtree(session: Session, unit_id: int) -> frozenset[int]:
    return frozenset(unit_and_descendants(session, unit_id))


def _lines(
    session: Session,
    scope: _Scope,
    book: ledger.Ledger,
    person_ids: Iterable[int],
    unit_trees: Mapping[int, frozenset[int]],
) -> list[ScoreLine]:
    by_person = scorecard.group(book.facts, "person_id")
    by_unit = scorecard.group(book.facts, "unit_id")
    pending_of_person: dict[int, list[int]] = {}
    pending_of_unit: dict[int, list[int]] = {}
    for p in book.pending:
        pending_of_person.setdefault(p.person_id, []).append(p.id)
        pending_of_unit.setdefault(p.unit_id, []).append(p.id)
    people = sorted(set(person_ids))
    unit_of: dict[int, int] = {}
    for i in range(0, len(people), _CHUNK):
        chunk = people[i : i + _CHUNK]
        stmt = select(Person.id, Person.unit_id).where(Person.id.in_(chunk))
        unit_of.update((pid, uid) for pid, uid in session.execute(stmt))
    lines = [
        _line(
            scope.defs,
            book.drafts,
            "person",
            person_id=pid,
            unit_id=unit_of[pid],
            facts=by_person.get(pid, []),
            pending=pending_of_person.get(pid, []),
        )
        for pid in people
        if pid in unit_of
    ]
    for uid in sorted(unit_trees):
        tree = sorted(unit_trees[uid])
        facts = [f for u in tree for f in by_unit.get(u, [])]
        pending = [c for u in tree for c in pending_of_unit.get(u, [])]
        lines.append(
            _line(scope.defs, book.drafts, "unit", None, uid, facts=facts, pending=pending)
        )
    return lines


def _line(
    defs: Sequence[scorecard.CriterionDef],
    drafts: Mapping[int, DraftFact],
    kind: str,
    person_id: int | None,
    unit_id: int,
    *,
    facts: Sequence[ContributionFact],
    pending: Sequence[int],
) -> ScoreLine:
    """One subject scored. The drafts it is judged on are those of the documents its verified
    work concerns; the line keeps only the contributions some criterion used."""
    facts = sorted(facts, key=lambda f: f.id)
    own_drafts = [drafts[d] for d in sorted({f.document_id for f in facts}) if d in drafts]
    result = scorecard.score(defs, facts, own_drafts)
    used_ids: set[int] = set()
    for r in result.results.values():
        if r.fact_kind == "contribution":
            used_ids.update(r.used)
    used = [f for f in facts if f.id in used_ids]
    return ScoreLine(
        subject_kind=kind,
        person_id=person_id,
        unit_id=unit_id,
        values={code: _round(r.value) for code, r in result.results.items()},
        details={code: dict(r.detail) for code, r in result.results.items()},
        total=_round(result.total),
        facts=fact_refs(used, own_drafts),
        unverified=sorted(pending),
        digest=digest(used, own_drafts),
    )


def _rank(lines: Sequence[ScoreLine]) -> None:
    """Persons among persons, units among units, by the total as stored (so that what is
    shown and how it ranks agree)."""
    for kind in SUBJECT_KINDS:
        mine = [line for line in lines if line.subject_kind == kind]
        ranks = scorecard.rank({i: line.total for i, line in enumerate(mine)})
        for i, line in enumerate(mine):
            line.rank = ranks[i]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, PLACES)


def _fact_count(lines: Iterable[ScoreLine]) -> int:
    """Distinct facts behind the snapshot: verified contributions and drafts."""
    contributions: set[int] = set()
    documents: set[int] = set()
    for line in lines:
        contributions.update(line.facts.get("contribution", []))
        documents.update(line.facts.get("document", []))
    return len(contributions) + len(documents)


def _snapshot_digest(lines: Iterable[ScoreLine]) -> str:
    h = hashlib.sha256()
    for line in lines:
        h.update(line.digest.encode())
    return h.hexdigest()


def _latest_id(session: Session, year: int | None, movement: Movement | None) -> int | None:
    stmt = select(func.max(ScoreSnapshot.id))
    if movement is not None:
        stmt = stmt.where(ScoreSnapshot.movement_id == movement.id)
    else:
        stmt = stmt.where(ScoreSnapshot.year == year, ScoreSnapshot.movement_id.is_(None))
    return session.scalar(stmt)


def _audit(session: Session, actor: Actor, snap: ScoreSnapshot, lines: list[ScoreLine]) -> None:
    persons = sum(1 for line in lines if line.subject_kind == "person")
    pending = len({c for line in lines for c in line.unverified})
    scope = f"year {snap.year}" if snap.year is not None else f"movement {snap.movement_id}"
    record(
        session,
        actor=actor,
        action="score.compute",
        entity=ENTITY,
        entity_id=snap.id,
        summary=(
            f"scores for {scope}: {persons} people, {len(lines) - persons} units, "
            f"{snap.fact_count} facts, {pending} unverified set apart"
        ),
        after={
            "year": snap.year,
            "movement_id": snap.movement_id,
            "period": [snap.period_start.isoformat(), snap.period_end.isoformat()],
            "rule_version": snap.rule_version,
            "fact_count": snap.fact_count,
            "lines": len(lines),
            "digest": snap.digest,
            "previous_id": snap.previous_id,
            "note": snap.note,
        },
    )


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def _require_reader(actor: Actor) -> None:
    if not actor.has_role(*READ_ROLES):
        raise PermissionDenied(
            f"scores need one of the roles: {', '.join(READ_ROLES)}", {"role": "missing"}
        )


def list_snapshots(
    session: Session, *, year: int | None = None, movement_id: int | None = None
) -> Select[tuple[ScoreSnapshot]]:
    """Snapshots, newest first (their numbers are read through `visible_lines`)."""
    stmt = select(ScoreSnapshot).options(
        selectinload(ScoreSnapshot.movement), selectinload(ScoreSnapshot.computed_by)
    )
    if year is not None:
        stmt = stmt.where(ScoreSnapshot.year == year)
    if movement_id is not None:
        stmt = stmt.where(ScoreSnapshot.movement_id == movement_id)
    return stmt.order_by(ScoreSnapshot.id.desc())


def get_snapshot(session: Session, snapshot_id: int) -> ScoreSnapshot:
    snap = session.get(ScoreSnapshot, snapshot_id) if 0 < snapshot_id <= MAX_ID else None
    if snap is None:
        raise NotFound(f"no score snapshot {snapshot_id}", {"snapshot_id": "unknown"})
    return snap


def visible_lines(
    session: Session,
    actor: Actor,
    snapshot_id: int,
    *,
    subject_kind: str | None = None,
    unit_id: int | None = None,
) -> Select[tuple[ScoreLine]]:
    """The snapshot's lines the actor may see, by kind, then rank (unranked last)."""
    _require_reader(actor)
    get_snapshot(session, snapshot_id)
    stmt = (
        select(ScoreLine)
        .where(ScoreLine.snapshot_id == snapshot_id, lines_visible(reach_of(session, actor)))
        .options(selectinload(ScoreLine.person), selectinload(ScoreLine.unit))
    )
    if subject_kind is not None:
        if subject_kind not in SUBJECT_KINDS:
            raise ValidationError("unknown kind of subject", {"subject_kind": "unknown"})
        stmt = stmt.where(ScoreLine.subject_kind == subject_kind)
    if unit_id is not None:
        stmt = stmt.where(ScoreLine.unit_id == unit_id)
    unranked_last = case((ScoreLine.rank.is_(None), 1), else_=0)
    return stmt.order_by(ScoreLine.subject_kind, unranked_last, ScoreLine.rank, ScoreLine.id)


def _visible_line(session: Session, actor: Actor, line_id: int) -> ScoreLine:
    _require_reader(actor)
    line = session.get(ScoreLine, line_id) if 0 < line_id <= MAX_ID else None
    if line is None:
        raise NotFound(f"no score line {line_id}", {"line_id": "unknown"})
    if not sees_line(reach_of(session, actor), line):
        raise PermissionDenied("this score is not yours to see", {"line_id": "not visible"})
    return line


def line_detail(session: Session, actor: Actor, line_id: int) -> LineDetail:
    """Each criterion of a line with the rows behind its number, and the unverified work set
    apart. Which rows a criterion used is found by running its formula again on the line's
    stored facts (as they are now: `reproduce` tells whether they changed)."""
    line = _visible_line(session, actor, line_id)
    snap = line.snapshot
    defs = _stored_defs(snap)
    contribution_ids = list(line.facts.get("contribution", []))
    document_ids = list(line.facts.get("document", []))
    facts = [row.fact for row in _load_facts(session, contribution_ids).values()]
    drafts = ledger.draft_facts(session, document_ids, snap.period_start, snap.period_end)
    draft_list = [drafts[d] for d in document_ids if d in drafts]
    rows = {
        c.id: c
        for c in session.scalars(
            select(Contribution)
            .where(Contribution.id.in_(contribution_ids or [-1]))
            .options(selectinload(Contribution.document), selectinload(Contribution.work_kind))
        )
    }
    documents = _documents(session, document_ids)
    names = {c.code: c for c in session.scalars(select(Criterion))}
    evidence = []
    for d in defs:
        result = criteria.get(d.formula)(facts, draft_list, d.params)
        used: list[Contribution] | list[Document]
        if result.fact_kind == "document":
            used = [documents[i] for i in document_ids if i in documents]
        else:
            used = [rows[i] for i in result.used if i in rows]
        known = names.get(d.code)
        evidence.append(
            CriterionEvidence(
                code=d.code,
                name=known.name if known else d.code,
                name_en=known.name_en if known else d.code,
                formula=d.formula,
                weight=d.weight,
                value=line.values.get(d.code),
                detail=dict(line.details.get(d.code) or {}),
                fact_kind=result.fact_kind,
                facts=used,
            )
        )
    pending = list(
        session.scalars(
            select(Contribution)
            .where(Contribution.id.in_(list(line.unverified) or [-1]))
            .options(selectinload(Contribution.document), selectinload(Contribution.work_kind))
            .order_by(Contribution.id)
        )
    )
    return LineDetail(line=line, snapshot=snap, criteria=evidence, pending=pending)


def _stored_defs(snap: ScoreSnapshot) -> list[scorecard.CriterionDef]:
    """The criteria a snapshot was computed with. Formulas are never removed from the
    registry, so this fails only on a row edited by hand: a 409, not a crash."""
    try:
        defs = [scorecard.CriterionDef.from_dict(d) for d in snap.criteria]
        for d in defs:
            criteria.resolve_params(d.formula, d.params)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Conflict(
            f"snapshot {snap.id}: its criteria cannot be read: {exc}", {"criteria": "invalid"}
        ) from None
    return defs


def _documents(session: Session, ids: Sequence[int]) -> dict[int, Document]:
    if not ids:
        return {}
    return {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(list(ids))))}


def subject_name(line: ScoreLine, language: str) -> str:
    """The person's name, or the unit's name in the language asked."""
    if line.subject_kind == "person" and line.person is not None:
        return line.person.name
    if line.unit is not None:
        return line.unit.name_en if language == "en" else line.unit.name
    return ""


# --------------------------------------------------------------------------
# Reproducing and comparing
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    fact: ContributionFact
    state: str
    updated_at: dt.datetime


def _load_facts(session: Session, ids: Iterable[int]) -> dict[int, _Row]:
    """Contributions by id, whatever their state now, as the facts scoring reads."""
    wanted = sorted(set(ids))
    out: dict[int, _Row] = {}
    stmt = select(
        Contribution.id,
        Contribution.person_id,
        Contribution.unit_id,
        Contribution.document_id,
        WorkKind.code,
        Contribution.due_date,
        Contribution.delivered_date,
        Contribution.quality,
        Contribution.major_errors,
        Contribution.outcome,
        Contribution.state,
        Contribution.updated_at,
    ).join(WorkKind, WorkKind.id == Contribution.work_kind_id)
    for i in range(0, len(wanted), _CHUNK):
        for row in session.execute(stmt.where(Contribution.id.in_(wanted[i : i + _CHUNK]))):
            out[row[0]] = _Row(ContributionFact(*row[:10]), row[10], row[11])
    return dict(sorted(out.items()))


def reproduce(session: Session, snapshot_id: int) -> Reproduction:
    """Score every line again from the facts it stored (reloaded by id) with the criteria it
    stored; exact when every value, total and facts digest is the same. A difference names
    the line's facts that are no longer verified, are gone, or were changed after the
    snapshot was taken."""
    snap = get_snapshot(session, snapshot_id)
    defs = _stored_defs(snap)
    lines = list(
        session.scalars(
            select(ScoreLine).where(ScoreLine.snapshot_id == snap.id).order_by(ScoreLine.id)
        )
    )
    rows = _load_facts(session, (i for line in lines for i in line.facts.get("contribution", [])))
    drafts = ledger.draft_facts(
        session,
        {d for line in lines for d in line.facts.get("document", [])},
        snap.period_start,
        snap.period_end,
    )
    differences: list[LineDifference] = []
    for line in lines:
        differences.extend(_check_line(line, defs, rows, drafts, snap.created_at))
    return Reproduction(snap.id, not differences, len(lines), differences)


def _check_line(
    line: ScoreLine,
    defs: Sequence[scorecard.CriterionDef],
    rows: Mapping[int, _Row],
    drafts: Mapping[int, DraftFact],
    taken_at: dt.datetime,
) -> list[LineDifference]:
    ids = list(line.facts.get("contribution", []))
    facts = [rows[i].fact for i in ids if i in rows]
    own_drafts = [drafts[d] for d in line.facts.get("document", []) if d in drafts]
    changed = sorted(
        i
        for i in ids
        if i not in rows or rows[i].state != "verified" or rows[i].updated_at > taken_at
    )
    again = scorecard.score(defs, facts, own_drafts)
    out = [
        LineDifference(line.id, d.code, line.values.get(d.code), _round(v), changed)
        for d in defs
        if not _same(line.values.get(d.code), v := again.results[d.code].value)
    ]
    if not _same(line.total, again.total):
        out.append(LineDifference(line.id, "total", line.total, _round(again.total), changed))
    if not out and digest(facts, own_drafts) != line.digest:
        out.append(LineDifference(line.id, FACTS_CHANGED, None, None, changed))
    return out


def _same(stored: float | None, recomputed: float | None) -> bool:
    if stored is None or recomputed is None:
        return stored is None and recomputed is None
    return round(float(stored), PLACES) == round(recomputed, PLACES)


def diff(session: Session, actor: Actor, old_id: int, new_id: int) -> list[LineChange]:
    """What changed from one snapshot to another, subject by subject: totals, ranks, the
    criteria whose value moved and the contributions added or removed. A subject the actor
    may see in only one of them shows None on the other side; unchanged subjects are left
    out."""
    _require_reader(actor)
    reach = reach_of(session, actor)
    old, new = (_keyed(session, get_snapshot(session, i).id, reach) for i in (old_id, new_id))
    changes = []
    for key in sorted(old.keys() | new.keys()):
        change = _change(key, old.get(key), new.get(key))
        if change is not None:
            changes.append(change)
    return changes


def _keyed(session: Session, snapshot_id: int, reach: Any) -> dict[tuple[str, int], ScoreLine]:
    stmt = select(ScoreLine).where(ScoreLine.snapshot_id == snapshot_id, lines_visible(reach))
    out = {}
    for line in session.scalars(stmt):
        subject = line.person_id if line.subject_kind == "person" else line.unit_id
        out[(line.subject_kind, subject or 0)] = line
    return out


def _change(
    key: tuple[str, int], old: ScoreLine | None, new: ScoreLine | None
) -> LineChange | None:
    kind, subject = key
    either = new if new is not None else old
    assert either is not None
    old_values = old.values if old else {}
    new_values = new.values if new else {}
    codes = list(dict.fromkeys([*old_values, *new_values]))
    moved = {
        c: (old_values.get(c), new_values.get(c))
        for c in codes
        if old is None or new is None or not _same(old_values.get(c), new_values.get(c))
    }
    old_ids = set(old.facts.get("contribution", [])) if old else set()
    new_ids = set(new.facts.get("contribution", [])) if new else set()
    change = LineChange(
        subject_kind=kind,
        person_id=subject if kind == "person" else None,
        unit_id=subject if kind == "unit" else either.unit_id,
        old_total=old.total if old else None,
        new_total=new.total if new else None,
        old_rank=old.rank if old else None,
        new_rank=new.rank if new else None,
        criteria=moved,
        added_facts=sorted(new_ids - old_ids),
        removed_facts=sorted(old_ids - new_ids),
    )
    same = (
        old is not None
        and new is not None
        and not moved
        and not change.added_facts
        and not change.removed_facts
        and _same(old.total, new.total)
        and old.rank == new.rank
    )
    return None if same else change
