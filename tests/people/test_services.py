"""Unit and people services against the real database: rules, errors naming the field, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from lis.audit.models import AuditEvent
from lis.errors import Conflict, ValidationError
from lis.people import queries
from lis.people import services as people
from lis.reference import services as units
from lis.reference.models import Unit
from tests.factories import DocumentFactory, PersonFactory, unit_by_code

DAY = dt.date(2026, 1, 1)


def audit_of(session: Any, entity: str, entity_id: object) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(
        AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id)
    )
    return list(session.scalars(stmt.order_by(AuditEvent.id)))


def new_unit(session: Any, code: str = "UB-PLTP-P1", parent: str = "UB-PLTP-V", **kw: Any) -> Unit:
    values = {"name": "Phòng Một", "name_en": "Section One", "kind": "department", **kw}
    return units.create_unit(session, actor=None, code=code, parent=parent, **values)


# --- units ------------------------------------------------------------------------------------
def test_create_unit_is_audited(db_session: Any, make_user: Any) -> None:
    admin = make_user("admin")
    unit = units.create_unit(
        db_session,
        actor=admin,
        code=" ub-pltp-p1 ",
        name=" Phòng Pháp luật ",
        name_en="Law Section",
        kind="department",
        parent="UB-PLTP-V",
    )
    assert unit.code == "UB-PLTP-P1" and unit.name == "Phòng Pháp luật"
    assert unit.parent.code == "UB-PLTP-V" and unit.valid_to is None
    (event,) = audit_of(db_session, "unit", "UB-PLTP-P1")
    assert (event.action, event.actor_email, event.before) == ("create", admin.email, None)
    assert event.after["parent"] == "UB-PLTP-V" and event.after["name_en"] == "Law Section"


def test_create_unit_names_each_bad_field(db_session: Any) -> None:
    with pytest.raises(ValidationError) as bad:
        units.create_unit(
            db_session,
            actor=None,
            code="bad code",
            name=" ",
            name_en="",
            kind="club",
            parent="NOPE",
        )
    assert bad.value.fields == {
        "code": units.BAD_CODE,
        "name": units.REQUIRED,
        "name_en": units.REQUIRED,
        "kind": units.UNKNOWN_KIND,
        "parent": units.UNKNOWN_UNIT,
    }
    with pytest.raises(ValidationError) as orphan:
        new_unit(db_session, parent="")
    assert orphan.value.fields == {"parent": units.ROOT_ONLY}
    with pytest.raises(ValidationError) as closed:
        new_unit(db_session, parent="UB-PL")  # closed in 2025
    assert closed.value.fields == {"parent": units.CLOSED_UNIT}


def test_unit_codes_are_unique(db_session: Any) -> None:
    with pytest.raises(Conflict) as used:
        new_unit(db_session, code="UB-PLTP-V")
    assert used.value.status == 409 and used.value.fields == {"code": units.CODE_USED}


def test_update_unit_moves_and_refuses_cycles(db_session: Any) -> None:
    child = new_unit(db_session)
    grandchild = new_unit(db_session, code="UB-PLTP-P1-A", parent="UB-PLTP-P1")
    parent = unit_by_code("UB-PLTP-V")
    for target in ("UB-PLTP-V", "UB-PLTP-P1", "UB-PLTP-P1-A"):
        with pytest.raises(ValidationError) as cycle:
            units.update_unit(db_session, parent, actor=None, changes={"parent": target})
        assert cycle.value.fields == {"parent": units.CYCLE}, target
    units.update_unit(
        db_session,
        grandchild,
        actor=None,
        changes={"parent": "UB-KTTC-V", "name": "Phòng Hai", "note": "chuyển"},
    )
    assert grandchild.parent.code == "UB-KTTC-V" and grandchild.name == "Phòng Hai"
    update = audit_of(db_session, "unit", "UB-PLTP-P1-A")[-1]
    assert update.action == "update"
    assert (update.before["parent"], update.after["parent"]) == ("UB-PLTP-P1", "UB-KTTC-V")
    with pytest.raises(ValidationError) as read_only:
        units.update_unit(db_session, child, actor=None, changes={"code": "X"})
    assert read_only.value.fields == {"code": "read only"}


def test_close_unit_keeps_the_row(db_session: Any) -> None:
    unit = new_unit(db_session)
    units.close_unit(db_session, unit, actor=None, on=DAY, replaced_by="UB-PLTP-V")
    db_session.expire_all()
    row = db_session.scalar(select(Unit).where(Unit.code == "UB-PLTP-P1"))
    assert row is not None and row.valid_to == DAY and row.replaced_by.code == "UB-PLTP-V"
    event = audit_of(db_session, "unit", "UB-PLTP-P1")[-1]
    assert event.action == "close" and event.after["valid_to"] == "2026-01-01"
    assert event.before["valid_to"] is None
    with pytest.raises(Conflict) as again:
        units.close_unit(db_session, row, actor=None, on=DAY)
    assert again.value.fields == {"valid_to": units.ALREADY_CLOSED}


def test_close_is_refused_while_people_or_open_sub_units_remain(db_session: Any) -> None:
    unit = new_unit(db_session)
    child = new_unit(db_session, code="UB-PLTP-P1-A", parent="UB-PLTP-P1")
    person = PersonFactory(unit=unit)
    with pytest.raises(Conflict) as refused:
        units.close_unit(db_session, unit, actor=None, on=DAY)
    assert refused.value.status == 409
    assert refused.value.fields == {"people": units.HAS_PEOPLE, "children": units.HAS_CHILDREN}
    assert "1 active people" in refused.value.message and "UB-PLTP-P1-A" in refused.value.message
    people.set_active(db_session, person, False, actor=None)
    units.close_unit(db_session, child, actor=None, on=DAY)
    units.close_unit(db_session, unit, actor=None, on=DAY)  # inactive people and closed units stay
    assert unit.valid_to == DAY and person.unit is unit


def test_close_checks_the_date_and_successor(db_session: Any) -> None:
    unit = new_unit(db_session, valid_from=DAY)
    with pytest.raises(ValidationError) as bad:
        units.close_unit(db_session, unit, actor=None, on=DAY - dt.timedelta(days=1))
    assert bad.value.fields == {"valid_to": units.BEFORE_OPENING}
    cases = {"UB-PLTP-P1": units.SELF_SUCCESSOR, "NOPE": units.UNKNOWN_UNIT}
    cases["UB-PL"] = units.CLOSED_UNIT
    for code, problem in cases.items():
        with pytest.raises(ValidationError) as wrong:
            units.close_unit(db_session, unit, actor=None, on=DAY, replaced_by=code)
        assert wrong.value.fields == {"replaced_by": problem}, code


def test_delete_only_an_unreferenced_unit(db_session: Any) -> None:
    PersonFactory(unit=unit_by_code("UB-PLTP-V"))
    for code in ("UB-PLTP-V", "UB-PLTP", "QH"):  # people, children, successors
        with pytest.raises(Conflict) as refused:
            units.delete_unit(db_session, unit_by_code(code), actor=None)
        assert refused.value.fields == {"code": units.REFERENCED}
    with pytest.raises(Conflict) as closed:
        units.delete_unit(db_session, unit_by_code("UB-PL"), actor=None)
    assert closed.value.fields == {"code": units.KEPT_CLOSED}
    spare = new_unit(db_session)
    DocumentFactory(lead_unit_id=spare.id)
    with pytest.raises(Conflict) as by_document:
        units.delete_unit(db_session, spare, actor=None)
    assert "documents (1)" in by_document.value.message
    lone = new_unit(db_session, code="UB-PLTP-P2")
    units.delete_unit(db_session, lone, actor=None)
    assert db_session.scalar(select(Unit).where(Unit.code == "UB-PLTP-P2")) is None
    assert audit_of(db_session, "unit", "UB-PLTP-P2")[-1].before["code"] == "UB-PLTP-P2"


# --- people -----------------------------------------------------------------------------------
def test_create_person_linked_to_a_user(db_session: Any, make_user: Any) -> None:
    admin, user = make_user("admin"), make_user("staff")
    person = people.create_person(
        db_session,
        actor=admin,
        name=" Nguyễn Văn An ",
        email=" An.Nguyen@Test.lis.vn ",
        position="Chuyên viên",
        unit="ub-pltp-v",
        user=user.email.upper(),
    )
    assert (person.name, person.email, person.unit.code) == (
        "Nguyễn Văn An",
        "an.nguyen@test.lis.vn",
        "UB-PLTP-V",
    )
    assert person.user is user and person.active
    assert queries.person_of_user(db_session, user.id) is person
    (event,) = audit_of(db_session, "person", person.id)
    assert event.action == "create" and event.actor_email == admin.email
    assert event.after["user"] == user.email and event.after["unit"] == "UB-PLTP-V"


def test_create_person_names_each_bad_field(db_session: Any) -> None:
    with pytest.raises(ValidationError) as bad:
        people.create_person(
            db_session, actor=None, name="", email="not-an-email", unit="NOPE", user="x@y.vn"
        )
    assert bad.value.fields == {
        "name": people.REQUIRED,
        "email": people.BAD_EMAIL,
        "unit": units.UNKNOWN_UNIT,
        "user": people.NO_USER,
    }
    with pytest.raises(ValidationError) as closed:
        people.create_person(db_session, actor=None, name="A", unit="UB-PL")
    assert closed.value.fields == {"unit": units.CLOSED_UNIT}


def test_email_and_user_belong_to_one_person(db_session: Any, make_user: Any) -> None:
    user = make_user("staff")
    first = PersonFactory(email="same@test.lis.vn", user=user)
    with pytest.raises(Conflict) as email:
        people.create_person(
            db_session, actor=None, name="B", email="SAME@test.lis.vn", unit="UB-PLTP-V"
        )
    assert email.value.fields == {"email": people.EMAIL_USED}
    with pytest.raises(Conflict) as linked:
        people.create_person(db_session, actor=None, name="B", unit="UB-PLTP-V", user=user.email)
    assert linked.value.fields == {"user": people.USER_LINKED}
    # The person itself may keep both.
    people.update_person(
        db_session, first, actor=None, changes={"email": "same@test.lis.vn", "user": user.email}
    )
    assert first.user is user
    # No e-mail is no clash: several people may have none.
    a = people.create_person(db_session, actor=None, name="C", unit="UB-PLTP-V", email="")
    b = people.create_person(db_session, actor=None, name="D", unit="UB-PLTP-V")
    assert a.email is None and b.email is None


def test_move_relink_unlink_deactivate(db_session: Any, make_user: Any) -> None:
    old, new = make_user("staff"), make_user("staff")
    person = PersonFactory(user=old)
    people.update_person(db_session, person, actor=None, changes={"unit": "VPQH-TH"})
    people.update_person(db_session, person, actor=None, changes={"user": new.email})
    assert person.unit.code == "VPQH-TH" and person.user is new
    people.update_person(db_session, person, actor=None, changes={"user": None})
    assert person.user is None
    people.set_active(db_session, person, False, actor=None)
    assert queries.person_of_user(db_session, new.id) is None and not person.active
    people.set_active(db_session, person, True, actor=None)
    actions = [e.action for e in audit_of(db_session, "person", person.id)]
    assert actions == ["move", "link", "unlink", "deactivate", "activate"]
    moved = audit_of(db_session, "person", person.id)[0]
    assert (moved.before["unit"], moved.after["unit"]) == ("UB-PLTP-V", "VPQH-TH")
    with pytest.raises(ValidationError) as bad:
        people.update_person(db_session, person, actor=None, changes={"unit": "UB-PL"})
    assert bad.value.fields == {"unit": units.CLOSED_UNIT}
    with pytest.raises(ValidationError) as read_only:
        people.update_person(db_session, person, actor=None, changes={"id": 3})
    assert read_only.value.fields == {"id": people.READ_ONLY}


def test_nothing_changed_writes_no_event(db_session: Any) -> None:
    person = PersonFactory()
    people.update_person(db_session, person, actor=None, changes={"name": person.name})
    assert audit_of(db_session, "person", person.id) == []


def test_people_of_a_closed_unit(db_session: Any) -> None:
    unit = new_unit(db_session)
    person = PersonFactory(unit=unit)
    people.set_active(db_session, person, False, actor=None)
    units.close_unit(db_session, unit, actor=None, on=DAY)
    # Still editable where they are; reactivating needs an open unit.
    people.update_person(
        db_session, person, actor=None, changes={"position": "Chuyên viên chính", "unit": unit.code}
    )
    with pytest.raises(ValidationError) as closed:
        people.set_active(db_session, person, True, actor=None)
    assert closed.value.fields == {"unit": units.CLOSED_UNIT}
    people.update_person(
        db_session, person, actor=None, changes={"unit": "UB-PLTP-V", "active": True}
    )
    assert person.active and person.unit.code == "UB-PLTP-V"


def test_list_people_folds_diacritics_and_filters(db_session: Any) -> None:
    parent = new_unit(db_session, code="UB-PLTP-X", parent="UB-PLTP")
    child = new_unit(db_session, code="UB-PLTP-X1", parent="UB-PLTP-X")
    a = PersonFactory(name="Nguyễn Thị Ánh", email="anh@x.vn", unit=parent)
    b = PersonFactory(name="Đặng Văn Bình", email="binh@x.vn", unit=child)
    c = PersonFactory(name="Nguyen Van Cuong", email="cuong@x.vn", unit=child, active=False)

    def names(**kw: Any) -> list[str]:
        return [p.name for p in queries.list_people(db_session, queries.PeopleFilter(**kw))[1]]

    assert names(unit="UB-PLTP-X") == [a.name]
    assert names(unit="ub-pltp-x", sub_units=True) == [b.name, a.name, c.name]  # folded order
    assert names(unit="UB-PLTP-X", sub_units=True, active=True) == [b.name, a.name]
    assert names(unit="UB-PLTP-X", sub_units=True, active=False) == [c.name]
    assert names(q="nguyen", unit="UB-PLTP-X1") == [c.name]
    assert names(q="NGUYỄN ánh") == [a.name]
    assert names(q="dang binh") == [b.name]
    assert names(q="Đặng") == [b.name]
    assert names(q="cuong@x") == [c.name]
    total, page = queries.list_people(
        db_session, queries.PeopleFilter(unit="UB-PLTP-X", sub_units=True), page=2, per_page=2
    )
    assert total == 3 and [p.name for p in page] == [c.name]
