"""Title rules as code (pure): may this person or unit receive this title for this year?

Each rule is a small pure function with an id, a version, the provisions it encodes
(emulation/data/provisions.json) and the parameters it reads (emulation/data/rule_params.json);
the parameters in force on the evaluation day are used, or a what-if's overrides. A rule answers
pass, fail or unknown ("cannot tell": a needed fact such as the year's rating or an attestation
is not recorded yet), with a reason code and the numbers its sentence needs (rendered in
Vietnamese or English by emulation/rule_texts.py) and the facts it read, so a council can check
every step. The engine proposes; people decide.

Readings chosen where the sources leave room (each is documented at the rule, and GUESS marks
our own inference):

* Gates (Decree 98/2023 Art. 4): an open case on the evaluation day, or discipline in the year
  at `discipline_blocking_form` or heavier, blocks every individual title.
* G2 (one achievement, one award): an initiative already used by a non-revoked award of the same
  tier (the title's level in titles.json) does not support another; the award being evaluated
  (same title and year) is not counted against itself.
* G3 (Decree 98/2023 Art. 4): thematic and extraordinary awards never count in a run or a count.
* Consecutive runs: a year with no counted award breaks a run; a revoked award is no award.
* Timing: the grassroots-title run for the NA agencies' fighter and the Bằng khen must end in the
  year evaluated (old practice: considered in the year of the last grassroots title); the
  national fighter accepts a run of NA agencies' fighter titles ending that year or the year
  before (considered in the year after the second one). While a year's award may still be
  decided (up to the end of the following year, GUESS), a run that it would complete is
  "unknown", not "fail".
* Attestations read (criterion names of the Attestation table): LDTT and CSTĐCS "solidarity"
  (or "exemplary"); the two fighter titles "outstanding"; the Bằng khen of the Standing
  Committee "exemplary"; a collective "solidarity", and for the excellent one "outstanding".
* Art. 74.1 points a–c and Art. 73's other options are the council's judgement: only 74.1.d
  and 73.1.b are encoded, so a "fail" there may still be overridden with a reason.

No database, no Flask.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

from emulation import legal
from emulation.legal import BANDS, DISCIPLINE_FORMS, SCOPES
from emulation.subject_facts import (
    AwardFact,
    DisciplineFact,
    InitiativeFact,
    MemberFacts,
    SubjectFacts,
)

OUTCOMES = ("pass", "fail", "unknown")
PASS, FAIL, UNKNOWN = OUTCOMES

# Award kinds that count for merit-based rules (G3: not thematic, not extraordinary).
COUNTED_KINDS = frozenset({"regular"})
# Titles that already hold the Advanced Worker standard (a member with one of them meets it).
LDTT_OR_HIGHER = frozenset({"LDTT", "CSTDCS", "CSTD_QH", "CSTD_TQ"})
# The ministry-level emulation fighter titles a national fighter is selected among. The NA's
# analogue is Chiến sĩ thi đua cơ quan của Quốc hội (NOT verified that it counts; research §6).
MINISTRY_FIGHTER_CODES: tuple[str, ...] = ("CSTD_QH",)
# Attested qualitative criteria the rules read.
SOLIDARITY, EXEMPLARY, OUTSTANDING = "solidarity", "exemplary", "outstanding"
CRITERIA: tuple[str, ...] = (SOLIDARITY, EXEMPLARY, OUTSTANDING)

# Reason codes; emulation/rule_texts.py holds one sentence per code.
REASONS: tuple[str, ...] = (
    "param_not_in_force",
    "no_open_case",
    "open_case",
    "no_discipline",
    "disciplined",
    "rating_missing",
    "rating_meets",
    "rating_below",
    "attestation_missing",
    "attestation_holds",
    "attestation_denied",
    "cstdcs_excellent",
    "cstdcs_initiative",
    "cstdcs_both",
    "cstdcs_neither",
    "cstdcs_needs_initiative",
    "cstdcs_needs_excellent",
    "run_met",
    "run_short",
    "run_pending",
    "initiative_found",
    "initiative_missing",
    "bk_cstdcs_run",
    "bk_excellent_initiatives",
    "bk_neither",
    "bk_pending",
    "holds_award",
    "no_award",
    "band_run_met",
    "band_run_short",
    "band_run_pending",
    "count_met",
    "count_short",
    "count_pending",
    "no_members",
    "share_met",
    "share_short",
    "share_pending",
    "members_clean",
    "member_disciplined",
    "members_rated_enough",
    "member_below",
    "members_unrated",
    "members_titled",
    "members_titled_short",
    "members_titled_pending",
)


@dataclass(frozen=True)
class RuleResult:
    rule: str  # rule id, e.g. "R2.cstdcs.excellent_or_initiative"
    version: int
    outcome: str  # pass | fail | unknown
    reason: str  # a reason code (REASONS)
    params: Mapping[str, Any]  # the values the sentence needs (JSON-safe)
    facts: tuple[str, ...]  # "award:12", "initiative:3", "rating:2024", "case:5", ...
    provisions: tuple[str, ...]  # provision ids
    gate: bool = False  # a gate blocks whatever else passes


@dataclass(frozen=True)
class Report:
    title_code: str
    year: int
    on: dt.date
    outcome: str  # fail if any rule fails; else unknown if any is unknown; else pass
    results: tuple[RuleResult, ...]
    params: Mapping[str, Any]  # every parameter used, with its value (after overrides)
    rule_versions: tuple[str, ...]  # "rule_id@version"


@dataclass(frozen=True)
class Finding:
    """What a rule's check says, before the engine adds the rule's identity."""

    outcome: str
    reason: str
    params: Mapping[str, Any] = field(default_factory=dict)
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    title: str
    facts: SubjectFacts
    year: int
    on: dt.date
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    provisions: tuple[str, ...]
    params: tuple[str, ...]
    check: Callable[[Context], Finding]
    gate: bool = False

    def run(self, ctx: Context) -> RuleResult:
        missing = [name for name in self.params if name not in ctx.params]
        if missing:
            found = Finding(
                UNKNOWN, "param_not_in_force", {"names": missing, "date": ctx.on.isoformat()}
            )
        else:
            found = self.check(ctx)
        return RuleResult(
            rule=self.id,
            version=self.version,
            outcome=found.outcome,
            reason=found.reason,
            params=dict(found.params),
            facts=tuple(found.facts),
            provisions=self.provisions,
            gate=self.gate,
        )


# ---------------------------------------------------------------- small helpers


@lru_cache(maxsize=1)
def title_levels() -> dict[str, str]:
    """Each title's level (its tier for G2), from the seeded catalogue."""
    with (legal.DATA / "titles.json").open(encoding="utf-8") as fh:
        rows = json.load(fh)["titles"]
    return {row["code"]: row["level"] for row in rows}


