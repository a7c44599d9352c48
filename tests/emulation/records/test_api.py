"""The records API: each endpoint per role, the answers' shape, and the 4xx that name the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from emulation import records
from emulation.commendation_models import Award
from lis import clock
from lis.auth.models import ROLES
from lis.people.queries import person_of_user
from tests.emulation.helpers import person
from tests.emulation.records.helpers import SYSTEM, award, initiative
from tests.factories import unit_by_code

API = "/api/v1/emulation"
READERS = {"admin", "officer", "council", "head", "staff"}
SEE_ALL = {"admin", "officer", "council"}
KEEPERS = {"admin", "officer"}
ATTESTERS = {"admin", "officer", "head"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def setup(db_session: Any) -> dict[str, Any]:
    """A person of UB-PLTP-V with one of each record."""
    a = person("UB-PLTP-V")
    ini = initiative(db_session, [(a, 0.5), (person("UB-PLTP-V"), 0.5)])
    used = award(db_session, "CSTDCS", 2024, who=a, basis="initiative", initiative_ids=[ini.id])
    discipline = records.create_discipline(
        db_session, SYSTEM, person_id=a.id, form="reprimand", decided_on=dt.date(2023, 2, 1)
    )
    case = records.open_case(
        db_session, SYSTEM, person_id=a.id, kind="complaint", opened_on=dt.date(2025, 2, 1)
    )
    attestation = records.attest(
        db_session, SYSTEM, person_id=a.id, year=2024, criterion="solidarity"
    )
    # A request that fails rolls back to the last commit (a savepoint in tests): keep the set-up.
    db_session.commit()
    return {
        "person": a,
        "initiative": ini,
        "award": used,
        "discipline": discipline,
        "case": case,
        "attestation": attestation,
    }


def _initiative_body(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": "Sáng kiến mới",
        "recognized_by_unit_id": unit_by_code("UB-PLTP").id,
        "recognized_on": "2025-04-01",
        "scope": "grassroots",
        "authors": [{"person_id": s["person"].id, "share": 1}],
    }


# (method, path, body, who may) for every endpoint; paths and bodies from the set-up.
Endpoint = tuple[str, Callable[[dict[str, Any]], str], Callable[[dict[str, Any]], Any], set[str]]
ENDPOINTS: dict[str, Endpoint] = {
    "list initiatives": ("GET", lambda s: f"{API}/initiatives", lambda s: None, READERS),
    "create initiative": ("POST", lambda s: f"{API}/initiatives", _initiative_body, KEEPERS),
    "read initiative": (
        "GET",
        lambda s: f"{API}/initiatives/{s['initiative'].id}",
        lambda s: None,
        SEE_ALL | {"head"},
    ),
    "change initiative": (
        "PUT",
        lambda s: f"{API}/initiatives/{s['initiative'].id}",
        _initiative_body,
        KEEPERS,
    ),
    "list awards": ("GET", lambda s: f"{API}/awards", lambda s: None, READERS),
    "create award": (
        "POST",
        lambda s: f"{API}/awards",
        lambda s: {"person_id": s["person"].id, "title_code": "LDTT", "year": 2024},
        KEEPERS,
    ),
    "read award": (
        "GET",
        lambda s: f"{API}/awards/{s['award'].id}",
        lambda s: None,
        SEE_ALL | {"head"},
    ),
    "revoke award": (
        "POST",
        lambda s: f"{API}/awards/{s['award'].id}/revoke",
        lambda s: {"reason": "hồ sơ sai"},
        KEEPERS,
    ),
    "list disciplines": ("GET", lambda s: f"{API}/disciplines", lambda s: None, READERS),
    "create discipline": (
        "POST",
        lambda s: f"{API}/disciplines",
        lambda s: {"person_id": s["person"].id, "form": "warning", "decided_on": "2025-01-02"},
        KEEPERS,
    ),
    "list cases": ("GET", lambda s: f"{API}/cases", lambda s: None, READERS),
    "open case": (
        "POST",
        lambda s: f"{API}/cases",
        lambda s: {"person_id": s["person"].id, "kind": "inspection", "opened_on": "2025-03-01"},
        KEEPERS,
    ),
    "close case": (
        "POST",
        lambda s: f"{API}/cases/{s['case'].id}/close",
        lambda s: {"closed_on": "2025-05-01", "note": "đã xác minh"},
        KEEPERS,
    ),
    "list attestations": ("GET", lambda s: f"{API}/attestations", lambda s: None, READERS),
    "attest": (
        "POST",
        lambda s: f"{API}/attestations",
        lambda s: {"person_id": s["person"].id, "year": 2025, "criterion": "exemplary"},
        ATTESTERS,
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_each_endpoint_per_role(
    name: str, role: str, client: FlaskClient, token_for: Any, setup: dict[str, Any]
) -> None:
    method, path, body, allowed = ENDPOINTS[name]
    # A head of the committee above the person's department; the others in the committee.
    headers = bearer(token_for(role, unit="UB-PLTP"))
    resp = client.open(path(setup), method=method, json=body(setup), headers=headers)
    if role not in allowed:
        assert resp.status_code == 403, (name, role, resp.get_json())
        assert resp.get_json()["error"]["code"] == "forbidden"
        return
    expected = 201 if method == "POST" and name.split()[0] in ("create", "open", "attest") else 200
    assert resp.status_code == expected, (name, role, resp.get_json())
    got = resp.get_json()
    if method == "GET" and "items" in got:
        # staff in the committee are not the person: they see none of the person's records
        assert (got["total"] == 0) == (role == "staff"), (name, role, got)


def test_anonymous_gets_401(client: FlaskClient, setup: dict[str, Any]) -> None:
    for method, path, body, _allowed in ENDPOINTS.values():
        resp = client.open(path(setup), method=method, json=body(setup))
        assert resp.status_code == 401
        assert resp.get_json()["error"]["code"] == "unauthorized"


def test_an_initiative_in_and_out(
    client: FlaskClient, token_for: Any, setup: dict[str, Any]
) -> None:
    headers = bearer(token_for("officer"))
    a, b = setup["person"], person("UB-KTTC-V")
    body = _initiative_body(setup) | {
        "authors": [{"person_id": a.id, "share": 0.25}, {"person_id": b.id, "share": 0.75}],
        "decision_no": "7/QĐ",
        "applied_effectively": False,
    }
    created = client.post(f"{API}/initiatives", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    got = created.get_json()
    assert got["recognized_by"]["code"] == "UB-PLTP" and got["recognized_on"] == "2025-04-01"
    assert got["applied_effectively"] is False and got["decision_no"] == "7/QĐ"
    assert {(x["person"]["id"], x["share"]) for x in got["authors"]} == {(a.id, 0.25), (b.id, 0.75)}
    assert got["awards"] == []
    used = client.get(f"{API}/initiatives/{setup['initiative'].id}", headers=headers).get_json()
    assert used["awards"] == [
        {
            "id": setup["award"].id,
            "title_code": "CSTDCS",
            "year": 2024,
            "person_id": a.id,
            "unit_id": None,
            "revoked": False,
        }
    ]
    listed = client.get(
        f"{API}/initiatives", query_string={"person_id": b.id}, headers=headers
    ).get_json()
    assert [i["id"] for i in listed["items"]] == [got["id"]]
    listed = client.get(
        f"{API}/initiatives", query_string={"year": 2025, "per_page": 1}, headers=headers
    ).get_json()
    assert listed["total"] == 2 and len(listed["items"]) == 1 and listed["per_page"] == 1


def test_an_award_in_and_out_and_revoked(
    client: FlaskClient, token_for: Any, setup: dict[str, Any], db_session: Any
) -> None:
    headers = bearer(token_for("officer"))
    a = setup["person"]
    body = {
        "person_id": a.id,
        "title_code": "BK_UBTVQH",
        "year": 2025,
        "basis": "excellent",
        "decision_no": "99/QĐ-UBTVQH",
        "decision_date": "2026-01-15",
        "initiative_ids": [setup["initiative"].id],
    }
    created = client.post(f"{API}/awards", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    got = created.get_json()
    assert got["person"]["id"] == a.id and got["unit"] is None and got["revoked"] is False
    assert [i["id"] for i in got["initiatives"]] == [setup["initiative"].id]
    again = client.post(f"{API}/awards", json=body, headers=headers)
    assert again.status_code == 409 and "title_code" in again.get_json()["error"]["fields"]
    revoked = client.post(
        f"{API}/awards/{got['id']}/revoke", json={"reason": "kê khai sai"}, headers=headers
    )
    assert revoked.status_code == 200
    out = revoked.get_json()
    assert out["revoked"] is True and out["revoked_reason"] == "kê khai sai" and out["revoked_at"]
    twice = client.post(f"{API}/awards/{got['id']}/revoke", json={"reason": "x"}, headers=headers)
    assert twice.status_code == 409
    assert db_session.scalar(select(Award.revoked).where(Award.id == got["id"])) is True
    listed = client.get(
        f"{API}/awards", query_string={"person_id": a.id, "year": 2025}, headers=headers
    ).get_json()
    assert [(i["id"], i["revoked"]) for i in listed["items"]] == [(got["id"], True)]
    unit = unit_by_code("UB-PLTP-V")
    collective = client.post(
        f"{API}/awards",
        json={"unit_id": unit.id, "title_code": "TTLDTT", "year": 2025},
        headers=headers,
    )
    assert collective.status_code == 201 and collective.get_json()["unit"]["code"] == "UB-PLTP-V"
    by_unit = client.get(
        f"{API}/awards", query_string={"unit_id": unit.id, "title_code": "TTLDTT"}, headers=headers
    ).get_json()
    assert [i["id"] for i in by_unit["items"]] == [collective.get_json()["id"]]


def test_cases_and_attestations_in_and_out(
    client: FlaskClient, token_for: Any, make_member: Any, setup: dict[str, Any]
) -> None:
    officer = bearer(token_for("officer"))
    closed = client.post(f"{API}/cases/{setup['case'].id}/close", json={}, headers=officer)
    assert closed.status_code == 200
    assert closed.get_json()["closed_on"] == clock.today().isoformat()
    open_only = client.get(f"{API}/cases", query_string={"open": "true"}, headers=officer)
    assert setup["case"].id not in [c["id"] for c in open_only.get_json()["items"]]
    head = make_member("head", unit="UB-PLTP-V")
    resp = client.post(
        f"{API}/attestations",
        json={
            "unit_id": unit_by_code("UB-PLTP-V").id,
            "year": 2025,
            "criterion": "solidarity",
            "holds": False,
            "note": "chưa đoàn kết",
        },
        headers=bearer(token_for(user=head)),
    )
    assert resp.status_code == 201, resp.get_json()
    got = resp.get_json()
    assert got["attested_by"] == head.email and got["holds"] is False
    assert got["unit"]["code"] == "UB-PLTP-V" and got["person"] is None


def test_staff_read_their_own_record(
    client: FlaskClient, token_for: Any, make_member: Any, db_session: Any
) -> None:
    staff = make_member("staff", unit="UB-KTTC-V")
    me = person_of_user(db_session, staff.id)
    mine = initiative(db_session, [(me, 1.0)])
    my_award = award(db_session, "LDTT", 2024, who=me, initiative_ids=[mine.id])
    other = award(db_session, "LDTT", 2024, who=person("UB-KTTC-V"))
    records.attest(db_session, SYSTEM, person_id=me.id, year=2024, criterion="solidarity")
    headers = bearer(token_for(user=staff))
    for path, expected in (
        ("initiatives", [mine.id]),
        ("awards", [my_award.id]),
        ("disciplines", []),
        ("cases", []),
    ):
        got = client.get(f"{API}/{path}", headers=headers).get_json()
        assert [i["id"] for i in got["items"]] == expected, path
    assert client.get(f"{API}/attestations", headers=headers).get_json()["total"] == 1
    assert client.get(f"{API}/awards/{my_award.id}", headers=headers).status_code == 200
    assert client.get(f"{API}/initiatives/{mine.id}", headers=headers).status_code == 200
    assert client.get(f"{API}/awards/{other.id}", headers=headers).status_code == 403


def test_a_head_outside_the_unit_is_refused(
    client: FlaskClient, token_for: Any, setup: dict[str, Any]
) -> None:
    headers = bearer(token_for("head", unit="UB-KTTC"))
    s = setup
    assert client.get(f"{API}/awards/{s['award'].id}", headers=headers).status_code == 403
    assert client.get(f"{API}/initiatives/{s['initiative'].id}", headers=headers).status_code == 403
    resp = client.post(
        f"{API}/attestations",
        json={"person_id": s["person"].id, "year": 2025, "criterion": "solidarity"},
        headers=headers,
    )
    assert resp.status_code == 403
    assert resp.get_json()["error"]["fields"] == {"person_id": "outside your units"}
    assert client.get(f"{API}/awards", headers=headers).get_json()["total"] == 0


def _error(resp: Any) -> dict[str, Any]:
    return resp.get_json()["error"]


def test_bad_input_names_the_field(
    client: FlaskClient, token_for: Any, setup: dict[str, Any], db_session: Any
) -> None:
    headers = bearer(token_for("officer"))
    db_session.commit()  # each refused request rolls back to here, not past the officer
    s = setup
    a = s["person"].id
    future = (clock.today() + dt.timedelta(days=1)).isoformat()
    ini = _initiative_body(s)
    cases: list[tuple[str, str, dict[str, Any], str, int]] = [
        ("POST", "initiatives", ini | {"authors": []}, "authors", 422),
        (
            "POST",
            "initiatives",
            ini | {"authors": [{"person_id": a, "share": 1.5}]},
            "authors",
            422,
        ),
        ("POST", "initiatives", ini | {"authors": [{"person_id": a, "share": 0}]}, "authors", 422),
        (
            "POST",
            "initiatives",
            ini | {"authors": [{"person_id": a, "share": 0.6}, {"person_id": a + 1, "share": 0.6}]},
            "authors",
            422,
        ),
        ("POST", "initiatives", ini | {"authors": [{"person_id": 2**31 - 1}]}, "authors", 422),
        ("POST", "initiatives", ini | {"authors": [{"person_id": 2**40}]}, "authors", 422),
        ("POST", "initiatives", ini | {"authors": "x"}, "authors", 422),
        ("POST", "initiatives", ini | {"recognized_on": future}, "recognized_on", 422),
        ("POST", "initiatives", ini | {"recognized_on": "31/12/2024"}, "recognized_on", 422),
        ("POST", "initiatives", ini | {"scope": "cosmic"}, "scope", 422),
        ("POST", "initiatives", ini | {"title": "x" * 501}, "title", 422),
        ("POST", "initiatives", ini | {"title": ""}, "title", 422),
        (
            "POST",
            "initiatives",
            ini | {"recognized_by_unit_id": 2**31 - 1},
            "recognized_by_unit_id",
            422,
        ),
        ("PUT", f"initiatives/{s['initiative'].id}", ini | {"summary": 5}, "summary", 422),
        ("POST", "awards", {"person_id": a, "title_code": "NOPE", "year": 2024}, "title_code", 422),
        (
            "POST",
            "awards",
            {"person_id": a, "title_code": "TTLDTT", "year": 2024},
            "title_code",
            422,
        ),
        ("POST", "awards", {"person_id": a, "title_code": "LDTT", "year": 1989}, "year", 422),
        ("POST", "awards", {"person_id": a, "title_code": "LDTT", "year": 2101}, "year", 422),
        ("POST", "awards", {"title_code": "LDTT", "year": 2024}, "person_id", 422),
        (
            "POST",
            "awards",
            {"person_id": a, "title_code": "LDTT", "year": 2024, "basis": "x"},
            "basis",
            422,
        ),
        (
            "POST",
            "awards",
            {"person_id": a, "title_code": "CSTDCS", "year": 2024},
            "title_code",
            409,
        ),
        (
            "POST",
            "awards",
            {"person_id": a, "title_code": "LDTT", "year": 2024, "initiative_ids": [2**31 - 1]},
            "initiative_ids",
            422,
        ),
        (
            "POST",
            "awards",
            {
                "person_id": a,
                "title_code": "LDTT",
                "year": 2024,
                "initiative_ids": list(range(1, 60)),
            },
            "initiative_ids",
            422,
        ),
        ("POST", f"awards/{s['award'].id}/revoke", {}, "reason", 422),
        ("POST", f"awards/{s['award'].id}/revoke", {"reason": "x" * 2001}, "reason", 422),
        (
            "POST",
            "disciplines",
            {"person_id": a, "form": "x", "decided_on": "2024-01-01"},
            "form",
            422,
        ),
        (
            "POST",
            "disciplines",
            {"person_id": a, "form": "warning", "decided_on": future},
            "decided_on",
            422,
        ),
        (
            "POST",
            "disciplines",
            {
                "person_id": a,
                "form": "warning",
                "decided_on": "2024-01-01",
                "effective_to": "2023-01-01",
            },
            "effective_to",
            422,
        ),
        (
            "POST",
            "cases",
            {"person_id": a, "kind": "rumour", "opened_on": "2024-01-01"},
            "kind",
            422,
        ),
        ("POST", "cases", {"kind": "complaint", "opened_on": "2024-01-01"}, "person_id", 422),
        ("POST", f"cases/{s['case'].id}/close", {"closed_on": "2025-01-01"}, "closed_on", 422),
        ("POST", f"cases/{s['case'].id}/close", {"closed_on": future}, "closed_on", 422),
        (
            "POST",
            "attestations",
            {"person_id": a, "year": 2024, "criterion": "Bad Code"},
            "criterion",
            422,
        ),
        ("POST", "attestations", {"person_id": a, "year": 2024}, "criterion", 422),
        (
            "POST",
            "attestations",
            {"person_id": a, "year": 2024, "criterion": "x", "note": "\x00"},
            "note",
            422,
        ),
        ("POST", "attestations", {"person_id": a, "year": 2**40, "criterion": "x"}, "year", 422),
    ]
    for method, path, body, field, status in cases:
        resp = client.open(f"{API}/{path}", method=method, json=body, headers=headers)
        assert resp.status_code == status, (path, body, resp.get_json())
        assert field in _error(resp)["fields"], (path, body, resp.get_json())
    for path in ("initiatives", "awards", "disciplines", "cases", "attestations"):
        for query, field in (
            ({"year": "abc"}, "year"),
            ({"year": 1900}, "year"),
            ({"person_id": 2**40}, "person_id"),
            ({"unit_id": 0}, "unit_id"),
            ({"page": 0}, "page"),
        ):
            resp = client.get(f"{API}/{path}", query_string=query, headers=headers)
            assert resp.status_code == 422 and field in _error(resp)["fields"], (path, query)
    for missing in (0, 2**31 - 1, 2**40):
        for method, path, body in (
            ("GET", f"initiatives/{missing}", None),
            ("PUT", f"initiatives/{missing}", ini),
            ("GET", f"awards/{missing}", None),
            ("POST", f"awards/{missing}/revoke", {"reason": "x"}),
            ("POST", f"cases/{missing}/close", {}),
        ):
            resp = client.open(f"{API}/{path}", method=method, json=body, headers=headers)
            assert resp.status_code == 404, (method, path)
    closed = client.post(f"{API}/cases/{s['case'].id}/close", json={}, headers=headers)
    assert closed.status_code == 200
    again = client.post(f"{API}/cases/{s['case'].id}/close", json={}, headers=headers)
    assert again.status_code == 409 and "closed_on" in _error(again)["fields"]
