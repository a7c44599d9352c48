"""The backend contract, on every backend available, with a small hand-made corpus.

Counts below are worked out by hand from FIXTURE; a change in matching semantics fails here.
The suite runs on the embedded engine always and on Elasticsearch when LIS_ELASTICSEARCH_URL
answers (each run uses its own alias and indexes, dropped afterwards). Tests at the end that
build an `EmbeddedBackend` themselves are about the embedded engine's own machinery.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from search.backends.embedded import EmbeddedBackend
from search.interface import SearchBackend, SearchDocument, SearchQuery

BACKENDS = ("embedded", "elasticsearch")
NO_SERVER = (
    "LIS_ELASTICSEARCH_URL is not set: start docker compose (see README) to run the contract "
    "suite on Elasticsearch"
)


def _elasticsearch() -> SearchBackend:
    url = os.environ.get("LIS_ELASTICSEARCH_URL")
    if not url:
        pytest.skip(NO_SERVER)
    from search.backends.elasticsearch import ElasticsearchBackend

    backend = ElasticsearchBackend(url, alias=f"lis-contract-{uuid.uuid4().hex[:8]}")
    # The server, not the backend's ping: that one also needs the alias, which a fresh test
    # alias does not have yet.
    if not backend.client.options(request_timeout=2).ping():
        pytest.skip(f"LIS_ELASTICSEARCH_URL={url} does not answer: is docker compose up?")
    return backend


def _drop(backend: SearchBackend) -> None:
    """Remove a test run's Elasticsearch indexes (by name: wildcard deletes may be refused)."""
    from search.backends.elasticsearch import ElasticsearchBackend

    if isinstance(backend, ElasticsearchBackend):
        names = backend._aliases()
        if names:
            backend.client.indices.delete(index=",".join(sorted(names)), ignore_unavailable=True)
        backend.close()


def _open(kind: str, path: Path) -> SearchBackend:
    return EmbeddedBackend(path) if kind == "embedded" else _elasticsearch()


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], SearchBackend]]:
    """A factory of empty backends of one kind, dropped after the test."""
    made: list[SearchBackend] = []

    def make() -> SearchBackend:
        made.append(_open(request.param, tmp_path / f"b{len(made)}"))
        return made[-1]

    yield make
    for backend in made:
        _drop(backend)


def doc(
    id: str,
    number: str,
    title: str,
    body: str,
    kind: str,
    year: int,
    issuer: str,
    status: str = "unknown",
) -> SearchDocument:
    return SearchDocument(
        id=id,
        number=number,
        title=title,
        body=body,
        kind=kind,
        issued_date=dt.date(year, 6, 1),
        keywords={"issuer": (issuer,), "status": (status,)},
    )


FIXTURE = [
    doc(
        "land",
        "45/2013/QH13",
        "Luật Đất đai",
        "Luật này quy định về chế độ sở hữu đất đai, quyền hạn của Nhà nước.",
        "law",
        2013,
        "Quốc hội",
        "in_force_at_codification",
    ),
    doc(
        "land-decree",
        "43/2014/NĐ-CP",
        "Nghị định quy định chi tiết thi hành Luật Đất đai",
        "Nghị định này quy định chi tiết một số điều của Luật Đất đai về đất ở.",
        "decree",
        2014,
        "Chính phủ",
        "in_force_at_codification",
    ),
    doc(
        "split",
        "10/2020/TT-BTC",
        "Thông tư về phí",
        "Phí sử dụng đất ở đô thị; đai an toàn cho người lao động.",
        "circular",
        2020,
        "Bộ Tài chính",
    ),
    doc(
        "res",
        "44/2024/UBTVQH15",
        "Nghị quyết về tổ chức kỳ họp",
        "Ủy ban Thường vụ Quốc hội quyết nghị về kỳ họp thứ tám.",
        "resolution",
        2024,
        "Ủy ban Thường vụ Quốc hội",
    ),
    doc(
        "decree98",
        "98/2021/NĐ-CP",
        "Nghị định về quản lý trang thiết bị y tế",
        "Trang thiết bị y tế phải được phân loại. Xem Luật Đất đai <b>không</b> liên quan.",
        "decree",
        2021,
        "Chính phủ",
        "in_force_at_codification",
    ),
    doc(
        "tax",
        "48/2010/QH12",
        "Luật Thuế sử dụng đất phi nông nghiệp",
        "Đối tượng chịu thuế là đất ở tại nông thôn, đất ở tại đô thị.",
        "law",
        2010,
        "Quốc hội",
    ),
    doc(
        "hoa",
        "01/2019/QH14",
        "Luật Hòa giải",
        "Hoà giải viên và hoà giải ở cơ sở; hòa giải thành.",
        "law",
        2019,
        "Quốc hội",
    ),
    doc(
        "en",
        "02/2022/QH15",
        "Luật Giao thông",
        "Road traffic rules are set out in English here for the translation check.",
        "law",
        2022,
        "Quốc hội",
    ),
]
for i in range(25):  # filler so that paging has several pages
    FIXTURE.append(
        doc(
            f"filler-{i:02d}",
            f"{i + 1}/2018/TT-BGTVT",
            f"Thông tư số {i} về giao thông",
            "Quy định về giao thông đường bộ và đăng kiểm.",
            "circular",
            2018,
            "Bộ Giao thông vận tải",
        )
    )


