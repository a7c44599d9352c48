"""Split the text of a Vietnamese legal document into its structural parts.

A legal text is cut into chapters (``Chương``), sections (``Mục``), articles
(``Điều``), clauses (``khoản``, ``1.``) and points (``điểm``, ``a)``).  Other
modules anchor comments, amendments and comparisons on these parts, so the
parser must be predictable rather than clever:

* it is pure (standard library only) and never raises, whatever the input;
* every part keeps its offsets into the *original* text, so callers can slice
  the text without any re-normalisation;
* every part gets an ASCII ``path`` (``dieu-5/khoan-2/diem-dd``) that is unique
  within the text and stable as long as the numbering does not change.

The rules were checked against the 4,344 documents of the shared corpus.  The
main traps they guard against are:

* amending laws quote whole articles of another law (``“Điều 5. ...”``); lines
  inside a quotation belong to the enclosing clause or point and never start
  parts of their own;
* running text that happens to begin a line with ``Điều 5 của Luật ...``,
  ``Điều kiện ...``, a year or an amount;
* documents that embed another numbered text (a charter, a template) inside an
  article, or that repeat a run of articles (an artefact of the codified
  sources): article numbers that go backwards are not taken as new articles;
* headings of chapters and sections that sit on the line after their label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ROMAN_RE",
    "Part",
    "PartKind",
    "article_texts",
    "parse_parts",
    "roman_to_int",
]

PartKind = Literal["chapter", "section", "article", "clause", "point"]


@dataclass(frozen=True, slots=True)
class Part:
    """One structural unit of a legal text.

    ``text[start:end]`` is the whole unit: its label line and all its children,
    without the trailing blank lines.  ``parent`` is the index, in the list
    returned by :func:`parse_parts`, of the enclosing unit.
    """

    kind: PartKind
    number: str
    heading: str
    path: str
    parent: int | None
    start: int
    end: int


# --------------------------------------------------------------------------
# Roman numerals (chapter numbers)
# --------------------------------------------------------------------------

ROMAN_RE = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_to_int(numeral: str) -> int | None:
    """Value of an upper-case roman numeral, or ``None`` if it is not one.

    Chapters are numbered ``I``, ``II`` ... in most laws and ``1``, ``2`` ... in
    others; comparing their values is how the parser checks that chapters come
    in order.
    """
    if not numeral or not ROMAN_RE.fullmatch(numeral):
        return None
    total = 0
    previous = 0
    for char in reversed(numeral):
        value = _ROMAN_VALUES[char]
        if value < previous:
            total -= value
        else:
            total += value
            previous = value
    return total


# --------------------------------------------------------------------------
# Line patterns.  They are applied to a line after its leading blanks are
# removed, so ``match`` anchors them at the start of the line's content.
# --------------------------------------------------------------------------

# Characters that may precede a label on its line (indentation, BOM, NBSP...).
_LEADING = " \t\u00a0\u200b\ufeff\u3000\xad"
_TRAILING = " \t\r\n\u00a0\u200b\ufeff\u3000\f\v"

_ARTICLE_RE = re.compile(
    r"(?:[ĐÐ]iều|ĐIỀU)[ \t\u00a0]*0*(?P<num>\d{1,4})(?P<suf>[a-zđ]?)(?!\w|\.\d)"
)
_CHAPTER_RE = re.compile(
    r"(?:Chương|CHƯƠNG)[ \t\u00a0]+(?P<num>[IVXLCDM]+|0*\d{1,3})(?P<suf>[a-z]?)(?![\w,;])"
)
_SECTION_RE = re.compile(
    r"(?:Mục|MỤC)[ \t\u00a0]+(?P<num>[IVXLCDM]+|0*\d{1,3})(?P<suf>[a-z]?)(?![\w,;])"
)
# ``Tiểu mục`` (sub-section) and ``Phần thứ ...`` (part of a code) are not parts
# of their own, but they end the article before them.
_SUBSECTION_RE = re.compile(r"(?:Tiểu mục|TIỂU MỤC)[ \t\u00a0]+\d{1,3}(?![\w,;])")
_BOOK_RE = re.compile(
    r"(?:Phần|PHẦN)[ \t\u00a0]+(?:thứ|THỨ)(?:[ \t\u00a0]+\w+){1,3}[ \t\u00a0.:]*$"
)
# The enacting formula that follows the last article of a law, e.g. "Luật này
# đã được Quốc hội ... thông qua ngày 20 tháng 6 năm 2023.": nothing after it
# is an article.  It is a sentence of its own; "Nghị quyết này đã được ...
# thông qua ngày ... và có hiệu lực ..." is the body of an article.
_ENACTED_RE = re.compile(
    r"(?:Luật|Bộ luật|Pháp lệnh|Nghị quyết|Hiến pháp) này (?:đã )?được .{0,200}?"
    r"thông qua(?: ngày[^\n]{0,40})?$"
)
_CLAUSE_RE = re.compile(r"0*(?P<num>\d{1,3})(?P<suf>[a-zđ]?)\.(?!\d)[ \t\u00a0]*(?P<rest>\S)")
_POINT_RE = re.compile(r"(?P<letter>[a-zđư])(?P<digits>\d{0,2})\)[ \t\u00a0]*(?P<rest>\S)")

# What may follow ``Điều 5``/``Chương I`` and still make a label.
_SEPARATOR_RE = re.compile(r"[ \t\u00a0]*(?:[.:]|[-–—](?!\d))[ \t\u00a0]*")
# Running text that starts a line with "Điều 7 Thông tư số ..." names another
# document; it is a reference, not a label.
_DOC_REFERENCE_RE = re.compile(
    r"(?:Luật|Bộ luật|Nghị định|Nghị quyết|Thông tư|Pháp lệnh|Quyết định|Hiến pháp|Chỉ thị"
    r"|Lệnh|Văn bản|Điều|Khoản|Điểm)\b"
)

_OPEN_QUOTE = "“"
_QUOTE_MARK_RE = re.compile('[“”"’]')
_LINE_END_RE = re.compile(r"[\s.,;:)]*$")
# A quotation that starts with a whole article, chapter or section may quote
# several of them, so article labels inside it say nothing about its end.
_QUOTED_CONTAINER_RE = re.compile(r"“[ \t]*(?:[ĐÐ]iều|ĐIỀU|Chương|CHƯƠNG|Mục|MỤC)[ \t]*\w")
_CLOSE_QUOTE = "”"
_ASCII_QUOTE = '"'

# Letters used for points, in the order Vietnamese drafting uses them; some
# texts follow the Latin alphabet instead (``e`` after ``d``, ``f`` after ``e``).
_VN_POINT_LETTERS = "abcdđeghiklmnopqrstuưvxy"
_LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Order of the letter that follows an inserted article or clause (``12b``).
_SUFFIX_ORDER = "abcdđefghijklmnopqrstuvwxyz"

# Levels used to decide which open parts a new label closes.
_LEVEL = {"chapter": 0, "section": 1, "article": 2, "clause": 3, "point": 4}
_ARTICLE_LEVEL = _LEVEL["article"]
_CLAUSE_LEVEL = _LEVEL["clause"]
_POINT_LEVEL = _LEVEL["point"]
_PATH_PREFIX = {
    "chapter": "chuong-",
    "section": "muc-",
    "article": "dieu-",
    "clause": "khoan-",
    "point": "diem-",
}
# Labels that group articles; a sub-section (``Tiểu mục``) sits between a
# section and its articles but is not a part of its own.
_CONTAINER_LEVEL: dict[str, float] = {"chapter": 0, "section": 1, "subsection": 1.5}

# Largest step between consecutive clause numbers (or point letters) that is
# still read as the next clause (or point): after 1, up to 4 (two missing).
_MAX_STEP = 3
# A list of points normally starts at a); b) or c) when the first were repealed.
_FIRST_POINTS = "abc"

# How many non-blank lines (a title, possibly wrapped) may separate a chapter or
# section label from the label that follows it.
_MAX_TITLE_LINES = 3
# How many times the scan restarts after an unclosed quotation before it takes
# quotations as they come.
_MAX_QUOTE_RETRIES = 16


# --------------------------------------------------------------------------
# Pass 1: find candidate labels line by line
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    """A line that looks like a label; pass 2 decides whether it is one."""

    kind: str  # a PartKind, or "boundary", "subsection"
    line: int  # index of the line
    line_start: int  # offset of the line in the text
    start: int  # offset of the label (after the indentation)
    number: str = ""
    key: tuple[int, int] = (0, 0)  # numeric value used to check the order
    heading: str = ""
    letter: tuple[str, int] = ("", 0)  # points: letter and inserted-point digits


def _split_lines(text: str) -> tuple[list[str], list[int]]:
    """Lines without their ``\\n`` and the offset where each one starts."""
    lines = text.split("\n")
    offsets = []
    position = 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    return lines, offsets


def _key(number: int, suffix: str) -> tuple[int, int]:
    """Sortable key: ``(5, 0)`` for ``5``, ``(5, 2)`` for ``5b``, ``(5, 5)`` for ``5đ``."""
    return (number, _SUFFIX_ORDER.find(suffix) + 1 if suffix else 0)


def _starts_like_heading(rest: str) -> bool:
    """Whether the text after ``Điều 5``/``Chương I`` reads as a label's tail.

    A label is followed by a separator (``.``, ``:``, a dash), by nothing, or
    directly by a capitalised heading.  Running text continues in lower case
    (``Điều 5 của Luật này``), with a comma, or names another document
    (``Điều 7 Thông tư số ...``).
    """
    if not rest.strip():
        return True
    if _SEPARATOR_RE.match(rest):
        return True
    if rest[0] == ",":  # "Điều 28, Nhiệm vụ ..." (a typo) but not "Điều 6, khoản 2 ..."
        rest = rest[1:]
    if not rest or not rest[0].isspace():
        return False
    stripped = rest.lstrip()
    first = stripped[0]
    if first in '“"(':
        return True
    return first.isupper() and not _DOC_REFERENCE_RE.match(stripped)


def _tail(rest: str) -> str:
    """Heading text after a label's separator."""
    rest = rest.removeprefix(",")
    match = _SEPARATOR_RE.match(rest)
    if match:
        rest = rest[match.end() :]
    return rest.strip(_TRAILING)


