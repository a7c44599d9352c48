"""What the evidence pack holds, read through `emulation.evidence.assemble` (issue 8 item 7)."""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from emulation import evidence
from emulation.commendation_models import OpenVote
from lis.errors import NotFound, PermissionDenied
from tests.emulation.evidence.conftest import (
    COMMITTEE,
    INITIATIVE,
    LAW,
    NOMINEE,
    TITLE_NAME,
    World,
    build_nomination,
)
from tests.emulation.helpers import YEAR, draft, fact, person
from tests.factories import unit_by_code


@pytest.fixture(autouse=True)
def _request(app: Any, db_session: Any) -> Iterator[None]:
    """The explanations are gettext sentences: they need a request's language (Vietnamese)."""
    with app.test_request_context("/"):
        yield


def test_the_pack_shows_the_nominee_the_title_and_the_nomination(
    world: World, db_session: Any, make_user: Any
) -> None:
    pack = evidence.assemble(db_session, make_user("officer"), world.nomination.id)
    assert pack.nominee.kind == "person"
    assert pack.nominee.name == NOMINEE
    codes = [u.code for u in pack.nominee.unit_path]
    assert codes[-2:] == [COMMITTEE, LAW]  # from the top down to the nominee's department
    assert pack.title is not None and pack.title.name == TITLE_NAME
    assert [e.to_state for e in pack.events] == ["draft", "unit_review", "council"]
    assert pack.dossier[0].sha256 == world.dossier.sha256
    assert pack.dossier[0].size == world.dossier.size


def test_the_eligibility_report_keeps_its_citations(
    world: World, db_session: Any, make_user: Any
) -> None:
    pack = evidence.assemble(db_session, make_user("council"), world.nomination.id)
    rep = pack.eligibility
    assert rep is not None and rep.id == world.report.id and rep.outcome == "pass"
    first, gate = rep.rules
    assert first.rule == "R2.cstdcs.excellent_or_initiative" and first.version == 1
    assert [f.ref for f in first.facts] == [f"rating:{YEAR}", f"initiative:{world.initiative.id}"]
    # Both cited facts are shown further down the pack, so they link there.
    assert {f.anchor for f in first.facts} <= pack.shown_anchors
    (provision,) = first.provisions
    assert provision.id == "LAW_06_2022.A23.K1"
    assert gate.gate is True and gate.outcome == "pass"
    if importlib.util.find_spec("emulation.rule_texts") is None:
        assert first.explanation == "cstdcs_excellent"  # the reason code until the texts exist
        assert provision.verified is None
    else:
        from emulation import legal, rule_texts

        assert first.explanation == rule_texts.explain(world.report.results[0])
        assert str(YEAR) in first.explanation and first.explanation != "cstdcs_excellent"
        assert provision.label == rule_texts.provision_label("LAW_06_2022.A23.K1")
        assert provision.verified is legal.provision("LAW_06_2022.A23.K1").verified
    assert rep.rule_versions == ("R2.cstdcs.excellent_or_initiative@1", "G1.no_pending_case@1")


def test_without_a_report_on_the_nomination_the_latest_for_its_subject_is_shown(
    world: World, db_session: Any, make_user: Any
) -> None:
    officer = make_user("officer")
    bare = build_nomination(db_session, officer, world.nominee, title_code="CSTDCS")
    pack = evidence.assemble(db_session, officer, bare.id)
    assert pack.eligibility is not None and pack.eligibility.id == world.report.id
    other = build_nomination(db_session, officer, world.nominee, title_code="LDTT")
    assert evidence.assemble(db_session, officer, other.id).eligibility is None


def test_the_scores_show_each_criterion_with_the_facts_behind_it(
    world: World, db_session: Any, make_user: Any
) -> None:
    pack = evidence.assemble(db_session, make_user("officer"), world.nomination.id)
    (block,) = pack.scores
    assert block.snapshot_id == world.snap.id
    line = next(x for x in world.snap.lines if x.person_id == world.nominee.id)
    assert block.total == line.total and block.rank == line.rank
    by_code = {c.code: c for c in block.criteria}
    assert set(by_code) == set(line.values)
    for code, c in by_code.items():
        assert c.value == line.values[code]
    progress = by_code["progress"]
    assert set(progress.fact_ids) == {world.on_time.id, world.late.id}
    assert world.waiting.id not in {i for c in block.criteria for i in c.fact_ids}
    assert block.unverified == (world.waiting.id,)


def test_the_contributions_of_the_year_with_dates_verification_rating_and_outcome(
    world: World, db_session: Any, make_user: Any
) -> None:
    pack = evidence.assemble(db_session, make_user("officer"), world.nomination.id)
    rows = {c.id: c for c in pack.contributions}
    # The nominee's three items of the year; not last year's, not a colleague's.
    assert set(rows) == {world.on_time.id, world.late.id, world.waiting.id}
    assert pack.contributions_total == 3
    on_time, late, waiting = rows[world.on_time.id], rows[world.late.id], rows[world.waiting.id]
    assert on_time.draft_number == "15/2024/QH15" and on_time.draft_title.startswith("Luật Thủ đô")
    assert on_time.stage == "S_VERIFY" and on_time.work_kind == "VERIFY_REPORT"
    assert (on_time.late, late.late) == (False, True)
    assert (on_time.quality, on_time.outcome) == ("excellent", "accepted")
    assert (on_time.state, waiting.state) == ("verified", "submitted")
    assert "progress" in on_time.criteria and waiting.criteria == ()


