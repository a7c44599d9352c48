"""Shared test data for drafts: two versions of a small amending law that differ in every way
the comparer cares about (an article added, one removed, one changed, later ones renumbered)."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

V1 = """LUẬT
SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT THỬ NGHIỆM

Điều 1. Phạm vi điều chỉnh
Luật này sửa đổi, bổ sung một số điều của Luật thử nghiệm.

Điều 2. Đối tượng áp dụng
Luật này áp dụng đối với cơ quan, tổ chức, cá nhân có liên quan.

Điều 3. Giải thích từ ngữ
Trong Luật này, các từ ngữ dưới đây được hiểu như sau:
1. Thử nghiệm là việc kiểm tra.

Điều 4. Hiệu lực thi hành
Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2026.
"""

V2 = """LUẬT
SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT THỬ NGHIỆM

Điều 1. Phạm vi điều chỉnh
Luật này sửa đổi, bổ sung một số điều của Luật thử nghiệm và Luật kiểm tra.

Điều 2. Nguyên tắc thử nghiệm
Việc thử nghiệm phải bảo đảm công khai, minh bạch.

Điều 3. Giải thích từ ngữ
Trong Luật này, các từ ngữ dưới đây được hiểu như sau:
1. Thử nghiệm là việc kiểm tra.

Điều 4. Hiệu lực thi hành
Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2026.
"""

DRAFT = {
    "kind": "law",
    "title": "Luật sửa đổi, bổ sung một số điều của Luật Thử nghiệm",
    "summary": "Dự án luật thử nghiệm.",
    "drafting_agency": "Chính phủ",
    "lead_unit": "UB-PLTP",
    "term": "XV",
    "planned_sessions": ["XV-10"],
    "subjects": ["thử nghiệm"],
}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese editors wrote it: a precomposed base letter where the code
    page has one (Â, Ơ…) and the tone mark as a combining character."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        # Keep one mark (the tone) combining and compose the rest into the base letter.
        for i, tone in enumerate(marks):
            if tone not in "\u0300\u0301\u0303\u0309\u0323":  # the five tone marks
                continue
            rest = "".join(marks[:i] + marks[i + 1 :])
            try:
                out += unicodedata.normalize("NFC", base + rest).encode("cp1258")
                out += tone.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise UnicodeEncodeError("cp1258", ch, 0, 1, "no mapping")
    return bytes(out)


def docx_bytes(text: str, table: list[list[str]] | None = None) -> bytes:
    """A real .docx, one paragraph per line, with an optional table after the first paragraph."""
    from docx import Document

    doc = Document()
    lines = text.split("\n")
    doc.add_paragraph(lines[0])
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    for line in lines[1:]:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def auth(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}
