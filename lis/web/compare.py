"""The side-by-side comparison of two versions of a document.

A deputy reads it on a laptop before a session: which articles changed, and in each changed
article exactly which words went and which came, old text on the left and new on the right.
The comparison itself is :func:`lis.documents.compare.compare_texts`; this module only turns it
into rows of two columns.  Articles that did not change are shown too (a reader checks the
context), unless "only changes" is ticked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as SchemaError

from lis.db import db
from lis.documents import queries
from lis.documents.compare import ArticleChange
from lis.documents.compare_schemas import CompareArgsSchema
from lis.documents.comparisons import VersionComparison, compare_versions
from lis.documents.parsing import article_texts, parse_parts
from lis.errors import ValidationError

bp = Blueprint("compare", __name__)
_ARGS = CompareArgsSchema()

STATUS_NAMES = {
    "unchanged": _l("Unchanged"),
    "changed": _l("Changed"),
    "added": _l("Added"),
    "removed": _l("Removed"),
    "renumbered": _l("Renumbered"),
    "renumbered_changed": _l("Renumbered and changed"),
}
FIELD_ERRORS = {
    "a": _l("Choose an older version to compare with."),
    "b": _l("Choose two different versions."),
}

# One run of text in a column: None for text both sides share, "del" or "ins" for an edit.
Segment = tuple[str | None, str]


@dataclass
class Row:
    """One article (or one whole text without articles) in two columns."""

    anchor: str
    status: str
    old_label: str | None
    new_label: str | None
    old_title: str | None = None
    new_title: str | None = None
    old: list[Segment] = field(default_factory=list)
    new: list[Segment] = field(default_factory=list)

    @property
    def status_name(self) -> str:
        return str(STATUS_NAMES[self.status])

    @property
    def label(self) -> str:
        """What the jump list and the row title say: "Điều 5 → Điều 6" when renumbered."""
        if self.old_label and self.new_label and self.old_label != self.new_label:
            return f"{self.old_label} → {self.new_label}"
        return self.new_label or self.old_label or _("Whole text")


def _label(number: str | None, heading: str | None) -> str | None:
    if number is None:
        return None
    label = _("Article %(n)s", n=number)
    return f"{label}. {heading}" if heading else label


def _number_label(number: str | None) -> str | None:
    return _("Article %(n)s", n=number) if number is not None else None


def _texts(text: str) -> dict[str | None, str]:
    """Path → article text, and None → the whole text (for texts without articles)."""
    texts: dict[str | None, str] = dict(article_texts(text, parse_parts(text)))
    texts[None] = text
    return texts


def _segments(change: ArticleChange) -> tuple[list[Segment], list[Segment]]:
    old: list[Segment] = []
    new: list[Segment] = []
    for word in change.words:
        if word.op == "equal":
            old.append((None, word.old))
            new.append((None, word.new))
        else:
            if word.old:
                old.append(("del", word.old))
            if word.new:
                new.append(("ins", word.new))
    return old, new


def rows_of(result: VersionComparison) -> list[Row]:
    """Rows in the new version's order (removed articles where they stood)."""
    old_texts, new_texts = _texts(result.a.text), _texts(result.b.text)
    rows = []
    for index, change in enumerate(result.comparison.changes, start=1):
        row = Row(
            anchor=f"change-{index}",
            status=change.status,
            old_label=_number_label(change.old_number),
            new_label=_number_label(change.new_number),
            old_title=_label(change.old_number, change.old_heading),
            new_title=_label(change.new_number, change.new_heading),
        )
        if change.words:
            row.old, row.new = _segments(change)
        else:
            if change.status != "added":
                row.old = [(None, old_texts.get(change.old_path, ""))]
            if change.status != "removed":
                row.new = [(None, new_texts.get(change.new_path, ""))]
        rows.append(row)
    return rows


@bp.route("/documents/<string:doc_id>/compare")
def compare(doc_id: str) -> Any:
    session = db.session()
    document = queries.get_document(session, doc_id)
    raw = {k: v for k, v in request.args.items() if k in _ARGS.fields and v.strip()}
    only_changes = request.args.get("only") in ("1", "on", "true")
    errors: dict[str, str] = {}
    result: VersionComparison | None = None
    try:
        args = _ARGS.load(raw)
        result = compare_versions(session, doc_id, args["a"], args["b"])
    except SchemaError as exc:
        errors = {name: str(FIELD_ERRORS[name]) for name in exc.normalized_messages()}
    except ValidationError as exc:
        errors = {name: str(FIELD_ERRORS.get(name, exc.message)) for name in exc.fields}
    rows = rows_of(result) if result is not None else []
    shown = [row for row in rows if not only_changes or row.status != "unchanged"]
    status = 422 if errors and raw else 200
    return render_template(
        "compare.html",
        doc=document,
        result=result,
        rows=shown,
        jump=[row for row in rows if row.status != "unchanged"],
        counts=result.comparison.counts if result else {},
        only_changes=only_changes,
        errors=errors,
        selected_a=result.a.seq if result else raw.get("a"),
        selected_b=result.b.seq if result else raw.get("b"),
    ), status