def _match_article(content: str) -> tuple[str, tuple[int, int], str] | None:
    """``(number, key, heading)`` when the line is an article label."""
    match = _ARTICLE_RE.match(content)
    if not match:
        return None
    rest = content[match.end() :]
    if not _starts_like_heading(rest):
        return None
    value = int(match.group("num"))
    suffix = match.group("suf")
    return f"{value}{suffix}", _key(value, suffix), _tail(rest)


def _match_container(
    content: str, pattern: re.Pattern[str]
) -> tuple[str, tuple[int, int], str] | None:
    """``(number, key, heading)`` when the line is a chapter/section label."""
    match = pattern.match(content)
    if not match:
        return None
    raw = match.group("num")
    suffix = match.group("suf") or ""
    rest = content[match.end() :]
    if not _starts_like_heading(rest):
        return None
    if raw.isdigit():
        value = int(raw)
        number = str(value)
    else:
        roman = roman_to_int(raw)
        if roman is None:
            return None
        value = roman
        number = raw
    return number + suffix, _key(value, suffix), _tail(rest)


def _classify(content: str) -> _Candidate | None:
    """Recognise the label that starts ``content`` (a line without indentation).

    Returns a candidate without positions; the caller fills them in.  The first
    character is checked before any regex so that the common case (a line of
    running text) costs almost nothing.
    """
    first = content[0]
    if first in "ĐÐ":
        found = _match_article(content)
        if found:
            return _Candidate("article", 0, 0, 0, found[0], found[1], found[2])
        return None
    if first.isdigit():
        match = _CLAUSE_RE.match(content)
        if match:
            number = str(int(match.group("num"))) + match.group("suf")
            key = _key(int(match.group("num")), match.group("suf"))
            return _Candidate("clause", 0, 0, 0, number, key)
        return None
    if first in _VN_POINT_LETTERS or first in _LATIN_LETTERS:
        match = _POINT_RE.match(content)
        if match:
            letter = match.group("letter")
            digits = match.group("digits")
            candidate = _Candidate(
                "point", 0, 0, 0, letter + str(int(digits)) if digits else letter
            )
            candidate.letter = (letter, int(digits) + 1 if digits else 0)
            return candidate
        return None
    if first in "CM":
        pattern = _CHAPTER_RE if first == "C" else _SECTION_RE
        found = _match_container(content, pattern)
        if found:
            kind = "chapter" if first == "C" else "section"
            return _Candidate(kind, 0, 0, 0, found[0], found[1], found[2])
        return None
    if first == "T" and _SUBSECTION_RE.match(content):
        return _Candidate("subsection", 0, 0, 0)
    if first == "P" and _BOOK_RE.match(content):
        return _Candidate("boundary", 0, 0, 0)
    if first in "LBPNH" and _ENACTED_RE.match(content):
        return _Candidate("boundary", 0, 0, 0)
    return None


