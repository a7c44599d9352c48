"""The search page's legislative-record facets: drafts made in the test beside the sample."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from lis.documents.models import Document
from search.backends.embedded import EmbeddedBackend
from tests.conftest import need_sample
from tests.factories import unit_by_code
from tests.search import record
from tests.search.record import drain, make_draft
from tests.web.test_pages import facet_link, get, query, total

index_template = record.index_template
engine = record.engine


@pytest.fixture
def drafts(engine: EmbeddedBackend, login: Any) -> dict[str, Document]:
    need_sample()
    login("staff")
    made = {
        "verify": make_draft("Luật Dữ liệu thử nghiệm", stage="S_VERIFY", committee="UB-PLTP"),
        "drafting": make_draft(
            "Luật Báo chí thử nghiệm",
            stage="S_DRAFTING",
            committee="UB-VHXH",
            sessions=((9, "irregular"),),
        ),
    }
    drain()
    return made


def facet_names(page: Any) -> list[str]:
    return [e["id"].removeprefix("facet-") for e in page.find("h3", cls="facet__title")]


def test_record_facets_show_only_when_they_tell_hits_apart(
    client: FlaskClient, drafts: dict[str, Document]
) -> None:
    corpus_only = get(client, "/?q=bat+giu+tau+bay")
    assert not {"origin", "stage", "committee", "session"} & set(facet_names(corpus_only))
    everything = get(client, "/")
    names = facet_names(everything)
    assert names[:2] == ["origin", "stage"]
    assert {"committee", "holder", "term", "session"} <= set(names)
    stage = facet_link(everything, "stage", "S_VERIFY")
    assert "Thẩm tra" in stage.text and stage.text.split()[-1] == "1"
    committee = facet_link(everything, "committee", "UB-PLTP")
    assert unit_by_code("UB-PLTP").name in committee.text
    assert "Kỳ họp bất thường lần thứ 9, khóa XV" in facet_link(everything, "session", "XV-B9").text
    # Stages in the order of the procedure, not by count.
    stages = [
        query(e["href"])["stage"][0]
        for e in everything.find("a", cls="facet__link")
        if "stage" in query(e["href"])
    ]
    assert stages == ["S_DRAFTING", "S_VERIFY", "S_IN_FORCE"]


def test_stage_filter_chip_and_draft_badge(
    client: FlaskClient, drafts: dict[str, Document]
) -> None:
    page = get(client, "/?q=thu+nghiem&stage=S_VERIFY")
    assert total(page) == 1
    assert page.find("h2", cls="hit__title")[0].text == "Luật Dữ liệu thử nghiệm"
    badge = page.one("span", cls="badge--draft")
    assert "Thẩm tra" in badge.text
    chip = page.one("a", cls="chip")
    assert "Thẩm tra" in chip.text
    assert query(chip["href"]) == {"q": ["thu nghiem"]}
    # The selected stage stays listed and selected; the clear-all link drops it.
    selected = page.one("a", cls="is-selected")
    assert "Thẩm tra" in selected.text and query(selected["href"]) == {"q": ["thu nghiem"]}
    clear = page.one("a", cls="active-filters__clear")
    assert query(clear["href"]) == {"q": ["thu nghiem"]}


def test_committee_and_session_filters_in_english(
    client: FlaskClient, drafts: dict[str, Document]
) -> None:
    page = get(client, "/?committee=ub-vhxh&session=XV-B9&lang=en")
    assert total(page) == 1
    chips = [e.text for e in page.find("a", cls="chip")]
    assert any(unit_by_code("UB-VHXH").name_en in c and "Lead committee" in c for c in chips)
    assert any("9th extraordinary session, term XV" in c for c in chips)
    hidden = page.find("input", type="hidden", name="session")
    assert [e["value"] for e in hidden][:1] == ["XV-B9"]


@pytest.mark.parametrize(
    ("param", "value"),
    [("stage", "S_NOPE"), ("committee", "<b>"), ("term", "15"), ("session", "9"), ("origin", "x")],
)
def test_invalid_record_filter_is_explained_and_dropped(
    client: FlaskClient, drafts: dict[str, Document], param: str, value: str
) -> None:
    page = get(client, f"/?q=thu+nghiem&{param}={value}", status=400)
    assert page.one("div", cls="notice--error")["role"] == "alert"
    assert total(page) >= 2  # the search ran without the bad filter


def _vietnamese(msgid: str, msgstr: str) -> str:
    """`msgstr` once the catalogue has it; until the lead merges the new messages the page
    falls back to the English msgid."""
    from babel.messages.pofile import read_po

    from tests.web.conftest import TRANSLATIONS

    with (TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        message = read_po(f).get(msgid)
    return msgstr if message is not None and message.string else msgid


ADVISERS_VI = _vietnamese("Advising units", "Đơn vị tham mưu")


@pytest.fixture
def advised(app: Any, drafts: dict[str, Document]) -> dict[str, Document]:
    """The drafts, the first advised on by the law committee's department (a contribution
    logged as a request does it), the second by nobody any more (withdrawn)."""
    from lis.db import transaction
    from tests.search.advisers import contribute

    with app.test_request_context("/contributions", method="POST"), transaction():
        contribute(drafts["verify"], "UB-PLTP-V")
        contribute(drafts["drafting"], "UB-VHXH-V", state="withdrawn")
    return drafts


def test_advising_units_facet_and_chip(client: FlaskClient, advised: dict[str, Document]) -> None:
    everything = get(client, "/")
    assert "adviser" in facet_names(everything)
    title = everything.one("h3", id="facet-adviser")
    assert title.text == ADVISERS_VI
    link = facet_link(everything, "adviser", "UB-PLTP-V")
    assert unit_by_code("UB-PLTP-V").name in link.text and link.text.split()[-1] == "1"
    assert "UB-VHXH-V" not in [
        v
        for e in everything.find("a", cls="facet__link")
        for v in query(e["href"]).get("adviser", [])
    ]
    page = get(client, "/?q=thu+nghiem&adviser=ub-pltp-v")
    assert total(page) == 1
    assert page.find("h2", cls="hit__title")[0].text == "Luật Dữ liệu thử nghiệm"
    chip = page.one("a", cls="chip")
    assert ADVISERS_VI in chip.text and unit_by_code("UB-PLTP-V").name in chip.text
    assert query(chip["href"]) == {"q": ["thu nghiem"]}
    english = get(client, "/?adviser=UB-PLTP-V&lang=en")
    assert english.one("h3", id="facet-adviser").text == "Advising units"
    assert unit_by_code("UB-PLTP-V").name_en in english.one("a", cls="chip").text


def test_corpus_search_shows_no_advisers_facet(
    client: FlaskClient, advised: dict[str, Document]
) -> None:
    assert "adviser" not in facet_names(get(client, "/?q=bat+giu+tau+bay"))


def test_invalid_adviser_is_explained_and_dropped(
    client: FlaskClient, advised: dict[str, Document]
) -> None:
    page = get(client, "/?q=thu+nghiem&adviser=%3Cb%3E", status=400)
    assert page.one("div", cls="notice--error")["role"] == "alert"
    assert total(page) >= 2
