"""A version's text cut into blocks to render and a table of contents, from its parts.

Pure: no Flask, no session; the parts may be ORM objects or plain rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

STRUCTURE = ("chapter", "section", "article")
_BLANKS = " \t\r\f\v\u00a0\u200b\ufeff\u3000\xad"


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    anchor: str | None = None  # path of the clause or point that starts here
    kind: str | None = None  # "clause" | "point"


@dataclass(slots=True)
class Block:
    """A run of the text: loose text (preamble, closing) or a chapter, section or article."""

    kind: str  # "text" | "chapter" | "section" | "article"
    path: str | None = None
    depth: int = 0  # how many chapters and sections enclose it
    title: list[str] = field(default_factory=list)  # the label line, and the heading's line
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass(slots=True)
class TocEntry:
    kind: str
    number: str
    heading: str
    path: str
    children: list[TocEntry] = field(default_factory=list)


@dataclass(slots=True)
class Outline:
    blocks: list[Block]
    toc: list[TocEntry]
    articles: int


def _lines(text: str, start: int, end: int) -> Iterable[tuple[int, str]]:
    """(offset of the content, content) of each non-blank line of text[start:end]."""
    position = start
    while position < end:
        stop = text.find("\n", position, end)
        if stop == -1:
            stop = end
        line = text[position:stop]
        content = line.lstrip(_BLANKS)
        stripped = content.rstrip(_BLANKS)
        if stripped:
            yield position + len(line) - len(content), stripped
        position = stop + 1


def _fill(
    block: Block, text: str, start: int, end: int, anchors: dict[int, Any], heading: str = ""
) -> None:
    """Cut text[start:end] into the block's title (for a part) and paragraphs."""
    lines = iter(_lines(text, start, end))
    if block.kind != "text":
        first = next(lines, None)
        if first is None:
            return
        block.title.append(first[1])
        if heading and heading not in first[1]:
            second = next(lines, None)
            if second is None:
                return
            if second[1] == heading:
                block.title.append(second[1])
            else:
                block.paragraphs.append(Paragraph(second[1]))
    for offset, content in lines:
        part = anchors.get(offset)
        if part is None:
            block.paragraphs.append(Paragraph(content))
        else:
            block.paragraphs.append(Paragraph(content, part.path, part.kind))


def outline(text: str, parts: Sequence[Any]) -> Outline:
    """Blocks to render, in text order, and the table of contents of a version.

    `parts` are VersionPart rows (kind, number, heading, path, start, end, ordinal,
    parent_ordinal) in ordinal order. Chapters and sections become headings, each
    article its own block; clauses and points are paragraphs carrying their path as anchor.
    Text outside every part (header, preamble, signature) becomes loose text. Linear in the
    size of the text and the number of parts.
    """
    structural = [p for p in parts if p.kind in STRUCTURE]
    anchors = {p.start: p for p in parts if p.kind in ("clause", "point")}
    blocks: list[Block] = []
    toc: list[TocEntry] = []
    entries: dict[int, TocEntry] = {}
    depths: dict[int, int] = {}
    position = 0
    for index, part in enumerate(structural):
        start = max(part.start, position)
        if start > position:
            loose = Block("text")
            _fill(loose, text, position, start, anchors)
            if loose.paragraphs:
                blocks.append(loose)
        if part.kind == "article":
            end = max(part.end, start)
        else:  # a container's own text ends where its first child begins
            following = structural[index + 1].start if index + 1 < len(structural) else part.end
            end = max(start, min(part.end, following))
        parent = entries.get(part.parent_ordinal) if part.parent_ordinal is not None else None
        depth = depths.get(part.parent_ordinal, -1) + 1 if parent is not None else 0
        depths[part.ordinal] = depth
        block = Block(part.kind, part.path, depth)
        _fill(block, text, start, end, anchors, part.heading)
        blocks.append(block)
        position = end

        entry = TocEntry(part.kind, part.number, part.heading, part.path)
        entries[part.ordinal] = entry
        (parent.children if parent is not None else toc).append(entry)
    if position < len(text):
        closing = Block("text")
        _fill(closing, text, position, len(text), anchors)
        if closing.paragraphs:
            blocks.append(closing)
    articles = sum(1 for p in structural if p.kind == "article")
    return Outline(blocks, toc, articles)
