"""Find the document numbers a legal text cites, and guess what each citation means.

Pure text work (no database), so it is tested on the real texts of the corpus.  What counts as a
citation, and why:

* **A full number with a document suffix.**  ``57/2020/QH14``, ``15/2020/NĐ-CP``,
  ``44/2024/UBTVQH15``, ``31/CT-TTg``: :data:`search.analysis.NUMBER_RE` finds the shape (with or
  without the year, in any case, ``Ð`` typed for ``Đ``), and the part after the last ``/`` must
  name an issuing kind (QH, UBTVQH, NĐ, NQ, TT, TTLT, QĐ, CT, PL, L-CTN…).  Texts also number
  forms (``Mẫu số 01/HNCT``), standards (``QCVN 01:2009/BYT``) and reports; their suffixes name
  no kind of document, so they are left out.  A number right after a kind word (``Luật số``,
  ``Nghị định``) is taken whatever its suffix, since the text itself says it is a document.
* **Not a partial number.**  ``Nghị định 13/2023`` without its suffix could be several
  documents; guessing would link the wrong one, so it is not suggested.
* **The kind comes from the clause around the number** (folded, so case and diacritics do not
  matter).  A clause opening with *Căn cứ* is the legal basis, whatever follows (``Căn cứ Luật
  sửa đổi, bổ sung …`` is still a basis).  Otherwise the cue nearest before the number wins:
  *bãi bỏ* → repeals, *thay thế* → replaces, *sửa đổi* / *bổ sung* → amends, *hướng dẫn* /
  *quy định chi tiết* → guides, *căn cứ* → basis; ``… số X hết hiệu lực`` or ``… số X bị bãi
  bỏ`` after the number → repeals, ``… số X được (bị) thay thế`` → replaces.  ``đã được sửa
  đổi, bổ sung theo Luật số X`` tells the history of another law, not what this text does, so
  it is no cue.  *Thay thế cụm từ* (or *từ* "…") replaces words inside the cited text: that
  amends it, it does not replace the document.
* **A cue that opens a cited document's name is weaker than the clause's verb.**  In ``thay
  thế Luật sửa đổi, bổ sung một số điều của Luật … số X`` the words *sửa đổi, bổ sung* follow
  the kind word *Luật*: they are the name of X, and the text replaces X.  Such a cue counts
  only when the clause has no other (``Quốc hội ban hành Luật sửa đổi, bổ sung … số X``).
* **With no cue, basis.**  Most other citations are references ("theo quy định tại Thông tư
  số …"): the text relies on the cited document, which is the weakest of the five kinds.  A
  suggestion is never a link until a person confirms it, and the person can correct the kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.analysis import NUMBER_RE, fold, normalize, number_key

# Suffixes (folded, after the last "/") that name a kind of legal document or its issuer's
# document series: QH14, UBTVQH15, PL-UBTVQH11, NĐ-CP, NQ-CP, NQ-HĐND, TT-BTC, TTLT-BTC-BCT,
# QĐ-TTg, CT-TTg, L-CTN, SL (sắc lệnh), NQLT, HP.
_DOCUMENT_SUFFIX = re.compile(
    r"^(?:qh\d*|ubtvqh\d*|pl(?:-[a-z0-9]+)*|nd(?:-[a-z0-9]+)*|nq(?:lt)?(?:-[a-z0-9]+)*"
    r"|ttlt(?:-[a-z0-9]+)*|tt(?:-[a-z0-9]+)*|qd(?:-[a-z0-9]+)*|ct(?:-[a-z0-9]+)+|l-ctn|lct|sl|hp"
    r"|cp)$"
)
# Kind words (folded) that may stand before a number, perhaps with the document's name and
# "số" in between: "Luật Đất đai số", "Nghị định", "Thông tư liên tịch số".
_KIND_WORD = (
    r"(?:hien phap|bo luat|luat|phap lenh|nghi quyet(?: lien tich)?|nghi dinh|"
    r"thong tu(?: lien tich)?|quyet dinh|chi thi|sac lenh|lenh)"
)
_KIND_BEFORE = re.compile(rf"\b{_KIND_WORD}(?:\s+so)?\s*:?\s*$")
# Where a clause starts: a line, or the end of a sentence or list item.
_CLAUSE_END = re.compile(r"[.;!?](?=\s)|\n")
_LOOK_BACK = 400
_LOOK_AHEAD = 160
_CONTEXT_BEFORE = 120
_CONTEXT_AFTER = 60
MAX_CONTEXT = 500

# History of another law, or guidance this text follows, not an act of this text: dropped
# before looking for cues.
_NOT_AN_ACT = re.compile(
    r"(?:da\s+)?duoc\s+(?:sua\s+doi|bo\s+sung)(?:\s*,?\s*(?:bo\s+sung|sua\s+doi))?"
    r"|\btheo\s+(?:quy\s+dinh\s+va\s+)?huong\s+dan\b|\bhuong\s+dan\s+tai\b"
)
# The text speaking of itself ("Thông tư này thay thế …"): what follows is its own act again.
_THIS_TEXT = re.compile(r"\bnay\b")
# "&" inside a suffix (BGD&ĐT), which NUMBER_RE stops at.
_AMPERSAND_TAIL = re.compile(r"&[^\W\d_]+(?:-[^\W_]+)*")
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("repeals", re.compile(r"\bbai bo\b|\bhet hieu luc\b")),
    # Before "replaces": at the same position the first kind listed wins.
    ("amends", re.compile(r"\bthay the\s+(?:cac\s+)?(?:cum\s+tu\b|tu\s*[\"'“”‘’«])")),
    ("replaces", re.compile(r"\bthay the\b")),
    ("amends", re.compile(r"\bsua doi\b|\bbo sung\b")),
    ("guides", re.compile(r"\bhuong dan\b|\bquy dinh chi tiet\b")),
    ("basis", re.compile(r"\bcan cu\b")),
)
_BASIS_OPENING = re.compile(r"^\W*can cu\b")
_REPEALED_AFTER = re.compile(r"\bhet hieu luc\b|\b(?:bi|duoc)\s+bai bo\b")
_REPLACED_AFTER = re.compile(r"\b(?:bi|duoc)\s+thay the\b")
# A cue right after a kind word is the start of a cited document's name ("Luật sửa đổi, bổ
# sung một số điều của …", "Nghị định quy định chi tiết …"), not this text's act.
_NAMED_CUE = re.compile(
    rf"\b{_KIND_WORD}\s+(?P<cue>sua doi|bo sung|thay the|bai bo|huong dan|quy dinh chi tiet)\b"
)


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited number: as written, its look-up key, the kind inferred and where it stood."""

    number: str
    key: str
    kind: str
    start: int
    end: int
    context: str


