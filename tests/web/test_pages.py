"""The server-rendered pages, through the real app and the 300-document sample."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

import flask_babel
import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient

from lis.documents.models import KIND_LABELS
from lis.documents.search import SearchArgs
from lis.web.labels import kind_label
from lis.web.outline import outline
from lis.web.search_page import SearchLinks, page_numbers
from tests.conftest import need_sample
from tests.factories import TEST_PASSWORD, VersionFactory
from tests.web.html import Page

LAW_PIT = "phapdien-12898"  # Luật Thuế thu nhập cá nhân 04/2007/QH12: chapters, sections
AIRCRAFT = "phapdien-37087"  # Pháp lệnh Thủ tục bắt giữ tàu bay


@pytest.fixture
def deputy(login: Any) -> Any:
    need_sample()
    return login("deputy")


def get(client: FlaskClient, url: str, status: int = 200) -> Page:
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.status_code)
    assert resp.content_type.startswith("text/html")
    return Page(resp.get_data(as_text=True))


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def total(page: Page) -> int:
    text = page.one(cls="results__total").text
    return int(text.split()[0].replace(".", "").replace(",", ""))


def facet_links(page: Page) -> list[Any]:
    return page.find("a", cls="facet__link")


def facet_link(page: Page, url_param: str, value: str) -> Any:
    for link in facet_links(page):
        if value in query(link["href"]).get(url_param, []):
            return link
    raise AssertionError(f"no facet link for {url_param}={value}")


# --------------------------------------------------------------------------- search


def test_search_without_diacritics_finds_and_highlights(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/?q=bat+giu+tau+bay")
    first = page.find("h2", cls="hit__title")[0]
    assert first.text == "Pháp lệnh Thủ tục bắt giữ tàu bay"
    html = page.html
    assert "<mark>bắt</mark>" in html
    assert f'href="/documents/{AIRCRAFT}"' in html
    # Snippets cut from a longer text say so once at each cut, never twice.
    snippets = [p.text for p in page.find("p", cls="hit__snippet")]
    assert snippets and not any("……" in s for s in snippets)
    # The query stays in the box (and so in the URL of the GET form).
    assert page.one("input", id="q")["value"] == "bat giu tau bay"
    assert page.one("form", role="search")["method"] == "get"


def test_luat_without_diacritics(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/?q=luat")
    assert total(page) > 20
    assert "<mark>Luật</mark>" in page.html
    meta = page.find("p", cls="hit__meta")[0].text
    assert "Luật" in meta  # kind label
    assert "/" in meta  # a number such as 56/2024/QH15, and a dd/mm/yyyy date


def test_facets_show_labels_and_counts(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/?q=bat+giu+tau+bay")
    titles = [e.text for e in page.find("h3", cls="facet__title")]
    # The ordinance is an act of UBTVQH13: the term of its number is a facet too.
    assert titles[:5] == [
        "Loại văn bản",
        "Tình trạng",
        "Khóa Quốc hội",
        "Cơ quan ban hành",
        "Năm ban hành",
    ]
    ordinance = facet_link(page, "kind", "ordinance")
    assert "Pháp lệnh" in ordinance.text
    counts = [int(e.text) for e in page.find("span", cls="facet__count")]
    assert counts and all(c > 0 for c in counts)
    kind_counts = [link for link in facet_links(page) if "kind" in query(link["href"])]
    assert sum(int(link.text.split()[-1]) for link in kind_counts) == total(page)


def test_facet_link_filters_and_keeps_the_query(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/?q=bat+giu+tau+bay")
    before = total(page)
    href = facet_link(page, "kind", "ordinance")["href"]
    assert query(href) == {"q": ["bat giu tau bay"], "kind": ["ordinance"]}

    filtered = get(client, href)
    assert 0 < total(filtered) < before
    assert {e.text for e in filtered.find("span", cls="badge")} == {"Pháp lệnh"}
    selected = filtered.find("a", cls="is-selected")
    assert [link["aria-current"] for link in selected] == ["true"]
    # The chip and the selected facet remove the filter again, keeping the query.
    assert query(selected[0]["href"]) == {"q": ["bat giu tau bay"]}
    chip = filtered.one("a", cls="chip")
    assert query(chip["href"]) == {"q": ["bat giu tau bay"]}
    # A new query from the box keeps the filters (hidden inputs).
    box = filtered.one("form", role="search")
    hidden = filtered.find("input", within=box, type="hidden", name="kind")
    assert [e["value"] for e in hidden] == ["ordinance"]


def test_multi_select_within_a_facet(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/?q=luat&kind=law")
    href = facet_link(page, "kind", "decree")["href"]
    assert query(href)["kind"] == ["law", "decree"]
    both = get(client, href)
    chips = [e.text.rstrip("×").split("×")[0].strip() for e in both.find("a", cls="chip")]
    assert chips == ["Luật", "Nghị định"]
    assert len(both.find("a", cls="is-selected")) == 2
    decrees = int(facet_link(page, "kind", "decree").text.split()[-1])
    assert total(both) == total(page) + decrees


def test_year_facet_and_range(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/?q=luat")
    year = next(link for link in facet_links(page) if "year_from" in query(link["href"]))
    params = query(year["href"])
    assert params["year_from"] == params["year_to"]
    one_year = get(client, year["href"])
    assert total(one_year) == int(year.text.split()[-1])
    ranged = get(client, "/?q=luat&year_from=2010&year_to=2015")
    assert 0 < total(ranged) < total(page)
    assert ranged.one("input", id="year_from")["value"] == "2010"
    assert "2010–2015" in ranged.one("div", cls="active-filters").text


def test_newest_documents_when_the_query_is_empty(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/")
    assert page.one("h1", id="results-title").text == "Văn bản mới nhất"
    assert total(page) >= 300  # the sample; other tests may have indexed more
    dates = [e["datetime"] for e in page.find("time")]
    assert dates == sorted(dates, reverse=True)


def test_pagination_keeps_every_parameter(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/?q=luat&kind=law&kind=circular&sort=issued_desc")
    nav = page.one("nav", cls="pagination")
    assert nav
    following = page.one("a", rel="next")["href"]
    assert query(following) == {
        "q": ["luat"],
        "kind": ["law", "circular"],
        "sort": ["issued_desc"],
        "page": ["2"],
    }
    second = get(client, following)
    assert second.one("ol", cls="hits")["start"] == "21"
    pages = second.one("nav", cls="pagination")
    assert second.one("a", within=pages, aria_current="page").text.endswith("2")
    previous = second.one("a", rel="prev")["href"]
    assert "page" not in query(previous)


def test_page_numbers() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 0) == []
    assert page_numbers(1, 4) == [1, 2, 3, 4]
    assert page_numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_numbers(20, 20) == [1, None, 18, 19, 20]


def test_links_toggle_values(app: Flask, db_session: object) -> None:
    with app.test_request_context("/"):
        _check_links()


def _check_links() -> None:
    links = SearchLinks(SearchArgs(q="đất đai", kind=("law",), page=3))
    assert query(links.toggle("kind", "law")) == {"q": ["đất đai"]}
    assert query(links.toggle("kind", "code")) == {"q": ["đất đai"], "kind": ["law", "code"]}
    assert query(links.toggle("year", "2013")) == {
        "q": ["đất đai"],
        "kind": ["law"],
        "year_from": ["2013"],
        "year_to": ["2013"],
    }
    assert query(links.page(4)) == {"q": ["đất đai"], "kind": ["law"], "page": ["4"]}
    assert query(links.without_filters()) == {"q": ["đất đai"]}


def test_empty_result_helps(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/?q=zzqxw+khongcogi&kind=law")
    empty = page.one("div", cls="empty")
    assert "Không tìm thấy văn bản nào phù hợp" in empty.text
    assert "không dấu" in empty.text
    without = [e for e in page.find("a") if e.text == "tìm lại không dùng bộ lọc"]
    assert query(without[0]["href"]) == {"q": ["zzqxw khongcogi"]}


@pytest.mark.parametrize(
    ("url", "field", "text"),
    [
        ("/?q=luat&page=0", "page", "số trang bắt đầu từ 1"),
        ("/?q=luat&year_from=abc", "year_from", "Nhập năm từ 1800 đến 2100"),
        ("/?q=luat&year_from=2020&year_to=2010", "year_from", "không sau năm kết thúc"),
        ("/?q=luat&kind=novel", "kind", "Loại văn bản không hợp lệ"),
    ],
)
def test_invalid_parameters_are_explained(
    client: FlaskClient, deputy: Any, url: str, field: str, text: str
) -> None:
    page = get(client, url, status=400)
    alert = page.one("div", cls="notice--error")
    assert alert["role"] == "alert"
    assert text in alert.text
    # The search still runs with what was valid: the query is kept.
    assert page.one("input", id="q")["value"] == "luat"
    assert total(page) > 0
    if field.startswith("year"):
        error = page.one("p", id=f"{field}-error")
        assert text in error.text
        assert page.one("input", id=field)["aria-invalid"] == "true"


def test_long_query_error_sits_next_to_the_box(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/?q=" + "a" * 501, status=400)
    assert "tối đa 500 ký tự" in page.one("p", id="q-error").text
    assert "q-error" in page.one("input", id="q")["aria-describedby"]


def test_unavailable_notice(app: Flask, db_session: object) -> None:
    with app.test_request_context("/"):
        html = render_template(
            "search.html",
            args=SearchArgs(),
            page=None,
            errors={},
            unavailable=True,
            links=SearchLinks(SearchArgs()),
            docs={},
            filters=[],
            facets=[],
            last_page=0,
            page_numbers=[],
            first_rank=1,
        )
    page = Page(html)
    assert "Chức năng tìm kiếm tạm thời không hoạt động" in page.one("div", role="alert").text
    assert page.find("ol", cls="hits") == []


def test_kind_names_agree_with_the_model(app: Flask, db_session: object) -> None:
    with app.test_request_context("/"):
        assert {code: kind_label(code) for code in KIND_LABELS} == KIND_LABELS
    flask_babel.refresh()  # the locale is cached in the app context that db_session holds
    with app.test_request_context("/?lang=en"):
        assert kind_label("law") == "Law"


# --------------------------------------------------------------------------- documents


def test_document_page_metadata_toc_and_anchors(client: FlaskClient, deputy: Any) -> None:
    page = get(client, f"/documents/{LAW_PIT}")
    assert page.one("h1").text == "Luật Thuế thu nhập cá nhân"
    meta = page.one("dl", cls="meta").text
    for expected in (
        "04/2007/QH12",
        "Luật",
        "Quốc hội",
        "21/11/2007",
        "01/01/2009",
        "Còn hiệu lực khi pháp điển",
        "Thuế thu nhập cá nhân",
    ):
        assert expected in meta
    ids = page.ids()
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicates == []
    toc_targets = [
        a["href"][1:]
        for a in page.find("a")
        if a.attrs.get("href", "").startswith("#d") or a.attrs.get("href", "").startswith("#c")
    ]
    assert "dieu-1" in toc_targets and "chuong-1" in toc_targets
    assert set(toc_targets) <= set(ids)  # every TOC entry lands on an anchor
    articles = page.find("section", cls="article")
    assert len(articles) == 35
    first = page.one("section", id="dieu-1")
    assert first.text.startswith("Điều 1. Phạm vi điều chỉnh")
    assert page.one("h3", id="chuong-1").text == "Chương 1: NHỮNG QUY ĐỊNH CHUNG"
    # Clauses and points carry their path, so a link can point at one.
    assert page.one("p", id="dieu-2/khoan-2/diem-a").text.startswith("a) Có mặt tại Việt Nam")
    # The preamble comes first, the signature last.
    loose = page.find("div", cls="loose")
    assert loose[0].text.startswith("QUỐC HỘI")
    assert "Nguyễn Phú Trọng" in loose[-1].text
    # The version list links to ?v=n and marks the one shown.
    current = page.one("a", aria_current="page")
    assert current["href"] == f"/documents/{LAW_PIT}?v=1"


def test_document_text_is_escaped(client: FlaskClient, deputy: Any) -> None:
    version = VersionFactory(text="Điều 1. <script>alert(1)</script> & <b>đậm</b>")
    page = client.get(f"/documents/{version.document.external_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;đậm&lt;/b&gt;" in page


def test_unknown_document_and_version(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/documents/no-such-document", status=404)
    assert page.one("h1").text == "Không tìm thấy trang"
    assert (
        get(client, f"/documents/{LAW_PIT}?v=9", status=404).one("h1").text
        == "Không tìm thấy trang"
    )


class _Part:
    def __init__(
        self,
        ordinal: int,
        parent: int | None,
        kind: str,
        number: str,
        heading: str,
        path: str,
        start: int,
        end: int,
    ) -> None:
        self.ordinal, self.parent_ordinal, self.kind, self.number = ordinal, parent, kind, number
        self.heading, self.path, self.start, self.end = heading, path, start, end


def test_outline_keeps_every_line_in_order() -> None:
    text = (
        "QUỐC HỘI\nLUẬT THỬ\n\n"
        "Chương I\nQUY ĐỊNH CHUNG\n"
        "Điều 1. Phạm vi\n1. Khoản một.\na) Điểm a;\nb) Điểm b.\n2. Khoản hai.\n"
        "Mục 1\nMỤC MỘT\n"
        "Điều 2\nĐối tượng\nNội dung điều hai.\n\n"
        "Luật này đã được Quốc hội thông qua.\nCHỦ TỊCH"
    )

    def at(s: str) -> int:
        return text.index(s)

    end1 = at("Mục 1") - 1
    last = at("\n\nLuật")
    parts = [
        _Part(0, None, "chapter", "I", "QUY ĐỊNH CHUNG", "chuong-I", at("Chương I"), last),
        _Part(1, 0, "article", "1", "Phạm vi", "dieu-1", at("Điều 1"), end1),
        _Part(2, 1, "clause", "1", "", "dieu-1/khoan-1", at("1. Khoản"), at("2. Khoản") - 1),
        _Part(3, 2, "point", "a", "", "dieu-1/khoan-1/diem-a", at("a) Điểm"), at("b) Điểm") - 1),
        _Part(4, 2, "point", "b", "", "dieu-1/khoan-1/diem-b", at("b) Điểm"), at("2. Khoản") - 1),
        _Part(5, 1, "clause", "2", "", "dieu-1/khoan-2", at("2. Khoản"), end1),
        _Part(6, 0, "section", "1", "MỤC MỘT", "chuong-I/muc-1", at("Mục 1"), last),
        _Part(7, 6, "article", "2", "Đối tượng", "dieu-2", at("Điều 2"), last),
    ]
    result = outline(text, parts)
    assert [(b.kind, b.path, b.depth) for b in result.blocks] == [
        ("text", None, 0),
        ("chapter", "chuong-I", 0),
        ("article", "dieu-1", 1),
        ("section", "chuong-I/muc-1", 1),
        ("article", "dieu-2", 2),
        ("text", None, 0),
    ]
    chapter, article1, section, article2 = result.blocks[1:5]
    assert chapter.title == ["Chương I", "QUY ĐỊNH CHUNG"]
    assert article1.title == ["Điều 1. Phạm vi"]
    assert [(p.anchor, p.kind) for p in article1.paragraphs] == [
        ("dieu-1/khoan-1", "clause"),
        ("dieu-1/khoan-1/diem-a", "point"),
        ("dieu-1/khoan-1/diem-b", "point"),
        ("dieu-1/khoan-2", "clause"),
    ]
    assert section.title == ["Mục 1", "MỤC MỘT"]
    assert article2.title == ["Điều 2", "Đối tượng"]
    assert [p.text for p in article2.paragraphs] == ["Nội dung điều hai."]
    # Nothing is lost or repeated.
    rendered = [line for b in result.blocks for line in [*b.title, *(p.text for p in b.paragraphs)]]
    assert rendered == [line for line in text.split("\n") if line.strip()]
    # The TOC nests chapter > section > article.
    assert [e.path for e in result.toc] == ["chuong-I"]
    assert [e.path for e in result.toc[0].children] == ["dieu-1", "chuong-I/muc-1"]
    assert [e.path for e in result.toc[0].children[1].children] == ["dieu-2"]
    assert result.articles == 2


def test_outline_without_parts() -> None:
    result = outline("Chỉ có văn bản.\n\nHai dòng.", [])
    assert [(b.kind, [p.text for p in b.paragraphs]) for b in result.blocks] == [
        ("text", ["Chỉ có văn bản.", "Hai dòng."])
    ]
    assert result.toc == [] and result.articles == 0


# --------------------------------------------------------------------------- layout, language


def test_layout_shows_user_logout_form_and_language_switch(
    client: FlaskClient, deputy: Any
) -> None:
    page = get(client, "/")
    assert page.one("html")["lang"] == "vi"
    assert "Hệ thống thông tin lập pháp" in page.one("a", cls="brand").text
    assert page.one("span", cls="user").text == deputy.email
    logout = page.one("form", cls="logout")
    assert logout["method"] == "post" and logout["action"] == "/logout"
    assert page.find("input", name="csrf_token")
    switch = {a["hreflang"]: a["href"] for a in page.find("a") if "hreflang" in a.attrs}
    assert query(switch["en"]) == {"lang": ["en"]}
    assert page.one("main")["id"] == "main"
    assert page.one("a", cls="skip-link")["href"] == "#main"


def test_language_switch_gives_english_and_is_remembered(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/?q=luat&kind=law&lang=en")
    assert page.one("html")["lang"] == "en"
    assert "Legislative information system" in page.one("a", cls="brand").text
    assert page.one("h1", id="results-title").text == "Results for “luat”"
    assert "Kind" in [e.text for e in page.find("h3", cls="facet__title")]
    assert {e.text for e in page.find("span", cls="badge")} == {"Law"}
    vi = next(a["href"] for a in page.find("a") if a.attrs.get("hreflang") == "vi")
    assert query(vi) == {"q": ["luat"], "kind": ["law"], "lang": ["vi"]}
    # Remembered for the next page, then switched back.
    assert "Sign out" in get(client, f"/documents/{LAW_PIT}").html
    assert "Đăng xuất" in get(client, vi).html


def test_login_page(client: FlaskClient, make_user: Any) -> None:
    page = get(client, "/login?next=/%3Fq%3Dluat")
    assert page.one("h1").text == "Đăng nhập"
    form = page.one("form", method="post")
    assert form["action"] == "/login"
    assert page.one("label", for_="email").text == "Thư điện tử"
    assert page.one("input", name="next")["value"] == "/?q=luat"
    user = make_user("deputy")
    wrong = client.post("/login", data={"email": user.email, "password": "nope"})
    assert wrong.status_code == 401
    assert "Sai địa chỉ thư điện tử hoặc mật khẩu" in wrong.get_data(as_text=True)
    empty = Page(client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True))
    assert empty.one("p", id="email-error").text == "Vui lòng nhập địa chỉ thư điện tử."
    assert empty.one("input", id="email")["aria-invalid"] == "true"
    ok = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "next": "/?q=luat"}
    )
    assert ok.status_code == 302 and ok.headers["Location"] == "/?q=luat"


def test_logout_needs_post(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/logout", status=405)
    assert "Lỗi 405" in page.one("p", cls="error-page__code").text
    assert get(client, "/").one("span", cls="user").text == deputy.email  # still signed in
    resp = client.post("/logout")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    login = get(client, "/login")
    assert "Bạn đã đăng xuất." in login.one("div", cls="flashes").text
    assert client.get("/").status_code == 302


def test_pages_need_login(client: FlaskClient) -> None:
    resp = client.get("/?q=luat")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login?next=/?q%3Dluat"


def test_unknown_url_gets_the_error_page(client: FlaskClient, deputy: Any) -> None:
    page = get(client, "/no/such/page", status=404)
    assert page.one("a", cls="button")["href"] == "/"


def test_static_files_are_served_locally(client: FlaskClient) -> None:
    css = client.get("/static/lis.css")
    assert css.status_code == 200 and b"@media print" in css.data
    assert client.get("/static/lis.js").status_code == 200
