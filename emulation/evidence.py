"""The evidence pack of a nomination (issue 8 item 7): everything a council member reads before
voting, and signs after, gathered in a fixed number of queries whatever the size of the record,
so a nominee with 500 contributions opens as fast as one with five.

The pack shows the nominee and the title, the nomination's history, the eligibility report with
its citations, the year's scores with the facts behind each criterion, the year's
contributions, initiatives, decided quality ratings, awards, the council's ballots (counts only
for a secret ballot: no table holds who voted what) and the dossier with checksums.

Read-only: nothing here writes and reading is not audited. Who may read a pack: officers,
council members and administrators any; a head the packs of nominees in the units they head
(or under them); a staff member their own; nobody else (deputies).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from emulation import criteria, ledger, rule_texts, scorecard
from emulation import legal as legal_module
from emulation.access import SEE_ALL, Actor, reach_of
from emulation.commendation_models import (
    Attendance,
    Award,
    AwardInitiative,
    Ballot,
    CouncilMeeting,
    DossierItem,
    EligibilityReport,
    Initiative,
    InitiativeAuthor,
    Nomination,
    NominationEvent,
    OpenVote,
)
from emulation.facts import ContributionFact
from emulation.models import BANDS, Criterion, QualityRating, ScoreLine, ScoreSnapshot, Title
from lis import clock
from lis.auth.models import User
from lis.contributions.models import Contribution
from lis.documents.models import Document
from lis.errors import NotFound, PermissionDenied
from lis.people.models import Person
from lis.reference.models import Unit, WorkKind

MAX_ID = 2**31 - 1
# A unit's year can hold thousands of items; past this the pack says how many it left out.
MAX_CONTRIBUTIONS = 5000
# The kinds of fact a rule cites ("award:12") that the pack shows, and the anchor of each.
CITED_ANCHORS = {"award": "award", "initiative": "initiative", "rating": "rating"}


# --------------------------------------------------------------------------
# What the pack holds
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Nominee:
    kind: str  # "person" | "unit"
    name: str
    person: Person | None
    unit: Unit  # the person's unit, or the unit nominated
    unit_path: tuple[Unit, ...]  # from the top of the tree down to `unit`


@dataclass(frozen=True)
class Citation:
    ref: str  # as the rule cited it, e.g. "award:12"
    kind: str  # award | initiative | rating | case | attestation | discipline | …
    key: str  # the id (or the year, for a rating)
    anchor: str | None  # the pack's element id that shows it, when the pack shows it


@dataclass(frozen=True)
class ProvisionCite:
    id: str
    label: str  # emulation.rule_texts' citation, which marks an unverified text itself
    verified: bool | None  # None when the provisions catalogue does not know it


@dataclass(frozen=True)
class RuleLine:
    rule: str
    version: int | None
    outcome: str  # pass | fail | unknown
    reason: str
    explanation: str  # the sentence of emulation.rule_texts; the reason code without it
    params: Mapping[str, Any]
    facts: tuple[Citation, ...]
    provisions: tuple[ProvisionCite, ...]
    gate: bool


@dataclass(frozen=True)
class Eligibility:
    id: int
    title_code: str
    year: int
    evaluated_on: dt.date
    outcome: str
    rules: tuple[RuleLine, ...]
    params: Mapping[str, Any]
    rule_versions: tuple[str, ...]


@dataclass(frozen=True)
class DraftRef:
    id: int
    external_id: str
    number: str
    title: str


@dataclass(frozen=True)
class CriterionLine:
    code: str
    name: str
    name_en: str
    formula: str
    weight: float
    value: float | None
    detail: Mapping[str, Any]
    fact_kind: str  # contribution | document
    fact_ids: tuple[int, ...]  # the contributions (or drafts) this value was computed from
    drafts: tuple[DraftRef, ...]  # for a criterion read from drafts


@dataclass(frozen=True)
class ScoreBlock:
    snapshot_id: int
    year: int
    period_start: dt.date
    period_end: dt.date
    computed_at: dt.datetime
    rule_version: str
    total: float | None
    rank: int | None
    ranked_among: int  # subjects of the same kind in the snapshot
    criteria: tuple[CriterionLine, ...]
    unverified: tuple[int, ...]  # contribution ids set apart, not counted


@dataclass(frozen=True)
class ContributionLine:
    id: int
    person_name: str
    document_external_id: str
    draft_number: str
    draft_title: str
    stage: str
    work_kind: str  # code
    work_kind_name: str
    work_kind_name_en: str
    title: str  # the deliverable
    due: dt.date | None
    delivered: dt.date
    state: str  # submitted | verified | rejected
    verifier: str  # the e-mail of the head who verified it
    verified_at: dt.datetime | None
    quality: str | None
    major_errors: int
    outcome: str | None
    criteria: tuple[str, ...]  # codes of the criteria whose value counted it

    @property
    def late(self) -> bool:
        return self.due is not None and self.delivered > self.due


@dataclass(frozen=True)
class AwardRef:
    id: int
    title_code: str
    year: int
    revoked: bool


@dataclass(frozen=True)
class InitiativeLine:
    id: int
    title: str
    scope: str
    recognized_by: Unit | None
    recognized_on: dt.date
    decision_no: str
    applied_effectively: bool
    authors: tuple[tuple[str, float], ...]  # (name, share)
    awards: tuple[AwardRef, ...]  # awards that used it


@dataclass(frozen=True)
class AwardLine:
    id: int
    title_code: str
    title: Title | None
    year: int
    decision_no: str
    decision_date: dt.date | None
    basis: str
    kind: str
    revoked: bool
    revoked_reason: str
    initiative_ids: tuple[int, ...]
    from_this_nomination: bool


@dataclass(frozen=True)
class RatingLine:
    """A person's decided quality rating of one year."""

    id: int
    year: int
    band: str
    suggested_band: str | None
    score: float | None
    decided_at: dt.datetime | None
    comment: str


