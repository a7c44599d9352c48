"""The council API per role for each endpoint, anonymous callers, and bad input (4xx naming
the field)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from emulation.commendation_models import Award, OpenVote
from lis.auth.models import ROLES
from tests.emulation.council.helpers import meeting, members, nomination, present_ids

API = "/api/v1/emulation/council/meetings"
READERS = {"admin", "officer", "council"}
KEEPERS = {"admin", "officer"}


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def m(db_session: Any) -> Any:
    row = meeting(db_session, size=5, present=4)
    db_session.commit()  # a refused request rolls back to here (a savepoint in tests)
    return row


@pytest.mark.parametrize("role", ROLES)
def test_reading_per_role(role: str, client: FlaskClient, token_for: Any, m: Any) -> None:
    headers = _headers(token_for(role, unit="UB-PLTP-V"))
    expected = 200 if role in READERS else 403
    for path in (API, f"{API}?state=open", f"{API}/{m.id}"):
        resp = client.get(path, headers=headers)
        assert resp.status_code == expected, (path, resp.get_json())
    if role in READERS:
        body = client.get(f"{API}/{m.id}", headers=headers).get_json()
        assert body["quorum"] == {"present": 4, "total": 5, "needed": 4, "met": True}
        assert len(body["attendance"]) == 5 and body["ballots"] == []
        assert sum(a["present"] for a in body["attendance"]) == 4
        listed = client.get(f"{API}?state=open", headers=headers).get_json()
        assert m.id in [item["id"] for item in listed["items"]]
        closed = client.get(f"{API}?state=closed", headers=headers).get_json()
        assert m.id not in [item["id"] for item in closed["items"]]


def test_anonymous_callers_get_401(client: FlaskClient, m: Any) -> None:
    for method, path in (
        ("GET", API),
        ("POST", API),
        ("GET", f"{API}/{m.id}"),
        ("PUT", f"{API}/{m.id}/attendance"),
        ("POST", f"{API}/{m.id}/ballots"),
        ("POST", f"{API}/{m.id}/close"),
    ):
        assert client.open(path, method=method).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_keeping_per_role(
    role: str, client: FlaskClient, token_for: Any, m: Any, db_session: Any
) -> None:
    headers = _headers(token_for(role, unit="UB-PLTP-V"))
    allowed = role in KEEPERS
    people = members(3)
    n = nomination(db_session)
    db_session.commit()
    created = client.post(
        API,
        json={"title": "Phiên họp", "held_on": "2025-12-20", "members": [p.id for p in people]},
        headers=headers,
    )
    assert created.status_code == (201 if allowed else 403), created.get_json()
    here = present_ids(m)
    marked = client.put(
        f"{API}/{m.id}/attendance",
        json={"attendance": [{"person_id": here[0], "present": True}]},
        headers=headers,
    )
    assert marked.status_code == (200 if allowed else 403)
    voted = client.post(
        f"{API}/{m.id}/ballots",
        json={"nomination_id": n.id, "secret": True, "yes": 3, "no": 1, "abstain": 0},
        headers=headers,
    )
    assert voted.status_code == (201 if allowed else 403), voted.get_json()
    closed = client.post(f"{API}/{m.id}/close", json={"minutes": "Biên bản"}, headers=headers)
    assert closed.status_code == (200 if allowed else 403)
    if allowed:
        body = created.get_json()
        assert body["members_total"] == 3 and body["quorum"]["needed"] == 2
        assert body["state"] == "open" and body["quorum_share"] == pytest.approx(2 / 3)
        ballot = voted.get_json()
        assert ballot["result"] == "passed" and ballot["votes"] == []
        assert ballot["nomination_state"] == "decided" and ballot["threshold"] == 0.5
        assert closed.get_json()["state"] == "closed"
        assert closed.get_json()["ballots"][0]["id"] == ballot["id"]
    else:
        assert n.state == "council"


def test_an_open_ballot_through_the_api(
    client: FlaskClient, token_for: Any, m: Any, db_session: Any
) -> None:
    headers = _headers(token_for("officer"))
    n = nomination(db_session)
    db_session.commit()
    here = present_ids(m)
    votes = [{"person_id": pid, "choice": "yes"} for pid in here[:3]] + [
        {"person_id": here[3], "choice": "no"}
    ]
    resp = client.post(
        f"{API}/{m.id}/ballots",
        json={"nomination_id": n.id, "secret": False, "votes": votes},
        headers=headers,
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["yes"], body["no"], body["abstain"]) == (3, 1, 0)
    assert sorted(body["votes"], key=lambda v: v["person_id"]) == sorted(
        votes, key=lambda v: v["person_id"]
    )
    assert body["result"] == "passed" and body["nomination_state"] == "decided"
    assert db_session.scalar(select(func.count()).select_from(OpenVote)) == 4
    assert db_session.scalar(select(func.count()).where(Award.nomination_id == n.id)) == 1
    assert any(r.startswith("eligibility_report:") for r in body["rule_versions"])


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"secret": True, "yes": 1, "no": 0, "abstain": 0, "votes": []}, 422, "votes"),
        ({"secret": True, "yes": 3, "no": 1, "abstain": 1}, 422, "counts"),
        ({"secret": True, "no": 0, "abstain": 0}, 422, "yes"),
        ({"secret": True, "yes": "3", "no": 0, "abstain": 0}, 422, "yes"),
        ({"secret": False}, 422, "votes"),
        ({"secret": False, "votes": [{"person_id": 1, "choice": "maybe"}]}, 422, "votes"),
        ({"yes": 1, "no": 0, "abstain": 0}, 422, "secret"),
        (
            {"secret": True, "yes": 1, "no": 0, "abstain": 0, "nomination_id": 2**31},
            422,
            "nomination_id",
        ),
        (
            {"secret": True, "yes": 1, "no": 0, "abstain": 0, "nomination_id": 2**31 - 1},
            404,
            "nomination_id",
        ),
    ],
)
def test_bad_ballots_name_the_field(
    client: FlaskClient,
    token_for: Any,
    m: Any,
    db_session: Any,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    n = nomination(db_session)
    db_session.commit()
    resp = client.post(
        f"{API}/{m.id}/ballots",
        json={"nomination_id": n.id, **body},
        headers=_headers(token_for("officer")),
    )
    assert resp.status_code == status, resp.get_json()
    assert field in resp.get_json()["error"]["fields"]
    assert n.state == "council"


def test_conflicts_name_the_field(client: FlaskClient, token_for: Any, db_session: Any) -> None:
    headers = _headers(token_for("officer"))
    short = meeting(db_session, size=9, present=5)
    draft = nomination(db_session, state="draft")
    waiting = nomination(db_session)
    db_session.commit()
    vote = {"secret": True, "yes": 5, "no": 0, "abstain": 0}
    resp = client.post(
        f"{API}/{short.id}/ballots", json={"nomination_id": waiting.id, **vote}, headers=headers
    )
    assert resp.status_code == 409
    assert resp.get_json()["error"]["fields"] == {"quorum": "5 present, 6 needed"}
    full = meeting(db_session, size=3)
    db_session.commit()
    resp = client.post(
        f"{API}/{full.id}/ballots",
        json={"nomination_id": draft.id, "secret": True, "yes": 3, "no": 0, "abstain": 0},
        headers=headers,
    )
    assert resp.status_code == 409
    assert resp.get_json()["error"]["fields"] == {"nomination_id": "is draft, must be council"}
    done = client.post(f"{API}/{full.id}/close", json={"minutes": "Xong"}, headers=headers)
    assert done.status_code == 200
    again = client.post(f"{API}/{full.id}/close", json={"minutes": "Xong"}, headers=headers)
    assert again.status_code == 409 and "state" in again.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"held_on": "2025-12-20", "members": [1]}, "title"),
        ({"title": "x" * 301, "held_on": "2025-12-20", "members": [1]}, "title"),
        ({"title": "P", "members": [1]}, "held_on"),
        ({"title": "P", "held_on": "2023-06-01", "members": None}, "members"),
        ({"title": "P", "held_on": "2025-12-20", "members": []}, "members"),
        ({"title": "P", "held_on": "2025-12-20", "members": list(range(1, 202))}, "members"),
        ({"title": "P", "held_on": "2025-12-20", "members": [2**31]}, "members"),
        ({"title": "P", "held_on": "2025-12-20", "members": [2**31 - 1]}, "members"),
    ],
)
def test_bad_meetings_name_the_field(
    client: FlaskClient, token_for: Any, body: dict[str, Any], field: str
) -> None:
    resp = client.post(API, json=body, headers=_headers(token_for("officer")))
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["fields"]


def test_a_meeting_before_any_quorum_rule(
    client: FlaskClient, token_for: Any, db_session: Any
) -> None:
    people = members(3)
    db_session.commit()
    resp = client.post(
        API,
        json={"title": "P", "held_on": "2023-06-01", "members": [p.id for p in people]},
        headers=_headers(token_for("officer")),
    )
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"] == {"held_on": "no council_quorum_share in force"}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"attendance": []}, 422, "attendance"),
        ({"attendance": [{"person_id": 1}]}, 422, "attendance"),
        ({"attendance": [{"person_id": 2**31 - 1, "present": True}]}, 422, "attendance"),
        ({}, 422, "attendance"),
    ],
)
def test_bad_attendance_names_the_field(
    client: FlaskClient, token_for: Any, m: Any, body: dict[str, Any], status: int, field: str
) -> None:
    resp = client.put(f"{API}/{m.id}/attendance", json=body, headers=_headers(token_for("officer")))
    assert resp.status_code == status, resp.get_json()
    assert field in resp.get_json()["error"]["fields"]


def test_unknown_meetings_are_404(client: FlaskClient, token_for: Any) -> None:
    headers = _headers(token_for("officer"))
    assert client.get(f"{API}/{2**31 - 1}", headers=headers).status_code == 404
    assert client.get(f"{API}/{2**31}", headers=headers).status_code == 404
    resp = client.post(f"{API}/{2**31 - 1}/close", json={"minutes": "x"}, headers=headers)
    assert resp.status_code == 404
    assert client.post(f"{API}/1/close", json={}, headers=headers).status_code in (404, 422)
