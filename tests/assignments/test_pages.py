"""The assignment pages: per role, the form to assign, buttons to close, the draft's panel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import select

from lis.assignments import services
from lis.assignments.models import Assignment
from lis.auth.models import ROLES
from lis.clock import today
from tests.assignments.helpers import draft, make_assignment

WRITERS = {"admin", "head"}
READERS = {"admin", "head", "staff", "officer", "council"}


@pytest.fixture
def setup(db_session: Any, make_user: Any) -> dict[str, Any]:
    admin = make_user("admin")
    doc = draft(created_at=dt.datetime.combine(today(), dt.time()) - dt.timedelta(days=30))
    a = make_assignment(db_session, admin, doc, due_date=today() - dt.timedelta(days=4))
    db_session.commit()  # a failed form rolls back to here (a savepoint in tests)
    return {"admin": admin, "doc": doc, "a": a}


@pytest.mark.parametrize("role", ROLES)
def test_list_pages_per_role(role: str, client: FlaskClient, login: Any, setup: Any) -> None:
    login(role, unit="UB-PLTP-V")
    for path in ("/assignments/", "/assignments/unit", f"/assignments/{setup['a'].id}"):
        resp = client.get(path)
        assert resp.status_code == (200 if role in READERS else 403), path


@pytest.mark.parametrize("role", ROLES)
def test_the_assign_form_per_role(role: str, client: FlaskClient, login: Any, setup: Any) -> None:
    login(role, unit="UB-PLTP")
    resp = client.get(f"/assignments/new?doc={setup['doc'].external_id}")
    assert resp.status_code == (200 if role in WRITERS else 403)
    if role in WRITERS:
        html = resp.get_data(as_text=True)
        assert '<option selected value="S_VERIFY">' in html  # the draft's current stage
        assert 'value="UB-PLTP-V"' in html


@pytest.mark.parametrize("role", ROLES)
def test_close_buttons_per_role(
    role: str, client: FlaskClient, login: Any, setup: Any, db_session: Any
) -> None:
    login(role, unit="UB-PLTP")
    a = setup["a"]
    done = client.post(f"/assignments/{a.id}/complete", data={"note": "xong"})
    assert done.status_code == (302 if role in WRITERS else 403)
    if role in WRITERS:
        db_session.refresh(a)
        assert a.state == "done"
        assert client.post(f"/assignments/{a.id}/cancel").status_code == 409
    else:
        assert client.post(f"/assignments/{a.id}/cancel").status_code == 403


def test_a_head_assigns_from_the_form(
    client: FlaskClient, login: Any, setup: Any, db_session: Any
) -> None:
    head = login("head", unit="UB-PLTP")
    doc = setup["doc"]
    form = {
        "doc": doc.external_id,
        "stage": "S_VERIFY",
        "work_kind": "CONSTITUTIONALITY",
        "unit": "UB-PLTP-V",
        "person": "",
        "title": "",
        "description": "Rà soát tính hợp hiến",
        "due_date": (today() + dt.timedelta(days=7)).isoformat(),
    }
    bad = client.post(
        f"/assignments/new?doc={doc.external_id}", data={**form, "stage": "S_REVISION"}
    )
    assert bad.status_code == 422
    assert 'id="work_kind-error"' in bad.get_data(as_text=True)
    resp = client.post(f"/assignments/new?doc={doc.external_id}", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    row = db_session.scalar(select(Assignment).where(Assignment.assigned_by_id == head.id))
    assert row is not None and row.work_kind.code == "CONSTITUTIONALITY"
    assert resp.headers["Location"].endswith(f"/assignments/{row.id}")


def test_form_errors_name_the_field(client: FlaskClient, login: Any, setup: Any) -> None:
    login("head", unit="UB-PLTP")
    doc = setup["doc"]
    form = {
        "doc": doc.external_id,
        "stage": "S_VERIFY",
        "work_kind": "EXPLAIN_ACCEPT",
        "unit": "UB-PLTP-V",
        "due_date": (today() + dt.timedelta(days=7)).isoformat(),
    }
    resp = client.post(f"/assignments/new?doc={doc.external_id}&lang=en", data=form)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "This kind of work does not belong to the chosen stage." in html
    assert 'id="work_kind-error"' in html


def test_overdue_work_is_highlighted_with_days_late(
    client: FlaskClient, login: Any, setup: Any, db_session: Any, make_member: Any
) -> None:
    worker = make_member("staff", unit="UB-PLTP-V")
    person = services.person_of_user(db_session, worker.id)
    services.update(db_session, setup["admin"], setup["a"].id, person_id=person.id)
    login(user=worker)
    html = client.get("/assignments/?lang=en").get_data(as_text=True)
    assert "assignment--late" in html and "4 days late" in html
    overdue = client.get("/assignments/?state=overdue").get_data(as_text=True)
    assert setup["a"].title in overdue
    assert setup["a"].title not in client.get("/assignments/?state=done").get_data(as_text=True)
    detail = client.get(f"/assignments/{setup['a'].id}").get_data(as_text=True)
    assert "/complete" in detail and "/cancel" not in detail  # the assignee may only complete
    assert client.post(f"/assignments/{setup['a'].id}/complete").status_code == 302


def test_the_unit_view_counts_per_unit_and_person(
    client: FlaskClient, login: Any, setup: Any
) -> None:
    login("head", unit="UB-PLTP")
    html = client.get("/assignments/unit?lang=en").get_data(as_text=True)
    assert "Open work per unit" in html and "UB-PLTP-V" in html
    assert setup["a"].title in html
    other = client.get("/assignments/unit?unit=UB-KTTC").get_data(as_text=True)
    assert setup["a"].title not in other
    assert client.get("/assignments/unit?unit=NOPE").status_code == 404


def test_the_head_changes_the_due_date_and_person(
    client: FlaskClient, login: Any, setup: Any, db_session: Any
) -> None:
    login("head", unit="UB-PLTP")
    a = setup["a"]
    due = (today() + dt.timedelta(days=9)).isoformat()
    resp = client.post(f"/assignments/{a.id}/edit", data={"person": "", "due_date": due})
    assert resp.status_code == 302
    db_session.refresh(a)
    assert a.due_date.isoformat() == due
    bad = client.post(f"/assignments/{a.id}/edit", data={"person": "", "due_date": "2001-01-01"})
    assert bad.status_code == 422


def test_the_drafts_panel(app: Flask, db_session: Any, setup: Any, make_member: Any) -> None:
    head = make_member("head", unit="UB-PLTP")
    deputy = make_member("deputy", unit="UB-PLTP")
    with app.test_request_context("/?lang=en"):
        login_user(head)
        html = render_template("assignments/_panel.html", document=setup["doc"])
        assert setup["a"].title in html and "Assign" in html and "days late" in html
        assert f"/assignments/new?doc={setup['doc'].external_id}" in html
    with app.test_request_context("/"):
        login_user(deputy)
        assert render_template("assignments/_panel.html", document=setup["doc"]).strip() == ""


@pytest.mark.parametrize("role", ROLES)
def test_the_document_page_shows_the_panel(
    role: str, client: FlaskClient, login: Any, setup: Any
) -> None:
    login(role, unit="UB-PLTP-V")
    doc = setup["doc"]
    html = client.get(f"/documents/{doc.external_id}").get_data(as_text=True)
    assert (setup["a"].title in html) == (role in READERS)
    assert (f"/assignments/new?doc={doc.external_id}" in html) == (role in WRITERS)