def _band_at_least(band: str, least: str) -> bool:
    return BANDS.index(band) <= BANDS.index(least)


def _scope_at_least(scope: str, least: str) -> bool:
    return scope in SCOPES and SCOPES.index(scope) >= SCOPES.index(least)


def _form_at_least(form: str, least: str) -> bool:
    return form in DISCIPLINE_FORMS and DISCIPLINE_FORMS.index(form) >= DISCIPLINE_FORMS.index(
        least
    )


def _may_still_come(ctx: Context, year: int) -> bool:
    """Whether the awards and ratings of `year` may still be decided (GUESS: until the end of
    the following year); after that a missing award is no award."""
    return ctx.on <= dt.date(year + 1, 12, 31)


def _counted(award: AwardFact) -> bool:
    return not award.revoked and award.kind in COUNTED_KINDS


def _awards_by_year(facts: SubjectFacts, codes: Iterable[str]) -> dict[int, AwardFact]:
    wanted = set(codes)
    out: dict[int, AwardFact] = {}
    for award in sorted(facts.awards, key=lambda a: a.id):
        if award.title_code in wanted and _counted(award):
            out.setdefault(award.year, award)
    return out


def _not_counted(facts: SubjectFacts, codes: Iterable[str], upto: int) -> list[int]:
    """Revoked, thematic and extraordinary awards of these titles: read, cited, not counted."""
    wanted = set(codes)
    return sorted(
        a.id for a in facts.awards if a.title_code in wanted and a.year <= upto and not _counted(a)
    )


def _revoked_in(facts: SubjectFacts, codes: Iterable[str], year: int) -> bool:
    wanted = set(codes)
    return any(a.title_code in wanted and a.year == year and a.revoked for a in facts.awards)


@dataclass(frozen=True)
class Run:
    """An unbroken run of years ending at `last`, with what made each year count."""

    count: int
    last: int
    ids: tuple[int, ...] = ()  # the awards in the run, latest first

    @property
    def first(self) -> int:
        return self.last - self.count + 1

    @property
    def years(self) -> range:
        return range(self.first, self.last + 1)


def award_run(facts: SubjectFacts, codes: Iterable[str], ending: int) -> Run:
    """The consecutive years up to `ending` with a counted (non-revoked, regular) award."""
    by_year = _awards_by_year(facts, codes)
    ids: list[int] = []
    year = ending
    while year in by_year:
        ids.append(by_year[year].id)
        year -= 1
    return Run(len(ids), ending, tuple(ids))


def band_run(facts: SubjectFacts, least: str, ending: int) -> Run:
    """The consecutive years up to `ending` rated `least` or better."""
    count, year = 0, ending
    while year in facts.ratings and _band_at_least(facts.ratings[year], least):
        count += 1
        year -= 1
    return Run(count, ending)


def _used_initiatives(
    ctx: Context, *, also: Callable[[AwardFact], bool] | None = None
) -> dict[int, int]:
    """Initiatives already used (G2): by a non-revoked award of the same tier as the title
    evaluated, other than that very award, and by any award `also` names. id -> award id."""
    tier = title_levels().get(ctx.title)
    out: dict[int, int] = {}
    for award in sorted(ctx.facts.awards, key=lambda a: a.id):
        if award.revoked or (award.title_code == ctx.title and award.year == ctx.year):
            continue
        same_tier = tier is not None and title_levels().get(award.title_code) == tier
        if same_tier or (also is not None and also(award)):
            for iid in award.initiative_ids:
                out.setdefault(iid, award.id)
    return out


