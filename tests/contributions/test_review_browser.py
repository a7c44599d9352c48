"""Issue 5 end to end in a real browser (harness of tests/web/test_browser.py: the app served in a
subprocess on a fresh `lis seed demo` database, CSRF on as in production, Debian's chromium
driven by Playwright).

The demo staff member logs a contribution on the demo law, finding it by its title typed without
diacritics; the demo head (same department) rejects it with a reason; the staff member corrects
and resubmits it; the head verifies and rates it; the contribution shows on the draft's page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.web.test_browser import PASSWORD, browser, pytestmark, server, shots

__all__ = ["browser", "pytestmark", "server", "shots"]  # fixtures and marks reused from there

STAFF = "staff@demo.lis.vn"
HEAD = "head@demo.lis.vn"
DRAFT_TITLE = "Luật sửa đổi, bổ sung một số điều của Luật Xử lý vi phạm hành chính"
TITLE = "Báo cáo thẩm tra sơ bộ dự án Luật Xử lý vi phạm hành chính (sửa đổi)"
FIXED = TITLE + " — bổ sung bảng so sánh"
REASON = "Thiếu bảng so sánh các điều được sửa đổi."


def _login(page: Any, server: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(server + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(server + "/")
    assert email in page.locator(".site-header").inner_text()


def test_log_reject_fix_verify_rate_and_see_it_on_the_draft(
    server: str, browser: Any, shots: Path
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Staff: log the contribution, finding the draft by its title typed without diacritics.
    _login(page, server, STAFF)
    page.goto(server + "/contributions/new")
    search = page.locator("#draft-search")
    search.fill("xu ly vi pham hanh chinh")
    option = page.locator("#draft-suggestions [role=option]", has_text=DRAFT_TITLE)
    option.first.click()
    page.wait_for_url(re.compile(r"/contributions/new\?.*doc="))
    assert DRAFT_TITLE in page.locator(".contrib-form__draft-title").inner_text()
    page.locator("#work_kind").select_option("VERIFY_REPORT")  # a verification report
    page.locator("#title").fill(TITLE)
    page.locator("#note").fill("Gửi Thường trực Ủy ban.")
    page.screenshot(path=str(shots / "review-log.png"), full_page=True)
    page.locator("form.contrib-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/contributions/\d+$"))
    contribution_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    item = f"#contribution-{contribution_id}"

    # Head: the contribution waits in the queue; reject it with a reason.
    _login(page, server, HEAD)
    page.goto(server + "/review/?order=delivered")
    card = page.locator(item)
    assert TITLE in card.inner_text() and "UB-PLTP-V" in card.inner_text()
    page.screenshot(path=str(shots / "review-queue.png"), full_page=True)
    card.locator(f"#reason-{contribution_id}").fill(REASON)
    card.locator("form.review-reject button[type=submit]").click()
    page.wait_for_url(re.compile(r"/review/"))
    assert page.locator(item).count() == 0  # no longer waiting
    page.goto(server + "/review/?tab=recent")
    assert REASON in page.locator(item).inner_text()

    # Staff: read the reason, correct and resubmit.
    _login(page, server, STAFF)
    page.goto(server + f"/contributions/{contribution_id}")
    assert REASON in page.locator(".contrib-reason").inner_text()
    page.locator(f".contrib-reason a[href$='/contributions/{contribution_id}/edit']").click()
    page.wait_for_url(re.compile(rf"/contributions/{contribution_id}/edit$"))
    page.locator("#title").fill(FIXED)
    page.locator("form.contrib-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/contributions/{contribution_id}$"))
    assert page.locator(".contrib-reason").count() == 0

    # Head: it is back in the queue, corrected; verify it, then rate it.
    _login(page, server, HEAD)
    page.goto(server + "/review/?order=delivered")
    card = page.locator(item)
    assert FIXED in card.inner_text()
    card.locator("form.review-verify button[type=submit]").click()
    page.wait_for_url(re.compile(r"/review/"))
    page.goto(server + "/review/?tab=recent")
    card = page.locator(item)
    card.locator("input[name=quality][value=good]").check()
    card.locator(f"#comment-{contribution_id}").fill("Đạt yêu cầu, trình bày rõ.")
    card.locator(f"#errors-{contribution_id}").fill("0")
    card.locator("form.review-rate button[type=submit]").click()
    page.wait_for_url(re.compile(r"/review/"))
    page.goto(server + "/review/?tab=recent")
    card = page.locator(item)
    assert "Đạt yêu cầu, trình bày rõ." in card.locator(".review-quality").inner_text()
    assert card.locator("input[name=quality][value=good]").is_checked()
    page.screenshot(path=str(shots / "review-recent.png"), full_page=True)

    # The draft's page shows who advised on it.
    card.locator(".review-meta a, .review-group__title a").first.click()
    page.wait_for_url(re.compile(r"/documents/"))
    advice = page.locator(f"#advisers #advice-{contribution_id}")
    assert FIXED in advice.inner_text()
    page.screenshot(path=str(shots / "review-draft-page.png"), full_page=True)
    assert errors == []
    context.close()
