"""The evidence pack in a real browser (harness of tests/web/test_browser.py): the demo officer
opens a nomination's pack, clicks the PDF link and gets a PDF, which renders to PNG."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_app import BIN, app_env, lis, served, set_up
from tests.web.test_browser import PASSWORD, browser, pytestmark, shots

__all__ = ["browser", "pytestmark", "shots"]  # fixtures and marks reused from there

OFFICER = "officer@demo.lis.vn"
STAFF_NAME = "Nguyễn Thị Lan"  # the demo staff member (lis/demo.py)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    from tests.conftest import SAMPLE

    base = tmp_path_factory.mktemp("evidence-browser")
    env = app_env(base, LIS_DEMO_CORPUS=str(SAMPLE))
    *_, seeded = set_up(
        env,
        lis("db", "upgrade"),
        lis("seed", "demo"),
        [str(BIN / "python"), "-m", "tests.emulation.evidence.browser_seed"],
    )
    nomination_id = int(seeded.strip().splitlines()[-1])
    with served(base, env) as url:
        yield url, nomination_id


def test_an_officer_opens_the_pack_and_its_pdf(
    server: tuple[str, int], browser: Any, shots: Path, tmp_path: Path
) -> None:
    url, nomination_id = server
    context = browser.new_context(viewport={"width": 1366, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(url + "/login")
    page.locator("#email").fill(OFFICER)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(url + "/")

    page.goto(f"{url}/emulation/evidence/{nomination_id}")
    assert STAFF_NAME in page.locator("#nominee-name").inner_text()
    assert page.locator("#council").is_visible()
    page.screenshot(path=str(shots / "evidence-pack.png"), full_page=True)

    with page.expect_response(re.compile(rf"/emulation/evidence/{nomination_id}\.pdf$")) as info:
        page.locator("#pack-pdf").click()
    response = info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    # Chromium's viewer stands in for the body it shows; the same session fetches the bytes.
    fetched = context.request.get(response.url)
    assert fetched.status == 200
    body = fetched.body()
    assert body.startswith(b"%PDF")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is not None:  # poppler-utils: the PDF renders to an image
        pdf = tmp_path / "pack.pdf"
        pdf.write_bytes(body)
        subprocess.run(
            [pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(shots / "evidence")],
            check=True,
            timeout=60,
        )
        assert list(shots.glob("evidence*.png"))
    assert errors == []
    context.close()
