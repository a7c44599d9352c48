"""The evidence pack as an XLSX workbook, one sheet per section of the page, so a council's
secretary can sort, filter and sum what the page shows. Numbers are numbers, dates are
dd/mm/yyyy text as on the page, a value that cannot be scored is an empty cell (never zero).
Labels follow the reader's language, as the page does.
"""

from __future__ import annotations

from flask_babel import gettext as _

from emulation import evidence_views as views
from emulation.evidence import EvidencePack
from emulation.xlsx import Cell, Column, Table, workbook
from lis.web.labels import format_day, stage_name


def _day(value: object) -> str:
    return format_day(value) if value is not None else ""  # type: ignore[arg-type]


def _nominee(pack: EvidencePack) -> Table:
    n, who = pack.nomination, pack.nominee
    title = views._name(pack.title) if pack.title is not None else n.title_code
    rows: list[list[Cell]] = [
        [_("Nomination"), n.id],
        [_("Nominee"), who.name],
        [_("Kind of nominee"), _("individual") if who.kind == "person" else _("collective")],
        [_("Position"), who.person.position if who.person is not None else ""],
        [_("Unit"), " › ".join(views._name(u) for u in who.unit_path)],
        [_("Title proposed"), title],
        [_("Title code"), n.title_code],
        [_("Level"), views._label(views.LEVELS, pack.title.level) if pack.title else ""],
        [_("Decided by"), views._decider(pack.title)],
        [_("Year of achievement"), n.year],
        [_("Proposed by"), views._name(n.proposed_by_unit)],
        [_("State of the nomination"), views._label(views.NOMINATION_STATES, n.state)],
        [_("Summary of achievements"), n.summary],
        [
            _("Eligibility"),
            views._label(views.RULE_OUTCOMES, pack.eligibility.outcome) if pack.eligibility else "",
        ],
        [_("Evidence assembled on"), _day(pack.assembled_on)],
    ]
    return Table(
        key="nominee",
        title=views.pack_heading(pack),
        sheet=_("Nominee"),
        columns=[Column(_("Item"), width=28), Column(_("Value"), width=70)],
        rows=rows,
    )


def _history(pack: EvidencePack) -> Table:
    return Table(
        key="history",
        sheet=_("History"),
        title=_("History of the nomination"),
        columns=[
            Column(_("When")),
            Column(_("From")),
            Column(_("To")),
            Column(_("By")),
            Column(_("Note")),
            Column(_("Override")),
        ],
        rows=[
            [
                views.score_moment(e.at),
                views._label(views.NOMINATION_STATES, e.from_state),
                views._label(views.NOMINATION_STATES, e.to_state),
                e.actor_email,
                e.note,
                e.override_reason,
            ]
            for e in pack.events
        ],
    )


def _eligibility(pack: EvidencePack) -> Table:
    rep = pack.eligibility
    rows: list[list[Cell]] = []
    if rep is not None:
        for r in rep.rules:
            rows.append(
                [
                    r.rule,
                    r.version,
                    views._label(views.RULE_OUTCOMES, r.outcome),
                    _("yes") if r.gate else "",
                    r.explanation,
                    "; ".join(
                        p.label
                        + (
                            f" ({_('text not verified')})"
                            if p.verified is False and p.label == p.id
                            else ""
                        )
                        for p in r.provisions
                    ),
                    ", ".join(f.ref for f in r.facts),
                ]
            )
    note = _("Report No. %(id)s of %(day)s", id=rep.id, day=_day(rep.evaluated_on)) if rep else ""
    return Table(
        key="eligibility",
        sheet=_("Eligibility"),
        title=_("Eligibility report"),
        note=note,
        columns=[
            Column(_("Rule")),
            Column(_("Version"), "int"),
            Column(_("Rule outcome")),
            Column(_("Gate")),
            Column(_("Explanation"), width=60),
            Column(_("Legal provision"), width=45),
            Column(_("Facts cited"), width=30),
        ],
        rows=rows,
    )


