"""Searching the legislative record: drafts made in the test, the sample, the real engine.

Covers the indexing of origin, stage, holder, committee, term and planned sessions, the outbox
hooks that keep them current, and the labels of their facet values.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from lis.db import db, transaction
from lis.documents.models import Document, Version
from lis.documents.search import (
    SearchArgs,
    facet_labels,
    parse_session_key,
    search_documents,
    session_key,
    session_label,
    session_sort_key,
)
from lis.indexing.models import OutboxEntry
from lis.indexing.services import stale_index_reason, to_search_document
from search.backends.embedded import EmbeddedBackend
from tests.conftest import need_sample
from tests.factories import VersionFactory, unit_by_code
from tests.search import record
from tests.search.record import drain, make_draft, na_session, term

# Fixtures shared with the API and page tests.
index_template = record.index_template
engine = record.engine


@pytest.fixture(autouse=True)
def _sample() -> None:
    need_sample()


@pytest.fixture
def drafts(engine: EmbeddedBackend) -> dict[str, Document]:
    made = {
        "land": make_draft(
            "Luật Đất đai (sửa đổi) thử nghiệm",
            stage="S_VERIFY",
            committee="UB-KT",
            sessions=((9, "regular"), (10, "regular")),
        ),
        "data": make_draft("Luật Dữ liệu thử nghiệm", stage="S_VERIFY", committee="UB-PLTP"),
        "press": make_draft(
            "Luật Báo chí thử nghiệm",
            stage="S_DRAFTING",
            committee="UB-VHXH",
            holder="VPQH",
            sessions=((9, "irregular"),),
        ),
    }
    assert drain() == 3
    return made


def ids(page: Any) -> set[str]:
    return {h.id for h in page.hits}


def counts(page: Any, name: str) -> dict[str, int]:
    return {f.value: f.count for f in page.facets[name]}


def test_drafts_filter_and_count_beside_the_sample(
    engine: EmbeddedBackend, drafts: dict[str, Document]
) -> None:
    everything = search_documents(engine, SearchArgs(per_page=1))
    corpus = everything.total - 3
    assert corpus >= 300
    assert counts(everything, "origin") == {"imported": corpus, "draft": 3}
    assert counts(everything, "stage") == {"S_IN_FORCE": corpus, "S_VERIFY": 2, "S_DRAFTING": 1}
    assert counts(everything, "committee") == {"UB-KT": 1, "UB-PLTP": 1, "UB-VHXH": 1}
    assert counts(everything, "holder") == {"UB-KT": 1, "UB-PLTP": 1, "VPQH": 1}
    # Imported NA and UBTVQH acts take their term from their number: count the drafts' apart.
    only_drafts = search_documents(engine, SearchArgs(origin=("draft",), per_page=1))
    assert counts(only_drafts, "term") == {"XV": 3}
    assert counts(everything, "term")["XV"] > 3
    assert counts(everything, "session") == {"XV-9": 2, "XV-10": 1, "XV-B9": 1}

    verify = search_documents(engine, SearchArgs(stage=("S_VERIFY",), per_page=50))
    assert ids(verify) == {drafts["land"].external_id, drafts["data"].external_id}
    # Multi-select: the stage facet still counts the other stages; the others apply the filter.
    assert counts(verify, "stage")["S_DRAFTING"] == 1
    assert counts(verify, "committee") == {"UB-KT": 1, "UB-PLTP": 1}

    both = search_documents(engine, SearchArgs(stage=("S_VERIFY", "S_DRAFTING"), term=("XV",)))
    assert both.total == 3
    session9 = search_documents(engine, SearchArgs(session=("XV-9",)))
    assert ids(session9) == {drafts["land"].external_id, drafts["data"].external_id}
    held = search_documents(engine, SearchArgs(holder=("VPQH",), origin=("draft",)))
    assert ids(held) == {drafts["press"].external_id}
    # Text and record filters together; imported acts sit in S_IN_FORCE.
    land = search_documents(engine, SearchArgs(q="dat dai", origin=("draft",)))
    assert ids(land) == {drafts["land"].external_id}
    in_force = search_documents(engine, SearchArgs(q="dat dai", stage=("S_IN_FORCE",)))
    assert in_force.total > 0 and drafts["land"].external_id not in ids(in_force)


def test_imported_document_record(db_session: Any) -> None:
    imported = select(Document).where(Document.origin == "imported").order_by(Document.id)
    doc = db_session.scalar(imported.where(Document.term_id.is_(None)).limit(1))
    keywords = to_search_document(doc).keywords
    assert keywords["origin"] == ("imported",) and keywords["stage"] == ("S_IN_FORCE",)
    assert not {"holder", "committee", "term", "session"} & set(keywords)
    # An act of the NA carries the term of its number, and still no unit or session.
    act = db_session.scalar(imported.where(Document.number.like("%/QH13")).limit(1))
    keywords = to_search_document(act).keywords
    assert keywords["term"] == ("XIII",)
    assert not {"holder", "committee", "session"} & set(keywords)


def _outbox_ids(session: Any, doc: Document) -> int:
    return session.scalar(
        select(func.count()).select_from(OutboxEntry).where(OutboxEntry.entity_id == doc.id)
    )


CHANGES = {
    "stage": lambda doc: setattr(doc, "stage", "S_UBTVQH_OPINION"),
    "holder": lambda doc: setattr(doc, "holder_unit", unit_by_code("UBTVQH")),
    "holder_id": lambda doc: setattr(doc, "holder_unit_id", unit_by_code("UBTVQH").id),
    "lead_unit": lambda doc: setattr(doc, "lead_unit", unit_by_code("UB-KTTC")),
    "term": lambda doc: setattr(doc, "term", term("XVI")),
    "add_session": lambda doc: doc.planned_sessions.append(na_session("XV", 10)),
    "remove_session": lambda doc: doc.planned_sessions.clear(),
    "version": lambda doc: VersionFactory(document=doc, seq=2, text="Điều 1. Bản chỉnh lý."),
    "version_by_id": lambda doc: db.session().add(
        Version(document_id=doc.id, seq=2, label="2", text="Điều 1.", text_sha256="0" * 64)
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_record_change_writes_an_outbox_row(db_session: Any, change: str) -> None:
    doc = make_draft("Luật thử nghiệm hàng đợi", stage="S_VERIFY")
    db_session.flush()
    before = _outbox_ids(db_session, doc)
    CHANGES[change](doc)
    db_session.flush()
    assert _outbox_ids(db_session, doc) == before + 1


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        ("stage", "stage", "S_UBTVQH_OPINION"),
        ("holder_id", "holder", "UBTVQH"),
        ("lead_unit", "committee", "UB-KTTC"),
        ("term", "term", "XVI"),
        ("add_session", "session", "XV-10"),
    ],
)
def test_a_change_is_searchable_right_after_the_request(
    app: Flask,
    engine: EmbeddedBackend,
    drafts: dict[str, Document],
    change: str,
    field: str,
    value: str,
) -> None:
    doc = drafts["data"]
    assert doc.external_id not in ids(search_documents(engine, SearchArgs(**{field: (value,)})))
    # The relationships are loaded before a foreign key changes: the index must not keep the
    # old unit.
    assert doc.holder_unit is not None and doc.lead_unit is not None
    # As a view does it: one transaction in a request; after it the app drains the outbox.
    with app.test_request_context("/drafts/x", method="POST"), transaction():
        CHANGES[change](doc)
    found = search_documents(engine, SearchArgs(**{field: (value,)}))
    assert doc.external_id in ids(found)


def test_a_new_version_is_searchable_right_after_the_request(
    app: Flask, engine: EmbeddedBackend, drafts: dict[str, Document]
) -> None:
    doc = drafts["press"]
    with app.test_request_context("/drafts/x", method="POST"), transaction():
        VersionFactory(document=doc, seq=2, text="Điều 1. Quy định về khinh khí cầu Zephyrơ.")
    page = search_documents(engine, SearchArgs(q="zephyro", origin=("draft",)))
    assert ids(page) == {doc.external_id}


def test_session_keys() -> None:
    assert session_key("XV", "regular", 9) == "XV-9"
    assert session_key("XV", "irregular", 2) == "XV-B2"
    assert parse_session_key("xv-b2") == ("XV", "irregular", 2)
    assert parse_session_key("XV-") is None and parse_session_key("9") is None
    assert session_label("XV-9") == "Kỳ họp thứ 9, khóa XV"
    assert session_label("XV-B2") == "Kỳ họp bất thường lần thứ 2, khóa XV"
    assert session_label("XV-9", "en") == "9th session, term XV"
    assert session_label("XV-B2", "en") == "2nd extraordinary session, term XV"
    assert session_label("XV-11", "en") == "11th session, term XV"
    keys = ["XIV-10", "XV-B9", "XV-9", "XVI-1", "XV-10"]
    assert sorted(keys, key=session_sort_key, reverse=True) == [
        "XVI-1",
        "XV-10",
        "XV-9",
        "XV-B9",
        "XIV-10",
    ]


def test_facet_labels_in_both_languages(db_session: Any) -> None:
    values = {
        "stage": ["S_VERIFY"],
        "committee": ["UB-PLTP", "NO-SUCH-UNIT"],
        "holder": ["VPQH"],
        "term": ["XV"],
        "session": ["XV-9"],
        "origin": ["draft", "imported"],
        "kind": ["law"],
        "status": ["unknown"],
    }
    vi = facet_labels(db_session, values, "vi")
    en = facet_labels(db_session, values, "en")
    assert vi["stage"]["S_VERIFY"] == "Thẩm tra" and en["stage"]["S_VERIFY"] == "Verification"
    assert vi["committee"] == {"UB-PLTP": unit_by_code("UB-PLTP").name}
    assert en["committee"] == {"UB-PLTP": unit_by_code("UB-PLTP").name_en}
    assert vi["holder"]["VPQH"] == unit_by_code("VPQH").name
    assert vi["term"]["XV"] == "Khóa XV (2021–2026)" and en["term"]["XV"].startswith("Term XV")
    assert vi["session"]["XV-9"] == "Kỳ họp thứ 9, khóa XV"
    assert vi["origin"] == {"draft": "Dự thảo", "imported": "Văn bản đã ban hành"}
    assert vi["kind"]["law"] == "Luật" and en["kind"]["law"] == "Law"
    assert en["status"]["unknown"] == "Status unknown"
    assert facet_labels(db_session, {"year": ["2020"], "issuer": ["Quốc hội"]}) == {}


def test_stale_index_reason(db_session: Any, engine: EmbeddedBackend, tmp_path: Any) -> None:
    from search.backends.embedded import SCHEMA_FILE

    assert stale_index_reason(db_session, engine) is None
    make_draft("Luật chưa vào chỉ mục", stage="S_DRAFTING")
    db_session.flush()
    assert "the index holds" in (stale_index_reason(db_session, engine) or "")
    old = EmbeddedBackend(tmp_path / "old")
    old.rebuild([])
    (tmp_path / "old" / (tmp_path / "old" / "CURRENT").read_text() / SCHEMA_FILE).unlink()
    assert "lis search reindex" in (stale_index_reason(db_session, EmbeddedBackend(old.root)) or "")
