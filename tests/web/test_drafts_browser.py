"""A draft's life in a real browser: create it, upload a .docx, paste a second version, move it
a stage, then compare the two versions. Same harness as test_browser.py (app in a subprocess
after `lis seed demo`, Debian's chromium through Playwright)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.drafts.helpers import V1, V2, docx_bytes
from tests.web import test_browser as harness

# The harness' fixtures and markers, shared by name (one app server per module).
pytestmark = harness.pytestmark
server = harness.server
browser = harness.browser
shots = harness.shots
PASSWORD = harness.PASSWORD

TITLE = "Luật Thử nghiệm trình duyệt"


def _login(page: Any, server: str, email: str) -> None:
    page.goto(server + "/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(server + "/")


def test_draft_versions_stage_and_compare(
    server: str, browser: Any, shots: Path, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Demo staff belong to UB-PLTP-V once the demo people exist; otherwise use the admin.
    _login(page, server, "staff@demo.lis.vn")
    response = page.goto(server + "/drafts/new")
    if response is None or response.status == 403:
        page.locator("form.logout button").click()
        page.wait_for_url(re.compile(r"/login"))
        _login(page, server, "admin@demo.lis.vn")
        page.goto(server + "/drafts/new")

    # The demo drafts are listed.
    assert page.locator("form.draft-form").is_visible()
    page.locator("select[name=kind]").select_option("law")
    page.locator("input[name=title]").fill(TITLE)
    # A committee drafts it, so its own staff record the submitter's acts.
    page.locator("select[name=drafting_unit]").select_option("UB-PLTP")
    page.locator("select[name=lead_unit]").select_option("UB-PLTP")
    page.locator("select[name=planned_sessions]").select_option(["XV-10"])
    page.screenshot(path=str(shots / "draft-new.png"), full_page=True)
    page.locator("form.draft-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/documents/draft-\d+$"))
    doc_path = urlsplit(page.url).path
    assert page.locator("h1").inner_text() == TITLE
    assert "Chương trình lập pháp hằng năm" in page.locator("#stage").inner_text()

    # Version 1 from a .docx.
    docx = tmp_path / "du-thao-1.docx"
    docx.write_bytes(docx_bytes(V1))
    page.locator(f"a[href='/drafts/{doc_path.rsplit('/', 1)[1]}/versions/new']").click()
    page.locator("input[name=label]").fill("Dự thảo 1")
    page.locator("input[name=file]").set_input_files(str(docx))
    page.locator("form.draft-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"v=1$"))
    assert page.locator(".toc a").count() >= 4

    # Version 2 pasted.
    page.locator("a[href$='/versions/new']").click()
    page.locator("input[name=label]").fill("Dự thảo 2")
    page.locator("textarea[name=text]").fill(V2)
    page.locator("form.draft-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"v=2$"))
    assert page.locator(".versions__list li").count() == 2

    # Move it a stage: only the moves this user may make are offered.
    stage_select = page.locator("form.stage-form select[name=to]")
    values = stage_select.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert "S_DRAFTING" in values and "S_ADOPTED" not in values
    stage_select.select_option("S_DRAFTING")
    page.locator("form.stage-form textarea[name=note]").fill("Giao Ủy ban soạn thảo")
    page.locator("form.stage-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"#stage$"))
    timeline = page.locator("ol.timeline").inner_text()
    assert "Soạn thảo" in timeline and "Giao Ủy ban soạn thảo" in timeline
    page.screenshot(path=str(shots / "draft-document.png"), full_page=True)

    # Compare the two versions (the compare page is another area's; see the report if 404).
    page.locator("a.versions__compare").first.click()
    page.wait_for_url(re.compile(r"/compare\?a=1&b=2"))
    assert page.locator(".compare-row--changed").count() >= 1
    assert "Điều 1" in page.locator(".compare-row--changed").first.inner_text()
    assert page.locator(".compare-row--added").count() >= 1
    page.screenshot(path=str(shots / "draft-compare.png"), full_page=True)

    # The demo drafts are listed with their stages.
    page.goto(server + "/drafts/")
    listing = page.locator("table.drafts-table").inner_text()
    assert TITLE in listing and "Luật Xử lý vi phạm hành chính" in listing
    assert errors == []
    context.close()