@dataclass(frozen=True)
class BandCount:
    """A unit's people by decided band, for one year."""

    year: int
    counts: Mapping[str, int]  # band -> people
    total: int


@dataclass(frozen=True)
class VoteLine:
    name: str
    choice: str


@dataclass(frozen=True)
class BallotLine:
    id: int
    meeting_id: int
    meeting_title: str
    held_on: dt.date
    members_total: int
    present: int
    quorum_needed: int
    quorum_met: bool
    secret: bool
    threshold: float
    yes: int
    no: int
    abstain: int
    result: str  # passed | failed
    recorded_at: dt.datetime
    rule_versions: tuple[str, ...]
    votes: tuple[VoteLine, ...]  # named votes of an open ballot; always empty when secret


@dataclass(frozen=True)
class DossierLine:
    id: int
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


@dataclass(frozen=True)
class EvidencePack:
    nomination: Nomination
    nominee: Nominee
    title: Title | None
    events: tuple[NominationEvent, ...]
    eligibility: Eligibility | None
    scores: tuple[ScoreBlock, ...]
    contributions: tuple[ContributionLine, ...]
    contributions_total: int  # more than shown when the year exceeds MAX_CONTRIBUTIONS
    initiatives: tuple[InitiativeLine, ...]
    awards: tuple[AwardLine, ...]
    ratings: tuple[RatingLine, ...]  # a person's
    unit_ratings: tuple[BandCount, ...]  # a unit's people's
    ballots: tuple[BallotLine, ...]
    dossier: tuple[DossierLine, ...]
    assembled_on: dt.date

    @property
    def year(self) -> int:
        return self.nomination.year

    @property
    def shown_anchors(self) -> frozenset[str]:
        out = {f"award-{a.id}" for a in self.awards}
        out |= {f"initiative-{i.id}" for i in self.initiatives}
        out |= {f"rating-{r.year}" for r in self.ratings}
        out |= {f"rating-{r.year}" for r in self.unit_ratings}
        return frozenset(out)


# --------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------


def may_read(session: Session, actor: Actor, nomination: Nomination) -> bool:
    """Officers, council members, administrators; the heads of the nominee's unit or of a
    unit above it; the nominee themself."""
    if actor.has_role(*SEE_ALL):
        return True
    if not actor.has_role("head", "staff"):
        return False
    reach = reach_of(session, actor)
    if nomination.person_id is not None and nomination.person_id == reach.person_id:
        return True
    if not actor.has_role("head"):
        return False
    if nomination.unit_id is not None:
        unit_id: int | None = nomination.unit_id
    else:
        unit_id = nomination.person.unit_id if nomination.person is not None else None
    return unit_id is not None and unit_id in reach.unit_ids


