"""The drafts API, per role: who may list, read, create, edit, add versions and move stages."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from lis.auth.models import ROLES
from tests.drafts.helpers import DRAFT, V1, V2, auth, docx_bytes

EDITORS = {"admin", "staff", "head"}


@pytest.fixture
def draft_id(client: FlaskClient, token_for: Any) -> str:
    resp = client.post(
        "/api/v1/drafts", json=DRAFT, headers=auth(token_for("staff", unit="UB-PLTP-V"))
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def member_token(token_for: Any, role: str, unit: str = "UB-PLTP-V") -> str:
    # Admins need no unit; the other roles are members of the lead committee's department.
    return token_for(role) if role == "admin" else token_for(role, unit=unit)


@pytest.mark.parametrize("role", ROLES)
def test_create_per_role(role: str, client: FlaskClient, token_for: Any) -> None:
    resp = client.post("/api/v1/drafts", json=DRAFT, headers=auth(member_token(token_for, role)))
    if role not in EDITORS:
        assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
        return
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert resp.headers["Location"].endswith(f"/api/v1/drafts/{body['id']}")
    assert body["id"].startswith("draft-") and body["stage"] == "S_PROGRAMME"
    assert body["stage_label"] == "Chương trình lập pháp hằng năm"
    assert body["machine"] == "LAW" and body["lead_unit"]["code"] == "UB-PLTP"
    assert body["planned_sessions"] == ["XV-10"] and body["number"] == ""
    assert [e["to"] for e in body["timeline"]] == ["S_PROGRAMME"] and body["versions"] == []


@pytest.mark.parametrize("role", ROLES)
def test_list_and_read_per_role(
    role: str, client: FlaskClient, token_for: Any, draft_id: str
) -> None:
    headers = auth(member_token(token_for, role))
    listing = client.get("/api/v1/drafts", query_string={"lead_unit": "UB-PLTP"}, headers=headers)
    assert listing.status_code == 200
    assert draft_id in [d["id"] for d in listing.get_json()["items"]]
    assert (
        client.get(
            "/api/v1/drafts", query_string={"stage": "S_VERIFY"}, headers=headers
        ).get_json()["total"]
        == 0
    )
    one = client.get(f"/api/v1/drafts/{draft_id}", headers=headers)
    assert one.status_code == 200 and one.get_json()["title"] == DRAFT["title"]
    # The Government drafts: only the NA Office (VPQH-TH) and admins record its acts.
    allowed = [t["to"] for t in one.get_json()["allowed_transitions"]]
    assert allowed == (["S_POLICY", "S_DRAFTING", "S_WITHDRAWN"] if role == "admin" else [])


def test_list_filters_are_checked(api: Any) -> None:
    assert api("/api/v1/drafts", stage="S_NOPE").status_code == 422
    assert api("/api/v1/drafts", page=0).status_code == 422
    assert api("/api/v1/drafts/nope").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_patch_per_role(role: str, client: FlaskClient, token_for: Any, draft_id: str) -> None:
    resp = client.patch(
        f"/api/v1/drafts/{draft_id}",
        json={"title": "Tên mới", "planned_sessions": ["XV-9", "XV-10"]},
        headers=auth(member_token(token_for, role)),
    )
    assert resp.status_code == (200 if role in EDITORS else 403), resp.get_json()
    if role in EDITORS:
        assert resp.get_json()["planned_sessions"] == ["XV-9", "XV-10"]


def test_patch_errors(client: FlaskClient, token_for: Any, draft_id: str) -> None:
    headers = auth(token_for("admin"))
    bad = client.patch(f"/api/v1/drafts/{draft_id}", json={"lead_unit": "NOPE"}, headers=headers)
    assert bad.status_code == 422 and "lead_unit" in bad.get_json()["error"]["fields"]
    other = auth(token_for("staff", unit="UB-VHXH-V"))
    assert client.patch(f"/api/v1/drafts/{draft_id}", json={}, headers=other).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_versions_per_role(role: str, client: FlaskClient, token_for: Any, draft_id: str) -> None:
    headers = auth(member_token(token_for, role))
    resp = client.post(
        f"/api/v1/drafts/{draft_id}/versions",
        json={"label": "Dự thảo 1", "text": V1, "version_date": "2025-09-01"},
        headers=headers,
    )
    if role not in EDITORS:
        assert resp.status_code == 403
        return
    assert resp.status_code == 201, resp.get_json()
    assert [(v["seq"], v["label"]) for v in resp.get_json()["versions"]] == [(1, "Dự thảo 1")]
    again = client.post(
        f"/api/v1/drafts/{draft_id}/versions", json={"label": "x", "text": V1}, headers=headers
    )
    assert again.status_code == 409 and again.get_json()["error"]["fields"] == {"text": "unchanged"}
    upload = client.post(
        f"/api/v1/drafts/{draft_id}/versions",
        data={"label": "Dự thảo 2", "file": (__import__("io").BytesIO(docx_bytes(V2)), "v2.docx")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    assert upload.get_json()["versions"][-1]["source"] == "v2.docx"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"label": "x", "file": (b"%PDF", "a.pdf")}, "file"),
        ({"label": "x", "file": (b"PK\x03\x04junk", "a.docx")}, "file"),
        ({"label": "x", "file": (b"x" * (5 * 1024 * 1024 + 1), "a.txt")}, "file"),
        ({"file": (b"text", "a.txt")}, "label"),
        ({"label": "x"}, "text"),
        ({"label": "x", "version_date": "yesterday", "text": "a"}, "version_date"),
    ],
    ids=["pdf", "corrupt-docx", "oversized", "no-label", "no-text", "bad-date"],
)
def test_bad_uploads(
    client: FlaskClient, token_for: Any, draft_id: str, data: dict[str, Any], field: str
) -> None:
    import io

    form = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
    resp = client.post(
        f"/api/v1/drafts/{draft_id}/versions",
        data=form,
        headers=auth(token_for("staff", unit="UB-PLTP-V")),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["fields"]


def test_version_json_errors(client: FlaskClient, token_for: Any, draft_id: str) -> None:
    headers = auth(token_for("staff", unit="UB-PLTP-V"))
    url = f"/api/v1/drafts/{draft_id}/versions"
    assert client.post(url, json=["x"], headers=headers).status_code == 422
    assert client.post(url, data="x", headers=headers).status_code == 422
    resp = client.post(url, json={"label": "x", "text": 5}, headers=headers)
    assert resp.status_code == 422 and "text" in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("role", ROLES)
def test_transitions_per_role(
    role: str, client: FlaskClient, token_for: Any, draft_id: str
) -> None:
    office = auth(token_for("staff", unit="VPQH-TH"))
    for stage in ("S_DRAFTING", "S_GOV_OPINION", "S_SUBMITTED"):
        resp = client.post(
            f"/api/v1/drafts/{draft_id}/transitions", json={"to": stage}, headers=office
        )
        assert resp.status_code == 201, resp.get_json()
    resp = client.post(
        f"/api/v1/drafts/{draft_id}/transitions",
        json={"to": "S_VERIFY", "note": "Nhận hồ sơ"},
        headers=auth(member_token(token_for, role)),
    )
    if role not in EDITORS:
        assert resp.status_code == 403
        return
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["stage"] == "S_VERIFY" and body["holder"]["code"] == "UB-PLTP"
    last = body["timeline"][-1]
    assert (last["from"], last["to"], last["acting_as"], last["note"]) == (
        "S_SUBMITTED", "S_VERIFY", "LEAD_VERIFIER", "Nhận hồ sơ",
    )  # fmt: skip


def test_transition_errors(client: FlaskClient, token_for: Any, draft_id: str) -> None:
    url = f"/api/v1/drafts/{draft_id}/transitions"
    staff = auth(token_for("staff", unit="UB-PLTP-V"))
    forbidden = client.post(url, json={"to": "S_ADOPTED"}, headers=staff)
    assert forbidden.status_code == 409
    assert forbidden.get_json()["error"]["fields"]["allowed"] == [
        "S_POLICY", "S_DRAFTING", "S_WITHDRAWN",
    ]  # fmt: skip
    not_yours = client.post(url, json={"to": "S_DRAFTING"}, headers=staff)
    assert not_yours.status_code == 403
    assert "SUBMITTER" in not_yours.get_json()["error"]["message"]
    assert "VPQH-TH" in not_yours.get_json()["error"]["message"]
    assert client.post(url, json={"to": "S_NOPE"}, headers=staff).status_code == 422
    future = client.post(url, json={"to": "S_DRAFTING", "event_date": "2999-01-01"},
                         headers=auth(token_for("admin")))  # fmt: skip
    assert future.status_code == 422 and "event_date" in future.get_json()["error"]["fields"]


def test_imported_documents_have_a_record_but_no_moves(client: FlaskClient, api: Any) -> None:
    docs = api("/api/v1/documents", per_page=1).get_json()["items"]
    if not docs:
        pytest.skip("no corpus sample")
    body = api(f"/api/v1/drafts/{docs[0]['id']}").get_json()
    assert body["origin"] == "imported" and body["stage"] == "S_IN_FORCE"
    assert body["allowed_transitions"] == [] and len(body["versions"]) >= 1


@pytest.mark.parametrize("role", ROLES)
def test_stage_machines_for_every_role(role: str, client: FlaskClient, token_for: Any) -> None:
    resp = client.get("/api/v1/stage-machines", headers=auth(token_for(role)))
    assert resp.status_code == 200
    body = resp.get_json()
    assert {m["code"] for m in body["machines"]} == {
        "LAW", "NA_RESOLUTION", "ORDINANCE", "UBTVQH_RESOLUTION",
    }  # fmt: skip
    assert {"S_ORIENT", "S_RECONSIDER"} <= {s["code"] for s in body["stages"]}


def test_anonymous_is_refused(client: FlaskClient) -> None:
    assert client.get("/api/v1/drafts").status_code == 401
    assert client.post("/api/v1/drafts", json=DRAFT).status_code == 401


@pytest.mark.parametrize("field", ["lead_unit", "drafting_unit"])
def test_only_admins_patch_the_units(
    client: FlaskClient, token_for: Any, draft_id: str, field: str, db_session: Any
) -> None:
    url = f"/api/v1/drafts/{draft_id}"
    staff = auth(token_for("staff", unit="UB-PLTP-V"))
    admin = auth(token_for("admin"))
    db_session.commit()  # the users outlive the refused request's rollback
    refused = client.patch(url, json={field: "UB-VHXH", "title": "Mới"}, headers=staff)
    assert refused.status_code == 403, refused.get_json()
    assert refused.get_json()["error"]["fields"] == {field: "admin only"}
    unchanged = client.get(url, headers=staff).get_json()
    assert unchanged["title"] == DRAFT["title"] and unchanged["lead_unit"]["code"] == "UB-PLTP"
    same = client.patch(url, json={"lead_unit": "UB-PLTP", "title": "Mới"}, headers=staff)
    assert same.status_code == 200, same.get_json()
    assert same.get_json()["title"] == "Mới"
    done = client.patch(url, json={field: "UB-VHXH"}, headers=admin)
    assert done.status_code == 200, done.get_json()
    assert (done.get_json()[field] or {}).get("code") == "UB-VHXH"


def test_the_lead_unit_must_verify(
    client: FlaskClient, token_for: Any, draft_id: str, db_session: Any
) -> None:
    admin = auth(token_for("admin"))
    db_session.commit()  # the user outlives the refused requests' rollbacks
    for code in ("UB-PLTP-V", "VPQH-TH", "UBTVQH"):
        created = client.post("/api/v1/drafts", json={**DRAFT, "lead_unit": code}, headers=admin)
        assert created.status_code == 422, created.get_json()
        assert created.get_json()["error"]["fields"] == {"lead_unit": "not a verifying body"}
        patched = client.patch(
            f"/api/v1/drafts/{draft_id}", json={"lead_unit": code}, headers=admin
        )
        assert patched.status_code == 422
        assert "lead_unit" in patched.get_json()["error"]["fields"]
    ethnic = client.post("/api/v1/drafts", json={**DRAFT, "lead_unit": "HDDT"}, headers=admin)
    assert ethnic.status_code == 201 and ethnic.get_json()["lead_unit"]["code"] == "HDDT"


def test_version_dates(client: FlaskClient, token_for: Any, draft_id: str, db_session: Any) -> None:
    import datetime as dt

    from lis.clock import today

    headers = auth(token_for("staff", unit="UB-PLTP-V"))
    db_session.commit()  # the user outlives the refused requests' rollbacks
    url = f"/api/v1/drafts/{draft_id}/versions"
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    future = client.post(
        url, json={"label": "1", "text": V1, "version_date": tomorrow}, headers=headers
    )
    assert future.status_code == 422
    assert future.get_json()["error"]["fields"] == {"version_date": "future"}
    first = client.post(
        url, json={"label": "1", "text": V1, "version_date": "2025-09-01"}, headers=headers
    )
    assert first.status_code == 201
    older = client.post(
        url, json={"label": "2", "text": V2, "version_date": "2025-08-01"}, headers=headers
    )
    assert older.status_code == 422
    assert older.get_json()["error"]["fields"] == {"version_date": "before the previous version"}
    assert [
        v["seq"]
        for v in client.get(f"/api/v1/drafts/{draft_id}", headers=headers).get_json()["versions"]
    ] == [1]
