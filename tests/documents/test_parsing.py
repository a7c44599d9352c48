"""Splitting legal texts into chapters, sections, articles, clauses and points.

Hand-written texts pin down each rule; the real documents of the shared corpus
(read at run time, skipped when the corpus is absent) check that the rules hold
on what the sources actually contain; a property test checks that any input
parses without error into well-nested parts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lis.documents.parsing import Part, article_texts, parse_parts, roman_to_int

CORPUS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
SAMPLE = CORPUS_DIR / "vn_legal_docs.sample300.jsonl"

LABEL_PATTERNS = {
    "chapter": re.compile(r"(?:Chương|CHƯƠNG) "),
    "section": re.compile(r"(?:Mục|MỤC) "),
    "article": re.compile(r"(?:[ĐÐ]iều|ĐIỀU) ?\d"),
    "clause": re.compile(r"\d+[a-zđ]?\."),
    "point": re.compile(r"[a-zđư]\d*\)"),
}
ALLOWED_PARENTS = {
    "chapter": {None},
    "section": {None, "chapter"},
    "article": {None, "chapter", "section"},
    "clause": {"article"},
    "point": {"clause", "article"},
}


def check_well_formed(text: str, parts: list[Part]) -> None:
    """Invariants every result must satisfy, whatever the input."""
    paths = [part.path for part in parts]
    assert len(paths) == len(set(paths)), "paths must be unique"
    previous_start = -1
    for index, part in enumerate(parts):
        assert part.path.isascii() and " " not in part.path
        assert 0 <= part.start < part.end <= len(text)
        assert part.start > previous_start, "parts come in document order"
        previous_start = part.start
        body = text[part.start : part.end]
        assert LABEL_PATTERNS[part.kind].match(body), (part, body[:40])
        assert body == body.rstrip(), "a part does not end with blank lines"
        assert part.heading == part.heading.strip() and "\n" not in part.heading
        if part.kind in ("clause", "point"):
            assert part.heading == ""
        parent_kind = None
        if part.parent is not None:
            assert 0 <= part.parent < index
            parent = parts[part.parent]
            parent_kind = parent.kind
            assert parent.start < part.start and part.end <= parent.end
            assert part.path.startswith(parent.path + "/") or part.kind == "article"
        assert parent_kind in ALLOWED_PARENTS[part.kind], (part, parent_kind)
    # Siblings do not overlap: a part ends before the next part that is not inside it.
    for index, part in enumerate(parts[:-1]):
        following = parts[index + 1]
        if following.parent != index:
            assert part.end <= following.start


def summary(parts: list[Part]) -> list[tuple[str, str, int | None]]:
    """(path, heading, parent path index) — compact enough to compare whole results."""
    return [(part.path, part.heading, part.parent) for part in parts]


def part_at(parts: list[Part], path: str) -> Part:
    matches = [part for part in parts if part.path == path]
    assert len(matches) == 1, f"{path} not found in {[p.path for p in parts]}"
    return matches[0]


# --------------------------------------------------------------------------
# Hand-written texts, one rule at a time
# --------------------------------------------------------------------------

LAW = """QUỐC HỘI
Luật số: 99/2099/QH99
LUẬT
THỬ NGHIỆM
Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;
Quốc hội ban hành Luật Thử nghiệm.
Chương I
NHỮNG QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Luật này quy định về thử nghiệm.
Điều 2. Giải thích từ ngữ
Trong Luật này, các từ ngữ dưới đây được hiểu như sau:
1. Thử nghiệm là việc làm thử.
2. Người thử nghiệm gồm:
a) Cơ quan nhà nước;
b) Tổ chức;
c) Cá nhân;
d) Hộ gia đình;
đ) Cộng đồng dân cư.
Chương II
HOẠT ĐỘNG THỬ NGHIỆM
Mục 1
ĐĂNG KÝ
Điều 3. Đăng ký thử nghiệm
1. Tổ chức đăng ký trước khi thử nghiệm.
2. Chính phủ quy định chi tiết Điều này.
Mục 2. THỰC HIỆN
Điều 4. Thực hiện thử nghiệm
Việc thực hiện gồm các bước sau đây:
a) Chuẩn bị;
b) Tiến hành;
c) Báo cáo.
Luật này được Quốc hội khóa XV thông qua ngày 01 tháng 01 năm 2099.
CHỦ TỊCH QUỐC HỘI
Nguyễn Văn A
"""


def test_full_structure_of_a_small_law() -> None:
    parts = parse_parts(LAW)
    check_well_formed(LAW, parts)
    assert summary(parts) == [
        ("chuong-I", "NHỮNG QUY ĐỊNH CHUNG", None),
        ("dieu-1", "Phạm vi điều chỉnh", 0),
        ("dieu-2", "Giải thích từ ngữ", 0),
        ("dieu-2/khoan-1", "", 2),
        ("dieu-2/khoan-2", "", 2),
        ("dieu-2/khoan-2/diem-a", "", 4),
        ("dieu-2/khoan-2/diem-b", "", 4),
        ("dieu-2/khoan-2/diem-c", "", 4),
        ("dieu-2/khoan-2/diem-d", "", 4),
        ("dieu-2/khoan-2/diem-dd", "", 4),
        ("chuong-II", "HOẠT ĐỘNG THỬ NGHIỆM", None),
        ("chuong-II/muc-1", "ĐĂNG KÝ", 10),
        ("dieu-3", "Đăng ký thử nghiệm", 11),
        ("dieu-3/khoan-1", "", 12),
        ("dieu-3/khoan-2", "", 12),
        ("chuong-II/muc-2", "THỰC HIỆN", 10),
        ("dieu-4", "Thực hiện thử nghiệm", 15),
        ("dieu-4/diem-a", "", 16),
        ("dieu-4/diem-b", "", 16),
        ("dieu-4/diem-c", "", 16),
    ]
    point = part_at(parts, "dieu-2/khoan-2/diem-dd")
    assert (point.kind, point.number) == ("point", "đ")
    assert LAW[point.start : point.end] == "đ) Cộng đồng dân cư."


def test_offsets_cover_label_and_children() -> None:
    parts = parse_parts(LAW)
    chapter = part_at(parts, "chuong-I")
    assert LAW[chapter.start : chapter.end].startswith("Chương I\nNHỮNG QUY ĐỊNH CHUNG\nĐiều 1.")
    assert LAW[chapter.start : chapter.end].endswith("đ) Cộng đồng dân cư.")
    clause = part_at(parts, "dieu-2/khoan-2")
    assert LAW[clause.start : clause.end] == (
        "2. Người thử nghiệm gồm:\na) Cơ quan nhà nước;\nb) Tổ chức;\nc) Cá nhân;\n"
        "d) Hộ gia đình;\nđ) Cộng đồng dân cư."
    )


def test_preamble_and_signature_belong_to_no_part() -> None:
    parts = parse_parts(LAW)
    assert parts[0].start == LAW.index("Chương I")
    last_article = part_at(parts, "dieu-4")
    assert LAW[last_article.start : last_article.end].endswith("c) Báo cáo.")
    assert all("CHỦ TỊCH" not in LAW[p.start : p.end] for p in parts)


def test_enacting_sentence_inside_an_article_is_its_body() -> None:
    # phapdien-153920: a resolution of the Supreme People's Court's council of judges.
    text = (
        "Điều 1. Phạm vi\nNội dung.\nĐiều 2. Hiệu lực thi hành\n"
        "Nghị quyết này đã được Hội đồng Thẩm phán Tòa án nhân dân tối cao thông qua ngày "
        "06 tháng 01 năm 2017 và có hiệu lực thi hành kể từ ngày 24 tháng 02 năm 2017.\n"
    )
    last = part_at(parse_parts(text), "dieu-2")
    assert text[last.start : last.end].endswith("24 tháng 02 năm 2017.")


def test_numbers_and_kinds() -> None:
    parts = parse_parts(LAW)
    assert [(p.kind, p.number) for p in parts[:5]] == [
        ("chapter", "I"),
        ("article", "1"),
        ("article", "2"),
        ("clause", "1"),
        ("clause", "2"),
    ]


def test_chapter_title_on_the_same_line_and_arabic_numbers() -> None:
    text = (
        "Chương 1: QUY ĐỊNH CHUNG\nĐiều 1: Phạm vi\nNội dung.\n"
        "CHƯƠNG 2 - ĐIỀU KHOẢN THI HÀNH\nĐiều 2 Hiệu lực thi hành\nNội dung."
    )
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert summary(parts) == [
        ("chuong-1", "QUY ĐỊNH CHUNG", None),
        ("dieu-1", "Phạm vi", 0),
        ("chuong-2", "ĐIỀU KHOẢN THI HÀNH", None),
        ("dieu-2", "Hiệu lực thi hành", 2),
    ]


def test_inserted_articles_clauses_and_points() -> None:
    text = """Điều 1. Một
