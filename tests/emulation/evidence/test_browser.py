"""The evidence pack in a real browser (harness of tests/web/test_browser.py): the demo officer
opens a nomination's pack, clicks the PDF link and gets a PDF, which renders to PNG."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import (
    BIN,
    PASSWORD,
    ROOT,
    _free_port,
    _wait_healthy,
    browser,
    pytestmark,
    shots,
)

__all__ = ["browser", "pytestmark", "shots"]  # fixtures and marks reused from there

OFFICER = "officer@demo.lis.vn"
STAFF_NAME = "Nguyễn Thị Lan"  # the demo staff member (lis/demo.py)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    from tests.conftest import SAMPLE

    base = tmp_path_factory.mktemp("evidence-browser")
    env = {
        **os.environ,
        "LIS_DATABASE_URL": f"sqlite:///{base / 'lis.db'}",
        "LIS_INDEX_DIR": str(base / "index"),
        "LIS_DEBUG": "1",
        "LIS_DEMO_CORPUS": str(SAMPLE),
        "LIS_SEARCH_BACKEND": "embedded",
    }
    for args in ([str(BIN / "lis"), "db", "upgrade"], [str(BIN / "lis"), "seed", "demo"]):
        subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    seeded = subprocess.run(
        [str(BIN / "python"), "-m", "tests.emulation.evidence.browser_seed"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    nomination_id = int(seeded.stdout.strip().splitlines()[-1])
    port = _free_port()
    log = (base / "server.log").open("wb")
    process = subprocess.Popen(
        [str(BIN / "flask"), "--app", "lis.app", "run", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url, nomination_id
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


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
