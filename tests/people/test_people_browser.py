"""In a real browser (harness of tests/web/test_browser.py: the app served in a subprocess on a
fresh demo database, Debian's chromium driven by Playwright): an administrator records a person
in a unit and finds them in the list, with CSRF protection on as in production."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.web.test_browser import PASSWORD, browser, pytestmark, server, shots

__all__ = ["browser", "pytestmark", "server", "shots"]  # fixtures and marks reused from there
ADMIN = "admin@demo.lis.vn"


def test_admin_creates_a_person_and_finds_them(server: str, browser: Any, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(server + "/login")
    page.locator("#email").fill(ADMIN)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(server + "/")

    # The demo seed put the admin in the Digital Transformation department.
    page.goto(server + "/admin/people?q=tran+quoc+minh")
    assert page.locator(".people-table tbody tr").count() == 1
    assert "VPQH-CDS" in page.locator(".people-table tbody").inner_text()

    page.goto(server + "/admin/people/new")
    page.locator("#name").fill("Lương Thị Diệu Linh")
    page.locator("#position").fill("Chuyên viên")
    page.locator("#email").fill("linh.luong@demo.lis.vn")
    # The unit select lists the open units in tree order, indented under their parents.
    label = page.locator("#unit option[value='UB-PLTP-V']").inner_text()
    assert label.startswith("\u00a0" * 6) and "UB-PLTP-V" in label
    page.locator("#unit").select_option("UB-PLTP-V")
    page.screenshot(path=str(shots / "person-new.png"), full_page=True)
    page.locator("form.person-form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/admin/people\?unit=UB-PLTP-V$"))
    rows = page.locator(".people-table tbody tr")
    assert rows.filter(has_text="Lương Thị Diệu Linh").count() == 1
    assert rows.filter(has_text="Lê Văn Hùng").count() == 1  # the demo head is there too
    page.screenshot(path=str(shots / "people-list.png"), full_page=True)

    # Found again by name without diacritics.
    page.locator("input[name=q]").fill("luong dieu linh")
    page.locator(".people-filter button[type=submit]").click()
    page.wait_for_url(re.compile(r"q=luong\+dieu\+linh"))
    assert page.locator(".people-table tbody tr").count() == 1
    page.locator(".people-table a", has_text="Lương Thị Diệu Linh").click()
    assert page.locator("#name").input_value() == "Lương Thị Diệu Linh"

    # The unit tree counts the new person in their unit.
    page.goto(server + "/admin/units")
    row = page.locator("#unit-UB-PLTP-V")
    assert row.locator("td.num").inner_text().strip() == "6"  # staff, head, 3 others, Linh
    page.screenshot(path=str(shots / "units.png"), full_page=True)
    assert errors == []
    context.close()