def _still_quoted(content: str, inside: bool) -> bool:
    """Whether a quotation is open at the end of a line.

    Quotations are tracked one level deep: a second “ inside a quotation
    (``“Điều 131a. ...`` followed by ``“1. ...``, a common slip) does not need a
    second ” to close.  Sources are sloppy in other ways too: ``“Hồn tử sĩ’``
    or ``“Vụ việc"`` close a quotation with an apostrophe or a straight quote,
    and a straight quote ending a line (``... nội dung."``) closes a quotation
    opened with “ on an earlier line.
    """
    depth = 1 if inside else 0
    opened_here = 0
    marks = list(_QUOTE_MARK_RE.finditer(content))
    for match in marks:
        mark = match.group()
        if mark == _OPEN_QUOTE:
            opened_here += 1
            depth += 1
        elif mark == _CLOSE_QUOTE:
            depth = max(0, depth - 1)
            opened_here = max(0, opened_here - 1)
        elif opened_here > 0:
            opened_here -= 1
            depth = max(0, depth - 1)
        elif depth > 0 and match is marks[-1] and _LINE_END_RE.match(content, match.end()):
            depth -= 1
    return depth > 0


@dataclass(slots=True)
class _QuoteState:
    """Where we are with respect to quotations while scanning lines."""

    typographic: bool = False  # inside a “...” quotation
    ascii_open: bool = False  # inside a "..." quotation
    opener: int = -1  # line that opened the current quotation
    opener_quotes_article: bool = False  # the quotation starts with “Điều/“Chương/“Mục

    @property
    def inside(self) -> bool:
        return self.typographic or self.ascii_open

    def open(self, line: int, content: str, *, ascii_quote: bool) -> None:
        self.typographic = not ascii_quote
        self.ascii_open = ascii_quote
        self.opener = line
        self.opener_quotes_article = _QUOTED_CONTAINER_RE.search(content) is not None

    def close(self) -> None:
        self.typographic = False
        self.ascii_open = False
        self.opener = -1


