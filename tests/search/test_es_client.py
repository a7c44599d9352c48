"""The Elasticsearch backend through the official client, with a fake node that records calls.

`Elasticsearch(..., node_class=FakeNode)` keeps the real client and transport code running
(serialisation, headers, error classes); only the HTTP exchange is canned. Tests assert the calls
made (method, path, body) and what the backend makes of the answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport._node import NodeApiResponse

from search.backends import BackendNotAvailable, build_backend, es_query
from search.backends.elasticsearch import ElasticsearchBackend
from search.interface import (
    BulkIndexer,
    DocumentsRejected,
    SearchDocument,
    SearchQuery,
    SearchUnavailable,
)

Call = tuple[str, str, Any]
Handler = Callable[[str, str, Any], tuple[int, Any]]


def make_backend(handler: Handler) -> tuple[ElasticsearchBackend, list[Call]]:
    calls: list[Call] = []

    class FakeNode(BaseNode):
        def perform_request(  # type: ignore[override]
            self, method: str, target: str, body: bytes | None = None, **_: Any
        ) -> NodeApiResponse:
            if body and target.split("?")[0].endswith("/_bulk"):
                parsed: Any = [json.loads(line) for line in body.decode().splitlines() if line]
            else:
                parsed = json.loads(body) if body else None
            calls.append((method, target, parsed))
            status, answer = handler(method, target, parsed)
            if isinstance(answer, Exception):
                raise answer
            headers = HttpHeaders(
                {"x-elastic-product": "Elasticsearch", "content-type": "application/json"}
            )
            meta = ApiResponseMeta(
                status=status, http_version="1.1", headers=headers, duration=0.0, node=self.config
            )
            return NodeApiResponse(meta, json.dumps(answer).encode())

    return ElasticsearchBackend("http://es.test:9200", node_class=FakeNode), calls


INDEX = "lis-documents-20260101000000-000001"
ALIASES = {INDEX: {"aliases": {"lis-documents": {}}}}


def bulk_ok(items: list[Any]) -> dict[str, Any]:
    ops = [i for i in items if len(i) == 1 and next(iter(i)) in ("index", "create", "delete")]
    out = [{next(iter(op)): {"_id": op[next(iter(op))]["_id"], "status": 200}} for op in ops]
    return {"took": 1, "errors": False, "items": out}


def default(method: str, target: str, body: Any) -> tuple[int, Any]:
    path = target.split("?")[0]
    if path.startswith("/_alias/"):
        return 200, ALIASES
    if path == "/_bulk":
        return 200, bulk_ok(body)
    return 200, {"acknowledged": True}


DOC = SearchDocument(id="land", number="45/2013/QH13", title="Luật Đất đai", body="x", kind="law")


def test_index_writes_through_bulk_and_waits_for_refresh() -> None:
    backend, calls = make_backend(default)
    assert backend.index([DOC]) == 1
    method, target, body = calls[-1]
    assert (method, target) == ("PUT", "/_bulk?refresh=wait_for")
    assert body == [
        {"index": {"_id": "land", "_index": "lis-documents"}},
        es_query.to_source(DOC),
    ]
    assert calls[0][:2] == ("GET", "/_alias/lis-documents,lis-documents-building")


def test_delete_goes_to_the_alias_and_a_missing_document_is_fine() -> None:
    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if target.startswith("/_bulk"):
            return 200, {
                "errors": True,
                "items": [{"delete": {"_id": "gone", "status": 404, "result": "not_found"}}],
            }
        return default(method, target, body)

    backend, calls = make_backend(handler)
    assert backend.delete(["gone"]) == 1
    assert calls[-1][2] == [{"delete": {"_id": "gone", "_index": "lis-documents"}}]


def test_writes_during_a_rebuild_also_reach_the_new_index() -> None:
    """Only the live alias waits for a refresh: the index being built has refresh_interval -1,
    where `refresh=wait_for` would wait until the rebuild ends."""
    building = "lis-documents-20260202000000-000002"

    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if target.startswith("/_alias/"):
            return 200, {**ALIASES, building: {"aliases": {"lis-documents-building": {}}}}
        return default(method, target, body)

    backend, calls = make_backend(handler)
    backend.index([DOC])
    bulks = [c for c in calls if c[1].startswith("/_bulk")]
    assert [(c[1], c[2][0]["index"]["_index"]) for c in bulks] == [
        ("/_bulk?refresh=wait_for", "lis-documents"),
        ("/_bulk?refresh=false", building),
    ]


def test_versioned_writes_use_external_versions_and_an_older_one_is_done() -> None:
    """Two drains at once: the server keeps the highest version and answers 409 to the older
    write, which is not an error (a newer state is there)."""

    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if target.startswith("/_bulk"):
            conflict = {"type": "version_conflict_engine_exception", "reason": "older"}
            return 200, {
                "errors": True,
                "items": [
                    {"index": {"_id": "land", "status": 409, "error": conflict}},
                    {"delete": {"_id": "gone", "status": 409, "error": conflict}},
                ],
            }
        return default(method, target, body)

    backend, calls = make_backend(handler)
    with backend.bulk() as bulk:
        bulk.add([DOC], versions={"land": 41})
        bulk.delete(["gone"], versions={"gone": 42})
    body = calls[-1][2]
    assert body[0] == {
        "index": {
            "_id": "land",
            "_index": "lis-documents",
            "version": 41,
            "version_type": "external",
        }
    }
    assert body[2] == {
        "delete": {
            "_id": "gone",
            "_index": "lis-documents",
            "version": 42,
            "version_type": "external",
        }
    }


def test_a_document_refused_for_good_does_not_stop_the_others() -> None:
    """A 400 for one item (a mapping error) is reported per document; the others are written
    and nothing is retried as if the server were down."""
    other = SearchDocument(id="tax", number="", title="Thuế", body="", kind="law")

    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if target.startswith("/_bulk"):
            error = {"type": "mapper_parsing_exception", "reason": "failed to parse [year]"}
            return 200, {
                "errors": True,
                "items": [
                    {"index": {"_id": "land", "status": 400, "error": error}},
                    {"index": {"_id": "tax", "status": 201}},
                ],
            }
        return default(method, target, body)

    backend, _ = make_backend(handler)
    with pytest.raises(DocumentsRejected) as refused:
        backend.index([DOC, other])
    assert refused.value.reasons == {"land": "mapper_parsing_exception: failed to parse [year]"}


def test_first_write_creates_the_index_and_alias() -> None:
    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if target.startswith("/_alias/") and not any(c[0] == "POST" for c in calls):
            return 404, {"error": "alias [lis-documents] missing", "status": 404}
        return default(method, target, body)

    backend, calls = make_backend(handler)
    backend.index([DOC])
    create = next(c for c in calls if c[0] == "PUT" and c[1].startswith("/lis-documents-"))
    assert create[2] == es_query.index_body()
    alias = next(c for c in calls if c[1] == "/_aliases")
    assert alias[2] == {"actions": [{"add": {"index": create[1][1:], "alias": "lis-documents"}}]}


def test_processes_starting_at_once_create_the_same_first_index() -> None:
    """Another process created the first index a moment ago: this one finds it by its fixed
    name and adds the alias to it (adding it twice is harmless), never a second index."""

    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if target.startswith("/_alias/"):
            return 404, {"error": "alias [lis-documents] missing", "status": 404}
        if method == "PUT" and target == "/lis-documents-initial":
            error = {"type": "resource_already_exists_exception", "reason": "exists"}
            return 400, {"error": {"root_cause": [error], **error}, "status": 400}
        return default(method, target, body)

    backend, calls = make_backend(handler)
    backend.ensure_index()
    creates = [c[1] for c in calls if c[0] == "PUT"]
    assert creates == ["/lis-documents-initial"]
    alias = next(c for c in calls if c[1] == "/_aliases")
    assert alias[2] == {
        "actions": [{"add": {"index": "lis-documents-initial", "alias": "lis-documents"}}]
    }


def test_rebuild_loads_a_new_index_and_swaps_the_alias_atomically() -> None:
    backend, calls = make_backend(default)
    docs = [DOC, SearchDocument(id="b", number="", title="B", body="", kind="decree")]

    def catch_up(bulk: BulkIndexer) -> None:
        bulk.delete(["b"])  # read by the rebuild, deleted in the database meanwhile

    assert backend.rebuild(iter(docs), catch_up=catch_up) == 2
    create = next(c for c in calls if c[0] == "PUT" and c[1].startswith("/lis-documents-"))
    new = create[1][1:]
    assert new != INDEX and create[2] == es_query.index_body()
    alias_calls = [c[2]["actions"] for c in calls if c[1] == "/_aliases"]
    assert alias_calls[0] == [{"add": {"index": new, "alias": "lis-documents-building"}}]
    assert alias_calls[-1] == [  # one call: remove the old, add the new
        {"remove": {"index": INDEX, "alias": "lis-documents"}},
        {"add": {"index": new, "alias": "lis-documents"}},
        {"remove": {"index": new, "alias": "lis-documents-building"}},
    ]
    load, catch = [c for c in calls if c[1].startswith("/_bulk")]
    # The copies carry the lowest version: a live write that got there first is newer.
    version = {"version": 0, "version_type": "external"}
    assert load[2][0] == {"index": {"_index": new, "_id": "land", **version}}
    # The catch-up writes to the new index before the swap, and its deletes remove only the
    # rebuild's copies (version 0), never a document a live write put there.
    assert catch[2] == [
        {"delete": {"_id": "b", "_index": new, "version": 1, "version_type": "external"}}
    ]
    assert ("DELETE", f"/{INDEX}?ignore_unavailable=true", None) in calls
    swap = max(i for i, c in enumerate(calls) if c[1] == "/_aliases")
    assert swap > calls.index(catch) > calls.index(load)


def test_a_refused_document_does_not_stop_a_rebuild() -> None:
    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if target.startswith("/_bulk"):
            error = {"type": "mapper_parsing_exception", "reason": "bad"}
            return 200, {
                "errors": True,
                "items": [
                    {"index": {"_id": "land", "status": 400, "error": error}},
                    {"index": {"_id": "b", "status": 409}},
                ],
            }
        return default(method, target, body)

    backend, calls = make_backend(handler)
    docs = [DOC, SearchDocument(id="b", number="", title="B", body="", kind="decree")]
    assert backend.rebuild(iter(docs)) == 1  # the 409 one is there (a live write, newer)
    assert calls[-1][1].startswith("/lis-documents-20260101")  # the old index is dropped


@pytest.mark.parametrize("status", [429, 502, 503])
def test_overload_and_server_errors_are_unavailable(status: int) -> None:
    backend, _ = make_backend(lambda m, t, b: (status, {"error": "busy", "status": status}))
    with pytest.raises(SearchUnavailable):
        backend.index([DOC])
    with pytest.raises(SearchUnavailable):
        backend.count()


def test_rejected_bulk_items_are_unavailable() -> None:
    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if target.startswith("/_bulk"):
            return 200, {
                "errors": True,
                "items": [{"index": {"_id": "land", "status": 429, "error": {"type": "x"}}}],
            }
        return default(method, target, body)

    backend, _ = make_backend(handler)
    with pytest.raises(SearchUnavailable):
        backend.index([DOC])


def test_connection_errors_are_unavailable() -> None:
    backend, _ = make_backend(lambda m, t, b: (0, TransportConnectionError("refused")))
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(text="luat"))
    assert backend.ping() is False


def test_search_sends_the_compiled_body_and_reads_the_page() -> None:
    answer = {
        "hits": {
            "total": {"value": 2, "relation": "eq"},
            "hits": [
                {
                    "_id": "land",
                    "_score": 12.5,
                    "_source": {
                        "id": "land",
                        "number": "45/2013/QH13",
                        "title": "Luật Đất đai",
                        "kind": "law",
                    },
                    "highlight": {
                        "title": ["<mark>Luật</mark> <mark>Đất</mark> <mark>đai</mark>"],
                        "body": ["Xem <mark>Luật</mark> &lt;b&gt;không&lt;/b&gt;"],
                    },
                    "sort": [12.5, "land"],
                },
                {
                    "_id": "tax",
                    "_score": 3.0,
                    "_source": {
                        "id": "tax",
                        "number": "48/2010/QH12",
                        "title": "Luật Thuế",
                        "kind": "law",
                    },
                    "sort": [3.0, "tax"],
                },
            ],
        },
        "aggregations": {
            "kind": {
                "doc_count": 5,
                "values": {
                    "buckets": [{"key": "law", "doc_count": 2}, {"key": "decree", "doc_count": 3}]
                },
            },
            "year": {
                "doc_count": 2,
                "values": {
                    "buckets": [{"key": 2010, "doc_count": 1}, {"key": 2013, "doc_count": 1}]
                },
            },
        },
    }

    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if target.startswith("/lis-documents/_mapping"):
            return 200, {INDEX: {"mappings": es_query.index_body()["mappings"]}}
        return 200, answer

    backend, calls = make_backend(handler)
    query = SearchQuery(text="luat dat", filters={"kind": ("law",)}, facets=("kind", "year"))
    page = backend.search(query)
    method, target, body = calls[-1]
    assert (method, target) == ("POST", "/lis-documents/_search")
    assert body == es_query.search_body(query)
    assert page.total == 2
    assert [h.id for h in page.hits] == ["land", "tax"]
    assert page.hits[0].score == 12.5 and page.hits[0].number == "45/2013/QH13"
    assert page.hits[0].highlights["body"] == ("Xem <mark>Luật</mark> &lt;b&gt;không&lt;/b&gt;",)
    assert page.hits[1].highlights == {}
    assert {f.value: f.count for f in page.facets["kind"]} == {"law": 2, "decree": 3}
    assert [f.value for f in page.facets["year"]] == ["2013", "2010"]


def test_an_index_of_another_schema_asks_for_a_reindex() -> None:
    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        return 200, {INDEX: {"mappings": {"_meta": {"lis_schema": 1}}}}

    backend, _ = make_backend(handler)
    with pytest.raises(SearchUnavailable, match="lis search reindex"):
        backend.search(SearchQuery(text="luat"))


def test_build_backend_needs_the_url() -> None:
    from pathlib import Path

    with pytest.raises(BackendNotAvailable, match="LIS_ELASTICSEARCH_URL"):
        build_backend("elasticsearch", index_dir=Path("."), elasticsearch_url=None)
    built = build_backend("elasticsearch", index_dir=Path("."), elasticsearch_url="http://x:9200")
    assert isinstance(built, ElasticsearchBackend)


def test_missing_index_asks_for_a_reindex() -> None:
    backend, _ = make_backend(lambda m, t, b: (404, {"error": "index_not_found", "status": 404}))
    with pytest.raises(SearchUnavailable, match="lis search reindex"):
        backend.count()


def test_pages_past_the_result_window_walk_with_search_after_over_a_pit() -> None:
    def hit(i: int) -> dict[str, Any]:
        return {"_id": f"d{i}", "_score": 1.0, "_source": {"id": f"d{i}"}, "sort": [1.0, f"d{i}"]}

    def handler(method: str, target: str, body: Any) -> tuple[int, Any]:
        if target.startswith("/lis-documents/_mapping"):
            return 200, {INDEX: {"mappings": es_query.index_body()["mappings"]}}
        if "_pit" in target:
            return 200, {"id": "PIT1", "succeeded": True}
        size = body["size"]
        total = {"value": 30_000, "relation": "eq"}
        return 200, {"hits": {"total": total, "hits": [hit(i) for i in range(size)]}}

    backend, calls = make_backend(handler)
    page = backend.search(SearchQuery(text="luat", offset=15_000, limit=20))
    searches = [c for c in calls if c[1] == "/_search"]
    assert calls[1][:2] == ("POST", "/lis-documents/_pit?keep_alive=1m")
    assert [c[2]["size"] for c in searches] == [10_000, 5_000, 20]
    assert "search_after" not in searches[0][2] and "from" not in searches[0][2]
    assert searches[1][2]["search_after"] == [1.0, "d9999"]
    last = searches[-1][2]
    assert last["search_after"] == [1.0, "d4999"] and "from" not in last
    assert last["pit"] == {"id": "PIT1", "keep_alive": "1m"} and "aggs" in last
    assert calls[-1][:2] == ("DELETE", "/_pit")
    assert page.total == 30_000 and len(page.hits) == 20


def test_ping_needs_the_alias() -> None:
    """A server that answers but has no `lis-documents` alias cannot search: not healthy."""
    missing, calls = make_backend(lambda m, t, b: (404, {}))
    assert missing.ping() is False
    assert calls[-1][:2] == ("HEAD", "/_alias/lis-documents")
    present, _ = make_backend(lambda m, t, b: (200, {}))
    assert present.ping() is True
