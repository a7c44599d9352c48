"""Documents to relate: a sample document that cites another one of the sample."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lis.db import db
from lis.documents.models import Document
from tests.conftest import need_sample

# Quyết định 26/2023/QĐ-TTg cites Quyết định 02/2016/QĐ-TTg, both in the sample.
CITING = "phapdien-166466"
CITED = "phapdien-97045"


def document(external_id: str) -> Document:
    doc = db.session().scalar(select(Document).where(Document.external_id == external_id))
    assert doc is not None, external_id
    return doc


@pytest.fixture
def citing(db_session: Any) -> Document:
    need_sample()
    return document(CITING)


@pytest.fixture
def cited(db_session: Any) -> Document:
    need_sample()
    return document(CITED)