def is_document_number(number: str) -> bool:
    """Whether a full number's suffix names a kind of document (not a form or a standard)."""
    suffix = fold(number).rsplit("/", 1)[-1].replace("–", "-")
    return bool(_DOCUMENT_SUFFIX.match(suffix))


def _clause_before(text: str, start: int) -> str:
    """The clause the number stands in, up to the number (at most _LOOK_BACK characters)."""
    window = text[max(0, start - _LOOK_BACK) : start]
    ends = list(_CLAUSE_END.finditer(window))
    return window[ends[-1].end() :] if ends else window


def _clause_after(text: str, end: int) -> str:
    window = text[end : end + _LOOK_AHEAD]
    found = _CLAUSE_END.search(window)
    return window[: found.start()] if found else window


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def infer_kind(before: str, after: str = "", cited_before: tuple[int, ...] = ()) -> str:
    """The relation a citation expresses, from its clause (see the module docstring).

    ``cited_before`` are the ends, in ``before``, of numbers cited earlier in the clause: a cue
    after one of them describes that document ("Thông tư số X … sửa đổi … Thông tư số Y" says
    what X did to Y), unless the text speaks of itself again ("… Thông tư này thay thế …").
    """
    folded = _NOT_AN_ACT.sub(_blank, fold(before))
    if _BASIS_OPENING.match(folded):
        return "basis"
    folded_after = fold(after)
    if _REPEALED_AFTER.search(folded_after):
        return "repeals"
    if _REPLACED_AFTER.search(folded_after):
        return "replaces"
    # Where names open with a cue: "sửa đổi, bổ sung" after "Luật" is one name, so a second cue
    # word joined to the first by a comma or "và" belongs to it too.
    named: list[tuple[int, int]] = []
    for match in _NAMED_CUE.finditer(folded):
        start, end = match.span("cue")
        joined = re.match(r"(?:\s*,\s*|\s+va\s+)(?:sua doi|bo sung)\b", folded[end:])
        named.append((start, end + joined.end() if joined else end))
    best, best_at, described_at = "basis", -1, -1
    title, title_at = "basis", -1
    for kind, cue in _CUES:
        for match in cue.finditer(folded):
            at = match.start()
            earlier = [end for end in cited_before if end <= at]
            if earlier and not _THIS_TEXT.search(folded, max(earlier), at):
                described_at = max(described_at, at)
            elif any(start <= at < end for start, end in named):
                if at > title_at:
                    title, title_at = kind, at
            elif at > best_at:
                best, best_at = kind, at
    if best_at < 0 and title_at > described_at:
        return title
    # "… bãi bỏ Thông tư X quy định chi tiết Nghị định Y": Y is part of X's description.
    return "basis" if described_at > best_at else best


def _context(text: str, start: int, end: int) -> str:
    snippet = text[max(0, start - _CONTEXT_BEFORE) : end + _CONTEXT_AFTER]
    snippet = " ".join(snippet.split())
    return snippet[:MAX_CONTEXT]


def find_citations(text: str, *, own_number: str | None = None) -> list[Citation]:
    """Cited numbers in reading order, one per (number, kind); the text's own number skipped."""
    text = normalize(text or "")
    folded = fold(text)
    aligned = len(folded) == len(text)  # folding keeps NFC text's length but for rare letters
    own_key = number_key(own_number) if own_number else None
    seen: set[tuple[str, str]] = set()
    found: list[Citation] = []
    cited_ends: list[int] = []  # ends of the numbers taken so far, in the whole text
    for match in NUMBER_RE.finditer(text):
        start, end = match.span()
        tail = _AMPERSAND_TAIL.match(text, end)
        if tail:
            end = tail.end()
        number = text[start:end]
        key = number_key(number)
        before = _clause_before(text, start)
        if not is_document_number(number):
            lead = folded[max(0, start - 60) : start] if aligned else fold(before)
            if not _KIND_BEFORE.search(lead):
                continue
        clause_start = start - len(before)
        earlier = tuple(e - clause_start for e in cited_ends if e > clause_start)
        cited_ends.append(end)
        if key == own_key:
            continue
        kind = infer_kind(before, _clause_after(text, end), earlier)
        if (key, kind) in seen:
            continue
        seen.add((key, kind))
        found.append(Citation(number, key, kind, start, end, _context(text, start, end)))
    return found