def get_nomination(session: Session, actor: Actor, nomination_id: int) -> Nomination:
    """The nomination with its nominee, if the actor may read its pack (404, then 403)."""
    if not actor.has_role(*SEE_ALL, "head", "staff"):
        raise PermissionDenied(
            "evidence packs need one of the roles: admin, officer, council, head, staff",
            {"role": "missing"},
        )
    nomination = None
    if isinstance(nomination_id, int) and 0 < nomination_id <= MAX_ID:
        nomination = session.scalar(
            select(Nomination)
            .where(Nomination.id == nomination_id)
            .options(
                joinedload(Nomination.person),
                joinedload(Nomination.unit),
                joinedload(Nomination.proposed_by_unit),
                joinedload(Nomination.movement),
                joinedload(Nomination.created_by),
            )
        )
    if nomination is None:
        raise NotFound(f"no nomination {nomination_id}", {"nomination_id": "unknown"})
    if not may_read(session, actor, nomination):
        raise PermissionDenied(
            "this nomination's evidence is not yours to read", {"nomination_id": "not visible"}
        )
    return nomination


# --------------------------------------------------------------------------
# Assembling
# --------------------------------------------------------------------------


def assemble(session: Session, actor: Actor, nomination_id: int) -> EvidencePack:
    nomination = get_nomination(session, actor, nomination_id)
    units = {u.id: u for u in session.scalars(select(Unit))}
    nominee = _nominee(nomination, units)
    titles = {t.code: t for t in session.scalars(select(Title))}
    year = nomination.year
    scores, counted = _scores(session, nomination, nominee, year)
    rows, total = _contributions(session, nominee, units, year, counted)
    initiatives = _initiatives(session, nominee)
    ratings, unit_ratings = _ratings(session, nominee)
    return EvidencePack(
        nomination=nomination,
        nominee=nominee,
        title=titles.get(nomination.title_code),
        events=tuple(
            session.scalars(
                select(NominationEvent)
                .where(NominationEvent.nomination_id == nomination.id)
                .order_by(NominationEvent.id)
            )
        ),
        eligibility=_eligibility(session, nomination),
        scores=scores,
        contributions=rows,
        contributions_total=total,
        initiatives=initiatives,
        awards=_awards(session, nomination, nominee, titles),
        ratings=ratings,
        unit_ratings=unit_ratings,
        ballots=_ballots(session, nomination),
        dossier=_dossier(session, nomination),
        assembled_on=clock.today(),
    )


def _nominee(nomination: Nomination, units: Mapping[int, Unit]) -> Nominee:
    person = nomination.person
    unit_id = person.unit_id if person is not None else nomination.unit_id
    assert unit_id is not None  # one subject, by the table's constraint
    path: list[Unit] = []
    seen: set[int] = set()
    current: int | None = unit_id
    while current is not None and current in units and current not in seen:
        seen.add(current)
        path.append(units[current])
        current = units[current].parent_id
    unit = units[unit_id]
    if person is not None:
        return Nominee("person", person.name, person, unit, tuple(reversed(path)))
    return Nominee("unit", unit.name, None, unit, tuple(reversed(path)))


