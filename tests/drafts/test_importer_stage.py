"""Imported acts enter the record in force: the final stage of every machine."""

from __future__ import annotations

from typing import Any

from lis.documents import importer
from lis.documents.models import Document
from tests.documents.test_importer import lines_of, record


def test_new_imported_documents_are_in_force(db_session: Any) -> None:
    importer.import_batch(db_session, lines_of([record(id="stage-test-1")]))
    doc = db_session.query(Document).filter_by(external_id="stage-test-1").one()
    assert (doc.origin, doc.stage) == ("imported", "S_IN_FORCE")