def _initiatives(
    ctx: Context, years: Iterable[int], least: str, used: Mapping[int, int]
) -> tuple[list[InitiativeFact], list[InitiativeFact]]:
    """Initiatives recognised in `years`, on or before the evaluation day, at `least` scope or
    wider and applied effectively (Law Art. 3.4): (fresh ones, ones already used)."""
    wanted = set(years)
    found = [
        i
        for i in sorted(ctx.facts.initiatives, key=lambda i: i.id)
        if i.recognized_on.year in wanted
        and i.recognized_on <= ctx.on
        and i.applied_effectively
        and _scope_at_least(i.scope, least)
    ]
    return [i for i in found if i.id not in used], [i for i in found if i.id in used]


def _ids(items: Iterable[InitiativeFact]) -> list[int]:
    return [i.id for i in items]


def _cite(kind: str, ids: Iterable[int]) -> tuple[str, ...]:
    return tuple(f"{kind}:{i}" for i in ids)


def _rating_fact(facts: SubjectFacts, year: int) -> tuple[str, ...]:
    return (f"rating:{year}",) if year in facts.ratings else ()


def _three_way(outcomes: Sequence[str]) -> str:
    """An OR of alternatives: pass if one passes, fail if all fail, else unknown."""
    if PASS in outcomes:
        return PASS
    return FAIL if all(o == FAIL for o in outcomes) else UNKNOWN


# ---------------------------------------------------------------- gates (G1, discipline)


def no_open_case(ctx: Context) -> Finding:
    """G1 (Decree 98/2023 Art. 4): no proposal while a case about the subject is open."""
    open_cases = [
        c
        for c in sorted(ctx.facts.cases, key=lambda c: c.id)
        if c.opened_on <= ctx.on and (c.closed_on is None or c.closed_on > ctx.on)
    ]
    if not open_cases:
        return Finding(PASS, "no_open_case", {"date": ctx.on.isoformat()})
    cases = [{"id": c.id, "kind": c.kind, "opened_on": c.opened_on.isoformat()} for c in open_cases]
    return Finding(
        FAIL,
        "open_case",
        {"date": ctx.on.isoformat(), "cases": cases},
        _cite("case", (c.id for c in open_cases)),
    )


def _discipline_in_year(facts: SubjectFacts, year: int, on: dt.date) -> list[DisciplineFact]:
    """Discipline decided in the year, or decided before and still in effect in it."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return [
        d
        for d in sorted(facts.disciplines, key=lambda d: d.id)
        if d.decided_on <= min(end, on)
        and (d.decided_on >= start or (d.effective_to is not None and d.effective_to >= start))
    ]


def no_discipline(ctx: Context) -> Finding:
    """Gate: a person disciplined in the year at the blocking form or heavier gets no title."""
    least = ctx.params["discipline_blocking_form"]
    hits = [
        d for d in _discipline_in_year(ctx.facts, ctx.year, ctx.on) if _form_at_least(d.form, least)
    ]
    base = {"year": ctx.year, "form": least}
    if not hits:
        return Finding(PASS, "no_discipline", base)
    return Finding(
        FAIL,
        "disciplined",
        {**base, "forms": [d.form for d in hits]},
        _cite("discipline", (d.id for d in hits)),
    )


# ---------------------------------------------------------------- ratings and attestations


def _rating_rule(param_name: str) -> Callable[[Context], Finding]:
    def check(ctx: Context) -> Finding:
        least = ctx.params[param_name]
        band = ctx.facts.ratings.get(ctx.year)
        base = {"year": ctx.year, "min_band": least}
        if band is None:
            return Finding(UNKNOWN, "rating_missing", base)
        reason = "rating_meets" if _band_at_least(band, least) else "rating_below"
        outcome = PASS if reason == "rating_meets" else FAIL
        return Finding(outcome, reason, {**base, "band": band}, (f"rating:{ctx.year}",))

    check.__doc__ = f"The year's decided quality band is at least the parameter {param_name}."
    return check


def _attested(*criteria: str) -> Callable[[Context], Finding]:
    """A named person attested one of `criteria` for the year: a denial of any of them fails,
    else one that holds passes; none recorded is unknown (the rules never invent a judgement)."""

    def check(ctx: Context) -> Finding:
        found = [
            fact
            for criterion in criteria
            if (fact := ctx.facts.attestations.get((ctx.year, criterion))) is not None
        ]
        if not found:
            return Finding(
                UNKNOWN, "attestation_missing", {"year": ctx.year, "criterion": criteria[0]}
            )
        fact = next((f for f in found if not f.holds), found[0])
        return Finding(
            PASS if fact.holds else FAIL,
            "attestation_holds" if fact.holds else "attestation_denied",
            {"year": ctx.year, "criterion": fact.criterion, "by": fact.by},
            _cite("attestation", (f.id for f in found)),
        )

    return check


# ---------------------------------------------------------------- R2: grassroots fighter


def cstdcs_basis(ctx: Context) -> Finding:
    """R2 (Law Art. 23.2; Res. 44): excellent in the year, or an initiative recognised in the
    year at the minimum scope and not used before (G2). With the what-if parameter set, both.

    The basis recorded on the award matters for the Bằng khen (MoHA): when both hold and only
    one is needed, "excellent" is proposed, so the initiatives stay free for later."""
    both = ctx.params["cstdcs_requires_both_excellent_and_initiative"]
    least = ctx.params["cstdcs_initiative_min_scope"]
    band = ctx.facts.ratings.get(ctx.year)
    excellent = None if band is None else band == "excellent"
    fresh, reused = _initiatives(ctx, (ctx.year,), least, _used_initiatives(ctx))
    base: dict[str, Any] = {
        "year": ctx.year,
        "scope": least,
        "both": both,
        "band": band,
        "initiatives": _ids(fresh),
        "reused": _ids(reused),
    }
    facts = _rating_fact(ctx.facts, ctx.year) + _cite("initiative", _ids(fresh + reused))
    if both:
        if excellent and fresh:
            chosen = {"basis": "initiative", "used": _ids(fresh)[:1]}
            return Finding(PASS, "cstdcs_both", {**base, **chosen}, facts)
        if not fresh:
            return Finding(FAIL, "cstdcs_needs_initiative", base, facts)
        if excellent is None:
            return Finding(UNKNOWN, "rating_missing", {**base, "min_band": "excellent"}, facts)
        return Finding(FAIL, "cstdcs_needs_excellent", base, facts)
    if excellent:
        return Finding(PASS, "cstdcs_excellent", {**base, "basis": "excellent"}, facts)
    if fresh:
        chosen = {"basis": "initiative", "used": _ids(fresh)[:1]}
        return Finding(PASS, "cstdcs_initiative", {**base, **chosen}, facts)
    if excellent is None:
        return Finding(UNKNOWN, "rating_missing", {**base, "min_band": "excellent"}, facts)
    return Finding(FAIL, "cstdcs_neither", base, facts)


# ---------------------------------------------------------------- runs of awards


def _award_run_finding(
    ctx: Context, codes: Sequence[str], need: int, *, previous_ok: bool = False
) -> tuple[Finding, Run]:
    """A run of `need` consecutive counted awards ending in the year (or, `previous_ok`, the
    year before). Unknown while the year's award that would complete it may still come."""
    run = award_run(ctx.facts, codes, ctx.year)
    if previous_ok and run.count == 0:
        run = award_run(ctx.facts, codes, ctx.year - 1)
    ignored = _not_counted(ctx.facts, codes, ctx.year)
    base: dict[str, Any] = {
        "title": codes[0],
        "year": ctx.year,
        "need": need,
        "count": run.count,
        "first": run.first,
        "last": run.last,
        "awards": list(run.ids),
        "ignored": ignored,
    }
    facts = _cite("award", [*run.ids, *ignored])
    if run.count >= need:
        return Finding(PASS, "run_met", base, facts), run
    has_year = ctx.year in _awards_by_year(ctx.facts, codes)
    if (
        not has_year
        and not _revoked_in(ctx.facts, codes, ctx.year)
        and _may_still_come(ctx, ctx.year)
    ):
        before = award_run(ctx.facts, codes, ctx.year - 1)
        if before.count + 1 >= need:
            pending = {**base, "count": before.count, "first": before.first, "last": before.last}
            return Finding(UNKNOWN, "run_pending", pending, _cite("award", before.ids)), before
    return Finding(FAIL, "run_short", base, facts), run


