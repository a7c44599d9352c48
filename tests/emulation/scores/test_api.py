"""The scores API: a test per role for each endpoint (who computes, who reads which lines),
the shapes returned, and 4xx answers naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from emulation import scoring
from lis.auth.models import ROLES
from lis.people.models import Person
from tests.emulation.helpers import YEAR, fact
from tests.emulation.scores.cases import Known, known_case, movement
from tests.factories import unit_by_code

RUNNERS = {"admin", "officer", "council"}
READERS = {"admin", "officer", "council", "head", "staff"}
API = "/api/v1/emulation"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def person_of(session: Any, user: Any) -> Person:
    found = session.scalar(select(Person).where(Person.user_id == user.id))
    assert found is not None
    return found


@pytest.fixture
def world(db_session: Any, make_member: Any, make_user: Any, token_for: Any) -> Any:
    """A member of UB-PLTP (whose roles each test picks) is `a` of the known case, so a head
    reaches UB-PLTP and UB-PLTP-V, and a staff member has a line of their own."""

    def build(role: str) -> tuple[str, Known, scoring.ScoreSnapshot, dict[str, int]]:
        user = make_member(role, unit="UB-PLTP")
        k = known_case(db_session, a=person_of(db_session, user))
        snap = scoring.compute(db_session, make_user("officer"), year=YEAR)
        ids = {
            f"{x.subject_kind}:{x.person_id or x.unit_id}": x.id
            for x in snap.lines  # "person:<id>" / "unit:<id>" → line id
        }
        token = token_for(user=user)
        db_session.commit()  # a refused request rolls back to here
        return token, k, snap, ids

    return build


# ---------------------------------------------------------------- compute


@pytest.mark.parametrize("role", ROLES)
def test_compute_per_role(role: str, client: FlaskClient, world: Any) -> None:
    token, _k, first, _ids = world(role)
    resp = client.post(f"{API}/snapshots", json={"year": YEAR, "note": "n"}, headers=bearer(token))
    assert resp.status_code == (201 if role in RUNNERS else 403), resp.get_json()
    if role in RUNNERS:
        got = resp.get_json()
        assert got["year"] == YEAR and got["movement_id"] is None and got["note"] == "n"
        assert got["previous_id"] == first.id and got["fact_count"] == 4
        assert got["rule_version"] == first.rule_version and got["digest"] == first.digest
        assert [c["code"] for c in got["criteria"]] == [
            "progress",
            "quality",
            "effectiveness",
            "volume",
        ]
        assert got["criteria"][0]["name_en"] == "Progress" and got["criteria"][0]["weight"] == 30
        assert got["period_start"] == f"{YEAR}-01-01" and got["computed_by"]
    else:
        assert resp.get_json()["error"]["fields"] == {"role": "missing"}


@pytest.mark.parametrize("state", ["open", "closed", "reviewed"])
def test_a_movement_is_computed_in_any_state(
    state: str, client: FlaskClient, db_session: Any, token_for: Any
) -> None:
    m = movement(db_session, units=("UB-PLTP-V",), state=state)
    token = token_for("officer")
    db_session.commit()
    resp = client.post(f"{API}/snapshots", json={"movement_id": m.id}, headers=bearer(token))
    assert resp.status_code == 201, resp.get_json()
    got = resp.get_json()
    assert got["movement_id"] == m.id and got["movement_name"] == m.name and got["year"] is None
    listed = client.get(
        f"{API}/snapshots", query_string={"movement_id": m.id}, headers=bearer(token)
    )
    assert [s["id"] for s in listed.get_json()["items"]] == [got["id"]]


# ---------------------------------------------------------------- reads per role


@pytest.mark.parametrize("role", ROLES)
def test_list_and_get_per_role(role: str, client: FlaskClient, world: Any) -> None:
    token, _k, snap, _ids = world(role)
    listed = client.get(f"{API}/snapshots", query_string={"year": YEAR}, headers=bearer(token))
    one = client.get(f"{API}/snapshots/{snap.id}", headers=bearer(token))
    expected = 200 if role in READERS else 403
    assert (listed.status_code, one.status_code) == (expected, expected)
    if role in READERS:
        page = listed.get_json()
        assert page["total"] == 1 and page["items"][0]["id"] == snap.id
        assert one.get_json()["criteria"][1]["params"]["error_deduction"] == 0.25


@pytest.mark.parametrize("role", ROLES)
def test_lines_per_role(role: str, client: FlaskClient, world: Any) -> None:
    token, k, snap, ids = world(role)
    resp = client.get(f"{API}/snapshots/{snap.id}/lines", headers=bearer(token))
    assert resp.status_code == (200 if role in READERS else 403)
    if role not in READERS:
        return
    seen = {i["id"] for i in resp.get_json()["items"]}
    pltp, pltp_v = unit_by_code("UB-PLTP").id, unit_by_code("UB-PLTP-V").id
    if role == "staff":
        assert seen == {ids[f"person:{k.a.id}"]}
    elif role == "head":
        assert seen == {
            ids[f"person:{k.a.id}"],
            ids[f"person:{k.b.id}"],
            ids[f"unit:{pltp}"],
            ids[f"unit:{pltp_v}"],
        }
    else:
        assert seen == set(ids.values()) and len(seen) == 6


def test_a_line_as_listed(client: FlaskClient, world: Any) -> None:
    token, k, snap, ids = world("officer")
    resp = client.get(
        f"{API}/snapshots/{snap.id}/lines",
        query_string={"subject_kind": "person", "unit": "ub-pltp", "per_page": 1},
        headers=bearer(token),
    )
    page = resp.get_json()
    assert page["total"] == 1 and page["per_page"] == 1
    (line,) = page["items"]
    assert line["id"] == ids[f"person:{k.a.id}"] and line["unit_code"] == "UB-PLTP"
    assert line["subject_name"] == line["subject_name_en"] == k.a.name
    assert line["values"] == {
        "progress": 87.5,
        "quality": 77.5,
        "effectiveness": 75.0,
        "volume": 50.0,
    }
    assert line["total"] == 75.875 and line["rank"] == 3 and line["pending"] == 1
    assert line["fact_count"] == 2 and line["details"]["progress"]["late"] == 1
    units = client.get(
        f"{API}/snapshots/{snap.id}/lines",
        query_string={"subject_kind": "unit"},
        headers=bearer(token),
    ).get_json()["items"]
    assert [u["rank"] for u in units] == [1, 2, 2]  # UB-PLTP-V and UB-KTTC-V tie at 77.1875
    assert units[0]["subject_name_en"] == unit_by_code(units[0]["unit_code"]).name_en


@pytest.mark.parametrize("role", ROLES)
def test_line_detail_per_role(role: str, client: FlaskClient, world: Any) -> None:
    token, k, _snap, ids = world(role)
    own = client.get(f"{API}/lines/{ids[f'person:{k.a.id}']}", headers=bearer(token))
    colleague = client.get(f"{API}/lines/{ids[f'person:{k.b.id}']}", headers=bearer(token))
    elsewhere = client.get(f"{API}/lines/{ids[f'person:{k.c.id}']}", headers=bearer(token))
    expected = {
        "staff": (200, 403, 403),
        "head": (200, 200, 403),
        "deputy": (403, 403, 403),
    }.get(role, (200, 200, 200))
    assert (own.status_code, colleague.status_code, elsewhere.status_code) == expected


def test_line_detail_shows_the_evidence(client: FlaskClient, world: Any) -> None:
    token, k, snap, ids = world("staff")
    got = client.get(f"{API}/lines/{ids[f'person:{k.a.id}']}", headers=bearer(token)).get_json()
    assert got["line"]["total"] == 75.875 and got["snapshot"]["id"] == snap.id
    progress = got["criteria"][0]
    assert progress["code"] == "progress" and progress["fact_kind"] == "contribution"
    assert progress["value"] == 87.5 and progress["detail"] == {
        "items": 2,
        "on_time": 1,
        "late": 1,
    }
    assert progress["documents"] == []
    late = next(c for c in progress["contributions"] if c["id"] == k.c2.id)
    assert late["late"] is True and late["quality"] == "excellent" and late["major_errors"] == 1
    assert late["outcome"] == "partly_accepted" and late["work_kind"] == "VERIFY_REPORT"
    assert late["document"]["id"] == k.c2.document.external_id
    assert late["due_date"] == f"{YEAR}-05-01" and late["delivered_date"] == f"{YEAR}-05-10"
    assert [p["id"] for p in got["pending"]] == [k.waiting.id]
    assert got["pending"][0]["state"] == "submitted"


@pytest.mark.parametrize("role", ROLES)
def test_reproduce_per_role(role: str, client: FlaskClient, world: Any, db_session: Any) -> None:
    token, k, snap, ids = world(role)
    exact = client.get(f"{API}/snapshots/{snap.id}/reproduce", headers=bearer(token))
    assert exact.status_code == (200 if role in READERS else 403)
    if role not in READERS:
        return
    assert exact.get_json() == {
        "snapshot_id": snap.id,
        "exact": True,
        "lines_checked": 6,
        "differences": [],
    }
    k.fc.quality = "completed"  # c's line and UB-KTTC-V's: no staff or head of ours sees them
    db_session.commit()
    got = client.get(f"{API}/snapshots/{snap.id}/reproduce", headers=bearer(token)).get_json()
    assert got["exact"] is False
    lines = {d["line_id"] for d in got["differences"]}
    if role in ("staff", "head"):
        assert lines == set()
    else:
        assert lines == {ids[f"person:{k.c.id}"], ids[f"unit:{k.c.unit_id}"]}
        assert {d["changed_fact_ids"][0] for d in got["differences"]} == {k.fc.id}


@pytest.mark.parametrize("role", ROLES)
def test_diff_per_role(
    role: str, client: FlaskClient, world: Any, make_user: Any, db_session: Any
) -> None:
    token, k, first, _ids = world(role)
    added = fact(db_session, k.b)
    second = scoring.compute(db_session, make_user("officer"), year=YEAR)
    db_session.commit()
    resp = client.get(
        f"{API}/snapshots/{second.id}/diff",
        query_string={"against": first.id},
        headers=bearer(token),
    )
    assert resp.status_code == (200 if role in READERS else 403)
    if role not in READERS:
        return
    got = resp.get_json()
    assert (got["old_id"], got["new_id"]) == (first.id, second.id)
    people = {c["person_id"]: c for c in got["changes"] if c["subject_kind"] == "person"}
    if role == "staff":
        assert k.b.id not in people
    else:
        b = people[k.b.id]
        assert b["added_facts"] == [added.id] and b["subject_name"] == "Bình B"
        assert b["criteria"]["volume"] == [25.0, 50.0]


def test_anonymous_gets_401(client: FlaskClient, world: Any) -> None:
    _token, _k, snap, ids = world("officer")
    line_id = next(iter(ids.values()))
    for path in (
        f"{API}/snapshots",
        f"{API}/snapshots/{snap.id}",
        f"{API}/snapshots/{snap.id}/lines",
        f"{API}/lines/{line_id}",
        f"{API}/snapshots/{snap.id}/reproduce",
        f"{API}/snapshots/{snap.id}/diff?against={snap.id}",
    ):
        assert client.get(path).status_code == 401, path
    assert client.post(f"{API}/snapshots", json={"year": YEAR}).status_code == 401


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "year"),
        ({"year": 1989}, "year"),
        ({"year": 2101}, "year"),
        ({"year": "soon"}, "year"),
        ({"year": YEAR, "movement_id": 1}, "movement_id"),
        ({"movement_id": 2**31 - 1}, "movement_id"),
        ({"movement_id": 2**31}, "movement_id"),
        ({"movement_id": 0}, "movement_id"),
        ({"year": YEAR, "note": "x" * 2001}, "note"),
        ({"year": YEAR, "note": "a\x00b"}, "note"),
    ],
)
def test_bad_compute_input_names_the_field(
    client: FlaskClient, token_for: Any, db_session: Any, body: Any, field: str
) -> None:
    token = token_for("admin")
    db_session.commit()
    resp = client.post(f"{API}/snapshots", json=body, headers=bearer(token))
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["fields"]


def test_bad_read_input(client: FlaskClient, world: Any) -> None:
    token, _k, snap, _ids = world("officer")

    def get(path: str, **params: Any) -> Any:
        return client.get(f"{API}{path}", query_string=params, headers=bearer(token))

    cases = [
        (get("/snapshots", year=3000), 422, "year"),
        (get("/snapshots", movement_id=2**31), 422, "movement_id"),
        (get("/snapshots", page=0), 422, "page"),
        (get(f"/snapshots/{snap.id}/lines", unit="NOPE"), 422, "unit"),
        (get(f"/snapshots/{snap.id}/lines", unit="x" * 41), 422, "unit"),
        (get(f"/snapshots/{snap.id}/lines", subject_kind="team"), 422, "subject_kind"),
        (get(f"/snapshots/{snap.id}/diff"), 422, "against"),
        (get(f"/snapshots/{snap.id}/diff", against="x"), 422, "against"),
        (get(f"/snapshots/{snap.id}/diff", against=2**31 - 1), 404, "snapshot_id"),
        (get(f"/snapshots/{2**31 - 1}"), 404, "snapshot_id"),
        (get(f"/snapshots/{2**31 - 1}/lines"), 404, "snapshot_id"),
        (get(f"/snapshots/{2**31 - 1}/reproduce"), 404, "snapshot_id"),
        (get(f"/lines/{2**31 - 1}"), 404, "line_id"),
    ]
    for resp, status, field in cases:
        assert resp.status_code == status, (resp.request.url, resp.get_json())
        assert field in resp.get_json()["error"]["fields"], resp.get_json()
    assert get(f"/snapshots/{2**31}").status_code == 404  # beyond any id: no route
