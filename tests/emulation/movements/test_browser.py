"""Issue 7 item 1 end to end in a real browser (harness of tests/web/test_browser.py: the app
served in a subprocess on a fresh `lis seed demo` database, CSRF on as in production, Debian's
chromium driven by Playwright).

The demo officer launches a thematic movement of the law committee through the form; the demo
staff member, in the committee's department, opens it and files a pledge for a title.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.web.test_browser import PASSWORD, browser, pytestmark, server, shots

__all__ = ["browser", "pytestmark", "server", "shots"]  # fixtures and marks reused from there

OFFICER = "officer@demo.lis.vn"
STAFF = "staff@demo.lis.vn"
NAME = "Thi đua thẩm tra đúng tiến độ, chất lượng"


def _login(page: Any, server: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(server + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(server + "/")
    assert email in page.locator(".site-header").inner_text()


def test_an_officer_launches_and_a_participant_pledges(
    server: str, browser: Any, shots: Path
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Officer: launch the movement from the list's button.
    _login(page, server, OFFICER)
    page.goto(server + "/emulation/movements/")
    page.locator("#launch-movement").click()
    page.wait_for_url(re.compile(r"/emulation/movements/new$"))
    page.locator("#name").fill(NAME)
    page.locator("#theme").fill("Nâng cao chất lượng thẩm tra dự án luật")
    page.locator("#slogan").fill("Đúng hạn — chất lượng — hiệu quả")
    page.locator("#launching_unit").select_option("VPQH")
    page.locator("#kind").select_option("thematic")
    page.locator("#start_date").fill("2025-01-01")
    page.locator("#end_date").fill("2025-12-31")
    page.locator("#units").select_option(["UB-PLTP"])
    assert page.locator("#weight_0").input_value() == "30.0"  # the catalogue's default weight
    page.locator("#weight_4").fill("10")  # adoption: not in the default set, used here
    page.screenshot(path=str(shots / "movement-new.png"), full_page=True)
    page.locator("form.movement-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/emulation/movements/\d+$"))
    url = page.url
    assert page.locator("h1").inner_text() == NAME
    assert page.locator(".movement-criteria tbody tr").count() == 5
    assert "UB-PLTP" in page.locator(".movement-units").inner_text()

    # Staff of the committee's department: take part through the committee; pledge a title.
    _login(page, server, STAFF)
    page.goto(url)
    form = page.locator("form.pledge-form")
    assert "Nguyễn Thị Lan" in form.locator("#subject").inner_text()
    form.locator("#title").select_option("LDTT")
    form.locator("#note").fill("Phấn đấu hoàn thành xuất sắc nhiệm vụ")
    page.screenshot(path=str(shots / "movement-pledge.png"), full_page=True)
    form.locator("button[type=submit]").click()
    page.wait_for_url(url)
    row = page.locator(".pledges-table tbody tr").first
    assert "Nguyễn Thị Lan" in row.inner_text()
    assert "Lao động tiên tiến" in row.inner_text()
    page.screenshot(path=str(shots / "movement-detail.png"), full_page=True)
    assert errors == []
    context.close()
