"""The review services: who reviews what, the state machine, ratings, outcomes and the audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from lis import clock
from lis.audit.models import AuditEvent
from lis.contributions import review
from lis.contributions.models import QUALITY_BANDS
from lis.drafts import services as drafts
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tests.contributions.helpers import log, make_draft, member
from tests.contributions.review.conftest import World
from tests.drafts.helpers import V2
from tests.factories import UserFactory, unit_by_code


def events(session: Any, c: Any) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity == "contribution", AuditEvent.entity_id == str(c.id))
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(stmt))


def queue_ids(session: Any, actor: Any, **kw: Any) -> list[int]:
    f = review.QueueFilter(**kw) if kw else None
    return [c.id for c in session.scalars(review.review_queue(session, actor, f=f))]


# --- the queue ------------------------------------------------------------------------------


def test_queue_of_the_unit_and_the_unit_above(db_session: Any, world: World) -> None:
    assert queue_ids(db_session, world.head) == [world.c.id]
    assert queue_ids(db_session, world.committee_head) == [world.c.id]  # with sub-units
    pltp = unit_by_code("UB-PLTP").id
    assert queue_ids(db_session, world.committee_head, unit_id=pltp, include_sub_units=False) == []
    assert world.c.id in queue_ids(db_session, world.admin)
    assert queue_ids(db_session, world.other_head) == []


@pytest.mark.parametrize("role", ["staff", "officer", "council", "deputy"])
def test_queue_is_empty_for_non_reviewers(db_session: Any, world: World, role: str) -> None:
    assert queue_ids(db_session, member(db_session, role)) == []


def test_a_unit_outside_the_reach_is_refused(db_session: Any, world: World) -> None:
    other = unit_by_code("UB-KTTC-V").id
    with pytest.raises(PermissionDenied) as exc:
        queue_ids(db_session, world.head, unit_id=other)
    assert "unit" in exc.value.fields


def test_queue_is_oldest_first_without_ones_own(db_session: Any, world: World) -> None:
    today = clock.today()
    older = log(
        db_session, world.staff, document=world.doc, delivered_date=today - dt.timedelta(days=9)
    )
    own = log(db_session, world.head, document=world.doc)  # the head logs their own work
    ids = queue_ids(db_session, world.head)
    assert ids == [older.id, world.c.id]
    assert own.id not in ids
    assert own.id in queue_ids(db_session, world.committee_head)


def test_queue_filters_and_counts(db_session: Any, world: World) -> None:
    second = make_draft(db_session, world.admin, title="Luật thử nghiệm thứ hai")
    late = log(
        db_session,
        world.staff,
        document=second,
        due_date=clock.today() - dt.timedelta(days=5),
        delivered_date=clock.today() - dt.timedelta(days=2),
    )
    assert queue_ids(db_session, world.head, document_id=second.id) == [late.id]
    wk = world.c.work_kind_id
    assert set(queue_ids(db_session, world.head, work_kind_id=wk)) == {world.c.id, late.id}
    counts = review.queue_counts(db_session, review.review_queue(db_session, world.head))
    assert counts.total == 2 and counts.late == 1
    assert counts.by_unit == [("UB-PLTP-V", 2)]
    assert dict(counts.by_document) == {world.doc.external_id: 1, second.external_id: 1}
    groups = review.group_by_document(
        list(db_session.scalars(review.review_queue(db_session, world.head)))
    )
    assert len(groups) == 2 and all(len(items) == 1 for _doc, items in groups)


# --- verify and reject -----------------------------------------------------------------------


def test_verify_freezes_and_is_audited(db_session: Any, world: World) -> None:
    c = review.verify(db_session, world.head, world.c.id)
    assert c.state == "verified" and c.verified_by_id == world.head.id and c.verified_at
    [event] = events(db_session, c)[-1:]
    assert event.action == "verify" and event.actor_email == world.head.email
    assert event.before["state"] == "submitted" and event.after["state"] == "verified"
    assert event.after["verified_by_id"] == world.head.id
    with pytest.raises(Conflict) as exc:
        review.verify(db_session, world.committee_head, c.id)
    assert exc.value.fields == {"state": "verified"}
    with pytest.raises(Conflict):
        review.reject(db_session, world.head, c.id, "too late")
    assert queue_ids(db_session, world.head) == []
    assert [r.id for r in db_session.scalars(review.recently_reviewed(db_session, world.head))] == [
        c.id
    ]


def test_reject_needs_a_reason_and_the_author_resubmits(db_session: Any, world: World) -> None:
    from lis.contributions.services import edit_contribution

    for bad in ("", "   ", "x" * 2001, 5):
        with pytest.raises(ValidationError) as exc:
            review.reject(db_session, world.head, world.c.id, bad)  # type: ignore[arg-type]
        assert "reason" in exc.value.fields
    c = review.reject(db_session, world.head, world.c.id, "  Thiếu phụ lục so sánh.  ")
    assert c.state == "rejected" and c.reject_reason == "Thiếu phụ lục so sánh."
    event = events(db_session, c)[-1]
    assert event.action == "reject" and event.after["reject_reason"] == "Thiếu phụ lục so sánh."
    assert event.before == {"state": "submitted", "reject_reason": ""}
    with pytest.raises(Conflict):
        review.verify(db_session, world.head, c.id)  # rejected: the author's turn
    edit_contribution(db_session, world.staff, c.id, {"title": "Báo cáo thẩm tra (bổ sung)"})
    db_session.flush()
    assert c.state == "submitted"
    assert queue_ids(db_session, world.head) == [c.id]
    c = review.verify(db_session, world.head, c.id)
    assert c.state == "verified" and c.reject_reason == ""


def test_a_reason_of_2000_characters_is_enough(db_session: Any, world: World) -> None:
    assert review.reject(db_session, world.head, world.c.id, "x" * 2000).state == "rejected"


# --- who may review -------------------------------------------------------------------------


def test_nobody_reviews_their_own_work(db_session: Any, world: World) -> None:
    own = log(db_session, world.head, document=world.doc)
    for change in (
        lambda: review.verify(db_session, world.head, own.id),
        lambda: review.reject(db_session, world.head, own.id, "no"),
    ):
        with pytest.raises(PermissionDenied) as exc:
            change()
        assert exc.value.fields == {"id": "own contribution"}
    boss = member(db_session, "admin", "head", unit="UB-PLTP")
    mine = log(db_session, boss, document=world.doc)
    with pytest.raises(PermissionDenied):
        review.verify(db_session, boss, mine.id)  # not even an administrator
    review.verify(db_session, world.committee_head, mine.id)
    with pytest.raises(PermissionDenied):
        review.rate(db_session, boss, mine.id, "good")
    with pytest.raises(PermissionDenied):
        review.record_outcome(db_session, boss, mine.id, "accepted", 2)


def test_who_logged_it_for_someone_else_does_not_review_it(db_session: Any, world: World) -> None:
    someone = member(db_session, "staff")
    from lis.people.queries import person_of_user

    person = person_of_user(db_session, someone.id)
    assert person is not None
    c = log(db_session, world.head, document=world.doc, person_id=person.id)
    with pytest.raises(PermissionDenied):
        review.verify(db_session, world.head, c.id)
    assert review.verify(db_session, world.committee_head, c.id).state == "verified"


@pytest.mark.parametrize("role", ["staff", "officer", "council", "deputy"])
def test_other_roles_do_not_review(db_session: Any, world: World, role: str) -> None:
    actor = member(db_session, role)
    with pytest.raises(PermissionDenied):
        review.verify(db_session, actor, world.c.id)


def test_heads_outside_the_reach_and_heads_without_a_unit(db_session: Any, world: World) -> None:
    with pytest.raises(PermissionDenied) as exc:
        review.verify(db_session, world.other_head, world.c.id)
    assert exc.value.fields == {"id": "outside your units"}
    with pytest.raises(PermissionDenied):
        review.verify(db_session, UserFactory(roles=["head"]), world.c.id)
    assert review.may_review(db_session, world.admin, world.c)
    assert not review.may_review(db_session, world.staff, world.c)


def test_unknown_ids(db_session: Any, world: World) -> None:
    for bad in (0, -1, 2**40, world.c.id + 10_000):
        with pytest.raises(NotFound):
            review.verify(db_session, world.head, bad)


# --- ratings --------------------------------------------------------------------------------


def test_rating_only_verified_work(db_session: Any, world: World) -> None:
    with pytest.raises(Conflict) as exc:
        review.rate(db_session, world.head, world.c.id, "good")
    assert exc.value.fields == {"state": "submitted"}


@pytest.mark.parametrize("band", QUALITY_BANDS)
def test_each_band(db_session: Any, world: World, band: str) -> None:
    review.verify(db_session, world.head, world.c.id)
    c = review.rate(db_session, world.committee_head, world.c.id, band, "Nhận xét", 2)
    assert (c.quality, c.quality_comment, c.major_errors) == (band, "Nhận xét", 2)
    assert c.rated_by_id == world.committee_head.id and c.rated_at


@pytest.mark.parametrize(
    ("quality", "comment", "major_errors", "field"),
    [
        ("great", "", 0, "quality"),
        ("", "", 0, "quality"),
        ("good", "", -1, "major_errors"),
        ("good", "", 101, "major_errors"),
        ("good", "", True, "major_errors"),
        ("good", "", "3", "major_errors"),
        ("good", "x" * 5001, 0, "comment"),
        ("good", "a\x00b", 0, "comment"),
    ],
)
def test_bad_ratings_name_the_field(
    db_session: Any, world: World, quality: Any, comment: Any, major_errors: Any, field: str
) -> None:
    review.verify(db_session, world.head, world.c.id)
    with pytest.raises(ValidationError) as exc:
        review.rate(db_session, world.head, world.c.id, quality, comment, major_errors)
    assert field in exc.value.fields


def test_rerating_is_audited_with_before_and_after(db_session: Any, world: World) -> None:
    review.verify(db_session, world.head, world.c.id)
    review.rate(db_session, world.head, world.c.id, "good", "Đạt", 0)
    c = review.rate(db_session, world.committee_head, world.c.id, "excellent", "Rất tốt", 0)
    first, second = events(db_session, c)[-2:]
    assert first.action == "rate" and first.before["quality"] is None
    assert second.action == "re-rate"
    assert second.before["quality"] == "good" and second.after["quality"] == "excellent"
    assert second.before["quality_comment"] == "Đạt"
    assert second.after["rated_by_id"] == world.committee_head.id


# --- outcomes -------------------------------------------------------------------------------


def test_outcome_in_a_later_version(db_session: Any, world: World) -> None:
    with pytest.raises(Conflict):
        review.record_outcome(db_session, world.head, world.c.id, "accepted", 2)
    review.verify(db_session, world.head, world.c.id)
    assert [v.seq for v in review.later_versions(db_session, world.c)] == [2]
    for seq in (1, 3, 2**40):
        with pytest.raises(ValidationError) as exc:
            review.record_outcome(db_session, world.head, world.c.id, "accepted", seq)
        assert "version" in exc.value.fields and "outcome_version" not in exc.value.fields
    with pytest.raises(ValidationError) as exc:
        review.record_outcome(db_session, world.head, world.c.id, "adopted", 2)
    assert "outcome" in exc.value.fields
    c = review.record_outcome(db_session, world.head, world.c.id, "partly_accepted", 2)
    assert c.outcome == "partly_accepted" and c.outcome_version.seq == 2
    assert c.outcome_by_id == world.head.id and c.outcome_at
    event = events(db_session, c)[-1]
    assert event.action == "outcome" and event.before["outcome"] is None
    assert event.after["outcome"] == "partly_accepted" and event.after["outcome_version_seq"] == 2


def test_outcome_version_of_another_draft_is_refused(db_session: Any, world: World) -> None:
    other = make_draft(db_session, world.admin, title="Một dự án khác")
    drafts.add_version(db_session, world.admin, other, "Dự thảo 3", V2 + "\nĐiều 5. Mới\nCó.\n")
    review.verify(db_session, world.head, world.c.id)
    with pytest.raises(ValidationError) as exc:
        review.record_outcome(db_session, world.head, world.c.id, "accepted", 3)
    assert "version" in exc.value.fields and "outcome_version" not in exc.value.fields


def test_without_a_version_the_outcome_needs_one_dated_after_delivery(
    db_session: Any, world: World
) -> None:
    c = log(db_session, world.staff, document=world.doc)  # delivered yesterday, no version
    review.verify(db_session, world.head, c.id)
    assert review.later_versions(db_session, c) == []
    with pytest.raises(ValidationError) as exc:
        review.record_outcome(db_session, world.head, c.id, "accepted", 2)  # 50 days ago
    assert exc.value.fields["version"] == "must be dated on or after the delivery"
    drafts.add_version(
        db_session, world.admin, world.doc, "Dự thảo 3", V2 + "\nĐiều 5. Mới\nNội dung.\n"
    )
    assert [v.seq for v in review.later_versions(db_session, c)] == [3]
    assert review.record_outcome(db_session, world.head, c.id, "not_accepted", 3).outcome == (
        "not_accepted"
    )
