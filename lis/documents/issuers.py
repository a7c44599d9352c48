"""Normalised issuer names: the corpus spells some bodies several ways.

`Uỷ`/`Ủy` (old and new tone placement), `Toà`/`Tòa`, the look-alike `Ð`, trailing dots and
letter case (`Bộ công thương`/`Bộ Công Thương`). Known bodies get their official spelling; the
rest keep theirs with only the spelling fixes applied.
"""

from __future__ import annotations

import re

from search.analysis import fold, normalize

# Old-style tone placement → the modern one, as used in official names today.
_TONE_FIXES = {
    "uỷ": "ủy",
    "Uỷ": "Ủy",
    "toà": "tòa",
    "Toà": "Tòa",
    "hoá": "hóa",
    "Hoá": "Hóa",
    "hoà": "hòa",
    "Hoà": "Hòa",
    "khoẻ": "khỏe",
    "Khoẻ": "Khỏe",
    "thuỷ": "thủy",
    "Thuỷ": "Thủy",
}
_TONE_RE = re.compile("|".join(sorted(_TONE_FIXES, key=len, reverse=True)))

OFFICIAL_NAMES: tuple[str, ...] = (
    "Quốc hội",
    "Ủy ban Thường vụ Quốc hội",
    "Chủ tịch nước",
    "Chủ tịch Quốc hội",
    "Chính phủ",
    "Thủ tướng Chính phủ",
    "Văn phòng Chính phủ",
    "Thanh tra Chính phủ",
    "Ngân hàng Nhà nước Việt Nam",
    "Tòa án nhân dân tối cao",
    "Viện kiểm sát nhân dân tối cao",
    "Bộ Công Thương",
    "Bộ Công an",
    "Bộ Giáo dục và Đào tạo",
    "Bộ Lao động - Thương binh và Xã hội",
    "Bộ Văn hóa, Thể thao và Du lịch",
    "Bộ Văn hóa - Thể thao và Du lịch",
    "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam",
    "Ủy ban Dân tộc",
)
_OFFICIAL_RE = [
    (re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)", re.IGNORECASE), name)
    for name in sorted(OFFICIAL_NAMES, key=len, reverse=True)
]


def normalize_issuer(issuer: str | None) -> str | None:
    if issuer is None:
        return None
    text = re.sub(r"\s+", " ", normalize(issuer)).strip().rstrip(".").strip()
    if not text:
        return None
    text = _TONE_RE.sub(lambda m: _TONE_FIXES[m.group(0)], text)
    for pattern, name in _OFFICIAL_RE:
        text = pattern.sub(name, text)
    return text


def issuer_key(issuer: str | None) -> str:
    """Two spellings of one body share this key."""
    return fold(normalize_issuer(issuer) or "")