def _subtree(units: Mapping[int, Unit], root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for u in units.values():
        if u.parent_id is not None:
            children.setdefault(u.parent_id, []).append(u.id)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# --- eligibility ------------------------------------------------------------------------------


def _eligibility(session: Session, nomination: Nomination) -> Eligibility | None:
    """The report the nomination stands on, else the latest for its subject, title and year."""
    report = None
    if nomination.eligibility_report_id is not None:
        report = session.get(EligibilityReport, nomination.eligibility_report_id)
    if report is None:
        subject = (
            EligibilityReport.person_id == nomination.person_id
            if nomination.person_id is not None
            else EligibilityReport.unit_id == nomination.unit_id
        )
        report = session.scalar(
            select(EligibilityReport)
            .where(
                subject,
                EligibilityReport.title_code == nomination.title_code,
                EligibilityReport.year == nomination.year,
            )
            .order_by(EligibilityReport.id.desc())
            .limit(1)
        )
    if report is None:
        return None
    texts, legal = rule_texts, legal_module
    lines = tuple(
        _rule_line(row, texts, legal) for row in report.results or [] if isinstance(row, dict)
    )
    return Eligibility(
        id=report.id,
        title_code=report.title_code,
        year=report.year,
        evaluated_on=report.evaluated_on,
        outcome=report.outcome,
        rules=lines,
        params=dict(report.params or {}),
        rule_versions=tuple(str(v) for v in report.rule_versions or []),
    )


def _strings(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    return (str(value),)


def _rule_line(
    row: Mapping[str, Any], texts: ModuleType | None, legal: ModuleType | None
) -> RuleLine:
    provisions = _strings(row.get("provisions")) or _strings(row.get("provision"))
    facts = _strings(row.get("facts"))
    version = row.get("version")
    reason = str(row.get("reason") or "")
    explanation = reason
    if texts is not None:
        try:
            explanation = str(texts.explain(dict(row)))
        except (AttributeError, KeyError, TypeError, ValueError):
            explanation = reason  # a row written by hand: its code still says why
    return RuleLine(
        rule=str(row.get("rule") or ""),
        version=int(version) if isinstance(version, int | str) and str(version).isdigit() else None,
        outcome=str(row.get("outcome") or "unknown"),
        reason=reason,
        explanation=explanation,
        params=dict(row.get("params") or {}),
        facts=tuple(_citation(ref) for ref in facts),
        provisions=tuple(_provision(pid, texts, legal) for pid in provisions),
        gate=bool(row.get("gate", False)),
    )


def _citation(ref: str) -> Citation:
    kind, _, key = ref.partition(":")
    prefix = CITED_ANCHORS.get(kind)
    return Citation(ref, kind, key, f"{prefix}-{key}" if prefix and key else None)


def _provision(pid: str, texts: ModuleType | None, legal: ModuleType | None) -> ProvisionCite:
    label, verified = pid, None
    if texts is not None:
        try:
            label = str(texts.provision_label(pid))
        except (AttributeError, KeyError, LookupError, ValueError):
            label = pid
    if legal is not None:
        try:
            verified = bool(legal.provision(pid).verified)
        except (AttributeError, KeyError, LookupError, ValueError):
            verified = None
    return ProvisionCite(pid, label, verified)


# --- scores -----------------------------------------------------------------------------------


def _scores(
    session: Session, nomination: Nomination, nominee: Nominee, year: int
) -> tuple[tuple[ScoreBlock, ...], dict[int, list[str]]]:
    """The nominee's line in the latest year snapshot of the nomination's year that scored
    them, each criterion with the facts it used; and, by contribution id, the criteria that
    counted it."""
    if nominee.kind == "person":
        subject = (ScoreLine.subject_kind == "person") & (
            ScoreLine.person_id == nomination.person_id
        )
    else:
        subject = (ScoreLine.subject_kind == "unit") & (ScoreLine.unit_id == nomination.unit_id)
    found = session.execute(
        select(ScoreLine, ScoreSnapshot)
        .join(ScoreSnapshot, ScoreSnapshot.id == ScoreLine.snapshot_id)
        .where(subject, ScoreSnapshot.year == year, ScoreSnapshot.movement_id.is_(None))
        .order_by(ScoreSnapshot.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return (), {}
    line, snap = found
    among = session.scalar(
        select(func.count())
        .select_from(ScoreLine)
        .where(
            ScoreLine.snapshot_id == snap.id,
            ScoreLine.subject_kind == line.subject_kind,
            ScoreLine.rank.is_not(None),
        )
    )
    contribution_ids = [int(i) for i in line.facts.get("contribution", [])]
    document_ids = [int(i) for i in line.facts.get("document", [])]
    facts = _facts(session, contribution_ids)
    drafts = ledger.draft_facts(session, document_ids, snap.period_start, snap.period_end)
    draft_list = [drafts[d] for d in document_ids if d in drafts]
    refs = _drafts(session, document_ids)
    names = {c.code: c for c in session.scalars(select(Criterion))}
    lines: list[CriterionLine] = []
    counted: dict[int, list[str]] = {}
    for item in snap.criteria or []:
        try:
            d = scorecard.CriterionDef.from_dict(item)
            result = criteria.get(d.formula)(
                facts, draft_list, criteria.resolve_params(d.formula, d.params)
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # a snapshot row edited by hand: its number stays, its facts cannot be told
        used = tuple(int(i) for i in result.used)
        if result.fact_kind == "contribution":
            for i in used:
                counted.setdefault(i, []).append(d.code)
        known = names.get(d.code)
        lines.append(
            CriterionLine(
                code=d.code,
                name=known.name if known else d.code,
                name_en=known.name_en if known else d.code,
                formula=d.formula,
                weight=d.weight,
                value=line.values.get(d.code),
                detail=dict(line.details.get(d.code) or {}),
                fact_kind=result.fact_kind,
                fact_ids=used,
                drafts=tuple(refs[i] for i in used if i in refs)
                if result.fact_kind == "document"
                else (),
            )
        )
    block = ScoreBlock(
        snapshot_id=snap.id,
        year=year,
        period_start=snap.period_start,
        period_end=snap.period_end,
        computed_at=snap.created_at,
        rule_version=snap.rule_version,
        total=line.total,
        rank=line.rank,
        ranked_among=int(among or 0),
        criteria=tuple(lines),
        unverified=tuple(int(i) for i in line.unverified or []),
    )
    return (block,), counted


def _facts(session: Session, ids: Sequence[int]) -> list[ContributionFact]:
    """The line's contributions as scoring reads them (by id, as they are now)."""
    out: list[ContributionFact] = []
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
    ).join(WorkKind, WorkKind.id == Contribution.work_kind_id)
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), 5000):
        chunk = wanted[i : i + 5000]
        out.extend(
            ContributionFact(*row)
            for row in session.execute(stmt.where(Contribution.id.in_(chunk)))
        )
    return sorted(out, key=lambda f: f.id)


def _drafts(session: Session, ids: Sequence[int]) -> dict[int, DraftRef]:
    if not ids:
        return {}
    stmt = select(Document.id, Document.external_id, Document.number, Document.title).where(
        Document.id.in_(sorted(set(ids)))
    )
    return {
        row[0]: DraftRef(row[0], row[1], row[2] or "", row[3] or "")
        for row in session.execute(stmt)
    }


# --- contributions ----------------------------------------------------------------------------


def _contributions(
    session: Session,
    nominee: Nominee,
    units: Mapping[int, Unit],
    year: int,
    counted: Mapping[int, list[str]],
) -> tuple[tuple[ContributionLine, ...], int]:
    """The year's work of the nominee (a unit's: logged for it or the units under it), in
    every state but withdrawn, by delivery date."""
    if nominee.person is not None:
        subject = Contribution.person_id == nominee.person.id
    else:
        subject = Contribution.unit_id.in_(sorted(_subtree(units, nominee.unit.id)))
    where = (
        subject,
        Contribution.delivered_date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)),
        Contribution.state != "withdrawn",
    )
    stmt = (
        select(
            Contribution.id,
            Person.name,
            Document.external_id,
            Document.number,
            Document.title,
            Contribution.stage,
            WorkKind.code,
            WorkKind.name,
            WorkKind.name_en,
            Contribution.title,
            Contribution.due_date,
            Contribution.delivered_date,
            Contribution.state,
            User.email,
            Contribution.verified_at,
            Contribution.quality,
            Contribution.major_errors,
            Contribution.outcome,
        )
        .join(Document, Document.id == Contribution.document_id)
        .join(WorkKind, WorkKind.id == Contribution.work_kind_id)
        .join(Person, Person.id == Contribution.person_id)
        .outerjoin(User, User.id == Contribution.verified_by_id)
        .where(*where)
        .order_by(Contribution.delivered_date, Contribution.id)
        .limit(MAX_CONTRIBUTIONS)
    )
    rows = tuple(
        ContributionLine(
            id=r[0],
            person_name=r[1],
            document_external_id=r[2],
            draft_number=r[3] or "",
            draft_title=r[4] or "",
            stage=r[5],
            work_kind=r[6],
            work_kind_name=r[7],
            work_kind_name_en=r[8],
            title=r[9],
            due=r[10],
            delivered=r[11],
            state=r[12],
            verifier=r[13] or "",
            verified_at=r[14],
            quality=r[15],
            major_errors=r[16] or 0,
            outcome=r[17],
            criteria=tuple(counted.get(r[0], ())),
        )
        for r in session.execute(stmt)
    )
    total = len(rows)
    if total >= MAX_CONTRIBUTIONS:
        total = int(
            session.scalar(select(func.count()).select_from(Contribution).where(*where)) or 0
        )
    return rows, total