1. Khoản một.
1a. Khoản một a.
2. Khoản hai:
a) Điểm a;
a1) Điểm a1;
b) Điểm b.
Điều 1a. Một a
Nội dung.
Điều 12b: Mười hai b
Nội dung.
Điều 12đ. Mười hai đ
Nội dung.
"""
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert [p.path for p in parts] == [
        "dieu-1",
        "dieu-1/khoan-1",
        "dieu-1/khoan-1a",
        "dieu-1/khoan-2",
        "dieu-1/khoan-2/diem-a",
        "dieu-1/khoan-2/diem-a1",
        "dieu-1/khoan-2/diem-b",
        "dieu-1a",
        "dieu-12b",
        "dieu-12dd",
    ]
    assert [p.number for p in parts if p.kind == "article"] == ["1", "1a", "12b", "12đ"]
    assert part_at(parts, "dieu-12b").heading == "Mười hai b"


def test_points_directly_under_an_article_then_clauses_nest_points() -> None:
    text = """Điều 7. Các hành vi bị nghiêm cấm
a) Gian lận;
b) Bạo lực;
Điều 8. Trách nhiệm
1. Bộ có trách nhiệm:
a) Ban hành;
b) Kiểm tra.
2. Tỉnh có trách nhiệm:
a) Thực hiện.
"""
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert summary(parts) == [
        ("dieu-7", "Các hành vi bị nghiêm cấm", None),
        ("dieu-7/diem-a", "", 0),
        ("dieu-7/diem-b", "", 0),
        ("dieu-8", "Trách nhiệm", None),
        ("dieu-8/khoan-1", "", 3),
        ("dieu-8/khoan-1/diem-a", "", 4),
        ("dieu-8/khoan-1/diem-b", "", 4),
        ("dieu-8/khoan-2", "", 3),
        ("dieu-8/khoan-2/diem-a", "", 7),
    ]


# Shortened from Luật số 23/2023/QH15 (amending the Law on exit and entry) and
# Luật số 09/2022/QH15 (radio frequencies) as written in the corpus: quoted
# clauses, points and articles of the amended law follow the amending law's own
# clauses and points.
AMENDING = """Điều 1. Sửa đổi, bổ sung một số điều của Luật Xuất cảnh, nhập cảnh
1. Sửa đổi, bổ sung một số khoản của Điều 6 như sau:
a) Bổ sung điểm đ vào sau điểm d khoản 1 như sau:
“đ) Giấy tờ khác theo quy định tại điều ước quốc tế mà Việt Nam là thành viên.”;
b) Sửa đổi, bổ sung khoản 3 như sau:
“3. Thông tin trên giấy tờ xuất nhập cảnh bao gồm:
a) Ảnh chân dung;
b) Họ, chữ đệm và tên;
c) Giới tính;
i) Thông tin khác do Chính phủ quy định.”.
2. Sửa đổi, bổ sung khoản 11 Điều 8 như sau:
“11. Người đang phục vụ trong ngành ngoại giao đã được phong hàm ngoại giao.”.
3. Sửa đổi, bổ sung Điều 18 và bổ sung Điều 18a vào sau Điều 18 như sau:
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


