"""Logging contributions: every rule names its field, replays are idempotent, edits and
withdrawals only while open, every change audited, and the own record's totals."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from sqlalchemy import func, select

from lis.audit.models import AuditEvent
from lis.clock import today
from lis.contributions import rules
from lis.contributions.models import Contribution
from lis.contributions.schemas import contribution_to_dict
from lis.contributions.services import (
    Upload,
    edit_contribution,
    get_contribution,
    log_contribution,
    own_contributions,
    withdraw_contribution,
    year_totals,
)
from lis.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lis.people.queries import person_of_user
from tests.contributions.helpers import (
    DRAFT_AGE_DAYS,
    log,
    make_assignment,
    make_draft,
    member,
    payload,
)
from tests.factories import DocumentFactory, PersonFactory, UserFactory, unit_by_code


@pytest.fixture
def draft(db_session: Any) -> Any:
    return make_draft(db_session)


@pytest.fixture
def staff(db_session: Any) -> Any:
    return member(db_session, "staff")


def events(session: Any, row_id: int) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(
        AuditEvent.entity == "contribution", AuditEvent.entity_id == str(row_id)
    )
    return list(session.scalars(stmt.order_by(AuditEvent.id)))


def refused(session: Any, user: Any, field: str, *, error: type = ValidationError, **kw: Any):
    with pytest.raises(error) as caught:
        log(session, user, **kw)
    assert field in caught.value.fields, caught.value.fields
    return caught.value


# --- the happy path ----------------------------------------------------------------------------
def test_log_defaults_and_audit(db_session: Any, draft: Any, staff: Any) -> None:
    row, created = log_contribution(db_session, staff, payload(draft, articles=["dieu-2"]))
    assert created
    person = person_of_user(db_session, staff.id)
    assert row.person_id == person.id
    assert row.unit.code == "UB-PLTP-V"  # the person's own unit by default
    assert row.stage == "S_VERIFY"  # the draft's current stage by default
    assert row.state == "submitted" and row.source == "logged"
    assert row.version.seq == 2  # articles without a version: the latest version's
    assert row.articles == ["dieu-2"]
    assert row.created_by_id == staff.id
    (event,) = events(db_session, row.id)
    assert event.action == "create" and event.after["document"] == draft.external_id
    assert event.actor_email == staff.email


def test_json_shape(db_session: Any, draft: Any, staff: Any) -> None:
    assignment = make_assignment(db_session, draft, due_date=today() - dt.timedelta(days=3))
    upload = Upload("báo cáo.pdf", "application/pdf", b"%PDF-1.4 test")
    row = log(
        db_session, staff, document=draft, assignment_id=assignment.id, version=1, upload=upload
    )
    body = contribution_to_dict(row)
    assert body["document"] == {
        "id": draft.external_id,
        "number": draft.number,
        "title": draft.title,
        "stage": "S_VERIFY",
    }
    assert body["work_kind"]["code"] == "VERIFY_REPORT" and body["work_kind"]["name"]
    assert body["unit"]["code"] == "UB-PLTP-V"
    assert body["person"]["id"] == row.person_id
    assert body["assignment_id"] == assignment.id
    assert body["due_date"] == assignment.due_date.isoformat()  # the assignment's, by default
    assert body["late"] is True  # delivered yesterday, due three days ago
    assert body["version"] == 1 and body["stage_label"] and body["stage_label_en"]
    assert body["file"] == {
        "name": "báo cáo.pdf",
        "content_type": "application/pdf",
        "size": 13,
        "sha256": hashlib.sha256(b"%PDF-1.4 test").hexdigest(),
    }
    for key in [
        "id",
        "title",
        "articles",
        "delivered_date",
        "note",
        "state",
        "reject_reason",
        "verified_by",
        "verified_at",
        "quality",
        "quality_comment",
        "major_errors",
        "outcome",
        "outcome_version",
        "source",
        "created_at",
        "updated_at",
        "created_by",
        "rated_by",
        "rated_at",
        "outcome_at",
    ]:
        assert key in body, key


def test_department_staff_log_for_their_committee(db_session: Any, draft: Any, staff: Any) -> None:
    row = log(db_session, staff, document=draft, unit="UB-PLTP")
    assert row.unit.code == "UB-PLTP"


def test_heads_log_for_their_units_people_and_admins_for_anyone(
    db_session: Any, draft: Any
) -> None:
    head = member(db_session, "head", unit="UB-PLTP")
    person = PersonFactory(unit=unit_by_code("UB-PLTP-V"))
    row = log(db_session, head, document=draft, person_id=person.id)
    assert row.person_id == person.id and row.created_by_id == head.id
    outsider = PersonFactory(unit=unit_by_code("UB-KTTC"))
    refused(
        db_session, head, "person", error=PermissionDenied, document=draft, person_id=outsider.id
    )
    admin = UserFactory(roles=["admin"])
    row = log(db_session, admin, document=draft, person_id=outsider.id, unit="UB-KTTC")
    assert row.unit.code == "UB-KTTC"


def test_staff_may_not_log_for_others(db_session: Any, draft: Any, staff: Any) -> None:
    colleague = PersonFactory(unit=unit_by_code("UB-PLTP-V"))
    refused(
        db_session, staff, "person", error=PermissionDenied, document=draft, person_id=colleague.id
    )


@pytest.mark.parametrize("role", ["deputy", "officer", "council"])
def test_readers_may_not_log(db_session: Any, draft: Any, role: str) -> None:
    user = member(db_session, role)
    refused(db_session, user, "role", error=PermissionDenied, document=draft)


# --- each rule names its field -----------------------------------------------------------------
def test_document_rules(db_session: Any, staff: Any) -> None:
    refused(db_session, staff, "document", document="no-such-draft")
    refused(db_session, staff, "document", document="")
    law = DocumentFactory(origin="imported", stage="S_IN_FORCE")
    err = refused(db_session, staff, "document", document=law)
    assert err.fields["document"] == "not a draft"
    decree = DocumentFactory(origin="draft", kind="decree", stage="S_VERIFY")
    refused(db_session, staff, "document", document=decree)


def test_stage_rules(db_session: Any, draft: Any, staff: Any) -> None:
    refused(db_session, staff, "stage", document=draft, stage="S_NOPE")
    err = refused(db_session, staff, "stage", document=draft, stage="S_NA_DEBATE")
    assert "after" in err.fields["stage"]
    ordinance_stage = "S_UBTVQH_DEBATE"  # a stage of ordinances, not of laws
    refused(db_session, staff, "stage", document=draft, stage=ordinance_stage)
    # An earlier stage is fine (with a kind of work that fits it).
    row = log(db_session, staff, document=draft, stage="S_DRAFTING", work_kind="COMPARISON_TABLE")
    assert row.stage == "S_DRAFTING"


def test_work_kind_rules(db_session: Any, draft: Any, staff: Any) -> None:
    refused(db_session, staff, "work_kind", document=draft, work_kind="NOPE")
    refused(db_session, staff, "work_kind", document=draft, work_kind="")
    err = refused(db_session, staff, "work_kind", document=draft, work_kind="EXPLAIN_ACCEPT")
    assert "S_VERIFY" in err.fields["work_kind"]


def test_delivered_date_rules(db_session: Any, draft: Any, staff: Any) -> None:
    before = today() - dt.timedelta(days=DRAFT_AGE_DAYS + 1)
    refused(db_session, staff, "delivered_date", document=draft, delivered_date=before)
    refused(
        db_session,
        staff,
        "delivered_date",
        document=draft,
        delivered_date=today() + dt.timedelta(1),
    )
    refused(db_session, staff, "delivered_date", document=draft, delivered_date=None)
    refused(db_session, staff, "delivered_date", document=draft, delivered_date="31/12/2025")
    first_day = today() - dt.timedelta(days=DRAFT_AGE_DAYS)
    assert log(db_session, staff, document=draft, delivered_date=first_day).delivered_date
    assert log(db_session, staff, document=draft, delivered_date=today().isoformat())


def test_due_date_rules(db_session: Any, draft: Any, staff: Any) -> None:
    since = today() - dt.timedelta(days=DRAFT_AGE_DAYS)
    refused(db_session, staff, "due_date", document=draft, due_date=since - dt.timedelta(1))
    far = rules.years_after(since, 5) + dt.timedelta(days=1)
    refused(db_session, staff, "due_date", document=draft, due_date=far)
    refused(db_session, staff, "due_date", document=draft, due_date="tomorrow")
    row = log(db_session, staff, document=draft, due_date=rules.years_after(since, 5))
    assert row.due_date == rules.years_after(since, 5)


def test_unit_rules(db_session: Any, draft: Any, staff: Any) -> None:
    refused(db_session, staff, "unit", document=draft, unit="NOPE")
    err = refused(db_session, staff, "unit", document=draft, unit="UB-KTTC")
    assert "not in UB-KTTC" in err.fields["unit"]
    # A committee member does not log for the committee's department (a unit below theirs).
    committee = member(db_session, "staff", unit="UB-PLTP")
    refused(db_session, committee, "unit", document=draft, unit="UB-PLTP-V")
    # Nor for the Assembly itself.
    refused(db_session, staff, "unit", document=draft, unit="QH")
    # A unit closed before the delivery (the 2025 reorganisation closed UB-PL).
    old = member(db_session, "staff", unit="UB-PL")
    err = refused(db_session, old, "unit", document=draft, unit="UB-PL")
    assert err.fields["unit"] == "closed"


def test_person_without_record(db_session: Any, draft: Any) -> None:
    loner = UserFactory(roles=["staff"])
    refused(db_session, loner, "person", document=draft)
    refused(db_session, member(db_session, "head"), "person", document=draft, person_id=2**31)


def test_assignment_rules(db_session: Any, draft: Any, staff: Any) -> None:
    refused(db_session, staff, "assignment_id", document=draft, assignment_id=2**31 - 1)
    refused(db_session, staff, "assignment_id", document=draft, assignment_id="x")
    other = make_draft(db_session)
    elsewhere = make_assignment(db_session, other)
    err = refused(db_session, staff, "assignment_id", document=draft, assignment_id=elsewhere.id)
    assert err.fields["assignment_id"] == "another draft"
    drafting = make_assignment(db_session, draft, stage="S_DRAFTING", work_kind="COMPARISON_TABLE")
    err = refused(
        db_session,
        staff,
        "assignment_id",
        document=draft,
        assignment_id=drafting.id,
        stage="S_VERIFY",
    )
    assert "S_DRAFTING" in err.fields["assignment_id"]
    # Without a stage, the assignment's stage is the default.
    row = log(
        db_session, staff, document=draft, assignment_id=drafting.id, work_kind="COMPARISON_TABLE"
    )
    assert row.stage == "S_DRAFTING" and row.due_date == drafting.due_date
    # An explicit due date wins over the assignment's.
    mine = make_assignment(db_session, draft)
    row = log(db_session, staff, document=draft, assignment_id=mine.id, due_date=today())
    assert row.due_date == today()


def test_version_and_article_rules(db_session: Any, draft: Any, staff: Any) -> None:
    refused(db_session, staff, "version", document=draft, version=3)
    refused(db_session, staff, "version", document=draft, version=0)
    err = refused(db_session, staff, "articles", document=draft, version=1, articles=["dieu-9"])
    assert "dieu-9" in err.fields["articles"]
    refused(db_session, staff, "articles", document=draft, version=1, articles=["dieu-3/khoan-1"])
    refused(db_session, staff, "articles", document=draft, articles="not a list!")
    refused(db_session, staff, "articles", document=draft, articles=[5])
    row = log(db_session, staff, document=draft, version=1, articles="dieu-1, dieu-3 dieu-1")
    assert row.articles == ["dieu-1", "dieu-3"] and row.version.seq == 1
    bare = DocumentFactory(origin="draft", kind="law", stage="S_VERIFY")
    refused(
        db_session, staff, "articles", document=bare, articles=["dieu-1"], delivered_date=today()
    )


def test_title_and_note_rules(db_session: Any, draft: Any, staff: Any) -> None:
    refused(db_session, staff, "title", document=draft, title="   ")
    refused(db_session, staff, "title", document=draft, title="x" * 501)
    refused(db_session, staff, "title", document=draft, title="a\x00b")
    refused(db_session, staff, "note", document=draft, note="n" * 10_001)
    row = log(db_session, staff, document=draft, title="  Báo cáo\n thẩm tra  ", note=" ghi chú ")
    assert (row.title, row.note) == ("Báo cáo thẩm tra", "ghi chú")
    assert len(log(db_session, staff, document=draft, title="t" * 500).title) == 500


def test_file_rules(db_session: Any, draft: Any, staff: Any) -> None:
    refused(db_session, staff, "file", document=draft, upload=Upload("a.bin", "x/y", b""))
    big = b"\x00" * (rules.MAX_FILE_BYTES + 1)
    refused(db_session, staff, "file", document=draft, upload=Upload("a.bin", "", big))
    exact = b"\x01" * rules.MAX_FILE_BYTES
    row = log(
        db_session, staff, document=draft, upload=Upload("C:\\tmp\\..\\x.bin", "weird", exact)
    )
    assert row.file.size == rules.MAX_FILE_BYTES
    assert row.file.name == "x.bin" and row.file.content_type == "application/octet-stream"
    assert row.file.sha256 == hashlib.sha256(exact).hexdigest()


# --- idempotency -------------------------------------------------------------------------------
def test_same_key_twice_makes_one_row(db_session: Any, draft: Any, staff: Any) -> None:
    data = payload(draft, articles=["dieu-1"], version=2)
    upload = Upload("a.txt", "text/plain", b"abc")
    first, created = log_contribution(db_session, staff, data, idempotency_key="k-1", upload=upload)
    assert created
    # The retry sends the date as text and leaves out what took its default.
    retry = dict(data, delivered_date=data["delivered_date"].isoformat(), stage="S_VERIFY")
    again, created = log_contribution(
        db_session, staff, retry, idempotency_key="k-1", upload=upload
    )
    assert (again.id, created) == (first.id, False)
    count = db_session.scalar(
        select(func.count()).select_from(Contribution).where(Contribution.document_id == draft.id)
    )
    assert count == 1
    assert len(events(db_session, first.id)) == 1  # a replay changes nothing


def test_same_key_different_payload_is_a_conflict(db_session: Any, draft: Any, staff: Any) -> None:
    log_contribution(db_session, staff, payload(draft), idempotency_key="k-2")
    with pytest.raises(Conflict) as caught:
        log_contribution(db_session, staff, payload(draft, title="Khác"), idempotency_key="k-2")
    assert "Idempotency-Key" in caught.value.fields
    assert caught.value.fields["differs"] == ["title"]
    with pytest.raises(Conflict):
        log_contribution(
            db_session,
            staff,
            payload(draft),
            idempotency_key="k-2",
            upload=Upload("a", "text/plain", b"x"),
        )


def test_keys_are_per_user(db_session: Any, draft: Any, staff: Any) -> None:
    other = member(db_session, "staff")
    a, _ = log_contribution(db_session, staff, payload(draft), idempotency_key="shared")
    b, created = log_contribution(db_session, other, payload(draft), idempotency_key="shared")
    assert created and a.id != b.id


def test_bad_keys(db_session: Any, draft: Any, staff: Any) -> None:
    for key in ("x" * 101, "with space", "tiếng"):
        with pytest.raises(ValidationError) as caught:
            log_contribution(db_session, staff, payload(draft), idempotency_key=key)
        assert "Idempotency-Key" in caught.value.fields
    row, created = log_contribution(db_session, staff, payload(draft), idempotency_key="  ")
    assert created and row.idempotency_key is None


# --- edit and withdraw -------------------------------------------------------------------------
def test_edit_checks_every_rule_and_is_audited(db_session: Any, draft: Any, staff: Any) -> None:
    row = log(db_session, staff, document=draft)
    edited = edit_contribution(
        db_session, staff, row.id, {"title": "Mới", "version": 1, "articles": ["dieu-4"]}
    )
    assert (edited.title, edited.version.seq, edited.articles) == ("Mới", 1, ["dieu-4"])
    with pytest.raises(ValidationError) as caught:
        edit_contribution(db_session, staff, row.id, {"delivered_date": today() + dt.timedelta(1)})
    assert "delivered_date" in caught.value.fields
    with pytest.raises(ValidationError) as caught:
        edit_contribution(db_session, staff, row.id, {"person_id": 1})
    assert "person_id" in caught.value.fields
    create, update = events(db_session, row.id)
    assert update.action == "update"
    assert update.before == {"title": create.after["title"], "version": None, "articles": []}
    assert set(update.after) == {"title", "version", "articles"}
    assert update.after["title"] == "Mới"


def test_edit_replaces_the_file(db_session: Any, draft: Any, staff: Any) -> None:
    row = log(db_session, staff, document=draft, upload=Upload("a.txt", "text/plain", b"one"))
    edit_contribution(db_session, staff, row.id, {}, Upload("b.txt", "text/plain", b"two"))
    db_session.expire_all()
    fresh = get_contribution(db_session, row.id)
    assert fresh.file.name == "b.txt" and fresh.file.sha256 == hashlib.sha256(b"two").hexdigest()


def test_editing_a_rejected_contribution_resubmits_it(
    db_session: Any, draft: Any, staff: Any
) -> None:
    row = log(db_session, staff, document=draft)
    row.state, row.reject_reason = "rejected", "thiếu số liệu"
    db_session.flush()
    edit_contribution(db_session, staff, row.id, {"note": "đã bổ sung"})
    assert (row.state, row.reject_reason) == ("submitted", "")
    assert events(db_session, row.id)[-1].action == "resubmit"


@pytest.mark.parametrize("state", ["verified", "withdrawn"])
def test_frozen_states_refuse_edit_and_withdraw(
    db_session: Any, draft: Any, staff: Any, state: str
) -> None:
    row = log(db_session, staff, document=draft)
    row.state = state
    db_session.flush()
    with pytest.raises(Conflict) as caught:
        edit_contribution(db_session, staff, row.id, {"title": "x"})
    assert caught.value.fields == {"state": state}
    with pytest.raises(Conflict):
        withdraw_contribution(db_session, staff, row.id, "")


def test_only_the_author_edits(db_session: Any, draft: Any, staff: Any) -> None:
    row = log(db_session, staff, document=draft)
    for other in (member(db_session, "staff"), member(db_session, "head", unit="UB-PLTP")):
        with pytest.raises(PermissionDenied):
            edit_contribution(db_session, other, row.id, {"title": "x"})
        with pytest.raises(PermissionDenied):
            withdraw_contribution(db_session, other, row.id)
    with pytest.raises(NotFound):
        edit_contribution(db_session, staff, 2**31 - 1, {"title": "x"})


def test_the_person_may_edit_what_their_head_logged(db_session: Any, draft: Any) -> None:
    head = member(db_session, "head", unit="UB-PLTP")
    staff = member(db_session, "staff")
    person = person_of_user(db_session, staff.id)
    row = log(db_session, head, document=draft, person_id=person.id)
    assert edit_contribution(db_session, staff, row.id, {"title": "Sửa"}).person_id == person.id
    assert edit_contribution(db_session, head, row.id, {"title": "Sửa lại"}).title == "Sửa lại"


def test_withdraw(db_session: Any, draft: Any, staff: Any) -> None:
    row = log(db_session, staff, document=draft)
    withdraw_contribution(db_session, staff, row.id, "nhầm dự thảo")
    assert row.state == "withdrawn"
    event = events(db_session, row.id)[-1]
    assert (event.action, event.before, event.after) == (
        "withdraw",
        {"state": "submitted"},
        {"state": "withdrawn", "reason": "nhầm dự thảo"},
    )


# --- own record --------------------------------------------------------------------------------
def test_own_record_by_year_and_state(db_session: Any, staff: Any) -> None:
    draft = make_draft(db_session)
    draft.created_at = dt.datetime(2020, 1, 1)
    db_session.flush()
    person = person_of_user(db_session, staff.id)
    log(db_session, staff, document=draft, delivered_date=dt.date(2024, 3, 1))
    late = log(
        db_session,
        staff,
        document=draft,
        delivered_date=dt.date(2024, 5, 1),
        due_date=dt.date(2024, 4, 1),
    )
    late.state = "verified"
    withdrawn = log(db_session, staff, document=draft, delivered_date=dt.date(2025, 1, 2))
    withdraw_contribution(db_session, staff, withdrawn.id)
    db_session.flush()
    assert [r.delivered_date.year for r in own_contributions(db_session, person.id)] == [
        2025,
        2024,
        2024,
    ]
    assert len(own_contributions(db_session, person.id, year=2024)) == 2
    assert [r.id for r in own_contributions(db_session, person.id, state="verified")] == [late.id]
    with pytest.raises(ValidationError):
        own_contributions(db_session, person.id, state="nope")
    totals = year_totals(db_session, person.id)
    assert totals == [
        {
            "year": 2025,
            "total": 1,
            "late": 0,
            "submitted": 0,
            "verified": 0,
            "rejected": 0,
            "withdrawn": 1,
        },
        {
            "year": 2024,
            "total": 2,
            "late": 1,
            "submitted": 1,
            "verified": 1,
            "rejected": 0,
            "withdrawn": 0,
        },
    ]


def test_check_stage_is_pure() -> None:
    stages = ["A", "B", "C"]
    rules.check_stage("A", stages, "B")
    rules.check_stage("C", stages, "B", history=["A", "C", "B"])  # been there (sent back)
    with pytest.raises(ValidationError):
        rules.check_stage("C", stages, "B")