def _initiative_window(ctx: Context, years: range, least: str) -> Finding:
    fresh, reused = _initiatives(ctx, years, least, _used_initiatives(ctx))
    base = {
        "scope": least,
        "first": years.start,
        "last": years.stop - 1,
        "initiatives": _ids(fresh),
        "reused": _ids(reused),
    }
    facts = _cite("initiative", _ids(fresh + reused))
    if fresh:
        chosen = {"basis": "initiative", "used": _ids(fresh)[:1]}
        return Finding(PASS, "initiative_found", {**base, **chosen}, facts)
    return Finding(FAIL, "initiative_missing", base, facts)


def cstdqh_run(ctx: Context) -> Finding:
    """R3 (Res. 44; Law Art. 22): the grassroots title N years in a row, ending in the year."""
    need = ctx.params["cstdcs_consecutive_for_ministry"]
    return _award_run_finding(ctx, ("CSTDCS",), need)[0]


def cstdqh_initiative(ctx: Context) -> Finding:
    """R3: an initiative at NA-agencies scope or wider, recognised in the N years up to the
    year (GUESS: the period the run rewards) and not used by another award of the tier."""
    need = ctx.params["cstdcs_consecutive_for_ministry"]
    years = range(ctx.year - need + 1, ctx.year + 1)
    return _initiative_window(ctx, years, ctx.params["cstdqh_initiative_min_scope"])


def cstdtq_run(ctx: Context) -> Finding:
    """R4 (Law Art. 21): the ministry-level fighter title N years in a row, ending in the year
    or the year before (considered in the year after the second one)."""
    need = ctx.params["cstd_consecutive_for_national"]
    return _award_run_finding(ctx, MINISTRY_FIGHTER_CODES, need, previous_ok=True)[0]


def cstdtq_initiative(ctx: Context) -> Finding:
    """R4: a national-scope initiative recognised from N years before the year up to it
    (GUESS: the period of the fighter titles and the year after)."""
    need = ctx.params["cstd_consecutive_for_national"]
    years = range(ctx.year - need, ctx.year + 1)
    return _initiative_window(ctx, years, ctx.params["cstdtq_initiative_min_scope"])


# ---------------------------------------------------------------- R7: Bằng khen, Art. 74.1.d


def _cstdcs_on_initiatives(award: AwardFact) -> bool:
    return award.title_code == "CSTDCS" and award.basis == "initiative"


