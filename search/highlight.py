"""Highlighted snippets, computed from the stored text with the folding contract.

Why not the engine's snippet generator: tantivy re-tokenises the whole stored body of every hit
(2 ms for a 40,000-character law, 85 % of a results page). Here one regular expression per
query finds the best place — the phrase if it occurs, else the first occurrence of the rarest
word — and only that window is marked. Matching is accent- and case-insensitive exactly as the
index folds (`đ` included), so the marks fall on the words that matched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

from search.analysis import fold

_WORD_END = r"(?![^\W_])"
_GAP = r"[\W_]{1,6}"
PHRASE_SCAN = 60_000  # what may stand between the words of a phrase: spaces, punctuation


def _letter_classes() -> dict[str, str]:
    """For each ASCII letter, a character class of every letter that folds to it."""
    groups: dict[str, set[str]] = {}
    for code in list(range(0x41, 0x7B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(code)
        if not ch.isalpha():
            continue
        folded = fold(ch)
        if len(folded) == 1 and folded.isascii() and folded.isalpha():
            groups.setdefault(folded, set()).add(ch)
            groups[folded].add(ch.upper())
    return {k: "[" + "".join(sorted(v)) + "]" for k, v in groups.items()}


_CLASSES = _letter_classes()


def _word_pattern(word: str) -> str:
    return "".join(_CLASSES.get(ch, re.escape(ch)) for ch in word)


@lru_cache(maxsize=512)
def _compile(words: tuple[str, ...], phrase: bool) -> re.Pattern[str]:
    # No look-behind at the start: a pattern that begins with a character class lets the
    # regex engine skip ahead quickly; the start-of-word check is done in _search/_matches.
    parts = [_word_pattern(w) for w in words]
    body = _GAP.join(parts) if phrase else "|".join(parts)
    return re.compile(f"(?:{body}){_WORD_END}")


def _starts_word(text: str, pos: int) -> bool:
    return pos == 0 or not text[pos - 1].isalnum()


def _search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    pos = 0
    while (found := pattern.search(text, pos)) is not None:
        if _starts_word(text, found.start()):
            return found
        pos = found.start() + 1
    return None


def _window(text: str, start: int, end: int, size: int) -> tuple[int, int]:
    """About `size` characters around [start, end), cut at spaces."""
    room = max(size - (end - start), 0)
    lo = max(0, start - room // 3)
    hi = min(len(text), max(end, lo + size))
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    return lo, hi


def mark(text: str, pattern: re.Pattern[str]) -> str:
    """Escape `text` and wrap each match of `pattern` in <mark>: the only markup we emit."""
    out: list[str] = []
    last = 0
    for m in pattern.finditer(text):
        if not _starts_word(text, m.start()):
            continue
        out.append(html.escape(text[last : m.start()], quote=False))
        out.append(f"<mark>{html.escape(m.group(0), quote=False)}</mark>")
        last = m.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def snippet(
    text: str, words: Sequence[str], *, rare_first: Sequence[str] = (), size: int = 220
) -> str | None:
    """The best window of `text` for folded `words`, marked; None when no word occurs."""
    words = tuple(dict.fromkeys(w for w in words if w))
    if not words or not text:
        return None
    found = None
    if len(words) > 1:
        # Where the whole phrase occurs is the best snippet; looking for it only in the first
        # part of a very long text bounds the cost (a code runs to 550,000 characters).
        found = _search(_compile(words, True), text[:PHRASE_SCAN])
    if found is None:
        for word in (*rare_first, *words):
            found = _search(_compile((word,), False), text)
            if found is not None:
                break
    if found is None:
        return None
    lo, hi = _window(text, found.start(), found.end(), size)
    marked = mark(text[lo:hi], _compile(words, False))
    return ("…" if lo > 0 else "") + marked + ("…" if hi < len(text) else "")


def mark_all(text: str, words: Sequence[str]) -> str | None:
    """The whole (short) text with every occurrence of `words` marked; None when none occurs."""
    words = tuple(dict.fromkeys(w for w in words if w))
    if not words:
        return None
    marked = mark(text, _compile(words, False))
    return marked if "<mark>" in marked else None
