"""GET /api/v1/search by advising unit: drafts with contributions made in the test, the real
engine; and a contribution logged through the API is searchable right after its request."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lis import clock
from lis.auth.models import ROLES
from lis.db import transaction
from lis.documents.models import Document
from search.backends.embedded import EmbeddedBackend
from tests.conftest import need_sample
from tests.factories import unit_by_code
from tests.search import record
from tests.search.advisers import contribute
from tests.search.record import drain, make_draft

index_template = record.index_template
engine = record.engine


@pytest.fixture(autouse=True)
def _sample() -> None:
    need_sample()


@pytest.fixture
def drafts(app: Flask, engine: EmbeddedBackend) -> dict[str, Document]:
    made = {
        "data": make_draft("Luật Dữ liệu thử nghiệm", stage="S_VERIFY", committee="UB-PLTP"),
        "land": make_draft("Luật Đất đai thử nghiệm", stage="S_VERIFY", committee="UB-KTTC"),
    }
    drain()
    with app.test_request_context("/contributions", method="POST"), transaction():
        contribute(made["data"], "UB-PLTP-V")
        contribute(made["data"], "UB-KTTC-V", state="verified")
        contribute(made["land"], "UB-KTTC-V")
        contribute(made["land"], "UB-VHXH-V", state="withdrawn")
    return made


def search(api: Any, **params: Any) -> dict[str, Any]:
    resp = api("/api/v1/search", **params)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def hit_ids(body: dict[str, Any]) -> set[str]:
    return {h["id"] for h in body["hits"]}


def test_adviser_filter_and_facet(api: Any, drafts: dict[str, Document]) -> None:
    data, land = drafts["data"].external_id, drafts["land"].external_id
    assert hit_ids(search(api, adviser="UB-PLTP-V")) == {data}
    assert hit_ids(search(api, adviser="ub-kttc-v")) == {data, land}  # codes in any case
    assert hit_ids(search(api, adviser=["UB-PLTP-V", "UB-VHXH-V"])) == {data}
    assert search(api, adviser="UB-VHXH-V")["total"] == 0  # withdrawn
    assert search(api, adviser="UB-KHONG-CO")["total"] == 0  # well formed, no such unit
    body = search(api, origin="draft", adviser="UB-PLTP-V")
    facet = {f["value"]: (f["count"], f["label"]) for f in body["facets"]["adviser"]}
    assert facet == {
        "UB-PLTP-V": (1, unit_by_code("UB-PLTP-V").name),
        "UB-KTTC-V": (2, unit_by_code("UB-KTTC-V").name),
    }
    english = search(api, adviser="UB-PLTP-V", lang="en")
    labels = {f["value"]: f["label"] for f in english["facets"]["adviser"]}
    assert labels["UB-PLTP-V"] == unit_by_code("UB-PLTP-V").name_en


def test_the_corpus_has_no_advisers(api: Any) -> None:
    assert search(api, q="thuế")["facets"]["adviser"] == []


@pytest.mark.parametrize("value", ["UB PLTP", "<script>", "x" * 200, ""])
def test_bad_adviser_is_422_naming_the_field(api: Any, value: str) -> None:
    resp = api("/api/v1/search", adviser=value)
    assert resp.status_code == 422
    assert "adviser" in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_filter_by_adviser(
    role: str, client: FlaskClient, token_for: Any, drafts: dict[str, Document]
) -> None:
    resp = client.get(
        "/api/v1/search",
        query_string={"adviser": "UB-KTTC-V"},
        headers={"Authorization": f"Bearer {token_for(role)}"},
    )
    assert resp.status_code == 200
    assert resp.get_json()["total"] == 2


def test_adviser_filter_needs_login(client: FlaskClient) -> None:
    assert client.get("/api/v1/search", query_string={"adviser": "UB-PLTP-V"}).status_code == 401


def _logging_service() -> Any:
    try:
        services = importlib.import_module("lis.contributions.services")
    except ImportError:
        services = None
    if not hasattr(services, "log_contribution"):
        pytest.skip("the logging service is not there yet")
    return services


def test_logged_through_the_api_then_withdrawn(
    client: FlaskClient,
    db_session: Any,
    engine: EmbeddedBackend,
    make_member: Any,
    token_for: Any,
) -> None:
    """The whole path: POST a contribution, search by its unit, withdraw it, search again."""
    _logging_service()
    draft = make_draft("Luật Khinh khí cầu thử nghiệm", stage="S_VERIFY", committee="UB-PLTP")
    staff = make_member("staff", unit="UB-PLTP-V")
    headers = {"Authorization": f"Bearer {token_for(user=staff)}"}
    db_session.commit()
    drain()
    resp = client.post(
        "/api/v1/contributions",
        json={
            "document": draft.external_id,
            "work_kind": "VERIFY_REPORT",
            "title": "Báo cáo thẩm tra",
            "delivered_date": clock.today().isoformat(),
        },
        headers=headers | {"Idempotency-Key": "adviser-search-1"},
    )
    assert resp.status_code == 201, resp.get_json()
    found = client.get("/api/v1/search", query_string={"adviser": "UB-PLTP-V"}, headers=headers)
    assert hit_ids(found.get_json()) == {draft.external_id}
    withdrawn = client.post(
        f"/api/v1/contributions/{resp.get_json()['id']}/withdraw",
        json={"reason": "Nhầm dự thảo"},
        headers=headers,
    )
    assert withdrawn.status_code == 200, withdrawn.get_json()
    gone = client.get("/api/v1/search", query_string={"adviser": "UB-PLTP-V"}, headers=headers)
    assert gone.get_json()["total"] == 0
