"""Golden tests of what the Elasticsearch backend sends: a change in a request body fails here.

Each case compiles a `SearchQuery` (or the index definition) and compares it with a checked-in
JSON file under tests/search/golden/. After an intended change, rewrite them with
`LIS_UPDATE_GOLDEN=1 pytest tests/search/test_es_query.py` and review the diff by eye.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from search.backends import es_query
from search.interface import SearchDocument, SearchQuery

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("LIS_UPDATE_GOLDEN") == "1"


def check(name: str, value: Any) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text), name


QUERIES = {
    "plain_words": SearchQuery(text="Luật Đất đai"),
    "unaccented_words": SearchQuery(text="luat dat dai"),
    "quoted_phrase": SearchQuery(text='"đất đai" thuế'),
    "excluded_word": SearchQuery(text="luat dat dai -nghi"),
    "full_number": SearchQuery(text="98/2021/NĐ-CP"),
    "number_after_kind": SearchQuery(text="nghị quyết 44/2024"),
    "filters_and_facets": SearchQuery(
        text="dat",
        filters={"kind": ("law", "circular"), "issuer": ("Quốc hội",)},
        year_from=2010,
        year_to=2020,
        facets=("kind", "issuer", "status", "year", "committee"),
        limit=10,
        offset=20,
    ),
    "empty_newest_first": SearchQuery(highlight=False, facets=()),
    "sort_by_date": SearchQuery(text="luat", sort="issued_asc"),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_search_bodies(name: str) -> None:
    check(f"search_{name}", es_query.search_body(QUERIES[name]))


def test_deep_page_uses_search_after() -> None:
    body = es_query.search_body(
        SearchQuery(text="giao thong", offset=12_000, limit=20),
        search_after=[3.5, "filler-07"],
    )
    assert "from" not in body
    check("search_deep_page", body)


def test_index_settings_and_mapping() -> None:
    body = es_query.index_body()
    # Every filter and facet of the embedded backend is a keyword field here.
    for name in ("kind", "issuer", "status", "origin", "stage", "holder", "committee"):
        assert body["mappings"]["properties"][name] == {"type": "keyword"}
    # ES >= 8.9 would mark a matched phrase as one span; the embedded engine marks each word.
    assert body["settings"]["highlight"] == {"weight_matches_mode": {"enabled": False}}
    check("index", body)


def test_bulk_actions() -> None:
    """Live writes carry external versions (the drain's transaction id): the server refuses an
    older write. A rebuild's copies carry the lowest, a catch-up's deletes the next."""
    doc = SearchDocument(
        id="land", number="45/2013/QH13", title="Luật Đất đai", body="", kind="law"
    )
    check(
        "bulk_actions",
        {
            "index_versioned": es_query.index_action(doc, 41),
            "index_unversioned": es_query.index_action(doc),
            "index_rebuild": es_query.index_action(doc, es_query.REBUILD_VERSION),
            "delete_versioned": es_query.delete_action("land", 42),
            "delete_catch_up": es_query.delete_action("land", es_query.CATCH_UP_DELETE_VERSION),
        },
    )


def test_document_source() -> None:
    doc = SearchDocument(
        id="land",
        number="45/2013/QH13",
        title="Luật Đất đai",
        body="Luật này quy định về chế độ sở hữu đất đai.",
        kind="law",
        issued_date=dt.date(2013, 11, 29),
        keywords={"issuer": ("Quốc hội",), "session": ("XIII-6", "XIII-7")},
    )
    check("document", es_query.to_source(doc))


def test_facet_counts_from_aggregations() -> None:
    aggs = {
        "kind": {"doc_count": 5, "values": {"buckets": [{"key": "law", "doc_count": 3}]}},
        "year": {
            "doc_count": 5,
            "values": {"buckets": [{"key": 2010, "doc_count": 4}, {"key": 2013, "doc_count": 1}]},
        },
    }
    got = es_query.facet_values(aggs, ["kind", "year", "status"])
    assert got == {"kind": [("law", 3)], "year": [("2013", 1), ("2010", 4)], "status": []}
