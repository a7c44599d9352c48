"""The admin pages for units and people: admins only, forms with errors next to the fields."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lis.auth.models import ROLES
from lis.people.models import Person
from tests.factories import PersonFactory, unit_by_code
from tests.people.test_services import audit_of

PAGES = ("/admin/units", "/admin/units/UB-PLTP-V", "/admin/people", "/admin/people/new")


def error_next_to(html: str, field_id: str) -> str:
    """The error text shown under the field with this id ('' when there is none)."""
    match = re.search(
        rf'<p class="field__error" id="{re.escape(field_id)}-error">([^<]*)</p>', html
    )
    return match.group(1) if match else ""


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_see_the_pages(role: str, client: FlaskClient, login: Any) -> None:
    login(role)
    person = PersonFactory()
    for path in (*PAGES, f"/admin/people/{person.id}"):
        resp = client.get(path)
        assert resp.status_code == (200 if role == "admin" else 403), path


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_post_the_forms(role: str, client: FlaskClient, login: Any) -> None:
    login(role)
    person = PersonFactory()
    posts = {
        "/admin/units": {"new-code": "UB-PLTP-P9"},
        "/admin/units/UB-PLTP-V": {"edit-name": "x"},
        "/admin/units/UB-PLTP-V/close": {"close-valid_to": "2026-01-01"},
        "/admin/people/new": {"name": "x"},
        f"/admin/people/{person.id}": {"name": "x"},
        f"/admin/people/{person.id}/active": {"active": "0"},
    }
    for path, data in posts.items():
        status = client.post(path, data=data).status_code
        assert (status != 403) if role == "admin" else (status == 403), (path, status)


def test_unit_tree_shows_state_and_people(client: FlaskClient, login: Any) -> None:
    login("admin")
    PersonFactory(unit=unit_by_code("VPQH-TH"))
    PersonFactory(unit=unit_by_code("VPQH-TH"))
    html = client.get("/admin/units?lang=en").get_data(as_text=True)
    assert 'id="unit-VPQH-TH"' in html and 'href="/admin/people?unit=VPQH-TH">2</a>' in html
    assert "Closed since 18 Feb 2025" in html and "Replaced by UB-PLTP" in html
    assert html.index('id="unit-UB-PLTP"') < html.index('id="unit-UB-PLTP-V"')  # tree order
    assert "--depth: 2" in html  # UB-PLTP-V sits two levels down


def test_pages_are_vietnamese_by_default(client: FlaskClient, login: Any) -> None:
    login("admin")
    for path in PAGES:
        assert '<html lang="vi">' in client.get(path).get_data(as_text=True), path
    english = client.get("/admin/people/new?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Linked login (e-mail)" in english


def test_create_a_unit(client: FlaskClient, login: Any, db_session: Any) -> None:
    admin = login("admin")
    data = {
        "new-code": "ub-pltp-p1",
        "new-name": "Phòng Một",
        "new-name_en": "Section One",
        "new-kind": "department",
        "new-parent": "UB-PLTP-V",
        "new-note": "",
    }
    resp = client.post("/admin/units", data=data)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#unit-UB-PLTP-P1")
    unit = unit_by_code("UB-PLTP-P1")
    assert unit.parent.code == "UB-PLTP-V" and unit.note is None
    assert audit_of(db_session, "unit", "UB-PLTP-P1")[0].actor_email == admin.email


def test_unit_form_errors_sit_next_to_fields(client: FlaskClient, login: Any) -> None:
    login("admin")
    data = {"new-code": "VPQH-TH", "new-name": "X", "new-name_en": "X", "new-kind": "office"}
    data["new-parent"] = "VPQH"
    used = client.post("/admin/units?lang=en", data=data)
    assert used.status_code == 409
    assert error_next_to(used.get_data(as_text=True), "new-code") == (
        "Another unit already has this code."
    )
    bad = client.post("/admin/units", data=data | {"new-code": "bad code", "new-parent": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "<details" in html and " open>" in html
    assert error_next_to(html, "new-code") and error_next_to(html, "new-parent")
    empty = client.post("/admin/units", data={})
    assert empty.status_code == 422 and error_next_to(empty.get_data(as_text=True), "new-name")


def test_edit_and_close_a_unit(client: FlaskClient, login: Any, db_session: Any) -> None:
    login("admin")
    page = client.get("/admin/units/UB-PLTP-V").get_data(as_text=True)
    assert 'value="Vụ Pháp luật và Tư pháp"' in page
    assert '<option selected value="UB-PLTP">' in page  # the current parent is chosen
    assert 'value="UB-PLTP-V"' not in page.split('id="edit-parent"')[1].split("</select>")[0]
    data = {
        "edit-name": "Vụ Pháp luật",
        "edit-name_en": "Law Department",
        "edit-kind": "department",
        "edit-parent": "UB-PLTP",
        "edit-field": "",
        "edit-note": "đổi tên",
    }
    assert client.post("/admin/units/UB-PLTP-V", data=data).status_code == 302
    unit = unit_by_code("UB-PLTP-V")
    assert unit.name == "Vụ Pháp luật" and unit.note == "đổi tên"
    cycle = client.post("/admin/units/UB-PLTP?lang=en", data=data | {"edit-parent": "UB-PLTP-V"})
    assert cycle.status_code == 422
    assert "cannot sit under itself" in error_next_to(cycle.get_data(as_text=True), "edit-parent")

    person = PersonFactory(unit=unit)
    db_session.commit()  # ends the test's savepoint only: a refused close rolls back to here
    busy = client.post(
        "/admin/units/UB-PLTP-V/close?lang=en", data={"close-valid_to": "2026-01-01"}
    )
    html = busy.get_data(as_text=True)
    assert busy.status_code == 409 and "still has active people" in html
    assert 'value="Vụ Pháp luật"' in html  # the edit form still shows the unit
    assert unit_by_code("UB-PLTP-V").valid_to is None
    person.active = False
    db_session.flush()
    closed = client.post(
        "/admin/units/UB-PLTP-V/close",
        data={"close-valid_to": "2026-01-01", "close-replaced_by": "VPQH-TH"},
    )
    assert closed.status_code == 302
    unit = unit_by_code("UB-PLTP-V")
    assert str(unit.valid_to) == "2026-01-01" and unit.replaced_by.code == "VPQH-TH"
    no_date = client.post("/admin/units/UB-PLTP/close", data={"close-valid_to": ""})
    assert no_date.status_code == 422
    assert error_next_to(no_date.get_data(as_text=True), "close-valid_to")


def test_people_list_filters(client: FlaskClient, login: Any) -> None:
    login("admin")
    PersonFactory(name="Nguyễn Thị Ánh", unit=unit_by_code("UB-PLTP"))
    PersonFactory(name="Trần Văn Bảo", unit=unit_by_code("UB-PLTP-V"))
    PersonFactory(name="Nguyễn Văn Cả", unit=unit_by_code("UB-PLTP-V"), active=False)

    def names(**params: str) -> list[str]:
        html = client.get("/admin/people", query_string=params).get_data(as_text=True)
        return re.findall(r'<td><a href="/admin/people/\d+">([^<]+)</a></td>', html)

    assert names(unit="UB-PLTP") == ["Nguyễn Thị Ánh"]
    assert names(unit="UB-PLTP", sub_units="1") == ["Nguyễn Thị Ánh", "Trần Văn Bảo"]
    assert names(unit="UB-PLTP", sub_units="1", active="all", q="nguyen") == [
        "Nguyễn Thị Ánh",
        "Nguyễn Văn Cả",
    ]
    assert names(unit="UB-PLTP-V", active="0") == ["Nguyễn Văn Cả"]
    assert names(unit="NOPE", q="bảo") == ["Trần Văn Bảo"]  # an unknown unit is ignored
    assert client.get("/admin/people?page=abc&active=zzz").status_code == 200


def test_unit_select_is_tree_ordered_and_indented(client: FlaskClient, login: Any) -> None:
    login("admin")
    html = client.get("/admin/people/new?unit=VPQH-TH").get_data(as_text=True)
    select_html = html.split('id="unit"')[1].split("</select>")[0]
    codes = re.findall(r'<option (?:selected )?value="([^"]*)"', select_html)
    assert codes[0] == "" and codes.index("UB-PLTP") < codes.index("UB-PLTP-V")
    assert "UB-PL" not in codes  # closed units are not offered
    assert '<option selected value="VPQH-TH">' in select_html
    assert "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0UB-PLTP-V" in select_html


def test_create_and_edit_a_person(
    client: FlaskClient, login: Any, make_user: Any, db_session: Any
) -> None:
    login("admin")
    user = make_user("staff")
    page = client.get("/admin/people/new").get_data(as_text=True)
    assert f'<option value="{user.email}">' in page  # unlinked logins are suggested
    data = {
        "name": "Lý Thị Thanh",
        "email": "thanh.ly@test.lis.vn",
        "position": "Chuyên viên",
        "unit": "UB-PLTP-V",
        "user": user.email,
        "note": "",
    }
    resp = client.post("/admin/people/new", data=data)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("?unit=UB-PLTP-V")
    person = db_session.scalar(select(Person).where(Person.email == "thanh.ly@test.lis.vn"))
    assert person.user is user and person.unit.code == "UB-PLTP-V"
    listed = client.get("/admin/people?unit=UB-PLTP-V").get_data(as_text=True)
    assert "Lý Thị Thanh" in listed and user.email in listed

    edit = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert 'value="Lý Thị Thanh"' in edit and f'value="{user.email}"' in edit
    moved = client.post(f"/admin/people/{person.id}", data=data | {"unit": "VPQH-TH", "user": ""})
    assert moved.status_code == 302
    assert person.unit.code == "VPQH-TH" and person.user is None
    off = client.post(f"/admin/people/{person.id}/active", data={"active": "0"})
    assert off.status_code == 302 and not person.active
    client.post(f"/admin/people/{person.id}/active", data={"active": "1"})
    assert person.active
    assert client.get("/admin/people/123456789").status_code == 404
    assert client.get("/admin/people/abc").status_code == 404


def test_person_form_errors_sit_next_to_fields(
    client: FlaskClient, login: Any, make_user: Any, db_session: Any
) -> None:
    login("admin")
    PersonFactory(email="used@test.lis.vn")
    db_session.commit()
    bad = client.post(
        "/admin/people/new?lang=en",
        data={"name": "", "email": "not an email", "unit": "UB-PL", "user": "who@x.vn"},
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert error_next_to(html, "name")  # WTForms: required
    used = client.post(
        "/admin/people/new?lang=en",
        data={"name": "A", "email": "not an email", "unit": "UB-PL", "user": "who@x.vn"},
    )
    html = used.get_data(as_text=True)
    assert used.status_code == 422
    assert error_next_to(html, "email") == "This is not a valid e-mail address."
    assert error_next_to(html, "unit") == "This unit is closed: choose an open one."
    assert error_next_to(html, "user") == "There is no login with this e-mail."
    clash = client.post(
        "/admin/people/new?lang=en",
        data={"name": "A", "email": "USED@test.lis.vn", "unit": "VPQH-TH"},
    )
    assert clash.status_code == 409
    assert error_next_to(clash.get_data(as_text=True), "email") == (
        "Another person already has this e-mail."
    )