# --- initiatives, awards, ratings -------------------------------------------------------------


def _initiatives(session: Session, nominee: Nominee) -> tuple[InitiativeLine, ...]:
    """Initiatives the person authored; for a unit, those its people authored."""
    if nominee.person is not None:
        authors = select(InitiativeAuthor.initiative_id).where(
            InitiativeAuthor.person_id == nominee.person.id
        )
    else:
        members = select(Person.id).where(Person.unit_id == nominee.unit.id, Person.active)
        authors = select(InitiativeAuthor.initiative_id).where(
            InitiativeAuthor.person_id.in_(members)
        )
    initiatives = list(
        session.scalars(
            select(Initiative)
            .where(Initiative.id.in_(authors))
            .options(joinedload(Initiative.recognized_by))
            .order_by(Initiative.recognized_on, Initiative.id)
        )
    )
    if not initiatives:
        return ()
    ids = [i.id for i in initiatives]
    names: dict[int, list[tuple[str, float]]] = {}
    for initiative_id, name, share in session.execute(
        select(InitiativeAuthor.initiative_id, Person.name, InitiativeAuthor.share)
        .join(Person, Person.id == InitiativeAuthor.person_id)
        .where(InitiativeAuthor.initiative_id.in_(ids))
        .order_by(InitiativeAuthor.share.desc(), InitiativeAuthor.id)
    ):
        names.setdefault(initiative_id, []).append((name, float(share)))
    used: dict[int, list[AwardRef]] = {}
    for initiative_id, award_id, code, year, revoked in session.execute(
        select(AwardInitiative.initiative_id, Award.id, Award.title_code, Award.year, Award.revoked)
        .join(Award, Award.id == AwardInitiative.award_id)
        .where(AwardInitiative.initiative_id.in_(ids))
        .order_by(Award.year, Award.id)
    ):
        used.setdefault(initiative_id, []).append(AwardRef(award_id, code, year, bool(revoked)))
    return tuple(
        InitiativeLine(
            id=i.id,
            title=i.title,
            scope=i.scope,
            recognized_by=i.recognized_by,
            recognized_on=i.recognized_on,
            decision_no=i.decision_no,
            applied_effectively=i.applied_effectively,
            authors=tuple(names.get(i.id, ())),
            awards=tuple(used.get(i.id, ())),
        )
        for i in initiatives
    )