def _ascii_opens(content: str) -> bool:
    """Whether a line leaves a ``"`` quotation open (odd count, opening last)."""
    if content.count(_ASCII_QUOTE) % 2 == 0:
        return False
    last = content.rfind(_ASCII_QUOTE)
    return (last == 0 or content[last - 1] in " \t:(") and last + 1 < len(content)


def _announces_quotation(content: str, previous: str) -> bool:
    """Whether a line opens a quotation right after a line announcing one.

    ``52. Bổ sung Điều 133a ... như sau:`` / ``“Điều 133a. ...``: inside a
    quotation this means the previous quotation was never closed, and that it
    ended before the announcing line, which belongs to the amending text.
    """
    return content[0] == _OPEN_QUOTE and previous.endswith(":")


def _next_article_inside(
    state: _QuoteState, content: str, last_article: tuple[int, int] | None
) -> bool:
    """Whether a line inside a quotation is the label of the document's next article.

    A quotation that began with a clause or a point (not with a quoted article,
    which may quote several) cannot contain the label that continues the
    document's own numbering; when it does, its opening mark was stray.
    """
    if last_article is None or state.opener_quotes_article or content[0] not in "ĐÐ":
        return False
    found = _match_article(content)
    if found is None:
        return False
    key = found[1]
    return key == (last_article[0] + 1, 0) or (
        key[0] == last_article[0] and key[1] > last_article[1]
    )