def _scores(pack: EvidencePack) -> Table:
    rows: list[list[Cell]] = []
    note = ""
    en = views._lang() == "en"
    for s in pack.scores:
        note = _("Score snapshot No. %(id)s", id=s.snapshot_id)
        for c in s.criteria:
            rows.append(
                [
                    c.code,
                    c.name_en if en and c.name_en else c.name,
                    c.formula,
                    c.weight,
                    c.value,
                    "; ".join(
                        f"{views._label(views.COUNT_NAMES, k)}: {v}" for k, v in c.detail.items()
                    ),
                    len(c.fact_ids),
                    ", ".join(str(i) for i in c.fact_ids),
                ]
            )
        rows.append([_("Total"), "", "", None, s.total, "", None, ""])
        rows.append([_("Rank"), "", "", None, s.rank, _("of %(n)s", n=s.ranked_among), None, ""])
    return Table(
        key="scores",
        sheet=_("Scores"),
        title=_("Scores of the year %(year)s", year=pack.year),
        note=note,
        columns=[
            Column(_("Criterion code")),
            Column(_("Criterion"), width=36),
            Column(_("Formula")),
            Column(_("Weight"), "number"),
            Column(_("Value"), "number"),
            Column(_("Counts"), width=40),
            Column(_("Facts"), "int"),
            Column(_("Contributions counted"), width=50),
        ],
        rows=rows,
    )


def _contributions(pack: EvidencePack) -> Table:
    en = views._lang() == "en"
    return Table(
        key="contributions",
        sheet=_("Contributions"),
        title=_("Contributions of the year %(year)s", year=pack.year),
        columns=[
            Column(_("No."), "int"),
            Column(_("Draft")),
            Column(_("Draft title"), width=40),
            Column(_("Stage")),
            Column(_("Kind of work")),
            Column(_("Deliverable"), width=40),
            Column(_("Author")),
            Column(_("Due")),
            Column(_("Delivered")),
            Column(_("Late")),
            Column(_("Verification")),
            Column(_("Verified by")),
            Column(_("Quality")),
            Column(_("Major errors"), "int"),
            Column(_("Outcome")),
            Column(_("Counted in")),
        ],
        rows=[
            [
                c.id,
                c.draft_number,
                c.draft_title,
                stage_name(c.stage),
                c.work_kind_name_en if en and c.work_kind_name_en else c.work_kind_name,
                c.title,
                c.person_name,
                _day(c.due),
                _day(c.delivered),
                _("Late") if c.late else "",
                views._label(views.CONTRIBUTION_STATES, c.state),
                c.verifier,
                views._label(views.QUALITY_NAMES, c.quality),
                c.major_errors,
                views._label(views.OUTCOME_NAMES, c.outcome),
                ", ".join(c.criteria),
            ]
            for c in pack.contributions
        ],
    )


def _initiatives(pack: EvidencePack) -> Table:
    return Table(
        key="initiatives",
        sheet=_("Initiatives"),
        title=_("Initiatives"),
        columns=[
            Column(_("No."), "int"),
            Column(_("Initiative"), width=40),
            Column(_("Authors (share)"), width=30),
            Column(_("Scope")),
            Column(_("Recognised by")),
            Column(_("Recognised on")),
            Column(_("Decision")),
            Column(_("Awards that used it")),
        ],
        rows=[
            [
                i.id,
                i.title,
                "; ".join(f"{name} ({views._percent(share)})" for name, share in i.authors),
                views._label(views.INITIATIVE_SCOPES, i.scope),
                views._name(i.recognized_by),
                _day(i.recognized_on),
                i.decision_no,
                "; ".join(f"{a.title_code} {a.year}" for a in i.awards),
            ]
            for i in pack.initiatives
        ],
    )


