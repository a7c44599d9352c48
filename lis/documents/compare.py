"""Compare two versions of a legal text article by article, and word by word inside articles.

Deputies discuss drafts article by article ("Điều 12 was rewritten, a new Điều 12a was
inserted"), so the article, as :func:`~lis.documents.parsing.parse_parts` finds it, is the unit
of comparison.  Text outside the articles (header, preamble, signature, annexes) is not
compared unless a version has no article at all: then each text is one block.  Quoted articles
of an amending law stay inside the clause that quotes them (the parser sees to that), so an
amendment to a quoted ``Điều 5`` shows as a change of the amending article, never as a
top-level ``Điều 5``.

The rules, and why:

* **Identical content first, the number second.**  Inserting one article before Điều 7 shifts
  every later article by one.  Matching on numbers would report hundreds of rewritten articles;
  matching identical texts first reports them as *renumbered*, which is what happened.
  Identical texts (repeal notes such as ``(được bãi bỏ)``) pair with the same number when
  there is one, otherwise in order.
* **Then similar content, where a shared number and a shared name count for a little.**  The
  remaining pairs are scored ``similarity + SAME_NUMBER_BONUS·[same number] +
  SAME_HEADING_BONUS·[same name]`` and taken best first while the score reaches
  ``MATCH_SCORE``.  So an article keeping its number and its heading is *changed* however much
  its body was rewritten (the 2017 amendments rewrote whole articles of the Penal Code: a deputy
  still calls that "Điều 12 changed"); keeping only its number it needs a similarity of 0.4,
  moving with its heading 0.2, moving under a new heading 0.6 (the less corroborates that it
  is the same provision, the more of its words must).  An article whose text matches another
  article better by more than the bonuses goes with that one: a shared number is then a
  coincidence of the shifting, not evidence.  Two headings are the same name when their folded
  words are 80 % alike (``vi phạm các quy định`` → ``vi phạm quy định``), and a repeal note
  left at an article's number stands for its name, so that a repealed article shows as changed
  into its note rather than as removed plus a note added.
* **Below that, removed and added.**  An article whose words are mostly new and that shares
  neither number nor name is a new article for the reader; a word diff of it would be noise.
* **Matching ignores case and diacritics; the status does not.**  Similarity is measured on
  folded words (:func:`search.analysis.fold`) so that a text retyped in capitals or without
  diacritics still pairs with its original.  Whether an article changed is decided on its
  exact words, because in Vietnamese a diacritic makes another word (``bán``/``bàn``) and a
  capital can make another body (``Chính phủ``).  Only differences that are never an edit are
  ignored: whitespace and line breaks, the Unicode normal form, ``Ð`` typed for ``Đ``, and the
  old and new placement of tone marks (``hoà``/``hòa``, ``Uỷ``/``Ủy``), which varies between
  sources of one text.
* **Word diffs keep every character.**  Tokens are a word or a punctuation mark with the
  whitespace after it, so joining the ``old`` (``new``) sides of an article's
  :class:`WordChange` list rebuilds its old (new) text exactly, and a change of spacing alone
  never shows as a change: an ``equal`` run may hold differently spaced or accented texts on
  its two sides.  Lines (clauses, points) are aligned first and words only inside the lines
  that differ: edits stay local to their clause, and a long article costs little more than
  its changed lines.  difflib is quadratic, so a very long stretch that differs (a text
  without line breaks) is anchored on its sentences first, and what is still too long after
  that, with nothing in common, is shown as one replacement rather than taking minutes.
* **Fast because most articles do not change.**  Identical texts are paired with dictionary
  look-ups; only the unpaired articles are tokenised.  A pair with the same number and name
  and a similarity above 0.8 is taken at once, since no other pair can outscore it; the rest
  are compared with the few candidates an inverted index of word pairs proposes (plus those
  with the same number or name), so the cost grows with the number of edited articles, not
  with the square of the number of articles.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from lis.documents.parsing import Part, parse_parts
from search.analysis import fold, normalize

__all__ = [
    "MATCH_SCORE",
    "SAME_HEADING_BONUS",
    "SAME_NUMBER_BONUS",
    "STATUSES",
    "ArticleChange",
    "Comparison",
    "Status",
    "WordChange",
    "compare_texts",
]

Status = Literal["unchanged", "changed", "added", "removed", "renumbered", "renumbered_changed"]
STATUSES: tuple[Status, ...] = (
    "unchanged",
    "changed",
    "added",
    "removed",
    "renumbered",
    "renumbered_changed",
)
Op = Literal["equal", "insert", "delete", "replace"]

# A pair of articles is taken when its similarity plus its bonuses reaches this.
MATCH_SCORE = 0.6
# What a shared article number is worth, in similarity.
SAME_NUMBER_BONUS = 0.2
# What a shared heading (or a repeal note at the same number) is worth, in similarity.
SAME_HEADING_BONUS = 0.4
# Headings whose folded words are this alike name the same article.
_HEADINGS_ALIKE = 0.8
# A body this short that says "bãi bỏ" is a repeal note.
_REPEAL_NOTE_WORDS = 8
# How many content candidates each new article is compared with, besides namesakes.
_CANDIDATES = 4
# Word pairs found in more unpaired articles than this say nothing about which is which.
_COMMON_SHINGLE = 64
# Above this similarity, a pair with the same number and name cannot be outscored.
_SURE = 1.0 - SAME_NUMBER_BONUS


@dataclass(frozen=True, slots=True)
class WordChange:
    """One run of the word diff; ``old`` and ``new`` are exact slices of each side's text.

    The two sides of an ``equal`` run differ at most in what is never an edit (whitespace,
    Unicode form, tone-mark placement); ``insert`` has an empty ``old`` and ``delete`` an empty
    ``new``.
    """

    op: Op
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class ArticleChange:
    """What became of one article; a text without articles is one block with no path or number.

    ``words`` is the word diff of the whole article (its ``Điều N.`` label included, so that a
    renumbering shows as a changed number) and is empty for unchanged, added and removed
    articles.  ``similarity`` is the share of the body's tokens (words and punctuation marks,
    label excluded) that the diff keeps equal: 1.0 when the words are the same, 0.0 for added
    and removed articles.
    """

    status: Status
    old_path: str | None
    new_path: str | None
    old_number: str | None
    new_number: str | None
    old_heading: str | None
    new_heading: str | None
    similarity: float
    words: tuple[WordChange, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Changes in the new version's order, removed articles where they stood; counts per status."""

    changes: tuple[ArticleChange, ...]
    counts: dict[str, int]


