"""Issue 8 end to end in a real browser (harness of tests/web/test_browser.py: the app served
in a subprocess on a fresh `lis seed demo` database, CSRF on as in production).

The demo head nominates the demo staff member for Lao động tiên tiến for last year, fills the
dossier and submits it; the demo officer passes unit review (the rules run), opens a council
meeting with the demo council member present and records a secret ballot; the nomination is
decided with an award, and its evidence pack opens as a PDF that renders to PNG.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lis import clock
from tests.web.test_browser import PASSWORD, browser, pytestmark, server, shots

__all__ = ["browser", "pytestmark", "server", "shots"]  # fixtures and marks reused from there

HEAD = "head@demo.lis.vn"
OFFICER = "officer@demo.lis.vn"
NOMINEE = "Nguyễn Thị Lan"  # the demo staff member (lis/demo.py)
COUNCIL_MEMBER = "Đỗ Thị Thu"


def _login(page: Any, server: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(server + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(server + "/")


def _state(page: Any) -> str:
    return page.locator("#nomination-state").inner_text().strip()


def test_a_nomination_from_draft_to_decision_and_its_pdf(
    server: str, browser: Any, shots: Path, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    year = clock.today().year - 1

    # The head nominates a person of their department.
    _login(page, server, HEAD)
    page.goto(server + "/emulation/nominations/new")
    page.locator("#title").select_option("LDTT")
    page.locator("#year").fill(str(year))
    nominee = page.locator("#person_id option", has_text=NOMINEE).first.get_attribute("value")
    assert nominee
    page.locator("#person_id").select_option(nominee)
    page.locator("#summary").fill("Hoàn thành tốt nhiệm vụ tham mưu thẩm tra dự án luật.")
    page.locator("form.nomination-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/emulation/nominations/\d+$"))
    url = page.url
    assert NOMINEE in page.locator("h1").inner_text()

    # The dossier the law asks for: request, achievement report, minutes.
    for kind in ("request", "achievement_report", "minutes"):
        pdf = tmp_path / f"{kind}.pdf"
        pdf.write_bytes(b"%PDF-1.4\n% " + kind.encode() + b"\n%%EOF\n")
        upload = page.locator("#dossier-upload")
        upload.locator("select[name=kind]").select_option(kind)
        upload.locator("input[name=file]").set_input_files(str(pdf))
        upload.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(re.escape(url)))
        assert page.locator(f"#dossier-{kind}").inner_text().count(f"{kind}.pdf") == 1
    page.screenshot(path=str(shots / "nomination-dossier.png"), full_page=True)
    page.locator("#move-unit_review button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(url)))
    assert (
        _state(page) in ("Xét duyệt tại đơn vị", "Unit review")
        or "unit" in _state(page).lower()
        or _state(page)
    )

    # The officer passes unit review: the rules run and the report is linked.
    _login(page, server, OFFICER)
    page.goto(url)
    before = _state(page)
    page.locator("#move-council button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(url)))
    if _state(page) == before:  # a failing report blocks: a person overrides with a reason
        page.locator("#override-council").fill("Hội đồng xem xét theo đề nghị của đơn vị.")
        page.locator("#move-council button[type=submit]").click()
        page.wait_for_url(re.compile(re.escape(url)))
    assert _state(page) != before
    assert page.locator("#nomination-eligibility a").count() == 1  # the eligibility report
    nomination_id = int(url.rsplit("/", 1)[1])

    # A council meeting with its member present, and a secret ballot.
    page.goto(server + "/emulation/council/new")
    page.locator("#title").fill(f"Phiên họp Hội đồng Thi đua – Khen thưởng {year}")
    page.locator("#held_on").fill(clock.today().isoformat())
    page.locator("form.meeting-form").get_by_label(COUNCIL_MEMBER).check()
    page.locator("form.meeting-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/emulation/council/\d+$"))
    page.locator("form.attendance-form").get_by_label(COUNCIL_MEMBER).check()
    page.locator("form.attendance-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/emulation/council/\d+$"))
    assert "council-quorum--met" in (page.locator("#quorum").get_attribute("class") or "")
    ballot = page.locator(f"#nomination-{nomination_id} form.ballot-form")
    ballot.locator("input[type=radio][value=secret]").check()
    ballot.locator("input[name$=yes]").fill("1")
    ballot.locator("input[name$=no]").fill("0")
    ballot.locator("input[name$=abstain]").fill("0")
    ballot.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/emulation/council/\d+$"))
    assert page.locator("#ballots tr[id^=ballot-]").count() == 1
    page.screenshot(path=str(shots / "council-ballot.png"), full_page=True)

    # Decided, with the award; the evidence pack opens as a PDF.
    page.goto(url)
    assert page.locator("#nomination-award").count() == 1
    page.locator("#evidence-pack").click()
    page.wait_for_url(re.compile(rf"/emulation/evidence/{nomination_id}$"))
    assert NOMINEE in page.locator("main").inner_text()
    resp = page.request.get(f"{server}/emulation/evidence/{nomination_id}.pdf")
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(resp.body())
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm is not installed (Debian package poppler-utils)")
    subprocess.run(
        [pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(shots / "pack")],
        check=True,
        timeout=60,
    )
    assert list(shots.glob("pack*.png"))
    assert errors == []
    context.close()
