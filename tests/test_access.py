"""Every route needs a logged-in user except the public ones; tokens and passwords are hashed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lis.auth import identity
from lis.auth.access import PUBLIC_ENDPOINTS
from lis.auth.models import ROLES, ApiToken, User
from lis.db import db
from tests.factories import TEST_PASSWORD

SAMPLE_ARGS = {
    "doc_id": "phapdien-37087",
    "n": 1,
    "filename": "index.css",
    "relation_id": 1,
    "assignment_id": 1,
    "contribution_id": 1,
    "movement_id": 1,
    "pledge_id": 1,
    "snapshot_id": 1,
    "line_id": 1,
    "rating_id": 1,
    "table": "units",
    "initiative_id": 1,
    "award_id": 1,
    "case_id": 1,
    "person_id": 1,
    "report_id": 1,
    "nomination_id": 1,
    "item_id": 1,
    "meeting_id": 1,
}


def _urls(app: Flask) -> list[tuple[str, str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        methods = sorted(m for m in rule.methods or () if m not in ("HEAD", "OPTIONS"))
        path = rule.rule
        for arg in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(SAMPLE_ARGS.get(arg, "x")), path)
        for method in methods:
            out.append((rule.endpoint, method, path))
    return out


def test_every_route_needs_login(app: Flask, client: FlaskClient) -> None:
    checked = 0
    for endpoint, method, path in _urls(app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        resp = client.open(path, method=method)
        if path.startswith("/api/"):
            assert resp.status_code == 401, (endpoint, method, path, resp.status_code)
            assert resp.get_json()["error"]["code"] == "unauthorized"
        else:
            assert resp.status_code == 302, (endpoint, method, path, resp.status_code)
            assert resp.headers["Location"].startswith("/login")
        checked += 1
    assert checked >= 8


def test_public_routes(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200
    assert client.get("/api/v1/swagger-ui/swagger-ui.css").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_search_and_read(role: str, client: FlaskClient, token_for: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for(role)}"}
    assert client.get("/api/v1/search?q=luat", headers=headers).status_code == 200
    assert client.get("/api/v1/documents", headers=headers).status_code == 200
    assert client.get("/api/v1/openapi.json", headers=headers).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_log_in_and_see_pages(role: str, client: FlaskClient, login: Any) -> None:
    login(role)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/search?q=luat").status_code == 200  # session cookie works too


def test_wrong_password_and_inactive_user(client: FlaskClient, make_user: Any) -> None:
    user = make_user("deputy")
    resp = client.post("/login", data={"email": user.email, "password": "wrong password"})
    assert resp.status_code == 401
    user.active = False
    db.session().flush()
    resp = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert resp.status_code == 401


def test_login_redirects_only_to_same_site(client: FlaskClient, make_user: Any) -> None:
    user = make_user("deputy")
    data = {"email": user.email, "password": TEST_PASSWORD, "next": "https://evil.example/x"}
    resp = client.post("/login", data=data)
    assert resp.headers["Location"] == "/"
    client.post("/logout")
    data["next"] = "/documents/phapdien-37087"
    assert client.post("/login", data=data).headers["Location"] == "/documents/phapdien-37087"


def test_bad_and_revoked_tokens(client: FlaskClient, token_for: Any, db_session: Any) -> None:
    token = token_for("deputy")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/search", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/search", headers=headers).status_code == 200
    row = db_session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
    assert row.token_hash != token and token not in row.token_hash  # only the hash is kept
    from lis.db import utcnow

    row.revoked_at = utcnow()
    db_session.flush()
    # Another process would see the revocation within IDENTITY_TTL; this one forgets at once.
    identity.forget()
    assert client.get("/api/v1/search", headers=headers).status_code == 401


def test_identity_is_cached_briefly(client: FlaskClient, token_for: Any, db_session: Any) -> None:
    token = token_for("deputy")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/search", headers=headers).status_code == 200
    row = db_session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
    row.user.active = False
    db_session.flush()
    assert client.get("/api/v1/search", headers=headers).status_code == 200  # still cached
    identity._cache._items = {  # as if IDENTITY_TTL had passed
        k: (0.0, v) for k, (_, v) in identity._cache._items.items()
    }
    assert client.get("/api/v1/search", headers=headers).status_code == 401


def test_passwords_are_hashed(app: Flask, db_session: Any) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "New.Head@Test.lis.vn",
            "--role",
            "head",
            "--role",
            "staff",
        ],
        env={"LIS_PASSWORD": "a long enough password"},
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "new.head@test.lis.vn"))
    assert user.roles == ["head", "staff"]
    assert "a long enough password" not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_forms_need_a_csrf_token(app: Flask, client: FlaskClient, make_user: Any) -> None:
    user = make_user("deputy")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert resp.status_code == 200  # the form is shown again, not accepted
        assert b"CSRF" in resp.data or b"csrf" in resp.data
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token, "the login form carries a CSRF token"
        resp = client.post(
            "/login",
            data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token.group(1)},
        )
        assert resp.status_code == 302
        assert client.post("/logout").status_code == 400  # no token: refused
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize(
    "path", ["/api/v1/relations/2147483648/confirm", "/relations/9" + "9" * 30]
)
def test_ids_beyond_the_database_are_404(client: FlaskClient, token_for: Any, path: str) -> None:
    """A 32-bit database id cannot be larger; such a URL matches no route instead of failing."""
    resp = client.post(path, headers={"Authorization": f"Bearer {token_for('admin')}"})
    assert resp.status_code == 404
