"""Shared by the search tests: a private copy of the sample's index per test, and drafts.

The app's index is built once per test session and a test's database writes are rolled back,
but index writes are not: a test that indexes drafts works on its own copy of the index, put in
place of the app's for the duration of the test (the real embedded engine, in a temporary
directory), so that counts stay exact and other tests never see its drafts.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lis.db import db
from lis.documents.models import Document
from lis.indexing.services import iter_search_documents
from lis.reference.models import Session as NaSession
from lis.reference.models import Term
from lis.search_backend import EXTENSION, drain_outbox
from search.backends.embedded import EmbeddedBackend
from tests.factories import DocumentFactory, VersionFactory, unit_by_code


@pytest.fixture(scope="session")
def index_template(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed database (reference data and the sample) indexed once, to be copied."""
    root = tmp_path_factory.mktemp("record-index")
    with Session(db.engine) as session:
        EmbeddedBackend(root).rebuild(iter_search_documents(session))
    return root


@pytest.fixture
def engine(
    app: Flask, db_session: Any, index_template: Path, tmp_path: Path
) -> Iterator[EmbeddedBackend]:
    """The app searches and indexes through a copy of the sample's index during the test."""
    root = tmp_path / "index"
    shutil.copytree(index_template, root)
    backend = EmbeddedBackend(root)
    shared = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = backend
    try:
        yield backend
    finally:
        app.extensions[EXTENSION] = shared
        backend.close()


def term(code: str) -> Term:
    found = db.session().scalar(select(Term).where(Term.code == code))
    assert found is not None, f"no term {code}"
    return found


def na_session(term_code: str, number: int, kind: str = "regular") -> NaSession:
    found = db.session().scalar(
        select(NaSession)
        .join(Term)
        .where(Term.code == term_code, NaSession.number == number, NaSession.kind == kind)
    )
    assert found is not None, f"no session {kind} {number} of {term_code}"
    return found


def make_draft(
    title: str,
    *,
    stage: str,
    committee: str | None = "UB-PLTP",
    holder: str | None = None,
    term_code: str | None = "XV",
    sessions: tuple[tuple[int, str], ...] = ((9, "regular"),),
    text: str = "Điều 1. Phạm vi điều chỉnh\nLuật này quy định về thử nghiệm.",
) -> Document:
    """A draft as the drafts module records it: a Document of origin "draft" with a version."""
    doc = DocumentFactory(
        origin="draft",
        stage=stage,
        title=title,
        number="",
        number_key="",
        issuer=None,
        issuer_normalized=None,
        issued_date=None,
        lead_unit=unit_by_code(committee) if committee else None,
        holder_unit=unit_by_code(holder or committee) if (holder or committee) else None,
        term=term(term_code) if term_code else None,
        planned_sessions=[na_session(term_code or "XV", n, k) for n, k in sessions],
    )
    VersionFactory(document=doc, text=text)
    return doc


def drain() -> int:
    """What the app does after the commit of a request: apply the outbox to the index."""
    from lis.search_backend import get_backend

    return drain_outbox(get_backend())