def _update_quotes(state: _QuoteState, content: str, line: int, disabled: set[int]) -> None:
    """Advance the quotation state past one line.

    A quotation opens on a line that leaves a “ unclosed (or an odd ``"`` in
    opening position) and closes on the line that closes it.  Lines in
    ``disabled`` opened quotations that turned out to be stray; they are plain
    text, so that a stray quote mark cannot swallow the rest of a text.
    """
    if state.typographic:
        if (
            _OPEN_QUOTE in content or _CLOSE_QUOTE in content or _ASCII_QUOTE in content
        ) and not _still_quoted(content, inside=True):
            state.close()
        return
    if state.ascii_open:
        if content.count(_ASCII_QUOTE) % 2 == 1:
            state.close()
        return
    if line in disabled:
        return
    if _OPEN_QUOTE in content and _still_quoted(content, inside=False):
        state.open(line, content, ascii_quote=False)
    elif _ASCII_QUOTE in content and _ascii_opens(content):
        state.open(line, content, ascii_quote=True)


def _scan_from(
    lines: list[str],
    offsets: list[int],
    first_line: int,
    disabled: set[int],
    candidates: list[_Candidate],
    *,
    detect_stray: bool = True,
) -> tuple[int, bool]:
    """Append the candidates found from ``first_line`` on.

    Returns ``(-1, False)`` when the quotations were consistent.  Otherwise it
    stops and returns where to scan again: ``(line, True)`` when the opening
    mark on ``line`` proved stray (the quotation is unclosed at the end of the
    text, or holds the document's next article), ``(line, False)`` when an
    unclosed quotation ended before ``line`` (see :func:`_announces_quotation`).
    With ``detect_stray`` false, quotations are taken as they come.
    """
    state = _QuoteState()
    previous = ""
    previous_line = -1
    last_article = next((c.key for c in reversed(candidates) if c.kind == "article"), None)
    classify = _classify
    for index in range(first_line, len(lines)):
        line = lines[index]
        content = line.lstrip(_LEADING).rstrip(_TRAILING)
        if not content:
            continue
        if state.typographic or state.ascii_open:
            if detect_stray:
                if state.typographic and _announces_quotation(content, previous):
                    return previous_line, False
                if _next_article_inside(state, content, last_article):
                    return state.opener, True
            _update_quotes(state, content, index, disabled)
        else:
            candidate = classify(content)
            if candidate is not None:
                candidate.line = index
                candidate.line_start = offsets[index]
                candidate.start = offsets[index] + len(line) - len(line.lstrip(_LEADING))
                candidates.append(candidate)
                if candidate.kind == "article":
                    last_article = candidate.key
            if _OPEN_QUOTE in content or _ASCII_QUOTE in content:
                _update_quotes(state, content, index, disabled)
        previous = content
        previous_line = index
    if detect_stray and state.inside:
        return state.opener, True
    return -1, False


