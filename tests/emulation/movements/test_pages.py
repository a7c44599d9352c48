"""The movement pages per role: the list, the form to launch and change, the movement's page
with its pledge form and buttons, and the criteria catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from emulation import movements
from emulation.models import Movement, Pledge
from lis.auth.models import ROLES
from tests.emulation.movements.helpers import events, launch

READERS = {"admin", "officer", "council", "head", "staff"}
RUNNERS = {"admin", "officer", "council"}
FORM = {
    "name": "Thi đua lập thành tích chào mừng kỳ họp",
    "theme": "Phục vụ kỳ họp",
    "slogan": "Chuyên nghiệp",
    "launching_unit": "VPQH",
    "kind": "thematic",
    "start_date": "2025-03-01",
    "end_date": "2025-06-30",
    "units": ["UB-PLTP"],
    "people": "",
    "weight_0": "40",  # progress
    "weight_1": "60",  # quality
    "weight_2": "0",
    "weight_3": "0",
    "weight_4": "0",
}


@pytest.fixture
def m(db_session: Any) -> Movement:
    row = launch(db_session)
    db_session.commit()  # a failed form rolls back to here (a savepoint in tests)
    return row


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(role: str, client: FlaskClient, login: Any, m: Movement) -> None:
    login(role, unit="UB-PLTP-V")
    for path in ("/emulation/movements/", f"/emulation/movements/{m.id}", "/emulation/criteria"):
        assert client.get(path).status_code == (200 if role in READERS else 403), path
    for path in ("/emulation/movements/new", f"/emulation/movements/{m.id}/edit"):
        assert client.get(path).status_code == (200 if role in RUNNERS else 403), path
    if role in READERS:
        html = client.get("/emulation/movements/?lang=en").get_data(as_text=True)
        assert m.name in html
        assert ('id="launch-movement"' in html) == (role in RUNNERS)
        page = client.get(f"/emulation/movements/{m.id}?lang=en").get_data(as_text=True)
        assert ("Close the movement" in page) == (role in RUNNERS)
        # Everyone here takes part (their unit is under UB-PLTP); council files no pledges.
        assert ("pledge-form" in page) == (role != "council")


def test_anonymous_is_sent_to_login(client: FlaskClient, m: Movement) -> None:
    for path in (
        "/emulation/movements/",
        "/emulation/movements/new",
        f"/emulation/movements/{m.id}",
        "/emulation/criteria",
    ):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_the_state_filter(client: FlaskClient, login: Any, m: Movement, db_session: Any) -> None:
    other = launch(db_session, name="Phong trào đã đóng")
    movements.close(db_session, other.created_by, other.id)
    login("staff", unit="UB-PLTP-V")
    closed = client.get("/emulation/movements/?state=closed").get_data(as_text=True)
    assert "Phong trào đã đóng" in closed and m.name not in closed
    opened = client.get("/emulation/movements/?state=open").get_data(as_text=True)
    assert m.name in opened and "Phong trào đã đóng" not in opened


def test_an_officer_launches_from_the_form(
    client: FlaskClient, login: Any, db_session: Any, make_member: Any
) -> None:
    listed = make_member("staff", unit="UB-KTTC-V")
    person = movements.person_of_user(db_session, listed.id)
    login("officer", unit="VPQH-TCCB")
    form = dict(FORM, people=f"{listed.email}")
    resp = client.post("/emulation/movements/new", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    row = db_session.scalar(select(Movement).where(Movement.name == FORM["name"]))
    assert row is not None and resp.headers["Location"].endswith(f"/emulation/movements/{row.id}")
    assert [(c["code"], c["weight"]) for c in row.criteria] == [("progress", 40), ("quality", 60)]
    assert [p.id for p in movements.participant_people(row)] == [person.id]
    assert events(db_session, "movement.launch", row.id)
    page = client.get(f"/emulation/movements/{row.id}?lang=en").get_data(as_text=True)
    assert "Share of deliverables delivered by their due date" in page  # what it measures
    assert "Phục vụ kỳ họp" in page and person.name in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_date": "2025-01-01"}, "end_date"),
        ({"name": ""}, "name"),
        ({"units": [], "people": ""}, "units"),
        ({"people": "nobody@nowhere.vn 12345678"}, "people"),
        ({"launching_unit": "UB-PL"}, "launching_unit"),  # closed: not a choice
        ({"weight_0": "-1"}, "weight_0"),
    ],
)
def test_form_errors_name_the_field(
    client: FlaskClient, login: Any, change: dict[str, Any], field: str
) -> None:
    login("officer")
    resp = client.post("/emulation/movements/new", data={**FORM, **change})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert f'id="{field}-error"' in html or (field.startswith("weight") and "field__error" in html)


def test_all_weights_zero_is_refused(client: FlaskClient, login: Any) -> None:
    login("officer")
    zero = {f"weight_{i}": "0" for i in range(5)}
    resp = client.post("/emulation/movements/new?lang=en", data={**FORM, **zero})
    assert resp.status_code == 422
    assert "needs at least one criterion" in resp.get_data(as_text=True)


def test_edit_keeps_params_and_changes_fields(
    client: FlaskClient, login: Any, m: Movement, db_session: Any
) -> None:
    login("officer")
    form = client.get(f"/emulation/movements/{m.id}/edit").get_data(as_text=True)
    assert 'value="Thi đua thẩm tra dự án luật đúng tiến độ"' in form
    data = {k: v for k, v in FORM.items() if k not in ("launching_unit", "kind")}
    data["name"] = "Tên đã đổi"
    resp = client.post(f"/emulation/movements/{m.id}/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db_session.refresh(m)
    assert m.name == "Tên đã đổi" and m.kind == "thematic"
    assert [c["code"] for c in m.criteria] == ["progress", "quality"]
    assert events(db_session, "movement.update", m.id)


def test_close_and_review_buttons(
    client: FlaskClient, login: Any, m: Movement, db_session: Any
) -> None:
    login("council")
    assert client.post(f"/emulation/movements/{m.id}/close").status_code == 302
    db_session.refresh(m)
    assert m.state == "closed"
    page = client.get(f"/emulation/movements/{m.id}?lang=en").get_data(as_text=True)
    assert "Record the review" in page
    assert client.get(f"/emulation/movements/{m.id}/edit").status_code == 302
    assert client.post(f"/emulation/movements/{m.id}/review", data={"note": ""}).status_code == 422
    resp = client.post(f"/emulation/movements/{m.id}/review", data={"note": "Đạt yêu cầu"})
    assert resp.status_code == 302
    db_session.refresh(m)
    assert m.state == "reviewed" and m.review_note == "Đạt yêu cầu"
    assert client.post(f"/emulation/movements/{m.id}/close").status_code == 409


@pytest.mark.parametrize("role", ["staff", "head", "deputy"])
def test_others_may_not_close(role: str, client: FlaskClient, login: Any, m: Movement) -> None:
    login(role, unit="UB-PLTP-V")
    assert client.post(f"/emulation/movements/{m.id}/close").status_code == 403
    assert client.post(f"/emulation/movements/{m.id}/review", data={"note": "x"}).status_code == 403


def test_staff_file_and_withdraw_a_pledge(
    client: FlaskClient, login: Any, m: Movement, db_session: Any
) -> None:
    staff = login("staff", unit="UB-PLTP-V")
    own = movements.person_of_user(db_session, staff.id)
    page = client.get(f"/emulation/movements/{m.id}").get_data(as_text=True)
    assert f'value="person:{own.id}"' in page and 'value="unit:' not in page
    assert 'value="LDTT"' in page and 'value="TTLDXS"' not in page  # individual titles only
    bad = client.post(
        f"/emulation/movements/{m.id}/pledges",
        data={"subject": f"person:{own.id}", "title": "TTLDXS", "note": ""},
    )
    assert bad.status_code == 422 and 'id="title-error"' in bad.get_data(as_text=True)
    resp = client.post(
        f"/emulation/movements/{m.id}/pledges",
        data={"subject": f"person:{own.id}", "title": "LDTT", "note": "Phấn đấu"},
    )
    assert resp.status_code == 302
    pledge = db_session.scalar(select(Pledge).where(Pledge.movement_id == m.id))
    assert pledge is not None and pledge.person_id == own.id and pledge.title_code == "LDTT"
    assert events(db_session, "pledge.file", pledge.id)
    twice = client.post(
        f"/emulation/movements/{m.id}/pledges",
        data={"subject": f"person:{own.id}", "title": "LDTT"},
    )
    assert twice.status_code == 409
    resp = client.post(f"/emulation/movements/pledges/{pledge.id}/withdraw")
    assert resp.status_code == 302
    db_session.refresh(pledge)
    assert pledge.state == "withdrawn"


def test_a_head_files_for_the_unit(
    client: FlaskClient, login: Any, m: Movement, db_session: Any
) -> None:
    login("head", unit="UB-PLTP-V")
    resp = client.post(
        f"/emulation/movements/{m.id}/pledges",
        data={"subject": "unit:UB-PLTP-V", "title": "TTLDXS"},
    )
    assert resp.status_code == 302
    pledge = db_session.scalar(select(Pledge).where(Pledge.movement_id == m.id))
    assert pledge is not None and pledge.unit.code == "UB-PLTP-V"


def test_non_participants_get_no_pledge_form(client: FlaskClient, login: Any, m: Movement) -> None:
    login("staff", unit="UB-VHXH-V")
    assert "pledge-form" not in client.get(f"/emulation/movements/{m.id}").get_data(as_text=True)
    resp = client.post(f"/emulation/movements/{m.id}/pledges", data={"title": "LDTT"})
    assert resp.status_code == 403


def test_the_catalogue_page(client: FlaskClient, login: Any) -> None:
    login("staff")
    html = client.get("/emulation/criteria?lang=en").get_data(as_text=True)
    for text in (
        "progress@1",
        "verified contributions with a due date",  # which ledger facts
        "late_deduction",
        "Nghị định 335/2025/NĐ-CP",
        'id="criterion-adoption"',
    ):
        assert text in html, text