def bk_art74_1_d(ctx: Context) -> Finding:
    """R7 (Law Art. 74.1.d as MoHA reads it): (d1) the grassroots title twice in a row, or (d2)
    two or more consecutive excellent years with two initiatives at grassroots scope or wider
    recognised in them, not used by a grassroots title awarded on the initiative basis (nor by
    another award of this tier, G2). Points a–c are the council's judgement, not encoded."""
    p = ctx.params
    d1, run = _award_run_finding(ctx, ("CSTDCS",), p["bk_consecutive_cstdcs"])

    need_years, need_init = p["bk_consecutive_excellent_years"], p["bk_initiatives_needed"]
    rated = ctx.year in ctx.facts.ratings
    years_run = band_run(ctx.facts, "excellent", ctx.year if rated else ctx.year - 1)
    window = (
        range(years_run.first, ctx.year + 1) if years_run.count else range(ctx.year, ctx.year + 1)
    )
    used = _used_initiatives(ctx, also=_cstdcs_on_initiatives)
    fresh, reused = _initiatives(ctx, window, p["bk_initiative_min_scope"], used)
    enough_init = len(fresh) >= need_init
    if rated:
        d2 = PASS if years_run.count >= need_years and enough_init else FAIL
    else:
        d2 = UNKNOWN if years_run.count + 1 >= need_years and enough_init else FAIL

    params: dict[str, Any] = {
        "year": ctx.year,
        "need_cstdcs": p["bk_consecutive_cstdcs"],
        "cstdcs": run.count,
        "cstdcs_first": run.first,
        "cstdcs_last": run.last,
        "need_years": need_years,
        "excellent_years": years_run.count,
        "first": window.start,
        "last": window.stop - 1,
        "need_initiatives": need_init,
        "scope": p["bk_initiative_min_scope"],
        "initiatives": _ids(fresh),
        "reused": [{"initiative": i.id, "award": used[i.id]} for i in reused],
        "ignored": d1.params["ignored"],
    }
    facts = tuple(
        dict.fromkeys(
            d1.facts
            + tuple(f"rating:{y}" for y in window if y in ctx.facts.ratings)
            + _cite("initiative", _ids(fresh + reused))
            + _cite("award", sorted({used[i.id] for i in reused}))
        )
    )
    if d1.outcome == PASS:
        return Finding(PASS, "bk_cstdcs_run", {**params, "basis": "other"}, facts)
    if d2 == PASS:
        chosen = _ids(fresh)[:need_init] if need_init else []
        return Finding(
            PASS,
            "bk_excellent_initiatives",
            {**params, "basis": "initiative", "used": chosen},
            facts,
        )
    outcome = _three_way((d1.outcome, d2))
    return Finding(outcome, "bk_pending" if outcome == UNKNOWN else "bk_neither", params, facts)


# ---------------------------------------------------------------- R8: Bằng khen of the PM


def bkttg_holds_bk(ctx: Context) -> Finding:
    """R8 (Law Art. 73.1.b): already holds a ministry-level Bằng khen (of the NA Standing
    Committee here), awarded for an earlier year, not revoked, not thematic (G3)."""
    held = sorted(
        (a for a in ctx.facts.awards if a.title_code == "BK_UBTVQH" and a.year < ctx.year),
        key=lambda a: (a.year, a.id),
    )
    counted = [a for a in held if _counted(a)]
    ignored = [a.id for a in held if not _counted(a)]
    if counted:
        last = counted[-1]
        return Finding(
            PASS,
            "holds_award",
            {"title": "BK_UBTVQH", "award": last.id, "award_year": last.year, "year": ctx.year},
            _cite("award", [last.id, *ignored]),
        )
    return Finding(
        FAIL,
        "no_award",
        {"title": "BK_UBTVQH", "year": ctx.year, "ignored": ignored},
        _cite("award", ignored),
    )


def _good_run(ctx: Context) -> tuple[Run, bool]:
    """The run of good-or-better years up to the year, and whether the year itself is rated."""
    least = ctx.params["bk_ttg_min_band"]
    rated = ctx.year in ctx.facts.ratings
    return band_run(ctx.facts, least, ctx.year if rated else ctx.year - 1), rated


def bkttg_good_years(ctx: Context) -> Finding:
    """R8: N or more consecutive years up to the year rated good or better."""
    need = ctx.params["bk_ttg_consecutive_good_years"]
    run, rated = _good_run(ctx)
    base = {
        "year": ctx.year,
        "need": need,
        "count": run.count,
        "first": run.first,
        "last": run.last,
        "min_band": ctx.params["bk_ttg_min_band"],
    }
    facts = tuple(f"rating:{y}" for y in run.years)
    if rated and run.count >= need:
        return Finding(PASS, "band_run_met", base, facts)
    if not rated and run.count + 1 >= need:
        return Finding(UNKNOWN, "band_run_pending", base, facts)
    return Finding(FAIL, "band_run_short", base, facts)