def _awards(
    session: Session, nomination: Nomination, nominee: Nominee, titles: Mapping[str, Title]
) -> tuple[AwardLine, ...]:
    if nominee.person is not None:
        subject = Award.person_id == nominee.person.id
    else:
        subject = Award.unit_id == nominee.unit.id
    awards = list(session.scalars(select(Award).where(subject).order_by(Award.year, Award.id)))
    if not awards:
        return ()
    used: dict[int, list[int]] = {}
    for award_id, initiative_id in session.execute(
        select(AwardInitiative.award_id, AwardInitiative.initiative_id)
        .where(AwardInitiative.award_id.in_([a.id for a in awards]))
        .order_by(AwardInitiative.initiative_id)
    ):
        used.setdefault(award_id, []).append(initiative_id)
    return tuple(
        AwardLine(
            id=a.id,
            title_code=a.title_code,
            title=titles.get(a.title_code),
            year=a.year,
            decision_no=a.decision_no,
            decision_date=a.decision_date,
            basis=a.basis,
            kind=a.kind,
            revoked=a.revoked,
            revoked_reason=a.revoked_reason,
            initiative_ids=tuple(used.get(a.id, ())),
            from_this_nomination=a.nomination_id == nomination.id,
        )
        for a in awards
    )


def _ratings(
    session: Session, nominee: Nominee
) -> tuple[tuple[RatingLine, ...], tuple[BandCount, ...]]:
    """Decided ratings of every year: the person's, or the unit's people counted by band."""
    decided = QualityRating.band.is_not(None)
    if nominee.person is not None:
        rows = session.scalars(
            select(QualityRating)
            .where(QualityRating.person_id == nominee.person.id, decided)
            .order_by(QualityRating.year)
        )
        lines = tuple(
            RatingLine(
                id=r.id,
                year=r.year,
                band=str(r.band),
                suggested_band=r.suggested_band,
                score=r.score,
                decided_at=r.decided_at,
                comment=r.comment,
            )
            for r in rows
        )
        return lines, ()
    counts: dict[int, dict[str, int]] = {}
    for year, band, n in session.execute(
        select(QualityRating.year, QualityRating.band, func.count())
        .where(QualityRating.unit_id == nominee.unit.id, decided)
        .group_by(QualityRating.year, QualityRating.band)
    ):
        counts.setdefault(year, dict.fromkeys(BANDS, 0))[band] = int(n)
    return (), tuple(
        BandCount(year, counts[year], sum(counts[year].values())) for year in sorted(counts)
    )