def _scan(lines: list[str], offsets: list[int]) -> list[_Candidate]:
    """Candidate labels outside quotations, in document order.

    When a quotation proves unclosed, the scan resumes where it should have
    ended, or from its opening line with that mark ignored (see
    :func:`_scan_from`).  The corpus needs at most three such retries per text;
    past :data:`_MAX_QUOTE_RETRIES` (pathological input) quotations are taken as
    they come, so the cost stays linear.
    """
    candidates: list[_Candidate] = []
    disabled: set[int] = set()
    first_line = 0
    for _ in range(_MAX_QUOTE_RETRIES):
        resume, stray = _scan_from(lines, offsets, first_line, disabled, candidates)
        if resume < 0:
            return candidates
        if stray:
            disabled.add(resume)
        while candidates and candidates[-1].line >= resume:
            candidates.pop()
        first_line = resume
    _scan_from(lines, offsets, first_line, disabled, candidates, detect_stray=False)
    return candidates


# --------------------------------------------------------------------------
# Pass 2: decide which candidates are parts
# --------------------------------------------------------------------------


def _accept_articles(candidates: list[_Candidate]) -> set[int]:
    """Indices of the article candidates that are real articles.

    Articles come in increasing order, with inserted ones (``12a``, ``12b``,
    sometimes ``12đ`` after ``12i``) after their base number.  Exceptions:

    * a number equal to the previous one is a duplicate article (kept; its
      path gets a ``~2`` suffix);
    * a number lower than the previous one starts a *shadow run*: either a
      repeated run of articles (codified sources sometimes repeat ``Điều 11``
      ... ``Điều 18``) or a whole text embedded in an article (a charter that
      restarts at ``Điều 1``).  Labels of a shadow run are text of the
      enclosing article.  The run ends at the first label that continues the
      real numbering; after a restart at 1, that label must not also continue
      the embedded numbering;
    * a number far ahead of the previous one when the next label falls back
      between them is an outlier (an unquoted article of another law).
    """
    articles = [i for i, c in enumerate(candidates) if c.kind == "article"]
    accepted: set[int] = set()
    seen: set[str] = set()
    last: tuple[int, int] | None = None
    shadow_last: tuple[int, int] | None = None
    embedded = False
    for position, index in enumerate(articles):
        candidate = candidates[index]
        key = candidate.key
        if last is None:
            accept = True
        elif shadow_last is not None:
            continues_shadow = key[0] == shadow_last[0] + 1 and key[1] == 0
            accept = key > last and not (embedded and continues_shadow)
            shadow_last = None if accept else key
        elif key == last or (key[0] == last[0] and candidate.number not in seen):
            accept = True
        elif key > last:
            following = (
                candidates[articles[position + 1]].key if position + 1 < len(articles) else None
            )
            outlier = following is not None and key[0] > last[0] + 1 and last < following < key
            accept = not outlier
        else:
            accept = False
            shadow_last = key
            embedded = key[0] <= 1
        if accept:
            accepted.add(index)
            seen.add(candidate.number)
            last = key if last is None else max(last, key)
    return accepted


def _non_blank_between(lines: list[str], first: int, last: int) -> int:
    """Number of non-blank lines strictly between two line indices."""
    count = 0
    for index in range(first + 1, last):
        if lines[index].strip():
            count += 1
            if count > _MAX_TITLE_LINES:
                break
    return count


def _accept_containers(
    candidates: list[_Candidate], articles: set[int], lines: list[str]
) -> set[int]:
    """Indices of chapter/section/sub-section candidates followed by content.

    A chapter label is followed, after at most a short title, by a section,
    a sub-section or an article; a section by a sub-section or an article; a
    sub-section by an article.  This rejects tables of contents (``CHƯƠNG I``
    to ``CHƯƠNG VIII`` listed before the text) and tables or annexes listing
    ``Chương 1: Động vật sống`` and the like inside an article.
    """
    valid: set[int] = set()
    # Level of the content that starts at the next candidate, or None when the
    # next candidate cannot start the content of a container.
    following_level: float | None = None
    following_line = -1
    for index in range(len(candidates) - 1, -1, -1):
        candidate = candidates[index]
        level = _CONTAINER_LEVEL.get(candidate.kind)
        if level is not None:
            ok = (
                following_level is not None
                and following_level > level
                and _non_blank_between(lines, candidate.line, following_line) <= _MAX_TITLE_LINES
            )
            if ok:
                valid.add(index)
            following_level = level if ok else None
        elif candidate.kind == "article" and index in articles:
            following_level = _LEVEL["article"]
        else:
            following_level = None
        following_line = candidate.line
    return valid


