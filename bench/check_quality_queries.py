#!/usr/bin/env python3
"""Validate bench/quality_queries.json (the judged search-quality query set).

Checks:
  * the file is a JSON list of objects with q, kind, relevant, note, in_sample;
  * kind is one of number, title, title_unaccented, topic, phrase;
  * relevant is a non-empty list of distinct doc ids that exist in the full corpus,
    and also in the 300-doc sample when in_sample is true;
  * no duplicate q (compared after NFC normalisation and whitespace trimming);
  * every "phrase" query occurs (NFC, case-insensitive) in exactly one document of
    the full corpus, and that document is the relevant one.
Prints a count per kind. Exit status 0 when valid, 1 otherwise.

Standard library only. Usage:
  python bench/check_quality_queries.py [--queries PATH] [--corpus PATH] [--sample PATH]
"""

import argparse
import collections
import gzip
import json
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_QUERIES = os.path.join(HERE, "quality_queries.json")
# The shared corpus beside the repository (../shared/corpus), read at run time, never copied.
CORPUS_DIR = os.path.join(HERE, os.pardir, os.pardir, "shared", "corpus")
DEFAULT_CORPUS = os.path.join(CORPUS_DIR, "vn_legal_docs.jsonl.gz")
DEFAULT_SAMPLE = os.path.join(CORPUS_DIR, "vn_legal_docs.sample300.jsonl")
KINDS = ("number", "title", "title_unaccented", "topic", "phrase")
REQUIRED = {"q": str, "kind": str, "relevant": list, "note": str, "in_sample": bool}


def nfc_lower(s):
    return unicodedata.normalize("NFC", s).lower()


def open_jsonl(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def iter_docs(path):
    with open_jsonl(path) as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--queries", default=DEFAULT_QUERIES)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--sample", default=DEFAULT_SAMPLE)
    args = ap.parse_args(argv)

    errors = []
    with open(args.queries, encoding="utf-8") as f:
        queries = json.load(f)
    if not isinstance(queries, list):
        print("FAIL: top level must be a JSON list")
        return 1

    # Phrases to check for uniqueness: lower-cased NFC phrase -> list of query indexes.
    phrases = collections.defaultdict(list)
    seen_q = {}
    for i, item in enumerate(queries):
        where = "query #%d" % i
        if not isinstance(item, dict):
            errors.append(f"{where}: not an object")
            continue
        where = "query #%d %r" % (i, item.get("q"))
        ok = True
        for key, typ in REQUIRED.items():
            if key not in item:
                errors.append(f"{where}: missing field {key!r}")
                ok = False
            elif not isinstance(item[key], typ):
                errors.append(f"{where}: field {key!r} must be {typ.__name__}")
                ok = False
        if not ok:
            continue
        q = item["q"]
        if not q.strip():
            errors.append(f"{where}: empty q")
        if item["kind"] not in KINDS:
            errors.append("{}: invalid kind {!r}".format(where, item["kind"]))
        rel = item["relevant"]
        if not rel:
            errors.append(f"{where}: relevant is empty")
        if any(not isinstance(r, str) or not r for r in rel):
            errors.append(f"{where}: relevant ids must be non-empty strings")
        elif len(set(rel)) != len(rel):
            errors.append(f"{where}: duplicate ids in relevant")
        if not item["note"].strip():
            errors.append(f"{where}: empty note")
        key = unicodedata.normalize("NFC", q).strip()
        if key in seen_q:
            errors.append("%s: duplicate q (same as query #%d)" % (where, seen_q[key]))
        else:
            seen_q[key] = i
        if item["kind"] == "phrase":
            phrases[nfc_lower(q)].append(i)

    # One pass over the full corpus: collect ids and phrase hits.
    full_ids = set()
    hits = collections.defaultdict(set)
    for doc in iter_docs(args.corpus):
        full_ids.add(doc["id"])
        if phrases:
            text = nfc_lower((doc.get("text") or "") + "\n" + (doc.get("codified_text") or ""))
            for p in phrases:
                if p in text:
                    hits[p].add(doc["id"])
    sample_ids = {doc["id"] for doc in iter_docs(args.sample)}

    for i, item in enumerate(queries):
        if not isinstance(item, dict) or not isinstance(item.get("relevant"), list):
            continue
        where = "query #%d %r" % (i, item.get("q"))
        for r in item["relevant"]:
            if r not in full_ids:
                errors.append(f"{where}: relevant id {r!r} not in full corpus")
            if item.get("in_sample") is True and r not in sample_ids:
                errors.append(f"{where}: in_sample is true but {r!r} is not in the sample")

    for p, idxs in phrases.items():
        found = hits.get(p, set())
        for i in idxs:
            where = "query #%d %r" % (i, queries[i]["q"])
            if len(found) != 1:
                errors.append(
                    "%s: phrase occurs in %d documents (%s), expected exactly 1"
                    % (where, len(found), ", ".join(sorted(found)[:5]))
                )
            elif set(queries[i]["relevant"]) != found:
                errors.append(
                    f"{where}: phrase occurs only in {next(iter(found))}, not the relevant doc"
                )

    counts = collections.Counter(item.get("kind") for item in queries if isinstance(item, dict))
    in_sample = sum(
        1 for item in queries if isinstance(item, dict) and item.get("in_sample") is True
    )
    print("queries: %d (in_sample: %d)" % (len(queries), in_sample))
    for kind in KINDS:
        print("  %-17s %d" % (kind, counts.get(kind, 0)))
    for kind in sorted(k for k in counts if k not in KINDS):
        print("  %-17s %d (invalid kind)" % (kind, counts[kind]))

    if errors:
        print("FAIL: %d problem(s)" % len(errors))
        for e in errors:
            print("  - " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
