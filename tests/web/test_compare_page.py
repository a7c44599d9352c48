"""The side-by-side comparison page, per role, on a real law and a hand-made draft."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lis.auth.models import ROLES
from lis.documents.models import Document
from tests.documents.test_compare_api import DOC, add_version, codified_text
from tests.factories import VersionFactory


@pytest.fixture
def two_versions(db_session: Any) -> Document:
    doc = db_session.scalar(select(Document).where(Document.external_id == DOC))
    assert doc is not None
    add_version(db_session, doc, codified_text(DOC))
    return doc


@pytest.fixture
def draft(db_session: Any) -> Document:
    first = VersionFactory(
        text="Điều 1. Phạm vi\nLuật này quy định <A> & B.\nĐiều 5. Đối tượng\nCơ quan nhà nước."
    )
    add_version(
        db_session,
        first.document,
        "Điều 1. Phạm vi\nLuật này quy định <A> & C.\nĐiều 2. Giải thích\nTừ ngữ.\n"
        "Điều 6. Đối tượng\nCơ quan nhà nước.",
        label="Dự thảo 2",
    )
    return first.document


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_comparison(
    role: str, client: FlaskClient, login: Any, two_versions: Document
) -> None:
    login(role)
    resp = client.get(f"/documents/{DOC}/compare?lang=en")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'href="/static/css/compare.css' in html
    assert f'href="/documents/{DOC}"' in html
    assert '<option value="1" selected>' in html and '<option value="2" selected>' in html
    assert "<strong>3</strong> added" in html
    for n in ("14", "17", "20"):
        assert f"Article {n}" in html
    assert "<ins>" in html and "<del>" in html


def test_marks_escaped_words_and_renumbering(
    client: FlaskClient, login: Any, draft: Document
) -> None:
    login("deputy")
    html = client.get(f"/documents/{draft.external_id}/compare?lang=en").get_data(as_text=True)
    assert "Article 5 → Article 6" in html
    assert "<del>B</del>" in html or "<del>B" in html
    assert "<ins>C</ins>" in html or "<ins>C" in html
    assert "&lt;A&gt; &amp; " in html and "<A>" not in html
    assert "(not in the old version)" in html
    # Jump list links to each changed article's row.
    assert 'href="#change-2"' in html and 'id="change-2"' in html


def test_only_changes_hides_unchanged_articles(
    client: FlaskClient, login: Any, two_versions: Document
) -> None:
    login("deputy")
    everything = client.get(f"/documents/{DOC}/compare").get_data(as_text=True)
    only = client.get(f"/documents/{DOC}/compare?only=1").get_data(as_text=True)
    assert "compare-row--unchanged" in everything
    assert "compare-row--unchanged" not in only
    assert 'name="only" value="1" checked' in only


def test_vietnamese_by_default(client: FlaskClient, login: Any, draft: Document) -> None:
    login("deputy")
    html = client.get(f"/documents/{draft.external_id}/compare").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Điều 5 → Điều 6" in html or "Article 5 → Article 6" in html


@pytest.mark.parametrize(
    ("query", "status"), [("a=1&b=1", 422), ("a=x", 422), ("a=1&b=9", 404), ("", 200)]
)
def test_bad_choices(
    client: FlaskClient, login: Any, two_versions: Document, query: str, status: int
) -> None:
    login("deputy")
    resp = client.get(f"/documents/{DOC}/compare?{query}&lang=en")
    assert resp.status_code == status
    if status == 422:
        assert 'aria-invalid="true"' in resp.get_data(as_text=True)


def test_single_version_says_so(client: FlaskClient, login: Any, db_session: Any) -> None:
    login("deputy")
    doc = VersionFactory().document
    resp = client.get(f"/documents/{doc.external_id}/compare?lang=en")
    assert resp.status_code == 200
    assert "only one version" in resp.get_data(as_text=True)


def test_unknown_document_and_login(client: FlaskClient, login: Any, db_session: Any) -> None:
    assert client.get("/documents/no-such/compare").status_code == 302
    login("deputy")
    assert client.get("/documents/no-such/compare").status_code == 404