@pytest.fixture(scope="module", params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchBackend]:
    b = _open(request.param, Path(tmp_path_factory.mktemp("contract")))
    assert b.rebuild(FIXTURE) == len(FIXTURE)
    yield b
    _drop(b)


def ids(backend: SearchBackend, text: str = "", **kw: object) -> set[str]:
    page = backend.search(SearchQuery(text=text, limit=100, **kw))  # type: ignore[arg-type]
    return {h.id for h in page.hits}


def test_implements_the_interface(backend: SearchBackend) -> None:
    assert isinstance(backend, SearchBackend)
    assert backend.count() == len(FIXTURE)


def test_folding_gives_the_same_hits(backend: SearchBackend) -> None:
    expected = {"land", "land-decree", "decree98"}
    assert ids(backend, "luat dat dai") == expected
    assert ids(backend, "Luật Đất đai") == expected
    assert ids(backend, "LUẬT ĐẤT ĐAI") == expected
    assert ids(backend, "LUAT DAT DAI") == expected


def test_tone_placement_styles_are_equal(backend: SearchBackend) -> None:
    assert ids(backend, "hoà giải") == ids(backend, "hòa giải") == {"hoa"}


def test_phrase_is_stricter_than_and(backend: SearchBackend) -> None:
    anded = ids(backend, "đất đai")
    phrase = ids(backend, '"đất đai"')
    assert "split" in anded and "split" not in phrase
    assert phrase < anded


def test_title_match_ranks_first(backend: SearchBackend) -> None:
    page = backend.search(SearchQuery(text="luat dat dai"))
    assert page.hits[0].id == "land"  # the exact title beats the decree that guides it


def test_exact_number_lookup_any_case(backend: SearchBackend) -> None:
    for text in ("44/2024/UBTVQH15", "44/2024/ubtvqh15", "nghị quyết 44/2024"):
        page = backend.search(SearchQuery(text=text))
        assert page.hits[0].id == "res", text


def test_unaccented_number(backend: SearchBackend) -> None:
    for text in ("98/2021/ND-CP", "nd 98/2021/nd-cp", "nghị định 98/2021"):
        assert backend.search(SearchQuery(text=text)).hits[0].id == "decree98", text


def test_excluded_word(backend: SearchBackend) -> None:
    assert ids(backend, "luat dat dai -nghi") == {"land"}


def test_filters_and_multi_select_facets(backend: SearchBackend) -> None:
    page = backend.search(SearchQuery(text="dat", filters={"kind": ("law",)}, limit=100))
    assert {h.id for h in page.hits} == {"land", "tax"}
    kinds = {f.value: f.count for f in page.facets["kind"]}
    # The kind facet ignores its own filter (multi-select): every kind matching "dat" is counted.
    assert kinds == {"law": 2, "decree": 2, "circular": 1}
    issuers = {f.value: f.count for f in page.facets["issuer"]}
    assert issuers == {"Quốc hội": 2}  # other facets apply the kind filter
    years = {f.value: f.count for f in page.facets["year"]}
    assert years == {"2013": 1, "2010": 1}


def test_multi_select_within_a_facet_is_or(backend: SearchBackend) -> None:
    got = ids(backend, "dat", filters={"kind": ("law", "circular")})
    assert got == {"land", "tax", "split"}


def test_year_range(backend: SearchBackend) -> None:
    assert ids(backend, "dat", year_from=2013, year_to=2014) == {"land", "land-decree"}
    assert ids(backend, "dat", year_from=2020) == {"split", "decree98"}


