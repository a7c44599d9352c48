"""The nominations API: each endpoint per role, the answers' shape, the dossier's files with
their checksums, and the 4xx that name the field."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from emulation import nominations
from emulation.commendation_models import DossierItem, Nomination
from lis.audit.models import AuditEvent
from lis.auth.models import ROLES
from tests.emulation.nominations.helpers import PLAIN, YEAR, Cast, cast, draft, fill, pdf, png

BASE = "/api/v1/emulation/nominations"
READERS = {"admin", "officer", "council", "head", "staff"}
CREATORS = {"admin", "officer", "head"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def c(db_session: Any) -> Cast:
    return cast()


@pytest.fixture
def n(db_session: Any, c: Cast) -> Nomination:
    row = draft(db_session, c, summary="Thành tích nổi bật")
    fill(db_session, c.head, row, ("request",))
    db_session.commit()  # a refused request rolls back to here (a savepoint in tests)
    return row


def as_role(role: str, c: Cast, token_for: Any) -> dict[str, str]:
    """A token for a user of `role` placed where the role matters: heads head the nominee's
    unit, staff are the nominee."""
    users = {
        "head": c.head,
        "staff": c.staff,
        "officer": c.officer,
        "admin": c.admin,
        "council": c.council,
        "deputy": c.deputy,
    }
    return bearer(token_for(user=users[role]))


@pytest.mark.parametrize("role", ROLES)
def test_list_and_read_per_role(
    role: str, client: FlaskClient, token_for: Any, c: Cast, n: Nomination
) -> None:
    headers = as_role(role, c, token_for)
    listed = client.get(BASE, headers=headers)
    one = client.get(f"{BASE}/{n.id}", headers=headers)
    assert listed.status_code == one.status_code == (200 if role in READERS else 403)
    if role not in READERS:
        assert one.get_json()["error"]["code"] == "forbidden"
        return
    assert n.id in [i["id"] for i in listed.get_json()["items"]]
    body = one.get_json()
    assert body["state"] == "draft" and body["title"]["code"] == PLAIN
    assert body["person"] == {"id": c.nominee.id, "name": c.nominee.name}
    assert body["nominee_unit"]["code"] == "UB-PLTP-V" and body["unit"] is None
    assert body["missing_dossier"] == ["achievement_report", "minutes"]
    checklist = {r["kind"]: r for r in body["checklist"]}
    assert checklist["request"]["provided"] and not checklist["minutes"]["provided"]
    assert body["dossier"][0]["sha256"] == hashlib.sha256(pdf(f"{n.id}-request")).hexdigest()
    assert [e["to_state"] for e in body["events"]] == ["draft"]
    assert body["moves"] == (["unit_review"] if role in ("head", "admin") else [])
    assert body["may_delete"] == (role == "head")


def test_outsiders_do_not_read(client: FlaskClient, token_for: Any, c: Cast, n: Nomination) -> None:
    headers = bearer(token_for(user=c.outsider))
    assert client.get(f"{BASE}/{n.id}", headers=headers).status_code == 403
    assert n.id not in [i["id"] for i in client.get(BASE, headers=headers).get_json()["items"]]
    assert client.get(f"{BASE}/2147483647", headers=headers).status_code == 404


def test_list_filters(client: FlaskClient, token_for: Any, c: Cast, n: Nomination) -> None:
    headers = bearer(token_for(user=c.officer))

    def ids(**q: Any) -> list[int]:
        resp = client.get(BASE, query_string=q, headers=headers)
        assert resp.status_code == 200, resp.get_json()
        return [i["id"] for i in resp.get_json()["items"]]

    assert n.id in ids(state="draft", year=YEAR, title=PLAIN, unit="UB-PLTP")
    assert n.id not in ids(state="council")
    assert n.id not in ids(year=YEAR + 1)
    assert n.id not in ids(unit="UB-KTTC")
    for bad, field in (
        ({"state": "withdrawn"}, "state"),
        ({"year": 1999}, "year"),
        ({"unit": "NOPE"}, "unit"),
        ({"title": "x" * 41}, "title"),
        ({"per_page": 500}, "per_page"),
    ):
        resp = client.get(BASE, query_string=bad, headers=headers)
        assert resp.status_code == 422, bad
        assert field in str(resp.get_json()["error"]["fields"]), bad


@pytest.mark.parametrize("role", ROLES)
def test_create_per_role(role: str, client: FlaskClient, token_for: Any, c: Cast) -> None:
    body = {"title": "LDTT", "year": YEAR, "person_id": c.nominee.id, "summary": "Tốt"}
    resp = client.post(BASE, json=body, headers=as_role(role, c, token_for))
    assert resp.status_code == (201 if role in CREATORS else 403), resp.get_json()
    if role in CREATORS:
        got = resp.get_json()
        assert got["state"] == "draft" and got["title"]["code"] == "LDTT"
        assert resp.headers["Location"].endswith(f"/nominations/{got['id']}")
        assert got["missing_dossier"] == ["request", "achievement_report", "minutes"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"year": YEAR, "person_id": 1}, 422, "title"),
        ({"title": "GK", "person_id": 1}, 422, "year"),
        ({"title": "GK", "year": "x", "person_id": 1}, 422, "year"),
        ({"title": "GK", "year": YEAR, "person_id": 2**31}, 422, "person_id"),
        ({"title": "GK", "year": YEAR, "person_id": 2**31 - 1}, 422, "person_id"),
        ({"title": "GK", "year": YEAR}, 422, "person_id"),
        ({"title": "GK", "year": YEAR, "unit": "UB-PLTP-V"}, 422, "unit"),
        ({"title": "TTLDTT", "year": YEAR, "unit": "UB PLTP"}, 422, "unit"),
        ({"title": "NOPE", "year": YEAR, "person_id": 1}, 422, "title"),
        ({"title": "GK", "year": YEAR, "person_id": 1, "summary": "x" * 5001}, 422, "summary"),
        ({"title": "GK", "year": YEAR, "person_id": 1, "movement_id": 0}, 422, "movement_id"),
    ],
)
def test_create_bad_input_names_the_field(
    client: FlaskClient, token_for: Any, c: Cast, body: dict[str, Any], status: int, field: str
) -> None:
    resp = client.post(BASE, json=body, headers=bearer(token_for(user=c.officer)))
    assert resp.status_code == status, resp.get_json()
    assert field in resp.get_json()["error"]["fields"], resp.get_json()


def test_create_twice_is_409(client: FlaskClient, token_for: Any, c: Cast, n: Nomination) -> None:
    body = {"title": PLAIN, "year": YEAR, "person_id": c.nominee.id}
    resp = client.post(BASE, json=body, headers=bearer(token_for(user=c.head)))
    assert resp.status_code == 409
    assert resp.get_json()["error"]["fields"]["title"].endswith(f"(nomination {n.id})")


def test_the_way_to_the_council_and_back(
    client: FlaskClient, token_for: Any, c: Cast, n: Nomination, db_session: Any
) -> None:
    head, above = bearer(token_for(user=c.head)), bearer(token_for(user=c.above))
    officer = bearer(token_for(user=c.officer))
    db_session.commit()  # the tokens outlive the refused requests
    url = f"{BASE}/{n.id}/transitions"
    resp = client.post(url, json={"to": "council"}, headers=officer)
    assert resp.status_code == 409 and resp.get_json()["error"]["fields"] == {
        "to": "not allowed from draft"
    }
    resp = client.post(url, json={"to": "unit_review", "note": "Trình"}, headers=head)
    assert resp.status_code == 200 and resp.get_json()["state"] == "unit_review"
    assert client.post(url, json={"to": "council"}, headers=head).status_code == 403
    resp = client.post(url, json={"to": "council"}, headers=above)
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["fields"]["dossier"] == "incomplete: achievement_report, minutes"
    assert "override_reason" in error["fields"] and "override_reason" in error["message"]
    resp = client.post(
        url, json={"to": "council", "override_reason": "Bổ sung biên bản sau"}, headers=above
    )
    assert resp.status_code == 200, resp.get_json()
    got = resp.get_json()
    assert got["state"] == "council" and got["override_reason"] == "Bổ sung biên bản sau"
    assert got["events"][-1]["override_reason"] == "Bổ sung biên bản sau"
    resp = client.post(url, json={"to": "decided"}, headers=officer)
    assert resp.status_code == 409
    assert resp.get_json()["error"]["fields"] == {"to": "a ballot decides"}
    assert "ballot" in resp.get_json()["error"]["message"]
    actions = db_session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.entity == "nomination", AuditEvent.entity_id == str(n.id)
        )
    ).all()
    assert "transition" in actions and "override" in actions


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "to"),
        ({"to": "withdrawn"}, "to"),
        ({"to": "unit_review", "note": "x" * 5001}, "note"),
        ({"to": "unit_review", "override_reason": "x" * 2001}, "override_reason"),
        ({"to": "unit_review", "note": "a\x00b"}, "note"),
    ],
)
def test_transition_bad_input(
    client: FlaskClient, token_for: Any, c: Cast, n: Nomination, body: Any, field: str
) -> None:
    resp = client.post(
        f"{BASE}/{n.id}/transitions", json=body, headers=bearer(token_for(user=c.head))
    )
    assert resp.status_code == 422 and field in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("role", ROLES)
def test_transition_per_role(
    role: str, client: FlaskClient, token_for: Any, c: Cast, n: Nomination
) -> None:
    resp = client.post(
        f"{BASE}/{n.id}/transitions",
        json={"to": "unit_review"},
        headers=as_role(role, c, token_for),
    )
    assert resp.status_code == (200 if role in ("head", "admin") else 403), resp.get_json()


def test_announce_and_revoke(
    client: FlaskClient, token_for: Any, c: Cast, n: Nomination, db_session: Any
) -> None:
    n.state = "council"
    nominations.record_decision(db_session, c.officer, n, passed=True, note="9/10", ballot_id=1)
    db_session.commit()
    url = f"{BASE}/{n.id}/transitions"
    head, officer = bearer(token_for(user=c.head)), bearer(token_for(user=c.officer))
    db_session.commit()  # the tokens outlive the refused requests
    assert client.post(url, json={"to": "announced"}, headers=head).status_code == 403
    resp = client.post(url, json={"to": "announced"}, headers=officer)
    assert resp.status_code == 200 and resp.get_json()["award"]["revoked"] is False
    resp = client.post(url, json={"to": "revoked"}, headers=officer)
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"] == {"note": "required"}
    resp = client.post(url, json={"to": "revoked", "note": "Khai man"}, headers=officer)
    assert resp.status_code == 200
    award = resp.get_json()["award"]
    assert award["revoked"] is True and award["revoked_reason"] == "Khai man"


def upload(client: FlaskClient, n_id: int, headers: Any, data: bytes, **form: Any) -> Any:
    fields = {"kind": "achievement_report", **form}
    if data is not None:
        fields["file"] = (io.BytesIO(data), form.pop("name", "bao-cao.pdf"))
    return client.post(
        f"{BASE}/{n_id}/dossier", data=fields, headers=headers, content_type="multipart/form-data"
    )


@pytest.mark.parametrize("role", ROLES)
def test_dossier_per_role(
    role: str, client: FlaskClient, token_for: Any, c: Cast, n: Nomination
) -> None:
    headers = as_role(role, c, token_for)
    resp = upload(client, n.id, headers, pdf(role))
    allowed = role in ("head", "admin")
    assert resp.status_code == (201 if allowed else 403), resp.get_json()
    item_id = n.dossier[0].id
    got = client.get(f"{BASE}/{n.id}/dossier/{item_id}", headers=headers)
    assert got.status_code == (200 if role in READERS else 403)
    if role in READERS:
        assert got.data == pdf(f"{n.id}-request")
        assert got.headers["X-Checksum-SHA256"] == n.dossier[0].sha256
        assert got.headers["X-Content-Type-Options"] == "nosniff"
    removed = client.delete(f"{BASE}/{n.id}/dossier/{item_id}", headers=headers)
    assert removed.status_code == (204 if allowed else 403)


def test_upload_answers_and_refusals(
    client: FlaskClient, token_for: Any, c: Cast, n: Nomination, db_session: Any
) -> None:
    headers = bearer(token_for(user=c.head))
    db_session.commit()  # the token outlives the refused requests
    resp = upload(client, n.id, headers, png("anh"), name="anh.pdf")
    assert resp.status_code == 201
    item = resp.get_json()
    assert item["content_type"] == "image/png" and item["size"] == len(png("anh"))
    assert item["sha256"] == hashlib.sha256(png("anh")).hexdigest()
    assert client.get(item["url"], headers=headers).data == png("anh")
    cases = [
        (upload(client, n.id, headers, png("anh")), 409, "file"),  # the same file again
        (upload(client, n.id, headers, b"MZ\x90\x00program"), 422, "file"),
        (upload(client, n.id, headers, b""), 422, "file"),
        (upload(client, n.id, headers, pdf() + b"0" * (10 * 1024 * 1024)), 422, "file"),
        (upload(client, n.id, headers, pdf("k"), kind="letter"), 422, "kind"),
        (upload(client, n.id, headers, None), 422, "file"),
        (
            client.post(f"{BASE}/{n.id}/dossier", json={"kind": "other"}, headers=headers),
            422,
            "file",
        ),
    ]
    for resp, status, field in cases:
        assert resp.status_code == status, resp.get_json()
        assert field in resp.get_json()["error"]["fields"]


def test_a_tampered_file_is_never_served(
    client: FlaskClient, token_for: Any, c: Cast, n: Nomination, db_session: Any
) -> None:
    item = n.dossier[0]
    db_session.execute(update(DossierItem).where(DossierItem.id == item.id).values(data=b"%PDF-x"))
    headers = bearer(token_for(user=c.officer))
    db_session.commit()
    resp = client.get(f"{BASE}/{n.id}/dossier/{item.id}", headers=headers)
    assert resp.status_code == 409
    assert resp.get_json()["error"]["fields"] == {"file": "checksum mismatch"}
    missing = client.get(f"{BASE}/{n.id}/dossier/2147483647", headers=headers)
    assert missing.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_delete_a_draft_per_role(
    role: str, client: FlaskClient, token_for: Any, c: Cast, n: Nomination, db_session: Any
) -> None:
    resp = client.delete(f"{BASE}/{n.id}", headers=as_role(role, c, token_for))
    assert resp.status_code == (204 if role == "head" else 403)
    db_session.expire_all()
    assert (db_session.get(Nomination, n.id) is None) == (role == "head")
