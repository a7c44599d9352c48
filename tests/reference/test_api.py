"""The reference API: every role reads it, nobody anonymous does; filters, tree, 404 and 422."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from lis.auth.models import ROLES

PATHS = ("/api/v1/units", "/api/v1/units/UB-PLTP", "/api/v1/terms", "/api/v1/work-kinds")
PATHS += ("/api/v1/document-kinds",)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_read(
    role: str, client: FlaskClient, token_for: Any, reference: Any
) -> None:
    headers = {"Authorization": f"Bearer {token_for(role)}"}
    for path in PATHS:
        resp = client.get(path, headers=headers)
        assert resp.status_code == 200, (path, resp.status_code)


def test_anonymous_is_refused(client: FlaskClient, reference: Any) -> None:
    for path in PATHS:
        resp = client.get(path)
        assert resp.status_code == 401, path
        assert resp.get_json()["error"]["code"] == "unauthorized"


def test_units_flat(api: Any, reference: Any) -> None:
    body = api("/api/v1/units").get_json()
    units = {u["code"]: u for u in body["items"]}
    assert body["total"] == len(body["items"]) == 42
    assert body["items"][0]["code"] == "QH" and units["QH"]["parent"] is None
    assert units["UB-PLTP-V"]["parent"] == "UB-PLTP"
    assert units["UB-PL"]["valid_to"] == "2025-02-18" and units["UB-PL"]["replaced_by"] == "UB-PLTP"
    assert units["UB-PLTP"]["name_en"] == "Committee on Legal and Judicial Affairs"
    assert "Committee on Law and Justice" in units["UB-PLTP"]["aliases_en"]
    assert units["UB-PLTP-V"]["verified"] is False  # its parent is a GUESS
    assert "children" not in units["QH"]
    codes = [u["code"] for u in body["items"]]
    assert codes.index("UB-PLTP") < codes.index("UB-PLTP-V")  # tree order


def test_units_filtered_by_kind_and_day(api: Any, reference: Any) -> None:
    def codes(**params: object) -> set[str]:
        return {u["code"] for u in api("/api/v1/units", **params).get_json()["items"]}

    assert "UB-PL" in codes(kind="committee", active_on="2024-01-01")
    assert "UB-PL" not in codes(kind="committee", active_on="2025-03-01")
    assert len(codes(kind="committee", active_on="2025-03-01")) == 7
    assert codes(kind=["council", "standing_committee"]) == {"HDDT", "UBTVQH"}


def test_units_tree(api: Any, reference: Any) -> None:
    def find(nodes: list[dict[str, Any]], code: str) -> dict[str, Any] | None:
        for node in nodes:
            if node["code"] == code:
                return node
            found = find(node["children"], code)
            if found:
                return found
        return None

    body = api("/api/v1/units", view="tree", active_on="2025-06-01").get_json()
    assert [n["code"] for n in body["items"]] == ["QH"]
    qh = body["items"][0]
    assert [c["code"] for c in qh["children"]][:3] == ["UBTVQH", "HDDT", "UB-CTDB"]
    assert [c["code"] for c in find(qh["children"], "UB-PLTP")["children"]] == ["UB-PLTP-V"]
    vpqh = find(qh["children"], "VPQH")
    assert len(vpqh["children"]) == 9 and all(c["children"] == [] for c in vpqh["children"])
    assert find(body["items"], "UB-PL") is None
    # Filtered-out parents leave their children at the top.
    depts = api("/api/v1/units", view="tree", kind="department").get_json()["items"]
    assert len(depts) == 8 and all(d["parent"] and d["children"] == [] for d in depts)


def test_unit_detail(api: Any, reference: Any) -> None:
    unit = api("/api/v1/units/UB-PLTP").get_json()
    assert unit["kind"] == "committee" and unit["parent"] == "QH"
    assert [c["code"] for c in unit["children"]] == ["UB-PLTP-V"]
    assert unit["source"].startswith("C-178")
    assert api("/api/v1/units/ub-pltp").get_json()["code"] == "UB-PLTP"
    boards = {c["code"] for c in api("/api/v1/units/UBTVQH").get_json()["children"]}
    assert boards == {"HDKH-UBTVQH", "BAN-CTDB", "BAN-DN", "VIEN-NCLP"}


@pytest.mark.parametrize("code", ["NOPE", "x" * 300, "UB%00PL"])
def test_unknown_unit_is_404_json(api: Any, reference: Any, code: str) -> None:
    resp = api(f"/api/v1/units/{code}")
    assert resp.status_code == 404
    assert resp.get_json()["error"] == {
        "code": "not_found",
        "message": resp.get_json()["error"]["message"],
        "fields": {"code": "unknown"},
    }


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/units", {"active_on": "2024-13-01"}, "active_on"),
        ("/api/v1/units", {"active_on": "yesterday"}, "active_on"),
        ("/api/v1/units", {"kind": "club"}, "kind"),
        ("/api/v1/units", {"view": "graph"}, "view"),
        ("/api/v1/work-kinds", {"stage": "verify"}, "stage"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    api: Any, reference: Any, path: str, params: dict[str, str], field: str
) -> None:
    resp = api(path, **params)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert field in error["fields"] and field in error["message"]


def test_terms_with_sessions(api: Any, reference: Any) -> None:
    body = api("/api/v1/terms").get_json()
    assert [t["code"] for t in body["items"]] == ["XIII", "XIV", "XV", "XVI"]
    xv = body["items"][2]
    assert (xv["start_year"], xv["end_year"], xv["start_date"]) == (2021, 2026, "2021-07-20")
    sessions = [(s["kind"], s["number"]) for s in xv["sessions"]]
    assert sessions[:5] == [
        ("regular", 1), ("regular", 2), ("regular", 3), ("regular", 4), ("irregular", 2)
    ]  # fmt: skip
    assert sessions[-1] == ("regular", 10) and len(sessions) == 14
    assert xv["sessions"][-1]["start_date"] == "2025-10-20"
    assert body["items"][0]["sessions"] == []


def test_work_kinds(api: Any, reference: Any) -> None:
    body = api("/api/v1/work-kinds").get_json()
    assert body["total"] == 21
    verify = api("/api/v1/work-kinds", stage="S_VERIFY").get_json()["items"]
    assert "VERIFY_REPORT" in {k["code"] for k in verify}
    assert all("S_VERIFY" in k["stages"] for k in verify)
    assert api("/api/v1/work-kinds", stage="S_NOWHERE").get_json() == {"total": 0, "items": []}


def test_document_kinds(api: Any, reference: Any) -> None:
    kinds = {k["code"]: k for k in api("/api/v1/document-kinds").get_json()["items"]}
    assert kinds["ordinance"]["name"] == "Pháp lệnh"
    assert "27/2005/PL-UBTVQH11" in kinds["ordinance"]["number_examples"]


def test_openapi_lists_the_reference_paths(api: Any) -> None:
    paths = api("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/units", "/api/v1/units/{code}", "/api/v1/terms", "/api/v1/work-kinds"):
        assert path in paths