def bkttg_cstdcs_times(ctx: Context) -> Finding:
    """R8: the grassroots title (counted awards) N times within that run of years."""
    need = ctx.params["bk_ttg_cstdcs_times"]
    run, rated = _good_run(ctx)
    window = (
        range(run.first, ctx.year + 1) if (run.count or not rated) else range(ctx.year, ctx.year)
    )
    by_year = _awards_by_year(ctx.facts, ("CSTDCS",))
    ids = [by_year[y].id for y in window if y in by_year]
    ignored = _not_counted(ctx.facts, ("CSTDCS",), ctx.year)
    base = {
        "title": "CSTDCS",
        "year": ctx.year,
        "need": need,
        "count": len(ids),
        "first": window.start if window else ctx.year,
        "last": ctx.year,
        "awards": ids,
        "ignored": ignored,
    }
    facts = _cite("award", [*ids, *ignored])
    if len(ids) >= need:
        return Finding(PASS, "count_met", base, facts)
    year_open = (
        ctx.year not in by_year
        and not _revoked_in(ctx.facts, ("CSTDCS",), ctx.year)
        and _may_still_come(ctx, ctx.year)
    )
    if (year_open or not rated) and len(ids) + 1 >= need:
        return Finding(UNKNOWN, "count_pending", base, facts)
    return Finding(FAIL, "count_short", base, facts)


# ---------------------------------------------------------------- C1/C2: collectives


def _member_meets_ldtt(member: MemberFacts, least: str) -> bool | None:
    """Holds an Advanced Worker (or higher) title for the year, or is rated at least the band
    (the rating part of the standard: the member's own attestation is not in the facts)."""
    if LDTT_OR_HIGHER.intersection(member.titles):
        return True
    if member.rating is None:
        return None
    return _band_at_least(member.rating, least)


def _members(ctx: Context) -> list[MemberFacts]:
    return [ctx.facts.members[k] for k in sorted(ctx.facts.members)]


def _share_rule(share_param: str, strict_param: str | None) -> Callable[[Context], Finding]:
    def check(ctx: Context) -> Finding:
        members = _members(ctx)
        need = ctx.params[share_param]
        strict = bool(ctx.params[strict_param]) if strict_param else False
        base: dict[str, Any] = {"year": ctx.year, "need": need, "strict": strict}
        if not members:
            return Finding(UNKNOWN, "no_members", base)
        least = ctx.params["ldtt_min_band"]
        answers = {m.person_id: _member_meets_ldtt(m, least) for m in members}
        yes = [pid for pid, ok in answers.items() if ok]
        unknown = [pid for pid, ok in answers.items() if ok is None]
        total = len(members)
        threshold = Fraction(str(need))

        def enough(n: int) -> bool:
            share = Fraction(n, total)
            return share > threshold if strict else share >= threshold

        params = {
            **base,
            "count": len(yes),
            "total": total,
            "share": round(len(yes) / total, 4),
            "unrated": unknown,
        }
        facts = _cite("person", sorted(answers))
        if enough(len(yes)):
            return Finding(PASS, "share_met", params, facts)
        if unknown and enough(len(yes) + len(unknown)):
            return Finding(UNKNOWN, "share_pending", params, facts)
        return Finding(FAIL, "share_short", params, facts)

    check.__doc__ = f"The share of members meeting the Advanced Worker standard ≥ {share_param}."
    return check


def members_not_disciplined(ctx: Context) -> Finding:
    """C1/C2: no member disciplined in the year at the blocking form (warning) or heavier."""
    least = ctx.params["member_discipline_blocking_form"]
    hits = [
        m.person_id
        for m in _members(ctx)
        if m.disciplined_from is not None and _form_at_least(m.disciplined_from, least)
    ]
    base = {"year": ctx.year, "form": least}
    if not hits:
        return Finding(PASS, "members_clean", base, _cite("person", sorted(ctx.facts.members)))
    return Finding(FAIL, "member_disciplined", {**base, "people": hits}, _cite("person", hits))


def members_rated_enough(ctx: Context) -> Finding:
    """C2: every member rated at least the band (old: 100 % complete their tasks)."""
    least = ctx.params["ttldxs_min_member_band"]
    members = _members(ctx)
    base: dict[str, Any] = {"year": ctx.year, "min_band": least}
    if not members:
        return Finding(UNKNOWN, "no_members", base)
    below = [m.person_id for m in members if m.rating and not _band_at_least(m.rating, least)]
    unrated = [m.person_id for m in members if m.rating is None]
    if below:
        return Finding(FAIL, "member_below", {**base, "people": below}, _cite("person", below))
    if unrated:
        return Finding(
            UNKNOWN, "members_unrated", {**base, "people": unrated}, _cite("person", unrated)
        )
    return Finding(
        PASS,
        "members_rated_enough",
        {**base, "total": len(members)},
        _cite("person", sorted(ctx.facts.members)),
    )


def members_with_cstdcs(ctx: Context) -> Finding:
    """C2: at least N members hold the grassroots fighter title for the year."""
    need = ctx.params["ttldxs_needs_cstdcs"]
    holders = [m.person_id for m in _members(ctx) if "CSTDCS" in m.titles]
    base = {"title": "CSTDCS", "year": ctx.year, "need": need, "count": len(holders)}
    facts = _cite("person", holders)
    if len(holders) >= need:
        return Finding(PASS, "members_titled", base, facts)
    if _may_still_come(ctx, ctx.year) and ctx.facts.members:
        return Finding(UNKNOWN, "members_titled_pending", base, facts)
    return Finding(FAIL, "members_titled_short", base, facts)


