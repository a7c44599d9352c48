"""Hand-built facts for the pure title-rule tests: short names, sensible defaults."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from emulation.subject_facts import (
    AttestationFact,
    AwardFact,
    CaseFact,
    DisciplineFact,
    InitiativeFact,
    MemberFacts,
    SubjectFacts,
)

YEAR = 2024
# A day on which the year's awards are settled (after the "may still be decided" window).
SETTLED = dt.date(YEAR + 2, 3, 1)
# A day in the review season right after the year, when its titles are being decided.
SEASON = dt.date(YEAR + 1, 1, 15)


def award(
    id: int,
    code: str,
    year: int,
    *,
    basis: str = "excellent",
    kind: str = "regular",
    revoked: bool = False,
    initiatives: Iterable[int] = (),
) -> AwardFact:
    return AwardFact(id, code, year, basis, kind, revoked, tuple(initiatives))


def initiative(
    id: int, year: int, *, scope: str = "grassroots", applied: bool = True, month: int = 6
) -> InitiativeFact:
    return InitiativeFact(id, dt.date(year, month, 1), scope, applied)


def attest(
    id: int, year: int, criterion: str, *, holds: bool = True, by: str = "head@example.vn"
) -> tuple[tuple[int, str], AttestationFact]:
    return (year, criterion), AttestationFact(id, criterion, holds, by)


def person(
    *,
    ratings: Mapping[int, str] | None = None,
    awards: Iterable[AwardFact] = (),
    initiatives: Iterable[InitiativeFact] = (),
    disciplines: Iterable[DisciplineFact] = (),
    cases: Iterable[CaseFact] = (),
    attested: Iterable[tuple[int, str]] = (),
    denied: Iterable[tuple[int, str]] = (),
) -> SubjectFacts:
    """A person; `attested` / `denied` are (year, criterion) pairs."""
    marks = {}
    n = 100
    for holds, pairs in ((True, attested), (False, denied)):
        for year, criterion in pairs:
            n += 1
            key, fact = attest(n, year, criterion, holds=holds)
            marks[key] = fact
    return SubjectFacts(
        kind="person",
        subject_id=1,
        ratings=dict(ratings or {}),
        awards=tuple(awards),
        initiatives=tuple(initiatives),
        disciplines=tuple(disciplines),
        cases=tuple(cases),
        attestations=marks,
    )


def unit(
    members: Iterable[MemberFacts],
    *,
    attested: Iterable[tuple[int, str]] = (),
    cases: Iterable[CaseFact] = (),
) -> SubjectFacts:
    marks = dict(attest(200 + i, y, c) for i, (y, c) in enumerate(attested))
    return SubjectFacts(
        kind="unit",
        subject_id=9,
        members={m.person_id: m for m in members},
        attestations=marks,
        cases=tuple(cases),
    )


def members(*specs: tuple[str | None, tuple[str, ...]], start: int = 1) -> list[MemberFacts]:
    """Members from (rating, titles) pairs, numbered from `start`."""
    return [MemberFacts(start + i, rating, titles) for i, (rating, titles) in enumerate(specs)]


def outcomes(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.rule: r.outcome for r in report.results}


def result(report, rule: str):  # type: ignore[no-untyped-def]
    return next(r for r in report.results if r.rule == rule)
