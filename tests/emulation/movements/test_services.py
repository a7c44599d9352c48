"""Movement and pledge services: launching and each field's check, the state machine, the
pledge rules, and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from emulation import movements
from emulation.movements import CriterionChoice
from lis.errors import Conflict, PermissionDenied, ValidationError
from tests.emulation.helpers import person
from tests.emulation.movements.helpers import END, START, events, launch, officer


def test_launch_copies_the_default_criteria_and_is_audited(db_session: Any) -> None:
    who = person("UB-KTTC-V")
    m = launch(db_session, units=["UB-PLTP", "UB-KTTC-V"], people=[who.id])
    assert m.state == "open" and m.kind == "thematic"
    assert m.launching_unit.code == "VPQH"
    assert [c["code"] for c in m.criteria] == ["progress", "quality", "effectiveness", "volume"]
    progress = m.criteria[0]
    assert progress == {
        "code": "progress",
        "formula": "progress@1",
        "weight": 30.0,
        "params": {"late_deduction": 0.25},
    }
    volume = next(c for c in m.criteria if c["code"] == "volume")
    assert volume["params"]["kind_weights"]["VERIFY_REPORT"] == 3  # the catalogue's, not {}
    assert [u.code for u in movements.participant_units(m)] == ["UB-KTTC-V", "UB-PLTP"]
    assert [p.id for p in movements.participant_people(m)] == [who.id]
    (event,) = events(db_session, "movement.launch", m.id)
    assert event.entity == "movement" and event.before is None
    assert event.after["participants"] == {"units": ["UB-KTTC-V", "UB-PLTP"], "people": [who.id]}


def test_chosen_criteria_take_their_own_weights_and_parameters(db_session: Any) -> None:
    m = launch(
        db_session,
        criteria=[
            CriterionChoice("adoption", 10),
            CriterionChoice("volume", params={"target": 6, "kind_weights": {"PUBLICATION": 2}}),
        ],
    )
    adoption, volume = m.criteria
    assert adoption["code"] == "adoption" and adoption["weight"] == 10.0
    assert volume["weight"] == 15.0  # the catalogue's
    assert volume["params"]["target"] == 6.0
    kinds = volume["params"]["kind_weights"]
    assert kinds["PUBLICATION"] == 2.0 and kinds["VERIFY_REPORT"] == 3.0  # merged, not replaced


BAD_LAUNCHES = [
    ({"name": "  "}, "name"),
    ({"name": "x" * 301}, "name"),
    ({"theme": "x" * 5001}, "theme"),
    ({"slogan": "x" * 301}, "slogan"),
    ({"launching_unit": "NOPE"}, "launching_unit"),
    ({"launching_unit": "UB-PL"}, "launching_unit"),  # closed in the 2025 restructuring
    ({"kind": "yearly"}, "kind"),
    ({"start_date": None}, "start_date"),
    ({"start_date": dt.date(1989, 12, 31)}, "start_date"),
    ({"end_date": dt.date(2101, 1, 1)}, "end_date"),
    ({"start_date": END, "end_date": START}, "end_date"),
    ({"units": []}, "participants"),
    ({"units": ["UB-PLTP", "UB-PLTP"]}, "participants.units"),
    ({"units": ["NOPE"]}, "participants.units"),
    ({"units": ["UB-PLTP"] * 501}, "participants"),
    ({"people": [2**31]}, "participants.people"),
    ({"criteria": [CriterionChoice("charisma")]}, "criteria"),
    ({"criteria": []}, "criteria"),
    ({"criteria": [CriterionChoice("progress")] * 2}, "criteria"),
    ({"criteria": [CriterionChoice("progress", -1)]}, "criteria.progress.weight"),
    ({"criteria": [CriterionChoice("progress", float("nan"))]}, "criteria.progress.weight"),
    ({"criteria": [CriterionChoice("progress", 0)]}, "criteria.weight"),
    (
        {"criteria": [CriterionChoice("progress", params={"late_deduction": "x"})]},
        "criteria.progress.params.late_deduction",
    ),
    (
        {"criteria": [CriterionChoice("progress", params={"speed": 1})]},
        "criteria.progress.params.speed",
    ),
]


@pytest.mark.parametrize(("change", "field"), BAD_LAUNCHES)
def test_each_field_is_checked(db_session: Any, change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        launch(db_session, **change)
    assert field in caught.value.fields, caught.value.fields


def test_people_must_be_active_and_listed_once(db_session: Any) -> None:
    gone = person(active=False)
    with pytest.raises(ValidationError) as caught:
        launch(db_session, people=[gone.id])
    assert "participants.people" in caught.value.fields
    here = person()
    with pytest.raises(ValidationError) as caught:
        launch(db_session, people=[here.id, here.id])
    assert "twice" in caught.value.fields["participants.people"]


@pytest.mark.parametrize("role", ["deputy", "staff", "head"])
def test_only_officers_council_and_admins_launch(
    db_session: Any, make_user: Any, role: str
) -> None:
    with pytest.raises(PermissionDenied):
        launch(db_session, make_user(role))


@pytest.mark.parametrize("role", ["admin", "officer", "council"])
def test_runners_launch(db_session: Any, make_user: Any, role: str) -> None:
    assert launch(db_session, make_user(role)).state == "open"


def test_update_close_review_state_machine(db_session: Any) -> None:
    actor = officer()
    m = launch(db_session, actor)
    movements.update(
        db_session,
        actor,
        m.id,
        name="Tên mới",
        end_date=dt.date(2025, 6, 30),
        units=["UB-KTTC"],
        criteria=[CriterionChoice("quality", 1)],
    )
    assert m.name == "Tên mới" and m.end_date == dt.date(2025, 6, 30)
    assert [u.code for u in movements.participant_units(m)] == ["UB-KTTC"]
    assert [c["code"] for c in m.criteria] == ["quality"]
    (event,) = events(db_session, "movement.update", m.id)
    assert event.before["name"] != event.after["name"] == "Tên mới"
    assert "criteria" in event.summary and "participants" in event.summary

    with pytest.raises(Conflict):
        movements.review(db_session, actor, m.id, "too early")
    with pytest.raises(ValidationError) as caught:
        movements.update(db_session, actor, m.id, start_date=dt.date(2025, 7, 1))
    assert "end_date" in caught.value.fields

    movements.close(db_session, actor, m.id)
    assert m.state == "closed" and m.closed_at is not None
    assert events(db_session, "movement.close", m.id)[0].after["state"] == "closed"
    for call in (
        lambda: movements.close(db_session, actor, m.id),
        lambda: movements.update(db_session, actor, m.id, name="x"),
    ):
        with pytest.raises(Conflict) as conflict:
            call()
        assert "closed" in conflict.value.message
    with pytest.raises(ValidationError) as caught:
        movements.review(db_session, actor, m.id, " ")
    assert "note" in caught.value.fields

    movements.review(db_session, actor, m.id, "Hoàn thành tốt các chỉ tiêu.")
    assert m.state == "reviewed" and m.reviewed_at is not None
    assert m.review_note == "Hoàn thành tốt các chỉ tiêu."
    (event,) = events(db_session, "movement.review", m.id)
    assert event.before["state"] == "closed" and event.after["state"] == "reviewed"
    with pytest.raises(Conflict):
        movements.review(db_session, actor, m.id, "again")


def test_an_unchanged_update_writes_no_event(db_session: Any) -> None:
    actor = officer()
    m = launch(db_session, actor)
    movements.update(db_session, actor, m.id, name=m.name)
    assert events(db_session, "movement.update", m.id) == []


@pytest.mark.parametrize("role", ["staff", "head", "deputy"])
def test_only_runners_change_close_and_review(db_session: Any, make_user: Any, role: str) -> None:
    m = launch(db_session)
    user = make_user(role)
    for call in (
        lambda: movements.update(db_session, user, m.id, name="x"),
        lambda: movements.close(db_session, user, m.id),
        lambda: movements.review(db_session, user, m.id, "x"),
    ):
        with pytest.raises(PermissionDenied):
            call()


# --------------------------------------------------------------------------
# Pledges
# --------------------------------------------------------------------------


@pytest.fixture
def running(db_session: Any, make_member: Any) -> dict[str, Any]:
    """A movement of the law committee (its department comes along) and one person of the
    economic committee listed by name."""
    outsider_listed = make_member("staff", unit="UB-KTTC-V")
    listed = movements.person_of_user(db_session, outsider_listed.id)
    actor = officer()
    m = launch(db_session, actor, units=["UB-PLTP"], people=[listed.id])
    return {"m": m, "officer": actor, "listed": outsider_listed}


def test_staff_file_for_themselves_through_a_unit_above_theirs(
    db_session: Any, make_member: Any, running: Any
) -> None:
    staff = make_member("staff", unit="UB-PLTP-V")
    m = running["m"]
    pledge = movements.file_pledge(db_session, staff, m.id, title="LDTT", note="Phấn đấu")
    own = movements.person_of_user(db_session, staff.id)
    assert pledge.person_id == own.id and pledge.unit_id is None
    assert pledge.state == "filed" and pledge.filed_by_id == staff.id
    (event,) = events(db_session, "pledge.file", pledge.id)
    assert event.entity == "pledge" and event.after["title"] == "LDTT"
    # Naming oneself is the same; one standing pledge per subject and title.
    with pytest.raises(Conflict) as caught:
        movements.file_pledge(db_session, staff, m.id, title="LDTT", person_id=own.id)
    assert caught.value.fields == {"title": "already pledged"}
    assert movements.file_pledge(db_session, staff, m.id, title="CSTDCS").id != pledge.id


def test_a_person_listed_by_name_takes_part(db_session: Any, running: Any) -> None:
    pledge = movements.file_pledge(db_session, running["listed"], running["m"].id, title="LDTT")
    assert pledge.person is not None


def test_the_title_must_fit_the_subject(db_session: Any, make_member: Any, running: Any) -> None:
    staff = make_member("staff", unit="UB-PLTP-V")
    with pytest.raises(ValidationError) as caught:
        movements.file_pledge(db_session, staff, running["m"].id, title="TTLDXS")
    assert "title" in caught.value.fields
    head = make_member("head", unit="UB-PLTP-V")
    with pytest.raises(ValidationError) as caught:
        movements.file_pledge(db_session, head, running["m"].id, title="LDTT", unit="UB-PLTP-V")
    assert "title" in caught.value.fields
    with pytest.raises(ValidationError) as caught:
        movements.file_pledge(db_session, staff, running["m"].id, title="NOPE")
    assert caught.value.fields == {"title": "unknown title"}


def test_non_participants_are_refused(db_session: Any, make_member: Any, running: Any) -> None:
    outsider = make_member("staff", unit="UB-VHXH-V")
    with pytest.raises(ValidationError) as caught:
        movements.file_pledge(db_session, outsider, running["m"].id, title="LDTT")
    assert caught.value.fields == {"person": "not a participant"}
    head = make_member("head", unit="UB-VHXH-V")
    with pytest.raises(ValidationError) as caught:
        movements.file_pledge(db_session, head, running["m"].id, title="TTLDTT", unit="UB-VHXH-V")
    assert caught.value.fields == {"unit": "not a participant"}
    nobody = officer()  # no person record: must name whom the pledge is for
    with pytest.raises(ValidationError) as caught:
        movements.file_pledge(db_session, nobody, running["m"].id, title="LDTT")
    assert "person" in caught.value.fields


def test_who_may_file_for_whom(db_session: Any, make_member: Any, running: Any) -> None:
    m = running["m"]
    staff = make_member("staff", unit="UB-PLTP-V")
    colleague = movements.person_of_user(db_session, make_member("staff", unit="UB-PLTP-V").id)
    with pytest.raises(PermissionDenied):
        movements.file_pledge(db_session, staff, m.id, title="LDTT", person_id=colleague.id)
    with pytest.raises(PermissionDenied):
        movements.file_pledge(db_session, staff, m.id, title="TTLDTT", unit="UB-PLTP-V")
    head = make_member("head", unit="UB-PLTP-V")
    unit_pledge = movements.file_pledge(db_session, head, m.id, title="TTLDTT", unit="UB-PLTP-V")
    assert unit_pledge.unit.code == "UB-PLTP-V"
    with pytest.raises(PermissionDenied):
        movements.file_pledge(db_session, head, m.id, title="TTLDTT", unit="UB-PLTP")
    with pytest.raises(PermissionDenied):
        movements.file_pledge(db_session, head, m.id, title="LDTT", person_id=colleague.id)
    by_officer = movements.file_pledge(
        db_session, running["officer"], m.id, title="LDTT", person_id=colleague.id
    )
    assert by_officer.filed_by_id == running["officer"].id
    assert (
        movements.file_pledge(
            db_session, running["officer"], m.id, title="TTLDXS", unit="UB-PLTP"
        ).unit.code
        == "UB-PLTP"
    )
    for role in ("council", "deputy"):
        with pytest.raises(PermissionDenied):
            movements.file_pledge(
                db_session, make_member(role, unit="UB-PLTP-V"), m.id, title="LDTT"
            )


def test_withdraw_and_file_again(db_session: Any, make_member: Any, running: Any) -> None:
    m = running["m"]
    staff = make_member("staff", unit="UB-PLTP-V")
    other = make_member("staff", unit="UB-PLTP-V")
    pledge = movements.file_pledge(db_session, staff, m.id, title="LDTT")
    with pytest.raises(PermissionDenied):
        movements.withdraw_pledge(db_session, other, pledge.id)
    movements.withdraw_pledge(db_session, staff, pledge.id)
    assert pledge.state == "withdrawn"
    (event,) = events(db_session, "pledge.withdraw", pledge.id)
    assert event.before["state"] == "filed" and event.after["state"] == "withdrawn"
    with pytest.raises(Conflict):
        movements.withdraw_pledge(db_session, staff, pledge.id)
    again = movements.file_pledge(db_session, staff, m.id, title="LDTT")
    movements.withdraw_pledge(db_session, running["officer"], again.id)  # officers may too
    assert again.state == "withdrawn"


def test_pledges_only_while_open(db_session: Any, make_member: Any, running: Any) -> None:
    m = running["m"]
    staff = make_member("staff", unit="UB-PLTP-V")
    pledge = movements.file_pledge(db_session, staff, m.id, title="LDTT")
    movements.close(db_session, running["officer"], m.id)
    with pytest.raises(Conflict):
        movements.file_pledge(db_session, staff, m.id, title="CSTDCS")
    with pytest.raises(Conflict):
        movements.withdraw_pledge(db_session, staff, pledge.id)
    assert movements.subjects_for(db_session, staff, m) == []


def test_a_participant_with_a_pledge_cannot_be_dropped(
    db_session: Any, make_member: Any, running: Any
) -> None:
    m = running["m"]
    staff = make_member("staff", unit="UB-PLTP-V")
    movements.file_pledge(db_session, staff, m.id, title="LDTT")
    with pytest.raises(ValidationError) as caught:
        movements.update(db_session, running["officer"], m.id, units=["UB-KTTC"])
    assert "participants.people" in caught.value.fields


def test_subjects_for_each_reader(db_session: Any, make_member: Any, running: Any) -> None:
    m = running["m"]
    staff = make_member("staff", unit="UB-PLTP-V")
    head = make_member("head", unit="UB-PLTP-V")
    outsider = make_member("staff", unit="UB-VHXH-V")
    assert [s.kind for s in movements.subjects_for(db_session, staff, m)] == ["person"]
    assert [s.key for s in movements.subjects_for(db_session, head, m)][1] == "unit:UB-PLTP-V"
    assert movements.subjects_for(db_session, outsider, m) == []
    keys = {s.key for s in movements.subjects_for(db_session, running["officer"], m)}
    own = movements.person_of_user(db_session, staff.id)
    listed = movements.person_of_user(db_session, running["listed"].id)
    assert {"unit:UB-PLTP", "unit:UB-PLTP-V", f"person:{own.id}", f"person:{listed.id}"} <= keys
    assert "unit:UB-KTTC-V" not in keys