# --------------------------------------------------------------------------
# Tokens: what counts as the same text
# --------------------------------------------------------------------------

# A word (combining marks included, for texts not in NFC) or one punctuation mark, with the
# whitespace that follows it.
_TOKEN_RE = re.compile(r"(?:[\w\u0300-\u036f]+|[^\w\s])\s*")
# A syllable ending in oa, oe or uy with the tone mark on its second vowel (new style, ``hoà``,
# ``thuỷ``); ``qu`` is a consonant (``quý``), and a following letter (``hoàng``, ``khuya``)
# means a placement that never varies.
_TONE_ON_SECOND_RE = re.compile(
    r"(?<![qQ])(?:[oO][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?![\w\u0300-\u036f])"
)
_FOLDED_WORD_RE = re.compile(r"\w+")
# ``Điều 5.``, ``Điều 5a -``, ``ĐIỀU 5:`` and the blanks after it: what the number says.
_LABEL_RE = re.compile(r"(?:[ĐÐ]iều|ĐIỀU)[ \t\u00a0]*\d{1,4}[a-zđ]?(?:[ \t\u00a0]*[.:\-–—])?\s*")
_CACHE = 1 << 16
# Equal runs this short between two longer changes are shown as part of them.
_GLUE = 2
# Largest product of token counts aligned word by word; beyond it sentences are aligned first,
# and a stretch of sentences still this large with nothing in common is one replacement.
_MAX_WORK = 1_000_000
_SENTENCE_ENDS = frozenset(".;:")

Line = tuple[str, ...]
Opcode = tuple[str, int, int, int, int]