def test_quoted_amendments_stay_inside_the_amending_clause() -> None:
    parts = parse_parts(AMENDING)
    check_well_formed(AMENDING, parts)
    assert [p.path for p in parts] == [
        "dieu-1",
        "dieu-1/khoan-1",
        "dieu-1/khoan-1/diem-a",
        "dieu-1/khoan-1/diem-b",
        "dieu-1/khoan-2",
        "dieu-1/khoan-3",
        "dieu-2",
    ]
    point_b = part_at(parts, "dieu-1/khoan-1/diem-b")
    assert AMENDING[point_b.start : point_b.end].endswith(
        "i) Thông tin khác do Chính phủ quy định.”."
    )
    clause_3 = part_at(parts, "dieu-1/khoan-3")
    quoted = AMENDING[clause_3.start : clause_3.end]
    assert "Điều 18a. Điều kiện tham gia đấu giá" in quoted
    assert quoted.endswith("2. Chính phủ quy định chi tiết Điều này.”.")


def test_quoted_article_with_straight_quotes() -> None:
    text = (
        "Điều 1. Sửa đổi\n1. Điều 5 được sửa đổi như sau:\n"
        '"Điều 5. Tên điều\n1. Khoản một.\n2. Khoản hai."\n'
        "2. Điều 6 được bãi bỏ.\nĐiều 2. Hiệu lực\nNội dung."
    )
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert [p.path for p in parts] == ["dieu-1", "dieu-1/khoan-1", "dieu-1/khoan-2", "dieu-2"]