# --- the council and the dossier --------------------------------------------------------------


def _ballots(session: Session, nomination: Nomination) -> tuple[BallotLine, ...]:
    """Each ballot on the nomination with its meeting's attendance and quorum. A secret
    ballot's votes are never read: only its counts exist."""
    found = list(
        session.execute(
            select(Ballot, CouncilMeeting)
            .join(CouncilMeeting, CouncilMeeting.id == Ballot.meeting_id)
            .where(Ballot.nomination_id == nomination.id)
            .order_by(Ballot.id)
        ).tuples()
    )
    if not found:
        return ()
    meeting_ids = sorted({m.id for _b, m in found})
    present = dict(
        session.execute(
            select(Attendance.meeting_id, func.count())
            .where(Attendance.meeting_id.in_(meeting_ids), Attendance.present)
            .group_by(Attendance.meeting_id)
        ).all()
    )
    open_ids = [b.id for b, _m in found if not b.secret]
    votes: dict[int, list[VoteLine]] = {}
    if open_ids:
        for ballot_id, name, choice in session.execute(
            select(OpenVote.ballot_id, Person.name, OpenVote.choice)
            .join(Person, Person.id == OpenVote.person_id)
            .where(OpenVote.ballot_id.in_(open_ids))
            .order_by(Person.name, OpenVote.id)
        ):
            votes.setdefault(ballot_id, []).append(VoteLine(name, choice))
    out = []
    for ballot, meeting in found:
        here = int(present.get(meeting.id, 0))
        needed = quorum_needed(meeting.members_total, meeting.quorum_share)
        out.append(
            BallotLine(
                id=ballot.id,
                meeting_id=meeting.id,
                meeting_title=meeting.title,
                held_on=meeting.held_on,
                members_total=meeting.members_total,
                present=here,
                quorum_needed=needed,
                quorum_met=here >= needed,
                secret=ballot.secret,
                threshold=ballot.threshold,
                yes=ballot.yes,
                no=ballot.no,
                abstain=ballot.abstain,
                result=ballot.result,
                recorded_at=ballot.recorded_at,
                rule_versions=tuple(str(v) for v in ballot.rule_versions or []),
                votes=() if ballot.secret else tuple(votes.get(ballot.id, ())),
            )
        )
    return tuple(out)


def quorum_needed(members_total: int, share: float) -> int:
    """Members who must be present: the share of all members, rounded up (2/3 of 9 is 6)."""
    return max(0, math.ceil(members_total * share - 1e-9))


def _dossier(session: Session, nomination: Nomination) -> tuple[DossierLine, ...]:
    """The files' names and checksums, never their bytes."""
    stmt = (
        select(
            DossierItem.id,
            DossierItem.kind,
            DossierItem.name,
            DossierItem.content_type,
            DossierItem.size,
            DossierItem.sha256,
            DossierItem.uploaded_at,
        )
        .where(DossierItem.nomination_id == nomination.id)
        .order_by(DossierItem.id)
    )
    return tuple(DossierLine(*row) for row in session.execute(stmt))