def _heading_from_next_line(lines: list[str], line: int, labels: set[int]) -> str:
    """Title written on the line after a bare label (``Chương I`` / ``NHỮNG QUY ĐỊNH CHUNG``).

    Only a short line that is not itself a label and does not end a sentence is
    taken, so that the first sentence of an article is not mistaken for its
    heading.
    """
    for index in range(line + 1, min(line + 3, len(lines))):
        content = lines[index].strip(_LEADING + _TRAILING)
        if not content:
            continue
        if index in labels or len(content) > 250 or content[-1] in ".;:,":
            return ""
        if content[0] in '“"' or not content[0].isupper():
            return ""
        return content
    return ""


def _point_follows(previous: tuple[str, int] | None, current: tuple[str, int]) -> bool:
    """Whether a point may come after the previous point of its list.

    Points are lettered a), b), c) ... in the Vietnamese alphabet (no f, j, w,
    z; đ after d), some texts use the Latin one; inserted points carry digits
    (a1).  A gap of up to two letters is tolerated because codified texts drop
    repealed points and some sources lose a line.  A list that goes back
    (a second list restarting at a) inside a point) is text of its point.
    """
    letter, digits = current
    if previous is None:
        return digits == 0 and letter in _FIRST_POINTS
    previous_letter, previous_digits = previous
    if letter == previous_letter:
        return digits > previous_digits
    for alphabet in (_VN_POINT_LETTERS, _LATIN_LETTERS):
        before = alphabet.find(previous_letter)
        after = alphabet.find(letter)
        if before >= 0 and after >= 0 and 0 < after - before <= _MAX_STEP:
            return True
    return False


def _clause_follows(previous: tuple[int, int] | None, key: tuple[int, int]) -> bool:
    """Whether clause ``key`` may come after the previous clause of its article.

    Clauses count 1, 2, 3 ...; inserted clauses carry a letter (``1a``).  A gap
    of up to two numbers is tolerated (codified texts drop repealed clauses,
    some sources lose a line) so that one missing clause does not hide all the
    following ones.  Years, amounts and sub-lists that restart at 1 stay text.
    """
    before = previous or (0, 0)
    return key > before and key[0] <= before[0] + _MAX_STEP


