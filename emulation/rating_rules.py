"""Pure rating rules: a person's yearly score in, a suggested quality band and the reason out.

RULE Q1 (research §4.2): ≥ 90 excellent, 70–< 90 good, 50–< 70 completed, < 50 not completed;
discipline in the year makes it "not completed" whatever the score. RULE Q2: the excellent ones
of a unit may be at most a share (20 %) of those rated good or better there. The thresholds are
dated parameters with their source, so a year is always judged by the rules in force for it.

The rules only suggest: a head decides (`emulation.ratings.decide`). Each suggestion carries a
reason code and its parameters rather than a sentence, so screens can explain it in Vietnamese
or English. No database, no Flask.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

EXCELLENT, GOOD, COMPLETED, NOT_COMPLETED = "excellent", "good", "completed", "not_completed"
GOOD_OR_BETTER = frozenset({EXCELLENT, GOOD})

# Reason codes (the screens hold one sentence per code).
NO_SCORE = "no_score"
SCORE = "score"
DISCIPLINED = "disciplined"
CAP = "cap"
CAP_TIE = "cap_tie"
REASONS: tuple[str, ...] = (NO_SCORE, SCORE, DISCIPLINED, CAP, CAP_TIE)

# Scores equal to this many decimals are equal (as in `scorecard.rank`): a tie is a tie even if
# two weighted means differ in their last binary digit.
PLACES = 6


class NoParam(LookupError):
    """No parameter of that name is in force on that day: the year cannot be rated by rule."""

    def __init__(self, name: str, on: dt.date) -> None:
        super().__init__(f"no rating parameter {name!r} is in force on {on.isoformat()}")
        self.name = name
        self.on = on


@dataclass(frozen=True)
class Param:
    """A threshold with the days it applies (`valid_to` excluded; None: still in force)."""

    name: str
    value: float
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    verified: bool = True

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)


DECREE_335 = (
    "Decree 335/2025/NĐ-CP on rating civil servants' quality, in force 01/01/2026 "
    "(research §3 and §4.2 RULE Q1/Q2: cafef.vn, news.laodong.vn, nld.com.vn)"
)
DECREE_90 = (
    "Decree 90/2020/NĐ-CP era, before Decree 335/2025: UNVERIFIED. The research file does not "
    "verify the thresholds, the cap or their dates for years before 2026; Decree 335's numbers "
    "are carried back so that older years can be suggested at all. The head decides."
)
_NEW = dt.date(2026, 1, 1)
_OLD = dt.date(2020, 1, 1)  # GUESS: the earliest year the system rates; nothing before it

PARAMS: tuple[Param, ...] = (
    Param("excellent_min", 90, _NEW, None, DECREE_335),
    Param("good_min", 70, _NEW, None, DECREE_335),
    Param("completed_min", 50, _NEW, None, DECREE_335),
    # Research §3 reads "≤ 20 % of those rated good"; the team reads "good" as "good or better"
    # (the excellent ones are good too), as the brief states. Check with the council.
    Param("excellent_cap_share", 0.20, _NEW, None, DECREE_335),
    Param("excellent_min", 90, _OLD, _NEW, DECREE_90, verified=False),
    Param("good_min", 70, _OLD, _NEW, DECREE_90, verified=False),
    Param("completed_min", 50, _OLD, _NEW, DECREE_90, verified=False),
    Param("excellent_cap_share", 0.20, _OLD, _NEW, DECREE_90, verified=False),
)
PARAM_NAMES: tuple[str, ...] = ("excellent_min", "good_min", "completed_min", "excellent_cap_share")


def param(name: str, on: dt.date, table: tuple[Param, ...] = PARAMS) -> Param:
    """The parameter in force on `on`; NoParam when none is (or, a table error, several are)."""
    found = [p for p in table if p.name == name and p.in_force(on)]
    if len(found) != 1:
        raise NoParam(name, on)
    return found[0]


def rating_day(year: int) -> dt.date:
    """The day whose rules rate a year: its last (a year is rated at its end)."""
    return dt.date(year, 12, 31)


@dataclass(frozen=True)
class Rules:
    """The parameters in force for one year."""

    excellent_min: float
    good_min: float
    completed_min: float
    cap_share: float
    source: str
    verified: bool

    def band(self, score: float) -> str:
        if score >= self.excellent_min:
            return EXCELLENT
        if score >= self.good_min:
            return GOOD
        if score >= self.completed_min:
            return COMPLETED
        return NOT_COMPLETED

    def bounds(self, band: str) -> tuple[float | None, float | None]:
        """The band's lowest score and the score it stays under (None: no bound)."""
        return {
            EXCELLENT: (self.excellent_min, None),
            GOOD: (self.good_min, self.excellent_min),
            COMPLETED: (self.completed_min, self.good_min),
            NOT_COMPLETED: (None, self.completed_min),
        }[band]

    def cap(self, good_or_better: int) -> int:
        """How many of `good_or_better` people may be excellent: the share, rounded down,
        computed exactly (0.2 × 15 is 3, not 3.0000000000000004 nor 2.9999…)."""
        return math.floor(Fraction(str(self.cap_share)) * max(0, good_or_better))