def test_stray_opening_quote_does_not_swallow_the_rest() -> None:
    # Codified sources leave opening marks that are never closed (phapdien-27855).
    text = """Điều 11. Cập nhật kiến thức
1. Khoản một.
“2. Khoản hai có dấu mở ngoặc kép bị bỏ sót dấu đóng.
3. Khoản ba.
Điều 12. Chưa đủ giờ
1. Khoản một.
Điều 13. Hiệu lực
Nội dung.
"""
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert [p.path for p in parts if p.kind == "article"] == ["dieu-11", "dieu-12", "dieu-13"]
    assert "dieu-12/khoan-1" in [p.path for p in parts]


def test_stray_opening_quote_in_the_last_article() -> None:
    text = "Điều 1. Một\n1. Khoản một.\n“2. Khoản hai, không đóng ngoặc kép.\n3. Khoản ba.\n"
    assert [p.path for p in parse_parts(text)] == ["dieu-1", "dieu-1/khoan-1", "dieu-1/khoan-3"]


def test_stray_quote_closed_much_later_does_not_hide_the_next_article() -> None:
    # phapdien-135450: the quoted point is never closed, and the next closing mark
    # belongs to another quotation two articles further.
    text = """Điều 9. Sửa đổi Thông tư số 13/2019
1. Sửa đổi, bổ sung điểm b khoản 2 Điều 10 như sau:
“b) Cấp thẻ có giá trị sử dụng ngắn hạn tại 01 cảng hàng không.
Điều 10. Thẩm quyền cấp thẻ
1. Cục Hàng không Việt Nam cấp thẻ.
2. Cảng vụ hàng không cấp giấy phép.
Điều 11. Sửa đổi Thông tư số 01/2016
1. Sửa đổi khoản 3 như sau:
“3. Thẻ có giá trị một năm.”.
2. Bãi bỏ khoản 4.
"""
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert [p.path for p in parts] == [
        "dieu-9",
        "dieu-9/khoan-1",
        "dieu-10",
        "dieu-10/khoan-1",
        "dieu-10/khoan-2",
        "dieu-11",
        "dieu-11/khoan-1",
        "dieu-11/khoan-2",
    ]


def test_unclosed_quoted_article_ends_at_the_next_announced_quotation() -> None:
    # vlc-luat-sua-doi-bo-sung-mot-so-dieu-cua-luat-so-huu-tri-tue: the quotation of
    # Điều 131a is never closed; the amending clause that follows must still be found.
    text = """Điều 1. Sửa đổi, bổ sung một số điều của Luật Sở hữu trí tuệ
1. Sửa đổi, bổ sung điểm d khoản 1 Điều 130 như sau:
“d) Chiếm hữu, sử dụng tên miền trùng với nhãn hiệu.”.
2. Bổ sung Điều 131a vào sau Điều 131 như sau:
“Điều 131a. Đền bù cho chủ sở hữu sáng chế
1. Khi thực hiện thủ tục duy trì hiệu lực, chủ sở hữu được đền bù.
3a. Một dòng đánh số trong điều được trích dẫn.
3. Bổ sung Điều 133a vào sau Điều 133 như sau:
“Điều 133a. Quyền của Nhà nước đối với sáng chế
1. Đại diện chủ sở hữu nhà nước thông báo công khai.”.
4. Sửa đổi, bổ sung Điều 135 như sau:
“Điều 135. Nghĩa vụ trả thù lao cho tác giả
Chủ sở hữu có nghĩa vụ trả thù lao.”.
Điều 2. Hiệu lực thi hành
Luật này có hiệu lực từ ngày 01 tháng 01 năm 2023.
"""
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert [p.path for p in parts] == [
        "dieu-1",
        "dieu-1/khoan-1",
        "dieu-1/khoan-2",
        "dieu-1/khoan-3",
        "dieu-1/khoan-4",
        "dieu-2",
    ]


def test_unquoted_article_of_another_law_is_an_outlier() -> None:
    # Same law: a closing mark misplaced after Điều 191a leaves Điều 191b unquoted.
    text = """Điều 1. Sửa đổi, bổ sung một số điều của Luật Sở hữu trí tuệ
1. Bổ sung Điều 191a và Điều 191b như sau:
“Điều 191a. Nghĩa vụ của tổ chức chủ trì
1. Nộp đơn đăng ký.”.
Điều 191b. Quyền của Nhà nước đối với giống cây trồng
1. Đại diện chủ sở hữu nhà nước thông báo công khai.
2. Bãi bỏ Điều 192.
Điều 2. Hiệu lực thi hành
Nội dung.
Điều 3. Quy định chuyển tiếp
Nội dung.
"""
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert [p.path for p in parts if p.kind == "article"] == ["dieu-1", "dieu-2", "dieu-3"]


