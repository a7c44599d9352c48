"""Rules of assigning work: who may assign what to whom, validation naming the field, lists,
overdue work with a fixed today, and an audit row for every change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from lis import clock
from lis.assignments import services
from lis.assignments.models import Assignment
from lis.audit.models import AuditEvent
from lis.clock import today
from lis.errors import Conflict, PermissionDenied, ValidationError
from tests.assignments.helpers import draft, make_assignment, person_in
from tests.factories import DocumentFactory, unit_by_code

DAY = dt.timedelta(days=1)


def audit_of(session: Any, a: Assignment) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(
        AuditEvent.entity == "assignment", AuditEvent.entity_id == str(a.id)
    )
    return list(session.scalars(stmt.order_by(AuditEvent.id)))


# ---------------------------------------------------------------- who may assign


def test_a_committee_head_assigns_to_the_committee_and_its_department(
    db_session: Any, make_member: Any
) -> None:
    head = make_member("head", unit="UB-PLTP")
    doc = draft()
    for unit in ("UB-PLTP", "UB-PLTP-V"):
        a = make_assignment(db_session, head, doc, unit=unit)
        assert (a.state, a.unit.code, a.assigned_by_id) == ("open", unit, head.id)
        assert a.title == "Chuẩn bị báo cáo thẩm tra"  # the kind of work's name by default


def test_a_department_head_cannot_assign_to_the_committee_above(
    db_session: Any, make_member: Any
) -> None:
    head = make_member("head", unit="UB-PLTP-V")
    doc = draft()
    make_assignment(db_session, head, doc, unit="UB-PLTP-V")
    with pytest.raises(PermissionDenied) as err:
        make_assignment(db_session, head, doc, unit="UB-PLTP")
    assert "unit" in err.value.fields


def test_a_head_cannot_assign_to_another_committee(db_session: Any, make_member: Any) -> None:
    head = make_member("head", unit="UB-PLTP")
    with pytest.raises(PermissionDenied):
        make_assignment(db_session, head, draft(), unit="UB-KTTC-V")


def test_admins_assign_anywhere_without_a_person(db_session: Any, make_user: Any) -> None:
    a = make_assignment(db_session, make_user("admin"), draft(), unit="UB-KTTC-V")
    assert a.unit.code == "UB-KTTC-V"


@pytest.mark.parametrize("role", ["staff", "deputy", "officer", "council"])
def test_other_roles_cannot_assign(role: str, db_session: Any, make_member: Any) -> None:
    with pytest.raises(PermissionDenied):
        make_assignment(db_session, make_member(role, unit="UB-PLTP"), draft())


def test_a_head_without_a_person_record_cannot_assign(db_session: Any, make_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        make_assignment(db_session, make_user("head"), draft())


# ---------------------------------------------------------------- validation


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user("admin")


def field_of(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.fields)


def test_the_stage_must_belong_to_the_drafts_machine(db_session: Any, admin: Any) -> None:
    with pytest.raises(ValidationError) as err:
        make_assignment(db_session, admin, draft(), stage="S_NOWHERE", work_kind="RESEARCH_BRIEF")
    assert field_of(err) == {"stage"}
    # S_UBTVQH_DEBATE is an ordinance's stage, not a law's
    with pytest.raises(ValidationError) as err:
        make_assignment(
            db_session, admin, draft(), stage="S_UBTVQH_DEBATE", work_kind="UBTVQH_BRIEF"
        )
    assert field_of(err) == {"stage"}
    ordinance = draft(kind="ordinance", stage="S_UBTVQH_DEBATE")
    a = make_assignment(
        db_session, admin, ordinance, stage="S_UBTVQH_DEBATE", work_kind="UBTVQH_BRIEF"
    )
    assert a.stage == "S_UBTVQH_DEBATE"


def test_the_work_kind_must_exist_and_fit_the_stage(db_session: Any, admin: Any) -> None:
    with pytest.raises(ValidationError) as err:
        make_assignment(db_session, admin, draft(), work_kind="NO_SUCH_WORK")
    assert field_of(err) == {"work_kind"}
    with pytest.raises(ValidationError) as err:  # explanation belongs to S_REVISION
        make_assignment(db_session, admin, draft(), work_kind="EXPLAIN_ACCEPT")
    assert field_of(err) == {"work_kind"}
    ok = make_assignment(
        db_session, admin, draft(stage="S_REVISION"), stage="S_REVISION", work_kind="EXPLAIN_ACCEPT"
    )
    assert ok.work_kind.code == "EXPLAIN_ACCEPT"


def test_work_may_be_assigned_for_a_later_stage(db_session: Any, admin: Any) -> None:
    a = make_assignment(
        db_session, admin, draft(), stage="S_REVISION", work_kind="COMPARISON_TABLE"
    )
    assert a.stage == "S_REVISION"


def test_the_person_must_be_in_the_assignee_unit(db_session: Any, admin: Any) -> None:
    inside, outside = person_in("UB-PLTP-V"), person_in("UB-KTTC-V")
    with pytest.raises(ValidationError) as err:
        make_assignment(db_session, admin, draft(), person_id=outside.id)
    assert field_of(err) == {"person"}
    with pytest.raises(ValidationError) as err:
        make_assignment(db_session, admin, draft(), person_id=987654)
    assert field_of(err) == {"person"}
    inside_committee = person_in("UB-PLTP")
    with pytest.raises(ValidationError):  # the committee's person is not in its department
        make_assignment(db_session, admin, draft(), person_id=inside_committee.id)
    assert make_assignment(db_session, admin, draft(), person_id=inside.id).person == inside


def test_due_dates_must_be_sane(db_session: Any, admin: Any) -> None:
    doc = draft()
    created = clock.local_date(doc.created_at)
    with pytest.raises(ValidationError) as err:
        make_assignment(db_session, admin, doc, due_date=created - DAY)
    assert field_of(err) == {"due_date"}
    fixed_today = dt.date(2026, 6, 1)
    late = dt.date(2031, 6, 2)
    with pytest.raises(ValidationError) as err:
        make_assignment(db_session, admin, doc, due_date=late, today=fixed_today)
    assert field_of(err) == {"due_date"}
    ok = make_assignment(db_session, admin, doc, due_date=dt.date(2031, 6, 1), today=fixed_today)
    assert ok.due_date == dt.date(2031, 6, 1)
    assert make_assignment(db_session, admin, doc, due_date=created).due_date == created


def test_only_drafts_take_assignments(db_session: Any, admin: Any) -> None:
    imported = DocumentFactory(stage="S_IN_FORCE")
    with pytest.raises(ValidationError) as err:
        make_assignment(db_session, admin, imported, stage="S_IN_FORCE", work_kind="CONSOLIDATION")
    assert field_of(err) == {"document"}


def test_unknown_and_closed_units_name_the_unit(db_session: Any, admin: Any) -> None:
    for code in ("NOPE", "UB-PL"):  # UB-PL closed in 2025
        with pytest.raises(ValidationError) as err:
            make_assignment(db_session, admin, draft(), unit=code)
        assert field_of(err) == {"unit"}


# ---------------------------------------------------------------- changing and closing


def test_the_assignee_person_marks_done_others_in_the_unit_cannot(
    db_session: Any, make_member: Any
) -> None:
    head = make_member("head", unit="UB-PLTP")
    worker = make_member("staff", unit="UB-PLTP-V")
    colleague = make_member("staff", unit="UB-PLTP-V")
    person = services.person_of_user(db_session, worker.id)
    a = make_assignment(db_session, head, draft(), person_id=person.id)
    with pytest.raises(PermissionDenied):
        services.complete(db_session, colleague, a.id)
    with pytest.raises(PermissionDenied):
        services.cancel(db_session, worker, a.id)
    with pytest.raises(PermissionDenied):
        services.update(db_session, worker, a.id, due_date=today() + 30 * DAY)
    done = services.complete(db_session, worker, a.id, "report sent")
    assert (done.state, done.close_note, done.closed_by_id) == ("done", "report sent", worker.id)
    assert done.closed_at is not None
    with pytest.raises(Conflict):
        services.cancel(db_session, head, a.id)


def test_who_may_change_and_cancel(db_session: Any, make_member: Any, make_user: Any) -> None:
    dept_head = make_member("head", unit="UB-PLTP-V")
    committee_head = make_member("head", unit="UB-PLTP")
    other_head = make_member("head", unit="UB-KTTC")
    a = make_assignment(db_session, dept_head, draft())
    with pytest.raises(PermissionDenied):
        services.cancel(db_session, other_head, a.id)
    # the assigning head and the head above may change it
    services.update(db_session, dept_head, a.id, due_date=today() + 20 * DAY)
    services.update(db_session, committee_head, a.id, due_date=today() + 21 * DAY)
    assert a.due_date == today() + 21 * DAY
    b = make_assignment(db_session, committee_head, draft(), unit="UB-PLTP")
    with pytest.raises(PermissionDenied):  # the committee is above the department head
        services.cancel(db_session, dept_head, b.id)
    services.cancel(db_session, make_user("admin"), b.id, "no longer needed")
    assert b.state == "cancelled"


def test_reassigning_to_a_person_and_another_unit(db_session: Any, make_member: Any) -> None:
    head = make_member("head", unit="UB-PLTP")
    dept_person, committee_person = person_in("UB-PLTP-V"), person_in("UB-PLTP")
    a = make_assignment(db_session, head, draft())
    services.update(db_session, head, a.id, person_id=dept_person.id)
    assert a.person == dept_person
    with pytest.raises(ValidationError) as err:
        services.update(db_session, head, a.id, person_id=committee_person.id)
    assert set(err.value.fields) == {"person"}
    services.update(db_session, head, a.id, unit="UB-PLTP")  # the person stays behind
    assert (a.unit.code, a.person) == ("UB-PLTP", None)
    services.update(db_session, head, a.id, unit="UB-PLTP-V", person_id=dept_person.id)
    assert (a.unit.code, a.person) == ("UB-PLTP-V", dept_person)
    with pytest.raises(PermissionDenied):
        services.update(db_session, head, a.id, unit="UB-KTTC-V")
    with pytest.raises(ValidationError) as err:
        services.update(
            db_session, head, a.id, due_date=clock.local_date(a.document.created_at) - DAY
        )
    assert set(err.value.fields) == {"due_date"}


def test_every_change_is_audited(db_session: Any, make_member: Any) -> None:
    head = make_member("head", unit="UB-PLTP")
    a = make_assignment(db_session, head, draft())
    services.update(db_session, head, a.id, due_date=today() + 40 * DAY, title="Báo cáo thẩm tra")
    services.update(db_session, head, a.id, title="Báo cáo thẩm tra")  # nothing changes
    services.complete(db_session, head, a.id, "xong")
    events = audit_of(db_session, a)
    assert [e.action for e in events] == ["assign", "update", "complete"]
    created, changed, completed = events
    assert created.before is None and created.after["unit"] == "UB-PLTP-V"
    assert created.after["work_kind"] == "VERIFY_REPORT" and created.actor_id == head.id
    assert changed.before["title"] == "Chuẩn bị báo cáo thẩm tra"
    assert changed.after["title"] == "Báo cáo thẩm tra"
    assert changed.after["due_date"] == (today() + 40 * DAY).isoformat()
    assert (completed.before["state"], completed.after["state"]) == ("open", "done")
    b = make_assignment(db_session, head, draft())
    services.cancel(db_session, head, b.id, "trùng")
    assert [e.action for e in audit_of(db_session, b)] == ["assign", "cancel"]


# ---------------------------------------------------------------- lists


def test_lists_per_unit_person_and_overdue_with_a_fixed_today(
    db_session: Any, make_user: Any
) -> None:
    admin = make_user("admin")
    doc = draft()
    p1, p2 = person_in("UB-PLTP-V"), person_in("UB-PLTP-V")
    today = clock.local_date(doc.created_at) + 10 * DAY

    def mk(unit: str, due: int, person: Any = None) -> Assignment:
        return make_assignment(
            db_session,
            admin,
            doc,
            unit=unit,
            due_date=clock.local_date(doc.created_at) + due * DAY,
            person_id=person.id if person else None,
            today=today,
        )

    late1 = mk("UB-PLTP-V", 3, p1)
    late2 = mk("UB-PLTP-V", 9, p2)
    due_today = mk("UB-PLTP-V", 10, p1)
    upper = mk("UB-PLTP", 30)
    elsewhere = mk("UB-KTTC-V", 1)
    closed = mk("UB-PLTP-V", 2, p1)
    services.complete(db_session, admin, closed.id)

    def ids(stmt: Any) -> list[int]:
        return [a.id for a in db_session.scalars(stmt)]

    dept, committee = unit_by_code("UB-PLTP-V"), unit_by_code("UB-PLTP")
    assert ids(services.open_for_unit(db_session, dept.id)) == [late1.id, late2.id, due_today.id]
    assert ids(services.open_for_unit(db_session, committee.id)) == [upper.id]
    assert ids(services.open_for_unit(db_session, committee.id, include_sub_units=True)) == [
        late1.id,
        late2.id,
        due_today.id,
        upper.id,
    ]
    assert ids(services.open_for_person(db_session, p1.id)) == [late1.id, due_today.id]
    scope = services.unit_and_descendants(db_session, committee.id)
    assert ids(services.overdue(db_session, today, unit_ids=scope)) == [late1.id, late2.id]
    assert ids(services.overdue(db_session, today, person_id=p2.id)) == [late2.id]
    assert elsewhere.id in ids(services.overdue(db_session, today))
    assert late1.days_late(today) == 7 and due_today.days_late(today) == 0
    assert closed.days_late(today) == 0
    assert [a.id for a in services.for_document(db_session, doc.id)][-1] == closed.id
    by_unit = {
        c.label: (c.open, c.overdue) for c in services.counts_by_unit(db_session, scope, today)
    }
    assert by_unit == {"UB-PLTP": (1, 0), "UB-PLTP-V": (3, 2)}
    by_person = {
        c.key: (c.open, c.overdue) for c in services.counts_by_person(db_session, scope, today)
    }
    assert by_person == {p1.id: (2, 1), p2.id: (1, 1)}


def test_what_each_role_reads(db_session: Any, make_member: Any, make_user: Any) -> None:
    admin = make_user("admin")
    doc = draft()
    mine = make_assignment(db_session, admin, doc, unit="UB-PLTP-V")
    other = make_assignment(db_session, admin, doc, unit="UB-KTTC-V")
    f = services.AssignmentFilter(document_id=doc.id)

    def seen(actor: Any) -> set[int]:
        return {
            a.id
            for a in db_session.scalars(services.list_assignments(db_session, actor, f, today()))
        }

    assert seen(make_member("staff", unit="UB-PLTP-V")) == {mine.id}
    assert seen(make_member("staff", unit="UB-PLTP")) == set()  # the department's work is its own
    assert seen(make_member("head", unit="UB-PLTP")) == {mine.id}
    for role in ("officer", "council", "admin"):
        assert seen(make_member(role, unit="UB-PLTP-V")) == {mine.id, other.id}
    assert seen(make_member("deputy", unit="UB-PLTP-V")) == set()
