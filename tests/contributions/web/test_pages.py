"""The staff pages of contributions: the logging form (its picker, errors next to fields, the
idempotent double submit), my record with its totals and exports, one contribution's page with
its history, editing and withdrawing; per role."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lis.auth.models import ROLES
from lis.clock import today
from lis.contributions.models import Contribution
from tests.contributions.helpers import log, make_assignment, make_draft

LOGGERS = {"admin", "staff", "head"}
READERS = {"admin", "staff", "head", "officer", "council"}
UNACCENTED = "Luat sua doi bo sung mot so dieu cua Luat Thu nghiem"


@pytest.fixture
def doc(db_session: Any) -> Any:
    d = make_draft(db_session)
    db_session.commit()  # a failed request rolls back to here
    return d


def _form(client: FlaskClient, doc: Any, **params: Any) -> str:
    resp = client.get("/contributions/new", query_string={"doc": doc.external_id, **params})
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _key(html: str) -> str:
    found = re.search(r'name="idempotency_key" type="hidden" value="([0-9a-f]{32})"', html)
    assert found, "the form carries an idempotency key"
    return found.group(1)


def _post(client: FlaskClient, doc: Any, key: str, **fields: Any) -> Any:
    data = {
        "doc": doc.external_id,
        "idempotency_key": key,
        "stage": "S_VERIFY",
        "work_kind": "VERIFY_REPORT",
        "title": "Báo cáo thẩm tra",
        "delivered_date": (today() - dt.timedelta(days=1)).isoformat(),
        "due_date": "",
        "version": "2",
        "articles": ["dieu-1"],
        "note": "",
    }
    data.update(fields)
    return client.post("/contributions/new", data=data)


def _count(db_session: Any) -> int:
    return int(db_session.scalar(select(func.count()).select_from(Contribution)))


@pytest.mark.parametrize("role", ROLES)
def test_logging_pages_per_role(role: str, client: FlaskClient, login: Any, doc: Any) -> None:
    login(role, unit="UB-PLTP-V")
    for path in (
        "/contributions/new",
        f"/contributions/new?doc={doc.external_id}",
        "/contributions/drafts.json?q=thu",
    ):
        assert client.get(path).status_code == (200 if role in LOGGERS else 403), path


@pytest.mark.parametrize("role", ROLES)
def test_record_pages_per_role(
    role: str, client: FlaskClient, login: Any, doc: Any, db_session: Any
) -> None:
    user = login(role, unit="UB-PLTP-V")
    if role in LOGGERS:
        c = log(db_session, user, document=doc)
    else:
        from tests.contributions.helpers import member

        c = log(db_session, member(db_session, "staff"), document=doc)
    db_session.commit()
    for path in (
        "/contributions/",
        f"/contributions/?year={today().year}&state=submitted",
        "/contributions/export.csv",
        "/contributions/export.xlsx",
        f"/contributions/{c.id}",
    ):
        expected = 200 if role in READERS else 403  # deputies: the ledger is internal
        assert client.get(path).status_code == expected, path


def test_the_picker_suggests_drafts_without_diacritics(
    client: FlaskClient, login: Any, doc: Any
) -> None:
    login("staff", unit="UB-PLTP-V")
    for q in ("thu nghiem", "THỬ NGHIỆ", UNACCENTED.lower(), "sua doi thu ngh"):
        items = client.get("/contributions/drafts.json", query_string={"q": q}).json["items"]
        assert doc.external_id in [i["id"] for i in items], q
        found = next(i for i in items if i["id"] == doc.external_id)
        assert found["stage"] == "S_VERIFY" and found["stage_label"]
    items = client.get("/contributions/drafts.json?q=khong+co+du+an+nay").json["items"]
    assert items == []
    # Imported laws are not drafts: they take no advice.
    items = client.get("/contributions/drafts.json?q=luat").json["items"]
    assert all(i["id"].startswith("draft-") or i["stage"] for i in items)


def test_without_javascript_the_draft_is_picked_from_a_list(
    client: FlaskClient, login: Any, doc: Any
) -> None:
    login("staff", unit="UB-PLTP-V")
    html = client.get("/contributions/new").get_data(as_text=True)
    assert 'name="doc"' in html and f'value="{doc.external_id}"' in html
    assert 'data-source="/contributions/drafts.json"' in html
    assert client.get("/contributions/new?doc=no-such-draft").status_code == 404


def test_the_form_defaults(client: FlaskClient, login: Any, doc: Any, db_session: Any) -> None:
    staff = login("staff", unit="UB-PLTP-V")
    from lis.people.queries import person_of_user

    a = make_assignment(
        db_session,
        doc,
        due_date=today() + dt.timedelta(days=3),
        person_id=person_of_user(db_session, staff.id).id,
    )
    db_session.commit()
    html = _form(client, doc)
    assert '<option selected value="S_VERIFY">' in html  # the draft's current stage
    assert "S_PLENARY_FINAL" not in html  # later stages are not offered
    assert f'value="{today().isoformat()}"' in html  # delivered today
    assert f'data-due="{a.due_date.isoformat()}"' in html  # my open assignment, with its due date
    assert 'value="dieu-1"' in html  # the articles of the versions
    html = _form(client, doc, assignment=a.id)
    assert f'id="due_date" name="due_date" type="date" value="{a.due_date.isoformat()}"' in html
    assert re.search(rf'<option value="{a.id}" data-due="[^"]+"\s+selected>', html)


def test_logging_happy_path(client: FlaskClient, login: Any, doc: Any, db_session: Any) -> None:
    login("staff", unit="UB-PLTP-V")
    key = _key(_form(client, doc))
    resp = _post(client, doc, key, note="Đã gửi Thường trực Ủy ban")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    row = db_session.scalar(select(Contribution).where(Contribution.idempotency_key == key))
    assert resp.headers["Location"].endswith(f"/contributions/{row.id}")
    assert (row.state, row.stage, row.articles, row.version.seq) == (
        "submitted",
        "S_VERIFY",
        ["dieu-1"],
        2,
    )
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Báo cáo thẩm tra" in page and "Đã gửi Thường trực Ủy ban" in page
    assert 'class="notice notice--info"' in page  # the flash message
    mine = client.get("/contributions/").get_data(as_text=True)
    assert f"/contributions/{row.id}" in mine


def test_a_double_submit_logs_once(
    client: FlaskClient, login: Any, doc: Any, db_session: Any
) -> None:
    login("staff", unit="UB-PLTP-V")
    key = _key(_form(client, doc))
    before = _count(db_session)
    first = _post(client, doc, key)
    second = _post(client, doc, key)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(db_session) == before + 1
    # The same key with other values: nothing logged, the form comes back with a new key.
    third = _post(client, doc, key, title="Một báo cáo khác")
    assert third.status_code == 409
    assert _key(third.get_data(as_text=True)) != key
    assert _count(db_session) == before + 1


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"title": ""}, "title", "required"),
        ({"work_kind": ""}, "work_kind", "required"),
        ({"delivered_date": ""}, "delivered_date", "required"),
        ({"delivered_date": "2001-01-01"}, "delivered_date", "before the draft was created"),
        (
            {"delivered_date": (today() + dt.timedelta(days=3)).isoformat()},
            "delivered_date",
            "in the future",
        ),
        ({"due_date": "2001-01-01"}, "due_date", "before the draft was created"),
        ({"due_date": "2099-01-01"}, "due_date", "five years"),
        ({"stage": "S_PLENARY_FINAL"}, "stage", "Not a valid choice"),
        ({"work_kind": "EXPLAIN_ACCEPT"}, "work_kind", "does not belong to the chosen stage"),
        ({"articles": ["dieu-99"]}, "articles", "not in the chosen version"),
        ({"version": "9"}, "version", "Not a valid choice"),
    ],
)
def test_each_error_is_shown_next_to_its_field(
    fields: dict[str, Any],
    field: str,
    words: str,
    client: FlaskClient,
    login: Any,
    doc: Any,
    db_session: Any,
) -> None:
    login("staff", unit="UB-PLTP-V")
    before = _count(db_session)
    key = _key(_form(client, doc))
    resp = client.post(
        "/contributions/new?lang=en",
        data={**_fields(doc, key), **fields},
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    error = re.search(rf'<p class="field__error" id="{field}-error">([^<]*)</p>', html)
    assert error, html[html.find("field__error") - 300 : html.find("field__error") + 300]
    assert words.lower() in error.group(1).lower()
    assert _count(db_session) == before


def _fields(doc: Any, key: str) -> dict[str, Any]:
    return {
        "doc": doc.external_id,
        "idempotency_key": key,
        "stage": "S_VERIFY",
        "work_kind": "VERIFY_REPORT",
        "title": "Báo cáo thẩm tra",
        "delivered_date": (today() - dt.timedelta(days=1)).isoformat(),
        "version": "2",
        "articles": ["dieu-1"],
    }


def test_a_file_is_stored_and_downloaded(
    client: FlaskClient, login: Any, doc: Any, db_session: Any
) -> None:
    import io

    login("staff", unit="UB-PLTP-V")
    key = _key(_form(client, doc))
    data = {**_fields(doc, key), "file": (io.BytesIO(b"%PDF-1.4 bao cao"), "bao-cao.pdf")}
    resp = client.post("/contributions/new", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/contributions/\d+/file)"', page)
    assert link and "bao-cao.pdf" in page
    got = client.get(link.group(1))
    assert got.status_code == 200 and got.data == b"%PDF-1.4 bao cao"


def test_my_record_by_year_and_state(
    client: FlaskClient, login: Any, doc: Any, db_session: Any
) -> None:
    staff = login("staff", unit="UB-PLTP-V")
    on_time = log(
        db_session,
        staff,
        document=doc,
        title="Đúng hạn",
        due_date=today(),
        delivered_date=today() - dt.timedelta(days=2),
    )
    late = log(
        db_session,
        staff,
        document=doc,
        title="Trễ hạn",
        due_date=today() - dt.timedelta(days=5),
        delivered_date=today() - dt.timedelta(days=1),
    )
    gone = log(db_session, staff, document=doc, title="Đã rút")
    from lis.contributions.services import withdraw_contribution

    withdraw_contribution(db_session, staff, gone.id, "nhầm")
    db_session.commit()
    html = client.get(f"/contributions/?year={today().year}&lang=en").get_data(as_text=True)
    for c in (on_time, late, gone):
        assert f"/contributions/{c.id}" in html
    assert html.count("badge--late") == 1 and "contrib--late" in html
    assert re.search(r"Withdrawn <span class=\"contrib-tab__count\">1</span>", html)
    assert re.search(r"Submitted <span class=\"contrib-tab__count\">2</span>", html)
    assert "/contributions/export.csv?year=" in html and "/contributions/export.xlsx?year=" in html
    only = client.get(f"/contributions/?year={today().year}&state=withdrawn").get_data(as_text=True)
    assert f"/contributions/{gone.id}" in only and f'/contributions/{late.id}"' not in only
    other = client.get(f"/contributions/?year={today().year - 3}").get_data(as_text=True)
    assert f'/contributions/{late.id}"' not in other
    csv = client.get(f"/contributions/export.csv?year={today().year}")
    assert csv.status_code == 200 and "Trễ hạn" in csv.get_data(as_text=True)
    xlsx = client.get(f"/contributions/export.xlsx?year={today().year}")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_detail_history_edit_and_withdraw(
    client: FlaskClient, login: Any, doc: Any, db_session: Any
) -> None:
    staff = login("staff", unit="UB-PLTP-V")
    c = log(db_session, staff, document=doc)
    db_session.commit()
    html = client.get(f"/contributions/{c.id}?lang=en").get_data(as_text=True)
    assert f'href="/contributions/{c.id}/edit"' in html
    assert f'action="/contributions/{c.id}/withdraw"' in html
    assert "Logged" in html  # the history, from the audit log
    edited = {
        "stage": "S_VERIFY",
        "work_kind": "VERIFY_REPORT",
        "title": "Báo cáo đã sửa",
        "delivered_date": c.delivered_date.isoformat(),
        "version": "",
        "note": "sửa",
    }
    resp = client.post(f"/contributions/{c.id}/edit", data=edited)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db_session.refresh(c)
    assert c.title == "Báo cáo đã sửa"
    assert (
        client.post(f"/contributions/{c.id}/withdraw", data={"reason": "trùng"}).status_code == 302
    )
    db_session.refresh(c)
    assert c.state == "withdrawn"
    html = client.get(f"/contributions/{c.id}?lang=en").get_data(as_text=True)
    assert f'/contributions/{c.id}/edit"' not in html and "/withdraw" not in html
    assert "Changed" in html and "Withdrawn" in html
    assert client.get(f"/contributions/{c.id}/edit").status_code == 409


def test_a_rejected_contribution_is_corrected_and_resubmitted(
    client: FlaskClient, login: Any, doc: Any, db_session: Any
) -> None:
    staff = login("staff", unit="UB-PLTP-V")
    c = log(db_session, staff, document=doc)
    c.state, c.reject_reason = "rejected", "Thiếu phần đánh giá tác động"
    db_session.commit()
    html = client.get(f"/contributions/{c.id}?lang=en").get_data(as_text=True)
    assert "Thiếu phần đánh giá tác động" in html and "Correct and resubmit" in html
    form = client.get(f"/contributions/{c.id}/edit").get_data(as_text=True)
    assert "Thiếu phần đánh giá tác động" in form
    resp = client.post(
        f"/contributions/{c.id}/edit",
        data={
            "stage": "S_VERIFY",
            "work_kind": "VERIFY_REPORT",
            "title": "Báo cáo bổ sung",
            "delivered_date": c.delivered_date.isoformat(),
            "version": "",
        },
    )
    assert resp.status_code == 302
    db_session.refresh(c)
    assert (c.state, c.title) == ("submitted", "Báo cáo bổ sung")


def test_only_the_author_edits(client: FlaskClient, login: Any, doc: Any, db_session: Any) -> None:
    from tests.contributions.helpers import member

    c = log(db_session, member(db_session, "staff"), document=doc)
    db_session.commit()
    login("head", unit="UB-PLTP-V")  # reads the unit's work, but it is not theirs to change
    html = client.get(f"/contributions/{c.id}").get_data(as_text=True)
    assert "/edit" not in html and "/withdraw" not in html
    assert client.get(f"/contributions/{c.id}/edit").status_code == 403
    assert client.post(f"/contributions/{c.id}/withdraw").status_code == 403
