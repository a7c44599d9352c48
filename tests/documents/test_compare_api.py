"""GET /api/v1/documents/{id}/compare on a real law with a second version (its codified text)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lis.auth.models import ROLES
from lis.documents.importer import store_parts
from lis.documents.models import Document, Version
from tests.conftest import need_sample

# Luật Thuế thu nhập doanh nghiệp 14/2008/QH12: the codified text adds Điều 14, 17 and 20.
DOC = "phapdien-12807"


def add_version(session: Any, doc: Document, text: str, label: str = "Văn bản hợp nhất") -> Version:
    """A new version with its parts, built the way the importer builds them."""
    version = Version(
        seq=max(v.seq for v in doc.versions) + 1,
        label=label,
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    doc.versions.append(version)
    session.flush()
    store_parts(session, [(version, text)])
    return version


def codified_text(doc_id: str) -> str:
    with need_sample().open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] == doc_id:
                return str(record["codified_text"])
    raise AssertionError(doc_id)


@pytest.fixture
def two_versions(db_session: Any) -> Document:
    doc = db_session.scalar(select(Document).where(Document.external_id == DOC))
    assert doc is not None
    add_version(db_session, doc, codified_text(DOC))
    return doc


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_compares_the_last_two_versions(
    role: str, client: FlaskClient, token_for: Any, two_versions: Document
) -> None:
    resp = client.get(f"/api/v1/documents/{DOC}/compare", headers=auth(token_for(role)))
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["a"]["n"], body["b"]["n"]) == (1, 2)
    assert body["document"]["id"] == DOC
    added = [a["new"]["path"] for a in body["articles"] if a["status"] == "added"]
    assert added == ["dieu-14", "dieu-17", "dieu-20"]
    summary = body["summary"]
    assert summary["added"] == 3 and summary["removed"] == summary["renumbered"] == 0
    assert summary["changed"] >= 5
    assert sum(summary.values()) == len(body["articles"])


def test_word_changes_rebuild_both_sides(api: Any, two_versions: Document) -> None:
    body = api(f"/api/v1/documents/{DOC}/compare", a=1, b=2).get_json()
    changed = [a for a in body["articles"] if a["status"] == "changed"]
    assert changed
    for article in changed:
        ops = {c["op"] for c in article["changes"]}
        assert ops <= {"equal", "insert", "delete", "replace"} and ops != {"equal"}
        old = "".join(c["old"] for c in article["changes"])
        new = "".join(c["new"] for c in article["changes"])
        assert old.startswith(f"Điều {article['old']['number']}")
        assert new.startswith(f"Điều {article['new']['number']}")
        assert 0 <= article["similarity"] < 1
    for article in body["articles"]:
        if article["status"] == "added":
            assert article["old"] is None and article["changes"] == []


def test_versions_in_either_order(api: Any, two_versions: Document) -> None:
    body = api(f"/api/v1/documents/{DOC}/compare", a=2, b=1).get_json()
    assert [a["old"]["path"] for a in body["articles"] if a["status"] == "removed"] == [
        "dieu-14",
        "dieu-17",
        "dieu-20",
    ]


def test_renumbered_articles(api: Any, db_session: Any) -> None:
    from tests.factories import VersionFactory

    first = VersionFactory(
        text="Điều 1. Phạm vi\nLuật này quy định A.\nĐiều 2. Đối tượng\nCơ quan nhà nước."
    )
    add_version(
        db_session,
        first.document,
        "Điều 1. Phạm vi\nLuật này quy định A.\nĐiều 2. Giải thích từ ngữ\nTừ ngữ mới.\n"
        "Điều 3. Đối tượng\nCơ quan, tổ chức nhà nước.",
    )
    body = api(f"/api/v1/documents/{first.document.external_id}/compare").get_json()
    statuses = [
        (a["status"], a["old"] and a["old"]["number"], a["new"]["number"]) for a in body["articles"]
    ]
    assert statuses == [
        ("unchanged", "1", "1"),
        ("added", None, "2"),
        ("renumbered_changed", "2", "3"),
    ]
    changes = body["articles"][2]["changes"]
    assert {"op": "insert", "old": "", "new": "tổ chức "} in changes or any(
        c["op"] != "equal" and "tổ chức" in c["new"] for c in changes
    )


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"a": 1, "b": 1}, 422, "b"),
        ({"a": 0}, 422, "a"),
        ({"b": "x"}, 422, "b"),
        ({"a": 1, "b": 9}, 404, "b"),
        ({"a": 7, "b": 2}, 404, "a"),
        ({"a": 2}, 422, "b"),  # b defaults to the latest, which is a
    ],
)
def test_bad_versions_name_the_field(
    api: Any, two_versions: Document, params: dict[str, Any], status: int, field: str
) -> None:
    resp = api(f"/api/v1/documents/{DOC}/compare", **params)
    assert resp.status_code == status
    assert field in resp.get_json()["error"]["fields"]


def test_a_single_version_has_nothing_to_compare(api: Any, db_session: Any) -> None:
    need_sample()
    resp = api(f"/api/v1/documents/{DOC}/compare")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"] == {"a": "no earlier version"}


def test_unknown_document(api: Any) -> None:
    resp = api("/api/v1/documents/no-such-doc/compare")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["fields"] == {"id": "unknown"}


def test_compare_needs_login(client: FlaskClient) -> None:
    assert client.get(f"/api/v1/documents/{DOC}/compare").status_code == 401
