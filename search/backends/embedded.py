"""The embedded engine: tantivy in-process, the index under a directory of our own.

The index is a rebuildable cache of the database. `rebuild()` writes a new generation directory
and then atomically replaces the `CURRENT` pointer file (the embedded analogue of an alias swap);
readers notice the new pointer on their next search. Tantivy allows one writer per index across
processes: a writer that cannot take the lock raises `SearchUnavailable` and the caller keeps
the change in the outbox for later.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import tantivy as tv

from search.analysis import MAX_TOKEN_BYTES, normalize, number_key, tokens
from search.highlight import mark_all, snippet
from search.interface import (
    KEYWORD_FIELDS,
    BulkIndexer,
    CatchUp,
    FacetValue,
    Hit,
    SearchDocument,
    SearchPage,
    SearchQuery,
    SearchUnavailable,
    Versions,
)
from search.query import ParsedQuery, highlight_words, parse

POINTER = "CURRENT"
# What the index holds and how, beyond what tantivy checks itself (its schema): bump it when the
# fields or their content change, so that an index built by an older LIS is refused with a
# request to run `lis search reindex` rather than answering with missing or stale values.
# 2: origin, stage, holder, committee, term and session filled (legislative record).
# 3: adviser filled (the units whose contributions to a draft are submitted or verified).
SCHEMA_VERSION = 3
SCHEMA_FILE = "lis-schema"
STALE_INDEX = "the search index was built by an older version of LIS: run `lis search reindex`"
FACET_SIZE = {"issuer": 30, "adviser": 50, "holder": 50, "committee": 50, "session": 50}
SNIPPET_CHARS = 220
BULK_HEAP = 256_000_000
TITLE_BOOST = 3.0
TITLE_PHRASE_BOOST = 4.0
BODY_PHRASE_BOOST = 2.0
TITLE_EQUALS_BOOST = 30.0
EXACT_BOOST = 0.5
NUMBER_EXACT_BOOST = 60.0
NUMBER_PARTIAL_BOOST = 25.0
KIND_HINT_BOOST = 4.0
PAIR_TITLE_BOOST = 1.5
# Deputies look for laws first: a small prior by rank in the hierarchy of legal documents,
# applied as tantivy's score weight log2(2 + prior) (×1.26 for a law, ×1.14 for an ordinance).
KIND_PRIOR = {"code": 0.4, "law": 0.4, "ordinance": 0.2, "resolution": 0.2}


def _vi_analyzer() -> tv.TextAnalyzer:
    return (
        tv.TextAnalyzerBuilder(tv.Tokenizer.simple())
        .filter(tv.Filter.remove_long(MAX_TOKEN_BYTES))
        .filter(tv.Filter.lowercase())
        .filter(tv.Filter.ascii_fold())
        .build()
    )


def _exact_analyzer() -> tv.TextAnalyzer:
    return (
        tv.TextAnalyzerBuilder(tv.Tokenizer.simple())
        .filter(tv.Filter.remove_long(MAX_TOKEN_BYTES))
        .filter(tv.Filter.lowercase())
        .build()
    )


def _key_analyzer() -> tv.TextAnalyzer:
    return (
        tv.TextAnalyzerBuilder(tv.Tokenizer.raw())
        .filter(tv.Filter.lowercase())
        .filter(tv.Filter.ascii_fold())
        .build()
    )


def build_schema() -> tv.Schema:
    sb = tv.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("number", stored=True, tokenizer_name="raw")
    sb.add_text_field("number_key", tokenizer_name="key")
    sb.add_text_field("number_text", tokenizer_name="vi")
    sb.add_text_field("title", stored=True, tokenizer_name="vi")
    sb.add_text_field("title_exact", tokenizer_name="vi_exact")
    sb.add_text_field("title_key", tokenizer_name="key")
    sb.add_text_field("body", stored=True, tokenizer_name="vi")
    sb.add_text_field("body_exact", tokenizer_name="vi_exact")
    for name in KEYWORD_FIELDS:
        sb.add_text_field(name, stored=name == "kind", tokenizer_name="raw", fast=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_integer_field("issued", indexed=True, fast=True)
    sb.add_float_field("prior", fast=True)
    return sb.build()


def _issued_int(day: dt.date | None) -> int:
    return day.year * 10000 + day.month * 100 + day.day if day else 0


def to_tantivy(doc: SearchDocument) -> tv.Document:
    out = tv.Document()
    title = normalize(doc.title)
    body = normalize(doc.body)
    out.add_text("id", doc.id)
    out.add_text("number", doc.number)
    out.add_text("number_key", number_key(doc.number))
    out.add_text("number_text", doc.number)
    out.add_text("title", title)
    out.add_text("title_exact", title)
    out.add_text("title_key", " ".join(tokens(title)))
    out.add_text("body", body)
    out.add_text("body_exact", body)
    out.add_text("kind", doc.kind)
    for name, values in doc.keywords.items():
        if name == "kind":
            continue
        for value in values:
            out.add_text(name, value)
    if doc.year is not None:
        out.add_integer("year", doc.year)
    out.add_integer("issued", _issued_int(doc.issued_date))
    out.add_float("prior", KIND_PRIOR.get(doc.kind, 0.0))
    return out


class _Bulk:
    """Writes through one tantivy writer. Tantivy indexes in its own thread, so the caller's
    Python work (parsing, database writes) overlaps with the engine's."""

    def __init__(self, writer: tv.IndexWriter) -> None:
        self._writer = writer
        self.uncommitted = 0
        self.written = 0  # adds and deletes since the writer was opened

    # `versions` (see `search.interface.Versions`) is not needed: one writer at a time orders
    # the writes, so it is taken to fit the interface and not used.
    def add(self, docs: Iterable[SearchDocument], *, versions: Versions | None = None) -> int:
        count = 0
        for doc in docs:
            self._writer.delete_documents_by_term("id", doc.id)
            self._writer.add_document(to_tantivy(doc))
            count += 1
        self.uncommitted += count
        self.written += count
        return count

    def delete(self, ids: Iterable[str], *, versions: Versions | None = None) -> int:
        count = 0
        for doc_id in ids:
            self._writer.delete_documents_by_term("id", doc_id)
            count += 1
        self.uncommitted += count
        self.written += count
        return count

    def commit(self) -> None:
        self._writer.commit()
        self.uncommitted = 0


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, root: Path, *, writer_heap: int = 64_000_000) -> None:
        self.root = Path(root)
        self.writer_heap = writer_heap
        self.schema = build_schema()
        self._lock = threading.Lock()
        self._index: tv.Index | None = None
        self._generation: str | None = None
        self._pointer_mtime: int | None = None

    # --- opening ------------------------------------------------------------------------------
    def _register(self, index: tv.Index) -> tv.Index:
        # Custom tokenizers are not persisted by tantivy: register them on every open.
        index.register_tokenizer("vi", _vi_analyzer())
        index.register_tokenizer("vi_exact", _exact_analyzer())
        index.register_tokenizer("key", _key_analyzer())
        return index

    def _pointer(self) -> Path:
        return self.root / POINTER

    def _read_pointer(self) -> str | None:
        try:
            return self._pointer().read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def _new_generation(self) -> tuple[str, tv.Index]:
        name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path = self.root / name
        path.mkdir(parents=True)
        index = self._register(tv.Index(self.schema, path=str(path)))
        # Tantivy leaves files it did not write alone: the version lives with its generation.
        (path / SCHEMA_FILE).write_text(str(SCHEMA_VERSION), encoding="utf-8")
        return name, index

    def _swap_pointer(self, name: str) -> None:
        tmp = self.root / f"{POINTER}.{uuid.uuid4().hex}.tmp"
        tmp.write_text(name, encoding="utf-8")
        os.replace(tmp, self._pointer())

    def _open(self) -> tv.Index:
        """The current generation, reopened when another process swapped the pointer."""
        try:
            return self._open_current()
        except OSError as exc:
            raise SearchUnavailable(f"cannot open the search index in {self.root}: {exc}") from exc

    def _open_current(self) -> tv.Index:
        with self._lock:
            try:
                mtime = self._pointer().stat().st_mtime_ns
            except FileNotFoundError:
                mtime = None
            if self._index is not None and mtime == self._pointer_mtime:
                return self._index
            name = self._read_pointer()
            if name is None or not (self.root / name).is_dir():
                self.root.mkdir(parents=True, exist_ok=True)
                name, index = self._new_generation()
                self._swap_pointer(name)
                mtime = self._pointer().stat().st_mtime_ns
            else:
                index = self._open_existing(self.root / name)
            self._index, self._generation, self._pointer_mtime = index, name, mtime
            return index

    def _open_existing(self, path: Path) -> tv.Index:
        try:
            version = (path / SCHEMA_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            version = "1"  # generations from before the marker
        if version != str(SCHEMA_VERSION):
            raise SearchUnavailable(STALE_INDEX)
        try:
            return self._register(tv.Index(self.schema, path=str(path)))
        except ValueError as exc:
            if "schema does not match" in str(exc):
                raise SearchUnavailable(STALE_INDEX) from exc
            raise

    @property
    def generation(self) -> str | None:
        self._open()
        return self._generation

    def _writer(self, index: tv.Index, heap: int | None = None) -> tv.IndexWriter:
        try:
            return index.writer(heap_size=heap or self.writer_heap, num_threads=1)
        except ValueError as exc:
            if "LockBusy" in str(exc):
                raise SearchUnavailable("another process is writing to the search index") from exc
            raise

    # --- writing ------------------------------------------------------------------------------
    @contextmanager
    def _bulk_on(
        self, index: tv.Index, heap: int | None = None, *, commit_empty: bool = True
    ) -> Iterator[_Bulk]:
        writer = self._writer(index, heap)
        bulk = _Bulk(writer)
        try:
            yield bulk
            if bulk.written or commit_empty:
                bulk.commit()
            else:
                writer.rollback()  # nothing to make durable: skip the commit's fsync
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # releases the writer lock
            index.reload()

    def bulk(self, heap: int = BULK_HEAP) -> AbstractContextManager[BulkIndexer]:
        return self._bulk_on(self._open(), heap, commit_empty=False)

    def index(self, docs: Iterable[SearchDocument]) -> int:
        with self._bulk_on(self._open()) as bulk:
            return bulk.add(docs)

    def delete(self, ids: Iterable[str]) -> int:
        with self._bulk_on(self._open()) as bulk:
            return bulk.delete(ids)

    def rebuild(
        self,
        docs: Iterable[SearchDocument],
        *,
        catch_up: CatchUp | None = None,
        heap: int = BULK_HEAP,
    ) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        name, index = self._new_generation()
        try:
            with self._bulk_on(index, heap) as bulk:
                written = bulk.add(docs)
                if catch_up is not None:
                    catch_up(bulk)
        except BaseException:
            shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        previous = self._read_pointer()
        self._swap_pointer(name)
        self._drop_generations(keep={name, previous})
        return written

    def _drop_generations(self, keep: set[str | None]) -> None:
        """Remove generations older than the previous one (readers may still hold that one)."""
        for path in self.root.glob("gen-*"):
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    # --- reading ------------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._open().searcher().num_docs)

    def ping(self) -> bool:
        self._open().searcher()
        return True

    def close(self) -> None:
        with self._lock:
            self._index = None

    def search(self, query: SearchQuery) -> SearchPage:
        index = self._open()
        searcher = index.searcher()
        parsed = parse(query.text)
        text_query = self._text_query(parsed)
        main = self._with_filters(text_query, query, skip=None)
        if parsed.is_empty and query.sort == "relevance":
            order: dict[str, Any] = {"order_by_field": "issued", "order": tv.Order.Desc}
        elif query.sort == "issued_desc":
            order = {"order_by_field": "issued", "order": tv.Order.Desc}
        elif query.sort == "issued_asc":
            order = {"order_by_field": "issued", "order": tv.Order.Asc}
        else:
            order = {"weight_by_field": "prior"}
        result = searcher.search(main, query.limit, count=True, offset=query.offset, **order)
        scored = "order_by_field" not in order
        hits = list(self._hits(searcher, result.hits, parsed, query, scored=scored))
        facets = self._facets(searcher, text_query, query)
        return SearchPage(total=int(result.count or 0), hits=tuple(hits), facets=facets)

    def _term(self, field: str, value: str, boost: float = 1.0) -> tv.Query:
        q = tv.Query.term_query(self.schema, field, value)
        return tv.Query.boost_query(q, boost) if boost != 1.0 else q

    def _phrase(
        self, field: str, words: tuple[str, ...] | list[str], boost: float = 1.0, slop: int = 0
    ) -> tv.Query:
        if len(words) == 1:
            return self._term(field, words[0], boost)
        q = tv.Query.phrase_query(self.schema, field, list(words), slop=slop)
        return tv.Query.boost_query(q, boost) if boost != 1.0 else q

    def _should(self, queries: list[tv.Query]) -> tv.Query:
        return tv.Query.boolean_query([(tv.Occur.Should, q) for q in queries])

    def _text_query(self, p: ParsedQuery) -> tv.Query:
        """Compile the shared parse into tantivy: every word required (title, body or number),
        with boosts for the title, phrases, an exact title, exact diacritics and the number."""
        if p.is_empty:
            return tv.Query.all_query()
        must: list[tv.Query] = []
        should: list[tv.Query] = []
        for key in p.numbers:
            words = tokens(key)
            must.append(
                self._should(
                    [
                        self._term("number_key", key, NUMBER_EXACT_BOOST),
                        self._phrase("number_text", words, NUMBER_PARTIAL_BOOST / 5),
                        self._phrase("body", words, 0.5),
                    ]
                )
            )
        for num, year in p.partial_numbers:
            must.append(
                self._should(
                    [
                        self._phrase("number_text", [num, year], NUMBER_PARTIAL_BOOST),
                        self._phrase("body", [num, year], 0.5),
                    ]
                )
            )
        if p.kind_hint:
            should.append(self._term("kind", p.kind_hint, KIND_HINT_BOOST))
        for term in p.terms:
            must.append(
                self._should(
                    [
                        self._term("title", term, TITLE_BOOST),
                        self._term("body", term),
                        self._term("number_text", term),
                    ]
                )
            )
        for phrase in p.phrases:
            must.append(
                self._should(
                    [
                        self._phrase("title", phrase, TITLE_PHRASE_BOOST),
                        self._phrase("body", phrase),
                    ]
                )
            )
        if len(p.terms) > 1:
            # A typed sequence found as such is strong evidence, the more so the longer it is.
            should.append(self._phrase("title", p.terms, TITLE_PHRASE_BOOST))
            should.append(self._phrase("body", p.terms, BODY_PHRASE_BOOST * len(p.terms), slop=1))
        if len(p.terms) > 2:
            # Vietnamese words are mostly two syllables: adjacent pairs approximate words.
            # (Titles only: pairs on long bodies cost more time than they gain in ranking.)
            for pair in zip(p.terms, p.terms[1:], strict=False):
                should.append(self._phrase("title", pair, PAIR_TITLE_BOOST))
        if p.terms and not (p.numbers or p.partial_numbers):
            should.append(self._term("title_key", " ".join(p.terms), TITLE_EQUALS_BOOST))
        for word in p.exact_terms:
            should.append(self._term("title_exact", word, EXACT_BOOST * 2))
            should.append(self._term("body_exact", word, EXACT_BOOST))
        clauses = [(tv.Occur.Must, q) for q in must]
        clauses += [(tv.Occur.Should, q) for q in should]
        for word in p.excluded:
            clauses.append((tv.Occur.MustNot, self._term("title", word)))
            clauses.append((tv.Occur.MustNot, self._term("body", word)))
        if not must:
            clauses.append((tv.Occur.Must, tv.Query.all_query()))
        return tv.Query.boolean_query(clauses)

    def _filter_clauses(self, query: SearchQuery, skip: str | None) -> list[tv.Query]:
        clauses: list[tv.Query] = []
        for name, values in query.filters.items():
            if name == skip or not values:
                continue
            clauses.append(tv.Query.term_set_query(self.schema, name, list(values)))
        if skip != "year" and (query.year_from is not None or query.year_to is not None):
            clauses.append(
                tv.Query.range_query(
                    self.schema, "year", tv.FieldType.Integer, query.year_from, query.year_to
                )
            )
        return clauses

    def _with_filters(self, text_query: tv.Query, query: SearchQuery, skip: str | None) -> tv.Query:
        clauses = self._filter_clauses(query, skip)
        if not clauses:
            return text_query
        return tv.Query.boolean_query(
            [(tv.Occur.Must, text_query)] + [(tv.Occur.Must, c) for c in clauses]
        )

    def _facets(
        self, searcher: tv.Searcher, text_query: tv.Query, query: SearchQuery
    ) -> dict[str, tuple[FacetValue, ...]]:
        """Multi-select facets: each facet counts with every filter applied except its own."""
        if not query.facets:
            return {}
        groups: dict[str | None, list[str]] = {}
        for name in query.facets:
            own = name == "year" and (query.year_from is not None or query.year_to is not None)
            own = own or bool(query.filters.get(name))
            groups.setdefault(name if own else None, []).append(name)
        out: dict[str, tuple[FacetValue, ...]] = {}
        for skip, names in groups.items():
            aggs = {n: {"terms": {"field": n, "size": FACET_SIZE.get(n, 100)}} for n in names}
            result = searcher.aggregate(self._with_filters(text_query, query, skip), aggs)
            for n in names:
                buckets = result.get(n, {}).get("buckets", [])
                values = [FacetValue(str(b["key"]), int(b["doc_count"])) for b in buckets]
                if n == "year":
                    values.sort(key=lambda v: v.value, reverse=True)
                out[n] = tuple(values)
        return out

    def _hits(
        self,
        searcher: tv.Searcher,
        raw: list[tuple[Any, Any]],
        parsed: ParsedQuery,
        query: SearchQuery,
        *,
        scored: bool,
    ) -> Iterator[Hit]:
        words = highlight_words(parsed) if query.highlight else ()
        rare = sorted(words, key=lambda w: searcher.doc_freq("body", w)) if words else []
        for key, address in raw:
            doc = searcher.doc(address)
            title = doc.get_first("title") or ""
            highlights: dict[str, tuple[str, ...]] = {}
            if words:
                marked_title = mark_all(title, words)
                if marked_title:
                    highlights["title"] = (marked_title,)
                body = snippet(
                    doc.get_first("body") or "", words, rare_first=rare, size=SNIPPET_CHARS
                )
                if body:
                    highlights["body"] = (body,)
            yield Hit(
                id=doc.get_first("id"),
                score=float(key) if scored else 0.0,
                number=doc.get_first("number") or "",
                title=title,
                kind=doc.get_first("kind") or "",
                highlights=highlights,
            )
