"""The eligibility API: each endpoint per role, the answers' shape, and the 4xx that name the
field."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from emulation import eligibility
from emulation.title_rules import SOLIDARITY
from lis.audit.models import AuditEvent
from lis.auth.models import ROLES
from tests.emulation.eligibility.helpers import ON, YEAR, attest, initiative, rating
from tests.emulation.helpers import person
from tests.factories import UserFactory

UNIT = "UB-KTTC-V"
BOTH = "cstdcs_requires_both_excellent_and_initiative"
EVALUATORS = {"admin", "officer", "council", "head"}
READERS = EVALUATORS | {"staff"}
API = "/api/v1/emulation"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def setup(db_session: Any) -> dict[str, Any]:
    """Two people of UB-KTTC-V rated excellent with solidarity attested, one with an
    initiative of the year, and a stored report about the first."""
    plain, inventive = person(UNIT), person(UNIT)
    for who in (plain, inventive):
        rating(db_session, who, "excellent")
        attest(db_session, criterion=SOLIDARITY, who=who)
    initiative(db_session, [inventive])
    report = eligibility.evaluate(
        db_session,
        UserFactory(roles=["officer"]),
        title="CSTDCS",
        year=YEAR,
        person_id=plain.id,
        on=ON,
    )
    # A request that fails rolls back to the last commit (a savepoint in tests): keep the set-up.
    db_session.commit()
    return {"plain": plain, "inventive": inventive, "report": report}


@pytest.mark.parametrize("role", ROLES)
def test_evaluate_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    resp = client.post(
        f"{API}/eligibility",
        json={"title": "CSTDCS", "year": YEAR, "person": setup["plain"].id, "on": ON.isoformat()},
        headers=bearer(token_for(role, unit="UB-KTTC")),
    )
    assert resp.status_code == (201 if role in EVALUATORS else 403), resp.get_json()
    if role not in EVALUATORS:
        assert resp.get_json()["error"]["code"] == "forbidden"
        return
    body = resp.get_json()
    assert body["outcome"] == "pass" and body["title"] == "CSTDCS" and body["year"] == YEAR
    assert body["person"]["id"] == setup["plain"].id and body["person"]["unit"] == UNIT
    assert body["unit"] is None and body["evaluated_on"] == ON.isoformat()
    basis = next(r for r in body["results"] if r["rule"] == "R2.cstdcs.excellent_or_initiative")
    assert basis["outcome"] == "pass" and basis["reason"] == "cstdcs_excellent"
    assert basis["explanation"] and basis["facts"] == [f"rating:{YEAR}"]
    cited = {p["id"]: p for p in basis["provisions"]}
    assert cited["LAW_06_2022.A23.K2"]["label"]
    assert isinstance(cited["LAW_06_2022.A23.K2"]["verified"], bool)
    assert body["params"][BOTH] is False
    assert "R2.cstdcs.excellent_or_initiative@1" in body["rule_versions"]


def test_evaluating_is_audited(
    client: FlaskClient, token_for: Any, setup: Any, db_session: Any
) -> None:
    resp = client.post(
        f"{API}/eligibility",
        json={"title": "LDTT", "year": YEAR, "person": setup["plain"].id},
        headers=bearer(token_for("officer")),
    )
    assert resp.status_code == 201
    event = db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "eligibility.evaluate",
            AuditEvent.entity_id == str(resp.get_json()["id"]),
        )
    )
    assert event is not None and event.after["title"] == "LDTT"


def test_a_head_evaluates_only_their_units(client: FlaskClient, token_for: Any, setup: Any) -> None:
    resp = client.post(
        f"{API}/eligibility",
        json={"title": "LDTT", "year": YEAR, "person": setup["plain"].id},
        headers=bearer(token_for("head", unit="UB-PLTP")),
    )
    assert resp.status_code == 403
    assert resp.get_json()["error"]["fields"] == {"unit": "outside your units"}


def test_explanations_in_english_on_request(
    client: FlaskClient, token_for: Any, setup: Any
) -> None:
    body = client.get(
        f"{API}/eligibility/{setup['report'].id}",
        query_string={"lang": "en"},
        headers=bearer(token_for("officer")),
    ).get_json()
    texts = {r["rule"]: r["explanation"] for r in body["results"]}
    assert str(YEAR) in texts["R1.ldtt.rating"] and "excellently" in texts["R1.ldtt.rating"]


@pytest.mark.parametrize("role", ROLES)
def test_read_a_report_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    resp = client.get(
        f"{API}/eligibility/{setup['report'].id}",
        headers=bearer(token_for(role, unit="UB-KTTC")),
    )
    # A staff member of the unit is not the person reported on.
    assert resp.status_code == (200 if role in EVALUATORS else 403)
    if resp.status_code == 200:
        assert resp.get_json()["id"] == setup["report"].id


def test_staff_read_their_own_report(client: FlaskClient, token_for: Any, setup: Any) -> None:
    user = UserFactory(roles=["staff"])
    setup["plain"].user_id = user.id
    token = token_for(user=user)
    resp = client.get(f"{API}/eligibility/{setup['report'].id}", headers=bearer(token))
    assert resp.status_code == 200
    listed = client.get(f"{API}/eligibility", headers=bearer(token)).get_json()
    assert [i["id"] for i in listed["items"]] == [setup["report"].id]


def test_unknown_report_is_404(client: FlaskClient, token_for: Any) -> None:
    resp = client.get(f"{API}/eligibility/2147483647", headers=bearer(token_for("admin")))
    assert resp.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_list_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    resp = client.get(
        f"{API}/eligibility",
        query_string={"unit": UNIT, "title": "CSTDCS", "year": YEAR},
        headers=bearer(token_for(role, unit="UB-KTTC")),
    )
    assert resp.status_code == (200 if role in READERS else 403)
    if role in EVALUATORS:
        assert [i["id"] for i in resp.get_json()["items"]] == [setup["report"].id]
    elif role == "staff":
        assert resp.get_json()["total"] == 0


@pytest.mark.parametrize("role", ROLES)
def test_who_qualifies_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    resp = client.get(
        f"{API}/eligibility/qualifies",
        query_string={"unit": UNIT, "year": YEAR, "title": "CSTDCS", "on": ON.isoformat()},
        headers=bearer(token_for(role, unit="UB-KTTC")),
    )
    assert resp.status_code == (200 if role in EVALUATORS else 403)
    if resp.status_code != 200:
        return
    body = resp.get_json()
    assert body["unit"] == UNIT and body["title"] == "CSTDCS" and body["on"] == ON.isoformat()
    rows = {i["subject"]["id"]: i for i in body["items"]}
    for who in (setup["plain"], setup["inventive"]):
        assert rows[who.id]["outcome"] == "pass" and rows[who.id]["subject"]["kind"] == "person"
        assert rows[who.id]["failing"] == [] and rows[who.id]["unknown"] == []


def test_who_qualifies_lists_failing_rules(client: FlaskClient, token_for: Any, setup: Any) -> None:
    body = client.get(
        f"{API}/eligibility/qualifies",
        query_string={"unit": UNIT, "year": YEAR, "on": ON.isoformat()},
        headers=bearer(token_for("officer")),
    ).get_json()
    unit_rows = [i for i in body["items"] if i["subject"]["kind"] == "unit"]
    assert {i["title"] for i in unit_rows} == {"TTLDTT", "TTLDXS"}
    plain = [i for i in body["items"] if i["subject"]["id"] == setup["plain"].id]
    national = next(i for i in plain if i["title"] == "CSTD_TQ")
    assert national["outcome"] in ("fail", "unknown")
    assert all(f["explanation"] for f in national["failing"] + national["unknown"])


@pytest.mark.parametrize("role", ROLES)
def test_what_if_per_role(role: str, client: FlaskClient, token_for: Any, setup: Any) -> None:
    resp = client.post(
        f"{API}/eligibility/what-if",
        json={
            "unit": UNIT,
            "year": YEAR,
            "title": "CSTDCS",
            "overrides": {BOTH: True},
            "on": ON.isoformat(),
        },
        headers=bearer(token_for(role, unit="UB-KTTC")),
    )
    assert resp.status_code == (200 if role in EVALUATORS else 403), resp.get_json()
    if resp.status_code != 200:
        return
    body = resp.get_json()
    assert body["overrides"] == {BOTH: True} and body["in_force"] == {BOTH: False}
    assert [i["subject"]["id"] for i in body["items"]] == [setup["plain"].id]
    row = body["items"][0]
    assert (row["before"], row["after"]) == ("pass", "fail")
    (change,) = row["changes"]
    assert change["rule"] == "R2.cstdcs.excellent_or_initiative"
    assert change["before"]["outcome"] == "pass" and change["after"]["outcome"] == "fail"
    assert change["after"]["reason"] == "cstdcs_needs_initiative" and change["after"]["explanation"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/eligibility", {"title": "NOPE", "year": YEAR, "person": 1}, "title"),
        ("/eligibility", {"title": "GK", "year": YEAR, "person": 1}, "title"),
        ("/eligibility", {"title": "CSTDCS", "year": 1900, "person": 1}, "year"),
        ("/eligibility", {"title": "CSTDCS", "year": "soon", "person": 1}, "year"),
        ("/eligibility", {"title": "CSTDCS", "year": YEAR, "person": 2**31}, "person"),
        ("/eligibility", {"title": "CSTDCS", "year": YEAR}, "person"),
        ("/eligibility", {"title": "CSTDCS", "year": YEAR, "person": 1, "unit": UNIT}, "unit"),
        ("/eligibility", {"title": "TTLDTT", "year": YEAR, "unit": "NOPE"}, "unit"),
        ("/eligibility", {"title": "LDTT", "year": YEAR, "on": "1900-01-01", "person": 1}, "on"),
        ("/eligibility/what-if", {"unit": UNIT, "year": YEAR, "title": "X"}, "overrides"),
        (
            "/eligibility/what-if",
            {"unit": UNIT, "year": YEAR, "title": "NOPE", "overrides": {BOTH: True}},
            "title",
        ),
        (
            "/eligibility/what-if",
            {"unit": UNIT, "year": 3000, "title": "CSTDCS", "overrides": {BOTH: True}},
            "year",
        ),
        (
            "/eligibility/what-if",
            {"unit": UNIT, "year": YEAR, "title": "CSTDCS", "overrides": {"nope": True}},
            "overrides",
        ),
        (
            "/eligibility/what-if",
            {"unit": UNIT, "year": YEAR, "title": "CSTDCS", "overrides": {BOTH: "yes"}},
            "overrides",
        ),
        (
            "/eligibility/what-if",
            {"unit": UNIT, "year": YEAR, "title": "CSTDCS", "overrides": {BOTH: [1, {"a": 2}]}},
            "overrides",
        ),
        (
            "/eligibility/what-if",
            {"unit": UNIT, "year": YEAR, "title": "CSTDCS", "overrides": {BOTH: None}},
            "overrides",
        ),
        (
            "/eligibility/what-if",
            {"unit": UNIT, "year": YEAR, "title": "CSTDCS", "overrides": {}},
            "overrides",
        ),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: FlaskClient, token_for: Any, setup: Any, path: str, body: dict[str, Any], field: str
) -> None:
    if body.get("person") == 1:
        body = {**body, "person": setup["plain"].id}
    resp = client.post(f"{API}{path}", json=body, headers=bearer(token_for("admin")))
    assert resp.status_code == 422, resp.get_json()
    error = resp.get_json()["error"]
    assert field in error["fields"], error
    assert error["code"] and error["message"]


def test_unknown_parameter_is_named(client: FlaskClient, token_for: Any, setup: Any) -> None:
    resp = client.post(
        f"{API}/eligibility/what-if",
        json={"unit": UNIT, "year": YEAR, "title": "CSTDCS", "overrides": {"nope": 1}},
        headers=bearer(token_for("officer")),
    )
    assert resp.get_json()["error"]["fields"] == {"overrides": {"nope": "unknown parameter"}}


@pytest.mark.parametrize(
    "query", [{"unit": "NOPE", "year": YEAR}, {"unit": UNIT, "year": 1}, {"year": YEAR}]
)
def test_who_qualifies_bad_input(
    client: FlaskClient, token_for: Any, setup: Any, query: dict[str, Any]
) -> None:
    resp = client.get(
        f"{API}/eligibility/qualifies", query_string=query, headers=bearer(token_for("admin"))
    )
    assert resp.status_code == 422
    assert set(resp.get_json()["error"]["fields"]) & {"unit", "year"}


@pytest.mark.parametrize("role", ROLES)
def test_rules_per_role(role: str, client: FlaskClient, token_for: Any) -> None:
    headers = bearer(token_for(role, unit="UB-KTTC"))
    rules = client.get(f"{API}/rules", query_string={"on": ON.isoformat()}, headers=headers)
    params = client.get(f"{API}/rule-params", headers=headers)
    expected = 200 if role in READERS else 403
    assert rules.status_code == expected and params.status_code == expected
    if expected != 200:
        return
    body = rules.get_json()
    titles = {t["code"]: t for t in body["titles"]}
    assert set(titles) == {"LDTT", "CSTDCS", "CSTD_QH", "CSTD_TQ", "BK_UBTVQH", "BK_TTG"} | {
        "TTLDTT",
        "TTLDXS",
    }
    r2 = next(r for r in titles["CSTDCS"]["rules"] if r["id"].startswith("R2."))
    assert BOTH in r2["params"] and all(p["label"] for p in r2["provisions"])
    in_force = {p["name"]: p for p in body["params"]}
    assert in_force[BOTH]["value"] is False and in_force[BOTH]["type"] == "boolean"
    assert in_force["ttldtt_share_ldtt"]["value"] == 0.7
    every = params.get_json()["items"]
    shares = sorted(p["value"] for p in every if p["name"] == "ttldtt_share_ldtt")
    assert shares == [0.5, 0.7]


def test_rules_of_an_earlier_day(client: FlaskClient, token_for: Any) -> None:
    body = client.get(
        f"{API}/rules", query_string={"on": "2020-06-01"}, headers=bearer(token_for("staff"))
    ).get_json()
    in_force = {p["name"]: p["value"] for p in body["params"]}
    assert in_force["ttldtt_share_ldtt"] == 0.5 and BOTH not in in_force


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/eligibility"),
        ("post", "/eligibility"),
        ("get", "/eligibility/1"),
        ("get", "/eligibility/qualifies"),
        ("post", "/eligibility/what-if"),
        ("get", "/rules"),
        ("get", "/rule-params"),
    ],
)
def test_anonymous_gets_401(client: FlaskClient, method: str, path: str) -> None:
    assert getattr(client, method)(f"{API}{path}").status_code == 401
