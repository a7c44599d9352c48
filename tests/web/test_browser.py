"""The pages in a real browser: the app runs in a subprocess on a fresh database and index, as
`make run` would serve it, and Debian's chromium is driven through Playwright.

Screenshots land in $LIS_SCREENSHOTS when set (else in the test's tmp directory).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import SAMPLE
from tests.live_app import app_env, lis, served, set_up

CHROMIUM = Path("/usr/bin/chromium")
DEPUTY = "deputy@demo.lis.vn"
PASSWORD = "demo-password"  # the demo password printed by `lis seed demo`

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.skipif(not SAMPLE.exists(), reason=f"the corpus sample {SAMPLE} is missing"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("browser")
    env = app_env(base, LIS_DEMO_CORPUS=str(SAMPLE))
    set_up(env, lis("db", "upgrade"), lis("seed", "demo"))
    with served(base, env) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield instance
        instance.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = Path(os.environ.get("LIS_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def _total(page: Any) -> int:
    return int(re.sub(r"\D", "", page.locator(".results__total").inner_text().split()[0]))


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_deputy_searches_filters_and_reads(server: str, browser: Any, shots: Path) -> None:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, reduced_motion="reduce"
    )  # jumps to anchors, no smooth scroll
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Any page sends an anonymous visitor to the login form, in Vietnamese.
    page.goto(server + "/")
    assert urlsplit(page.url).path == "/login"
    assert page.locator("h1").inner_text() == "Đăng nhập"
    page.get_by_label("Thư điện tử").fill(DEPUTY)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(server + "/")
    assert DEPUTY in page.locator(".site-header").inner_text()

    # Search without diacritics; the intended document comes first, highlighted.
    page.get_by_label("Tìm luật, nghị quyết và dự thảo").fill("bat giu tau bay")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=bat\+giu\+tau\+bay"))
    first = page.locator(".hit__title a").first
    assert first.inner_text() == "Pháp lệnh Thủ tục bắt giữ tàu bay"
    assert first.locator("mark").count() >= 4
    before = _total(page)
    page.screenshot(path=str(shots / "search.png"), full_page=True)

    # A kind facet narrows the results and shows in the URL, with the query kept.
    page.locator(".facet__link", has_text="Pháp lệnh").first.click()
    page.wait_for_url(re.compile(r"kind=ordinance"))
    assert _params(page.url) == {"q": ["bat giu tau bay"], "kind": ["ordinance"]}
    after = _total(page)
    assert 0 < after < before
    assert page.locator(".facet__link.is-selected").count() == 1
    page.screenshot(path=str(shots / "search-filtered.png"), full_page=True)

    # The result opens the document with its article navigation.
    page.locator(".hit__title a", has_text="bắt giữ tàu bay").first.click()
    page.wait_for_url(re.compile(r"/documents/phapdien-37087$"))
    assert page.locator("h1").inner_text() == "Pháp lệnh Thủ tục bắt giữ tàu bay"
    toc = page.locator(".toc nav")
    assert toc.is_visible()
    links = toc.locator("a")
    assert links.count() >= 10
    target = links.nth(4)
    anchor = target.get_attribute("href")
    assert anchor and anchor.startswith("#dieu-")
    page.screenshot(path=str(shots / "document.png"))
    target.click()
    page.wait_for_url(re.compile(re.escape(anchor) + "$"))
    article = page.locator(f"[id='{anchor[1:]}']")
    assert article.is_visible()
    assert 0 <= article.evaluate("e => e.getBoundingClientRect().top") < 50  # scrolled to it
    assert article.locator(".article__title").inner_text().startswith("Điều ")
    page.screenshot(path=str(shots / "document-article.png"))

    # English on request, remembered from page to page.
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert "Legislative information system" in page.locator(".brand").inner_text()
    assert page.get_by_role("heading", name="Versions").is_visible()

    # Signing out is a POST form with its CSRF token.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))
    assert "You are signed out." in page.locator(".flashes").inner_text()
    assert errors == []
    context.close()


def test_phone_layout(server: str, browser: Any, shots: Path) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(server + "/login")
    page.get_by_label("Thư điện tử").fill(DEPUTY)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(server + "/")
    page.goto(server + "/?q=luat")
    # The facets start folded on a phone; nothing is wider than the screen.
    assert page.locator(".facets__panel").get_attribute("open") is None
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "phone-search.png"))
    page.locator(".facets__summary").click()
    assert page.locator(".facet__link").first.is_visible()
    page.goto(server + "/documents/phapdien-37087")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "phone-document.png"))
    context.close()
