"""What the title rules read about a nominee, as plain frozen values (no database).

`emulation.fact_loader` builds these from the records; tests build them by hand from the worked
examples of the sources. Every fact keeps its record id so an eligibility report can cite the
facts each rule used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AwardFact:
    id: int
    title_code: str
    year: int
    basis: str  # excellent | initiative | science | other
    kind: str  # regular | thematic | extraordinary
    revoked: bool
    initiative_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class InitiativeFact:
    id: int
    recognized_on: dt.date
    scope: str  # grassroots | na_agencies | ministry | national
    applied_effectively: bool
    share: float = 1.0  # the subject's share as an author


@dataclass(frozen=True)
class DisciplineFact:
    id: int
    form: str  # reprimand | warning | demotion | dismissal | discharge
    decided_on: dt.date
    effective_to: dt.date | None = None


@dataclass(frozen=True)
class CaseFact:
    id: int
    kind: str
    opened_on: dt.date
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class AttestationFact:
    id: int
    criterion: str  # e.g. "solidarity", "exemplary", "outstanding"
    holds: bool
    by: str  # the e-mail of who attested


@dataclass(frozen=True)
class MemberFacts:
    """For a collective: one member's year (its rating and the titles awarded for it)."""

    person_id: int
    rating: str | None  # the decided band of the year, None if not decided
    titles: tuple[str, ...] = ()  # title codes awarded for the year, not revoked
    disciplined_from: str | None = None  # the heaviest discipline form in the year, if any


@dataclass(frozen=True)
class SubjectFacts:
    """A person's or a unit's record up to the evaluation day."""

    kind: str  # person | unit
    subject_id: int
    # Decided quality bands by year (excellent / good / completed / not_completed).
    ratings: Mapping[int, str] = field(default_factory=dict)
    # The rating's id by year, to cite it.
    rating_ids: Mapping[int, int] = field(default_factory=dict)
    awards: tuple[AwardFact, ...] = ()
    initiatives: tuple[InitiativeFact, ...] = ()
    disciplines: tuple[DisciplineFact, ...] = ()
    cases: tuple[CaseFact, ...] = ()
    # Attestations by (year, criterion).
    attestations: Mapping[tuple[int, str], AttestationFact] = field(default_factory=dict)
    # For a unit: its members' year, by person id (empty for a person).
    members: Mapping[int, MemberFacts] = field(default_factory=dict)
