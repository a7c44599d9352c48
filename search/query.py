"""One parser for what people type into the search box, shared by every backend.

It recognises document numbers (whole, partial, unaccented, after a kind word), quoted phrases
and excluded words, and leaves the rest as folded terms. Backends compile the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.analysis import KIND_WORDS, NUMBER_RE, PARTIAL_NUMBER_RE, fold, normalize, tokens

_PHRASE = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")
_EXCLUDED = re.compile(r"(?:^|\s)-(\w+)", re.UNICODE)
# "số" (number) and "so" right before a number are noise once the number is recognised.
_NUMBER_NOISE = {"so"}
_MAX_KIND_WORDS = 4


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    terms: tuple[str, ...] = ()  # folded tokens that must all match (title, body or number)
    exact_terms: tuple[str, ...] = ()  # the same words as typed (lower case, accents kept)
    phrases: tuple[tuple[str, ...], ...] = ()  # folded token sequences, quoted by the user
    excluded: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()  # full number keys: "98/2021/nd-cp"
    partial_numbers: tuple[tuple[str, str], ...] = ()  # ("13", "2023")
    kind_hint: str | None = None  # "decree" from "nghị định 13/2023"
    has_diacritics: bool = False
    folded_text: str = ""  # the whole input folded, for exact-title matching

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.phrases or self.numbers or self.partial_numbers)

    @property
    def is_number_lookup(self) -> bool:
        return bool(self.numbers or self.partial_numbers) and not (self.terms or self.phrases)


def highlight_words(p: ParsedQuery) -> tuple[str, ...]:
    """The folded words to mark in results: terms, phrase words and number parts."""
    words = [*p.terms, *(w for phrase in p.phrases for w in phrase)]
    for key in p.numbers:
        words += tokens(key)
    for num, year in p.partial_numbers:
        words += [num, year]
    return tuple(dict.fromkeys(words))


def _strip_kind_words(words: list[str]) -> tuple[list[str], str | None]:
    """Remove a kind word (and "số") that stands right before a number."""
    hint = None
    while words and words[-1] in _NUMBER_NOISE:
        words = words[:-1]
    for size in range(min(_MAX_KIND_WORDS, len(words)), 0, -1):
        candidate = " ".join(words[-size:])
        if candidate in KIND_WORDS:
            hint = KIND_WORDS[candidate]
            words = words[:-size]
            break
    return words, hint


def parse(text: str) -> ParsedQuery:
    text = normalize(text).strip()
    if not text:
        return ParsedQuery()
    has_diacritics = fold(text) != text.lower()

    phrases = tuple(t for t in (tuple(tokens(m)) for m in _PHRASE.findall(text)) if t)
    text = _PHRASE.sub(" ", text)
    excluded = tuple(fold(w) for w in _EXCLUDED.findall(text))
    text = _EXCLUDED.sub(" ", text)

    numbers: list[str] = []
    partials: list[tuple[str, str]] = []
    kind_hint = None
    remaining: list[str] = []
    cursor = 0
    folded = fold(text)
    spans: list[tuple[int, int, str]] = []
    for m in NUMBER_RE.finditer(folded):
        spans.append((m.start(), m.end(), "full"))
    for m in PARTIAL_NUMBER_RE.finditer(folded):
        if not any(s <= m.start() < e for s, e, _ in spans):
            spans.append((m.start(), m.end(), "partial"))
    spans.sort()
    for start, end, shape in spans:
        before = folded[cursor:start].split()
        before, hint = _strip_kind_words(before)
        kind_hint = kind_hint or hint
        remaining.extend(before)
        chunk = folded[start:end]
        if shape == "full":
            numbers.append(chunk.replace("–", "-"))
        else:
            num, year = chunk.split("/")
            partials.append((num, year))
        cursor = end
    remaining.extend(folded[cursor:].split())

    terms = tuple(t for w in remaining for t in tokens(w))
    exact_terms: tuple[str, ...] = ()
    if has_diacritics and not spans:
        exact_terms = tuple(re.findall(r"[^\W_]+", text.lower()))
    return ParsedQuery(
        terms=terms,
        exact_terms=exact_terms,
        phrases=phrases,
        excluded=excluded,
        numbers=tuple(numbers),
        partial_numbers=tuple(partials),
        kind_hint=kind_hint,
        has_diacritics=has_diacritics,
        folded_text=" ".join(tokens(text)),
    )