class _Builder:
    """Turns accepted candidates into parts with parents, paths and ends.

    Parts are kept as parallel lists while they are built (their end is only
    known when the next label closes them) and frozen at the end.  The stack
    holds the indices of the open parts, outermost first.
    """

    __slots__ = ("ends", "levels", "paths", "records", "seen_paths", "stack", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.records: list[tuple[str, str, str, int | None, int]] = []
        self.paths: list[str] = []
        self.levels: list[int] = []
        self.ends: list[int] = []
        self.stack: list[int] = []
        self.seen_paths: set[str] = set()

    def close(self, level: int, at: int) -> None:
        """Close every open part at ``level`` or deeper; they end before ``at``.

        The end is moved back over blank lines so that a part's slice ends
        with its last character of content.
        """
        stack = self.stack
        if not stack or self.levels[stack[-1]] < level:
            return
        text = self.text
        end = at
        while end > 0 and text[end - 1] in _TRAILING:
            end -= 1
        levels = self.levels
        ends = self.ends
        while stack and levels[stack[-1]] >= level:
            ends[stack.pop()] = end

    def open_part(self, kind: str, candidate: _Candidate, heading: str) -> None:
        """Add a part under the innermost open one (the caller closed the rest)."""
        stack = self.stack
        parent = stack[-1] if stack else None
        number = candidate.number
        if not number.isascii():
            number = number.replace("đ", "dd").replace("ư", "uu")
        own = _PATH_PREFIX[kind] + number
        path = own if parent is None or kind == "article" else self.paths[parent] + "/" + own
        if path in self.seen_paths:
            copy = 2
            while f"{path}~{copy}" in self.seen_paths:
                copy += 1
            path = f"{path}~{copy}"
        self.seen_paths.add(path)
        stack.append(len(self.records))
        self.records.append((kind, candidate.number, heading, parent, candidate.start))
        self.paths.append(path)
        self.levels.append(_LEVEL[kind])
        self.ends.append(len(self.text))

    def finish(self) -> list[Part]:
        """Close everything at the end of the text and freeze the parts."""
        self.close(0, len(self.text))
        return [
            Part(kind, number, heading, path, parent, start, max(start, end))  # type: ignore[arg-type]
            for (kind, number, heading, parent, start), path, end in zip(
                self.records, self.paths, self.ends, strict=True
            )
        ]


def _build(text: str, lines: list[str], candidates: list[_Candidate]) -> list[Part]:
    """Walk the candidates in order and keep those that fit the structure."""
    articles = _accept_articles(candidates)
    containers = _accept_containers(candidates, articles, lines)
    label_lines = {c.line for c in candidates}
    builder = _Builder(text)
    chapter: tuple[int, int] | None = None  # last chapter number
    clause: tuple[int, int] | None = None  # last clause of the open article
    point: tuple[str, int] | None = None  # last point of the open list
    in_article = False  # clauses and points only exist inside an article
    for index, candidate in enumerate(candidates):
        kind = candidate.kind
        if kind == "clause":
            if in_article and _clause_follows(clause, candidate.key):
                builder.close(_CLAUSE_LEVEL, candidate.line_start)
                builder.open_part(kind, candidate, "")
                clause = candidate.key
                point = None
        elif kind == "point":
            if in_article and _point_follows(point, candidate.letter):
                builder.close(_POINT_LEVEL, candidate.line_start)
                builder.open_part(kind, candidate, "")
                point = candidate.letter
        elif kind == "article":
            if index in articles:
                builder.close(_ARTICLE_LEVEL, candidate.line_start)
                heading = candidate.heading or _heading_from_next_line(
                    lines, candidate.line, label_lines
                )
                builder.open_part(kind, candidate, heading)
                in_article = True
                clause = point = None
        elif kind == "boundary":
            builder.close(0, candidate.line_start)
            in_article = False
            chapter = None
        elif index not in containers:
            continue
        elif kind == "subsection":
            builder.close(_ARTICLE_LEVEL, candidate.line_start)
            in_article = False
        elif kind == "section" or chapter is None or candidate.key >= chapter:
            builder.close(_LEVEL[kind], candidate.line_start)
            heading = candidate.heading or _heading_from_next_line(
                lines, candidate.line, label_lines
            )
            builder.open_part(kind, candidate, heading)
            in_article = False
            if kind == "chapter":
                chapter = candidate.key
    return builder.finish()


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def parse_parts(text: str) -> list[Part]:
    """Parts in document order. Never raises on any input; returns [] when nothing is recognised.

    The text before the first chapter or article (header, preamble, ``Căn cứ``)
    and after the enacting formula (signature, annexes) belongs to no part.
    """
    if not isinstance(text, str) or not text:
        return []
    try:
        lines, offsets = _split_lines(text)
        candidates = _scan(lines, offsets)
        if not candidates:
            return []
        return _build(text, lines, candidates)
    except Exception:  # pragma: no cover - defensive: callers rely on "never raises"
        return []


def article_texts(text: str, parts: list[Part]) -> dict[str, str]:
    """Path → text of every article, for comparing versions of a document."""
    return {part.path: text[part.start : part.end] for part in parts if part.kind == "article"}
