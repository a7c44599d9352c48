"""Suggesting and deciding yearly quality ratings, on a real database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from emulation import ratings
from emulation.ledger import load
from emulation.models import Criterion, QualityRating, ScoreLine
from emulation.scorecard import CriterionDef, score
from lis.audit.models import AuditEvent
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.queries import person_of_user
from tests.emulation.helpers import fact, person
from tests.emulation.ratings.helpers import YEAR, by_person, people, snapshot, ten_good_or_better
from tests.factories import unit_by_code


def events(db_session: Any, action: str, rating_id: int) -> list[AuditEvent]:
    return list(
        db_session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.entity_id == str(rating_id))
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def head(make_member: Any) -> Any:
    """The head of the law committee: reaches the committee and its department."""
    return make_member("head", unit="UB-PLTP")


def test_suggest_creates_rows_from_the_latest_snapshot(db_session: Any, head: Any) -> None:
    lines = ten_good_or_better()
    stale = snapshot(db_session, [(who, 10.0) for who, _ in lines])
    snap = snapshot(db_session, lines)
    assert snap.id > stale.id
    rows = ratings.suggest_for_unit(db_session, head, unit_by_code("UB-PLTP").id, YEAR)
    got = by_person(rows)
    assert len(rows) == 11
    expect = [
        "excellent",
        "excellent",
        "good",
        "good",
        "good",
        "good",
        "good",
        "good",
        "good",
        "good",
        "completed",
    ]
    assert [got[who.id].suggested_band for who, _ in lines] == expect
    third = got[lines[2][0].id]  # 91 points, beyond the cap of 2
    assert ratings.decode_reason(third.suggestion_reason) == ratings.Reason(
        "cap", {"score": 91.0, "limit": 2, "count": 10, "share": 0.2, "percent": 20}
    )
    assert third.score == 91.0 and third.snapshot_id == snap.id and third.suggested_at
    assert all(r.band is None and r.year == YEAR for r in rows)
    assert all(r.unit_id == unit_by_code("UB-PLTP-V").id for r in rows)
    assert len(events(db_session, "rating.suggest", third.id)) == 1


def test_the_cap_counts_each_unit_apart(db_session: Any, head: Any) -> None:
    # Five good or better in the department (one may be excellent), five in the committee.
    dept = [(who, s) for who, s in zip(people(5), [95, 92, 80, 80, 80], strict=True)]
    committee = [
        (who, s) for who, s in zip(people(5, "UB-PLTP"), [96, 75, 75, 75, 75], strict=True)
    ]
    snapshot(db_session, [*dept, *committee])
    got = by_person(ratings.suggest_for_unit(db_session, head, unit_by_code("UB-PLTP").id, YEAR))
    assert got[dept[0][0].id].suggested_band == "excellent"
    assert got[dept[1][0].id].suggested_band == "good"
    assert got[committee[0][0].id].suggested_band == "excellent"
    assert got[committee[0][0].id].unit_id == unit_by_code("UB-PLTP").id


def test_suggest_for_a_sub_unit_leaves_the_rest_alone(db_session: Any, make_member: Any) -> None:
    officer = make_member("officer", unit="UB-PLTP")
    inside, outside = person("UB-PLTP-V"), person("UB-KTTC-V")
    snapshot(db_session, [(inside, 80.0), (outside, 80.0)])
    rows = ratings.suggest_for_unit(db_session, officer, unit_by_code("UB-PLTP-V").id, YEAR)
    assert [r.person_id for r in rows] == [inside.id]
    assert (
        db_session.scalar(select(QualityRating).where(QualityRating.person_id == outside.id))
        is None
    )


def test_no_score_no_suggestion(db_session: Any, head: Any) -> None:
    who = person()
    snapshot(db_session, [(who, None)])
    (row,) = ratings.suggest_for_unit(db_session, head, who.unit_id, YEAR)
    assert row.suggested_band is None and row.score is None
    assert ratings.decode_reason(row.suggestion_reason) == ratings.Reason("no_score", {})


def test_no_snapshot_is_409_naming_the_year(db_session: Any, head: Any) -> None:
    who = person()
    snapshot(db_session, [(who, 80.0)], year=YEAR - 1)  # another year's scores do not count
    with pytest.raises(Conflict) as info:
        ratings.suggest_for_unit(db_session, head, who.unit_id, YEAR)
    assert info.value.fields == {"year": "no score snapshot"}


@pytest.mark.parametrize("year", [1999, 2101, 2019])
def test_bad_year_is_422(db_session: Any, head: Any, year: int) -> None:
    with pytest.raises(ValidationError) as info:
        ratings.suggest_for_unit(db_session, head, unit_by_code("UB-PLTP").id, year)
    assert "year" in info.value.fields


@pytest.mark.parametrize("role", ["staff", "council", "deputy"])
def test_who_may_not_suggest(db_session: Any, make_member: Any, role: str) -> None:
    actor = make_member(role, unit="UB-PLTP")
    snapshot(db_session, [(person(), 80.0)])
    with pytest.raises(PermissionDenied):
        ratings.suggest_for_unit(db_session, actor, unit_by_code("UB-PLTP-V").id, YEAR)


def test_a_head_suggests_only_for_their_units(db_session: Any, make_member: Any) -> None:
    dept_head = make_member("head", unit="UB-PLTP-V")
    snapshot(db_session, [(person(), 80.0)])
    with pytest.raises(PermissionDenied) as info:
        ratings.suggest_for_unit(db_session, dept_head, unit_by_code("UB-PLTP").id, YEAR)
    assert info.value.fields == {"unit": "outside your units"}
    assert ratings.suggest_for_unit(db_session, dept_head, unit_by_code("UB-PLTP-V").id, YEAR)


def test_decided_bands_survive_a_new_suggestion(db_session: Any, head: Any) -> None:
    who = person()
    snapshot(db_session, [(who, 80.0)])
    unit_id = who.unit_id
    (row,) = ratings.suggest_for_unit(db_session, head, unit_id, YEAR)
    ratings.decide(db_session, head, row.id, "good")
    newer = snapshot(db_session, [(who, 55.0)])
    (again,) = ratings.suggest_for_unit(db_session, head, unit_id, YEAR)
    assert again.id == row.id
    assert again.band == "good" and again.decided_by_id == head.id
    assert again.suggested_band == "completed" and again.score == 55.0
    assert again.snapshot_id == newer.id
    last = events(db_session, "rating.suggest", row.id)[-1]
    assert last.before["suggested_band"] == "good" and last.after["suggested_band"] == "completed"
    assert last.after["band"] == "good" and "stays" in last.summary


def test_an_unchanged_suggestion_is_not_audited_again(db_session: Any, head: Any) -> None:
    who = person()
    snapshot(db_session, [(who, 80.0)])
    (row,) = ratings.suggest_for_unit(db_session, head, who.unit_id, YEAR)
    ratings.suggest_for_unit(db_session, head, who.unit_id, YEAR)
    assert len(events(db_session, "rating.suggest", row.id)) == 1


def _suggested(db_session: Any, head: Any, lines: Any) -> dict[int, QualityRating]:
    snapshot(db_session, lines)
    return by_person(ratings.suggest_for_unit(db_session, head, lines[0][0].unit_id, YEAR))


def test_decide_records_who_and_when_and_audits(db_session: Any, head: Any) -> None:
    who = person()
    row = _suggested(db_session, head, [(who, 80.0)])[who.id]
    ratings.decide(db_session, head, row.id, "good", "  as suggested  ")
    assert row.band == "good" and row.comment == "as suggested"
    assert row.decided_by_id == head.id and row.decided_at is not None
    assert row.suggested_band == "good"  # the suggestion is kept beside the decision
    (event,) = events(db_session, "rating.decide", row.id)
    assert event.before["band"] is None and event.after["band"] == "good"
    assert event.actor_email == head.email


def test_a_different_band_needs_a_comment(db_session: Any, head: Any) -> None:
    who = person()
    row = _suggested(db_session, head, [(who, 80.0)])[who.id]
    with pytest.raises(ValidationError) as info:
        ratings.decide(db_session, head, row.id, "completed", "   ")
    assert list(info.value.fields) == ["comment"]
    ratings.decide(db_session, head, row.id, "completed", "two drafts returned for rework")
    assert row.band == "completed"
    ratings.decide(db_session, head, row.id, "good")  # back to the suggestion: no comment needed
    assert row.band == "good" and len(events(db_session, "rating.decide", row.id)) == 2


def test_nobody_decides_their_own_rating(db_session: Any, make_member: Any) -> None:
    for role in ("head", "admin"):
        actor = make_member(role, unit="UB-PLTP-V")
        own = person_of_user(db_session, actor.id)
        snapshot(db_session, [(own, 80.0)])
        rows = ratings.suggest_for_unit(db_session, make_member("officer"), own.unit_id, YEAR)
        row = by_person(rows)[own.id]
        with pytest.raises(PermissionDenied) as info:
            ratings.decide(db_session, actor, row.id, "good")
        assert info.value.fields == {"id": "own rating"}


def test_who_decides(db_session: Any, make_member: Any, make_user: Any) -> None:
    who = person("UB-PLTP-V")
    row = _suggested(db_session, make_member("officer"), [(who, 80.0)])[who.id]
    for actor in (
        make_member("head", unit="UB-KTTC"),
        make_member("officer", unit="UB-PLTP-V"),
        make_member("council", unit="UB-PLTP-V"),
        make_member("staff", unit="UB-PLTP-V"),
    ):
        with pytest.raises(PermissionDenied):
            ratings.decide(db_session, actor, row.id, "good")
    ratings.decide(db_session, make_member("head", unit="UB-PLTP"), row.id, "good")
    ratings.decide(db_session, make_user("admin"), row.id, "good")
    assert len(events(db_session, "rating.decide", row.id)) == 2


def test_decide_input(db_session: Any, head: Any) -> None:
    who = person()
    row = _suggested(db_session, head, [(who, 80.0)])[who.id]
    for band, comment, field in (
        ("great", "x", "band"),
        ("good", "x" * 2001, "comment"),
        ("good", "a\x00b", "comment"),
    ):
        with pytest.raises(ValidationError) as info:
            ratings.decide(db_session, head, row.id, band, comment)
        assert field in info.value.fields
    with pytest.raises(ValidationError) as info:
        ratings.decide(db_session, head, row.id, "good", "", "x" * 1001)
    assert "cap_override_reason" in info.value.fields
    for missing in (0, -1, row.id + 1000, 2**40):
        with pytest.raises(NotFound):
            ratings.decide(db_session, head, missing, "good")


def test_the_cap_refuses_one_excellent_too_many(db_session: Any, head: Any) -> None:
    lines = ten_good_or_better()
    got = _suggested(db_session, head, lines)
    first, second, third = (got[who.id] for who, _ in lines[:3])
    # Deciding in any order: the suggestions keep to the cap, so confirming them is allowed.
    ratings.decide(db_session, head, second.id, "excellent")
    ratings.decide(db_session, head, first.id, "excellent")
    with pytest.raises(Conflict) as info:
        ratings.decide(db_session, head, third.id, "excellent", "outstanding year")
    assert "cap_override_reason" in info.value.fields
    assert "3 excellent among 10" in info.value.message and "allows 2" in info.value.message
    assert third.band is None
    ratings.decide(
        db_session,
        head,
        third.id,
        "excellent",
        "outstanding year",
        cap_override_reason="led the Land Law\nverification",
    )
    assert third.band == "excellent"
    assert third.comment == "[cap override] led the Land Law verification\noutstanding year"
    assert ratings.split_override(third.comment) == (
        "led the Land Law verification",
        "outstanding year",
    )
    (event,) = events(db_session, "rating.decide", third.id)
    assert event.after["cap_override_reason"] == "led the Land Law\nverification"
    assert "over the unit's cap" in event.summary


def test_an_override_not_needed_is_not_stored(db_session: Any, head: Any) -> None:
    lines = ten_good_or_better()
    got = _suggested(db_session, head, lines)
    row = got[lines[0][0].id]
    ratings.decide(db_session, head, row.id, "excellent", "", cap_override_reason="just in case")
    assert (
        row.comment == ""
        and "cap_override_reason" not in events(db_session, "rating.decide", row.id)[0].after
    )


def test_who_sees_which_ratings(db_session: Any, make_member: Any, make_user: Any) -> None:
    staff = make_member("staff", unit="UB-PLTP-V")
    colleague, elsewhere = person("UB-PLTP-V"), person("UB-KTTC-V")
    lines = [(person_of_user(db_session, staff.id), 80.0), (colleague, 75.0), (elsewhere, 60.0)]
    snapshot(db_session, lines)
    officer = make_member("officer")
    for code in ("UB-PLTP-V", "UB-KTTC-V"):
        ratings.suggest_for_unit(db_session, officer, unit_by_code(code).id, YEAR)
    mine = {r.person_id for r in db_session.scalars(ratings.list_ratings(db_session, staff))}
    assert mine == {lines[0][0].id}
    head = make_member("head", unit="UB-PLTP")
    theirs = {r.person_id for r in db_session.scalars(ratings.list_ratings(db_session, head))}
    assert theirs == {lines[0][0].id, colleague.id}
    for reader in (officer, make_member("council"), make_user("admin")):
        seen = {
            r.person_id
            for r in db_session.scalars(ratings.list_ratings(db_session, reader, year=YEAR))
        }
        assert {lines[0][0].id, colleague.id, elsewhere.id} <= seen
    with pytest.raises(PermissionDenied):
        ratings.list_ratings(db_session, make_member("deputy"))
    other = db_session.scalar(select(QualityRating).where(QualityRating.person_id == elsewhere.id))
    with pytest.raises(PermissionDenied):
        ratings.read_rating(db_session, head, other.id)
    assert ratings.read_rating(db_session, officer, other.id) is other


def test_suggest_from_a_snapshot_scored_from_the_ledger(db_session: Any, head: Any) -> None:
    """End to end with the real scoring: verified facts → scorecard → snapshot → suggestion."""
    good, late = person(), person()
    for _ in range(3):
        fact(db_session, good, delivered=dt.date(YEAR, 3, 1), due=dt.date(YEAR, 3, 1))
        fact(db_session, late, delivered=dt.date(YEAR, 3, 9), due=dt.date(YEAR, 3, 1),
             quality="completed", errors=1)  # fmt: skip
    defs = [
        CriterionDef(c.code, c.formula, c.weight, c.params)
        for c in db_session.scalars(select(Criterion).where(Criterion.default))
    ]
    ledger = load(db_session, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    lines = []
    for who in (good, late):
        facts = [f for f in ledger.facts if f.person_id == who.id]
        lines.append((who, score(defs, facts, list(ledger.drafts.values())).total))
    snap = snapshot(db_session, lines)
    got = by_person(ratings.suggest_for_unit(db_session, head, good.unit_id, YEAR))
    totals = dict(
        db_session.execute(
            select(ScoreLine.person_id, ScoreLine.total).where(ScoreLine.snapshot_id == snap.id)
        ).all()
    )
    assert got[good.id].score == totals[good.id] and got[late.id].score == totals[late.id]
    assert totals[good.id] > totals[late.id]
    assert got[good.id].snapshot_id == snap.id
