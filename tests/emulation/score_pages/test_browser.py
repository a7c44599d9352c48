"""Issue 7 items 3 and 6 in a real browser (harness of tests/web/test_browser.py: the app served
in a subprocess on a fresh `lis seed demo` database, CSRF on as in production, Debian's chromium
driven by Playwright), with the demo staff member's work of one year added.

The demo officer computes that year's scores through the form, then clicks the staff member's
progress score and lands on the facts behind it, the late item among them and the unverified
one set apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.emulation.score_pages.browser_seed import LATE, ON_TIME, WAITING, YEAR
from tests.live_app import BIN, app_env, lis, served, set_up
from tests.web.test_browser import PASSWORD, browser, pytestmark, shots

__all__ = ["browser", "pytestmark", "shots"]  # fixtures and marks reused from there

OFFICER = "officer@demo.lis.vn"
STAFF_NAME = "Nguyễn Thị Lan"  # the demo staff member (lis/demo.py)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.conftest import SAMPLE

    base = tmp_path_factory.mktemp("scores-browser")
    env = app_env(base, LIS_DEMO_CORPUS=str(SAMPLE))
    set_up(
        env,
        lis("db", "upgrade"),
        lis("seed", "demo"),
        [str(BIN / "python"), "-m", "tests.emulation.score_pages.browser_seed"],
    )
    with served(base, env) as url:
        yield url


def test_an_officer_computes_scores_and_opens_the_facts_of_a_number(
    server: str, browser: Any, shots: Path
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(server + "/login")
    page.locator("#email").fill(OFFICER)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(server + "/")

    # A bad year is refused on the form itself.
    page.goto(server + "/emulation/scores")
    form = page.locator("form.score-compute")
    form.locator("input[name=scope][value=year]").check()
    form.locator("#year").fill("1800")
    form.locator("button[type=submit]").click()
    assert page.locator("#year-error").is_visible()

    # The year is computed through the form (with its CSRF token) and its snapshot opens.
    form = page.locator("form.score-compute")
    form.locator("#year").fill(str(YEAR))
    form.locator("#note").fill("Chấm điểm thử")
    page.screenshot(path=str(shots / "scores-form.png"), full_page=True)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/emulation/scores/\d+$"))
    row = page.locator("#lines-person tr.score-line", has_text=STAFF_NAME)
    assert row.count() == 1
    progress = row.locator("a[data-criterion=progress]")
    assert progress.inner_text() == "87,5"  # one of two items late: −25 % for it
    page.screenshot(path=str(shots / "scores-snapshot.png"), full_page=True)

    # Printed, the page keeps the tables and drops the filter and the buttons.
    page.emulate_media(media="print")
    assert not page.locator("form.score-filter").is_visible()
    assert not page.locator("#reproduce").is_visible()
    assert progress.is_visible()
    page.screenshot(path=str(shots / "scores-snapshot-print.png"), full_page=True)
    page.emulate_media(media="screen")

    # The number opens the facts behind it.
    progress.click()
    page.wait_for_url(re.compile(r"/emulation/scores/lines/\d+#c-progress$"))
    section = page.locator("#c-progress")
    assert section.is_visible()
    text = section.inner_text()
    assert ON_TIME in text and LATE in text and WAITING not in text
    assert section.locator(".score-late").count() == 1
    assert WAITING in page.locator("#pending").inner_text()
    page.screenshot(path=str(shots / "scores-facts.png"), full_page=True)

    # The draft behind a fact opens from there.
    section.locator("a[href^='/documents/']").first.click()
    page.wait_for_url(re.compile(r"/documents/"))
    assert errors == []
    context.close()