def rules_for(year: int, table: tuple[Param, ...] = PARAMS) -> Rules:
    on = rating_day(year)
    ps = {name: param(name, on, table) for name in PARAM_NAMES}
    return Rules(
        excellent_min=ps["excellent_min"].value,
        good_min=ps["good_min"].value,
        completed_min=ps["completed_min"].value,
        cap_share=ps["excellent_cap_share"].value,
        source=ps["excellent_min"].source,
        verified=all(p.verified for p in ps.values()),
    )


@dataclass(frozen=True)
class Suggestion:
    band: str | None
    reason_code: str
    reason_params: Mapping[str, Any] = field(default_factory=dict)


def _key(score: float) -> float:
    return round(score, PLACES)


def suggest(
    scores: Mapping[Hashable, float | None],
    year: int,
    *,
    disciplined: Collection[Hashable] = frozenset(),
    table: tuple[Param, ...] = PARAMS,
) -> dict[Hashable, Suggestion]:
    """Suggested bands for the people of ONE unit (the cap is counted per unit).

    In order: the band from the score (no score, no suggestion); the disciplined are not
    completed (Q1's override; issue 8 brings the discipline records); then the cap (Q2): at
    most `cap(good or better)` stay excellent, the highest scores first. When the limit falls
    inside a group of equal scores, the rules cannot choose between them: all of that group
    are suggested good ("cap_tie") and the head decides; lower scores are suggested good
    ("cap"). With fewer than five people good or better, the 20 % cap allows no excellent.
    """
    rules = rules_for(year, table)
    out: dict[Hashable, Suggestion] = {}
    for person, score in scores.items():
        if person in disciplined:
            out[person] = Suggestion(NOT_COMPLETED, DISCIPLINED, {"score": score})
        elif score is None:
            out[person] = Suggestion(None, NO_SCORE, {})
        else:
            band = rules.band(score)
            low, high = rules.bounds(band)
            out[person] = Suggestion(band, SCORE, {"score": score, "min": low, "max": high})

    good_or_better = sum(1 for s in out.values() if s.band in GOOD_OR_BETTER)
    limit = rules.cap(good_or_better)
    excellent = sorted(
        (p for p, s in out.items() if s.band == EXCELLENT),
        key=lambda p: _key(scores[p] or 0.0),
        reverse=True,
    )
    if len(excellent) <= limit:
        return out
    first_out = _key(scores[excellent[limit]] or 0.0)
    last_in = _key(scores[excellent[limit - 1]] or 0.0) if limit > 0 else None
    tie = last_in == first_out
    cap_params = {
        "limit": limit,
        "count": good_or_better,
        "share": rules.cap_share,
        "percent": round(rules.cap_share * 100),
    }
    for i, person in enumerate(excellent):
        key = _key(scores[person] or 0.0)
        if tie:
            if key > first_out:
                continue  # above the tied group: within the limit
            code = CAP_TIE if key == first_out else CAP
        elif i < limit:
            continue
        else:
            code = CAP
        out[person] = Suggestion(GOOD, code, {"score": scores[person], **cap_params})
    return out
