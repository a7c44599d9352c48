"""Comparing two versions of a legal text article by article (pure: no app, no database).

Hand-worked texts pin down each status and each matching rule; real documents of the shared
corpus (read at run time, skipped when the corpus is absent) check that a known set of edits is
found exactly and that the two versions the corpus holds of some laws compare sensibly; property
tests check that any text compares with itself as unchanged and that word diffs always rebuild
both texts.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lis.documents.compare import (
    STATUSES,
    ArticleChange,
    Comparison,
    WordChange,
    compare_texts,
)
from lis.documents.parsing import article_texts, parse_parts

CORPUS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
SAMPLE = CORPUS_DIR / "vn_legal_docs.sample300.jsonl"
FULL = CORPUS_DIR / "vn_legal_docs.jsonl.gz"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def rebuild(words: tuple[WordChange, ...], side: str) -> str:
    return "".join(getattr(change, side) for change in words)


def check_consistent(old_text: str, new_text: str, comparison: Comparison) -> None:
    """Invariants of every comparison, whatever the texts.

    Every article of each version appears exactly once; word diffs rebuild both articles
    exactly; counts agree with the changes.
    """
    changes = comparison.changes
    assert comparison.counts == {s: sum(c.status == s for c in changes) for s in STATUSES}
    old_articles = article_texts(old_text, parse_parts(old_text))
    new_articles = article_texts(new_text, parse_parts(new_text))
    blocks = [c for c in changes if c.old_path is None and c.new_path is None]
    blocks += [c for c in changes if c.status == "added" and c.new_number is None]
    blocks += [c for c in changes if c.status == "removed" and c.old_number is None]
    if blocks:  # one version has no article: each text is one block
        assert len(changes) == 1
        old_articles = {"": old_text} if old_text.strip() else {}
        new_articles = {"": new_text} if new_text.strip() else {}
    old_seen = [c.old_path or "" for c in changes if c.status != "added"]
    new_seen = [c.new_path or "" for c in changes if c.status != "removed"]
    assert sorted(old_seen) == sorted(old_articles)
    assert sorted(new_seen) == sorted(new_articles)
    assert [c.new_path or "" for c in changes if c.status != "removed"] == list(new_articles)
    for change in changes:
        assert 0.0 <= change.similarity <= 1.0
        if change.status in ("unchanged", "added", "removed"):
            assert change.words == ()
            continue
        old = old_articles[change.old_path or ""]
        new = new_articles[change.new_path or ""]
        assert rebuild(change.words, "old") == old
        assert rebuild(change.words, "new") == new
        ops = [w.op for w in change.words]
        assert all(a != b for a, b in pairwise(ops)), "runs are merged"
        if change.status == "renumbered":
            assert change.similarity == 1.0
        else:
            assert any(op != "equal" for op in ops)


def compare(old_text: str, new_text: str) -> Comparison:
    comparison = compare_texts(old_text, new_text)
    check_consistent(old_text, new_text, comparison)
    return comparison


def summary(comparison: Comparison) -> list[tuple[str, str | None, str | None]]:
    return [(c.status, c.old_number, c.new_number) for c in comparison.changes]


def only(comparison: Comparison, status: str) -> ArticleChange:
    found = [c for c in comparison.changes if c.status == status]
    assert len(found) == 1, summary(comparison)
    return found[0]


def law(*articles: tuple[str, str, str]) -> str:
    """A small law: header, the articles (number, heading, body), enacting formula."""
    body = "\n".join(f"Điều {number}. {heading}\n{text}" for number, heading, text in articles)
    return (
        "QUỐC HỘI\nLuật số: 99/2099/QH99\nLUẬT\nTHỬ NGHIỆM\n"
        "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\n"
        "Quốc hội ban hành Luật Thử nghiệm.\n"
        f"{body}\n"
        "Luật này được Quốc hội khóa XV thông qua ngày 01 tháng 01 năm 2099.\n"
        "CHỦ TỊCH QUỐC HỘI\n"
    )


SCOPE = ("Phạm vi điều chỉnh", "Luật này quy định về hoạt động thử nghiệm sản phẩm mới.")
SUBJECTS = (
    "Đối tượng áp dụng",
    "Luật này áp dụng đối với cơ quan, tổ chức, cá nhân tham gia hoạt động thử nghiệm "
    "trên lãnh thổ Việt Nam.",
)
SUBJECTS_EDITED = (
    "Đối tượng áp dụng",
    "Luật này áp dụng đối với cơ quan, tổ chức, cá nhân trong nước và nước ngoài tham gia "
    "hoạt động thử nghiệm trên lãnh thổ Việt Nam.",
)
TERMS = (
    "Giải thích từ ngữ",
    "Trong Luật này, các từ ngữ dưới đây được hiểu như sau:\n"
    "1. Thử nghiệm là việc dùng thử sản phẩm trong phạm vi và thời gian giới hạn.\n"
    "2. Sản phẩm mới là sản phẩm chưa được phép lưu hành trên thị trường.",
)
PRINCIPLES = (
    "Nguyên tắc thử nghiệm",
    "1. Bảo đảm an toàn cho người tham gia thử nghiệm.\n"
    "2. Công khai, minh bạch thông tin về kết quả thử nghiệm.\n"
    "3. Bồi thường thiệt hại do thử nghiệm gây ra theo quy định của pháp luật.",
)
PRINCIPLES_EDITED = (
    "Nguyên tắc thử nghiệm",
    "1. Bảo đảm an toàn tuyệt đối cho người tham gia thử nghiệm.\n"
    "2. Công khai, minh bạch thông tin về kết quả thử nghiệm.\n"
    "3. Bồi thường thiệt hại do thử nghiệm gây ra theo quy định của pháp luật.",
)
POLICY = (
    "Chính sách của Nhà nước",
    "Nhà nước khuyến khích doanh nghiệp đầu tư nghiên cứu, ứng dụng kết quả thử nghiệm "
    "vào sản xuất, kinh doanh.",
)
BANNED = (
    "Hành vi bị nghiêm cấm",
    "1. Thử nghiệm khi chưa được cấp phép.\n2. Làm sai lệch kết quả thử nghiệm.",
)
ENTRY = ("Hiệu lực thi hành", "Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2099.")

OLD_LAW = law(
    ("1", *SCOPE),
    ("2", *SUBJECTS),
    ("3", *TERMS),
    ("4", *PRINCIPLES),
    ("5", *POLICY),
    ("6", *ENTRY),
)
# Điều 2 edited, a new Điều 3 inserted, Điều 3 → 4 unchanged, Điều 4 → 5 edited, Điều 5
# removed, Điều 6 back at its own number.
NEW_LAW = law(
    ("1", *SCOPE),
    ("2", *SUBJECTS_EDITED),
    ("3", *BANNED),
    ("4", *TERMS),
    ("5", *PRINCIPLES_EDITED),
    ("6", *ENTRY),
)


# --------------------------------------------------------------------------
# Every status, hand-worked
# --------------------------------------------------------------------------


def test_identical_texts_are_unchanged() -> None:
    comparison = compare(OLD_LAW, OLD_LAW)
    assert summary(comparison) == [("unchanged", n, n) for n in "123456"]
    assert all(c.similarity == 1.0 and c.words == () for c in comparison.changes)
    assert comparison.counts == {
        "unchanged": 6,
        "changed": 0,
        "added": 0,
        "removed": 0,
        "renumbered": 0,
        "renumbered_changed": 0,
    }


def test_every_status_in_new_order_with_the_removed_article_where_it_was() -> None:
    comparison = compare(OLD_LAW, NEW_LAW)
    assert summary(comparison) == [
        ("unchanged", "1", "1"),
        ("changed", "2", "2"),
        ("added", None, "3"),
        ("renumbered", "3", "4"),
        ("renumbered_changed", "4", "5"),
        ("removed", "5", None),
        ("unchanged", "6", "6"),
    ]
    assert comparison.counts == {
        "unchanged": 2,
        "changed": 1,
        "added": 1,
        "removed": 1,
        "renumbered": 1,
        "renumbered_changed": 1,
    }


def test_paths_and_headings_of_each_side() -> None:
    changes = compare(OLD_LAW, NEW_LAW).changes
    added, renumbered, removed = changes[2], changes[3], changes[5]
    assert (added.old_path, added.new_path) == (None, "dieu-3")
    assert (added.old_heading, added.new_heading) == (None, "Hành vi bị nghiêm cấm")
    assert (added.similarity, added.words) == (0.0, ())
    assert (renumbered.old_path, renumbered.new_path) == ("dieu-3", "dieu-4")
    assert renumbered.old_heading == renumbered.new_heading == "Giải thích từ ngữ"
    assert (removed.old_path, removed.new_path) == ("dieu-5", None)
    assert (removed.old_heading, removed.new_heading) == ("Chính sách của Nhà nước", None)


def test_word_changes_of_an_edited_article() -> None:
    changed = only(compare(OLD_LAW, NEW_LAW), "changed")
    assert changed.words == (
        WordChange(
            "equal",
            "Điều 2. Đối tượng áp dụng\nLuật này áp dụng đối với cơ quan, tổ chức, cá nhân ",
            "Điều 2. Đối tượng áp dụng\nLuật này áp dụng đối với cơ quan, tổ chức, cá nhân ",
        ),
        WordChange("insert", "", "trong nước và nước ngoài "),
        WordChange(
            "equal",
            "tham gia hoạt động thử nghiệm trên lãnh thổ Việt Nam.",
            "tham gia hoạt động thử nghiệm trên lãnh thổ Việt Nam.",
        ),
    )
    # Tokens are words and punctuation marks: 30 equal on each side (the heading's 4 included,
    # the label's not), 5 inserted.
    assert changed.similarity == round(2 * 30 / (30 + 35), 4)


def test_renumbered_article_shows_its_new_number_in_the_words() -> None:
    renumbered = only(compare(OLD_LAW, NEW_LAW), "renumbered")
    assert [w for w in renumbered.words if w.op != "equal"] == [WordChange("replace", "3", "4")]
    moved = only(compare(OLD_LAW, NEW_LAW), "renumbered_changed")
    assert [w for w in moved.words if w.op != "equal"] == [
        WordChange("replace", "4", "5"),
        WordChange("insert", "", "tuyệt đối "),
    ]
    assert 0.9 < moved.similarity < 1.0


def test_article_1a_inserted_leaves_the_others_alone() -> None:
    old = law(("1", *SCOPE), ("2", *SUBJECTS), ("3", *ENTRY))
    new = law(("1", *SCOPE), ("1a", *BANNED), ("2", *SUBJECTS), ("3", *ENTRY))
    comparison = compare(old, new)
    assert summary(comparison) == [
        ("unchanged", "1", "1"),
        ("added", None, "1a"),
        ("unchanged", "2", "2"),
        ("unchanged", "3", "3"),
    ]
    assert comparison.changes[1].new_path == "dieu-1a"


def test_article_12a_renumbered_into_the_sequence() -> None:
    # A law's next version folds the inserted article into the numbering.
    old = law(("12", *SCOPE), ("12a", *BANNED), ("13", *ENTRY))
    new = law(("12", *SCOPE), ("13", *BANNED), ("14", *ENTRY))
    assert summary(compare(old, new)) == [
        ("unchanged", "12", "12"),
        ("renumbered", "12a", "13"),
        ("renumbered", "13", "14"),
    ]


def test_removing_the_first_article_puts_it_first() -> None:
    old = law(("1", *SCOPE), ("2", *SUBJECTS), ("3", *ENTRY))
    new = law(("1", *SUBJECTS), ("2", *ENTRY))
    assert summary(compare(old, new)) == [
        ("removed", "1", None),
        ("renumbered", "2", "1"),
        ("renumbered", "3", "2"),
    ]


def test_articles_that_swap_places() -> None:
    old = law(("1", *SCOPE), ("2", *SUBJECTS), ("3", *TERMS))
    new = law(("1", *SCOPE), ("2", *TERMS), ("3", *SUBJECTS))
    assert summary(compare(old, new)) == [
        ("unchanged", "1", "1"),
        ("renumbered", "3", "2"),
        ("renumbered", "2", "3"),
    ]


# --------------------------------------------------------------------------
# Matching rules: content over number, and when the number still counts
# --------------------------------------------------------------------------


def test_number_taken_by_another_articles_text_is_not_a_change() -> None:
    # Điều 5 is deleted and Điều 6, lightly edited, becomes Điều 5; a new Điều 6 follows.
    # Old Điều 5 and new Điều 5 share a number only: the text went with old Điều 6.
    old = law(("4", *SCOPE), ("5", *POLICY), ("6", *PRINCIPLES))
    new = law(("4", *SCOPE), ("5", *PRINCIPLES_EDITED), ("6", *BANNED))
    assert summary(compare(old, new)) == [
        ("unchanged", "4", "4"),
        ("removed", "5", None),  # where it stood: after Điều 4, before old Điều 6
        ("renumbered_changed", "6", "5"),
        ("added", None, "6"),
    ]


def test_same_number_and_heading_rewritten_is_a_change() -> None:
    # The 2017 amendments rewrote whole articles of the Penal Code under the same heading.
    rewritten = (POLICY[0], "Nhà nước bảo hộ quyền sở hữu trí tuệ của nhà khoa học.")
    comparison = compare(law(("5", *POLICY)), law(("5", *rewritten)))
    changed = only(comparison, "changed")
    assert changed.similarity < 0.4


def test_same_number_different_heading_and_text_is_removed_and_added() -> None:
    comparison = compare(law(("5", *POLICY)), law(("5", *BANNED)))
    assert summary(comparison) == [("removed", "5", None), ("added", None, "5")]


def test_same_number_similar_text_new_heading_is_a_change() -> None:
    renamed = ("Phạm vi áp dụng", SCOPE[1])
    assert summary(compare(law(("1", *SCOPE)), law(("1", *renamed)))) == [("changed", "1", "1")]


def test_repeal_note_at_the_same_number_is_a_change() -> None:
    comparison = compare(
        law(("1", *SCOPE), ("2", *POLICY), ("3", *ENTRY)),
        law(("1", *SCOPE), ("2", "(được bãi bỏ)", ""), ("3", *ENTRY)),
    )
    assert summary(comparison) == [
        ("unchanged", "1", "1"),
        ("changed", "2", "2"),
        ("unchanged", "3", "3"),
    ]
    note = comparison.changes[1]
    assert note.new_heading == "(được bãi bỏ)"
    assert rebuild(note.words, "new").startswith("Điều 2. (được bãi bỏ)")


def test_moved_article_with_new_heading_needs_most_of_its_words() -> None:
    long_text = " ".join(f"Khoản về nội dung số {n} của hoạt động thử nghiệm." for n in range(12))
    edited = long_text.replace("số 3 ", "số ba ").replace("số 7 ", "thứ bảy ")
    old = law(("1", *SCOPE), ("2", "Nội dung thử nghiệm", long_text))
    new = law(("1", "Tên khác", long_text[:60]), ("2", *SCOPE), ("3", "Hoạt động", edited))
    comparison = compare(old, new)
    assert summary(comparison) == [
        ("added", None, "1"),
        ("renumbered", "1", "2"),
        ("renumbered_changed", "2", "3"),
    ]


# --------------------------------------------------------------------------
# Amending laws: quoted articles are text of the amending clause
# --------------------------------------------------------------------------

AMENDING = """Điều 1. Sửa đổi, bổ sung một số điều của Luật Tần số vô tuyến điện
1. Sửa đổi, bổ sung khoản 11 Điều 8 như sau:
“11. Người đang phục vụ trong ngành ngoại giao đã được phong hàm ngoại giao.”.
2. Sửa đổi, bổ sung Điều 18 và bổ sung Điều 18a vào sau Điều 18 như sau:
“Điều 18. Phương thức cấp giấy phép
1. Phương thức cấp giấy phép bao gồm:
a) Cấp giấy phép thông qua đấu giá;
b) Cấp giấy phép thông qua thi tuyển.
2. Chính phủ quy định chi tiết Điều này.
Điều 18a. Điều kiện tham gia đấu giá
1. Tổ chức tham gia đấu giá phải có giấy phép.
2. Chính phủ quy định chi tiết Điều này.”.
Điều 2. Hiệu lực thi hành
Luật này có hiệu lực thi hành từ ngày 15 tháng 8 năm 2023.
"""


def test_change_inside_a_quoted_article_is_a_change_of_the_amending_article() -> None:
    edited = AMENDING.replace("thông qua thi tuyển", "thông qua thi tuyển hoặc xét duyệt")
    comparison = compare(AMENDING, edited)
    assert summary(comparison) == [("changed", "1", "1"), ("unchanged", "2", "2")]
    assert [w for w in comparison.changes[0].words if w.op != "equal"] == [
        WordChange("insert", "", "hoặc xét duyệt")  # the space went with "tuyển "
    ]


def test_quoted_article_added_to_an_amendment_is_not_a_top_level_article() -> None:
    quoted_18b = (
        "Điều 18b. Thu hồi giấy phép\n1. Giấy phép bị thu hồi khi vi phạm.\n"
        "2. Chính phủ quy định chi tiết Điều này.”.\n"
    )
    edited = AMENDING.replace(
        "2. Chính phủ quy định chi tiết Điều này.”.\n",
        "2. Chính phủ quy định chi tiết Điều này.\n" + quoted_18b,
    )
    comparison = compare(AMENDING, edited)
    assert summary(comparison) == [("changed", "1", "1"), ("unchanged", "2", "2")]
    numbers = {number for c in comparison.changes for number in (c.old_number, c.new_number)}
    assert numbers == {"1", "2"}


# --------------------------------------------------------------------------
# What counts as the same text: case, diacritics, spacing
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old_body", "new_body"),
    [
        ("Ủy ban Thường vụ Quốc hội quyết định.", "Uỷ ban Thường vụ Quốc hội quyết định."),
        ("Hòa giải viên được hỗ trợ.", "Hoà giải viên được hỗ trợ."),
        ("Bảo vệ sức khỏe của thủy thủ.", "Bảo vệ sức khoẻ của thuỷ thủ."),
        ("HÒA GIẢI, ỦY QUYỀN.", "HOÀ GIẢI, UỶ QUYỀN."),
        ("1. Khoản một;\n2. Khoản hai.", "1.  Khoản một ;\n\n\n2. Khoản\thai."),
        ("Người đại diện.", unicodedata.normalize("NFD", "Người đại diện.")),
        ("Đăng ký tại Sở.", "Ðăng ký tại Sở."),  # Icelandic eth typed for Đ
    ],
)
def test_spelling_variants_and_spacing_are_not_changes(old_body: str, new_body: str) -> None:
    comparison = compare(law(("1", "Tên", old_body)), law(("1", "Tên", new_body)))
    assert summary(comparison) == [("unchanged", "1", "1")]


def test_tone_mark_variants_inside_a_changed_article_stay_equal() -> None:
    old = law(("1", "Tên", "Ủy ban Thường vụ Quốc hội quyết định việc hòa giải."))
    new = law(("1", "Tên", "Uỷ ban Thường vụ Quốc hội quyết định việc hoà giải ngay."))
    changed = only(compare(old, new), "changed")
    assert [w for w in changed.words if w.op != "equal"] == [WordChange("insert", "", "ngay")]
    assert changed.words[0].old.count("Ủy") == changed.words[0].new.count("Uỷ") == 1


@pytest.mark.parametrize(
    ("old_body", "new_body"),
    [
        ("Hoàng gia quyết định.", "Hòang gia quyết định."),  # a closed syllable: one placement
        ("Tài sản quý hiếm.", "Tài sản qúy hiếm."),  # "qu" is a consonant: the mark is on y
    ],
)
def test_misplaced_marks_are_changes(old_body: str, new_body: str) -> None:
    comparison = compare(law(("1", "Tên", old_body)), law(("1", "Tên", new_body)))
    assert summary(comparison) == [("changed", "1", "1")]


def test_a_changed_diacritic_is_a_change() -> None:
    old = law(("1", "Tên", "Người bán hàng phải niêm yết giá."))
    new = law(("1", "Tên", "Người bàn hàng phải niêm yết giá."))
    changed = only(compare(old, new), "changed")
    assert [w for w in changed.words if w.op != "equal"] == [WordChange("replace", "bán ", "bàn ")]


def test_a_changed_capital_is_a_change() -> None:
    old = law(("1", "Tên", "Trách nhiệm của Chính phủ và bộ, ngành."))
    new = law(("1", "Tên", "Trách nhiệm của Chính Phủ và bộ, ngành."))
    changed = only(compare(old, new), "changed")
    assert [w for w in changed.words if w.op != "equal"] == [WordChange("replace", "phủ ", "Phủ ")]
    assert changed.similarity < 1.0


def test_matching_ignores_case_and_diacritics() -> None:
    # A source that lost its diacritics and capitals still pairs article with article.
    text = TERMS[1]
    stripped = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    stripped = "".join(ch for ch in stripped if unicodedata.category(ch) != "Mn")
    old = law(("1", *SCOPE), ("2", "Giải thích từ ngữ", text))
    new = law(("1", *BANNED), ("2", *SCOPE), ("3", "giai thich tu ngu", stripped))
    assert summary(compare(old, new)) == [
        ("added", None, "1"),
        ("renumbered", "1", "2"),
        ("renumbered_changed", "2", "3"),
    ]


# --------------------------------------------------------------------------
# Texts without articles, empty texts
# --------------------------------------------------------------------------

RESOLUTION = (
    "NGHỊ QUYẾT\nVề việc phê chuẩn kết quả bầu Phó Chủ tịch Hội đồng nhân dân tỉnh\n"
    "Phê chuẩn kết quả bầu ông Nguyễn Văn A giữ chức Phó Chủ tịch Hội đồng nhân dân tỉnh "
    "nhiệm kỳ 2021 - 2026.\n"
)


def test_empty_texts() -> None:
    empty = compare("", "")
    assert empty.changes == ()
    assert set(empty.counts.values()) == {0}
    assert compare("  \n", "\n").changes == ()
    added = compare("", OLD_LAW)
    assert summary(added) == [("added", None, n) for n in "123456"]
    removed = compare(OLD_LAW, "")
    assert summary(removed) == [("removed", n, None) for n in "123456"]


def test_text_without_articles_compares_as_one_block() -> None:
    edited = RESOLUTION.replace("ông Nguyễn Văn A", "bà Trần Thị B")
    comparison = compare(RESOLUTION, edited)
    block = only(comparison, "changed")
    assert (block.old_path, block.new_path, block.old_number, block.new_number) == (
        None,
        None,
        None,
        None,
    )
    assert rebuild(block.words, "old") == RESOLUTION
    assert rebuild(block.words, "new") == edited
    assert [w for w in block.words if w.op != "equal"] == [
        WordChange("replace", "ông Nguyễn Văn A ", "bà Trần Thị B ")
    ]
    assert summary(compare(RESOLUTION, RESOLUTION)) == [("unchanged", None, None)]
    assert summary(compare("", RESOLUTION)) == [("added", None, None)]
    assert summary(compare(RESOLUTION, " ")) == [("removed", None, None)]


def test_text_gaining_articles_compares_as_one_block() -> None:
    comparison = compare(RESOLUTION, OLD_LAW)
    assert summary(comparison) == [("changed", None, None)]


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

WORDS = ["luật", "này", "quy", "định", "Điều", "hòa", "hoà", "Ủy", "ban", "1.", "a)", "“", "”"]
word_text = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
article = st.tuples(
    st.sampled_from(["1", "2", "2a", "3", "5", "10"]),
    st.sampled_from(["Phạm vi", "Giải thích từ ngữ", "", "(được bãi bỏ)"]),
    st.lists(word_text, max_size=3).map("\n".join),
)
structured = st.lists(article, max_size=6).map(
    lambda items: "\n".join(f"Điều {n}. {h}\n{b}" for n, h, b in items)
)
any_text = st.one_of(structured, st.text(max_size=300))


@given(any_text)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_compared_with_itself_is_unchanged(text: str) -> None:
    comparison = compare(text, text)
    assert {c.status for c in comparison.changes} <= {"unchanged"}
    articles = [p for p in parse_parts(text) if p.kind == "article"]
    expected = len(articles) if articles else int(bool(text.strip()))
    assert len(comparison.changes) == expected


@given(any_text, any_text)
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_word_changes_rebuild_both_texts(old: str, new: str) -> None:
    compare(old, new)  # check_consistent rebuilds every article from its word changes


# --------------------------------------------------------------------------
# Real documents from the shared corpus
# --------------------------------------------------------------------------


def sample_documents() -> Iterator[dict[str, object]]:
    if not SAMPLE.exists():
        pytest.skip(f"the shared corpus is not beside the repository ({SAMPLE} is missing)")
    with SAMPLE.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


@pytest.fixture(scope="module")
def sample() -> dict[str, dict[str, object]]:
    return {str(doc["id"]): doc for doc in sample_documents()}


LABEL_RE = re.compile(r"Điều (\d+[a-z]?)\. ")


def edit_law(text: str) -> tuple[str, str]:
    """Insert an article after Điều 5, remove Điều 10, edit Điều 20, renumber what follows.

    Text outside the articles (chapter titles, the enacting formula) is kept where it was.
    Returns the new text and the edited article's new text.
    """
    parts = [p for p in parse_parts(text) if p.kind == "article"]
    pieces = [text[: parts[0].start]]
    number = 0
    edited_article = ""
    for index, part in enumerate(parts):
        end = parts[index + 1].start if index + 1 < len(parts) else len(text)
        article, gap = text[part.start : part.end], text[part.end : end]
        label = LABEL_RE.match(article)
        assert label, article[:40]
        if part.number == "10":
            pieces.append(gap.lstrip("\n") if pieces[-1].endswith("\n") else gap)
            continue
        number += 1
        body = article[label.end() :]
        if part.number == "20":
            body = body.replace(" và ", " hoặc ", 1)
            edited_article = f"Điều {number}. {body}"
        pieces.append(f"Điều {number}. {body}")
        if part.number == "5":
            number += 1
            pieces.append(
                f"\nĐiều {number}. Hợp tác quốc tế về cảnh vệ\n"
                "1. Nhà nước mở rộng hợp tác quốc tế về cảnh vệ trên cơ sở tôn trọng độc lập.\n"
                "2. Bộ Công an chủ trì thực hiện hợp tác quốc tế về cảnh vệ."
            )
        pieces.append(gap)
    return "".join(pieces), edited_article


@pytest.mark.corpus
def test_known_edits_to_a_real_law_are_found_exactly(
    sample: dict[str, dict[str, object]],
) -> None:
    text = str(sample["phapdien-124614"]["text"])  # Luật Cảnh vệ: 33 articles, 6 chapters
    new_text, edited_article = edit_law(text)
    comparison = compare(text, new_text)
    statuses = {(c.old_number, c.new_number): c.status for c in comparison.changes}
    expected: dict[tuple[str | None, str | None], str] = {}
    for n in range(1, 34):
        if n <= 5 or n >= 11:
            expected[(str(n), str(n))] = "unchanged"
        elif n < 10:
            expected[(str(n), str(n + 1))] = "renumbered"
    expected[("10", None)] = "removed"
    expected[(None, "6")] = "added"
    expected[("20", "20")] = "changed"
    assert statuses == expected
    assert comparison.counts == {
        "unchanged": 27,
        "changed": 1,
        "added": 1,
        "removed": 1,
        "renumbered": 4,
        "renumbered_changed": 0,
    }
    changed = only(comparison, "changed")
    assert [w for w in changed.words if w.op != "equal"] == [WordChange("replace", "và ", "hoặc ")]
    assert rebuild(changed.words, "new") == edited_article
    assert [c.status for c in comparison.changes][9:12] == ["renumbered", "removed", "unchanged"]


@pytest.mark.corpus
def test_full_text_against_codified_text_of_the_same_law(
    sample: dict[str, dict[str, object]],
) -> None:
    # Luật Thuế thu nhập doanh nghiệp 14/2008/QH12: the full text in the corpus lacks Điều 14,
    # 17 and 20, which the codified text (as amended since) has; no article moved.
    doc = sample["phapdien-12807"]
    old, new = str(doc["text"]), str(doc["codified_text"])
    comparison = compare(old, new)
    assert [(c.status, c.new_path) for c in comparison.changes if c.status == "added"] == [
        ("added", "dieu-14"),
        ("added", "dieu-17"),
        ("added", "dieu-20"),
    ]
    counts = comparison.counts
    assert counts["removed"] == counts["renumbered"] == counts["renumbered_changed"] == 0
    assert counts["unchanged"] + counts["changed"] == 17
    assert counts["changed"] >= 5, "the codified text carries the later amendments"


@pytest.mark.corpus
def test_versions_differing_in_layout_only_are_unchanged(
    sample: dict[str, dict[str, object]],
) -> None:
    # Luật Phòng, chống khủng bố: the codified text puts blank lines between paragraphs.
    doc = sample["phapdien-32495"]
    old, new = str(doc["text"]), str(doc["codified_text"])
    old_articles = article_texts(old, parse_parts(old))
    new_articles = article_texts(new, parse_parts(new))
    assert sum(old_articles[p] != new_articles[p] for p in old_articles) > 10
    comparison = compare(old, new)
    assert comparison.counts["unchanged"] == len(comparison.changes) == 51


@pytest.mark.corpus
def test_every_sample_pair_of_versions_compares_consistently(
    sample: dict[str, dict[str, object]],
) -> None:
    pairs = [doc for doc in sample.values() if doc.get("codified_text")]
    assert len(pairs) >= 10
    for doc in pairs:
        compare(str(doc["text"]), str(doc["codified_text"]))  # consistency is checked inside


@pytest.mark.corpus
def test_every_sample_document_compared_with_itself_is_unchanged(
    sample: dict[str, dict[str, object]],
) -> None:
    for doc in sample.values():
        comparison = compare_texts(str(doc["text"]), str(doc["text"]))
        assert set(comparison.counts) == set(STATUSES)
        assert comparison.counts["unchanged"] == len(comparison.changes) > 0, doc["id"]


@pytest.mark.corpus
@pytest.mark.slow
def test_penal_code_against_its_codified_text() -> None:
    """Bộ luật Hình sự 2015 against the codified text with the 2017 amendments: same numbers,
    Điều 217a inserted, many articles rewritten under their heading (hence changed)."""
    if not FULL.exists():
        pytest.skip(f"the full corpus is not beside the repository ({FULL} is missing)")
    with gzip.open(FULL, "rt", encoding="utf-8") as lines:
        doc = next(json.loads(line) for line in lines if '"phapdien-96122"' in line[:60])
    comparison = compare(doc["text"], doc["codified_text"])
    added = [c.new_number for c in comparison.changes if c.status == "added"]
    assert added == ["217a"]
    counts = comparison.counts
    assert counts["removed"] == counts["renumbered"] == counts["renumbered_changed"] == 0
    assert counts["unchanged"] + counts["changed"] == 426
    assert counts["unchanged"] > 150
    repealed = next(c for c in comparison.changes if c.old_path == "dieu-292")
    assert (repealed.status, repealed.new_heading) == ("changed", "(bị bãi bỏ)")
