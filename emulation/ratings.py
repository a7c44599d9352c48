"""Yearly quality ratings: suggest each person's band from the year's scores, let the head
decide, keep both.

Who may do what (the same rules hold in the API and on the pages):

- suggest: officers and administrators for any unit; a head for the units they head (their
  unit and the units under it, `emulation.access`). A suggestion never changes a decided band:
  only the suggestion beside it is refreshed, and the audit log shows the change.
- decide: a head of the person's unit or a unit above it; an administrator for any unit;
  nobody for their own rating. A decision that departs from the suggestion needs a comment.
  An "excellent" beyond the unit's cap (RULE Q2; the unit's other ratings counted by their
  decided band, or their suggestion while undecided) is refused (409) unless the head gives a
  reason to exceed it, which is kept at the head of the comment and audited.
- read: officers, the council and administrators everything; heads their units' people;
  staff their own rating; deputies nothing (these are the Office's internal assessments).

Services take a session and plain values, flush, audit every change in the same transaction
and never commit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from emulation import access
from emulation import rating_rules as rules
from emulation.access import Actor
from emulation.models import BANDS, QualityRating, ScoreLine, ScoreSnapshot
from lis.audit.services import record
from lis.db import utcnow
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.models import Person
from lis.people.queries import person_of_user, unit_and_descendants
from lis.reference.models import Unit

ENTITY = "quality_rating"
SUGGEST_ROLES = ("admin", "officer", "head")
DECIDE_ROLES = ("admin", "head")
READ_ROLES = access.READ_ROLES
MAX_COMMENT = 2000
MAX_OVERRIDE = 1000
MAX_ID = 2**31 - 1
MIN_YEAR, MAX_YEAR = 2000, 2100
# What a cap override looks like at the head of a comment (screens show it translated).
OVERRIDE_PREFIX = "[cap override] "


# --------------------------------------------------------------------------
# Reasons: stored as a code with its parameters, rendered by the screens
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any]


def encode_reason(suggestion: rules.Suggestion) -> str:
    return json.dumps(
        {"code": suggestion.reason_code, "params": dict(suggestion.reason_params)},
        sort_keys=True,
        ensure_ascii=False,
    )


def decode_reason(text: str | None) -> Reason | None:
    """The stored reason; a reason that is not ours (typed by hand, an older format) comes
    back as code "text" with the words as they are."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        params = data.get("params")
        return Reason(data["code"], params if isinstance(params, dict) else {})
    return Reason("text", {"text": text})


def split_override(comment: str) -> tuple[str | None, str]:
    """(the cap override reason, the rest of the comment) of a decided rating."""
    if not comment.startswith(OVERRIDE_PREFIX):
        return None, comment
    head, _sep, rest = comment[len(OVERRIDE_PREFIX) :].partition("\n")
    return head, rest


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


def check_year(year: int) -> rules.Rules:
    """The rules for `year`; 422 naming `year` when it is out of range or no rule covers it."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            f"the year must be between {MIN_YEAR} and {MAX_YEAR}", {"year": "out of range"}
        )
    try:
        return rules.rules_for(year)
    except rules.NoParam as exc:
        raise ValidationError(str(exc), {"year": "no rating rules in force"}) from None


def _text(value: str, name: str, limit: int) -> str:
    if len(value) > limit:
        raise ValidationError(f"{name} is longer than {limit} characters", {name: "too long"})
    if "\x00" in value:
        raise ValidationError(f"{name} contains NUL characters", {name: "invalid characters"})
    return value.strip()


def may_suggest(session: Session, actor: Actor, unit_id: int) -> bool:
    if actor.has_role("admin", "officer"):
        return True
    return actor.has_role("head") and unit_id in access.reach_of(session, actor).unit_ids


def is_own(actor: Actor, rating: QualityRating) -> bool:
    return rating.person is not None and rating.person.user_id == actor.id


def may_decide(session: Session, actor: Actor, rating: QualityRating) -> bool:
    if is_own(actor, rating):
        return False
    return access.may_decide_rating(access.reach_of(session, actor), actor, rating)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def _loaded() -> Select[tuple[QualityRating]]:
    return select(QualityRating).options(
        selectinload(QualityRating.person),
        selectinload(QualityRating.unit),
        selectinload(QualityRating.decided_by),
    )


def _ordered(stmt: Select[tuple[QualityRating]]) -> Select[tuple[QualityRating]]:
    return stmt.join(Unit, Unit.id == QualityRating.unit_id).order_by(
        QualityRating.year.desc(),
        Unit.code,
        QualityRating.score.is_(None),
        QualityRating.score.desc(),
        QualityRating.id,
    )


def get_rating(session: Session, rating_id: int, *, lock: bool = False) -> QualityRating:
    found = None
    if 0 < rating_id <= MAX_ID:  # larger ids cannot exist and overflow the driver
        stmt = _loaded().where(QualityRating.id == rating_id)
        if lock:
            stmt = stmt.with_for_update(of=QualityRating)
        found = session.scalar(stmt)
    if found is None:
        raise NotFound(f"no rating {rating_id}", {"id": "unknown"})
    return found


def _check_reader(actor: Actor) -> None:
    if not actor.has_role(*READ_ROLES):
        raise PermissionDenied(
            "ratings are seen by officers, the council, heads and the person rated",
            {"role": "missing"},
        )


def by_ids(session: Session, ids: Sequence[int]) -> list[QualityRating]:
    """Ratings by id, in the lists' order (for answering after a commit)."""
    return list(session.scalars(_ordered(_loaded().where(QualityRating.id.in_(list(ids))))))