# ---------------------------------------------------------------- the registry

LAW = "LAW_06_2022"
D98 = "DECREE_98_2023.A4"
ONE_AWARD = f"{LAW}.PRINCIPLE_ONE_AWARD"
INITIATIVE = f"{LAW}.A3.K4"

G1 = Rule("G1.no_pending_case", 1, (D98,), (), no_open_case, gate=True)
G4 = Rule(
    "G4.no_discipline_in_year",
    1,
    (D98, "DECREE_335_2025"),
    ("discipline_blocking_form",),
    no_discipline,
    gate=True,
)
R1_RATING = Rule(
    "R1.ldtt.rating", 1, (f"{LAW}.A24.K1.Pa",), ("ldtt_min_band",), _rating_rule("ldtt_min_band")
)
R1_SOLIDARITY = Rule(
    "R1.ldtt.solidarity", 1, (f"{LAW}.A24.K1.Pb",), (), _attested(SOLIDARITY, EXEMPLARY)
)
R2 = Rule(
    "R2.cstdcs.excellent_or_initiative",
    1,
    (f"{LAW}.A23.K1", f"{LAW}.A23.K2", "RES_44_2024.CSTDCS", INITIATIVE, ONE_AWARD),
    ("cstdcs_requires_both_excellent_and_initiative", "cstdcs_initiative_min_scope"),
    cstdcs_basis,
)
R3_RUN = Rule(
    "R3.cstdqh.consecutive_cstdcs",
    1,
    ("RES_44_2024.CSTD_QH", f"{LAW}.A22", D98),
    ("cstdcs_consecutive_for_ministry",),
    cstdqh_run,
)
R3_INITIATIVE = Rule(
    "R3.cstdqh.initiative",
    1,
    ("RES_44_2024.CSTD_QH", INITIATIVE, ONE_AWARD),
    ("cstdcs_consecutive_for_ministry", "cstdqh_initiative_min_scope"),
    cstdqh_initiative,
)
R3_OUTSTANDING = Rule(
    "R3.cstdqh.outstanding", 1, ("RES_44_2024.CSTD_QH",), (), _attested(OUTSTANDING)
)
R4_RUN = Rule(
    "R4.cstdtq.consecutive_fighter",
    1,
    (f"{LAW}.A21", f"{LAW}.A3.K5", D98),
    ("cstd_consecutive_for_national",),
    cstdtq_run,
)
R4_INITIATIVE = Rule(
    "R4.cstdtq.national_initiative",
    1,
    (f"{LAW}.A21", f"{LAW}.A21.K2", INITIATIVE, ONE_AWARD),
    ("cstd_consecutive_for_national", "cstdtq_initiative_min_scope"),
    cstdtq_initiative,
)
R4_OUTSTANDING = Rule("R4.cstdtq.outstanding", 1, (f"{LAW}.A21",), (), _attested(OUTSTANDING))
R7_EXEMPLARY = Rule("R7.bk.exemplary", 1, (f"{LAW}.A74.K1",), (), _attested(EXEMPLARY))
R7_D = Rule(
    "R7.bk.art74_1_d",
    1,
    (f"{LAW}.A74.K1.Pd", INITIATIVE, ONE_AWARD, D98),
    (
        "bk_consecutive_cstdcs",
        "bk_consecutive_excellent_years",
        "bk_initiatives_needed",
        "bk_initiative_min_scope",
    ),
    bk_art74_1_d,
)
R8_BK = Rule("R8.bkttg.holds_bk", 1, (f"{LAW}.A73.K1.Pb", D98), (), bkttg_holds_bk)
R8_GOOD = Rule(
    "R8.bkttg.good_years",
    1,
    (f"{LAW}.A73.K1.Pb",),
    ("bk_ttg_consecutive_good_years", "bk_ttg_min_band"),
    bkttg_good_years,
)
R8_CSTDCS = Rule(
    "R8.bkttg.cstdcs_times",
    1,
    (f"{LAW}.A73.K1.Pb", D98),
    ("bk_ttg_cstdcs_times", "bk_ttg_min_band"),
    bkttg_cstdcs_times,
)
C1_SHARE = Rule(
    "C1.ttldtt.ldtt_share",
    1,
    (f"{LAW}.A28",),
    ("ttldtt_share_ldtt", "ttldtt_share_strict", "ldtt_min_band"),
    _share_rule("ttldtt_share_ldtt", "ttldtt_share_strict"),
)
C1_DISCIPLINE = Rule(
    "C1.ttldtt.no_member_discipline",
    1,
    (f"{LAW}.A28",),
    ("member_discipline_blocking_form",),
    members_not_disciplined,
)
C1_SOLIDARITY = Rule("C1.ttldtt.solidarity", 1, (f"{LAW}.A28",), (), _attested(SOLIDARITY))
C2_SHARE = Rule(
    "C2.ttldxs.ldtt_share",
    1,
    (f"{LAW}.A27",),
    ("ttldxs_share_ldtt", "ldtt_min_band"),
    _share_rule("ttldxs_share_ldtt", None),
)
C2_RATED = Rule(
    "C2.ttldxs.all_completed",
    1,
    (f"{LAW}.A27",),
    ("ttldxs_min_member_band",),
    members_rated_enough,
)
C2_CSTDCS = Rule(
    "C2.ttldxs.has_cstdcs", 1, (f"{LAW}.A27",), ("ttldxs_needs_cstdcs",), members_with_cstdcs
)
C2_OUTSTANDING = Rule("C2.ttldxs.outstanding", 1, (f"{LAW}.A27",), (), _attested(OUTSTANDING))

