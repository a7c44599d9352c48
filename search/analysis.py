"""The one normalisation contract every backend follows.

Both the embedded engine and Elasticsearch must produce the same tokens for the same text, so
folding is defined once here (NFC, lower case, strip combining marks, đ→d) and the engines'
analyzers are configured to match it; the contract tests compare them.
"""

from __future__ import annotations

import re
import unicodedata

_D_STROKE = str.maketrans({"đ": "d", "Đ": "D"})


def normalize(text: str) -> str:
    """NFC with look-alike letters fixed: what we store and index.

    Hot on import (80 M characters): str.replace and the NFC check run in C, where a
    str.translate table would be ten times slower.
    """
    # The Icelandic eth (Ð, U+00D0) looks like Đ and some sources type it in its place.
    if "Ð" in text or "ð" in text:
        text = text.replace("Ð", "Đ").replace("ð", "đ")
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower case without diacritics: `Luật Đất đai` → `luat dat dai`."""
    decomposed = unicodedata.normalize("NFD", normalize(text).lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.translate(_D_STROKE)


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# Tokens this long (in UTF-8 bytes, before folding) are dropped, as the engines drop them.
MAX_TOKEN_BYTES = 40


def tokens(text: str) -> list[str]:
    """Folded word tokens, split as tantivy's `simple` tokenizer splits (on non-alphanumerics)."""
    return [
        fold(t) for t in _TOKEN.findall(normalize(text)) if len(t.encode("utf-8")) < MAX_TOKEN_BYTES
    ]


# --- document numbers -------------------------------------------------------------------------
# Số ký hiệu: `98/2021/NĐ-CP`, `326/2016/UBTVQH14`, `27/2005/PL-UBTVQH11`, `01/2021/TT-BTC`,
# older forms without a year such as `22-CP` or `1135/QĐ-TTg`.
NUMBER_RE = re.compile(
    r"(?<![\w/])(\d{1,5}[a-z]?)(?:/(\d{4}))?/([a-zđ]+(?:[-–][a-zđ0-9]+)*[a-zđ0-9]*)(?![\w/])",
    re.IGNORECASE,
)
# Just "number/year", as in `nghị định 13/2023`.
PARTIAL_NUMBER_RE = re.compile(r"(?<![\w/])(\d{1,5}[a-z]?)/(\d{4})(?![\w])", re.IGNORECASE)


def number_key(number: str) -> str:
    """The exact-lookup key of a document number: folded, dashes unified, no spaces."""
    key = fold(number).replace("–", "-")
    return re.sub(r"\s+", "", key)


# Words people type before a number: `nghị định 13/2023`, `luật số 100/2015/qh13`, `nd 123/...`.
KIND_WORDS: dict[str, str] = {
    "luat": "law",
    "bo luat": "code",
    "phap lenh": "ordinance",
    "nghi quyet": "resolution",
    "nghi quyet lien tich": "joint_resolution",
    "nghi dinh": "decree",
    "nd": "decree",
    "thong tu": "circular",
    "tt": "circular",
    "thong tu lien tich": "joint_circular",
    "ttlt": "joint_circular",
    "quyet dinh": "decision",
    "qd": "decision",
    "chi thi": "directive",
    "sac lenh": "edict",
}
