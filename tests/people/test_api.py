"""The people API and unit writes: every role reads, only admins write; 4xx names the field."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from lis.auth.models import ROLES
from tests.factories import PersonFactory, unit_by_code
from tests.people.test_services import audit_of

NEW_UNIT = {"code": "UB-PLTP-P1", "name": "Phòng Một", "name_en": "Section One"}
NEW_UNIT |= {"kind": "department", "parent": "UB-PLTP-V"}


@pytest.fixture
def call(client: FlaskClient, token_for: Any) -> Any:
    """Send a request as a new user with `role`, through a bearer token."""

    def do(role: str, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token_for(role)}"}
        return client.open(path, method=method, headers=headers, **kw)

    return do


def refused(resp: Any) -> bool:
    return resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"


# --- one test per role per endpoint --------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_people(role: str, call: Any, db_session: Any) -> None:
    PersonFactory(name="Lê Thị Hoa", unit=unit_by_code("VPQH-TH"))
    body = call(role, "GET", "/api/v1/people", query_string={"unit": "VPQH-TH"}).get_json()
    assert body["total"] == 1 and body["items"][0]["name"] == "Lê Thị Hoa"
    assert body["items"][0]["unit"] == "VPQH-TH" and body["items"][0]["unit_name"] == "Vụ Tổng hợp"


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_a_person(role: str, call: Any, db_session: Any) -> None:
    person = PersonFactory(name="Lê Thị Hoa")
    resp = call(role, "GET", f"/api/v1/people/{person.id}")
    assert resp.status_code == 200 and resp.get_json()["name"] == "Lê Thị Hoa"


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_create_people(role: str, call: Any, db_session: Any) -> None:
    resp = call(role, "POST", "/api/v1/people", json={"name": "Lê Văn Tú", "unit": "UB-PLTP-V"})
    if role == "admin":
        assert resp.status_code == 201, resp.get_json()
        body = resp.get_json()
        assert body["unit"] == "UB-PLTP-V" and body["active"] and body["user"] is None
    else:
        assert refused(resp)


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_change_people(role: str, call: Any, db_session: Any) -> None:
    person = PersonFactory()
    resp = call(role, "PATCH", f"/api/v1/people/{person.id}", json={"unit": "VPQH-TH"})
    if role == "admin":
        assert resp.status_code == 200 and resp.get_json()["unit"] == "VPQH-TH"
    else:
        assert refused(resp) and person.unit.code == "UB-PLTP-V"


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_create_units(role: str, call: Any, db_session: Any) -> None:
    resp = call(role, "POST", "/api/v1/units", json=NEW_UNIT)
    if role == "admin":
        assert resp.status_code == 201, resp.get_json()
        body = resp.get_json()
        assert body["parent"] == "UB-PLTP-V" and body["children"] == []
        assert body["source"].startswith("entered by ")
    else:
        assert refused(resp)


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_change_units(role: str, call: Any, db_session: Any) -> None:
    resp = call(role, "PATCH", "/api/v1/units/UB-PLTP-V", json={"note": "ghi chú"})
    if role == "admin":
        assert resp.status_code == 200 and resp.get_json()["note"] == "ghi chú"
    else:
        assert refused(resp)


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_close_units(role: str, call: Any, db_session: Any) -> None:
    resp = call(role, "POST", "/api/v1/units/UB-PLTP-V/close", json={"valid_to": "2026-01-01"})
    if role == "admin":
        assert resp.status_code == 200 and resp.get_json()["valid_to"] == "2026-01-01"
    else:
        assert refused(resp) and unit_by_code("UB-PLTP-V").valid_to is None


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_delete_units(role: str, call: Any, db_session: Any) -> None:
    assert call("admin", "POST", "/api/v1/units", json=NEW_UNIT).status_code == 201
    resp = call(role, "DELETE", "/api/v1/units/UB-PLTP-P1")
    assert resp.status_code == 204 if role == "admin" else refused(resp)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_still_reads_units(role: str, call: Any, db_session: Any) -> None:
    assert call(role, "GET", "/api/v1/units").status_code == 200
    assert call(role, "GET", "/api/v1/units/UB-PLTP-V").status_code == 200


# --- behaviour and errors ------------------------------------------------------------------------
def test_people_filters(call: Any, db_session: Any) -> None:
    PersonFactory(name="Nguyễn Thị Ánh", unit=unit_by_code("UB-PLTP"))
    PersonFactory(name="Nguyễn Văn Bảo", unit=unit_by_code("UB-PLTP-V"))
    PersonFactory(name="Nguyễn Văn Cả", unit=unit_by_code("UB-PLTP-V"), active=False)

    def names(**params: Any) -> list[str]:
        body = call("deputy", "GET", "/api/v1/people", query_string=params).get_json()
        return [p["name"] for p in body["items"]]

    assert names(unit="UB-PLTP") == ["Nguyễn Thị Ánh"]
    assert names(unit="UB-PLTP", sub_units="true", active="true", q="nguyen") == [
        "Nguyễn Thị Ánh",
        "Nguyễn Văn Bảo",
    ]
    assert names(unit="UB-PLTP-V", active="false") == ["Nguyễn Văn Cả"]
    assert names(unit="UB-PLTP", sub_units="true", q="văn bao") == ["Nguyễn Văn Bảo"]
    page = call(
        "deputy", "GET", "/api/v1/people", query_string={"unit": "UB-PLTP-V", "per_page": 1}
    ).get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (2, 1, 1, 1)


def test_people_errors_name_the_field(call: Any, db_session: Any, make_user: Any) -> None:
    def fields(resp: Any, status: int) -> set[str]:
        assert resp.status_code == status, resp.get_json()
        return set(resp.get_json()["error"]["fields"])

    bad_query = call("deputy", "GET", "/api/v1/people", query_string={"unit": "a b", "per_page": 0})
    assert fields(bad_query, 422) == {"unit", "per_page"}
    unknown_unit = call("deputy", "GET", "/api/v1/people", query_string={"unit": "NOPE"})
    assert fields(unknown_unit, 404) == {"unit"}
    assert fields(call("deputy", "GET", "/api/v1/people/abc"), 404) == {"id"}
    assert fields(call("deputy", "GET", "/api/v1/people/999999999"), 404) == {"id"}
    missing = call("admin", "POST", "/api/v1/people", json={"email": "x"})
    assert fields(missing, 422) == {"name", "unit"}
    bad = call(
        "admin",
        "POST",
        "/api/v1/people",
        json={"name": "A", "unit": "UB-PL", "email": "nope", "user": "who@x.vn"},
    )
    assert fields(bad, 422) == {"unit", "email", "user"}
    extra = call("admin", "POST", "/api/v1/people", json={"name": "A", "unit": "VPQH", "x": 1})
    assert fields(extra, 422) == {"x"}
    linked = make_user("staff")
    PersonFactory(user=linked, email="taken@test.lis.vn")
    clash = call(
        "admin",
        "POST",
        "/api/v1/people",
        json={"name": "A", "unit": "VPQH", "user": linked.email, "email": "taken@test.lis.vn"},
    )
    assert fields(clash, 409) == {"user", "email"}
    assert fields(call("admin", "PATCH", "/api/v1/people/0", json={}), 404) == {"id"}


def test_patch_relinks_unlinks_and_deactivates(call: Any, db_session: Any, make_user: Any) -> None:
    user = make_user("staff")
    person = PersonFactory()
    path = f"/api/v1/people/{person.id}"
    assert call("admin", "PATCH", path, json={"user": user.email}).get_json()["user"] == user.email
    assert call("admin", "PATCH", path, json={"user": None}).get_json()["user"] is None
    off = call("admin", "PATCH", path, json={"active": False}).get_json()
    assert off["active"] is False
    actions = [e.action for e in audit_of(db_session, "person", person.id)]
    assert actions == ["link", "unlink", "deactivate"]


def test_unit_errors_name_the_field(call: Any, db_session: Any) -> None:
    def fields(resp: Any, status: int) -> dict[str, Any]:
        assert resp.status_code == status, resp.get_json()
        return resp.get_json()["error"]["fields"]

    assert set(fields(call("admin", "POST", "/api/v1/units", json={}), 422)) == {
        "code",
        "name",
        "name_en",
        "kind",
    }
    bad_kind = call("admin", "POST", "/api/v1/units", json=NEW_UNIT | {"kind": "club"})
    assert set(fields(bad_kind, 422)) == {"kind"}
    used = call("admin", "POST", "/api/v1/units", json=NEW_UNIT | {"code": "VPQH-TH"})
    assert set(fields(used, 409)) == {"code"}
    cycle = call("admin", "PATCH", "/api/v1/units/UB-PLTP", json={"parent": "UB-PLTP-V"})
    assert set(fields(cycle, 422)) == {"parent"}
    readonly = call("admin", "PATCH", "/api/v1/units/UB-PLTP", json={"code": "X"})
    assert set(fields(readonly, 422)) == {"code"}
    assert set(fields(call("admin", "PATCH", "/api/v1/units/NOPE", json={}), 404)) == {"code"}
    no_date = call("admin", "POST", "/api/v1/units/VPQH-TH/close", json={})
    assert set(fields(no_date, 422)) == {"valid_to"}
    PersonFactory(unit=unit_by_code("VPQH-TH"))
    db_session.commit()  # only ends the test's savepoint: a refused request rolls back to here
    busy = call("admin", "POST", "/api/v1/units/VPQH-TH/close", json={"valid_to": "2026-01-01"})
    assert fields(busy, 409) == {"people": "has active people: move or deactivate them first"}
    assert "1 active people" in busy.get_json()["error"]["message"]
    children = call("admin", "POST", "/api/v1/units/VPQH/close", json={"valid_to": "2026-01-01"})
    assert set(fields(children, 409)) == {"children"}
    referenced = call("admin", "DELETE", "/api/v1/units/VPQH-TH")
    assert set(fields(referenced, 409)) == {"code"}


def test_close_with_successor_then_older_codes_still_resolve(call: Any, db_session: Any) -> None:
    assert call("admin", "POST", "/api/v1/units", json=NEW_UNIT).status_code == 201
    closed = call(
        "admin",
        "POST",
        "/api/v1/units/ub-pltp-p1/close",
        json={"valid_to": "2026-03-01", "replaced_by": "UB-PLTP-V"},
    ).get_json()
    assert closed["valid_to"] == "2026-03-01" and closed["replaced_by"] == "UB-PLTP-V"
    parent = call("deputy", "GET", "/api/v1/units/UB-PLTP-V").get_json()
    assert [c["code"] for c in parent["children"]] == ["UB-PLTP-P1"]
    open_now = call(
        "deputy", "GET", "/api/v1/units", query_string={"active_on": "2026-04-01"}
    ).get_json()
    assert "UB-PLTP-P1" not in {u["code"] for u in open_now["items"]}
