"""The dashboard pages and their XLSX exports, for every role, with bad parameters."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.emulation.dashboards.conftest import World
from tests.emulation.dashboards.snapshots import make_snapshot, values
from tests.emulation.helpers import person

BASE = "/emulation/dashboards"
PAGES = [f"{BASE}/", f"{BASE}/criteria", f"{BASE}/trends"]
EXPORTS = [f"{BASE}/{name}.xlsx" for name in ("units", "criteria", "people", "trends")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(resp: Any, sheet: int = 0) -> list[list[Any]]:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == XLSX
    assert resp.headers["Content-Disposition"].startswith("attachment; filename=lis-")
    assert resp.headers["Content-Disposition"].endswith(".xlsx")
    wb = load_workbook(io.BytesIO(resp.data))
    ws = wb[wb.sheetnames[sheet]]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient, world: World) -> None:
    for url in PAGES + EXPORTS:
        resp = client.get(url)
        assert resp.status_code == 302, url
        assert resp.headers["Location"].startswith("/login")


def test_deputies_are_refused(client: FlaskClient, login: Any, world: World) -> None:
    login("deputy", unit="UB-PLTP-V")
    for url in PAGES + EXPORTS:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["admin", "officer", "council"])
def test_readers_of_everything_see_every_unit(
    role: str, client: FlaskClient, login: Any, world: World
) -> None:
    login(role, unit="UB-PLTP-V")
    page = client.get(f"{BASE}/").get_data(as_text=True)
    for name in ("Ủy ban Kinh tế và Tài chính", "Ủy ban Pháp luật và Tư pháp", "UB-KTTC-V"):
        assert name in page
    assert 'id="chart-units"' in page and "<title" in page
    assert page.index("UB-KTTC ·") < page.index("UB-PLTP ·")  # ranked in the chart
    assert f"{BASE}/units.xlsx?snapshot={world.s2025.id}" in page
    rows = sheet_rows(client.get(f"{BASE}/units.xlsx?snapshot={world.s2025.id}&lang=en"))
    assert rows[0][0].startswith("Units ranked by total score — Year 2025")
    names = ["Progress", "Quality", "Effectiveness", "Volume"]
    assert rows[1] == ["Rank", "Unit code", "Unit", "Total", *names]
    assert [r[0] for r in rows[2:]] == [1, 2, 3, None]
    assert [r[1] for r in rows[2:]] == ["UB-KTTC", "UB-PLTP", "UB-PLTP-V", "UB-KTTC-V"]
    assert rows[2][3] == pytest.approx(91.75)
    assert rows[2][4:] == [95, 95, 90, 80]  # each criterion, as numbers

    criteria = client.get(f"{BASE}/criteria").get_data(as_text=True)
    assert criteria.count('class="chart chart--bar"') == 4  # one chart per criterion
    assert "Nguyễn Văn An" in criteria and "Trần Thị Sáu" in criteria  # own unit by default
    assert "Phạm Văn Cường" not in criteria
    other = client.get(f"{BASE}/criteria?unit=UB-KTTC-V").get_data(as_text=True)
    assert "Phạm Văn Cường" in other and "Nguyễn Văn An" not in other

    trends = client.get(f"{BASE}/trends").get_data(as_text=True)
    assert 'id="chart-trends"' in trends and "chart__line" in trends
    assert ">2024<" in trends and ">2025<" in trends


def test_exports_of_each_table(client: FlaskClient, login: Any, world: World) -> None:
    login("officer", unit="UB-PLTP-V")
    sid = world.s2025.id
    resp = client.get(f"{BASE}/criteria.xlsx?snapshot={sid}")
    assert resp.headers["Content-Disposition"] == (
        f"attachment; filename=lis-criteria-2025-s{sid}.xlsx"
    )
    wb = load_workbook(io.BytesIO(resp.data))
    assert len(wb.sheetnames) == 4
    progress = sheet_rows(client.get(f"{BASE}/criteria.xlsx?snapshot={sid}&criterion=progress"))
    assert [r[1] for r in progress[2:]] == ["UB-KTTC", "UB-PLTP", "UB-PLTP-V", "UB-KTTC-V"]
    assert [r[3] for r in progress[2:]] == [95, 90, 80, None]

    resp = client.get(f"{BASE}/people.xlsx?snapshot={sid}&unit=UB-PLTP-V")
    assert "lis-people-UB-PLTP-V-2025" in resp.headers["Content-Disposition"]
    people = sheet_rows(resp)
    assert [r[2] for r in people[2:]] == ["Nguyễn Văn An", "Trần Thị Sáu", "Lê Thị Bình"]
    assert [r[0] for r in people[2:]] == [1, 2, 3]
    assert [r[1] for r in people[2:]] == [2, 3, 4]
    assert people[2][4] == pytest.approx(88.0)

    resp = client.get(f"{BASE}/trends.xlsx")
    assert "lis-trends-2024-2025.xlsx" in resp.headers["Content-Disposition"]
    trends = sheet_rows(resp)
    assert trends[1][2:] == ["2024", "2025"]
    assert trends[3][:4] == ["UB-PLTP", "Ủy ban Pháp luật và Tư pháp", 70, 79.75]
    one = sheet_rows(client.get(f"{BASE}/trends.xlsx?unit=UB-KTTC"))
    assert [r[0] for r in one[2:]] == ["UB-KTTC"]


def test_a_head_sees_only_the_units_they_head(
    client: FlaskClient, login: Any, world: World
) -> None:
    login("head", unit="UB-PLTP")
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "Ủy ban Pháp luật và Tư pháp" in page and "Vụ Pháp luật và Tư pháp" in page
    assert "Ủy ban Kinh tế và Tài chính" not in page and "UB-KTTC" not in page
    rows = sheet_rows(client.get(f"{BASE}/units.xlsx"))
    assert [(r[0], r[1]) for r in rows[2:]] == [(2, "UB-PLTP"), (3, "UB-PLTP-V")]
    criteria = client.get(f"{BASE}/criteria?unit=UB-PLTP-V").get_data(as_text=True)
    assert "Nguyễn Văn An" in criteria and "Phạm Văn Cường" not in criteria
    assert "UB-KTTC" not in criteria
    trends = client.get(f"{BASE}/trends").get_data(as_text=True)
    assert "UB-PLTP-V" in trends and "UB-KTTC" not in trends
    assert [r[0] for r in sheet_rows(client.get(f"{BASE}/trends.xlsx"))[2:]] == [
        "UB-PLTP",
        "UB-PLTP-V",
    ]
    for url in (
        f"{BASE}/criteria?unit=UB-KTTC-V",
        f"{BASE}/people.xlsx?unit=UB-KTTC-V",
        f"{BASE}/trends?unit=UB-KTTC",
        f"{BASE}/trends.xlsx?unit=UB-KTTC",
    ):
        assert client.get(url).status_code == 403, url


def test_staff_see_only_their_own_line(client: FlaskClient, login: Any, world: World) -> None:
    login(user=world.staff_user)
    for url in (f"{BASE}/", f"{BASE}/trends"):
        resp = client.get(url)
        assert resp.status_code == 403, url
        assert f"{BASE}/criteria#people" in resp.get_data(as_text=True)  # where their score is
    for url in (f"{BASE}/units.xlsx", f"{BASE}/criteria.xlsx", f"{BASE}/trends.xlsx"):
        assert client.get(url).status_code == 403, url
    page = client.get(f"{BASE}/criteria").get_data(as_text=True)
    assert "Trần Thị Sáu" in page
    assert "Nguyễn Văn An" not in page and "Lê Thị Bình" not in page
    assert "chart--bar" not in page and "UB-KTTC" not in page
    rows = sheet_rows(client.get(f"{BASE}/people.xlsx"))
    assert [(r[0], r[2], r[4]) for r in rows[2:]] == [(2, "Trần Thị Sáu", 80)]
    assert client.get(f"{BASE}/people.xlsx?unit=UB-KTTC-V").status_code == 403
    assert client.get(f"{BASE}/criteria?unit=UB-PLTP").status_code == 403


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("year=abc", 422),
        ("year=1800", 422),
        ("year=２０２５", 422),
        ("year=2019", 404),
        ("snapshot=abc", 422),
        ("snapshot=-1", 422),
        ("snapshot=999999999999", 422),
        ("snapshot=2147483647", 404),
        ("unit=NOPE", 404),
        ("unit=" + "X" * 41, 422),
        ("unit=%00", 422),
    ],
)
def test_bad_parameters_are_4xx(
    query: str, status: int, client: FlaskClient, login: Any, world: World
) -> None:
    login("officer", unit="UB-PLTP-V")
    pages = [f"{BASE}/criteria", f"{BASE}/people.xlsx"]
    if not query.startswith("unit"):
        pages += [f"{BASE}/", f"{BASE}/units.xlsx", f"{BASE}/criteria.xlsx"]
    else:
        pages += [f"{BASE}/trends", f"{BASE}/trends.xlsx"]
    for url in pages:
        assert client.get(f"{url}?{query}").status_code == status, url


def test_unknown_exports_and_criteria(client: FlaskClient, login: Any, world: World) -> None:
    login("officer", unit="UB-PLTP-V")
    assert client.get(f"{BASE}/nope.xlsx").status_code == 404
    assert client.get(f"{BASE}/criteria.xlsx?criterion=nope").status_code == 404
    assert client.get(f"{BASE}/criteria.xlsx?criterion=" + "x" * 41).status_code == 422


def test_older_snapshots_and_other_years(client: FlaskClient, login: Any, world: World) -> None:
    login("council", unit="UB-PLTP-V")
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert f"?snapshot={world.s2025_old.id}" in page  # the earlier computation is linked
    old = sheet_rows(client.get(f"{BASE}/units.xlsx?snapshot={world.s2025_old.id}"))
    assert [(r[1], r[3]) for r in old[2:]] == [("UB-KTTC", 20), ("UB-PLTP", 10)]
    y2024 = sheet_rows(client.get(f"{BASE}/units.xlsx?year=2024"))
    assert [r[1] for r in y2024[2:]] == ["UB-PLTP", "UB-KTTC", "UB-PLTP-V"]
    page = client.get(f"{BASE}/?year=2024").get_data(as_text=True)
    assert f"snapshot={world.s2024.id}" in page


def test_pages_without_any_scores(client: FlaskClient, login: Any) -> None:
    login("officer", unit="UB-PLTP-V")
    for url in PAGES:
        resp = client.get(f"{url}?lang=en")
        assert resp.status_code == 200, url
        assert "No scores have been computed yet." in resp.get_data(as_text=True)
    assert client.get(f"{BASE}/units.xlsx").status_code == 404
    assert client.get(f"{BASE}/trends.xlsx").status_code == 200  # an empty table


def test_names_are_escaped_and_english_works(
    client: FlaskClient, login: Any, db_session: Session
) -> None:
    odd = person("UB-PLTP-V", name="<b>Ngô</b> & Co")
    make_snapshot(
        db_session,
        2025,
        units={"UB-PLTP-V": values(50, 50, 50, 50)},
        people=[(odd, values(50, 50, 50, 50))],
    )
    login("officer", unit="UB-PLTP-V")
    page = client.get(f"{BASE}/criteria?lang=en").get_data(as_text=True)
    assert "&lt;b&gt;Ngô&lt;/b&gt; &amp; Co" in page and "<b>Ngô</b>" not in page
    assert "Units ranked by Progress" in page
    english = client.get(f"{BASE}/?lang=en").get_data(as_text=True)
    assert "Units ranked by total score" in english
