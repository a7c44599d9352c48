"""The relations panel and its forms, per role, through the real pages."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_login import login_user

from lis.auth.models import ROLES
from lis.db import transaction
from lis.documents.models import Document
from lis.relations import services
from lis.relations.models import Relation
from tests.relations.conftest import CITED, CITING

DECIDERS = {"admin", "staff", "head"}
PANEL = '{% include "relations/_panel.html" %}'


def panel_for(app: Flask, user: Any, document: Document, lang: str = "vi") -> str:
    """The partial as the document page includes it, for `user`."""
    with app.test_request_context(f"/documents/{document.external_id}?lang={lang}"):
        login_user(user)
        return render_template_string(PANEL, document=document)


@pytest.mark.parametrize("role", ROLES)
def test_panel_groups_both_ways_and_offers_decisions_to_deciders(
    role: str, app: Flask, db_session: Any, make_user: Any, citing: Document, cited: Document
) -> None:
    services.create_relation(
        db_session, citing, make_user("staff"), kind="amends", target_id=cited.external_id
    )
    services.suggest_for_document(db_session, citing, None)
    user = make_user(role)
    html = panel_for(app, user, citing, lang="en")
    assert ">Amends<" in html
    assert f'href="/documents/{CITED}"' in html
    assert "Suggested relations" in html
    assert ("/confirm" in html) == (role in DECIDERS)
    assert ("/dismiss" in html) == (role in DECIDERS)
    assert ('name="csrf_token"' in html) == (role in DECIDERS)
    assert ("/delete" in html) == (role == "admin")
    incoming = panel_for(app, user, cited, lang="en")
    assert ">Amended by<" in incoming
    assert f'href="/documents/{CITING}"' in incoming


def test_panel_in_english_and_empty(app: Flask, db_session: Any, make_user: Any) -> None:
    from tests.factories import DocumentFactory

    html = panel_for(app, make_user("deputy"), DocumentFactory(), lang="en")
    assert "Related documents" in html
    assert "No confirmed relation to other documents." in html


def test_panel_escapes_the_context(
    app: Flask, db_session: Any, make_user: Any, citing: Document
) -> None:
    relation = services.suggest_for_document(db_session, citing, None)[0]
    relation.context = "<script>alert(1)</script>"
    db_session.flush()
    html = panel_for(app, make_user("staff"), citing)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def suggestion(db_session: Any, citing: Document) -> Relation:
    with transaction(db_session):
        return services.suggest_for_document(db_session, citing, None)[0]


@pytest.mark.parametrize("role", ROLES)
def test_confirm_form_by_role(
    role: str, client: FlaskClient, login: Any, db_session: Any, citing: Document
) -> None:
    relation = suggestion(db_session, citing)
    login(role)
    resp = client.post(f"/relations/{relation.id}/confirm", data={"kind": "guides", "back": CITED})
    if role in DECIDERS:
        assert resp.status_code == 302
        assert resp.headers["Location"] == f"/documents/{CITED}#relations"
        db_session.refresh(relation)
        assert (relation.state, relation.kind) == ("confirmed", "guides")
    else:
        assert resp.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_dismiss_form_by_role(
    role: str, client: FlaskClient, login: Any, db_session: Any, citing: Document
) -> None:
    relation = suggestion(db_session, citing)
    login(role)
    resp = client.post(f"/relations/{relation.id}/dismiss", data={"back": "no-such-doc"})
    if role in DECIDERS:
        assert resp.status_code == 302
        assert resp.headers["Location"] == f"/documents/{CITING}#relations"
        db_session.refresh(relation)
        assert relation.state == "dismissed"
    else:
        assert resp.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_create_and_suggest_forms_by_role(
    role: str,
    client: FlaskClient,
    login: Any,
    db_session: Any,
    citing: Document,
    cited: Document,
) -> None:
    login(role)
    resp = client.post(
        f"/documents/{CITING}/relations",
        data={"kind": "repeals", "cited_number": cited.number, "back": CITING},
    )
    scan = client.post(f"/documents/{CITING}/relations/suggest", data={"back": CITING})
    if role in DECIDERS:
        assert resp.status_code == scan.status_code == 302
        listing = services.relations_of(db_session, citing)
        assert [(r.kind, r.target_id) for r in listing.outgoing] == [("repeals", cited.id)]
        assert listing.suggestions
    else:
        assert resp.status_code == scan.status_code == 403


def test_bad_form_flashes_and_returns(
    client: FlaskClient, login: Any, db_session: Any, citing: Document
) -> None:
    login("staff")
    resp = client.post(
        f"/documents/{CITING}/relations",
        data={"kind": "cites", "cited_number": "", "back": CITING},
        follow_redirects=False,
    )
    assert resp.status_code == 302
    page = client.get(f"/documents/{CITING}")
    assert 'class="notice notice--error"' in page.get_data(as_text=True)
    same = client.post(
        f"/documents/{CITING}/relations",
        data={"kind": "basis", "cited_number": citing.number, "back": CITING},
    )
    assert same.status_code == 302
    assert not services.relations_of(db_session, citing).outgoing


@pytest.mark.parametrize("role", ROLES)
def test_delete_form_by_role(
    role: str,
    client: FlaskClient,
    login: Any,
    db_session: Any,
    make_user: Any,
    citing: Document,
    cited: Document,
) -> None:
    with transaction(db_session):
        relation = services.create_relation(
            db_session, citing, make_user("staff"), kind="basis", target_id=cited.external_id
        )
    relation_id = relation.id
    login(role)
    resp = client.post(f"/relations/{relation_id}/delete", data={"back": CITING})
    if role == "admin":
        assert resp.status_code == 302
        assert db_session.get(Relation, relation_id) is None
    else:
        assert resp.status_code == 403


def test_forms_need_csrf_with_a_cookie_session(
    app: Flask, client: FlaskClient, login: Any, db_session: Any, citing: Document
) -> None:
    relation = suggestion(db_session, citing)
    login("staff")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = client.post(f"/relations/{relation.id}/confirm", data={"back": CITING})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert resp.status_code == 400
    db_session.refresh(relation)
    assert relation.state == "suggested"
