"""The pack as a page, a PDF and a workbook, and who may open each (issue 8 item 7)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from emulation.commendation_models import OpenVote
from tests.emulation.evidence.conftest import (
    COMMITTEE,
    DRAFT_TITLE,
    LATE,
    LAW,
    NOMINEE,
    ON_TIME,
    TITLE_NAME,
    WAITING,
    World,
    pack_url,
)
from tests.emulation.helpers import YEAR, person

FORMATS = ("", ".pdf", ".xlsx")
TYPES = {
    "": "text/html",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize(
    ("role", "unit", "status"),
    [
        ("admin", None, 200),
        ("officer", None, 200),
        ("council", None, 200),
        ("head", LAW, 200),  # the nominee's department
        ("head", COMMITTEE, 200),  # the committee above it
        ("head", "UB-KTTC-V", 403),
        ("staff", LAW, 403),  # a colleague
        ("deputy", LAW, 403),
    ],
)
def test_each_role_and_format(
    world: World, client: Any, login: Any, suffix: str, role: str, unit: str | None, status: int
) -> None:
    login(role, unit=unit)
    resp = client.get(pack_url(world, suffix))
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    if status == 200:
        assert resp.mimetype == TYPES[suffix]


@pytest.mark.parametrize("suffix", FORMATS)
def test_the_nominee_reads_their_own_pack(
    world: World, client: Any, login: Any, suffix: str
) -> None:
    login(user=world.staff)
    assert client.get(pack_url(world, suffix)).status_code == 200


@pytest.mark.parametrize("suffix", FORMATS)
def test_anonymous_readers_are_sent_to_log_in(world: World, client: Any, suffix: str) -> None:
    resp = client.get(pack_url(world, suffix))
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_an_unknown_nomination_is_404(world: World, client: Any, login: Any) -> None:
    login("officer")
    for suffix in FORMATS:
        assert (
            client.get(f"/emulation/evidence/{world.nomination.id + 999}{suffix}").status_code
            == 404
        )
    assert client.get("/emulation/evidence/99999999999").status_code == 404


def test_the_page_shows_every_section(world: World, client: Any, login: Any) -> None:
    login("council")
    html = client.get(pack_url(world)).get_data(as_text=True)
    for element in (
        "nominee",
        "history",
        "eligibility",
        "scores",
        "contributions",
        "initiatives",
        "ratings",
        "awards",
        "council",
        "dossier",
        "signatures",
    ):
        assert f'id="{element}"' in html, element
    assert NOMINEE in html and TITLE_NAME in html and DRAFT_TITLE in html
    assert ON_TIME in html and LATE in html and WAITING in html
    assert f'id="k-{world.on_time.id}"' in html and f'href="#k-{world.late.id}"' in html
    assert f'href="#initiative-{world.initiative.id}"' in html  # a cited fact links down
    assert world.dossier.sha256 in html
    assert "Chiến sĩ thi đua cơ sở" in html
    assert 'href="/emulation/evidence/%d.pdf"' % world.nomination.id in html


def test_the_page_in_english(world: World, client: Any, login: Any) -> None:
    login("officer")
    html = client.get(pack_url(world) + "?lang=en").get_data(as_text=True)
    assert "Grassroots Emulation Fighter" in html and "Evidence pack" in html


def test_a_secret_ballot_shows_counts_only(
    world: World, client: Any, login: Any, db_session: Any
) -> None:
    voter = person(COMMITTEE, name="Phạm Thị Hồng")
    db_session.add(OpenVote(ballot_id=world.ballot.id, person_id=voter.id, choice="no"))
    db_session.commit()
    login("officer")
    for lang in ("vi", "en"):
        html = client.get(pack_url(world) + f"?lang={lang}").get_data(as_text=True)
        council = html[html.index('id="council"') : html.index('id="dossier"')]
        assert "Phạm Thị Hồng" not in council
        assert "<b>8</b>" in council and "<b>1</b>" in council and "<b>0</b>" in council
    xlsx = load_workbook(io.BytesIO(client.get(pack_url(world, ".xlsx")).data))
    assert "Phạm Thị Hồng" not in str(list(xlsx["Council"].values))
    world.ballot.secret = False
    db_session.commit()
    html = client.get(pack_url(world)).get_data(as_text=True)
    assert "Phạm Thị Hồng" in html  # an open ballot's named votes are part of the record


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package poppler-utils)")
    return path


def test_the_pdf_renders_with_vietnamese_text(
    world: World, client: Any, login: Any, tmp_path: Path
) -> None:
    login("council")
    resp = client.get(pack_url(world, ".pdf"))
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF")
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(resp.data)
    subprocess.run(
        [
            _tool("pdftoppm"),
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(tmp_path / "p"),
        ],
        check=True,
        timeout=60,
    )
    pngs = list(tmp_path.glob("p*.png"))
    assert len(pngs) == 1 and pngs[0].read_bytes().startswith(b"\x89PNG")
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout.decode("utf-8")
    assert NOMINEE in text  # every diacritic intact (DejaVu Sans)
    assert TITLE_NAME in text
    assert "Trang 1/" in text  # the footer
    assert str(world.late.id) in text and str(YEAR) in text
    english = tmp_path / "pack-en.pdf"
    english.write_bytes(client.get(pack_url(world, ".pdf") + "?lang=en").data)
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(english), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout.decode("utf-8")
    assert "Page 1/" in text and "Grassroots Emulation Fighter" in text
    assert "CHAIR OF THE COUNCIL" in text and "SECRETARY OF THE COUNCIL" in text  # to sign


def test_the_workbook_has_a_sheet_per_section(world: World, client: Any, login: Any) -> None:
    login("officer")
    resp = client.get(pack_url(world, ".xlsx") + "?lang=en")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == [
        "Nominee",
        "History",
        "Eligibility",
        "Scores",
        "Contributions",
        "Initiatives",
        "Ratings",
        "Awards",
        "Council",
        "Dossier",
    ]
    nominee = {row[0]: row[1] for row in book["Nominee"].iter_rows(min_row=3, values_only=True)}
    assert nominee["Nominee"] == NOMINEE and nominee["Title code"] == "CSTDCS"
    contributions = list(book["Contributions"].iter_rows(min_row=3, values_only=True))
    assert {row[0] for row in contributions} == {world.on_time.id, world.late.id, world.waiting.id}
    late = next(row for row in contributions if row[0] == world.late.id)
    assert late[5] == LATE and late[9] == "Late"
    council = list(book["Council"].iter_rows(min_row=3, values_only=True))
    assert council[0][7:10] == (8, 1, 0)
    ratings = [row[:2] for row in book["Ratings"].iter_rows(min_row=3, values_only=True)]
    assert ratings == [
        (YEAR - 2, "Completed the task well"),
        (YEAR - 1, "Completed the task excellently"),
        (YEAR, "Completed the task excellently"),
    ]
    dossier = list(book["Dossier"].iter_rows(min_row=3, values_only=True))
    assert dossier[0][5] == world.dossier.sha256