def _ratings(pack: EvidencePack) -> Table:
    if pack.unit_ratings:
        bands = views.template_helpers()["ev_bands"]
        return Table(
            key="ratings",
            sheet=_("Ratings"),
            title=_("Quality ratings by year"),
            columns=[
                Column(_("Rated year"), "int"),
                *[Column(views._label(views.QUALITY_NAMES, b), "int") for b in bands],
                Column(_("People rated"), "int"),
            ],
            rows=[
                [r.year, *[r.counts.get(b, 0) for b in bands], r.total] for r in pack.unit_ratings
            ],
        )
    return Table(
        key="ratings",
        sheet=_("Ratings"),
        title=_("Quality ratings by year"),
        columns=[
            Column(_("Rated year"), "int"),
            Column(_("Decided band")),
            Column(_("Suggested by the rules")),
            Column(_("Score"), "number"),
            Column(_("Decided on")),
            Column(_("Comment"), width=40),
        ],
        rows=[
            [
                r.year,
                views._label(views.QUALITY_NAMES, r.band),
                views._label(views.QUALITY_NAMES, r.suggested_band),
                r.score,
                views.score_moment(r.decided_at),
                r.comment,
            ]
            for r in pack.ratings
        ],
    )


def _awards(pack: EvidencePack) -> Table:
    return Table(
        key="awards",
        sheet=_("Awards"),
        title=_("Awards received"),
        columns=[
            Column(_("Rated year"), "int"),
            Column(_("Title code")),
            Column(_("Title or form"), width=36),
            Column(_("Decision")),
            Column(_("Decision date")),
            Column(_("Basis")),
            Column(_("Kind of award")),
            Column(_("Initiatives used")),
            Column(_("Status")),
        ],
        rows=[
            [
                a.year,
                a.title_code,
                views._name(a.title) if a.title else a.title_code,
                a.decision_no,
                _day(a.decision_date),
                views._label(views.AWARD_BASES, a.basis),
                views._label(views.AWARD_KINDS, a.kind),
                ", ".join(str(i) for i in a.initiative_ids),
                (_("Revoked") + (f": {a.revoked_reason}" if a.revoked_reason else ""))
                if a.revoked
                else _("In force"),
            ]
            for a in pack.awards
        ],
    )


def _council(pack: EvidencePack) -> Table:
    """Counts of every ballot; the named votes of open ballots only (a secret one has none)."""
    return Table(
        key="council",
        sheet=_("Council"),
        title=_("The council's result"),
        columns=[
            Column(_("Meeting"), width=36),
            Column(_("Date")),
            Column(_("Members"), "int"),
            Column(_("Present"), "int"),
            Column(_("Quorum"), "int"),
            Column(_("Quorum met")),
            Column(_("Ballot")),
            Column(_("Yes"), "int"),
            Column(_("No"), "int"),
            Column(_("Abstain"), "int"),
            Column(_("Threshold")),
            Column(_("Result")),
            Column(_("Named votes"), width=40),
        ],
        rows=[
            [
                b.meeting_title,
                _day(b.held_on),
                b.members_total,
                b.present,
                b.quorum_needed,
                _("yes") if b.quorum_met else _("no"),
                _("secret") if b.secret else _("open"),
                b.yes,
                b.no,
                b.abstain,
                views._percent(b.threshold),
                views._label(views.BALLOT_RESULTS, b.result),
                "; ".join(
                    f"{v.name}: {views._label(views.VOTE_CHOICES, v.choice)}" for v in b.votes
                ),
            ]
            for b in pack.ballots
        ],
    )


def _dossier(pack: EvidencePack) -> Table:
    return Table(
        key="dossier",
        sheet=_("Dossier"),
        title=_("Dossier"),
        columns=[
            Column(_("Document")),
            Column(_("File"), width=36),
            Column(_("Type")),
            Column(_("Size (bytes)"), "int"),
            Column(_("Uploaded")),
            Column(_("SHA-256 checksum"), width=66),
        ],
        rows=[
            [
                views._label(views.DOSSIER_KINDS, d.kind),
                d.name,
                d.content_type,
                d.size,
                views.score_moment(d.uploaded_at),
                d.sha256,
            ]
            for d in pack.dossier
        ],
    )


def workbook_of(pack: EvidencePack) -> bytes:
    tables = [
        _nominee(pack),
        _history(pack),
        _eligibility(pack),
        _scores(pack),
        _contributions(pack),
        _initiatives(pack),
        _ratings(pack),
        _awards(pack),
        _council(pack),
        _dossier(pack),
    ]
    return workbook(tables, title=views.pack_heading(pack))