def test_quote_closed_by_a_mismatched_mark() -> None:
    # “Hồn tử sĩ’ (phapdien-153459): the apostrophe closes the quotation.
    text = (
        "Điều 1. Lễ viếng\nc) Trong quá trình viếng, cử nhạc “Hồn tử sĩ’.\n"
        "Điều 2. Lễ an táng\nNội dung."
    )
    parts = parse_parts(text)
    assert [p.path for p in parts if p.kind == "article"] == ["dieu-1", "dieu-2"]


def test_running_text_is_not_taken_for_labels() -> None:
    text = """Điều 1. Phạm vi
Người thử nghiệm phải đáp ứng các điều kiện quy định tại
Điều 5 của Luật này và
Điều kiện về vốn theo quy định của Chính phủ;
Điều này không áp dụng đối với cơ quan nhà nước;
Điều 7 Thông tư số 43/2018/TT-BNNPTNT ngày 28 tháng 12 năm 2018;
Điều 6, khoản 2 Điều 46 của Luật Giao thông đường bộ;
2020. Năm bắt đầu thực hiện.
1.000.000 đồng mỗi lần.
Mục tiêu 1. Xóa nghèo
Chương trình thử nghiệm quốc gia.
g) Tên viết tắt không phải là một điểm.
Điều 2. Đối tượng
Nội dung.
"""
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert [p.path for p in parts] == ["dieu-1", "dieu-2"]


def test_clause_numbers_must_follow_in_order() -> None:
    text = """Điều 1. Mức thu
1. Mức thu như sau:
a) Loại một: 10 đồng;
b) Loại hai:
1. Ô tô: 20 đồng;
2. Xe máy: 5 đồng.
2. Thời hạn nộp.
15. Một dòng số mười lăm.
3. Hiệu lực.
"""
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert [p.path for p in parts] == [
        "dieu-1",
        "dieu-1/khoan-1",
        "dieu-1/khoan-1/diem-a",
        "dieu-1/khoan-1/diem-b",
        "dieu-1/khoan-2",
        "dieu-1/khoan-3",
    ]


def test_one_missing_clause_does_not_hide_the_following_ones() -> None:
    # Codified texts drop repealed clauses; some sources lose a line.
    text = "Điều 4. Cơ quan\n1. Tổng cục.\n3. Cục.\n4. Chi cục.\n"
    assert [p.path for p in parse_parts(text)] == [
        "dieu-4",
        "dieu-4/khoan-1",
        "dieu-4/khoan-3",
        "dieu-4/khoan-4",
    ]


def test_duplicate_article_number_gets_a_suffix() -> None:
    text = "Điều 5. Cũ\n1. Một.\nĐiều 5. Mới\n1. Một.\nĐiều 6. Sau\nNội dung."
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert [p.path for p in parts] == [
        "dieu-5",
        "dieu-5/khoan-1",
        "dieu-5~2",
        "dieu-5~2/khoan-1",
        "dieu-6",
    ]
    assert [p.number for p in parts if p.kind == "article"] == ["5", "5", "6"]


def test_repeated_run_of_articles_is_not_taken_twice() -> None:
    # phapdien-71558 repeats Điều 11 to Điều 18 after Điều 18.
    text = "\n".join(
        [f"Điều {n}. Điều thứ {n}\nNội dung." for n in range(1, 5)]
        + [f"Điều {n}. Điều thứ {n}\nNội dung lặp." for n in range(2, 5)]
        + ["Điều 5. Hiệu lực\nNội dung."]
    )
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert [p.path for p in parts] == ["dieu-1", "dieu-2", "dieu-3", "dieu-4", "dieu-5"]
    assert text[parts[3].start : parts[3].end].endswith("Điều 4. Điều thứ 4\nNội dung lặp.")


def test_embedded_charter_restarting_at_article_1() -> None:
    # phapdien-34073: a decision whose Điều 2 carries a whole charter.
    text = """Điều 1. Thành lập Quỹ
Nội dung.
Điều 2. Điều lệ tổ chức và hoạt động của Quỹ
Ban hành kèm theo Quyết định này Điều lệ của Quỹ như sau:
Chương I
QUY ĐỊNH CHUNG
Điều 1. Địa vị pháp lý
Nội dung.
Điều 2. Tên gọi
Nội dung.
Chương II
TỔ CHỨC
Điều 3. Cơ cấu
Nội dung.
Điều 3. Nguồn hình thành Quỹ
Nội dung.
Điều 4. Điều khoản thi hành
Nội dung.
"""
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert summary(parts) == [
        ("dieu-1", "Thành lập Quỹ", None),
        ("dieu-2", "Điều lệ tổ chức và hoạt động của Quỹ", None),
        ("dieu-3", "Nguồn hình thành Quỹ", None),
        ("dieu-4", "Điều khoản thi hành", None),
    ]


