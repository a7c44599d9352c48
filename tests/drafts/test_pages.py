"""Draft pages through the real app: list, new draft, edit, add a version, move a stage, and the
legislative record on the document page."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lis.auth.models import ROLES
from lis.clock import today
from lis.documents.models import Document
from lis.drafts import services
from tests.drafts.helpers import DRAFT, V1, V2, docx_bytes
from tests.web.html import Page

EDITORS = {"admin", "staff", "head"}
FORM = {
    "kind": "law",
    "adopted_by": "QH",
    "title": DRAFT["title"],
    "summary": "Tóm tắt",
    "drafting_agency": "Chính phủ",
    "drafting_unit": "",
    "lead_unit": "UB-PLTP",
    "term": "XV",
    "planned_sessions": ["XV-10"],
    "subjects": "thử nghiệm, kiểm tra",
    "procedure": "normal",
}


def page(resp: Any, status: int = 200) -> Page:
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:2000])
    return Page(resp.get_data(as_text=True))


def new_draft(client: FlaskClient, **changes: Any) -> str:
    resp = client.post("/drafts/new", data={**FORM, **changes})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    match = re.search(r"/documents/(draft-\d+)", resp.headers["Location"])
    assert match
    return match.group(1)


@pytest.mark.parametrize("role", ROLES)
def test_new_draft_page_per_role(role: str, client: FlaskClient, login: Any) -> None:
    login(role, unit=None if role == "admin" else "UB-PLTP-V")
    resp = client.get("/drafts/new")
    if role not in EDITORS:
        assert resp.status_code == 403
        assert client.post("/drafts/new", data=FORM).status_code == 403
        return
    form = page(resp)
    assert form.find("select", name="lead_unit") and form.find("select", name="planned_sessions")
    doc_id = new_draft(client)
    doc = page(client.get(f"/documents/{doc_id}"))
    record = doc.one("section", id="stage")
    assert "Chương trình lập pháp hằng năm" in record.text
    assert "Chính phủ" in record.text  # the outside drafter holds it


def test_new_draft_form_errors(client: FlaskClient, login: Any) -> None:
    login("staff", unit="UB-PLTP-V")
    form = page(client.post("/drafts/new", data={**FORM, "title": ""}), 422)
    assert form.find("input", name="title", **{"aria-invalid": "true"})
    form = page(client.post("/drafts/new", data={**FORM, "lead_unit": "NOPE"}), 422)
    assert form.find("select", name="lead_unit", **{"aria-invalid": "true"})
    form = page(client.post("/drafts/new", data={**FORM, "drafting_agency": ""}), 422)
    assert form.find("input", name="drafting_agency", **{"aria-invalid": "true"})
    page(client.post("/drafts/new", data={**FORM, "lead_unit": "UB-VHXH"}), 403)


@pytest.mark.parametrize("role", ROLES)
def test_list_per_role(role: str, client: FlaskClient, login: Any, db_session: Any) -> None:
    staff = login("staff", unit="UB-PLTP-V")
    doc_id = new_draft(client)
    client.post("/logout")
    login(role)
    listing = page(client.get("/drafts/"))
    link = listing.one("a", href=f"/documents/{doc_id}")
    assert link.text == DRAFT["title"]
    assert bool(listing.find("a", href="/drafts/new")) == (role == "admin")
    filtered = page(client.get("/drafts/?stage=S_VERIFY&lead_unit=UB-PLTP"))
    assert not filtered.find("a", href=f"/documents/{doc_id}")
    assert staff.id


def test_versions_and_moves(client: FlaskClient, login: Any, make_member: Any) -> None:
    login("staff", unit="UB-PLTP-V")
    doc_id = new_draft(client)
    url = f"/drafts/{doc_id}/versions/new"
    assert page(client.get(url)).find("input", type="file")
    upload = client.post(
        url,
        data={"label": "Dự thảo 1", "version_date": "2025-09-01",
              "file": (io.BytesIO(docx_bytes(V1)), "v1.docx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert upload.status_code == 302, upload.get_data(as_text=True)[:2000]
    pasted = client.post(url, data={"label": "Dự thảo 2", "text": V2})
    assert pasted.status_code == 302
    again = page(client.post(url, data={"label": "Dự thảo 3", "text": V2}), 409)
    assert again.find("textarea", name="text", **{"aria-invalid": "true"})
    bad = page(
        client.post(
            url,
            data={"label": "x", "file": (io.BytesIO(b"%PDF"), "a.pdf")},
            content_type="multipart/form-data",
        ),
        422,
    )
    assert bad.find("input", name="file", **{"aria-invalid": "true"})
    page(client.post(url, data={"label": "x"}), 422)

    doc = page(client.get(f"/documents/{doc_id}"))
    compare = doc.one("a", cls="versions__compare")
    assert compare["href"] == f"/documents/{doc_id}/compare?a=1&b=2"
    # The Government's acts are recorded by the NA Office: no move form for the committee yet.
    assert not doc.find("form", cls="stage-form")
    refused = client.post(f"/drafts/{doc_id}/stage", data={"to": "S_DRAFTING"})
    assert refused.status_code == 302
    assert "SUBMITTER" in client.get(refused.headers["Location"]).get_data(as_text=True)

    client.post("/logout")
    login(user=make_member("staff", unit="VPQH-TH"))
    doc = page(client.get(f"/documents/{doc_id}"))
    options = [o["value"] for o in doc.find("option", within=doc.one("select", name="to"))]
    assert options == ["S_POLICY", "S_DRAFTING", "S_WITHDRAWN"]
    moved = client.post(
        f"/drafts/{doc_id}/stage",
        data={"to": "S_DRAFTING", "event_date": today().isoformat(), "note": "Giao soạn thảo"},
    )
    assert moved.status_code == 302
    doc = page(client.get(f"/documents/{doc_id}"))
    timeline = doc.one("ol", cls="timeline")
    assert "Soạn thảo" in timeline.text and "Giao soạn thảo" in timeline.text
    assert len(doc.find("time", datetime=today().isoformat(), within=timeline)) == 2
    forbidden = client.post(f"/drafts/{doc_id}/stage", data={"to": "S_ADOPTED"})
    assert "S_APPRAISAL" in client.get(forbidden.headers["Location"]).get_data(as_text=True)


def test_edit_page(client: FlaskClient, login: Any) -> None:
    login("head", unit="UB-PLTP-V")
    doc_id = new_draft(client)
    form = page(client.get(f"/drafts/{doc_id}/edit"))
    assert form.one("input", name="title")["value"] == DRAFT["title"]
    assert not form.find("select", name="kind")
    saved = client.post(f"/drafts/{doc_id}/edit", data={**FORM, "title": "Tên mới"})
    assert saved.status_code == 302
    assert "Tên mới" in page(client.get(f"/documents/{doc_id}")).one("h1").text


def test_other_units_cannot_edit_or_add(client: FlaskClient, login: Any, make_member: Any) -> None:
    login("staff", unit="UB-PLTP-V")
    doc_id = new_draft(client)
    client.post("/logout")
    login(user=make_member("staff", unit="UB-VHXH-V"))
    assert client.get(f"/drafts/{doc_id}/edit").status_code == 403
    assert client.get(f"/drafts/{doc_id}/versions/new").status_code == 403
    doc = page(client.get(f"/documents/{doc_id}"))
    assert not doc.find("a", href=f"/drafts/{doc_id}/versions/new")


def test_imported_document_shows_its_record(
    client: FlaskClient, login: Any, db_session: Any
) -> None:
    login("deputy")
    doc = db_session.scalar(select(Document).where(Document.origin == "imported").limit(1))
    if doc is None:
        pytest.skip("no corpus sample")
    shown = page(client.get(f"/documents/{doc.external_id}"))
    assert "Có hiệu lực" in shown.one("section", id="stage").text
    assert not shown.find("form", cls="stage-form")
    assert client.get(f"/drafts/{doc.external_id}/edit").status_code == 404
    assert services.allowed_transitions(db_session, None, doc) == []


def test_only_admins_change_the_units_on_the_edit_page(
    client: FlaskClient, login: Any, make_member: Any, db_session: Any
) -> None:
    staff = login("staff", unit="UB-PLTP-V")
    doc_id = new_draft(client)
    form = page(client.get(f"/drafts/{doc_id}/edit"))
    for name in ("drafting_unit", "lead_unit"):
        assert "disabled" in form.one("select", name=name).attrs
    lead = form.one("select", name="lead_unit")
    assert form.one("option", selected="", within=lead)["value"] == "UB-PLTP"
    # The browser leaves the disabled fields out: the rest is saved, the units stay.
    sent = {k: v for k, v in FORM.items() if k not in ("drafting_unit", "lead_unit")}
    saved = client.post(f"/drafts/{doc_id}/edit", data={**sent, "title": "Tên mới"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    # A forged form that sends another lead unit is refused, and nothing changes.
    forged = page(
        client.post(f"/drafts/{doc_id}/edit", data={**FORM, "title": "X", "lead_unit": "UB-VHXH"}),
        403,
    )
    assert forged.find("select", name="lead_unit", **{"aria-invalid": "true"})
    doc = services.get_draft(db_session, doc_id)
    db_session.refresh(doc)
    assert (doc.title, doc.lead_unit.code) == ("Tên mới", "UB-PLTP")
    assert staff.id
    client.post("/logout")
    login(user=make_member("admin", unit="UB-VHXH-V"))
    form = page(client.get(f"/drafts/{doc_id}/edit"))
    assert "disabled" not in form.one("select", name="lead_unit").attrs
    moved = client.post(f"/drafts/{doc_id}/edit", data={**FORM, "lead_unit": "UB-VHXH"})
    assert moved.status_code == 302
    db_session.refresh(doc)
    assert doc.lead_unit.code == "UB-VHXH"


def test_the_lead_unit_list_offers_only_verifying_bodies(client: FlaskClient, login: Any) -> None:
    login("admin")
    form = page(client.get("/drafts/new"))
    offered = {o["value"] for o in form.find("option", within=form.one("select", name="lead_unit"))}
    assert {"HDDT", "UB-PLTP", "UB-KTTC", "UB-DNGS"} <= offered
    assert not offered & {"UB-PLTP-V", "VPQH", "VPQH-TH", "UBTVQH", "QH", "UB-PL"}
    refused = page(client.post("/drafts/new", data={**FORM, "lead_unit": "VPQH-TH"}), 422)
    assert refused.find("select", name="lead_unit", **{"aria-invalid": "true"})


def test_a_future_version_date_is_shown_on_its_field(client: FlaskClient, login: Any) -> None:
    import datetime as dt

    login("staff", unit="UB-PLTP-V")
    doc_id = new_draft(client)
    url = f"/drafts/{doc_id}/versions/new"
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    bad = page(client.post(url, data={"label": "x", "text": V1, "version_date": tomorrow}), 422)
    assert bad.find("input", name="version_date", **{"aria-invalid": "true"})
