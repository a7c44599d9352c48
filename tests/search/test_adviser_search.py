"""Search documents carry their advising units: the units whose contributions to a draft are
submitted or verified, as a filter and a facet, kept current by the outbox (real engine)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from lis.db import db, transaction
from lis.documents.models import Document
from lis.documents.schemas import SearchArgsSchema
from lis.documents.search import SearchArgs, args_from, facet_labels, search_documents
from lis.indexing.models import OutboxEntry
from lis.indexing.services import (
    advisers_by_document,
    iter_search_documents,
    pending_count,
    to_search_document,
)
from search.backends.embedded import EmbeddedBackend
from tests.conftest import need_sample
from tests.factories import unit_by_code
from tests.search import record
from tests.search.advisers import contribute
from tests.search.record import drain, make_draft

index_template = record.index_template
engine = record.engine


@pytest.fixture(autouse=True)
def _sample() -> None:
    need_sample()


@pytest.fixture
def drafts(engine: EmbeddedBackend) -> dict[str, Document]:
    made = {
        "data": make_draft("Luật Dữ liệu thử nghiệm", stage="S_VERIFY", committee="UB-PLTP"),
        "land": make_draft("Luật Đất đai thử nghiệm", stage="S_VERIFY", committee="UB-KTTC"),
    }
    drain()
    return made


def ids(page: Any) -> set[str]:
    return {h.id for h in page.hits}


def advisers(engine: EmbeddedBackend, **filters: Any) -> dict[str, int]:
    page = search_documents(engine, SearchArgs(per_page=1, **filters))
    return {f.value: f.count for f in page.facets["adviser"]}


def found(engine: EmbeddedBackend, *units: str) -> set[str]:
    return ids(search_documents(engine, SearchArgs(adviser=units, per_page=50)))


def in_request(app: Flask) -> Any:
    """A POST request's context: its transaction commits, then the app drains the outbox."""
    return app.test_request_context("/contributions", method="POST")


def test_logging_and_withdrawing_a_contribution(
    app: Flask, engine: EmbeddedBackend, drafts: dict[str, Document]
) -> None:
    data = drafts["data"]
    assert found(engine, "UB-PLTP-V") == set() and advisers(engine) == {}
    with in_request(app), transaction():
        row = contribute(data, "UB-PLTP-V")
    assert found(engine, "UB-PLTP-V") == {data.external_id}
    assert advisers(engine) == {"UB-PLTP-V": 1}
    # A second unit on the same draft: OR within the facet, both values counted.
    with in_request(app), transaction():
        contribute(data, "UB-KTTC-V", state="verified")
        contribute(drafts["land"], "UB-KTTC-V")
    assert advisers(engine) == {"UB-PLTP-V": 1, "UB-KTTC-V": 2}
    assert found(engine, "UB-PLTP-V", "UB-KTTC-V") == {
        data.external_id,
        drafts["land"].external_id,
    }
    # Multi-select: filtering on one adviser still counts the others; other filters apply.
    assert advisers(engine, adviser=("UB-PLTP-V",)) == {"UB-PLTP-V": 1, "UB-KTTC-V": 2}
    assert advisers(engine, committee=("UB-PLTP",)) == {"UB-PLTP-V": 1, "UB-KTTC-V": 1}
    text = search_documents(engine, SearchArgs(q="du lieu", adviser=("UB-KTTC-V",)))
    assert ids(text) == {data.external_id}
    # Withdrawn: the unit no longer advised on the draft.
    with in_request(app), transaction():
        row.state = "withdrawn"
    assert found(engine, "UB-PLTP-V") == set()
    assert advisers(engine) == {"UB-KTTC-V": 2}


@pytest.mark.parametrize(
    ("state", "advises"),
    [("submitted", True), ("verified", True), ("rejected", False), ("withdrawn", False)],
)
def test_which_states_advise(
    app: Flask, engine: EmbeddedBackend, drafts: dict[str, Document], state: str, advises: bool
) -> None:
    with in_request(app), transaction():
        contribute(drafts["data"], "UB-PLTP-V", state=state)
    assert (found(engine, "UB-PLTP-V") == {drafts["data"].external_id}) is advises


def test_rejected_then_resubmitted_and_deleted(
    app: Flask, engine: EmbeddedBackend, drafts: dict[str, Document]
) -> None:
    data = drafts["data"]
    with in_request(app), transaction():
        row = contribute(data, "UB-PLTP-V", state="rejected")
    assert found(engine, "UB-PLTP-V") == set()
    with in_request(app), transaction():
        row.state = "submitted"  # the author corrected it
    assert found(engine, "UB-PLTP-V") == {data.external_id}
    with in_request(app), transaction() as session:
        session.delete(row)
    assert found(engine, "UB-PLTP-V") == set()


def test_moving_a_contribution_reindexes_both_documents(
    app: Flask, engine: EmbeddedBackend, drafts: dict[str, Document]
) -> None:
    with in_request(app), transaction():
        row = contribute(drafts["data"], "UB-PLTP-V")
    with in_request(app), transaction():
        row.document_id = drafts["land"].id
    assert found(engine, "UB-PLTP-V") == {drafts["land"].external_id}
    with in_request(app), transaction():
        row.unit = unit_by_code("UB-VHXH-V")
    assert found(engine, "UB-PLTP-V") == set()
    assert found(engine, "UB-VHXH-V") == {drafts["land"].external_id}


