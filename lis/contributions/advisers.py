"""Who advised on a draft: its contributions per stage and unit, and what became of the articles
they were about in the next version.

This is what a deputy or a head reads on the draft's page: which units and people did what,
when, whether a head confirmed it, whether the advice was taken up. Withdrawn contributions are
not advice and are left out. Quality bands are personnel data (they feed emulation scores), so
they are shown only to those who judge or use them (heads, officers, council, administrators)
and to the contribution's own author; everybody sees the state and the outcome.

For a contribution tied to articles of a version, the version after it is compared with it
(:func:`lis.documents.compare.compare_texts`, the comparer of the compare page) and each cited
article is traced: unchanged, changed, removed, or renumbered (to which number). The anchor of
the article's row on the compare page (``change-<n>``, n counting every row from 1, as
:func:`lis.web.compare.rows_of` numbers them) lets the panel link from the advice to the change.
Nothing is cached: one query for the contributions, one for their files' names, and one
comparison per pair of versions that some contribution cites.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from lis import clock
from lis.contributions.models import Contribution, ContributionFile
from lis.contributions.services import may_read
from lis.documents.compare import Comparison, compare_texts
from lis.documents.models import Document, Version
from lis.drafts.machine import stage_label
from lis.drafts.services import machine_of

# Roles that see quality bands of everyone's contributions (the author always sees their own).
QUALITY_ROLES: tuple[str, ...] = ("admin", "head", "officer", "council")
HIDDEN_STATES: frozenset[str] = frozenset({"withdrawn"})


@dataclass(frozen=True)
class ArticleTrace:
    """One cited article of a contribution's version, and what it became in the next one.

    ``status`` is a comparer status (unchanged, changed, removed, renumbered,
    renumbered_changed) or ``unknown`` when the path is not an article of the cited version.
    ``anchor`` is the article's row on the compare page of (``a_seq``, ``b_seq``).
    """

    path: str
    number: str
    status: str
    new_path: str | None = None
    new_number: str | None = None
    anchor: str | None = None


@dataclass
class AdviserItem:
    """One contribution as the panel shows it to one reader."""

    contribution: Contribution
    quality_visible: bool
    file_name: str | None = None
    file_size: int | None = None
    # Whether the reader may download the file: the ledger's own rule (deputies may not).
    file_readable: bool = False
    version_seq: int | None = None
    next_seq: int | None = None
    traces: list[ArticleTrace] = field(default_factory=list)

    @property
    def days_late(self) -> int:
        c = self.contribution
        if c.due_date is None or c.delivered_date <= c.due_date:
            return 0
        return (c.delivered_date - c.due_date).days

    @property
    def quality(self) -> str | None:
        return self.contribution.quality if self.quality_visible else None


@dataclass
class UnitGroup:
    unit_id: int
    code: str
    name: str
    name_en: str
    items: list[AdviserItem] = field(default_factory=list)


@dataclass
class StageGroup:
    stage: str
    label: str
    units: list[UnitGroup] = field(default_factory=list)


@dataclass
class AdvisersPanel:
    document: Document
    stages: list[StageGroup]

    @property
    def count(self) -> int:
        return sum(len(u.items) for s in self.stages for u in s.units)


def may_see_quality(user: Any, contribution: Contribution) -> bool:
    """Heads, officers, council and administrators see every band; others only their own."""
    if user.has_role(*QUALITY_ROLES):
        return True
    person = contribution.person
    own_person = person is not None and person.user_id == user.id
    return own_person or contribution.created_by_id == user.id


def _stage_order(document: Document, stages: list[str]) -> list[str]:
    """The draft's machine order, then stages the machine does not know (old data) as found."""
    machine = machine_of(document)
    declared = list(machine.stages) if machine else []
    known = [s for s in declared if s in stages]
    return known + [s for s in dict.fromkeys(stages) if s not in declared]


def _version_for(versions: list[Version], c: Contribution) -> Version | None:
    """The version the advice concerns: the one cited, else the last one before delivery."""
    if c.version_id is not None:
        return next((v for v in versions if v.id == c.version_id), None)
    before = [
        v
        for v in versions
        if (v.version_date or clock.local_date(v.created_at)) <= c.delivered_date
    ]
    return before[-1] if before else None


def _number_of(path: str) -> str:
    """``dieu-5a`` → ``5a``: what a path says when the version has no such article."""
    head = path.split("/", 1)[0]
    return head.split("-", 1)[1] if "-" in head else head


def trace_articles(comparison: Comparison, paths: list[str]) -> list[ArticleTrace]:
    """What became of each cited article (a clause or point path counts as its article)."""
    by_old: dict[str, tuple[int, Any]] = {}
    for index, change in enumerate(comparison.changes, start=1):
        if change.old_path is not None:
            by_old[change.old_path] = (index, change)
    traces = []
    for path in dict.fromkeys(paths):
        article = path.split("/", 1)[0]
        found = by_old.get(article)
        if found is None:
            traces.append(ArticleTrace(path, _number_of(path), "unknown"))
            continue
        index, change = found
        traces.append(
            ArticleTrace(
                path=path,
                number=change.old_number or _number_of(path),
                status=change.status,
                new_path=change.new_path,
                new_number=change.new_number,
                anchor=f"change-{index}",
            )
        )
    return traces


def _files(session: Session, ids: list[int]) -> dict[int, tuple[str, int]]:
    """File names and sizes by contribution (without loading the files' bytes)."""
    if not ids:
        return {}
    stmt = select(
        ContributionFile.contribution_id, ContributionFile.name, ContributionFile.size
    ).where(ContributionFile.contribution_id.in_(ids))
    return {cid: (name, size) for cid, name, size in session.execute(stmt)}


def advisers_panel(
    session: Session, user: Any, document: Document, lang: str = "vi"
) -> AdvisersPanel:
    """The draft's contributions grouped by stage (procedural order) and unit, for `user`."""
    stmt = (
        select(Contribution)
        .where(Contribution.document_id == document.id, Contribution.state.not_in(HIDDEN_STATES))
        .options(
            joinedload(Contribution.person),
            joinedload(Contribution.unit),
            joinedload(Contribution.work_kind),
            joinedload(Contribution.outcome_version),
        )
        .order_by(Contribution.delivered_date, Contribution.id)
    )
    rows = list(session.scalars(stmt).unique())
    files = _files(session, [c.id for c in rows])
    versions = sorted(document.versions, key=lambda v: v.seq) if rows else []
    comparisons: dict[tuple[int, int], Comparison] = {}

    stages: dict[str, StageGroup] = {}
    for c in rows:
        item = AdviserItem(c, may_see_quality(user, c))
        if c.id in files:
            item.file_name, item.file_size = files[c.id]
            item.file_readable = may_read(session, user, c)
        version = _version_for(versions, c)
        if version is not None:
            item.version_seq = version.seq
            later = [v for v in versions if v.seq > version.seq]
            if later:
                item.next_seq = later[0].seq
                if c.articles:
                    key = (version.id, later[0].id)
                    if key not in comparisons:
                        comparisons[key] = compare_texts(version.text, later[0].text)
                    item.traces = trace_articles(comparisons[key], list(c.articles))
        group = stages.setdefault(c.stage, StageGroup(c.stage, stage_label(c.stage, lang)))
        unit = next((u for u in group.units if u.unit_id == c.unit_id), None)
        if unit is None:
            unit = UnitGroup(c.unit_id, c.unit.code, c.unit.name, c.unit.name_en)
            group.units.append(unit)
        unit.items.append(item)
    order = _stage_order(document, list(stages))
    return AdvisersPanel(document, [stages[s] for s in order])
