"""The ratings API: each endpoint per role, the answers' shape and the 4xx that name the field."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from emulation import ratings
from emulation.models import QualityRating
from lis.audit.models import AuditEvent
from lis.auth.models import ROLES
from tests.emulation.helpers import person
from tests.emulation.ratings.helpers import YEAR, snapshot, ten_good_or_better
from tests.factories import unit_by_code

SUGGESTERS = {"admin", "officer", "head"}
DECIDERS = {"admin", "head"}
READERS = {"admin", "officer", "council", "head", "staff"}
SEE_ALL = {"admin", "officer", "council"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def setup(db_session: Any, make_member: Any) -> dict[str, Any]:
    lines = ten_good_or_better("UB-PLTP-V")
    snapshot(db_session, lines)
    officer = make_member("officer", unit="UB-PLTP")
    rows = ratings.suggest_for_unit(db_session, officer, unit_by_code("UB-PLTP-V").id, YEAR)
    # A request that fails rolls back to the last commit (a savepoint in tests): keep the set-up.
    db_session.commit()
    by_person = {r.person_id: r for r in rows}
    return {"lines": lines, "rows": [by_person[who.id] for who, _ in lines]}


@pytest.mark.parametrize("role", ROLES)
def test_suggest_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    headers = bearer(token_for(role, unit="UB-PLTP"))
    resp = client.post(
        "/api/v1/emulation/ratings/suggest",
        json={"unit": "UB-PLTP-V", "year": YEAR},
        headers=headers,
    )
    assert resp.status_code == (200 if role in SUGGESTERS else 403), resp.get_json()
    if role in SUGGESTERS:
        body = resp.get_json()
        assert body["year"] == YEAR and body["unit"] == "UB-PLTP-V" and body["snapshot_id"]
        assert len(body["items"]) == 11
        top = body["items"][0]
        assert top["score"] == 99.0 and top["suggested_band"] == "excellent"
        assert top["suggestion_reason"]["code"] == "score"
        third = body["items"][2]
        assert third["suggested_band"] == "good"
        assert third["suggestion_reason"]["code"] == "cap"
        assert third["suggestion_reason"]["params"]["limit"] == 2
        assert third["suggestion_reason"]["text"]
    else:
        assert resp.get_json()["error"]["code"] == "forbidden"


def test_a_head_suggests_only_for_their_units(
    client: FlaskClient, token_for: Any, setup: Any
) -> None:
    headers = bearer(token_for("head", unit="UB-KTTC"))
    resp = client.post(
        "/api/v1/emulation/ratings/suggest",
        json={"unit": "UB-PLTP-V", "year": YEAR},
        headers=headers,
    )
    assert resp.status_code == 403
    assert resp.get_json()["error"]["fields"] == {"unit": "outside your units"}


@pytest.mark.parametrize("role", ROLES)
def test_list_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    resp = client.get(
        "/api/v1/emulation/ratings",
        query_string={"year": YEAR, "unit": "UB-PLTP-V"},
        headers=bearer(token_for(role, unit="UB-PLTP-V")),
    )
    assert resp.status_code == (200 if role in READERS else 403)
    if role in SEE_ALL or role == "head":
        assert resp.get_json()["total"] == 11
    elif role == "staff":
        assert resp.get_json()["total"] == 0  # not rated themselves: sees nobody else's


def test_staff_see_their_own(client: FlaskClient, token_for: Any, db_session: Any) -> None:
    from tests.factories import PersonFactory, UserFactory

    user = UserFactory(roles=["staff"])
    me = PersonFactory(user=user, unit=unit_by_code("UB-PLTP-V"))
    other = person()
    snapshot(db_session, [(me, 80.0), (other, 85.0)])
    ratings.suggest_for_unit(db_session, UserFactory(roles=["admin"]), me.unit_id, YEAR)
    resp = client.get("/api/v1/emulation/ratings", headers=bearer(token_for(user=user)))
    assert [i["person"]["id"] for i in resp.get_json()["items"]] == [me.id]


@pytest.mark.parametrize("role", ROLES)
def test_get_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    row = setup["rows"][0]
    inside = client.get(
        f"/api/v1/emulation/ratings/{row.id}", headers=bearer(token_for(role, unit="UB-PLTP"))
    )
    expected = 200 if role in SEE_ALL or role == "head" else 403
    assert inside.status_code == expected
    if expected == 200:
        got = inside.get_json()
        assert got["id"] == row.id and got["unit"]["code"] == "UB-PLTP-V"
        assert got["band"] is None and got["decided_by"] is None and got["year"] == YEAR
    outside = client.get(
        f"/api/v1/emulation/ratings/{row.id}", headers=bearer(token_for(role, unit="UB-KTTC"))
    )
    assert outside.status_code == (200 if role in SEE_ALL else 403)


@pytest.mark.parametrize("role", ROLES)
def test_decide_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    row = setup["rows"][3]  # 85: good
    resp = client.post(
        f"/api/v1/emulation/ratings/{row.id}/decide",
        json={"band": "good"},
        headers=bearer(token_for(role, unit="UB-PLTP")),
    )
    assert resp.status_code == (200 if role in DECIDERS else 403), resp.get_json()
    if role in DECIDERS:
        got = resp.get_json()
        assert got["band"] == "good" and got["suggested_band"] == "good"
        assert got["decided_by"] and got["decided_at"]


def test_anonymous_gets_401(client: FlaskClient, setup: Any) -> None:
    row = setup["rows"][0]
    assert client.get("/api/v1/emulation/ratings").status_code == 401
    assert client.get(f"/api/v1/emulation/ratings/{row.id}").status_code == 401
    resp = client.post(f"/api/v1/emulation/ratings/{row.id}/decide", json={"band": "good"})
    assert resp.status_code == 401
    resp = client.post("/api/v1/emulation/ratings/suggest", json={"unit": "UB-PLTP", "year": YEAR})
    assert resp.status_code == 401


def _error(resp: Any) -> dict[str, Any]:
    return resp.get_json()["error"]


def test_bad_input_names_the_field(
    client: FlaskClient, token_for: Any, setup: Any, db_session: Any
) -> None:
    headers = bearer(token_for("head", unit="UB-PLTP"))
    db_session.commit()  # each refused request rolls back to here, not past the head
    row = setup["rows"][3]
    cases = [
        ("/api/v1/emulation/ratings/suggest", {"unit": "UB-PLTP-V", "year": 1999}, "year"),
        ("/api/v1/emulation/ratings/suggest", {"unit": "UB-PLTP-V", "year": 2**40}, "year"),
        ("/api/v1/emulation/ratings/suggest", {"unit": "UB-PLTP-V"}, "year"),
        ("/api/v1/emulation/ratings/suggest", {"unit": "NOPE", "year": YEAR}, "unit"),
        ("/api/v1/emulation/ratings/suggest", {"unit": "x" * 41, "year": YEAR}, "unit"),
        ("/api/v1/emulation/ratings/suggest", {"unit": "UB-PLTP-V", "year": 2019}, "year"),
        (f"/api/v1/emulation/ratings/{row.id}/decide", {"band": "great"}, "band"),
        (f"/api/v1/emulation/ratings/{row.id}/decide", {}, "band"),
        (f"/api/v1/emulation/ratings/{row.id}/decide", {"band": "completed"}, "comment"),
        (
            f"/api/v1/emulation/ratings/{row.id}/decide",
            {"band": "good", "comment": "x" * 2001},
            "comment",
        ),
        (
            f"/api/v1/emulation/ratings/{row.id}/decide",
            {"band": "good", "cap_override_reason": "y" * 1001},
            "cap_override_reason",
        ),
        (f"/api/v1/emulation/ratings/{row.id}/decide", {"band": "good", "comment": 5}, "comment"),
    ]
    for path, body, field in cases:
        resp = client.post(path, json=body, headers=headers)
        assert resp.status_code == 422, (body, resp.get_json())
        assert field in _error(resp)["fields"], (body, resp.get_json())
    for query, field in (
        ({"year": "abc"}, "year"),
        ({"unit": "NOPE"}, "unit"),
        ({"page": 0}, "page"),
    ):
        resp = client.get("/api/v1/emulation/ratings", query_string=query, headers=headers)
        assert resp.status_code == 422 and field in _error(resp)["fields"], query
    for missing in (0, row.id + 10_000, 2**31 - 1):
        resp = client.get(f"/api/v1/emulation/ratings/{missing}", headers=headers)
        assert resp.status_code == 404
        resp = client.post(
            f"/api/v1/emulation/ratings/{missing}/decide", json={"band": "good"}, headers=headers
        )
        assert resp.status_code == 404
    assert client.get(f"/api/v1/emulation/ratings/{2**40}", headers=headers).status_code == 404
    assert db_session.scalar(select(QualityRating.band).where(QualityRating.id == row.id)) is None


def test_no_snapshot_is_409(client: FlaskClient, token_for: Any, setup: Any) -> None:
    resp = client.post(
        "/api/v1/emulation/ratings/suggest",
        json={"unit": "UB-PLTP-V", "year": YEAR + 1},
        headers=bearer(token_for("officer")),
    )
    assert resp.status_code == 409 and _error(resp)["fields"] == {"year": "no score snapshot"}


def test_cap_409_and_override(
    client: FlaskClient, token_for: Any, setup: Any, db_session: Any
) -> None:
    headers = bearer(token_for("head", unit="UB-PLTP"))
    db_session.commit()  # the refused request rolls back to here, not past the head
    third = setup["rows"][2]  # 91 points, suggested good by the cap
    url = f"/api/v1/emulation/ratings/{third.id}/decide"
    body = {"band": "excellent", "comment": "drafted the verification report alone"}
    resp = client.post(url, json=body, headers=headers)
    assert resp.status_code == 409 and "cap_override_reason" in _error(resp)["fields"]
    resp = client.post(
        url, json=body | {"cap_override_reason": "exceptional year"}, headers=headers
    )
    assert resp.status_code == 200, resp.get_json()
    got = resp.get_json()
    assert got["band"] == "excellent" and got["suggested_band"] == "good"
    assert got["comment"].startswith("[cap override] exceptional year")
    event = db_session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "rating.decide", AuditEvent.entity_id == str(third.id))
        .order_by(AuditEvent.id.desc())
    )
    assert event.after["cap_override_reason"] == "exceptional year"
    assert event.before["band"] is None and event.after["band"] == "excellent"


def test_own_rating_is_refused(client: FlaskClient, db_session: Any) -> None:
    from lis.auth import services as auth_services
    from tests.factories import PersonFactory, UserFactory

    user = UserFactory(roles=["head"])
    me = PersonFactory(user=user, unit=unit_by_code("UB-PLTP"))
    snapshot(db_session, [(me, 80.0)])
    (row,) = ratings.suggest_for_unit(db_session, UserFactory(roles=["admin"]), me.unit_id, YEAR)
    token = auth_services.issue_token(db_session, user.email)
    db_session.commit()
    resp = client.post(
        f"/api/v1/emulation/ratings/{row.id}/decide", json={"band": "good"}, headers=bearer(token)
    )
    assert resp.status_code == 403 and _error(resp)["fields"] == {"id": "own rating"}


def test_openapi_lists_the_endpoints(api: Any) -> None:
    paths = api("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/emulation/ratings",
        "/api/v1/emulation/ratings/suggest",
        "/api/v1/emulation/ratings/{rating_id}",
        "/api/v1/emulation/ratings/{rating_id}/decide",
    ):
        assert path in paths, path