def test_issuer_and_status_filters(backend: SearchBackend) -> None:
    assert ids(backend, "", filters={"issuer": ("Chính phủ",)}) == {"land-decree", "decree98"}
    assert ids(backend, "dat", filters={"status": ("in_force_at_codification",)}) == {
        "land",
        "land-decree",
        "decree98",
    }


def test_highlights_keep_accents_and_escape_html(backend: SearchBackend) -> None:
    page = backend.search(SearchQuery(text="dat dai khong"))
    hit = next(h for h in page.hits if h.id == "decree98")
    body = hit.highlights["body"][0]
    assert "<mark>Đất</mark>" in body
    assert "&lt;b&gt;" in body and "<b>" not in body  # text escaped, only <mark> is markup
    title = backend.search(SearchQuery(text="luat dat dai")).hits[0].highlights["title"][0]
    assert title == "<mark>Luật</mark> <mark>Đất</mark> <mark>đai</mark>"


def test_paging_has_no_gaps_or_duplicates(backend: SearchBackend) -> None:
    q = SearchQuery(text="giao thong", limit=7)
    first = backend.search(q)
    assert first.total == 26
    seen: list[str] = []
    for offset in range(0, first.total, 7):
        page = backend.search(SearchQuery(text="giao thong", limit=7, offset=offset))
        seen += [h.id for h in page.hits]
    assert len(seen) == len(set(seen)) == first.total


def test_sort_by_date(backend: SearchBackend) -> None:
    newest = backend.search(SearchQuery(text="luat", sort="issued_desc", limit=3))
    oldest = backend.search(SearchQuery(text="luat", sort="issued_asc", limit=3))
    assert newest.hits[0].id == "en" and oldest.hits[0].id == "tax"


def test_empty_query_lists_newest_first(backend: SearchBackend) -> None:
    page = backend.search(SearchQuery(limit=2))
    assert page.total == len(FIXTURE)
    assert [h.id for h in page.hits] == ["res", "en"]


def test_update_and_delete(fresh: Callable[[], SearchBackend]) -> None:
    b = fresh()
    b.rebuild(FIXTURE[:3])
    changed = doc(
        "land",
        "45/2013/QH13",
        "Luật Đất đai",
        "Văn bản mới về khoáng sản.",
        "law",
        2013,
        "Quốc hội",
    )
    b.index([changed])
    assert b.count() == 3
    assert "land" in ids(b, "khoang san")
    assert "land" not in ids(b, "che do so huu")
    b.delete(["land"])
    assert b.count() == 2 and "land" not in ids(b, "luat dat dai")


def test_rebuild_replaces_the_contents(fresh: Callable[[], SearchBackend]) -> None:
    b = fresh()
    b.rebuild(FIXTURE[:2])
    assert b.count() == 2
    b.rebuild(FIXTURE[2:5])
    assert b.count() == 3
    assert "land" not in ids(b, "luat dat dai")
    assert ids(b, "44/2024/UBTVQH15") == {"res"}


def test_rebuild_swaps_generation_and_other_instances_follow(tmp_path: Path) -> None:
    writer = EmbeddedBackend(tmp_path)
    writer.rebuild(FIXTURE[:2])
    reader = EmbeddedBackend(tmp_path)  # as another process would open it
    first = reader.generation
    assert reader.count() == 2
    writer.rebuild(FIXTURE)
    assert reader.count() == len(FIXTURE)
    assert reader.generation != first


def test_second_writer_is_refused_not_crashed(tmp_path: Path) -> None:
    from search.interface import SearchUnavailable

    a = EmbeddedBackend(tmp_path)
    a.rebuild(FIXTURE[:1])
    index = a._open()
    held = index.writer(heap_size=15_000_000, num_threads=1)
    try:
        with pytest.raises(SearchUnavailable):
            EmbeddedBackend(tmp_path).index(FIXTURE[1:2])
    finally:
        del held


def test_index_of_another_schema_asks_for_a_reindex(tmp_path: Path) -> None:
    import tantivy as tv

    from search.interface import SearchUnavailable

    old = tmp_path / "gen-old"
    old.mkdir()
    builder = tv.SchemaBuilder()
    builder.add_text_field("id", stored=True)
    tv.Index(builder.build(), path=str(old))
    (tmp_path / "CURRENT").write_text("gen-old")
    backend = EmbeddedBackend(tmp_path)
    with pytest.raises(SearchUnavailable, match="lis search reindex"):
        backend.search(SearchQuery(text="luat"))
    backend.rebuild(FIXTURE[:2])  # what `lis search reindex` does
    assert backend.count() == 2