def _tone_first(match: re.Match[str]) -> str:
    """``oà`` → ``òa``: the traditional placement, the one official texts use."""
    first, second = match.group()
    decomposed = unicodedata.normalize("NFD", second)
    return unicodedata.normalize("NFC", first + decomposed[1:]) + decomposed[0]


@lru_cache(maxsize=_CACHE)
def _token_key(token: str) -> str:
    """The token without its whitespace, in NFC, with tone marks placed one way."""
    return _TONE_ON_SECOND_RE.sub(_tone_first, normalize(token.strip()))


@lru_cache(maxsize=_CACHE)
def _folded_word(key: str) -> str | None:
    """The key folded (``Ủy`` → ``uy``), or None for punctuation, which similarity ignores."""
    if not key or (len(key) == 1 and not key.isalnum() and key != "_"):
        return None
    return fold(key)


def _raw_tokens(text: str) -> list[str]:
    """Tokens that join back into ``text``: leading blanks go with the first one."""
    tokens = _TOKEN_RE.findall(text)
    lead = len(text) - len(text.lstrip())
    if lead:
        if tokens:
            tokens[0] = text[:lead] + tokens[0]
        else:
            tokens = [text]
    return tokens


@dataclass(frozen=True, slots=True)
class _Tokens:
    """A text cut into tokens, and their keys grouped by line (clauses and points)."""

    raw: list[str]
    lines: list[Line]

    @classmethod
    def of(cls, text: str) -> _Tokens:
        raw = _raw_tokens(text)
        lines: list[Line] = []
        line: list[str] = []
        for token in raw:
            line.append(_token_key(token))
            if "\n" in token:
                lines.append(tuple(line))
                line = []
        if line:
            lines.append(tuple(line))
        return cls(raw, lines)

    @property
    def key(self) -> str:
        """Equal for two texts that differ in no word."""
        return " ".join(" ".join(line) for line in self.lines)


# --------------------------------------------------------------------------
# Alignment: lines first, then words inside the lines that differ
# --------------------------------------------------------------------------


