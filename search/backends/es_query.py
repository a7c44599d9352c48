"""What the Elasticsearch backend sends: index settings and mapping, documents, search bodies.

Pure functions (no client, no server), so that golden tests pin every byte we send. The query is
compiled from the same `search.query.parse` as the embedded engine, clause for clause and with
the same boosts, so that both backends interpret a query the same way; only the engine differs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from search.analysis import MAX_TOKEN_BYTES, normalize, number_key, tokens
from search.backends.embedded import (
    BODY_PHRASE_BOOST,
    EXACT_BOOST,
    FACET_SIZE,
    KIND_HINT_BOOST,
    KIND_PRIOR,
    NUMBER_EXACT_BOOST,
    NUMBER_PARTIAL_BOOST,
    PAIR_TITLE_BOOST,
    SNIPPET_CHARS,
    TITLE_BOOST,
    TITLE_EQUALS_BOOST,
    TITLE_PHRASE_BOOST,
    _issued_int,
)
from search.interface import KEYWORD_FIELDS, SearchDocument, SearchQuery
from search.query import ParsedQuery, parse

# Bump with the mapping or with what the documents hold: an index of another version is refused
# with a request to run `lis search reindex` (kept in the mapping's `_meta`).
SCHEMA_VERSION = 3
# Beyond this many hits from/size is refused by the server (index.max_result_window).
MAX_RESULT_WINDOW = 10_000
SOURCE_FIELDS = ["id", "number", "title", "kind"]
# The same split as `search.analysis.tokens` (runs of letters and digits) and the same folding
# (lower case, asciifolding, đ→d). Lucene's asciifolding folds đ already; the mapping char
# filter makes it explicit and independent of the folding filter's tables.
_WORD_SEPARATORS = r"[^\p{L}\p{N}]+"


def index_body() -> dict[str, Any]:
    """Settings and mapping of a versioned index (`PUT /lis-documents-<stamp>`)."""
    text = {"type": "text", "analyzer": "vi_folded"}
    exact = {"exact": {"type": "text", "analyzer": "vi_exact"}}
    properties: dict[str, Any] = {
        "id": {"type": "keyword"},
        "number": {
            "type": "keyword",
            "normalizer": "number_key",
            "fields": {"text": dict(text)},
        },
        "title": {**text, "fields": dict(exact)},
        # The exact folded title, for the "title equals the query" boost.
        "title_key": {"type": "keyword"},
        "body": {**text, "index_options": "offsets", "fields": dict(exact)},
        "year": {"type": "integer"},
        "issued": {"type": "integer"},  # yyyymmdd, 0 when unknown: the sort key
        "prior": {"type": "float"},
    }
    for name in KEYWORD_FIELDS:
        properties[name] = {"type": "keyword"}
    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "max_result_window": MAX_RESULT_WINDOW,
            # From 8.9 the highlighter's weight_matches mode marks a matched phrase as one span
            # ("<mark>đất đai</mark>"); the embedded engine marks each word. Off, both agree.
            "highlight": {"weight_matches_mode": {"enabled": False}},
            "analysis": {
                "char_filter": {
                    "d_stroke": {"type": "mapping", "mappings": ["đ => d", "Đ => D"]},
                    "number_dash": {"type": "mapping", "mappings": ["– => -"]},
                    "no_spaces": {"type": "pattern_replace", "pattern": "\\s+", "replacement": ""},
                },
                "tokenizer": {
                    "vi_words": {
                        "type": "pattern",
                        "pattern": _WORD_SEPARATORS,
                    }
                },
                "filter": {
                    # Tokens of MAX_TOKEN_BYTES or more are dropped (counted in characters
                    # here, in UTF-8 bytes in Python: they differ only for absurd tokens).
                    "vi_length": {"type": "length", "max": MAX_TOKEN_BYTES - 1},
                },
                "analyzer": {
                    "vi_folded": {
                        "type": "custom",
                        "char_filter": ["d_stroke"],
                        "tokenizer": "vi_words",
                        "filter": ["vi_length", "lowercase", "asciifolding"],
                    },
                    "vi_exact": {
                        "type": "custom",
                        "tokenizer": "vi_words",
                        "filter": ["vi_length", "lowercase"],
                    },
                },
                "normalizer": {
                    # = search.analysis.number_key: folded, dashes unified, no spaces.
                    "number_key": {
                        "type": "custom",
                        "char_filter": ["d_stroke", "number_dash", "no_spaces"],
                        "filter": ["lowercase", "asciifolding"],
                    }
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"lis_schema": SCHEMA_VERSION},
            "properties": properties,
        },
    }


def to_source(doc: SearchDocument) -> dict[str, Any]:
    """The `_source` of one document: the text NFC-normalised, as the embedded engine indexes."""
    title = normalize(doc.title)
    source: dict[str, Any] = {
        "id": doc.id,
        "number": doc.number,
        "title": title,
        "title_key": " ".join(tokens(title)),
        "body": normalize(doc.body),
        "kind": doc.kind,
        "year": doc.year,
        "issued": _issued_int(doc.issued_date),
        "prior": KIND_PRIOR.get(doc.kind, 0.0),
    }
    for name, values in doc.keywords.items():
        if name != "kind" and name in KEYWORD_FIELDS:
            source[name] = list(values)
    return source


# Version of a rebuild's copies (external versioning): lower than any live write's (an outbox row
# id, from 1), so a live write that reached the index being built is never overwritten by the
# older copy read from the database, and a live delete's tombstone refuses it too.
REBUILD_VERSION = 0
# Version of the deletes of a rebuild's catch-up: they remove only the rebuild's own copies
# (REBUILD_VERSION), never a document a live write put there meanwhile.
CATCH_UP_DELETE_VERSION = REBUILD_VERSION + 1


def index_action(doc: SearchDocument, version: int | None = None) -> dict[str, Any]:
    """A bulk `index` action for `helpers.bulk` (no `_index`: the caller names the target).

    With a version the write uses external versioning: Elasticsearch keeps the highest version
    and answers 409 to an older one, so two drains at once cannot put an older state last."""
    action: dict[str, Any] = {"_op_type": "index", "_id": doc.id}
    if version is not None:
        action |= {"version": version, "version_type": "external"}
    return {**action, **to_source(doc)}


def delete_action(doc_id: str, version: int | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"_op_type": "delete", "_id": doc_id}
    if version is not None:
        action |= {"version": version, "version_type": "external"}
    return action


# --- queries ---------------------------------------------------------------------------------
def _boosted(clause: dict[str, Any], boost: float) -> dict[str, Any]:
    if boost == 1.0:
        return clause
    ((kind, spec),) = clause.items()
    ((field, value),) = spec.items()
    return {kind: {field: {**value, "boost": boost}}}


def _term(field: str, value: str, boost: float = 1.0) -> dict[str, Any]:
    return _boosted({"term": {field: {"value": value}}}, boost)


def _phrase(field: str, words: Sequence[str], boost: float = 1.0, slop: int = 0) -> dict[str, Any]:
    if len(words) == 1:
        return _term(field, words[0], boost)
    spec: dict[str, Any] = {"query": " ".join(words)}
    if slop:
        spec["slop"] = slop
    return _boosted({"match_phrase": {field: spec}}, boost)


def _should(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"should": clauses}}


def text_query(p: ParsedQuery) -> dict[str, Any]:
    """The embedded engine's `_text_query`, clause for clause: every word required (title, body
    or number), boosts for the title, phrases, an exact title, exact diacritics and the number.
    Words are already folded by the shared parser, so `term` queries hit the folded fields."""
    if p.is_empty:
        return {"match_all": {}}
    must: list[dict[str, Any]] = []
    should: list[dict[str, Any]] = []
    for key in p.numbers:
        words = tokens(key)
        must.append(
            _should(
                [
                    _term("number", number_key(key), NUMBER_EXACT_BOOST),
                    _phrase("number.text", words, NUMBER_PARTIAL_BOOST / 5),
                    _phrase("body", words, 0.5),
                ]
            )
        )
    for num, year in p.partial_numbers:
        must.append(
            _should(
                [
                    _phrase("number.text", [num, year], NUMBER_PARTIAL_BOOST),
                    _phrase("body", [num, year], 0.5),
                ]
            )
        )
    if p.kind_hint:
        should.append(_term("kind", p.kind_hint, KIND_HINT_BOOST))
    for term in p.terms:
        must.append(
            _should(
                [
                    _term("title", term, TITLE_BOOST),
                    _term("body", term),
                    _term("number.text", term),
                ]
            )
        )
    for phrase in p.phrases:
        must.append(
            _should([_phrase("title", phrase, TITLE_PHRASE_BOOST), _phrase("body", phrase)])
        )
    if len(p.terms) > 1:
        should.append(_phrase("title", p.terms, TITLE_PHRASE_BOOST))
        should.append(_phrase("body", p.terms, BODY_PHRASE_BOOST * len(p.terms), slop=1))
    if len(p.terms) > 2:
        for pair in zip(p.terms, p.terms[1:], strict=False):
            should.append(_phrase("title", pair, PAIR_TITLE_BOOST))
    if p.terms and not (p.numbers or p.partial_numbers):
        should.append(_term("title_key", " ".join(p.terms), TITLE_EQUALS_BOOST))
    for word in p.exact_terms:
        should.append(_term("title.exact", word, EXACT_BOOST * 2))
        should.append(_term("body.exact", word, EXACT_BOOST))
    must_not = [_term(field, word) for word in p.excluded for field in ("title", "body")]
    body: dict[str, Any] = {"must": must or [{"match_all": {}}]}
    if should:
        body["should"] = should
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}


def _filter_clauses(query: SearchQuery, skip: str | None) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    for name, values in query.filters.items():
        if name == skip or not values:
            continue
        clauses.append({"terms": {name: list(values)}})
    if skip != "year" and (query.year_from is not None or query.year_to is not None):
        bounds: dict[str, int] = {}
        if query.year_from is not None:
            bounds["gte"] = query.year_from
        if query.year_to is not None:
            bounds["lte"] = query.year_to
        clauses.append({"range": {"year": bounds}})
    return clauses


def _all_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


def _aggs(query: SearchQuery) -> dict[str, Any]:
    """Multi-select facets: each facet counts under every selected filter except its own."""
    aggs: dict[str, Any] = {}
    for name in query.facets:
        aggs[name] = {
            "filter": _all_of(_filter_clauses(query, skip=name)),
            "aggs": {"values": {"terms": {"field": name, "size": FACET_SIZE.get(name, 100)}}},
        }
    return aggs


def sort_of(query: SearchQuery, parsed: ParsedQuery) -> list[Any]:
    """Sort with a unique tie-breaker (`id`), so that `search_after` pages never skip or repeat."""
    if query.sort == "issued_asc":
        return [{"issued": "asc"}, {"id": "asc"}]
    if query.sort == "issued_desc" or parsed.is_empty:
        return [{"issued": "desc"}, {"id": "asc"}]
    return ["_score", {"id": "asc"}]


def is_scored(query: SearchQuery, parsed: ParsedQuery) -> bool:
    return sort_of(query, parsed)[0] == "_score"


def search_body(
    query: SearchQuery,
    *,
    search_after: Sequence[Any] | None = None,
    size: int | None = None,
    with_aggs: bool = True,
) -> dict[str, Any]:
    """One request serves hits, facets, highlights and the total.

    Selected filters go to `post_filter` (they narrow the hits, not the facet counts); each facet
    aggregation carries the other facets' selections. With `search_after` (deep pages) `from`
    is left out: the position comes from the previous page's sort values.
    """
    parsed = parse(query.text)
    scored = is_scored(query, parsed)
    main = text_query(parsed)
    if scored:
        # The embedded engine's prior by kind (laws first): score × log2(2 + prior) there,
        # score × ln(2 + prior) here — the same order, the factor differs by a constant.
        main = {
            "function_score": {
                "query": main,
                "field_value_factor": {"field": "prior", "modifier": "ln2p", "missing": 0},
                "boost_mode": "multiply",
            }
        }
    body: dict[str, Any] = {
        "query": main,
        "sort": sort_of(query, parsed),
        "size": query.limit if size is None else size,
        "track_total_hits": True,
        "_source": SOURCE_FIELDS,
    }
    if search_after is None:
        body["from"] = query.offset
    else:
        body["search_after"] = list(search_after)
    post = _filter_clauses(query, skip=None)
    if post:
        body["post_filter"] = _all_of(post)
    if with_aggs and query.facets:
        body["aggs"] = _aggs(query)
    if query.highlight and not parsed.is_empty:
        body["highlight"] = {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "fields": {
                "title": {"number_of_fragments": 0},
                "body": {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1},
            },
        }
    return body


def facet_values(aggregations: Mapping[str, Any], names: Sequence[str]) -> dict[str, list[Any]]:
    """Buckets per facet name from an aggregations response: [(value, count), ...]."""
    out: dict[str, list[Any]] = {}
    for name in names:
        buckets = aggregations.get(name, {}).get("values", {}).get("buckets", [])
        values = [(str(b["key"]), int(b["doc_count"])) for b in buckets]
        if name == "year":
            values.sort(key=lambda v: v[0], reverse=True)
        out[name] = values
    return out
