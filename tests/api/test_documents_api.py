"""Documents and versions through the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import need_sample


@pytest.fixture(autouse=True)
def _sample() -> None:
    need_sample()


def test_document_with_versions(api: Any) -> None:
    resp = api("/api/v1/documents/phapdien-37087")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["number"] == "11/2010/UBTVQH12"
    assert doc["kind"] == "ordinance" and doc["kind_label"] == "Pháp lệnh"
    assert doc["issuer_normalized"] == "Ủy ban Thường vụ Quốc hội"
    assert doc["issued_date"] == "2010-03-16"
    assert [v["n"] for v in doc["versions"]] == [1]


def test_version_text_and_parts(api: Any) -> None:
    version = api("/api/v1/documents/phapdien-37087/versions/1").get_json()
    assert version["document_id"] == "phapdien-37087"
    articles = [p for p in version["parts"] if p["kind"] == "article"]
    assert len(articles) == 49  # the corpus says articles_count = 49
    first = articles[0]
    assert version["text"][first["start"] : first["end"]].startswith("Điều 1. Phạm vi điều chỉnh")


def test_unknown_document_and_version_are_404_json(api: Any) -> None:
    resp = api("/api/v1/documents/does-not-exist")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"
    resp = api("/api/v1/documents/phapdien-37087/versions/9")
    assert resp.status_code == 404 and resp.get_json()["error"]["fields"] == {"n": "unknown"}


def test_list_filters_and_paginates(api: Any) -> None:
    resp = api("/api/v1/documents", kind="ordinance", per_page=3)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["total"] == 9  # nine ordinances in the sample
    assert len(body["items"]) == 3 and all(d["kind"] == "ordinance" for d in body["items"])
    last = api("/api/v1/documents", kind="ordinance", per_page=3, page=3).get_json()
    seen = {d["id"] for d in body["items"]} | {d["id"] for d in last["items"]}
    assert len(seen) == 6


def test_list_by_number(api: Any) -> None:
    body = api("/api/v1/documents", number="11/2010/ubtvqh12").get_json()
    assert [d["id"] for d in body["items"]] == ["phapdien-37087"]


def test_list_bad_input(api: Any) -> None:
    resp = api("/api/v1/documents", page=0)
    assert resp.status_code == 422 and "page" in resp.get_json()["error"]["fields"]
    resp = api("/api/v1/documents", page=10**12)
    assert resp.status_code == 422 and "page" in resp.get_json()["error"]["fields"]


def test_odd_ids_are_404_not_500(api: Any) -> None:
    assert api("/api/v1/documents/a%00b").status_code == 404
    assert api("/api/v1/documents/" + "x" * 500).status_code == 404
    assert api("/api/v1/documents/phapdien-37087/versions/99999999999").status_code == 404
    assert api("/api/v1/documents/phapdien-37087/versions/-1").status_code == 404


def test_list_by_issuer_as_typed(api: Any) -> None:
    """The list filter normalises the issuer as the import does."""
    official = api("/api/v1/documents", issuer="Ủy ban Thường vụ Quốc hội", per_page=1).get_json()
    assert official["total"] > 0
    for typed in ("Uỷ ban Thường vụ Quốc hội", "ủy ban thường vụ quốc hội"):
        assert (
            api("/api/v1/documents", issuer=typed, per_page=1).get_json()["total"]
            == official["total"]
        )
