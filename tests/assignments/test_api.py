"""The assignments API: a test per role for each endpoint, filters, paging and 4xx answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient

from lis.assignments import services
from lis.auth.models import ROLES
from lis.clock import today
from tests.assignments.helpers import draft, make_assignment, person_in

WRITERS = {"admin", "head"}
READERS = {"admin", "head", "staff", "officer", "council"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def setup(db_session: Any, make_user: Any) -> dict[str, Any]:
    admin = make_user("admin")
    doc = draft()
    a = make_assignment(db_session, admin, doc, unit="UB-PLTP-V")
    # A request that fails rolls back to the last commit (a savepoint in tests): keep the set-up.
    db_session.commit()
    return {"admin": admin, "doc": doc, "a": a}


def body_for(doc: Any, **kw: Any) -> dict[str, Any]:
    body = {
        "document": doc.external_id,
        "stage": "S_VERIFY",
        "work_kind": "JOINT_VERIFY",
        "unit": "UB-PLTP-V",
        "due_date": (today() + dt.timedelta(days=10)).isoformat(),
    }
    body.update(kw)
    return body


@pytest.mark.parametrize("role", ROLES)
def test_post_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    token = token_for(role, unit="UB-PLTP")
    resp = client.post("/api/v1/assignments", json=body_for(setup["doc"]), headers=bearer(token))
    assert resp.status_code == (201 if role in WRITERS else 403), resp.get_json()
    if role in WRITERS:
        got = resp.get_json()
        assert got["unit"]["code"] == "UB-PLTP-V" and got["state"] == "open"
        assert got["work_kind"]["code"] == "JOINT_VERIFY" and got["stage_label"]
        assert got["document"]["id"] == setup["doc"].external_id and got["overdue"] is False


@pytest.mark.parametrize("role", ROLES)
def test_list_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    token = token_for(role, unit="UB-PLTP-V")
    resp = client.get(
        "/api/v1/assignments",
        query_string={"document": setup["doc"].external_id},
        headers=bearer(token),
    )
    assert resp.status_code == (200 if role in READERS else 403)
    if role in READERS:
        assert [i["id"] for i in resp.get_json()["items"]] == [setup["a"].id]


@pytest.mark.parametrize("role", ROLES)
def test_get_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    a = setup["a"]
    inside = client.get(
        f"/api/v1/assignments/{a.id}", headers=bearer(token_for(role, unit="UB-PLTP-V"))
    )
    assert inside.status_code == (200 if role in READERS else 403)
    outside = client.get(
        f"/api/v1/assignments/{a.id}", headers=bearer(token_for(role, unit="UB-KTTC-V"))
    )
    assert outside.status_code == (200 if role in {"admin", "officer", "council"} else 403)


@pytest.mark.parametrize("role", ROLES)
def test_patch_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    a = setup["a"]
    due = (today() + dt.timedelta(days=30)).isoformat()
    resp = client.patch(
        f"/api/v1/assignments/{a.id}",
        json={"due_date": due},
        headers=bearer(token_for(role, unit="UB-PLTP")),
    )
    assert resp.status_code == (200 if role in WRITERS else 403)
    if role in WRITERS:
        assert resp.get_json()["due_date"] == due


@pytest.mark.parametrize("role", ROLES)
def test_complete_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    a = setup["a"]
    resp = client.post(
        f"/api/v1/assignments/{a.id}/complete",
        json={"note": "xong"},
        headers=bearer(token_for(role, unit="UB-PLTP")),
    )
    assert resp.status_code == (200 if role in WRITERS else 403)
    if role in WRITERS:
        assert resp.get_json()["state"] == "done" and resp.get_json()["close_note"] == "xong"


@pytest.mark.parametrize("role", ROLES)
def test_cancel_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    a = setup["a"]
    resp = client.post(
        f"/api/v1/assignments/{a.id}/cancel",
        json={},
        headers=bearer(token_for(role, unit="UB-PLTP")),
    )
    assert resp.status_code == (200 if role in WRITERS else 403)
    if role in WRITERS:
        assert resp.get_json()["state"] == "cancelled"


def test_the_assignee_completes_through_the_api(
    client: FlaskClient, db_session: Any, make_member: Any, token_for: Any, setup: Any
) -> None:
    worker = make_member("staff", unit="UB-PLTP-V")
    person = services.person_of_user(db_session, worker.id)
    a = make_assignment(db_session, setup["admin"], setup["doc"], person_id=person.id)
    token = token_for(user=worker)
    mine = client.get("/api/v1/assignments?mine=true", headers=bearer(token)).get_json()
    assert [i["id"] for i in mine["items"]] == [a.id]
    assert mine["items"][0]["person"] == {"id": person.id, "name": person.name}
    done = client.post(f"/api/v1/assignments/{a.id}/complete", json={}, headers=bearer(token))
    assert done.status_code == 200
    again = client.post(f"/api/v1/assignments/{a.id}/complete", json={}, headers=bearer(token))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"


def test_filters_states_and_paging(
    client: FlaskClient, db_session: Any, token_for: Any, setup: Any
) -> None:
    admin = setup["admin"]
    doc = draft(created_at=dt.datetime.combine(today(), dt.time()) - dt.timedelta(days=30))
    first = make_assignment(db_session, admin, doc)
    late = make_assignment(db_session, admin, doc, due_date=today() - dt.timedelta(days=3))
    other = make_assignment(db_session, admin, doc, unit="UB-PLTP")
    services.cancel(db_session, admin, other.id)
    p = person_in("UB-PLTP-V")
    for_p = make_assignment(db_session, admin, doc, person_id=p.id)
    headers = bearer(token_for("officer"))

    def items(**q: Any) -> list[dict[str, Any]]:
        q.setdefault("document", doc.external_id)
        resp = client.get("/api/v1/assignments", query_string=q, headers=headers)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()["items"]

    def ids(**q: Any) -> list[int]:
        return [i["id"] for i in items(**q)]

    assert ids(state="open") == [late.id, first.id, for_p.id]  # by due date
    assert ids(state="overdue") == [late.id]
    assert (items(state="overdue")[0]["days_late"], items(state="overdue")[0]["overdue"]) == (
        3,
        True,
    )
    assert ids(state="cancelled") == [other.id]
    assert ids(unit="UB-PLTP") == [other.id]
    assert set(ids(unit="UB-PLTP", include_sub_units="true")) == {
        late.id,
        first.id,
        for_p.id,
        other.id,
    }
    assert ids(person=p.id) == [for_p.id]
    page = client.get(
        "/api/v1/assignments",
        query_string={"document": doc.external_id, "per_page": 3, "page": 2},
        headers=headers,
    ).get_json()
    assert page["total"] == 4 and len(page["items"]) == 1


def test_bad_input_is_4xx_naming_the_field(
    client: FlaskClient, db_session: Any, token_for: Any, setup: Any
) -> None:
    headers = bearer(token_for("head", unit="UB-PLTP"))
    doc = setup["doc"]
    stranger = person_in("UB-KTTC-V")
    db_session.commit()
    for change, field in (
        ({"stage": "S_NOWHERE"}, "stage"),
        ({"work_kind": "EXPLAIN_ACCEPT"}, "work_kind"),
        ({"person": stranger.id}, "person"),
        ({"due_date": "2001-01-01"}, "due_date"),
        ({"due_date": "not a date"}, "due_date"),
        ({"document": "no-such-doc"}, "document"),
        ({"unit": "NOPE"}, "unit"),
    ):
        resp = client.post("/api/v1/assignments", json=body_for(doc, **change), headers=headers)
        assert resp.status_code == 422, (change, resp.get_json())
        assert field in resp.get_json()["error"]["fields"], (change, resp.get_json())
    outside = client.post(
        "/api/v1/assignments", json=body_for(doc, unit="UB-KTTC-V"), headers=headers
    )
    assert outside.status_code == 403 and "unit" in outside.get_json()["error"]["fields"]
    missing = client.post("/api/v1/assignments", json={}, headers=headers)
    assert missing.status_code == 422
    assert {"document", "stage", "work_kind", "unit", "due_date"} <= set(
        missing.get_json()["error"]["fields"]
    )
    empty = client.patch(f"/api/v1/assignments/{setup['a'].id}", json={}, headers=headers)
    assert empty.status_code == 422
    assert client.get("/api/v1/assignments/999999", headers=headers).status_code == 404
    bad = client.get("/api/v1/assignments?state=late&unit=NOPE", headers=headers)
    assert bad.status_code == 422 and "state" in bad.get_json()["error"]["fields"]
    unknown = client.get("/api/v1/assignments?unit=NOPE", headers=headers)
    assert unknown.status_code == 422 and "unit" in unknown.get_json()["error"]["fields"]


def test_login_is_required(client: FlaskClient) -> None:
    assert client.get("/api/v1/assignments").status_code == 401