def read_rating(session: Session, actor: Actor, rating_id: int) -> QualityRating:
    """The rating, when `actor` may see it (403 otherwise)."""
    _check_reader(actor)
    found = get_rating(session, rating_id)
    reach = access.reach_of(session, actor)
    visible = session.scalar(
        select(QualityRating.id).where(QualityRating.id == found.id, access.ratings_visible(reach))
    )
    if visible is None:
        raise PermissionDenied("this rating is not yours or your units'", {"id": "forbidden"})
    return found


def list_ratings(
    session: Session, actor: Actor, *, year: int | None = None, unit_id: int | None = None
) -> Select[tuple[QualityRating]]:
    """The ratings `actor` may see, for a year and a unit with the units under it when given;
    by year (newest first), unit, score (highest first)."""
    _check_reader(actor)
    stmt = _loaded().where(access.ratings_visible(access.reach_of(session, actor)))
    if year is not None:
        stmt = stmt.where(QualityRating.year == year)
    if unit_id is not None:
        units = unit_and_descendants(session, unit_id)
        stmt = stmt.where(QualityRating.unit_id.in_(sorted(units)))
    return _ordered(stmt)


def latest_year_snapshot(session: Session, year: int) -> ScoreSnapshot | None:
    return session.scalar(
        select(ScoreSnapshot)
        .where(ScoreSnapshot.year == year)
        .order_by(ScoreSnapshot.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class UnitSummary:
    """What a unit's table shows above it: the bands counted (suggested, decided) and the cap
    of excellent (RULE Q2), counted as `decide` counts it: each rating by its decided band or,
    not decided yet, by its suggestion."""

    suggested: dict[str, int]
    decided: dict[str, int]
    undecided: int
    cap_share: float
    excellent: int
    good_or_better: int
    limit: int

    @property
    def over_cap(self) -> bool:
        return self.excellent > self.limit


def summarise(ratings: Iterable[Any], year: int) -> UnitSummary:
    """Counts of one unit's ratings for one year (pass them all, not one page): anything with
    `suggested_band` and `band`, rows or ratings."""
    rows = list(ratings)
    suggested = Counter(r.suggested_band for r in rows if r.suggested_band)
    decided = Counter(r.band for r in rows if r.band)
    projected = [r.band or r.suggested_band for r in rows]
    good_or_better = sum(1 for b in projected if b in rules.GOOD_OR_BETTER)
    the_rules = rules.rules_for(year)
    return UnitSummary(
        suggested={b: suggested.get(b, 0) for b in BANDS},
        decided={b: decided.get(b, 0) for b in BANDS},
        undecided=sum(1 for r in rows if r.band is None),
        cap_share=the_rules.cap_share,
        excellent=sum(1 for b in projected if b == rules.EXCELLENT),
        good_or_better=good_or_better,
        limit=the_rules.cap(good_or_better),
    )


# --------------------------------------------------------------------------
# Suggesting
# --------------------------------------------------------------------------


def _state(row: QualityRating) -> dict[str, Any]:
    return {
        "score": row.score,
        "suggested_band": row.suggested_band,
        "suggestion_reason": row.suggestion_reason,
        "snapshot_id": row.snapshot_id,
        "band": row.band,
    }


def suggest_for_unit(
    session: Session, actor: Actor, unit_id: int, year: int
) -> list[QualityRating]:
    """Suggest the year's bands for the people of a unit and the units under it, from the
    latest yearly snapshot (409 when there is none). The cap counts each unit apart (a
    person's unit as the snapshot recorded it). Rows are created or refreshed; decided bands
    stay as they are. Returns the unit's ratings for the year."""
    check_year(year)
    if session.get(Unit, unit_id) is None:
        raise NotFound(f"no unit {unit_id}", {"unit": "unknown"})
    if not may_suggest(session, actor, unit_id):
        raise PermissionDenied(
            "only officers, administrators and the unit's heads suggest its ratings",
            {"unit": "outside your units"},
        )
    snapshot = latest_year_snapshot(session, year)
    if snapshot is None:
        raise Conflict(
            f"there are no scores for {year} yet: compute the year's scores first",
            {"year": "no score snapshot"},
        )
    units = unit_and_descendants(session, unit_id)
    lines = list(
        session.scalars(
            select(ScoreLine)
            .where(
                ScoreLine.snapshot_id == snapshot.id,
                ScoreLine.subject_kind == "person",
                ScoreLine.person_id.is_not(None),
                ScoreLine.unit_id.in_(sorted(units)),
            )
            .order_by(ScoreLine.id)
        )
    )
    by_unit: dict[int, dict[int, float | None]] = {}
    for line in lines:
        assert line.person_id is not None and line.unit_id is not None
        by_unit.setdefault(line.unit_id, {}).setdefault(line.person_id, line.total)
    existing = {
        r.person_id: r
        for r in session.scalars(
            select(QualityRating).where(
                QualityRating.year == year,
                QualityRating.person_id.in_([pid for g in by_unit.values() for pid in g]),
            )
        )
    }
    now = utcnow()
    for line_unit, scores in sorted(by_unit.items()):
        # Discipline records arrive with issue 8; until then nobody is disciplined.
        suggestions = rules.suggest(scores, year, disciplined=frozenset())
        for person_id, suggestion in suggestions.items():
            _apply_suggestion(
                session,
                actor,
                existing,
                person_id,
                line_unit,
                year,
                scores[person_id],
                suggestion,
                snapshot.id,
                now,
            )
    session.flush()
    return list(
        session.scalars(
            _ordered(
                _loaded().where(
                    QualityRating.year == year, QualityRating.unit_id.in_(sorted(units))
                )
            )
        )
    )


def _apply_suggestion(
    session: Session,
    actor: Actor,
    existing: dict[int, QualityRating],
    person_id: int,
    unit_id: int,
    year: int,
    score: float | None,
    suggestion: rules.Suggestion,
    snapshot_id: int,
    now: dt.datetime,
) -> None:
    row = existing.get(person_id)
    before = _state(row) if row is not None else None
    if row is None:
        row = QualityRating(person_id=person_id, unit_id=unit_id, year=year)
        session.add(row)
    elif row.band is None:
        row.unit_id = unit_id  # undecided: it follows the person's unit in the scores
    reason = encode_reason(suggestion)
    unchanged = (
        before is not None
        and row.score == score
        and row.suggested_band == suggestion.band
        and row.suggestion_reason == reason
        and row.snapshot_id == snapshot_id
    )
    if unchanged:
        return
    row.score = score
    row.suggested_band = suggestion.band
    row.suggestion_reason = reason
    row.snapshot_id = snapshot_id
    row.suggested_at = now
    session.flush()
    record(
        session,
        actor=actor,
        action="rating.suggest",
        entity=ENTITY,
        entity_id=row.id,
        summary=(
            f"{year}: suggested {suggestion.band or 'nothing'} ({suggestion.reason_code}) "
            f"for person {person_id} from snapshot {snapshot_id}"
            + (f"; the decided band {row.band} stays" if row.band else "")
        ),
        before=before,
        after=_state(row),
    )


# --------------------------------------------------------------------------
# Deciding
# --------------------------------------------------------------------------


def _decision(row: QualityRating) -> dict[str, Any]:
    return {
        "band": row.band,
        "comment": row.comment,
        "decided_by_id": row.decided_by_id,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "suggested_band": row.suggested_band,
    }


def _excellent_room(session: Session, row: QualityRating) -> tuple[int, int, int]:
    """(excellent, good or better, the cap) of the unit's year were this rating decided
    excellent, counting each other rating by its decided band or, not decided yet, by its
    suggestion. The suggestions already keep to the cap, so heads may decide in any order
    (deciding the first "excellent" before the "good" ones is not refused); only a decision
    that would leave more excellent than the cap allows is."""
    others = session.execute(
        select(QualityRating.band, QualityRating.suggested_band).where(
            QualityRating.unit_id == row.unit_id,
            QualityRating.year == row.year,
            QualityRating.id != row.id,
        )
    ).all()
    projected = [band or suggested for band, suggested in others]
    excellent = sum(1 for b in projected if b == rules.EXCELLENT) + 1
    good_or_better = sum(1 for b in projected if b in rules.GOOD_OR_BETTER) + 1
    return excellent, good_or_better, rules.rules_for(row.year).cap(good_or_better)


def decide(
    session: Session,
    actor: Actor,
    rating_id: int,
    band: str,
    comment: str = "",
    cap_override_reason: str | None = None,
) -> QualityRating:
    """Record the head's band (see the module docstring for who, and when a comment or a cap
    override reason is needed). Deciding again replaces the decision; the audit keeps both."""
    if band not in BANDS:
        raise ValidationError(f"the band must be one of {', '.join(BANDS)}", {"band": "unknown"})
    comment = _text(comment or "", "comment", MAX_COMMENT)
    override = _text(cap_override_reason or "", "cap_override_reason", MAX_OVERRIDE)
    row = get_rating(session, rating_id, lock=True)
    if is_own(actor, row):
        raise PermissionDenied("nobody decides their own rating", {"id": "own rating"})
    if not may_decide(session, actor, row):
        raise PermissionDenied(
            "only heads of the person's unit or a unit above it decide the rating",
            {"id": "outside your units"},
        )
    if band != row.suggested_band and not comment:
        raise ValidationError(
            "say why the decision departs from the suggestion",
            {"comment": "required when the band differs from the suggestion"},
        )
    used_override = False
    if band == rules.EXCELLENT:
        excellent, good_or_better, limit = _excellent_room(session, row)
        if excellent > limit:
            if not override:
                raise Conflict(
                    f"the unit would have {excellent} excellent among {good_or_better} rated "
                    f"good or better in {row.year}; the cap allows {limit}: give "
                    "cap_override_reason to exceed it",
                    {"band": "over the cap", "cap_override_reason": "required to exceed the cap"},
                )
            used_override = True
    before = _decision(row)
    if used_override:
        # One line for the reason (the prefix marks it), the head's comment below it.
        reason_line = " ".join(override.split())
        comment = f"{OVERRIDE_PREFIX}{reason_line}" + (f"\n{comment}" if comment else "")
    row.band = band
    row.comment = comment
    row.decided_by_id = actor.id
    row.decided_at = utcnow()
    session.flush()
    session.expire(row, ["decided_by"])  # set by id: load the user again when asked
    after = _decision(row)
    if used_override:
        after["cap_override_reason"] = override
    record(
        session,
        actor=actor,
        action="rating.decide",
        entity=ENTITY,
        entity_id=row.id,
        summary=(
            f"{row.year}: decided {band} for person {row.person_id} "
            f"(suggested {row.suggested_band or 'nothing'})"
            + ("; over the unit's cap of excellent" if used_override else "")
        ),
        before=before,
        after=after,
    )
    return row


# --------------------------------------------------------------------------
# For the pages
# --------------------------------------------------------------------------


def units_to_suggest(session: Session, actor: Actor) -> list[Unit]:
    """Units `actor` may suggest ratings for, by code."""
    units = list(session.scalars(select(Unit).order_by(Unit.code)))
    if actor.has_role("admin", "officer"):
        return units
    reach = access.reach_of(session, actor).unit_ids if actor.has_role("head") else frozenset()
    return [u for u in units if u.id in reach]


def own_person(session: Session, actor: Actor) -> Person | None:
    return person_of_user(session, actor.id)


def years_with_scores(session: Session) -> Sequence[int]:
    """Years that have a yearly snapshot or a rating, newest first."""
    years = set(session.scalars(select(ScoreSnapshot.year).where(ScoreSnapshot.year.is_not(None))))
    years |= set(session.scalars(select(QualityRating.year).distinct()))
    return sorted((y for y in years if y is not None), reverse=True)
