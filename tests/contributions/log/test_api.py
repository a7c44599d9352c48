"""The logging API per role and per endpoint, multipart uploads, idempotent replays over HTTP,
and the own-record exports parsed back."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from lis.auth.models import ROLES
from lis.clock import today
from lis.contributions.models import Contribution
from lis.db import db
from tests.contributions.helpers import log, make_draft, member
from tests.drafts.helpers import auth


def body_for(draft: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "document": draft.external_id,
        "work_kind": "VERIFY_REPORT",
        "title": "Báo cáo thẩm tra",
        "delivered_date": (today() - dt.timedelta(days=1)).isoformat(),
    }
    data.update(kw)
    return data


def count(draft: Any) -> int:
    return db.session().scalar(
        select(func.count()).select_from(Contribution).where(Contribution.document_id == draft.id)
    )


@pytest.fixture
def draft(db_session: Any) -> Any:
    doc = make_draft(db_session)
    db_session.commit()
    return doc


# --- POST --------------------------------------------------------------------------------------
EXPECTED_POST = {
    "admin": 422,  # may log, but has no person record of their own
    "staff": 201,
    "head": 201,
    "deputy": 403,
    "officer": 403,
    "council": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_post_per_role(client: FlaskClient, token_for: Any, draft: Any, role: str) -> None:
    token = token_for(role, unit=None if role == "admin" else "UB-PLTP-V")
    resp = client.post("/api/v1/contributions", json=body_for(draft), headers=auth(token))
    assert resp.status_code == EXPECTED_POST[role], resp.get_json()
    if resp.status_code == 201:
        body = resp.get_json()
        assert resp.headers["Location"].endswith(f"/api/v1/contributions/{body['id']}")
        assert body["state"] == "submitted" and body["unit"]["code"] == "UB-PLTP-V"
    elif role == "admin":
        assert "person" in resp.get_json()["error"]["fields"]


def test_post_rules_name_the_field(client: FlaskClient, token_for: Any, draft: Any) -> None:
    token = token_for("staff", unit="UB-PLTP-V")
    db.session().commit()
    cases = [
        ({"delivered_date": (today() + dt.timedelta(days=1)).isoformat()}, "delivered_date"),
        ({"delivered_date": "2000-01-01"}, "delivered_date"),
        ({"delivered_date": "01/02/2026"}, "delivered_date"),
        ({"due_date": "1999-01-01"}, "due_date"),
        ({"stage": "S_IN_FORCE"}, "stage"),
        ({"work_kind": "EXPLAIN_ACCEPT"}, "work_kind"),
        ({"unit": "UB-KTTC"}, "unit"),
        ({"assignment_id": 2**31 - 1}, "assignment_id"),
        ({"version": 9}, "version"),
        ({"articles": ["dieu-99"]}, "articles"),
        ({"title": ""}, "title"),
        ({"document": "nope"}, "document"),
        ({"unknown": 1}, "unknown"),
    ]
    for change, field in cases:
        resp = client.post(
            "/api/v1/contributions", json=body_for(draft, **change), headers=auth(token)
        )
        assert resp.status_code == 422, (change, resp.get_json())
        assert field in resp.get_json()["error"]["fields"], (change, resp.get_json())
    resp = client.post("/api/v1/contributions", data="[]", headers=auth(token))
    assert resp.status_code == 422
    assert count(draft) == 0


def test_idempotent_replay_over_http(client: FlaskClient, token_for: Any, draft: Any) -> None:
    token = token_for("staff", unit="UB-PLTP-V")
    db.session().commit()
    headers = {**auth(token), "Idempotency-Key": "form-7f3a"}
    first = client.post("/api/v1/contributions", json=body_for(draft), headers=headers)
    assert first.status_code == 201
    again = client.post("/api/v1/contributions", json=body_for(draft), headers=headers)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    other = client.post(
        "/api/v1/contributions", json=body_for(draft, title="Khác"), headers=headers
    )
    assert other.status_code == 409
    assert "Idempotency-Key" in other.get_json()["error"]["fields"]
    bad = client.post(
        "/api/v1/contributions",
        json=body_for(draft),
        headers={**auth(token), "Idempotency-Key": "x" * 101},
    )
    assert bad.status_code == 422 and "Idempotency-Key" in bad.get_json()["error"]["fields"]
    assert count(draft) == 1


def test_multipart_with_a_file(client: FlaskClient, token_for: Any, draft: Any) -> None:
    token = token_for("staff", unit="UB-PLTP-V")
    db.session().commit()
    content = "Bảng so sánh".encode() * 100
    form = body_for(draft, articles="dieu-1,dieu-2", version="2", due_date="", note="ghi chú")
    form["file"] = (io.BytesIO(content), "bảng so sánh.docx", "application/msword")
    resp = client.post(
        "/api/v1/contributions",
        data=form,
        headers={**auth(token), "Idempotency-Key": "multi-1"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["articles"] == ["dieu-1", "dieu-2"] and body["version"] == 2
    assert body["due_date"] is None and body["note"] == "ghi chú"
    assert body["file"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["file"]["size"] == len(content)
    got = client.get(f"/api/v1/contributions/{body['id']}/file", headers=auth(token))
    assert got.status_code == 200 and got.data == content
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert "attachment" in got.headers["Content-Disposition"]
    # The same form again is a replay; a different file under the same key is a conflict.
    form = body_for(draft, articles="dieu-1,dieu-2", version="2", note="ghi chú")
    form["file"] = (io.BytesIO(b"other"), "x.bin", "application/octet-stream")
    resp = client.post(
        "/api/v1/contributions",
        data=form,
        headers={**auth(token), "Idempotency-Key": "multi-1"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 409
    too_big = body_for(draft)
    too_big["file"] = (io.BytesIO(b"\0" * (10 * 1024 * 1024 + 1)), "big.bin")
    resp = client.post(
        "/api/v1/contributions",
        data=too_big,
        headers=auth(token),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422 and "file" in resp.get_json()["error"]["fields"]


# --- reading -----------------------------------------------------------------------------------
def _logged(db_session: Any, draft: Any) -> tuple[Any, Any]:
    author = member(db_session, "staff")
    row = log(db_session, author, document=draft)
    db_session.commit()
    return author, row


EXPECTED_READ = {
    "admin": 200,
    "officer": 200,
    "council": 200,
    "head": 200,  # a head of UB-PLTP: the author's department is under the committee
    "staff": 403,  # another staff member
    "deputy": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_get_one_per_role(
    client: FlaskClient, db_session: Any, token_for: Any, draft: Any, role: str
) -> None:
    _author, row = _logged(db_session, draft)
    token = token_for(role, unit="UB-PLTP")
    db_session.commit()
    resp = client.get(f"/api/v1/contributions/{row.id}", headers=auth(token))
    assert resp.status_code == EXPECTED_READ[role], resp.get_json()
    file_resp = client.get(f"/api/v1/contributions/{row.id}/file", headers=auth(token))
    assert file_resp.status_code == (404 if EXPECTED_READ[role] == 200 else 403)


def test_the_author_reads_their_own(
    client: FlaskClient, db_session: Any, token_for: Any, draft: Any
) -> None:
    author, row = _logged(db_session, draft)
    resp = client.get(f"/api/v1/contributions/{row.id}", headers=auth(token_for(user=author)))
    assert resp.status_code == 200 and resp.get_json()["id"] == row.id
    missing = client.get("/api/v1/contributions/999999", headers=auth(token_for(user=author)))
    assert missing.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_list_per_role(
    client: FlaskClient, db_session: Any, token_for: Any, draft: Any, role: str
) -> None:
    _author, row = _logged(db_session, draft)
    user = member(db_session, role, unit="UB-PLTP")
    mine = log(db_session, user, document=draft) if role in ("staff", "head", "admin") else None
    token = token_for(user=user)
    db_session.commit()
    resp = client.get("/api/v1/contributions", headers=auth(token))
    if role == "deputy":
        assert resp.status_code == 403
        return
    assert resp.status_code == 200
    ids = [item["id"] for item in resp.get_json()["items"]]
    assert ids == ([mine.id] if mine else [])  # mine by default
    unit = client.get(
        "/api/v1/contributions",
        query_string={"unit": "UB-PLTP", "document": draft.external_id},
        headers=auth(token),
    )
    ids = {item["id"] for item in unit.get_json()["items"]}
    sees_author = role in ("admin", "officer", "council", "head")
    assert (row.id in ids) == sees_author


def test_list_filters(client: FlaskClient, db_session: Any, token_for: Any, draft: Any) -> None:
    author, _row = _logged(db_session, draft)
    token = token_for(user=author)
    q = {
        "year": (today() - dt.timedelta(days=1)).year,
        "state": "submitted",
        "document": draft.external_id,
    }
    resp = client.get("/api/v1/contributions", query_string=q, headers=auth(token))
    assert resp.get_json()["total"] == 1
    resp = client.get(
        "/api/v1/contributions", query_string={"state": "verified"}, headers=auth(token)
    )
    assert resp.get_json()["total"] == 0
    for bad in ({"state": "nope"}, {"unit": "NOPE"}, {"document": "nope"}, {"year": 3000}):
        resp = client.get("/api/v1/contributions", query_string=bad, headers=auth(token))
        assert resp.status_code == 422, bad


# --- editing and withdrawing -------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_patch_and_withdraw_per_role(
    client: FlaskClient, db_session: Any, token_for: Any, draft: Any, role: str
) -> None:
    _author, row = _logged(db_session, draft)
    token = token_for(role, unit="UB-PLTP")
    db_session.commit()
    resp = client.patch(
        f"/api/v1/contributions/{row.id}", json={"title": "Sửa"}, headers=auth(token)
    )
    assert resp.status_code == 403  # only the author, whatever the role
    resp = client.post(f"/api/v1/contributions/{row.id}/withdraw", json={}, headers=auth(token))
    assert resp.status_code == 403


def test_author_patches_and_withdraws(
    client: FlaskClient, db_session: Any, token_for: Any, draft: Any
) -> None:
    author, row = _logged(db_session, draft)
    token = token_for(user=author)
    db_session.commit()
    url = f"/api/v1/contributions/{row.id}"
    resp = client.patch(url, json={"title": "Sửa", "articles": ["dieu-4"]}, headers=auth(token))
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["title"], resp.get_json()["version"]) == ("Sửa", 2)
    resp = client.patch(url, json={}, headers=auth(token))
    assert resp.status_code == 422
    resp = client.patch(url, json={"delivered_date": "2001-01-01"}, headers=auth(token))
    assert resp.status_code == 422 and "delivered_date" in resp.get_json()["error"]["fields"]
    resp = client.patch(
        url,
        data={"file": (io.BytesIO(b"v2"), "v2.txt", "text/plain")},
        headers=auth(token),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200 and resp.get_json()["file"]["name"] == "v2.txt"
    resp = client.post(f"{url}/withdraw", json={"reason": "nhầm"}, headers=auth(token))
    assert resp.status_code == 200 and resp.get_json()["state"] == "withdrawn"
    resp = client.patch(url, json={"title": "again"}, headers=auth(token))
    assert resp.status_code == 409


def test_verified_is_frozen_over_http(
    client: FlaskClient, db_session: Any, token_for: Any, draft: Any
) -> None:
    author, row = _logged(db_session, draft)
    row.state = "verified"
    token = token_for(user=author)
    db_session.commit()
    url = f"/api/v1/contributions/{row.id}"
    assert client.patch(url, json={"title": "x"}, headers=auth(token)).status_code == 409
    assert client.post(f"{url}/withdraw", json={}, headers=auth(token)).status_code == 409


# --- exports -----------------------------------------------------------------------------------
def _record(db_session: Any) -> Any:
    author = member(db_session, "staff")
    draft = make_draft(db_session)
    draft.created_at = dt.datetime(2023, 1, 1)
    db_session.flush()
    log(
        db_session,
        author,
        document=draft,
        title="=cmd|' /C calc'!A0",
        delivered_date=dt.date(2024, 2, 1),
    )
    late = log(
        db_session,
        author,
        document=draft,
        title="Tờ trình về dự án Luật",
        delivered_date=dt.date(2025, 3, 5),
        due_date=dt.date(2025, 3, 1),
    )
    late.state = "verified"
    db_session.commit()
    return author


@pytest.mark.parametrize("role", ROLES)
def test_exports_per_role(client: FlaskClient, token_for: Any, draft: Any, role: str) -> None:
    token = token_for(role, unit="UB-PLTP-V")
    for ext in ("csv", "xlsx"):
        resp = client.get(f"/api/v1/contributions/export.{ext}", headers=auth(token))
        assert resp.status_code == (403 if role == "deputy" else 200), ext


def test_csv_export(client: FlaskClient, db_session: Any, token_for: Any) -> None:
    author = _record(db_session)
    resp = client.get("/api/v1/contributions/export.csv", headers=auth(token_for(user=author)))
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert resp.headers["Content-Disposition"] == 'attachment; filename="contributions.csv"'
    assert resp.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    header, first, second = rows
    assert header[0] == "ID" or header[0]  # translated headings (Vietnamese by default)
    assert first[5] == "Tờ trình về dự án Luật" and first[8] == "2025-03-05" and first[9] == "1"
    assert second[5].startswith("'=")  # a formula is kept as text
    resp = client.get(
        "/api/v1/contributions/export.csv",
        query_string={"year": 2024},
        headers=auth(token_for(user=author)),
    )
    assert len(list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))) == 2


def test_xlsx_export(client: FlaskClient, db_session: Any, token_for: Any) -> None:
    author = _record(db_session)
    resp = client.get(
        "/api/v1/contributions/export.xlsx",
        query_string={"state": "verified"},
        headers=auth(token_for(user=author)),
    )
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.data))
    sheet, totals = book.worksheets
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert sheet.cell(row=1, column=1).font.bold
    assert sheet.column_dimensions["C"].width == 50
    assert rows[1][5] == "Tờ trình về dự án Luật"
    assert rows[1][8] == dt.datetime(2025, 3, 5)  # a real date cell (openpyxl reads datetimes)
    assert rows[1][9] is True
    summary = list(totals.iter_rows(values_only=True))
    assert summary[1] == (2025, 0, 1, 0, 0, 1, 1)  # year, states…, late, total
    assert summary[-1][-1] == 1
    everything = client.get(
        "/api/v1/contributions/export.xlsx", headers=auth(token_for(user=author))
    )
    totals = load_workbook(io.BytesIO(everything.data)).worksheets[1]
    years = [r[0] for r in totals.iter_rows(min_row=2, values_only=True)]
    assert years[:2] == [2025, 2024] and len(years) == 3  # and the all-years line


def test_export_headings_follow_the_language(
    client: FlaskClient, db_session: Any, token_for: Any
) -> None:
    author = _record(db_session)
    resp = client.get(
        "/api/v1/contributions/export.csv",
        query_string={"lang": "en"},
        headers=auth(token_for(user=author)),
    )
    header = next(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert header[:3] == ["ID", "Draft number", "Draft"]