def test_initiatives_ratings_awards_and_the_ballot(
    world: World, db_session: Any, make_user: Any
) -> None:
    pack = evidence.assemble(db_session, make_user("officer"), world.nomination.id)
    (initiative,) = pack.initiatives
    assert initiative.title == INITIATIVE and initiative.authors == ((NOMINEE, 0.6),)
    assert [(a.title_code, a.year) for a in initiative.awards] == [("LDTT", YEAR - 1)]
    assert initiative.recognized_by is not None and initiative.recognized_by.code == COMMITTEE
    # Decided ratings of every year; the undecided one is left out.
    assert [(r.year, r.band) for r in pack.ratings] == [
        (YEAR - 2, "good"),
        (YEAR - 1, "excellent"),
        (YEAR, "excellent"),
    ]
    (award,) = pack.awards
    assert award.id == world.old_award.id and award.initiative_ids == (world.initiative.id,)
    (ballot,) = pack.ballots
    assert (ballot.present, ballot.members_total, ballot.quorum_needed) == (7, 9, 6)
    assert ballot.quorum_met and ballot.secret
    assert (ballot.yes, ballot.no, ballot.abstain, ballot.result) == (8, 1, 0, "passed")
    assert ballot.votes == ()


def test_a_secret_ballot_never_shows_who_voted_what(
    world: World, db_session: Any, make_user: Any
) -> None:
    """Even a named vote written against a secret ballot by mistake stays out of the pack;
    an open ballot's named votes are shown."""
    voter = person(COMMITTEE, name="Phạm Thị Hồng")
    db_session.add(OpenVote(ballot_id=world.ballot.id, person_id=voter.id, choice="no"))
    db_session.flush()
    officer = make_user("officer")
    assert evidence.assemble(db_session, officer, world.nomination.id).ballots[0].votes == ()
    world.ballot.secret = False
    db_session.flush()
    (ballot,) = evidence.assemble(db_session, officer, world.nomination.id).ballots
    assert [(v.name, v.choice) for v in ballot.votes] == [("Phạm Thị Hồng", "no")]


def test_a_unit_nominee_shows_its_units_work_and_its_peoples_ratings(
    world: World, db_session: Any, make_user: Any
) -> None:
    officer = make_user("officer")
    law = unit_by_code(LAW)
    nomination = build_nomination(
        db_session, officer, world.nominee, person_id=None, unit_id=law.id, title_code="TTLDXS"
    )
    pack = evidence.assemble(db_session, officer, nomination.id)
    assert pack.nominee.kind == "unit" and pack.nominee.name == law.name
    ids = {c.id for c in pack.contributions}
    assert {world.on_time.id, world.other.id} <= ids
    assert {c.person_name for c in pack.contributions} >= {NOMINEE, "Trần Văn Bình"}
    assert pack.ratings == ()
    assert [(r.year, r.counts["excellent"], r.total) for r in pack.unit_ratings] == [
        (YEAR - 2, 0, 1),
        (YEAR - 1, 1, 1),
        (YEAR, 1, 1),
    ]
    (block,) = pack.scores
    assert block.snapshot_id == world.snap.id  # the unit's own line


@contextmanager
def counting(session: Any) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind().engine

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_number_of_queries_does_not_grow_with_the_contributions(
    world: World, db_session: Any, make_user: Any
) -> None:
    officer = make_user("officer")
    db_session.expire_all()
    with counting(db_session) as few:
        evidence.assemble(db_session, officer, world.nomination.id)
    docs = [draft() for _ in range(5)]
    for i, doc in zip(range(40), itertools.cycle(docs), strict=False):
        fact(db_session, world.nominee, document=doc, delivered=world.on_time.delivered_date)
        assert i >= 0
    from emulation import scoring

    scoring.compute(db_session, officer, year=YEAR)
    db_session.expire_all()
    with counting(db_session) as many:
        pack = evidence.assemble(db_session, officer, world.nomination.id)
    assert len(pack.contributions) == 43
    assert len(many) == len(few), (len(few), len(many))


def test_who_may_read_a_pack(
    world: World, db_session: Any, make_member: Any, make_user: Any
) -> None:
    nid = world.nomination.id
    allowed = [
        make_user("admin"),
        make_user("officer"),
        make_user("council"),
        make_member("head", unit=LAW),
        make_member("head", unit=COMMITTEE),  # a unit above the nominee's
        world.staff,  # the nominee
    ]
    for actor in allowed:
        assert evidence.assemble(db_session, actor, nid).nomination.id == nid
    refused = [
        make_member("head", unit="UB-KTTC-V"),
        make_member("staff", unit=LAW),  # a colleague
        make_member("deputy", unit=LAW),
    ]
    for actor in refused:
        with pytest.raises(PermissionDenied):
            evidence.assemble(db_session, actor, nid)
    with pytest.raises(NotFound):
        evidence.assemble(db_session, make_user("officer"), nid + 1000)
    with pytest.raises(NotFound):
        evidence.assemble(db_session, make_user("officer"), 2**31)
