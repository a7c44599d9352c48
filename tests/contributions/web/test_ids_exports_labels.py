"""The picker finds a LIS draft by its id, the exports hold what the record page shows (year and
state), and a repeated rating is named in a contribution's history."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook

from lis.clock import today
from lis.contributions import review
from lis.contributions.services import withdraw_contribution
from tests.contributions.helpers import log, make_draft, member


def test_the_picker_finds_a_draft_by_its_id(
    client: FlaskClient, login: Any, db_session: Any
) -> None:
    doc = make_draft(db_session)
    db_session.commit()
    assert doc.number == ""  # a draft made in LIS has no number: its id is what its page shows
    login("staff", unit="UB-PLTP-V")
    for q in (doc.external_id, doc.external_id.upper()):
        items = client.get("/contributions/drafts.json", query_string={"q": q}).json["items"]
        assert doc.external_id in [i["id"] for i in items], q


def test_the_picker_finds_a_draft_by_its_number(
    client: FlaskClient, login: Any, db_session: Any
) -> None:
    doc = make_draft(db_session)
    doc.number = "318/2026/QH15"
    db_session.commit()
    login("staff", unit="UB-PLTP-V")
    items = client.get("/contributions/drafts.json", query_string={"q": "318/2026"}).json["items"]
    assert [i["id"] for i in items] == [doc.external_id]


def _csv_cells(data: bytes) -> set[str]:
    return {cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row}


def test_the_exports_follow_the_pages_state_filter(
    client: FlaskClient, login: Any, db_session: Any
) -> None:
    doc = make_draft(db_session)
    staff = login("staff", unit="UB-PLTP-V")
    log(db_session, staff, document=doc, title="Vẫn nộp")
    gone = log(db_session, staff, document=doc, title="Đã rút lại")
    withdraw_contribution(db_session, staff, gone.id, "nhầm")
    db_session.commit()
    year = today().year
    page = client.get(f"/contributions/?year={year}&state=withdrawn").get_data(as_text=True)
    assert f"/contributions/export.csv?year={year}&amp;state=withdrawn" in page
    assert f"/contributions/export.xlsx?year={year}&amp;state=withdrawn" in page
    got = client.get(f"/contributions/export.csv?year={year}&state=withdrawn")
    assert got.status_code == 200
    cells = _csv_cells(got.data)
    assert "Đã rút lại" in cells and "Vẫn nộp" not in cells
    assert "withdrawn" in got.headers["Content-Disposition"]
    book = load_workbook(
        io.BytesIO(client.get(f"/contributions/export.xlsx?year={year}&state=withdrawn").data)
    )
    cells = {c for row in book.worksheets[0].iter_rows(values_only=True) for c in row}
    assert "Đã rút lại" in cells and "Vẫn nộp" not in cells
    everything = client.get(f"/contributions/export.csv?year={year}")
    assert {"Vẫn nộp", "Đã rút lại"} <= _csv_cells(everything.data)


def test_a_second_rating_is_named_in_the_history(
    client: FlaskClient, login: Any, db_session: Any
) -> None:
    doc = make_draft(db_session)
    staff = login("staff", unit="UB-PLTP-V")
    head = member(db_session, "head")
    c = log(db_session, staff, document=doc)
    review.verify(db_session, head, c.id)
    review.rate(db_session, head, c.id, "good")
    review.rate(db_session, head, c.id, "excellent")
    db_session.commit()
    html = client.get(f"/contributions/{c.id}?lang=en").get_data(as_text=True)
    assert "Rated again" in html and "re-rate" not in html
