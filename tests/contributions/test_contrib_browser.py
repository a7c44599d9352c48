"""Logging a contribution in a real browser: the staff member finds the draft by typing words of
its title without diacritics, picks it from the suggestions, fills the form, saves, and finds
it in their own record. Same harness as tests/web/test_browser.py (the app in a subprocess
after `lis seed demo`, Debian's chromium through Playwright)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.web import test_browser as harness

pytestmark = harness.pytestmark
server = harness.server
browser = harness.browser
shots = harness.shots
PASSWORD = harness.PASSWORD

DRAFT = "Luật sửa đổi, bổ sung một số điều của Luật Xử lý vi phạm hành chính"
TITLE = "Báo cáo thẩm tra dự án Luật Xử lý vi phạm hành chính (sửa đổi)"


def _login(page: Any, server: str, email: str) -> None:
    page.goto(server + "/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(server + "/")


def test_staff_logs_a_contribution_found_without_diacritics(
    server: str, browser: Any, shots: Path
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    _login(page, server, "staff@demo.lis.vn")
    page.goto(server + "/contributions/new")
    # The script replaces the plain list with search-as-you-type.
    assert page.locator("select[name=doc]").is_hidden()
    box = page.locator("#draft-search")
    box.click()
    box.press_sequentially("xu ly vi pham", delay=30)
    suggestion = page.locator("#draft-suggestions [role=option]", has_text=DRAFT).first
    suggestion.wait_for(state="visible")
    assert "Thẩm tra" in suggestion.inner_text()  # the draft's stage beside its title
    page.screenshot(path=str(shots / "contribution-picker.png"), full_page=True)
    suggestion.click()
    page.wait_for_url(re.compile(r"/contributions/new\?doc="))

    # The form knows the draft: its current stage is chosen, delivered today.
    assert DRAFT in page.locator(".contrib-form__draft").inner_text()
    assert page.locator("select[name=stage]").input_value() == "S_VERIFY"
    assert page.locator("input[name=delivered_date]").input_value()
    page.locator("select[name=work_kind]").select_option("VERIFY_REPORT")
    page.locator("input[name=title]").fill(TITLE)
    page.locator("textarea[name=note]").fill("Gửi Thường trực Ủy ban")
    page.screenshot(path=str(shots / "contribution-form.png"), full_page=True)
    page.locator("form.contrib-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/contributions/\d+$"))
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator(".notice--info").count() == 1
    detail = page.url

    # It is in my record, submitted, with a link to it.
    page.goto(server + "/contributions/")
    row = page.locator(".contrib-table tbody tr", has_text=TITLE)
    assert row.count() == 1
    assert row.locator(".contrib-state--submitted").count() == 1
    assert row.locator("a").first.get_attribute("href") == detail.removeprefix(server)
    page.screenshot(path=str(shots / "contribution-mine.png"), full_page=True)
    assert errors == []
    context.close()
