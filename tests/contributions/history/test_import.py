"""The historical XLSX import: all rows or none, a row-by-row report, idempotent re-uploads,
refused files, and who may import (API and page)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lis.audit.models import AuditEvent
from lis.auth.models import ROLES
from lis.clock import today
from lis.contributions import history
from lis.contributions.models import Contribution
from tests.contributions.helpers import LEAD_UNIT, make_draft, member

HEADER = [c.label_vi for c in history.COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(header or HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(doc: str, email: str, **over: Any) -> list[Any]:
    values = {
        "document": doc,
        "stage": "Thẩm tra",
        "work_kind": "VERIFY_REPORT",
        "person": email,
        "unit": "UB-PLTP-V",
        "title": "Báo cáo thẩm tra",
        "due_date": today() - dt.timedelta(days=45),
        "delivered_date": today() - dt.timedelta(days=40),
        "version": 2,
        "articles": "Điều 1, dieu-3",
        "note": "",
    }
    values.update(over)
    return [values[c.key] for c in history.COLUMNS]


def _world(session: Session) -> dict[str, Any]:
    """A committee head (UB-PLTP) importing for two staff of its department (UB-PLTP-V)."""
    doc = make_draft(session)
    head = member(session, "head", unit=LEAD_UNIT)
    staff = [member(session, "staff"), member(session, "staff")]
    session.commit()
    return {"doc": doc, "head": head, "staff": staff}


def good_rows(w: dict[str, Any]) -> list[list[Any]]:
    doc, (a, b) = w["doc"].external_id, w["staff"]
    return [
        row(doc, a.email),
        row(doc, b.email.upper(), stage="S_VERIFY", title="Bảng so sánh", articles=""),
        row(
            doc,
            a.email,
            title="Ghi chú tóm tắt",
            due_date="",
            delivered_date=(today() - dt.timedelta(days=20)).strftime("%d/%m/%Y"),
            version=None,
        ),
    ]


def _count(session: Session, doc_id: int) -> int:
    stmt = select(func.count()).select_from(Contribution).where(Contribution.document_id == doc_id)
    return session.scalar(stmt) or 0


def test_good_sheet_imports_every_row(db_session: Session) -> None:
    w = _world(db_session)
    report = history.import_sheet(db_session, w["head"], sheet(good_rows(w)), "cu.xlsx")
    assert (report.rows, report.created, report.already_imported) == (3, 3, 0)
    assert [d.row for d in report.done] == [2, 3, 4]
    rows = db_session.scalars(
        select(Contribution)
        .where(Contribution.document_id == w["doc"].id)
        .order_by(Contribution.id)
    ).all()
    assert len(rows) == 3
    assert {(r.source, r.state) for r in rows} == {("imported", "submitted")}
    assert rows[0].articles == ["dieu-1", "dieu-3"] and rows[0].version.seq == 2
    assert rows[0].due_date == today() - dt.timedelta(days=45)
    assert rows[1].person.email == w["staff"][1].email
    assert rows[2].delivered_date == today() - dt.timedelta(days=20) and rows[2].due_date is None
    assert all(r.created_by_id == w["head"].id for r in rows)
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.entity == history.ENTITY)).all()
    assert len(events) == 1
    assert events[0].after["created"] == 3 and events[0].after["rows"] == 3
    per_row = db_session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.entity == "contribution", AuditEvent.entity_id.in_([str(r.id) for r in rows])
        )
    )
    assert per_row == 3


def test_reupload_creates_nothing(db_session: Session) -> None:
    w = _world(db_session)
    data = sheet(good_rows(w))
    history.import_sheet(db_session, w["head"], data, "a.xlsx")
    again = history.import_sheet(db_session, w["head"], data, "a.xlsx")
    assert (again.created, again.already_imported) == (0, 3)
    assert _count(db_session, w["doc"].id) == 3


def test_a_row_repeated_in_the_sheet_is_imported_once(db_session: Session) -> None:
    w = _world(db_session)
    first = good_rows(w)[0]
    report = history.import_sheet(db_session, w["head"], sheet([first, first]))
    assert (report.created, report.already_imported) == (1, 1)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"person": "nobody@example.vn"}, "person"),
        ({"document": "no-such-draft"}, "document"),
        ({"stage": "Giai đoạn lạ"}, "stage"),
        ({"delivered_date": "31/02/2024"}, "delivered_date"),
        ({"delivered_date": today() + dt.timedelta(days=3)}, "delivered_date"),
        ({"work_kind": "NO_SUCH_KIND"}, "work_kind"),
        ({"articles": "Điều 99"}, "articles"),
        ({"articles": "chương hai"}, "articles"),
        ({"version": 7}, "version"),
        ({"unit": "UB-KT"}, "unit"),
        ({"title": ""}, "title"),
    ],
)
def test_one_bad_row_imports_nothing(db_session: Session, bad: dict[str, Any], field: str) -> None:
    w = _world(db_session)
    rows = good_rows(w)
    rows.insert(1, row(w["doc"].external_id, w["staff"][0].email, **bad))
    with pytest.raises(history.ImportRefused) as caught:
        history.import_sheet(db_session, w["head"], sheet(rows))
    report = caught.value.report
    assert [(e.row, e.field) for e in report.errors] == [(3, field)]
    assert caught.value.fields["rows"][0]["row"] == 3
    assert _count(db_session, w["doc"].id) == 0
    assert (
        db_session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == history.ENTITY)
        )
        == 0
    )


def test_head_may_not_import_for_another_unit(db_session: Session) -> None:
    w = _world(db_session)
    outsider = member(db_session, "staff", unit="UB-KT")
    rows = [row(w["doc"].external_id, outsider.email, unit="UB-KT")]
    with pytest.raises(history.ImportRefused) as caught:
        history.import_sheet(db_session, w["head"], sheet(rows))
    assert caught.value.report.errors[0].field == "person"


def test_columns_are_found_by_name_in_any_order_and_language(db_session: Session) -> None:
    w = _world(db_session)
    english = [c.label_en for c in history.COLUMNS]
    order = list(reversed(range(len(english))))
    rows = [[r[i] for i in order] for r in good_rows(w)]
    report = history.import_sheet(db_session, w["head"], sheet(rows, [english[i] for i in order]))
    assert report.created == 3


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"draft,stage\n1,2\n", "not an XLSX workbook"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "not an XLSX workbook"),
        (b"PK\x03\x04 but not really a zip", "not an XLSX workbook"),
        (b"PK\x03\x04" + b"\x00" * (history.MAX_BYTES), "larger than 5 MB"),
    ],
)
def test_unusable_files_are_refused_naming_file(
    db_session: Session, data: bytes, problem: str
) -> None:
    w = _world(db_session)
    with pytest.raises(history.ValidationError) as caught:
        history.import_sheet(db_session, w["head"], data)
    assert caught.value.fields == {"file": problem}


def test_empty_sheet_and_missing_columns(db_session: Session) -> None:
    w = _world(db_session)
    with pytest.raises(history.ValidationError) as caught:
        history.import_sheet(db_session, w["head"], sheet([]))
    assert caught.value.fields == {"file": "no rows"}
    with pytest.raises(history.ValidationError) as caught:
        history.import_sheet(db_session, w["head"], sheet([["x"]], ["Dự thảo", "Ghi chú"]))
    assert caught.value.fields["file"].startswith("missing columns")


def test_too_many_rows(db_session: Session) -> None:
    w = _world(db_session)
    one = row(w["doc"].external_id, w["staff"][0].email)
    with pytest.raises(history.ValidationError) as caught:
        history.import_sheet(db_session, w["head"], sheet([one] * (history.MAX_ROWS + 1)))
    assert caught.value.fields == {"file": f"more than {history.MAX_ROWS} rows"}


def test_template_has_header_example_and_codes(db_session: Session) -> None:
    data = history.template_xlsx(db_session, "vi")
    book = load_workbook(io.BytesIO(data), read_only=True)
    first, codes = book.worksheets
    rows = list(first.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER and len(rows) == 2
    listed = {r[0] for r in codes.iter_rows(values_only=True) if r and r[0]}
    assert {"S_VERIFY", "VERIFY_REPORT", "UB-PLTP-V"} <= listed
    # The template's own header maps back to every column.
    assert [n for n, _ in history.read_sheet(data)] == [2]


# --- API and page per role -------------------------------------------------------------------
def _post(client: Any, token: str, data: bytes, name: str = "cu.xlsx") -> Any:
    return client.post(
        "/api/v1/contributions/import",
        data={"file": (io.BytesIO(data), name, XLSX)},
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("role", ROLES)
def test_api_per_role(client: Any, db_session: Session, token_for: Any, role: str) -> None:
    w = _world(db_session)
    user = member(db_session, role, unit=LEAD_UNIT)
    db_session.commit()
    resp = _post(client, token_for(user=user), sheet(good_rows(w)))
    if role in ("head", "admin"):
        assert resp.status_code == 201, resp.get_json()
        body = resp.get_json()
        assert (body["created"], body["already_imported"], body["imported"]) == (3, 0, True)
        again = _post(client, token_for(user=user), sheet(good_rows(w)))
        assert again.status_code == 200 and again.get_json()["created"] == 0
        assert _count(db_session, w["doc"].id) == 3
    else:
        assert resp.status_code == 403
        assert _count(db_session, w["doc"].id) == 0


def test_api_reports_refused_rows(client: Any, db_session: Session, token_for: Any) -> None:
    w = _world(db_session)
    rows = good_rows(w)
    rows.append(row(w["doc"].external_id, "nobody@example.vn"))
    resp = _post(client, token_for(user=w["head"]), sheet(rows))
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["fields"]["rows"] == [
        {
            "row": 5,
            "field": "person",
            "reason": "unknown",
            "message": err["fields"]["rows"][0]["message"],
        }
    ]
    assert _count(db_session, w["doc"].id) == 0


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (b"not a sheet", "notes.txt"),
        (b"", "empty.xlsx"),
        (b"PK\x03\x04" + b"0" * history.MAX_BYTES, "big.xlsx"),
    ],
)
def test_api_refuses_bad_files_naming_file(
    client: Any, db_session: Session, token_for: Any, body: bytes, name: str
) -> None:
    w = _world(db_session)
    resp = _post(client, token_for(user=w["head"]), body, name)
    assert resp.status_code == 422
    assert "file" in resp.get_json()["error"]["fields"]


def test_api_without_a_file(client: Any, token_for: Any) -> None:
    token = token_for("head", unit=LEAD_UNIT)
    resp = client.post(
        "/api/v1/contributions/import",
        json={"file": "x"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 422 and "file" in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("role", ROLES)
def test_page_per_role(client: Any, login: Any, role: str) -> None:
    login(role, unit=LEAD_UNIT)
    expected = 200 if role in ("head", "admin") else 403
    assert client.get("/contributions/history/import").status_code == expected
    resp = client.get("/contributions/history/template.xlsx")
    assert resp.status_code == expected
    if expected == 200:
        assert resp.mimetype == XLSX and resp.data.startswith(b"PK")


def test_page_imports_and_reports(client: Any, db_session: Session, login: Any) -> None:
    w = _world(db_session)
    login(user=w["head"])
    rows = good_rows(w)
    bad = [*rows, row(w["doc"].external_id, "nobody@example.vn")]
    resp = client.post(
        "/contributions/history/import?lang=en",
        data={"file": (io.BytesIO(sheet(bad)), "cu.xlsx")},
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Nothing was imported." in html and "Person e-mail" in html
    assert _count(db_session, w["doc"].id) == 0
    resp = client.post(
        "/contributions/history/import?lang=en",
        data={"file": (io.BytesIO(sheet(rows)), "cu.xlsx")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200
    assert "The sheet was imported." in resp.get_data(as_text=True)
    assert _count(db_session, w["doc"].id) == 3
    resp = client.post(
        "/contributions/history/import?lang=en",
        data={"file": (io.BytesIO(b"hello"), "x.txt")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "not an XLSX workbook" in resp.get_data(as_text=True)