def _outbox(session: Any, doc: Document) -> int:
    return session.scalar(
        select(func.count()).select_from(OutboxEntry).where(OutboxEntry.entity_id == doc.id)
    )


CHANGES = {
    "state": (lambda row: setattr(row, "state", "withdrawn"), 1),
    "unit": (lambda row: setattr(row, "unit", unit_by_code("UB-KTTC-V")), 1),
    "unit_id": (lambda row: setattr(row, "unit_id", unit_by_code("UB-KTTC-V").id), 1),
    "delete": (lambda row: db.session().delete(row), 1),
    # Changes that leave the advisers as they were queue nothing.
    "quality": (lambda row: setattr(row, "quality", "good"), 0),
    "title": (lambda row: setattr(row, "title", "Báo cáo đã sửa"), 0),
    "same_state": (lambda row: setattr(row, "state", "submitted"), 0),
}


@pytest.mark.parametrize("change", CHANGES)
def test_contribution_changes_write_outbox_rows(db_session: Any, change: str) -> None:
    doc = make_draft("Luật thử nghiệm hàng đợi", stage="S_VERIFY")
    db_session.flush()
    before = _outbox(db_session, doc)
    row = contribute(doc)
    db_session.flush()
    assert _outbox(db_session, doc) == before + 1  # logged
    apply, rows = CHANGES[change]
    apply(row)
    db_session.flush()
    assert _outbox(db_session, doc) == before + 1 + rows


def test_search_record_and_rebuild(db_session: Any, tmp_path: Any) -> None:
    doc = make_draft("Luật thử nghiệm tái lập", stage="S_VERIFY")
    contribute(doc, "UB-PLTP-V")
    contribute(doc, "UB-PLTP-V", state="verified")
    contribute(doc, "UB-KTTC-V")
    contribute(doc, "UB-VHXH-V", state="withdrawn")
    db_session.flush()
    assert advisers_by_document(db_session, [doc.id]) == {doc.id: ("UB-KTTC-V", "UB-PLTP-V")}
    # Looked up when not given (a draft), as given otherwise.
    assert to_search_document(doc).keywords["adviser"] == ("UB-KTTC-V", "UB-PLTP-V")
    assert "adviser" not in to_search_document(doc, ()).keywords
    imported = db_session.scalar(select(Document).where(Document.origin == "imported").limit(1))
    assert "adviser" not in to_search_document(imported).keywords
    # `lis search reindex` carries them too.
    rebuilt = EmbeddedBackend(tmp_path / "rebuilt")
    rebuilt.rebuild(iter_search_documents(db_session))
    page = rebuilt.search(SearchArgs(adviser=("UB-PLTP-V",)).to_query())
    assert ids(page) == {doc.external_id}


def test_adviser_labels_and_arguments(db_session: Any) -> None:
    values = {"adviser": ["UB-PLTP-V", "NO-SUCH-UNIT"]}
    assert facet_labels(db_session, values, "vi") == {
        "adviser": {"UB-PLTP-V": unit_by_code("UB-PLTP-V").name}
    }
    assert facet_labels(db_session, values, "en")["adviser"] == {
        "UB-PLTP-V": unit_by_code("UB-PLTP-V").name_en
    }
    args = args_from(SearchArgsSchema().load({"adviser": ["ub-pltp-v", "UB-KTTC-V"]}))
    assert args.adviser == ("UB-PLTP-V", "UB-KTTC-V")
    assert args.to_query().filters["adviser"] == ("UB-PLTP-V", "UB-KTTC-V")
    assert "adviser" in SearchArgs().facets


def test_cli_adviser_option(
    app: Flask, engine: EmbeddedBackend, drafts: dict[str, Document]
) -> None:
    with in_request(app), transaction():
        contribute(drafts["land"], "UB-KTTC-V")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["search", "query", "thu nghiem", "--adviser", "ub-kttc-v", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert [h["id"] for h in json.loads(result.output)["hits"]] == [drafts["land"].external_id]
    bad = runner.invoke(args=["search", "query", "x", "--adviser", "<b>"])
    assert bad.exit_code != 0 and "adviser" in bad.output


def test_a_busy_writer_keeps_the_change_for_the_next_drain(
    app: Flask, engine: EmbeddedBackend, drafts: dict[str, Document]
) -> None:
    """Another worker holding the index writer: the request's change waits in the outbox."""
    with engine.bulk():
        with in_request(app), transaction():
            contribute(drafts["data"], "UB-PLTP-V")
        kept = db.session().scalars(select(OutboxEntry)).all()
        assert kept and all(r.attempts == 1 and r.last_error for r in kept)
    assert found(engine, "UB-PLTP-V") == set()
    assert drain() == 1
    assert found(engine, "UB-PLTP-V") == {drafts["data"].external_id}
    assert pending_count(db.session()) == 0