def test_table_of_contents_and_tables_are_not_chapters() -> None:
    text = """CHƯƠNG I: NHỮNG QUY ĐỊNH CHUNG
CHƯƠNG II: THỎA THUẬN TRỌNG TÀI
Chương I
NHỮNG QUY ĐỊNH CHUNG
Điều 1. Phạm vi
Danh mục gồm:
Chương 1: Động vật sống
| 0101 | Ngựa |
Chương 2: Thịt
| 0201 | Thịt bò |
Chương II
THỎA THUẬN TRỌNG TÀI
Điều 2. Thỏa thuận
Nội dung.
"""
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert summary(parts) == [
        ("chuong-I", "NHỮNG QUY ĐỊNH CHUNG", None),
        ("dieu-1", "Phạm vi", 0),
        ("chuong-II", "THỎA THUẬN TRỌNG TÀI", None),
        ("dieu-2", "Thỏa thuận", 2),
    ]
    assert "| 0201 | Thịt bò |" in text[parts[1].start : parts[1].end]


def test_parts_of_a_code_restart_chapter_numbers() -> None:
    text = """Phần thứ nhất
NHỮNG QUY ĐỊNH CHUNG
Chương I
NHIỆM VỤ
Điều 1. Nhiệm vụ
Nội dung.
Phần thứ hai
XỬ PHẠT
Chương I
QUY ĐỊNH CHUNG VỀ XỬ PHẠT
Tiểu mục 1. NGUYÊN TẮC
Điều 2. Nguyên tắc xử phạt
Nội dung.
"""
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert summary(parts) == [
        ("chuong-I", "NHIỆM VỤ", None),
        ("dieu-1", "Nhiệm vụ", 0),
        ("chuong-I~2", "QUY ĐỊNH CHUNG VỀ XỬ PHẠT", None),
        ("dieu-2", "Nguyên tắc xử phạt", 2),
    ]
    first_chapter = parts[0]
    assert "Phần thứ hai" not in text[first_chapter.start : first_chapter.end]


def test_bare_article_label_with_heading_on_the_next_line() -> None:
    text = (
        "Điều 13.\nHoạt động chữ thập đỏ về phòng ngừa thảm họa\n"
        "Hoạt động chữ thập đỏ là hoạt động nhân đạo.\n"
        "Điều 14\nQuyền lập hội của nhân dân được tôn trọng và bảo đảm.\n"
    )
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert summary(parts) == [
        ("dieu-13", "Hoạt động chữ thập đỏ về phòng ngừa thảm họa", None),
        ("dieu-14", "", None),
    ]


def test_crlf_and_indentation() -> None:
    lf_parts = parse_parts(LAW)
    crlf = LAW.replace("\n", "\r\n")
    parts = parse_parts(crlf)
    check_well_formed(crlf, parts)
    assert summary(parts) == summary(lf_parts)
    for part in parts:
        assert "\r" not in part.heading
        assert not crlf[part.start : part.end].endswith("\r")
    indented = "\n".join("   " + line if line else line for line in LAW.split("\n"))
    parts = parse_parts(indented)
    check_well_formed(indented, parts)
    assert summary(parts) == summary(lf_parts)
    assert indented[parts[1].start : parts[1].start + 8] == "Điều 1. "


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t",
        "Không có điều khoản nào ở đây.",
        "1. Khoản không thuộc điều nào.\na) Điểm cũng vậy.",
        "\x00\x01\ufffd“”“",
        "Chương trình hành động\nMục tiêu chung\nĐiều kiện cần",
    ],
)
def test_nothing_recognised(text: str) -> None:
    assert parse_parts(text) == []


def test_article_texts() -> None:
    parts = parse_parts(AMENDING)
    texts = article_texts(AMENDING, parts)
    assert list(texts) == ["dieu-1", "dieu-2"]
    assert texts["dieu-2"] == (
        "Điều 2. Hiệu lực thi hành\nLuật này có hiệu lực thi hành từ ngày 15 tháng 8 năm 2023."
    )
    assert texts["dieu-1"].startswith("Điều 1. Sửa đổi, bổ sung")