def _opcodes(a: Sequence[object], b: Sequence[object]) -> list[Opcode]:
    """difflib's opcodes, the common head and tail set aside first (often they are all)."""
    limit = min(len(a), len(b))
    head = 0
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    opcodes: list[Opcode] = []
    if head:
        opcodes.append(("equal", 0, head, 0, head))
    a_end, b_end = len(a) - tail, len(b) - tail
    if head < a_end or head < b_end:
        matcher = SequenceMatcher(None, a[head:a_end], b[head:b_end], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            opcodes.append((op, i1 + head, i2 + head, j1 + head, j2 + head))
    if tail:
        opcodes.append(("equal", a_end, len(a), b_end, len(b)))
    return opcodes


def _starts(lines: Sequence[Line]) -> list[int]:
    """Index of each line's first token in the flat sequence, and the total at the end."""
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def _align_units(
    a: Sequence[Line], b: Sequence[Line], inner: Callable[[Line, Line], list[Opcode]]
) -> list[Opcode]:
    """Opcodes over the flat tokens of two sequences of units, anchored on equal units.

    The tokens of each stretch of units that differ are aligned by ``inner``.
    """
    a_starts, b_starts = _starts(a), _starts(b)
    opcodes: list[Opcode] = []
    for op, i1, i2, j1, j2 in _opcodes(a, b):
        a_lo, b_lo = a_starts[i1], b_starts[j1]
        if op == "equal":
            opcodes.append((op, a_lo, a_starts[i2], b_lo, b_starts[j2]))
            continue
        flat_a = tuple(token for unit in a[i1:i2] for token in unit)
        flat_b = tuple(token for unit in b[j1:j2] for token in unit)
        for inner_op, x1, x2, y1, y2 in inner(flat_a, flat_b):
            opcodes.append((inner_op, a_lo + x1, a_lo + x2, b_lo + y1, b_lo + y2))
    return opcodes


def _sentences(tokens: Line) -> list[Line]:
    """Tokens cut after each ``.``, ``;`` or ``:``: clauses and sentences of a long line."""
    sentences: list[Line] = []
    start = 0
    for index, token in enumerate(tokens):
        if token in _SENTENCE_ENDS:
            sentences.append(tokens[start : index + 1])
            start = index + 1
    if start < len(tokens):
        sentences.append(tokens[start:])
    return sentences


def _words_or_whole(a: Line, b: Line) -> list[Opcode]:
    """Word alignment, or one replacement when it would cost too much (difflib is quadratic)."""
    if len(a) * len(b) <= _MAX_WORK:
        return _opcodes(a, b)
    if not a or not b:
        return [("insert" if b else "delete", 0, len(a), 0, len(b))]
    return [("replace", 0, len(a), 0, len(b))]


def _words(a: Line, b: Line) -> list[Opcode]:
    """Word alignment; a long stretch is first anchored on its equal sentences."""
    if len(a) * len(b) <= _MAX_WORK:
        return _opcodes(a, b)
    return _align_units(_sentences(a), _sentences(b), _words_or_whole)


def _align(a: Sequence[Line], b: Sequence[Line]) -> list[Opcode]:
    """Opcodes over the flat token sequences: lines, then sentences, then words."""
    return _align_units(a, b, _words)


def _equal_share(opcodes: Iterable[Opcode], total: int) -> float:
    """Share of tokens kept equal, as difflib's ratio: 1.0 for two empty texts."""
    if not total:
        return 1.0
    return 2 * sum(i2 - i1 for op, i1, i2, _, _ in opcodes if op == "equal") / total


def _ratio(a: Sequence[Line], b: Sequence[Line]) -> float:
    """Similarity of two texts: the share of their tokens the alignment keeps equal."""
    return _equal_share(_align(a, b), sum(map(len, a)) + sum(map(len, b)))


def _change_size(opcode: Opcode) -> int:
    _, i1, i2, j1, j2 = opcode
    return max(i2 - i1, j2 - j1)


def _readable(opcodes: Iterable[Opcode]) -> list[Opcode]:
    """Fold into one replacement two changes separated by a word or two that happen to match.

    difflib keeps any common token, so a rewritten sentence reads as confetti: a comma or a
    number left equal between two long replacements.  A run of at most ``_GLUE`` tokens that is
    shorter than the changes on both sides is taken into them; a short edit beside a long
    equal stretch is left alone.
    """
    out: list[Opcode] = []
    for opcode in opcodes:
        out.append(opcode)
        while len(out) >= 3 and out[-1][0] != "equal" and out[-3][0] != "equal":
            before, glue, after = out[-3:]
            size = _change_size(glue)
            if glue[0] != "equal" or size > _GLUE:
                break
            if size >= _change_size(before) or size >= _change_size(after):
                break
            out[-3:] = [("replace", before[1], after[2], before[3], after[4])]
    return out


def _diff(old: _Tokens, new: _Tokens) -> tuple[list[WordChange], float]:
    """Word changes between two texts, and the share of their tokens that are equal."""
    opcodes = _align(old.lines, new.lines)
    similarity = _equal_share(opcodes, len(old.raw) + len(new.raw))
    changes = [
        WordChange(op, "".join(old.raw[i1:i2]), "".join(new.raw[j1:j2]))  # type: ignore[arg-type]
        for op, i1, i2, j1, j2 in _readable(opcodes)
    ]
    return changes, similarity


def _merge(changes: Iterable[WordChange]) -> tuple[WordChange, ...]:
    """Join neighbouring runs of the same kind (the label's and the body's equal runs)."""
    merged: list[WordChange] = []
    for change in changes:
        if not change.old and not change.new:
            continue
        if merged and merged[-1].op == change.op:
            last = merged.pop()
            change = WordChange(change.op, last.old + change.old, last.new + change.new)
        merged.append(change)
    return tuple(merged)


# --------------------------------------------------------------------------
# Articles of one version
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Article:
    """One article of one version; what matching needs is computed on first use."""

    position: int
    path: str | None
    number: str | None
    heading: str | None
    text: str  # the whole article, label included
    label_end: int  # where the body starts in ``text``
    _tokens: _Tokens | None = None
    _key: str | None = None
    _word_lines: list[Line] | None = None
    _shingles: set[str] | None = None
    _word_counts: Counter[str] | None = None
    _heading_words: list[str] | None = None

    @property
    def label(self) -> str:
        return self.text[: self.label_end]

    @property
    def body(self) -> str:
        return self.text[self.label_end :]

    @property
    def tokens(self) -> _Tokens:
        if self._tokens is None:
            self._tokens = _Tokens.of(self.body)
        return self._tokens

    @property
    def key(self) -> str:
        if self._key is None:
            self._key = self.tokens.key
        return self._key

    @property
    def word_lines(self) -> list[Line]:
        """Folded words of the body by line: what similarity is measured on."""
        if self._word_lines is None:
            lines = []
            for line in self.tokens.lines:
                words = tuple(w for w in map(_folded_word, line) if w is not None)
                if words:
                    lines.append(words)
            self._word_lines = lines
        return self._word_lines

    @property
    def shingles(self) -> set[str]:
        """Pairs of consecutive folded words (the word itself for a one-word body)."""
        if self._shingles is None:
            words = [word for line in self.word_lines for word in line]
            pairs = {f"{a} {b}" for a, b in pairwise(words)}
            self._shingles = pairs or set(words)
        return self._shingles

    @property
    def word_counts(self) -> Counter[str]:
        if self._word_counts is None:
            self._word_counts = Counter(word for line in self.word_lines for word in line)
        return self._word_counts

    @property
    def heading_words(self) -> list[str]:
        if self._heading_words is None:
            self._heading_words = _FOLDED_WORD_RE.findall(fold(self.heading or ""))
        return self._heading_words

    @property
    def is_repeal_note(self) -> bool:
        """``(được bãi bỏ)`` and the like: what codified texts leave at a repealed number."""
        words = [word for line in self.word_lines for word in line]
        return len(words) <= _REPEAL_NOTE_WORDS and "bai bo" in " ".join(words)


def _articles(text: str, parts: Iterable[Part]) -> list[_Article]:
    articles = []
    for part in parts:
        if part.kind != "article":
            continue
        body = text[part.start : part.end]
        label = _LABEL_RE.match(body)
        articles.append(
            _Article(
                position=len(articles),
                path=part.path,
                number=part.number,
                heading=part.heading,
                text=body,
                label_end=label.end() if label else 0,
            )
        )
    return articles


def _block(text: str) -> _Article:
    """A whole text as one article, for texts without articles."""
    return _Article(0, None, None, None, text, 0)


# --------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------


def _raw_body(article: _Article) -> str:
    return article.body


def _normalised_body(article: _Article) -> str:
    return article.key


def _match_identical(
    old: Sequence[_Article], new: Sequence[_Article], pairs: dict[int, int]
) -> None:
    """Pair articles with the same words: same number first, then in order.

    Raw bodies are tried before normalised ones: most articles of a new version are copied
    unchanged, and pairing those costs a dictionary look-up, with no tokenising.
    """
    for key_of in (_raw_body, _normalised_body):
        for same_number in (True, False):
            taken = set(pairs.values())
            by_key: dict[str, list[_Article]] = defaultdict(list)
            for article in new:
                if article.position not in taken:
                    by_key[key_of(article)].append(article)
            for article in old:
                if article.position in pairs:
                    continue
                candidates = by_key.get(key_of(article))
                if not candidates:
                    continue
                if same_number:
                    chosen = next((c for c in candidates if c.number == article.number), None)
                    if chosen is None:
                        continue
                else:
                    chosen = candidates[0]
                candidates.remove(chosen)
                pairs[article.position] = chosen.position


def _same_name(a: _Article, b: _Article) -> bool:
    """Alike headings, or a repeal note standing at the article's number."""
    ha, hb = a.heading_words, b.heading_words
    if ha and hb:
        if ha == hb:
            return True
        total = len(ha) + len(hb)
        if 2 * min(len(ha), len(hb)) / total >= _HEADINGS_ALIKE:
            matcher = SequenceMatcher(None, ha, hb, autojunk=False)
            if matcher.ratio() >= _HEADINGS_ALIKE:
                return True
    return a.number == b.number and (a.is_repeal_note or b.is_repeal_note)


def _bonus(a: _Article, b: _Article) -> float:
    bonus = SAME_NUMBER_BONUS if a.number == b.number else 0.0
    return bonus + (SAME_HEADING_BONUS if _same_name(a, b) else 0.0)


def _upper_bound(a: _Article, b: _Article) -> float:
    """A cheap bound on the similarity: the share of words the two texts have in common."""
    total = a.word_counts.total() + b.word_counts.total()
    if not total:
        return 1.0
    return 2 * (a.word_counts & b.word_counts).total() / total


def _similarity(a: _Article, b: _Article) -> float:
    """Share of the folded words that the alignment of the two bodies keeps equal."""
    return _ratio(a.word_lines, b.word_lines)


def _unique_numbers(articles: Sequence[_Article]) -> dict[str | None, _Article]:
    """Number → article, for the numbers that only one article carries."""
    counts = Counter(article.number for article in articles)
    return {a.number: a for a in articles if counts[a.number] == 1}


def _match_sure(old: Sequence[_Article], new: Sequence[_Article], pairs: dict[int, int]) -> None:
    """Pair namesakes (same number, same name) whose similarity no other pair can outscore.

    Their score exceeds 1 + SAME_HEADING_BONUS, the most a pair with another number can reach,
    so taking them first changes nothing but the time spent finding candidates.
    """
    taken = set(pairs.values())
    old_by_number = _unique_numbers([a for a in old if a.position not in pairs])
    new_by_number = _unique_numbers([b for b in new if b.position not in taken])
    for number, b in new_by_number.items():
        a = old_by_number.get(number)
        sure = a is not None and _same_name(a, b) and _upper_bound(a, b) > _SURE
        if sure and _similarity(a, b) > _SURE:
            pairs[a.position] = b.position


def _candidates(old: Sequence[_Article], new: Sequence[_Article]) -> set[tuple[int, int]]:
    """(old, new) indices worth scoring: same number, same heading, best word-pair overlaps."""
    postings: dict[str, list[int]] = defaultdict(list)
    namesakes: dict[object, list[int]] = defaultdict(list)
    for index, article in enumerate(old):
        namesakes[("number", article.number)].append(index)
        if article.heading_words:
            namesakes[("heading", *article.heading_words)].append(index)
        for shingle in article.shingles:
            postings[shingle].append(index)
    pairs: set[tuple[int, int]] = set()
    for j, article in enumerate(new):
        pairs.update((i, j) for i in namesakes.get(("number", article.number), ()))
        if article.heading_words:
            pairs.update((i, j) for i in namesakes.get(("heading", *article.heading_words), ()))
        shared: Counter[int] = Counter()
        for shingle in article.shingles:
            found = postings.get(shingle)
            if found and len(found) <= _COMMON_SHINGLE:
                shared.update(found)
        size = len(article.shingles)
        ranked = sorted(
            shared.items(),
            key=lambda item: -item[1] / (size + len(old[item[0]].shingles) - item[1]),
        )
        pairs.update((i, j) for i, _ in ranked[:_CANDIDATES])
    return pairs


def _match_similar(old: Sequence[_Article], new: Sequence[_Article], pairs: dict[int, int]) -> None:
    """Pair the remaining articles, best score first, while the score reaches MATCH_SCORE.

    Pairs enter the queue with a cheap upper bound of their score; the exact similarity is
    computed only when a pair reaches the front, and it goes back in with its exact score.  The
    pairs taken are those of a plain sort by exact score, but a candidate whose article was
    taken meanwhile is never aligned word by word.
    """
    taken = set(pairs.values())
    rest_old = [a for a in old if a.position not in pairs]
    rest_new = [b for b in new if b.position not in taken]
    if not rest_old or not rest_new:
        return
    queue: list[tuple[float, int, int, int, bool, float]] = []
    for i, j in _candidates(rest_old, rest_new):
        a, b = rest_old[i], rest_new[j]
        bonus = _bonus(a, b)
        bound = _upper_bound(a, b) + bonus
        if bound >= MATCH_SCORE:
            distance = abs(a.position - b.position)
            queue.append((-bound, distance, a.position, b.position, False, bonus))
    heapq.heapify(queue)
    while queue:
        score, distance, old_position, new_position, exact, bonus = heapq.heappop(queue)
        if old_position in pairs or new_position in taken:
            continue
        if exact:
            pairs[old_position] = new_position
            taken.add(new_position)
            continue
        score = _similarity(old[old_position], new[new_position]) + bonus
        if score >= MATCH_SCORE:
            entry = (-score, distance, old_position, new_position, True, bonus)
            heapq.heappush(queue, entry)


# --------------------------------------------------------------------------
# Assembling the result
# --------------------------------------------------------------------------


def _paired(a: _Article, b: _Article) -> ArticleChange:
    """The change between two matched articles."""
    renumbered = a.number != b.number
    label_changes: list[WordChange] = []
    if a.label != b.label:
        label_changes = _diff(_Tokens.of(a.label), _Tokens.of(b.label))[0]
    else:
        label_changes = [WordChange("equal", a.label, b.label)]
    if a.body == b.body or a.key == b.key:
        status: Status = "renumbered" if renumbered else "unchanged"
        words = _merge([*label_changes, WordChange("equal", a.body, b.body)])
        similarity = 1.0
    else:
        status = "renumbered_changed" if renumbered else "changed"
        body_changes, similarity = _diff(a.tokens, b.tokens)
        words = _merge([*label_changes, *body_changes])
    return ArticleChange(
        status,
        a.path,
        b.path,
        a.number,
        b.number,
        a.heading,
        b.heading,
        round(similarity, 4),
        words if status != "unchanged" else (),
    )


def _added(b: _Article) -> ArticleChange:
    return ArticleChange("added", None, b.path, None, b.number, None, b.heading, 0.0, ())


def _removed(a: _Article) -> ArticleChange:
    return ArticleChange("removed", a.path, None, a.number, None, a.heading, None, 0.0, ())


def _ordered(
    old: Sequence[_Article], new: Sequence[_Article], pairs: dict[int, int]
) -> list[ArticleChange]:
    """New order; a removed article goes after the new place of the last paired one before it."""
    partner = {j: i for i, j in pairs.items()}
    keyed: list[tuple[tuple[int, int, int], ArticleChange]] = []
    for article in new:
        i = partner.get(article.position)
        change = _added(article) if i is None else _paired(old[i], article)
        keyed.append(((article.position, 0, 0), change))
    anchor = -1
    for article in old:
        if article.position in pairs:
            anchor = pairs[article.position]
        else:
            keyed.append(((anchor, 1, article.position), _removed(article)))
    keyed.sort(key=lambda item: item[0])
    return [change for _, change in keyed]


def _counts(changes: Iterable[ArticleChange]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for change in changes:
        counts[change.status] += 1
    return counts


def _compare_blocks(old_text: str, new_text: str) -> list[ArticleChange]:
    """Texts without articles: one change for the whole text, or none when both are blank."""
    if not old_text.strip():
        return [_added(_block(new_text))] if new_text.strip() else []
    if not new_text.strip():
        return [_removed(_block(old_text))]
    return [_paired(_block(old_text), _block(new_text))]


def compare_texts(old_text: str, new_text: str) -> Comparison:
    """Compare two versions of a text article by article (see the module docstring)."""
    old = _articles(old_text, parse_parts(old_text))
    new = _articles(new_text, parse_parts(new_text))
    without_articles = (not old and old_text.strip()) or (not new and new_text.strip())
    if without_articles or (not old and not new):
        changes = _compare_blocks(old_text, new_text)
    else:
        pairs: dict[int, int] = {}
        _match_identical(old, new, pairs)
        _match_sure(old, new, pairs)
        _match_similar(old, new, pairs)
        changes = _ordered(old, new, pairs)
    return Comparison(tuple(changes), _counts(changes))
