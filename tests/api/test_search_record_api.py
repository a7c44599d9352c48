"""GET /api/v1/search on the legislative record: drafts made in the test beside the sample."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from lis.auth.models import ROLES
from lis.documents.models import Document
from search.backends.embedded import EmbeddedBackend
from tests.conftest import need_sample
from tests.factories import unit_by_code
from tests.search import record
from tests.search.record import drain, make_draft

index_template = record.index_template
engine = record.engine


@pytest.fixture(autouse=True)
def _sample() -> None:
    need_sample()


@pytest.fixture
def drafts(engine: EmbeddedBackend) -> dict[str, Document]:
    made = {
        "verify": make_draft("Luật Dữ liệu thử nghiệm", stage="S_VERIFY", committee="UB-PLTP"),
        "drafting": make_draft(
            "Luật Báo chí thử nghiệm",
            stage="S_DRAFTING",
            committee="UB-VHXH",
            holder="VPQH",
            sessions=((9, "irregular"),),
        ),
    }
    drain()
    return made


def search(api: Any, **params: Any) -> dict[str, Any]:
    resp = api("/api/v1/search", **params)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def facet(body: dict[str, Any], name: str) -> dict[str, int]:
    return {f["value"]: f["count"] for f in body["facets"][name]}


def test_record_filters(api: Any, drafts: dict[str, Document]) -> None:
    verify = search(api, stage="S_VERIFY")
    assert [h["id"] for h in verify["hits"]] == [drafts["verify"].external_id]
    assert facet(verify, "stage")["S_DRAFTING"] == 1  # multi-select
    assert facet(verify, "committee") == {"UB-PLTP": 1}
    drafting = drafts["drafting"].external_id
    for params in (
        {"holder": "VPQH"},
        {"committee": "ub-vhxh"},  # codes in any case
        {"session": "XV-B9"},
        {"origin": "draft", "term": "XV", "stage": ["S_DRAFTING", "S_ADOPTED"]},
    ):
        assert [h["id"] for h in search(api, **params)["hits"]] == [drafting], params
    both = search(api, origin="draft", per_page=50)
    assert {h["id"] for h in both["hits"]} == {d.external_id for d in drafts.values()}
    assert search(api, committee="UB-KHONG-CO")["total"] == 0  # well formed, no such unit


def test_facets_carry_labels(api: Any, drafts: dict[str, Document]) -> None:
    body = search(api, origin="draft")
    labels = {
        name: {f["value"]: f["label"] for f in values} for name, values in body["facets"].items()
    }
    assert labels["stage"]["S_VERIFY"] == "Thẩm tra"
    assert labels["committee"]["UB-PLTP"] == unit_by_code("UB-PLTP").name
    assert labels["session"] == {
        "XV-9": "Kỳ họp thứ 9, khóa XV",
        "XV-B9": "Kỳ họp bất thường lần thứ 9, khóa XV",
    }
    assert labels["origin"]["draft"] == "Dự thảo"
    assert labels["kind"]["law"] == "Luật"
    assert all(f["label"] == f["value"] for f in body["facets"]["year"])
    english = search(api, origin="draft", lang="en")
    en = {f["value"]: f["label"] for f in english["facets"]["committee"]}
    assert en["UB-PLTP"] == unit_by_code("UB-PLTP").name_en
    assert {f["value"]: f["label"] for f in english["facets"]["stage"]}[
        "S_VERIFY"
    ] == "Verification"


def test_imported_corpus_sits_in_force(api: Any) -> None:
    body = search(api, q="thuế")
    assert facet(body, "stage") == {"S_IN_FORCE": body["total"]}
    assert facet(body, "origin") == {"imported": body["total"]}
    assert body["facets"]["committee"] == [] and body["facets"]["session"] == []


def test_imported_na_acts_have_the_term_of_their_number(api: Any) -> None:
    body = search(api, origin="imported", term="XIII", per_page=50)
    assert body["total"] > 0
    assert all(h["number"].upper().endswith("QH13") for h in body["hits"])
    terms = facet(body, "term")  # multi-select: the other terms' counts stay offered
    assert terms["XIII"] == body["total"] and terms.get("XIV", 0) > 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"stage": "S_NOPE"}, "stage"),
        ({"stage": "s_verify"}, "stage"),
        ({"origin": "mystery"}, "origin"),
        ({"holder": "UB PLTP"}, "holder"),
        ({"holder": "x" * 200}, "holder"),
        ({"committee": "<script>"}, "committee"),
        ({"term": "15"}, "term"),
        ({"session": "XV9"}, "session"),
        ({"session": "XV-abc"}, "session"),
    ],
)
def test_bad_record_filters_are_422_naming_the_field(
    api: Any, params: dict[str, Any], field: str
) -> None:
    resp = api("/api/v1/search", **params)
    assert resp.status_code == 422
    assert field in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_filter_by_stage(
    role: str, client: FlaskClient, token_for: Any, drafts: dict[str, Document]
) -> None:
    token = token_for(role)
    resp = client.get(
        "/api/v1/search",
        query_string={"stage": "S_VERIFY"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 200
    assert resp.get_json()["total"] == 1


def test_filters_need_login(client: FlaskClient) -> None:
    assert client.get("/api/v1/search", query_string={"stage": "S_VERIFY"}).status_code == 401
