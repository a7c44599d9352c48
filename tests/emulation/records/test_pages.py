"""The records pages per role, and recording through their forms (English UI: ?lang=en)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from emulation import records
from emulation.commendation_models import (
    Attestation,
    Award,
    Discipline,
    Initiative,
    PendingCase,
)
from lis import clock
from lis.auth.models import ROLES
from lis.people.queries import person_of_user
from tests.emulation.helpers import person
from tests.emulation.records.helpers import SYSTEM, award, initiative

BASE = "/emulation/records"
READERS = {"admin", "officer", "council", "head", "staff"}
SEE_ALL = {"admin", "officer", "council"}
KEEPERS = {"admin", "officer"}
EN = {"lang": "en"}


@pytest.fixture
def setup(db_session: Any) -> dict[str, Any]:
    a = person("UB-PLTP-V", name="Trần Thị Sáng Kiến")
    co = person("UB-PLTP-V", name="Lê Văn Đồng Tác")
    ini = initiative(db_session, [(a, 0.6), (co, 0.4)], title="Số hoá hồ sơ thẩm tra")
    used = award(db_session, "CSTDCS", 2024, who=a, basis="initiative", initiative_ids=[ini.id])
    gone = award(db_session, "LDTT", 2023, who=a)
    records.revoke_award(db_session, SYSTEM, gone.id, "Hồ sơ kê khai không đúng")
    records.create_discipline(
        db_session, SYSTEM, person_id=a.id, form="warning", decided_on=dt.date(2022, 2, 1)
    )
    case = records.open_case(
        db_session, SYSTEM, person_id=a.id, kind="press_report", opened_on=dt.date(2025, 2, 1)
    )
    records.attest(db_session, SYSTEM, person_id=a.id, year=2024, criterion="solidarity")
    db_session.commit()
    return {"person": a, "co": co, "initiative": ini, "award": used, "gone": gone, "case": case}


ALLOWED = {
    "initiatives": READERS,
    "new initiative": KEEPERS,
    "edit initiative": KEEPERS,
    "awards": SEE_ALL | {"head"},  # the person's history: staff are not the person
    "new award": KEEPERS,
    "person": SEE_ALL | {"head"},
}


PAGES = {
    "initiatives": lambda s: f"{BASE}/initiatives",
    "new initiative": lambda s: f"{BASE}/initiatives/new",
    "edit initiative": lambda s: f"{BASE}/initiatives/{s['initiative'].id}/edit",
    "awards": lambda s: f"{BASE}/awards?lang=en&person_id={s['person'].id}",
    "new award": lambda s: f"{BASE}/awards/new",
    "person": lambda s: f"{BASE}/people/{s['person'].id}",
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_pages_per_role(
    page: str, role: str, client: FlaskClient, login: Any, setup: dict[str, Any]
) -> None:
    login(role, unit="UB-PLTP")
    path = PAGES[page](setup)
    resp = client.get(path, query_string=None if "?" in path else EN)
    assert resp.status_code == (200 if role in ALLOWED[page] else 403), (page, role)


@pytest.mark.parametrize("role", ROLES)
def test_the_person_page_shows_the_record_and_the_forms(
    role: str, client: FlaskClient, login: Any, setup: dict[str, Any]
) -> None:
    login(role, unit="UB-PLTP")
    resp = client.get(f"{BASE}/people/{setup['person'].id}", query_string=EN)
    if role not in SEE_ALL | {"head"}:
        assert resp.status_code == 403
        return
    html = resp.get_data(as_text=True)
    for text in (
        "Trần Thị Sáng Kiến",
        "Số hoá hồ sơ thẩm tra",
        "60%",  # the person's share
        "Grassroots Emulation Fighter",
        "Hồ sơ kê khai không đúng",  # the revoked award's reason
        "Revoked",
        "Disciplinary warning",
        "Press report",
        "still open",
        "Self-reliance, solidarity, active in emulation",
        "system",  # who attested
    ):
        assert text in html, (role, text)
    assert ('id="attest-form"' in html) == (role in ("head", "officer", "admin"))
    assert ('id="discipline-form"' in html) == (role in KEEPERS)
    assert ('id="case-form"' in html) == (role in KEEPERS)


def test_anonymous_is_sent_to_login(client: FlaskClient, setup: dict[str, Any]) -> None:
    for make in PAGES.values():
        resp = client.get(make(setup))
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_staff_see_their_own_record(
    client: FlaskClient, login: Any, db_session: Any, setup: dict[str, Any]
) -> None:
    user = login("staff", unit="UB-KTTC-V")
    me = person_of_user(db_session, user.id)
    resp = client.get(BASE)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/people/{me.id}")
    assert client.get(f"{BASE}/people/{me.id}", query_string=EN).status_code == 200
    html = client.get(f"{BASE}/initiatives", query_string=EN).get_data(as_text=True)
    assert "Số hoá hồ sơ thẩm tra" not in html and "No initiatives to show." in html


def test_the_initiative_list_shows_authors_and_awards(
    client: FlaskClient, login: Any, setup: dict[str, Any]
) -> None:
    login("council")
    html = client.get(f"{BASE}/initiatives", query_string=EN).get_data(as_text=True)
    assert "Trần Thị Sáng Kiến</a> — 60%" in html and "Lê Văn Đồng Tác</a> — 40%" in html
    assert "Grassroots Emulation Fighter 2024" in html and "Edit" not in html
    html = client.get(f"{BASE}/initiatives", query_string={"lang": "vi"}).get_data(as_text=True)
    assert "Chiến sĩ thi đua cơ sở 2024" in html


def _initiative_form(s: dict[str, Any], **kw: Any) -> dict[str, Any]:
    data = {
        "title": "Mẫu báo cáo thẩm tra điện tử",
        "summary": "",
        "recognized_by_unit": "UB-PLTP",
        "recognized_on": "2025-05-02",
        "scope": "na_agencies",
        "decision_no": "21/QĐ",
        "applied_effectively": "y",
        "authors-0-person": s["person"].email,
        "authors-0-share": "0.7",
        "authors-1-person": str(s["co"].id),
        "authors-1-share": "0.3",
        "authors-2-person": "",
        "authors-2-share": "",
    }
    data.update(kw)
    return data


def test_an_officer_records_and_changes_an_initiative(
    client: FlaskClient, login: Any, db_session: Any, setup: dict[str, Any]
) -> None:
    login("officer")
    resp = client.post(f"{BASE}/initiatives/new", query_string=EN, data=_initiative_form(setup))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    row = db_session.scalar(select(Initiative).where(Initiative.decision_no == "21/QĐ"))
    assert row.scope == "na_agencies" and row.recognized_by.code == "UB-PLTP"
    assert {(a.person_id, a.share) for a in row.authors} == {
        (setup["person"].id, 0.7),
        (setup["co"].id, 0.3),
    }
    form = client.get(f"{BASE}/initiatives/{row.id}/edit", query_string=EN)
    assert setup["person"].email in form.get_data(as_text=True)
    resp = client.post(
        f"{BASE}/initiatives/{row.id}/edit",
        query_string=EN,
        data=_initiative_form(
            setup, **{"authors-1-person": "", "authors-1-share": "", "authors-0-share": "1"}
        ),
    )
    assert resp.status_code == 302
    db_session.expire_all()
    assert [(a.person_id, a.share) for a in db_session.get(Initiative, row.id).authors] == [
        (setup["person"].id, 1.0)
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"authors-0-share": "0.9"}, "the shares together 1 at most"),
        ({"authors-0-share": "1.5"}, "Number must be between 0 and 1"),
        ({"authors-0-person": "nobody@nowhere.vn"}, "Nobody with this id or e-mail."),
        ({"authors-0-share": ""}, "Give the author&#39;s share."),
        ({"recognized_on": "2099-01-01"}, "Give a day that has passed"),
        ({"title": ""}, "This field is required."),
        ({"scope": "cosmic"}, "Not a valid choice"),
    ],
)
def test_a_bad_initiative_form_is_shown_again(
    client: FlaskClient, login: Any, setup: dict[str, Any], change: dict[str, str], message: str
) -> None:
    login("officer")
    resp = client.post(
        f"{BASE}/initiatives/new", query_string=EN, data=_initiative_form(setup, **change) | EN
    )
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)


def test_removing_an_author_whose_award_used_it_is_refused(
    client: FlaskClient, login: Any, setup: dict[str, Any]
) -> None:
    login("admin")
    data = _initiative_form(
        setup,
        **{
            "authors-0-person": str(setup["co"].id),
            "authors-0-share": "1",
            "authors-1-person": "",
            "authors-1-share": "",
        },
    )
    resp = client.post(
        f"{BASE}/initiatives/{setup['initiative'].id}/edit", query_string=EN, data=data
    )
    assert resp.status_code == 409
    assert "Each author once" in resp.get_data(as_text=True)


def test_an_officer_records_and_revokes_an_award(
    client: FlaskClient, login: Any, db_session: Any, setup: dict[str, Any]
) -> None:
    login("officer")
    a = setup["person"]
    data = {
        "person": a.email,
        "unit": "",
        "title_code": "BK_UBTVQH",
        "year": "2025",
        "basis": "excellent",
        "kind": "regular",
        "decision_no": "5/QĐ",
        "decision_date": "2026-01-10",
        "initiative_ids": str(setup["initiative"].id),
    }
    resp = client.post(f"{BASE}/awards/new", query_string=EN, data=data)
    assert resp.status_code == 302 and f"person_id={a.id}" in resp.headers["Location"]
    row = db_session.scalar(select(Award).where(Award.decision_no == "5/QĐ"))
    assert [i.id for i in row.initiatives] == [setup["initiative"].id]
    again = client.post(f"{BASE}/awards/new", query_string=EN, data=data | EN)
    assert again.status_code == 409
    assert "does not hold for this year already" in again.get_data(as_text=True)
    bad = client.post(
        f"{BASE}/awards/new", query_string=EN, data=data | {"initiative_ids": "1, x"} | EN
    )
    assert bad.status_code == 422 and "separated by commas" in bad.get_data(as_text=True)
    nobody = client.post(
        f"{BASE}/awards/new", query_string=EN, data=data | {"person": "999999999"} | EN
    )
    assert nobody.status_code == 422 and "Nobody with this id" in nobody.get_data(as_text=True)
    unit = client.post(
        f"{BASE}/awards/new",
        query_string=EN,
        data=data
        | {"person": "", "unit": "UB-PLTP-V", "title_code": "TTLDTT", "initiative_ids": ""},
    )
    assert unit.status_code == 302 and "unit=UB-PLTP-V" in unit.headers["Location"]
    history = client.get(f"{BASE}/awards", query_string={"unit": "UB-PLTP-V"} | EN)
    text = history.get_data(as_text=True)
    assert "Advanced Labour Collective" in text
    assert "Grassroots Emulation Fighter" not in text  # a unit's history: its own awards only

    empty = client.post(f"{BASE}/awards/{row.id}/revoke", query_string=EN, data={"reason": ""} | EN)
    assert empty.status_code == 422 and "Say why the award is revoked" in empty.get_data(
        as_text=True
    )
    resp = client.post(
        f"{BASE}/awards/{row.id}/revoke", query_string=EN, data={"reason": "Sai thành tích"}
    )
    assert resp.status_code == 302
    db_session.expire_all()
    fresh = db_session.get(Award, row.id)
    assert fresh.revoked and fresh.revoked_reason == "Sai thành tích"
    html = client.get(f"{BASE}/awards", query_string={"person_id": a.id} | EN).get_data(
        as_text=True
    )
    assert "Sai thành tích" in html and "Revoked" in html
    twice = client.post(
        f"{BASE}/awards/{row.id}/revoke", query_string=EN, data={"reason": "lần nữa"} | EN
    )
    assert twice.status_code == 409 and "already revoked" in twice.get_data(as_text=True)


@pytest.mark.parametrize("role", ["head", "staff", "council", "deputy"])
def test_only_keepers_post_records(
    role: str, client: FlaskClient, login: Any, setup: dict[str, Any]
) -> None:
    login(role, unit="UB-PLTP")
    s = setup
    for path, data in (
        (f"{BASE}/initiatives/new", _initiative_form(s)),
        (f"{BASE}/initiatives/{s['initiative'].id}/edit", _initiative_form(s)),
        (
            f"{BASE}/awards/new",
            {"person": str(s["person"].id), "title_code": "LDTT", "year": "2025"},
        ),
        (f"{BASE}/awards/{s['award'].id}/revoke", {"reason": "x"}),
        (
            f"{BASE}/people/{s['person'].id}/disciplines",
            {"discipline-form": "warning", "discipline-decided_on": "2025-01-01"},
        ),
        (
            f"{BASE}/people/{s['person'].id}/cases",
            {"case-kind": "complaint", "case-opened_on": "2025-01-01"},
        ),
        (f"{BASE}/cases/{s['case'].id}/close", {}),
    ):
        assert client.post(path, data=data).status_code == 403, path


def test_a_head_attests_from_the_page(
    client: FlaskClient, login: Any, db_session: Any, setup: dict[str, Any]
) -> None:
    head = login("head", unit="UB-PLTP")
    a = setup["person"]
    form = {
        "attest-year": "2025",
        "attest-criterion": "exemplary",
        "attest-holds": "no",
        "attest-note": "Chưa gương mẫu",
    }
    resp = client.post(f"{BASE}/people/{a.id}/attest", query_string=EN, data=form)
    assert resp.status_code == 302
    row = db_session.scalar(
        select(Attestation).where(
            Attestation.person_id == a.id, Attestation.criterion == "exemplary"
        )
    )
    assert row.attested_by_email == head.email and row.holds is False
    html = client.get(f"{BASE}/people/{a.id}", query_string=EN).get_data(as_text=True)
    assert head.email in html and "Chưa gương mẫu" in html
    bad = client.post(
        f"{BASE}/people/{a.id}/attest", query_string=EN, data=form | {"attest-year": "2101"} | EN
    )
    assert bad.status_code == 422 and "Number must be between 1990 and 2100" in bad.get_data(
        as_text=True
    )
    future = client.post(
        f"{BASE}/people/{a.id}/attest",
        query_string=EN,
        data=form | {"attest-year": str(clock.today().year + 1)} | EN,
    )
    assert future.status_code == 422 and "that has begun" in future.get_data(as_text=True)
    other = person("UB-KTTC-V")
    assert (
        client.post(f"{BASE}/people/{other.id}/attest", query_string=EN, data=form).status_code
        == 403
    )


def test_council_and_staff_do_not_attest(
    client: FlaskClient, login: Any, setup: dict[str, Any]
) -> None:
    login("council")
    form = {"attest-year": "2025", "attest-criterion": "exemplary", "attest-holds": "yes"}
    assert (
        client.post(
            f"{BASE}/people/{setup['person'].id}/attest", query_string=EN, data=form
        ).status_code
        == 403
    )


def test_an_officer_records_discipline_and_cases_from_the_page(
    client: FlaskClient, login: Any, db_session: Any, setup: dict[str, Any]
) -> None:
    login("officer")
    a = setup["person"]
    resp = client.post(
        f"{BASE}/people/{a.id}/disciplines",
        query_string=EN,
        data={
            "discipline-form": "reprimand",
            "discipline-decided_on": "2025-03-01",
            "discipline-effective_to": "2026-03-01",
        },
    )
    assert resp.status_code == 302
    assert db_session.scalar(
        select(Discipline.form).where(Discipline.person_id == a.id, Discipline.form == "reprimand")
    )
    bad = client.post(
        f"{BASE}/people/{a.id}/disciplines",
        query_string=EN,
        data={
            "discipline-form": "reprimand",
            "discipline-decided_on": "2025-03-01",
            "discipline-effective_to": "2025-01-01",
        }
        | EN,
    )
    assert bad.status_code == 422 and "ends on or after the day" in bad.get_data(as_text=True)
    resp = client.post(
        f"{BASE}/people/{a.id}/cases",
        query_string=EN,
        data={"case-kind": "investigation", "case-opened_on": "2025-04-01"},
    )
    assert resp.status_code == 302
    case = setup["case"]
    early = client.post(
        f"{BASE}/cases/{case.id}/close", query_string=EN, data={"closed_on": "2025-01-01"} | EN
    )
    assert early.status_code == 422 and "between the case" in early.get_data(as_text=True)
    resp = client.post(
        f"{BASE}/cases/{case.id}/close", query_string=EN, data={"closed_on": "2025-06-01"}
    )
    assert resp.status_code == 302
    db_session.expire_all()
    assert db_session.get(PendingCase, case.id).closed_on == dt.date(2025, 6, 1)
    twice = client.post(f"{BASE}/cases/{case.id}/close", query_string=EN, data={} | EN)
    assert twice.status_code == 409 and "already closed" in twice.get_data(as_text=True)


def test_unknown_ids_are_404(client: FlaskClient, login: Any, setup: dict[str, Any]) -> None:
    login("admin")
    for path in (
        f"{BASE}/people/2147483647",
        f"{BASE}/initiatives/2147483647/edit",
        f"{BASE}/awards?unit=NOPE",
    ):
        assert client.get(path).status_code == 404, path
    assert (
        client.post(
            f"{BASE}/awards/2147483647/revoke", query_string=EN, data={"reason": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(f"{BASE}/cases/2147483647/close", query_string=EN, data={}).status_code == 404
    )
