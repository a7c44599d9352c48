"""The review API: a test per role for each endpoint, 4xx answers naming the field, 409s."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from lis.auth.models import ROLES
from lis.contributions import review
from tests.contributions.helpers import log
from tests.contributions.review.conftest import World

REVIEWERS = {"admin", "head"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def verified(db_session: Any, world: World) -> None:
    review.verify(db_session, world.committee_head, world.c.id)
    db_session.commit()


@pytest.mark.parametrize("role", ROLES)
def test_queue_per_role(role: str, client: FlaskClient, token_for: Any, world: World) -> None:
    resp = client.get("/api/v1/review/queue", headers=bearer(token_for(role, unit="UB-PLTP")))
    assert resp.status_code == (200 if role in REVIEWERS else 403), resp.get_json()
    if role in REVIEWERS:
        got = resp.get_json()
        assert world.c.id in [i["id"] for i in got["items"]]
        item = next(i for i in got["items"] if i["id"] == world.c.id)
        assert item["state"] == "submitted" and item["person"]["name"]
        assert got["counts"]["total"] == got["total"] >= 1
    else:
        assert resp.get_json()["error"]["fields"] == {"role": "missing"}


def test_queue_filters(client: FlaskClient, token_for: Any, world: World) -> None:
    token = token_for(user=world.committee_head)
    get = lambda **q: client.get("/api/v1/review/queue", query_string=q, headers=bearer(token))  # noqa: E731
    assert get().get_json()["total"] == 1
    assert get(unit="UB-PLTP", include_sub_units="false").get_json()["total"] == 0
    assert get(unit="UB-PLTP-V").get_json()["total"] == 1
    assert get(work_kind="VERIFY_REPORT", document=world.doc.external_id).get_json()["total"] == 1
    assert get(work_kind="JOINT_VERIFY").get_json()["total"] == 0
    counts = get().get_json()["counts"]
    assert counts["by_unit"] == [{"key": "UB-PLTP-V", "count": 1}]
    assert counts["by_document"] == [{"key": world.doc.external_id, "count": 1}]
    for name, value, status in (
        ("unit", "NOPE", 422),
        ("work_kind", "NOPE", 422),
        ("document", "nope", 422),
        ("unit", "UB-KTTC", 403),
        ("page", "0", 422),
        ("per_page", "500", 422),
        ("include_sub_units", "maybe", 422),
    ):
        resp = get(**{name: value})
        assert resp.status_code == status, (name, resp.get_json())
        assert name in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("role", ROLES)
def test_verify_per_role(role: str, client: FlaskClient, token_for: Any, world: World) -> None:
    resp = client.post(
        f"/api/v1/contributions/{world.c.id}/verify",
        headers=bearer(token_for(role, unit="UB-PLTP-V")),
    )
    assert resp.status_code == (200 if role in REVIEWERS else 403), resp.get_json()
    if role in REVIEWERS:
        got = resp.get_json()
        assert got["state"] == "verified" and got["verified_by"] and got["verified_at"]


@pytest.mark.parametrize("role", ROLES)
def test_reject_per_role(role: str, client: FlaskClient, token_for: Any, world: World) -> None:
    resp = client.post(
        f"/api/v1/contributions/{world.c.id}/reject",
        json={"reason": "Thiếu số liệu"},
        headers=bearer(token_for(role, unit="UB-PLTP-V")),
    )
    assert resp.status_code == (200 if role in REVIEWERS else 403), resp.get_json()
    if role in REVIEWERS:
        got = resp.get_json()
        assert got["state"] == "rejected" and got["reject_reason"] == "Thiếu số liệu"


@pytest.mark.parametrize("role", ROLES)
def test_rating_per_role(
    role: str, client: FlaskClient, token_for: Any, db_session: Any, world: World
) -> None:
    verified(db_session, world)
    resp = client.post(
        f"/api/v1/contributions/{world.c.id}/rating",
        json={"quality": "excellent", "comment": "Rất tốt", "major_errors": 0},
        headers=bearer(token_for(role, unit="UB-PLTP-V")),
    )
    assert resp.status_code == (200 if role in REVIEWERS else 403), resp.get_json()
    if role in REVIEWERS:
        got = resp.get_json()
        assert (got["quality"], got["quality_comment"], got["major_errors"]) == (
            "excellent",
            "Rất tốt",
            0,
        )


@pytest.mark.parametrize("role", ROLES)
def test_outcome_per_role(
    role: str, client: FlaskClient, token_for: Any, db_session: Any, world: World
) -> None:
    verified(db_session, world)
    resp = client.post(
        f"/api/v1/contributions/{world.c.id}/outcome",
        json={"outcome": "accepted", "version": 2},
        headers=bearer(token_for(role, unit="UB-PLTP-V")),
    )
    assert resp.status_code == (200 if role in REVIEWERS else 403), resp.get_json()
    if role in REVIEWERS:
        got = resp.get_json()
        assert (got["outcome"], got["outcome_version"]) == ("accepted", 2)


def test_own_and_out_of_reach_are_403(
    client: FlaskClient, token_for: Any, db_session: Any, world: World
) -> None:
    own = log(db_session, world.head, document=world.doc)
    db_session.commit()
    resp = client.post(
        f"/api/v1/contributions/{own.id}/verify", headers=bearer(token_for(user=world.head))
    )
    assert resp.status_code == 403
    assert resp.get_json()["error"]["fields"] == {"id": "own contribution"}
    resp = client.post(
        f"/api/v1/contributions/{world.c.id}/verify",
        headers=bearer(token_for(user=world.other_head)),
    )
    assert resp.status_code == 403
    resp = client.post(
        f"/api/v1/contributions/{world.c.id + 10_000}/verify",
        headers=bearer(token_for(user=world.head)),
    )
    assert resp.status_code == 404


def test_wrong_states_are_409(
    client: FlaskClient, token_for: Any, db_session: Any, world: World
) -> None:
    headers = bearer(token_for(user=world.head))
    base = f"/api/v1/contributions/{world.c.id}"
    resp = client.post(f"{base}/rating", json={"quality": "good"}, headers=headers)
    assert resp.status_code == 409 and resp.get_json()["error"]["fields"] == {"state": "submitted"}
    resp = client.post(
        f"{base}/outcome", json={"outcome": "accepted", "version": 2}, headers=headers
    )
    assert resp.status_code == 409
    assert client.post(f"{base}/verify", headers=headers).status_code == 200
    resp = client.post(f"{base}/verify", headers=headers)
    assert resp.status_code == 409 and resp.get_json()["error"]["fields"] == {"state": "verified"}
    resp = client.post(f"{base}/reject", json={"reason": "late"}, headers=headers)
    assert resp.status_code == 409


@pytest.mark.parametrize(
    ("endpoint", "body", "field"),
    [
        ("reject", {}, "reason"),
        ("reject", {"reason": ""}, "reason"),
        ("reject", {"reason": "   "}, "reason"),
        ("reject", {"reason": "x" * 2001}, "reason"),
        ("reject", {"reason": 5}, "reason"),
        ("rating", {}, "quality"),
        ("rating", {"quality": "great"}, "quality"),
        ("rating", {"quality": "good", "major_errors": -1}, "major_errors"),
        ("rating", {"quality": "good", "major_errors": 101}, "major_errors"),
        ("rating", {"quality": "good", "major_errors": "2"}, "major_errors"),
        ("rating", {"quality": "good", "comment": "x" * 5001}, "comment"),
        ("outcome", {"version": 2}, "outcome"),
        ("outcome", {"outcome": "maybe", "version": 2}, "outcome"),
        ("outcome", {"outcome": "accepted"}, "version"),
        ("outcome", {"outcome": "accepted", "version": 0}, "version"),
        ("outcome", {"outcome": "accepted", "version": 1}, "version"),
        ("outcome", {"outcome": "accepted", "version": 9}, "version"),
    ],
)
def test_bad_input_names_the_field(
    endpoint: str,
    body: dict[str, Any],
    field: str,
    client: FlaskClient,
    token_for: Any,
    db_session: Any,
    world: World,
) -> None:
    if endpoint != "reject":
        verified(db_session, world)
    resp = client.post(
        f"/api/v1/contributions/{world.c.id}/{endpoint}",
        json=body,
        headers=bearer(token_for(user=world.head)),
    )
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["fields"]


def test_rerating_replaces_the_rating(
    client: FlaskClient, token_for: Any, db_session: Any, world: World
) -> None:
    verified(db_session, world)
    headers = bearer(token_for(user=world.head))
    url = f"/api/v1/contributions/{world.c.id}/rating"
    client.post(url, json={"quality": "good", "major_errors": 1}, headers=headers)
    resp = client.post(url, json={"quality": "completed", "major_errors": 3}, headers=headers)
    assert resp.status_code == 200
    assert (resp.get_json()["quality"], resp.get_json()["major_errors"]) == ("completed", 3)
