"""The movements API per role for each endpoint, anonymous callers, and bad input (4xx naming
the field)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from emulation import movements
from lis.auth.models import ROLES
from tests.emulation.movements.helpers import events, launch

API = "/api/v1/emulation"
READERS = {"admin", "officer", "council", "head", "staff"}
RUNNERS = {"admin", "officer", "council"}
PLEDGERS = {"admin", "officer", "head", "staff"}  # each for themselves here: all take part
BODY = {
    "name": "Phong trào thi đua thẩm tra đúng hạn",
    "theme": "Chất lượng thẩm tra",
    "slogan": "Đúng hạn",
    "launching_unit": "VPQH",
    "kind": "regular",
    "start_date": "2025-01-01",
    "end_date": "2025-12-31",
    "participants": {"units": ["UB-PLTP"], "people": []},
}


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def m(db_session: Any) -> Any:
    row = launch(db_session)
    db_session.commit()  # a refused request rolls back to here (a savepoint in tests)
    return row


@pytest.mark.parametrize("role", ROLES)
def test_reading_per_role(role: str, client: FlaskClient, token_for: Any, m: Any) -> None:
    headers = _headers(token_for(role, unit="UB-PLTP-V"))
    expected = 200 if role in READERS else 403
    for path in (
        f"{API}/movements",
        f"{API}/movements?state=open",
        f"{API}/movements/{m.id}",
        f"{API}/movements/{m.id}/pledges",
        f"{API}/criteria",
        f"{API}/titles",
    ):
        resp = client.get(path, headers=headers)
        assert resp.status_code == expected, (path, resp.get_json())
    if role in READERS:
        body = client.get(f"{API}/movements/{m.id}", headers=headers).get_json()
        assert body["participants"]["units"][0]["code"] == "UB-PLTP"
        assert body["criteria"][0]["formula"] == "progress@1"
        listed = client.get(f"{API}/movements?state=open", headers=headers).get_json()
        assert m.id in [item["id"] for item in listed["items"]]


def test_the_catalogue_and_titles(client: FlaskClient, token_for: Any) -> None:
    headers = _headers(token_for("staff"))
    rows = client.get(f"{API}/criteria", headers=headers).get_json()
    progress = next(r for r in rows if r["code"] == "progress")
    assert progress["formula"] == "progress@1" and progress["default"] is True
    assert "due date" in progress["reads"]
    assert progress["weight"] == 30 and progress["params"] == {"late_deduction": 0.25}
    assert "335" in progress["source"]
    assert next(r for r in rows if r["code"] == "adoption")["default"] is False
    titles = {t["code"]: t["subject"] for t in client.get(f"{API}/titles", headers=headers).json}
    assert titles["LDTT"] == "individual" and titles["TTLDXS"] == "collective"


@pytest.mark.parametrize("role", ROLES)
def test_launch_change_close_review_per_role(
    role: str, client: FlaskClient, token_for: Any, m: Any, db_session: Any
) -> None:
    headers = _headers(token_for(role, unit="UB-PLTP-V"))
    allowed = role in RUNNERS
    created = client.post(f"{API}/movements", json=BODY, headers=headers)
    assert created.status_code == (201 if allowed else 403), created.get_json()
    changed = client.patch(f"{API}/movements/{m.id}", json={"slogan": "Mới"}, headers=headers)
    assert changed.status_code == (200 if allowed else 403)
    closed = client.post(f"{API}/movements/{m.id}/close", headers=headers)
    assert closed.status_code == (200 if allowed else 403)
    if not allowed:
        movements.close(db_session, movements.get_movement(db_session, m.id).created_by, m.id)
    reviewed = client.post(f"{API}/movements/{m.id}/review", json={"note": "Tốt"}, headers=headers)
    assert reviewed.status_code == (200 if allowed else 403)
    if allowed:
        body = created.get_json()
        assert body["state"] == "open" and body["kind"] == "regular"
        assert [c["code"] for c in body["criteria"]] == [
            "progress",
            "quality",
            "effectiveness",
            "volume",
        ]
        assert changed.get_json()["slogan"] == "Mới"
        assert closed.get_json()["state"] == "closed"
        assert reviewed.get_json()["state"] == "reviewed"
        assert reviewed.get_json()["review_note"] == "Tốt"
        again = client.post(f"{API}/movements/{m.id}/close", headers=headers)
        assert again.status_code == 409
        assert again.get_json()["error"]["fields"] == {"state": "is reviewed, must be open"}


@pytest.mark.parametrize("role", ROLES)
def test_pledges_per_role(
    role: str, client: FlaskClient, token_for: Any, make_member: Any, m: Any, db_session: Any
) -> None:
    headers = _headers(token_for(role, unit="UB-PLTP-V"))
    filed = client.post(f"{API}/movements/{m.id}/pledges", json={"title": "LDTT"}, headers=headers)
    assert filed.status_code == (201 if role in PLEDGERS else 403), filed.get_json()
    # Someone else's pledge: only officers and administrators withdraw it.
    colleague = make_member("staff", unit="UB-PLTP-V")
    other = movements.file_pledge(db_session, colleague, m.id, title="CSTDCS")
    db_session.commit()  # a refused request rolls back to here (a savepoint in tests)
    withdrawn = client.post(f"{API}/pledges/{other.id}/withdraw", headers=headers)
    assert withdrawn.status_code == (200 if role in ("admin", "officer") else 403)
    if role in PLEDGERS:
        body = filed.get_json()
        assert body["title"] == "LDTT" and body["state"] == "filed"
        assert body["subject_kind"] == "person" and body["person"]["id"]
        own = client.post(f"{API}/pledges/{body['id']}/withdraw", headers=headers)
        assert own.status_code == 200 and own.get_json()["state"] == "withdrawn"
        listed = client.get(f"{API}/movements/{m.id}/pledges", headers=headers).get_json()
        assert {p["id"] for p in listed} >= {body["id"], other.id}


def test_anonymous_gets_401(client: FlaskClient, m: Any) -> None:
    for method, path in (
        ("GET", f"{API}/movements"),
        ("POST", f"{API}/movements"),
        ("GET", f"{API}/movements/{m.id}"),
        ("PATCH", f"{API}/movements/{m.id}"),
        ("POST", f"{API}/movements/{m.id}/close"),
        ("POST", f"{API}/movements/{m.id}/review"),
        ("GET", f"{API}/movements/{m.id}/pledges"),
        ("POST", f"{API}/movements/{m.id}/pledges"),
        ("POST", f"{API}/pledges/1/withdraw"),
        ("GET", f"{API}/criteria"),
        ("GET", f"{API}/titles"),
    ):
        resp = client.open(path, method=method, json={})
        assert resp.status_code == 401, (method, path)
        assert resp.get_json()["error"]["code"] == "unauthorized"


BAD_BODIES = [
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"kind": "yearly"}, "kind"),
    ({"launching_unit": "NOPE"}, "launching_unit"),
    ({"launching_unit": "a b"}, "launching_unit"),
    ({"start_date": "2025-13-01"}, "start_date"),
    ({"start_date": "1900-01-01"}, "start_date"),
    ({"end_date": "2024-12-31"}, "end_date"),
    ({"participants": {"units": [], "people": []}}, "participants"),
    ({"participants": {"units": ["UB-PLTP", "UB-PLTP"]}}, "participants.units"),
    ({"participants": {"people": [2**31]}}, "participants"),
    ({"participants": {"people": ["1"]}}, "participants"),
    ({"participants": {"units": ["UB-PLTP"] * 501}}, "participants"),
    ({"criteria": [{"code": "charisma"}]}, "criteria"),
    ({"criteria": [{"code": "progress", "weight": -1}]}, "criteria"),
    ({"criteria": [{"code": "progress", "weight": 0}]}, "criteria.weight"),
    ({"criteria": [{"code": "progress", "params": {"late_deduction": [1]}}]}, "criteria"),
    (
        {"criteria": [{"code": "progress", "params": {"late_deduction": 2e308}}]},
        "criteria",
    ),
    (
        {"criteria": [{"code": "progress", "params": {"speed": 1}}]},
        "criteria.progress.params.speed",
    ),
    ({"criteria": [{"code": "progress"}] * 21}, "criteria"),
]


@pytest.mark.parametrize(("change", "field"), BAD_BODIES)
def test_bad_launches_name_the_field(
    client: FlaskClient, token_for: Any, change: dict[str, Any], field: str
) -> None:
    resp = client.post(
        f"{API}/movements", json={**BODY, **change}, headers=_headers(token_for("officer"))
    )
    assert resp.status_code == 422, resp.get_json()
    error = resp.get_json()["error"]
    assert error["code"] in ("invalid", "unprocessable_entity")
    assert field in error["fields"], error


def test_bad_changes_and_pledges_name_the_field(
    client: FlaskClient, token_for: Any, m: Any
) -> None:
    officer = _headers(token_for("officer"))
    for body, field in (
        ({}, "_schema"),
        ({"end_date": "2024-01-01"}, "end_date"),
        ({"participants": {"units": ["NOPE"]}}, "participants.units"),
        ({"criteria": []}, "criteria"),
    ):
        resp = client.patch(f"{API}/movements/{m.id}", json=body, headers=officer)
        assert resp.status_code == 422 and field in resp.get_json()["error"]["fields"], body
    assert (
        client.post(f"{API}/movements/{m.id}/review", json={}, headers=officer).status_code == 422
    )
    staff = _headers(token_for("staff", unit="UB-PLTP-V"))
    for body, field in (
        ({"title": "NOPE"}, "title"),
        ({"title": "TTLDXS"}, "title"),
        ({"title": "LDTT", "unit": "UB-PLTP-V", "person": 1}, "unit"),
        ({"title": "LDTT", "note": "x" * 2001}, "note"),
        ({}, "title"),
    ):
        resp = client.post(f"{API}/movements/{m.id}/pledges", json=body, headers=staff)
        assert resp.status_code == 422, (body, resp.get_json())
        assert field in resp.get_json()["error"]["fields"], (body, resp.get_json())
    for path in (f"{API}/movements/{2**31}", f"{API}/movements/999999/pledges"):
        assert client.get(path, headers=staff).status_code == 404
    assert client.post(f"{API}/pledges/{2**31}/withdraw", headers=staff).status_code == 404


def test_api_writes_are_audited(client: FlaskClient, token_for: Any, db_session: Any) -> None:
    officer = _headers(token_for("officer", unit="UB-PLTP-V"))
    created = client.post(f"{API}/movements", json=BODY, headers=officer).get_json()
    mid = created["id"]
    client.patch(f"{API}/movements/{mid}", json={"name": "Đổi tên"}, headers=officer)
    pledge = client.post(
        f"{API}/movements/{mid}/pledges", json={"title": "LDTT"}, headers=officer
    ).get_json()
    client.post(f"{API}/pledges/{pledge['id']}/withdraw", headers=officer)
    client.post(f"{API}/movements/{mid}/close", headers=officer)
    client.post(f"{API}/movements/{mid}/review", json={"note": "Xong"}, headers=officer)
    for action in ("movement.launch", "movement.update", "movement.close", "movement.review"):
        assert len(events(db_session, action, mid)) == 1, action
    for action in ("pledge.file", "pledge.withdraw"):
        (event,) = events(db_session, action, pledge["id"])
        assert event.after is not None
    (update,) = events(db_session, "movement.update", mid)
    assert update.before["name"] == BODY["name"] and update.after["name"] == "Đổi tên"
