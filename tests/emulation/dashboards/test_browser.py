"""The dashboard in a real browser: the app runs in a subprocess on a fresh SQLite database
with the reference data and one scored year, and Debian's chromium (through Playwright) checks
that the chart is drawn and that the printed page still shows the table.

Screenshots land in $LIS_SCREENSHOTS when set (else in the test's tmp directory).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_app import ROOT, app_env, lis, served, set_up

CHROMIUM = Path("/usr/bin/chromium")
OFFICER = "officer@dash.test.lis.vn"
PASSWORD = "a long enough password"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

# Run inside the app (its own process): two people, four units, one scored year.
SEED = """
from lis.app import create_app
from lis.db import db
from lis.people.models import Person
from tests.emulation.dashboards.snapshots import make_snapshot, unit_id, values

app = create_app()
with app.app_context():
    session = db.session()
    an = Person(name="Nguyễn Văn An", unit_id=unit_id(session, "UB-PLTP-V"))
    binh = Person(name="Lê Thị <Bình>", unit_id=unit_id(session, "UB-PLTP-V"))
    session.add_all([an, binh])
    session.flush()
    make_snapshot(session, 2024, units={"UB-PLTP": values(70, 70, 70, 70)})
    make_snapshot(
        session,
        2025,
        units={
            "UB-PLTP": values(90, 85, 70, 60),
            "UB-PLTP-V": values(80, 90, None, 50),
            "UB-KTTC": values(95, 95, 90, 80),
        },
        people=[(an, values(100, 90, 80, 70)), (binh, values(60, 70, None, 40))],
    )
    session.commit()
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("dashboards")
    env = app_env(base, LIS_PASSWORD=PASSWORD, PYTHONPATH=str(ROOT))
    set_up(
        env,
        lis("db", "upgrade"),
        lis("seed", "reference"),
        lis("users", "create", "--email", OFFICER, "--role", "officer"),
        [sys.executable, "-c", SEED],
    )
    with served(base, env) as url:
        yield url


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = Path(os.environ.get("LIS_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def test_dashboard_draws_the_chart_and_prints_the_table(server: str, shots: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(server + "/emulation/dashboards/")
        page.locator("input[name=email]").fill(OFFICER)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_url(server + "/emulation/dashboards/")

        chart = page.locator("svg#chart-units")
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 50
        assert chart.locator("rect.chart__bar").count() == 3
        widths = [
            float(chart.locator("rect.chart__bar").nth(i).get_attribute("width") or 0)
            for i in range(3)
        ]
        assert widths == sorted(widths, reverse=True) and widths[-1] > 0  # ranked, drawn
        assert chart.get_attribute("role") == "img"
        table = page.locator("#units table")
        assert table.locator("tbody tr").count() == 3
        assert page.locator("a.xlsx-link").first.is_visible()
        page.screenshot(path=str(shots / "dashboard-units.png"), full_page=True)

        page.emulate_media(media="print")
        assert table.is_visible()
        assert table.locator("tbody tr").first.is_visible()
        assert "UB-KTTC" in table.locator("tbody tr").first.inner_text()
        assert chart.is_visible()
        assert not page.locator("a.xlsx-link").first.is_visible()  # links do not print
        assert not page.locator(".site-nav").is_visible()
        page.screenshot(path=str(shots / "dashboard-units-print.png"), full_page=True)

        page.emulate_media(media="screen")
        page.goto(server + "/emulation/dashboards/criteria?unit=UB-PLTP-V")
        assert page.locator("svg.chart--bar").count() == 4  # one chart per criterion
        people = page.locator("#people table")
        assert "Lê Thị <Bình>" in people.inner_text()  # escaped, shown as text
        page.screenshot(path=str(shots / "dashboard-criteria.png"), full_page=True)

        page.goto(server + "/emulation/dashboards/trends")
        assert page.locator("svg#chart-trends path.chart__line").count() >= 1
        page.screenshot(path=str(shots / "dashboard-trends.png"), full_page=True)
        assert errors == []
        browser.close()
