"""The ledger facts that scoring reads, as plain frozen values.

The pure formulas in `emulation.criteria` take these and nothing else, so a score can be
recomputed years later from the stored fact ids, tested without a database, and compared with the
SQL path (`emulation.sql_scoring`) row for row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from operator import attrgetter


@dataclass(frozen=True, slots=True)
class ContributionFact:
    """One verified contribution, reduced to what the criteria read."""

    id: int
    person_id: int
    unit_id: int
    document_id: int
    work_kind: str
    due_date: dt.date | None
    delivered_date: dt.date
    quality: str | None  # a band of lis.contributions.models.QUALITY_BANDS, once rated
    major_errors: int
    outcome: str | None  # accepted / partly_accepted / not_accepted, once judged

    @property
    def late(self) -> bool:
        return self.due_date is not None and self.delivered_date > self.due_date


@dataclass(frozen=True, slots=True)
class DraftFact:
    """A draft a subject advised on that reached its final stage: was it adopted, and at (or
    before the end of) the session it was planned for?"""

    id: int
    adopted: bool
    on_plan: bool | None  # None: the draft had no planned session


def fact_refs(contributions: Iterable[ContributionFact], drafts: Iterable[DraftFact] = ()) -> dict:
    """The ids a snapshot stores so that it can be reproduced: sorted, by kind of fact."""
    return {
        "contribution": sorted(c.id for c in contributions),
        "document": sorted(d.id for d in drafts),
    }


def digest(contributions: Iterable[ContributionFact], drafts: Iterable[DraftFact] = ()) -> str:
    """A checksum of every fact's values, in id order: reproducing a snapshot compares it to
    tell "the same facts" from "the same ids, changed since"."""
    h = hashlib.sha256()
    for c in sorted(contributions, key=_BY_ID):
        h.update(repr(_CONTRIBUTION_VALUES(c)).encode())
    for d in sorted(drafts, key=_BY_ID):
        h.update(repr(_DRAFT_VALUES(d)).encode())
    return h.hexdigest()


# attrgetter rather than dataclasses.astuple, which deep-copies every value: 40× slower on a
# year of facts.
_BY_ID = attrgetter("id")
_CONTRIBUTION_VALUES = attrgetter(*(f.name for f in fields(ContributionFact)))
_DRAFT_VALUES = attrgetter(*(f.name for f in fields(DraftFact)))