# --- the legislative record: origin, stage, holder, committee, term, session ---------------
def draft(
    id: str, title: str, stage: str, committee: str, sessions: tuple[str, ...]
) -> SearchDocument:
    return SearchDocument(
        id=id,
        number="",
        title=title,
        body="Dự thảo luật để thẩm tra.",
        kind="law",
        keywords={
            "origin": ("draft",),
            "stage": (stage,),
            "holder": (committee,),
            "committee": (committee,),
            "term": ("XV",),
            "session": sessions,
        },
    )


RECORD = [
    *(
        SearchDocument(
            id=d.id,
            number=d.number,
            title=d.title,
            body=d.body,
            kind=d.kind,
            issued_date=d.issued_date,
            keywords={**d.keywords, "origin": ("imported",), "stage": ("S_IN_FORCE",)},
        )
        for d in FIXTURE[:7]
    ),
    draft("d-land", "Luật Đất đai (sửa đổi)", "S_VERIFY", "UB-KT", ("XV-8", "XV-9")),
    draft("d-data", "Luật Dữ liệu", "S_VERIFY", "UB-KHCNMT", ("XV-9",)),
    draft("d-press", "Luật Báo chí (sửa đổi)", "S_DRAFTING", "UB-VHXH", ("XV-B9",)),
]


@pytest.fixture(scope="module", params=BACKENDS)
def record_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchBackend]:
    b = _open(request.param, Path(tmp_path_factory.mktemp("record")))
    b.rebuild(RECORD)
    yield b
    _drop(b)


ALL_RECORD_FACETS = ("origin", "stage", "holder", "committee", "term", "session")


def test_record_fields_filter_and_count(record_backend: SearchBackend) -> None:
    page = record_backend.search(SearchQuery(facets=ALL_RECORD_FACETS, limit=100))
    counts = {name: {f.value: f.count for f in page.facets[name]} for name in ALL_RECORD_FACETS}
    assert counts["origin"] == {"imported": 7, "draft": 3}
    assert counts["stage"] == {"S_IN_FORCE": 7, "S_VERIFY": 2, "S_DRAFTING": 1}
    assert counts["committee"] == {"UB-KT": 1, "UB-KHCNMT": 1, "UB-VHXH": 1}
    assert counts["term"] == {"XV": 3}
    # A draft planned for two sessions counts under each of them.
    assert counts["session"] == {"XV-9": 2, "XV-8": 1, "XV-B9": 1}
    assert ids(record_backend, filters={"stage": ("S_VERIFY",)}) == {"d-land", "d-data"}
    assert ids(record_backend, filters={"session": ("XV-8",)}) == {"d-land"}
    assert ids(record_backend, filters={"origin": ("draft",), "committee": ("UB-VHXH",)}) == {
        "d-press"
    }
    assert ids(record_backend, "dat dai", filters={"origin": ("draft",)}) == {"d-land"}


def test_record_facets_are_multi_select(record_backend: SearchBackend) -> None:
    page = record_backend.search(
        SearchQuery(filters={"stage": ("S_VERIFY",)}, facets=("stage", "session"), limit=100)
    )
    assert page.total == 2
    # The stage facet ignores its own filter; the session facet applies it.
    assert {f.value: f.count for f in page.facets["stage"]} == {
        "S_IN_FORCE": 7,
        "S_VERIFY": 2,
        "S_DRAFTING": 1,
    }
    assert {f.value: f.count for f in page.facets["session"]} == {"XV-9": 2, "XV-8": 1}


def test_codes_match_exactly(record_backend: SearchBackend) -> None:
    # Keyword fields hold codes: no folding, no partial matches.
    assert ids(record_backend, filters={"committee": ("ub-kt",)}) == set()
    assert ids(record_backend, filters={"committee": ("UB",)}) == set()
    assert ids(record_backend, filters={"session": ("XV-B9",)}) == {"d-press"}


def test_index_from_an_older_lis_asks_for_a_reindex(tmp_path: Path) -> None:
    from search.backends.embedded import SCHEMA_FILE
    from search.interface import SearchUnavailable

    EmbeddedBackend(tmp_path).rebuild(FIXTURE[:2])
    generation = tmp_path / (tmp_path / "CURRENT").read_text()
    (generation / SCHEMA_FILE).unlink()  # as a generation written before the version marker
    backend = EmbeddedBackend(tmp_path)
    with pytest.raises(SearchUnavailable, match="lis search reindex"):
        backend.count()
    backend.rebuild(FIXTURE[:3])
    assert backend.count() == 3
