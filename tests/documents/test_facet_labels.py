"""Facet labels of declared reference data (kinds, terms) are read once, not on every search."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from lis.documents.search import facet_labels


def test_kind_and_term_labels_are_read_once(db_session: Any) -> None:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    facets = {"kind": ["law", "decree"], "term": ["XIII", "XV"]}
    first = facet_labels(db_session, facets)
    connection = db_session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        again = facet_labels(db_session, facets, "en")
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert statements == []
    assert first["kind"]["law"] == "Luật" and again["kind"]["law"] == "Law"
    assert first["term"]["XIII"] == "Khóa XIII (2011–2016)"
    assert again["term"]["XV"].startswith("Term XV (2021")
