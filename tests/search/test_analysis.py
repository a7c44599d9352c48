"""The folding contract and the shared query parser, without any engine."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.analysis import fold, normalize, number_key, tokens
from search.backends.embedded import _vi_analyzer
from search.query import parse


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Luật Đất đai", "luat dat dai"),
        ("LUẬT ĐẤT ĐAI", "luat dat dai"),
        ("đường ĐI", "duong di"),
        ("hoà hòa", "hoa hoa"),
        ("Giáo Dục và Ðào Tạo", "giao duc va dao tao"),  # Ð (eth) typed for Đ
        (unicodedata.normalize("NFD", "Quốc hội"), "quoc hoi"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_normalize_is_nfc_and_fixes_eth() -> None:
    assert normalize(unicodedata.normalize("NFD", "Ðất")) == "Đất"


@pytest.mark.parametrize(
    "text",
    [
        "Luật Đất đai",
        "ĐẤT đai, hòa/hoà",
        "44/2024/UBTVQH15",
        "Điều 1a. Phạm vi",
        "English text 2024",
    ],
)
def test_tantivy_analyzer_matches_fold(text: str) -> None:
    """The engine's analyzer and our Python folding must yield the same tokens."""
    assert _vi_analyzer().analyze(normalize(text)) == tokens(text)


@given(
    st.text(
        alphabet=st.sampled_from(list("aăâbdđeêioôơuưy ÀÁẠẢÃĐđẤẦẬẨẪ.,/-0123456789")), max_size=40
    )
)
def test_analyzer_parity_property(text: str) -> None:
    assert _vi_analyzer().analyze(normalize(text)) == tokens(text)


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("98/2021/NĐ-CP", "98/2021/nd-cp"),
        ("98/2021/nd-cp", "98/2021/nd-cp"),
        ("44/2024/UBTVQH15", "44/2024/ubtvqh15"),
        ("27/2005/PL-UBTVQH11 ", "27/2005/pl-ubtvqh11"),
    ],
)
def test_number_key(number: str, key: str) -> None:
    assert number_key(number) == key


def test_parse_full_number_with_kind_words() -> None:
    p = parse("luật số 100/2015/qh13")
    assert p.numbers == ("100/2015/qh13",)
    assert p.kind_hint == "law"
    assert p.terms == ()
    assert p.is_number_lookup


def test_parse_unaccented_number() -> None:
    assert parse("nd 123/2020/nd-cp").numbers == parse("123/2020/NĐ-CP").numbers


def test_parse_partial_number() -> None:
    p = parse("nghị định 13/2023")
    assert p.partial_numbers == (("13", "2023"),)
    assert p.kind_hint == "decree"


def test_parse_text_phrase_and_exclusion() -> None:
    p = parse('"quyền sử dụng đất" thuế -phí')
    assert p.phrases == (("quyen", "su", "dung", "dat"),)
    assert p.terms == ("thue",)
    assert p.excluded == ("phi",)


def test_parse_keeps_diacritics_for_exact_boost() -> None:
    assert parse("Luật Đất đai").exact_terms == ("luật", "đất", "đai")
    assert parse("luat dat dai").exact_terms == ()


def test_parse_empty() -> None:
    assert parse("   ").is_empty
