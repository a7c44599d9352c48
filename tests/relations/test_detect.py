"""The citation detector on hand-written clauses (one per citation form) and real corpus texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lis.relations.detect import find_citations, infer_kind, is_document_number

SAMPLE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "corpus"
    / "vn_legal_docs.sample300.jsonl"
)


def found(text: str, own: str | None = None) -> list[tuple[str, str, str]]:
    return [(c.number, c.key, c.kind) for c in find_citations(text, own_number=own)]


@pytest.mark.parametrize(
    ("text", "number", "key", "kind"),
    [
        # 1. a law with its name and "số"
        ("Căn cứ Luật Đất đai số 31/2024/QH15;", "31/2024/QH15", "31/2024/qh15", "basis"),
        # 2. "số" right after the kind word
        ("Căn cứ Luật số 57/2020/QH14;", "57/2020/QH14", "57/2020/qh14", "basis"),
        # 3. a decree without "số"
        (
            "Nghị định này thay thế Nghị định 15/2020/NĐ-CP.",
            "15/2020/NĐ-CP",
            "15/2020/nd-cp",
            "replaces",
        ),
        # 4. lower case, as typed in some sources
        ("bãi bỏ nghị định số 15/2020/nđ-cp", "15/2020/nđ-cp", "15/2020/nd-cp", "repeals"),
        # 5. Ð (eth) typed for Đ
        ("hướng dẫn Nghị định số 15/2020/NÐ-CP", "15/2020/NĐ-CP", "15/2020/nd-cp", "guides"),
        # 6. a resolution of the Standing Committee
        ("Căn cứ Nghị quyết số 44/2024/UBTVQH15;", "44/2024/UBTVQH15", "44/2024/ubtvqh15", "basis"),
        # 7. an ordinance
        (
            "Pháp lệnh số 14/2004/PL-UBTVQH11 hết hiệu lực.",
            "14/2004/PL-UBTVQH11",
            "14/2004/pl-ubtvqh11",
            "repeals",
        ),
        # 8. a circular amended
        (
            "sửa đổi, bổ sung một số điều của Thông tư số 34/2015/TT-BGTVT",
            "34/2015/TT-BGTVT",
            "34/2015/tt-bgtvt",
            "amends",
        ),
        # 9. a joint circular
        (
            "quy định chi tiết Thông tư liên tịch số 84/2013/TTLT-BTC-BCT",
            "84/2013/TTLT-BTC-BCT",
            "84/2013/ttlt-btc-bct",
            "guides",
        ),
        # 10. a decision without a year, mixed case suffix
        ("theo Quyết định số 1135/QĐ-TTg của Thủ tướng", "1135/QĐ-TTg", "1135/qd-ttg", "basis"),
        # 11. a directive
        ("theo Chỉ thị số 31/CT-TTg", "31/CT-TTg", "31/ct-ttg", "basis"),
        # 12. "&" inside the issuer's code
        (
            "thay thế Quyết định số 03/2004/QĐ-BGD&ĐT",
            "03/2004/QĐ-BGD&ĐT",
            "03/2004/qd-bgd&dt",
            "replaces",
        ),
        # 13. a code ("Bộ luật")
        ("sửa đổi Bộ luật Hình sự số 100/2015/QH13", "100/2015/QH13", "100/2015/qh13", "amends"),
    ],
)
def test_citation_forms(text: str, number: str, key: str, kind: str) -> None:
    assert found(text) == [(number, key, kind)]


@pytest.mark.parametrize(
    "text",
    [
        "theo Mẫu số 01/HNCT ban hành kèm theo",  # a form, not a document
        "Quy chuẩn kỹ thuật quốc gia (QCVN 01:2009/BYT)",  # a standard
        "Biểu mẫu số 01/BC-STTTT",  # a report form
        "theo Nghị định 13/2023 của Chính phủ",  # partial: could be several documents
        "Điều 5. Phạm vi điều chỉnh",
        "",
    ],
)
def test_not_citations(text: str) -> None:
    assert found(text) == []


def test_own_number_is_skipped() -> None:
    text = "Luật số: 57/2020/QH14\nLuật Thanh niên số 53/2005/QH11 hết hiệu lực."
    assert found(text, own="57/2020/QH14") == [("53/2005/QH11", "53/2005/qh11", "repeals")]


def test_kind_word_makes_an_unknown_suffix_a_citation() -> None:
    assert found("Bãi bỏ Quyết định số 162/HĐBT ngày 18 tháng 10 năm 1988") == [
        ("162/HĐBT", "162/hdbt", "repeals")
    ]
    assert not is_document_number("162/HĐBT")
    assert is_document_number("15/2020/nđ-cp")


def test_one_suggestion_per_number_and_kind() -> None:
    text = (
        "Căn cứ Nghị định số 15/2020/NĐ-CP;\n"
        "theo Điều 5 Nghị định số 15/2020/NĐ-CP và Điều 6 Nghị định số 15/2020/NĐ-CP.\n"
        "Thông tư này thay thế Thông tư số 1/2019/TT-BTC."
    )
    assert [(c.key, c.kind) for c in find_citations(text)] == [
        ("15/2020/nd-cp", "basis"),
        ("1/2019/tt-btc", "replaces"),
    ]


def test_every_number_of_a_list_takes_the_clause_verb() -> None:
    text = (
        "Thông tư này thay thế Thông tư số 44/2014/TT-NHNN ngày 1/1/2015 "
        "và Thông tư số 22/2016/TT-NHNN."
    )
    assert {c.key: c.kind for c in find_citations(text)} == {
        "44/2014/tt-nhnn": "replaces",
        "22/2016/tt-nhnn": "replaces",
    }


def test_a_cue_describing_an_earlier_citation_does_not_apply() -> None:
    # Y is what X details; the text repeals X, not Y.
    text = (
        "Thông tư này bãi bỏ Thông tư số 24/2014/TT-BCT "
        "quy định chi tiết Nghị định số 42/2014/NĐ-CP."
    )
    assert {c.key: c.kind for c in find_citations(text)} == {
        "24/2014/tt-bct": "repeals",
        "42/2014/nd-cp": "basis",
    }


def test_history_of_another_law_is_not_an_amendment() -> None:
    text = (
        "Căn cứ Hiến pháp năm 1992 đã được sửa đổi, bổ sung một số điều "
        "theo Nghị quyết số 51/2001/QH10;"
    )
    assert found(text) == [("51/2001/QH10", "51/2001/qh10", "basis")]
    assert infer_kind("theo Luật Thương mại đã được sửa đổi, bổ sung theo ") == "basis"


def test_kind_inference_is_case_and_accent_blind() -> None:
    assert infer_kind("THAY THẾ ") == "replaces"
    assert infer_kind("bai bo ") == "repeals"
    assert infer_kind("Căn cứ Luật sửa đổi, bổ sung một số điều của ") == "basis"
    assert infer_kind("theo quy định tại ") == "basis"
    assert infer_kind("Nghị định ", " hết hiệu lực kể từ ngày") == "repeals"


def test_context_is_a_short_snippet_around_the_number() -> None:
    text = (
        "x " * 300
        + "Thông tư này thay thế Thông tư số 124/2008/TT-BTC ngày 19 tháng 12 năm 2008."
        + " y" * 300
    )
    (citation,) = find_citations(text)
    assert "124/2008/TT-BTC" in citation.context
    assert len(citation.context) <= 200
    assert text[citation.start : citation.end] == "124/2008/TT-BTC"


# --------------------------------------------------------------------------
# Real texts
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> dict[str, dict[str, str]]:
    if not SAMPLE.exists():
        pytest.skip(f"the shared corpus is not beside the repository ({SAMPLE} is missing)")
    with SAMPLE.open(encoding="utf-8") as lines:
        return {doc["id"]: doc for doc in map(json.loads, lines)}


def kinds_in(doc: dict[str, str]) -> dict[str, str]:
    return {c.number: c.kind for c in find_citations(doc["text"], own_number=doc["number"])}


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("doc_id", "number", "kind"),
    [
        ("phapdien-142850", "53/2005/QH11", "repeals"),  # Luật Thanh niên: "… hết hiệu lực"
        ("phapdien-129420", "24/2014/TT-BCT", "repeals"),  # "Thông tư này bãi bỏ Thông tư số …"
        ("phapdien-129420", "40/2018/NĐ-CP", "basis"),  # "Căn cứ khoản 1 Điều 39 Nghị định số …"
        ("phapdien-118904", "124/2008/TT-BTC", "replaces"),  # "Thông tư này thay thế …"
        ("phapdien-143823", "39/2008/QĐ-BGDĐT", "replaces"),
        ("phapdien-20509", "162/HĐBT", "repeals"),  # old suffix, after "Quyết định số"
        ("phapdien-12324", "05/1998/QH10", "repeals"),
        ("phapdien-142784", "86/2018/NĐ-CP", "guides"),  # "quy định chi tiết … Nghị định số …"
        ("phapdien-144980", "10/2004/QĐ-BGD&ĐT", "basis"),
    ],
)
def test_real_citations(
    sample: dict[str, dict[str, str]], doc_id: str, number: str, kind: str
) -> None:
    citations = find_citations(sample[doc_id]["text"], own_number=sample[doc_id]["number"])
    assert (number, kind) in {(c.number, c.kind) for c in citations}


@pytest.mark.corpus
def test_real_texts_never_cite_themselves_and_find_many(sample: dict[str, dict[str, str]]) -> None:
    total = 0
    for doc in sample.values():
        citations = find_citations(doc["text"], own_number=doc["number"])
        own = (doc["number"] or "").lower()
        assert all(c.number.lower() != own for c in citations), doc["id"]
        total += len(citations)
    assert total > 300


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Replacing: the act of the text, whatever the cited law's name says.
        ("Luật này thay thế Luật số 12/2010/QH12.", {"12/2010/qh12": "replaces"}),
        (
            "Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2026 và thay thế Luật Đất đai "
            "số 45/2013/QH13.",
            {"45/2013/qh13": "replaces"},
        ),
        (
            "Luật này thay thế Luật sửa đổi, bổ sung một số điều của Luật Xử lý vi phạm hành "
            "chính số 67/2020/QH14.",
            {"67/2020/qh14": "replaces"},
        ),
        (
            "Luật Thanh niên số 53/2005/QH11 được thay thế bởi Luật này.",
            {"53/2005/qh11": "replaces"},
        ),
        # Repealing a law whose name starts with "sửa đổi, bổ sung".
        (
            "Bãi bỏ Luật sửa đổi, bổ sung một số điều của Luật Thuế thu nhập doanh nghiệp số "
            "32/2013/QH13.",
            {"32/2013/qh13": "repeals"},
        ),
        # Amending: the usual scope article, the enacting formula, and replaced words.
        (
            "Luật này sửa đổi, bổ sung một số điều của Luật Tổ chức Quốc hội số 57/2014/QH13.",
            {"57/2014/qh13": "amends"},
        ),
        (
            "Quốc hội ban hành Luật sửa đổi, bổ sung một số điều của Luật Xử lý vi phạm hành "
            "chính số 15/2012/QH13.",
            {"15/2012/qh13": "amends"},
        ),
        (
            "Thay thế cụm từ “Bộ Kế hoạch và Đầu tư” bằng cụm từ “Bộ Tài chính” tại khoản 2 "
            "Điều 5 của Luật Đầu tư số 61/2020/QH14.",
            {"61/2020/qh14": "amends"},
        ),
        # Guiding, and the basis that a preamble names.
        (
            "Nghị định này quy định chi tiết một số điều và biện pháp thi hành Luật Xử lý vi phạm "
            "hành chính số 15/2012/QH13.",
            {"15/2012/qh13": "guides"},
        ),
        (
            "Thông tư này hướng dẫn thi hành Nghị định số 81/2013/NĐ-CP.",
            {"81/2013/nd-cp": "guides"},
        ),
        (
            "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Đầu tư số 03/2022/QH15;",
            {"03/2022/qh15": "basis"},
        ),
        (
            "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam đã được sửa đổi, bổ sung "
            "một số điều theo Nghị quyết số 203/2025/QH15;",
            {"203/2025/qh15": "basis"},
        ),
    ],
)
def test_the_clause_verb_wins_over_words_of_a_cited_name(
    text: str, expected: dict[str, str]
) -> None:
    assert {c.key: c.kind for c in find_citations(text)} == expected
