"""Just enough HTML reading for page tests: links with their text, ids, and elements by class."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    inner: list[str] = field(default_factory=list)
    start: int = 0  # its index in Page.elements; its descendants follow it up to `end`
    end: int = 0

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]


class Page(HTMLParser):
    """Every element with its attributes and its text (whitespace collapsed)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()
        for element in self.elements:
            element.text = re.sub(r"\s+", " ", "".join(element.inner)).strip()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        position = len(self.elements)
        element = Element(tag, {k: v or "" for k, v in attrs}, start=position, end=position + 1)
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                for element in self._open[index:]:
                    element.end = len(self.elements)
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.inner.append(data)

    def find(
        self,
        tag: str | None = None,
        cls: str | None = None,
        within: Element | None = None,
        **attrs: str,
    ) -> list[Element]:
        """Elements by tag, class and attributes (aria_current= for aria-current, for_= for
        for), optionally only the descendants of `within`."""
        scope = self.elements[within.start + 1 : within.end] if within else self.elements
        return [
            e
            for e in scope
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.classes)
            and all(e.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def one(
        self,
        tag: str | None = None,
        cls: str | None = None,
        within: Element | None = None,
        **attrs: str,
    ) -> Element:
        found = self.find(tag, cls, within, **attrs)
        assert len(found) == 1, (tag, cls, attrs, len(found))
        return found[0]

    def ids(self) -> list[str]:
        return [e.attrs["id"] for e in self.elements if "id" in e.attrs]