def test_roman_numerals() -> None:
    assert [roman_to_int(n) for n in ["I", "IV", "IX", "XIV", "XL", "MCMXCIX"]] == [
        1,
        4,
        9,
        14,
        40,
        1999,
    ]
    assert roman_to_int("") is None
    assert roman_to_int("IIII") is None
    assert roman_to_int("ABC") is None


def test_parts_are_immutable() -> None:
    part = parse_parts(LAW)[0]
    with pytest.raises(AttributeError):
        part.path = "x"  # type: ignore[misc]


def test_large_texts_parse() -> None:
    """A code of 600 articles (about 600 kB); its speed is measured in bench/parse.py."""
    article = (
        "Điều {n}. Tiêu đề của điều {n}\n"
        "1. Khoản thứ nhất của điều này quy định về nội dung thử nghiệm dài vừa phải.\n"
        "2. Khoản thứ hai gồm các điểm sau đây:\n"
        "a) Điểm a với nội dung “trích dẫn” ngắn;\nb) Điểm b;\nc) Điểm c.\n"
        "3. Khoản thứ ba. {filler}\n"
    )
    filler = "Nội dung bổ sung để văn bản đủ dài. " * 20
    chapters = []
    for chapter in range(1, 31):
        body = "".join(
            article.format(n=n, filler=filler)
            for n in range((chapter - 1) * 20 + 1, chapter * 20 + 1)
        )
        chapters.append(f"Chương {chapter}\nTIÊU ĐỀ CHƯƠNG\n{body}")
    text = "".join(chapters)
    assert len(text) > 500_000
    parts = parse_parts(text)
    assert sum(p.kind == "article" for p in parts) == 600
    check_well_formed(text, parts)


def test_many_stray_quotes() -> None:
    """Quotes opened and never closed still give well-formed parts (speed: bench/parse.py)."""
    text = "Điều 1. Một\n" + "“Dòng có dấu mở ngoặc kép\n" * 20_000 + "Điều 2. Hai\nNội dung.\n"
    parts = parse_parts(text)
    check_well_formed(text, parts)


# --------------------------------------------------------------------------
# Any input: never raises, always well formed
# --------------------------------------------------------------------------

FRAGMENTS = [
    "Chương I",
    "CHƯƠNG II: TIÊU ĐỀ",
    "Chương 3",
    "NHỮNG QUY ĐỊNH CHUNG",
    "Mục 1",
    "MỤC 2. TIÊU ĐỀ MỤC",
    "Tiểu mục 1. TIÊU ĐỀ",
    "Phần thứ nhất",
    "Điều 1. Phạm vi",
    "Điều 2",
    "Điều 2a: Bổ sung",
    "Điều 10. Hiệu lực",
    "Điều kiện chung",
    "Điều 5 của Luật này",
    "1. Khoản một.",
    "1a. Khoản một a.",
    "2. Khoản hai:",
    "3.",
    "2020. Năm",
    "a) Điểm a;",
    "a1) Điểm a1;",
    "b) Điểm b;",
    "đ) Điểm đ.",
    "“Điều 5. Trích dẫn",
    "“1. Trích dẫn khoản",
    "nội dung.”.",
    '"Trích dẫn thẳng',
    'kết thúc."',
    "Hồn tử sĩ’",
    "như sau:",
    "Luật này được Quốc hội thông qua ngày 1 tháng 1 năm 2020.",
    "Nội dung bình thường.",
    "",
    "   ",
]