_GATES = (G1, G4)
_LDTT = (*_GATES, R1_RATING, R1_SOLIDARITY)
_TTLDTT = (G1, C1_SHARE, C1_DISCIPLINE, C1_SOLIDARITY)
RULES: dict[str, tuple[Rule, ...]] = {
    "LDTT": _LDTT,
    "CSTDCS": (*_LDTT, R2),
    "CSTD_QH": (*_GATES, R3_RUN, R3_INITIATIVE, R3_OUTSTANDING),
    "CSTD_TQ": (*_GATES, R4_RUN, R4_INITIATIVE, R4_OUTSTANDING),
    "BK_UBTVQH": (*_GATES, R7_EXEMPLARY, R7_D),
    "BK_TTG": (*_GATES, R8_BK, R8_GOOD, R8_CSTDCS),
    "TTLDTT": _TTLDTT,
    "TTLDXS": (*_TTLDTT, C2_SHARE, C2_RATED, C2_CSTDCS, C2_OUTSTANDING),
}
UNIT_TITLES = frozenset({"TTLDTT", "TTLDXS"})


def titles_with_rules() -> list[str]:
    return list(RULES)


def rules_for(title_code: str) -> list[Rule]:
    """The rules of a title, gates first; ValueError for a title without rules."""
    if title_code not in RULES:
        raise ValueError(f"no rules for title {title_code!r}")
    return list(RULES[title_code])


def all_rules() -> list[Rule]:
    """Every distinct rule, once (for catalogues and checks)."""
    seen: dict[str, Rule] = {}
    for rules in RULES.values():
        for rule in rules:
            seen.setdefault(rule.id, rule)
    return list(seen.values())


def subject_kind(title_code: str) -> str:
    """ "unit" for a collective title, "person" for an individual one."""
    rules_for(title_code)
    return "unit" if title_code in UNIT_TITLES else "person"


def combine(results: Iterable[RuleResult]) -> str:
    """fail if any rule fails (a gate or not); else unknown if any is unknown; else pass."""
    outcomes = [r.outcome for r in results]
    if FAIL in outcomes:
        return FAIL
    return UNKNOWN if UNKNOWN in outcomes else PASS


def evaluate(
    title_code: str,
    facts: SubjectFacts,
    year: int,
    on: dt.date,
    overrides: Mapping[str, Any] | None = None,
) -> Report:
    """Run a title's rules on a subject's facts for a year, with the parameters in force on
    `on` (or the what-if's overrides). ValueError for an unknown title, a subject of the wrong
    kind, or an unknown or ill-typed override."""
    rules = rules_for(title_code)
    if facts.kind != subject_kind(title_code):
        raise ValueError(
            f"title {title_code!r} is for a {subject_kind(title_code)}, not a {facts.kind}"
        )
    checked = legal.check_overrides(overrides)
    params: dict[str, Any] = {}
    for rule in rules:
        for name in rule.params:
            if name in params:
                continue
            try:
                params[name] = legal.param(name, on, checked)
            except legal.NoParamInForce:
                continue
    ctx = Context(title_code, facts, year, on, params)
    results = tuple(rule.run(ctx) for rule in rules)
    return Report(
        title_code=title_code,
        year=year,
        on=on,
        outcome=combine(results),
        results=results,
        params=params,
        rule_versions=tuple(f"{rule.id}@{rule.version}" for rule in rules),
    )


# ---------------------------------------------------------------- storing and reading back


def result_to_dict(result: RuleResult) -> dict[str, Any]:
    """A result as JSON-safe data (for EligibilityReport.results)."""
    return {
        "rule": result.rule,
        "version": result.version,
        "outcome": result.outcome,
        "reason": result.reason,
        "params": dict(result.params),
        "facts": list(result.facts),
        "provisions": list(result.provisions),
        "gate": result.gate,
    }


def result_from_dict(data: Mapping[str, Any]) -> RuleResult:
    """A stored result back, to explain it again in the reader's language."""
    return RuleResult(
        rule=str(data["rule"]),
        version=int(data["version"]),
        outcome=str(data["outcome"]),
        reason=str(data["reason"]),
        params=dict(data.get("params") or {}),
        facts=tuple(data.get("facts") or ()),
        provisions=tuple(data.get("provisions") or ()),
        gate=bool(data.get("gate", False)),
    )


def basis_of(
    results: Report | Iterable[RuleResult | Mapping[str, Any]],
) -> tuple[str, tuple[int, ...]]:
    """The basis to record on an award decided from these results ("excellent", "initiative",
    "other") and the initiatives it stands on (so G2 can refuse their reuse later)."""
    items = results.results if isinstance(results, Report) else results
    for item in items:
        data = result_to_dict(item) if isinstance(item, RuleResult) else item
        params = data.get("params") or {}
        if data.get("outcome") == PASS and "basis" in params:
            basis = str(params["basis"])
            used = params.get("used", params.get("initiatives", []))
            return basis, tuple(int(i) for i in used) if basis == "initiative" else ()
    return "other", ()
