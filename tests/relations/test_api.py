"""The relations API: every endpoint for every role, and 4xx JSON naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from lis.auth.models import ROLES
from lis.db import transaction
from lis.documents.models import Document
from lis.relations import services
from tests.relations.conftest import CITED, CITING

DECIDERS = {"admin", "staff", "head"}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_relations_both_ways(
    role: str,
    client: FlaskClient,
    token_for: Any,
    db_session: Any,
    citing: Document,
    cited: Document,
    make_user: Any,
) -> None:
    services.create_relation(
        db_session, citing, make_user("staff"), kind="guides", target_id=cited.external_id
    )
    services.suggest_for_document(db_session, citing, None)
    headers = auth(token_for(role))
    out = client.get(f"/api/v1/documents/{CITING}/relations", headers=headers)
    assert out.status_code == 200
    body = out.get_json()
    assert body["document"]["id"] == CITING
    assert [(r["kind"], r["target"]["id"]) for r in body["outgoing"]] == [("guides", CITED)]
    assert body["suggestions"] and all(r["state"] == "suggested" for r in body["suggestions"])
    back = client.get(f"/api/v1/documents/{CITED}/relations", headers=headers).get_json()
    assert [(r["kind"], r["source"]["id"]) for r in back["incoming"]] == [("guides", CITING)]


def test_relations_of_an_unknown_document(api: Any) -> None:
    resp = api("/api/v1/documents/no-such-doc/relations")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["fields"] == {"id": "unknown"}


@pytest.mark.parametrize("role", ROLES)
def test_suggest_by_role(role: str, client: FlaskClient, token_for: Any, citing: Document) -> None:
    resp = client.post(
        f"/api/v1/documents/{CITING}/relations/suggest", headers=auth(token_for(role))
    )
    if role in DECIDERS:
        assert resp.status_code == 200
        created = resp.get_json()["created"]
        assert created and {r["source"]["id"] for r in created} == {CITING}
        assert any(r["target"] and r["target"]["id"] == CITED for r in created)
    else:
        assert resp.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_create_by_role(
    role: str, client: FlaskClient, token_for: Any, citing: Document, cited: Document
) -> None:
    resp = client.post(
        f"/api/v1/documents/{CITING}/relations",
        json={"kind": "amends", "target": CITED, "note": "ghi chú"},
        headers=auth(token_for(role)),
    )
    if role in DECIDERS:
        assert resp.status_code == 201, resp.get_json()
        body = resp.get_json()
        assert (body["state"], body["kind"], body["target"]["id"]) == ("confirmed", "amends", CITED)
        assert body["cited_number"] == cited.number
    else:
        assert resp.status_code == 403


@pytest.mark.parametrize(
    ("payload", "field", "status"),
    [
        ({"target": CITED}, "kind", 422),
        ({"kind": "cites", "target": CITED}, "kind", 422),
        ({"kind": "basis"}, "target", 422),
        ({"kind": "basis", "target": "no-such-doc"}, "target", 422),
        ({"kind": "basis", "target": CITING}, "target", 422),
        ({"kind": "basis", "cited_number": "x" * 121}, "cited_number", 422),
        ({"kind": "basis", "cited_number": "1/2020/QH14", "note": "x" * 2001}, "note", 422),
    ],
)
def test_bad_create_names_the_field(
    client: FlaskClient,
    token_for: Any,
    citing: Document,
    payload: dict[str, Any],
    field: str,
    status: int,
) -> None:
    resp = client.post(
        f"/api/v1/documents/{CITING}/relations", json=payload, headers=auth(token_for("staff"))
    )
    assert resp.status_code == status
    assert field in resp.get_json()["error"]["fields"]


def test_duplicate_create_is_a_conflict(
    client: FlaskClient, token_for: Any, citing: Document, cited: Document
) -> None:
    headers = auth(token_for("head"))
    url = f"/api/v1/documents/{CITING}/relations"
    assert (
        client.post(url, json={"kind": "basis", "target": CITED}, headers=headers).status_code
        == 201
    )
    again = client.post(url, json={"kind": "basis", "cited_number": cited.number}, headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["fields"] == {"kind": "taken"}


@pytest.mark.parametrize("role", ROLES)
def test_confirm_by_role(
    role: str, client: FlaskClient, token_for: Any, db_session: Any, citing: Document
) -> None:
    suggestion = services.suggest_for_document(db_session, citing, None)[0]
    resp = client.post(
        f"/api/v1/relations/{suggestion.id}/confirm",
        json={"kind": "replaces", "note": "đã kiểm tra"},
        headers=auth(token_for(role)),
    )
    if role in DECIDERS:
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert (body["state"], body["kind"], body["note"]) == (
            "confirmed",
            "replaces",
            "đã kiểm tra",
        )
        assert body["detected_kind"] == suggestion.detected_kind
    else:
        assert resp.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_dismiss_by_role(
    role: str, client: FlaskClient, token_for: Any, db_session: Any, citing: Document
) -> None:
    suggestion = services.suggest_for_document(db_session, citing, None)[0]
    resp = client.post(
        f"/api/v1/relations/{suggestion.id}/dismiss", json={}, headers=auth(token_for(role))
    )
    if role in DECIDERS:
        assert resp.status_code == 200
        assert resp.get_json()["state"] == "dismissed"
    else:
        assert resp.status_code == 403


def test_confirm_and_dismiss_errors(
    client: FlaskClient, token_for: Any, db_session: Any, citing: Document
) -> None:
    headers = auth(token_for("staff"))
    with transaction(db_session):  # committed, as a failed request rolls back what is not
        suggestion = services.suggest_for_document(db_session, citing, None)[0]
    bad = client.post(
        f"/api/v1/relations/{suggestion.id}/confirm", json={"kind": "x"}, headers=headers
    )
    assert bad.status_code == 422 and "kind" in bad.get_json()["error"]["fields"]
    missing = client.post("/api/v1/relations/999999/confirm", json={}, headers=headers)
    assert missing.status_code == 404
    assert (
        client.post(
            f"/api/v1/relations/{suggestion.id}/confirm", json={}, headers=headers
        ).status_code
        == 200
    )
    dismissed = client.post(f"/api/v1/relations/{suggestion.id}/dismiss", json={}, headers=headers)
    assert dismissed.status_code == 409
    assert dismissed.get_json()["error"]["fields"] == {"state": "confirmed"}


@pytest.mark.parametrize("role", ROLES)
def test_delete_by_role(
    role: str,
    client: FlaskClient,
    token_for: Any,
    db_session: Any,
    citing: Document,
    cited: Document,
    make_user: Any,
) -> None:
    relation = services.create_relation(
        db_session, citing, make_user("staff"), kind="basis", target_id=cited.external_id
    )
    resp = client.delete(f"/api/v1/relations/{relation.id}", headers=auth(token_for(role)))
    if role == "admin":
        assert resp.status_code == 204
        again = client.delete(f"/api/v1/relations/{relation.id}", headers=auth(token_for(role)))
        assert again.status_code == 404
    else:
        assert resp.status_code == 403