legal_like_text = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(alphabet=st.sampled_from('Điều1.a)“”"’ \tĐCM:\r'), max_size=12),
    ),
    max_size=60,
).flatmap(lambda lines: st.sampled_from(["\n", "\r\n", "\n\n"]).map(lambda sep: sep.join(lines)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(legal_like_text)
def test_any_legal_like_text_parses_into_well_nested_parts(text: str) -> None:
    parts = parse_parts(text)
    check_well_formed(text, parts)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_without_error(text: str) -> None:
    parts = parse_parts(text)
    check_well_formed(text, parts)


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


@pytest.mark.corpus
def test_every_sample_document_parses_well_formed(sample: dict[str, dict[str, object]]) -> None:
    assert len(sample) == 300
    for doc in sample.values():
        text = str(doc["text"])
        parts = parse_parts(text)
        check_well_formed(text, parts)
        assert any(p.kind == "article" for p in parts), doc["id"]


@pytest.mark.corpus
def test_codified_documents_have_their_articles_count(
    sample: dict[str, dict[str, object]],
) -> None:
    """On the whole corpus, 4,096 of the 4,119 codified documents match exactly; the
    others repeat an article label (kept as ``~2``) or have a count below the number of
    distinct articles their text holds."""
    codified = [doc for doc in sample.values() if doc["text_kind"] == "codified_articles"]
    mismatches = []
    for doc in codified:
        articles = [p for p in parse_parts(str(doc["text"])) if p.kind == "article"]
        if len(articles) != doc["articles_count"]:
            mismatches.append((doc["id"], doc["articles_count"], len(articles)))
    assert len(codified) == 276
    assert len(mismatches) <= 2, mismatches
    # phapdien-126819 repeats the label of its Điều 23.
    assert all(doc_id == "phapdien-126819" for doc_id, _, _ in mismatches), mismatches


@pytest.mark.corpus
def test_full_texts_number_their_articles_from_one(
    sample: dict[str, dict[str, object]],
) -> None:
    """Laws in full text number their articles 1, 2, 3 ...: quoted articles of amended
    laws and cross-references never break the sequence (gaps come from the sources)."""
    for doc in sample.values():
        if doc["text_kind"] != "full_text":
            continue
        numbers = [
            int(re.match(r"\d+", p.number).group())  # type: ignore[union-attr]
            for p in parse_parts(str(doc["text"]))
            if p.kind == "article"
        ]
        assert numbers == sorted(numbers), doc["id"]
        assert len(set(numbers)) == len(numbers), doc["id"]


@pytest.mark.corpus
def test_real_ordinance(sample: dict[str, dict[str, object]]) -> None:
    doc = sample["phapdien-37087"]  # Pháp lệnh Thủ tục bắt giữ tàu bay, 49 articles
    text = str(doc["text"])
    parts = parse_parts(text)
    articles = [p for p in parts if p.kind == "article"]
    assert len(articles) == doc["articles_count"] == 49
    assert (articles[0].path, articles[0].heading) == ("dieu-1", "Phạm vi điều chỉnh")
    definitions = part_at(parts, "dieu-4")
    assert definitions.heading == "Giải thích từ ngữ"
    clauses = [p for p in parts if p.parent == parts.index(definitions)]
    assert [c.path for c in clauses] == [f"dieu-4/khoan-{n}" for n in range(1, 5)]
    assert text[clauses[0].start : clauses[0].end].startswith("1. Bắt giữ tàu bay là việc")


@pytest.mark.corpus
def test_real_amending_law(sample: dict[str, dict[str, object]]) -> None:
    # Luật 09/2022/QH15 amends the Law on radio frequencies: clause 6 of its Điều 1
    # quotes Điều 18 and Điều 18a of the amended law in full.
    doc = sample["vlc-luat-sua-doi-bo-sung-mot-so-dieu-cua-luat-tan-so-vo-tuyen-dien"]
    text = str(doc["text"])
    parts = parse_parts(text)
    check_well_formed(text, parts)
    assert [p.path for p in parts if p.kind == "article"] == [
        "dieu-1",
        "dieu-2",
        "dieu-3",
        "dieu-4",
    ]
    clause = part_at(parts, "dieu-1/khoan-6")
    body = text[clause.start : clause.end]
    assert body.startswith("6. Sửa đổi, bổ sung Điều 18 và bổ sung Điều 18a")
    assert "\nĐiều 18a. Điều kiện tham gia đấu giá" in body
    assert not any(p.parent == parts.index(clause) for p in parts), "quoted text has no parts"
    clause_numbers = [
        p.number for p in parts if p.kind == "clause" and p.path.startswith("dieu-1/")
    ]
    assert clause_numbers == [str(n) for n in range(1, 18)]
    last = part_at(parts, "dieu-4")
    assert "CHỦ TỊCH QUỐC HỘI" not in text[last.start : last.end]


@pytest.mark.corpus
def test_real_law_with_chapters_and_sections(sample: dict[str, dict[str, object]]) -> None:
    doc = sample["phapdien-124614"]  # Luật Cảnh vệ
    text = str(doc["text"])
    parts = parse_parts(text)
    chapters = [p for p in parts if p.kind == "chapter"]
    assert [c.number for c in chapters] == ["I", "II", "III", "IV", "V", "VI"]
    assert chapters[0].heading == "NHỮNG QUY ĐỊNH CHUNG"
    articles = [p for p in parts if p.kind == "article"]
    assert [a.number for a in articles] == [str(n) for n in range(1, 34)]
    assert all(parts[a.parent].kind in ("chapter", "section") for a in articles)  # type: ignore[index]
