"""The eligibility pages per role: a report with its explanations, provisions, parameters and
cited facts; evaluating from the form; who qualifies; what if; the rules catalogue."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from emulation import eligibility
from emulation.commendation_models import EligibilityReport
from emulation.title_rules import EXEMPLARY, SOLIDARITY
from lis.audit.models import AuditEvent
from lis.auth.models import ROLES
from tests.emulation.eligibility.helpers import ON, YEAR, attest, award, initiative, rating
from tests.emulation.helpers import person
from tests.factories import UserFactory

UNIT = "UB-KTTC-V"
BOTH = "cstdcs_requires_both_excellent_and_initiative"
EVALUATORS = {"admin", "officer", "council", "head"}
READERS = EVALUATORS | {"staff"}
PAGES = "/emulation/eligibility"


@pytest.fixture
def setup(db_session: Any) -> dict[str, Any]:
    """Two people of UB-KTTC-V rated excellent with solidarity attested, one with an
    initiative; a stored grassroots-fighter report about the inventive one."""
    plain, inventive = person(UNIT), person(UNIT)
    for who in (plain, inventive):
        rating(db_session, who, "excellent")
        attest(db_session, criterion=SOLIDARITY, who=who)
    idea = initiative(db_session, [inventive])
    report = eligibility.evaluate(
        db_session,
        UserFactory(roles=["officer"]),
        title="CSTDCS",
        year=YEAR,
        person_id=inventive.id,
        on=ON,
    )
    db_session.commit()
    return {"plain": plain, "inventive": inventive, "report": report, "initiative": idea}


def en(client: FlaskClient, path: str, **query: Any) -> Any:
    return client.get(path, query_string={"lang": "en", **query})


@pytest.mark.parametrize("role", ROLES)
def test_index_per_role(role: str, client: FlaskClient, login: Any, setup: Any) -> None:
    login(role, unit="UB-KTTC")
    resp = en(client, PAGES)
    assert resp.status_code == (200 if role in READERS else 403)
    if resp.status_code != 200:
        return
    html = resp.get_data(as_text=True)
    link = f'href="{PAGES}/{setup["report"].id}"'
    assert (link in html) == (role in EVALUATORS)  # the staff member is not the one reported on
    assert ('href="/emulation/eligibility/what-if"' in html) == (role in EVALUATORS)


@pytest.mark.parametrize("role", ROLES)
def test_report_page_per_role(role: str, client: FlaskClient, login: Any, setup: Any) -> None:
    login(role, unit="UB-KTTC")
    resp = en(client, f"{PAGES}/{setup['report'].id}")
    assert resp.status_code == (200 if role in EVALUATORS else 403)
    if resp.status_code != 200:
        return
    html = resp.get_data(as_text=True)
    assert setup["inventive"].name in html and "Grassroots Emulation Fighter" in html
    assert "elig-badge--pass" in html and "Meets" in html
    assert "R2.cstdcs.excellent_or_initiative" in html
    # The explanation of each rule, the provision (unverified ones marked) and the parameters.
    for result in setup["report"].results:
        assert result["rule"] in html
    assert "(not verified)" in html and 'class="elig-unverified"' in html
    assert f"<code>{BOTH}</code>: no" in html and "<code>ldtt_min_band</code>: good" in html
    # The facts, as links where a page shows them.
    ratings_link = f'href="/emulation/ratings?year={YEAR}&amp;unit={UNIT}"'
    assert ratings_link in html and f"Quality rating {YEAR}" in html
    assert f"Initiative: {setup['initiative'].title}" in html


def test_staff_see_their_own_report(client: FlaskClient, login: Any, setup: Any) -> None:
    user = UserFactory(roles=["staff"])
    setup["inventive"].user_id = user.id
    login(user=user)
    assert en(client, f"{PAGES}/{setup['report'].id}").status_code == 200
    assert f'{PAGES}/{setup["report"].id}"' in en(client, PAGES).get_data(as_text=True)


def test_awards_cited_link_to_the_persons_record(
    client: FlaskClient, login: Any, db_session: Any, setup: Any
) -> None:
    who = setup["plain"]
    rating(db_session, who, "excellent", YEAR - 1)
    attest(db_session, criterion=EXEMPLARY, who=who)
    first = award(db_session, "CSTDCS", YEAR - 1, who=who)
    second = award(db_session, "CSTDCS", YEAR, who=who)
    report = eligibility.evaluate(
        db_session,
        UserFactory(roles=["officer"]),
        title="BK_UBTVQH",
        year=YEAR,
        person_id=who.id,
        on=ON,
    )
    db_session.commit()
    cited = {f for r in report.results for f in r["facts"]}
    assert {f"award:{first.id}", f"award:{second.id}"} <= cited
    login("officer")
    html = en(client, f"{PAGES}/{report.id}").get_data(as_text=True)
    assert f"Award CSTDCS {YEAR - 1}" in html
    assert f'href="/emulation/records/people/{who.id}"' in html


def test_anonymous_is_sent_to_login(client: FlaskClient) -> None:
    for path in ("", "/1", "/evaluate", "/qualifies", "/what-if", "/rules"):
        resp = client.get(PAGES + path)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


# --------------------------------------------------------------------------
# Evaluating from the form
# --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_evaluate_form_per_role(role: str, client: FlaskClient, login: Any, setup: Any) -> None:
    login(role, unit="UB-KTTC")
    resp = en(client, f"{PAGES}/evaluate", person=setup["plain"].id, title="LDTT", year=YEAR)
    assert resp.status_code == (200 if role in EVALUATORS else 403)
    if resp.status_code == 200:
        html = resp.get_data(as_text=True)
        assert re.search(rf'<option selected value="{setup["plain"].id}"', html)
        assert '<option selected value="LDTT"' in html
    posted = client.post(
        f"{PAGES}/evaluate",
        data={"title": "LDTT", "year": YEAR, "person": setup["plain"].id, "on": ON.isoformat()},
    )
    assert posted.status_code == (302 if role in EVALUATORS else 403)


def test_evaluating_from_the_form_stores_and_shows_the_report(
    client: FlaskClient, login: Any, db_session: Any, setup: Any
) -> None:
    login("head", unit="UB-KTTC")
    resp = client.post(
        f"{PAGES}/evaluate?lang=en",
        data={"title": "LDTT", "year": YEAR, "person": setup["plain"].id, "on": ON.isoformat()},
    )
    assert resp.status_code == 302
    report_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    row = db_session.get(EligibilityReport, report_id)
    assert row.person_id == setup["plain"].id and row.outcome == "pass"
    assert db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "eligibility.evaluate", AuditEvent.entity_id == str(report_id)
        )
    )
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "The eligibility report is stored." in page and "elig-badge--pass" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "NOPE"}, "title"),
        ({"year": 1990}, "year"),
        ({"title": "TTLDTT"}, "title"),  # a title for units, given a person
        ({"unit": UNIT}, "person"),  # a person and a unit
        ({"person": ""}, "person"),  # neither
        ({"unit": "NOPE", "person": ""}, "unit"),
    ],
)
def test_evaluate_form_errors_name_the_field(
    client: FlaskClient, login: Any, setup: Any, data: dict[str, Any], field: str
) -> None:
    login("officer")
    form = {"title": "LDTT", "year": YEAR, "person": setup["plain"].id, **data}
    resp = client.post(f"{PAGES}/evaluate?lang=en", data=form)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html


def test_a_head_cannot_evaluate_outside_their_units(
    client: FlaskClient, login: Any, setup: Any
) -> None:
    login("head", unit="UB-PLTP")
    resp = client.post(
        f"{PAGES}/evaluate", data={"title": "LDTT", "year": YEAR, "person": setup["plain"].id}
    )
    assert resp.status_code == 403


# --------------------------------------------------------------------------
# Who qualifies, what if, the rules
# --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_qualifies_page_per_role(
    role: str, client: FlaskClient, login: Any, setup: Any
) -> None:
    login(role, unit="UB-KTTC")
    resp = en(client, f"{PAGES}/qualifies", unit=UNIT, year=YEAR)
    assert resp.status_code == (200 if role in EVALUATORS else 403)
    if resp.status_code != 200:
        return
    html = resp.get_data(as_text=True)
    rows = html.split('id="person-')
    mine = next(r for r in rows[1:] if r.startswith(f'{setup["plain"].id}"'))
    assert setup["plain"].name in mine and "elig-badge--pass" in mine
    evaluate_link = (
        f'href="/emulation/eligibility/evaluate?title=CSTDCS&amp;year={YEAR}'
        f'&amp;person={setup["plain"].id}"'
    )
    assert evaluate_link in mine
    assert 'id="elig-unit"' in html and "Advanced Labour Collective" in html


def test_who_qualifies_outside_a_heads_units_is_403(
    client: FlaskClient, login: Any, setup: Any
) -> None:
    login("head", unit="UB-PLTP")
    assert en(client, f"{PAGES}/qualifies", unit=UNIT, year=YEAR).status_code == 403
    assert en(client, f"{PAGES}/qualifies", unit="NOPE", year=YEAR).status_code == 404


def test_a_heads_own_unit_by_default(client: FlaskClient, login: Any, setup: Any) -> None:
    login("head", unit=UNIT)
    html = en(client, f"{PAGES}/qualifies", year=YEAR).get_data(as_text=True)
    assert setup["plain"].name in html


@pytest.mark.parametrize("role", ROLES)
def test_what_if_page_per_role(role: str, client: FlaskClient, login: Any, setup: Any) -> None:
    login(role, unit="UB-KTTC")
    query = {"unit": UNIT, "year": YEAR, "title": "CSTDCS", "param": BOTH, "value": "true"}
    resp = en(client, f"{PAGES}/what-if", **query)
    assert resp.status_code == (200 if role in EVALUATORS else 403)
    if resp.status_code != 200:
        return
    html = resp.get_data(as_text=True)
    table = html.split('id="elig-changes"')[1]
    assert setup["plain"].name in table and setup["inventive"].name not in table
    assert "elig-badge--pass" in table and "elig-badge--fail" in table
    assert "R2.cstdcs.excellent_or_initiative" in table
    assert f"{BOTH}: no → yes" in html


def test_what_if_form_alone_and_with_no_change(client: FlaskClient, login: Any, setup: Any) -> None:
    login("officer")
    blank = en(client, f"{PAGES}/what-if")
    assert blank.status_code == 200 and BOTH in blank.get_data(as_text=True)
    query = {"unit": UNIT, "year": YEAR, "title": "CSTDCS", "param": BOTH, "value": "false"}
    html = en(client, f"{PAGES}/what-if", **query).get_data(as_text=True)
    assert 'id="elig-no-change"' in html


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "maybe"}, "value"),
        ({"param": "bk_initiatives_needed", "value": "99"}, "value"),
        ({"param": "nope"}, "param"),
        ({"year": "1800"}, "year"),
        ({"title": "NOPE"}, "title"),
    ],
)
def test_what_if_bad_input_names_the_field(
    client: FlaskClient, login: Any, setup: Any, change: dict[str, str], field: str
) -> None:
    login("officer")
    query = {"unit": UNIT, "year": YEAR, "title": "CSTDCS", "param": BOTH, "value": "true"}
    resp = en(client, f"{PAGES}/what-if", **{**query, **change})
    assert resp.status_code == 422
    assert f'id="{field}-error"' in resp.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_rules_page_per_role(role: str, client: FlaskClient, login: Any) -> None:
    login(role, unit="UB-KTTC")
    resp = en(client, f"{PAGES}/rules", on=ON.isoformat())
    assert resp.status_code == (200 if role in READERS else 403)
    if resp.status_code != 200:
        return
    html = resp.get_data(as_text=True)
    for code in ("LDTT", "CSTDCS", "CSTD_QH", "CSTD_TQ", "BK_UBTVQH", "BK_TTG", "TTLDTT"):
        assert f'id="title-{code}"' in html
    assert "R2.cstdcs.excellent_or_initiative" in html and "(not verified)" in html
    params = html.split('id="params"')[1]
    row = params.split("ttldtt_share_ldtt", 1)[1].split("</tr>", 1)[0]
    assert "0.7" in row and "0.5" not in row  # the share in force, not the old law's


def test_rules_page_of_an_earlier_day(client: FlaskClient, login: Any) -> None:
    login("staff")
    html = en(client, f"{PAGES}/rules", on="2020-06-01").get_data(as_text=True)
    params = html.split('id="params"')[1]
    row = params.split("ttldtt_share_ldtt", 1)[1].split("</tr>", 1)[0]
    assert "0.5" in row and BOTH not in params
