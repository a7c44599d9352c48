"""The audit log: written with the change, never changed, browsed by administrators only."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from lis.audit.models import AuditEvent
from lis.audit.services import AuditImmutable, record
from lis.auth.models import ROLES


def events_for(session: Any, entity: str, entity_id: object) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(
        AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id)
    )
    return list(session.scalars(stmt.order_by(AuditEvent.id)))


def test_user_creation_and_tokens_are_audited(app: Flask, db_session: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "audited@test.lis.vn", "--role", "head"],
        env={"LIS_PASSWORD": "a long enough password"},
    )
    assert result.exit_code == 0, result.output
    runner.invoke(args=["users", "token", "--email", "audited@test.lis.vn"])
    user_id = db_session.scalar(text("SELECT id FROM users WHERE email = 'audited@test.lis.vn'"))
    created, token = events_for(db_session, "user", user_id)
    assert (created.action, created.actor_email) == ("create", "system")
    assert created.after == {"email": "audited@test.lis.vn", "name": "", "roles": ["head"]}
    assert token.action == "issue_token" and token.after["prefix"].startswith("lis_")
    assert "password" not in str(created.after) and "hash" not in str(token.after)


def test_events_roll_back_with_the_change(db_session: Any, make_user: Any) -> None:
    actor = make_user("admin")
    nested = db_session.begin_nested()
    record(db_session, actor=actor, action="update", entity="thing", entity_id=1)
    nested.rollback()
    assert events_for(db_session, "thing", 1) == []


def test_the_app_cannot_change_or_delete_an_event(db_session: Any, make_user: Any) -> None:
    event = record(db_session, actor=make_user("admin"), action="create", entity="x", entity_id=7)
    event.summary = "rewritten"
    with pytest.raises(AuditImmutable):
        db_session.flush()
    db_session.rollback()


def test_the_database_refuses_update_and_delete(db_session: Any) -> None:
    """Even SQL that bypasses the ORM cannot rewrite history (a trigger on either database)."""

    event = record(db_session, actor=None, action="create", entity="x", entity_id=8)
    for sql in (
        "UPDATE audit_events SET summary = 'x' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ):
        nested = db_session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db_session.execute(text(sql), {"id": event.id})
        nested.rollback()


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_read_the_log(role: str, client: FlaskClient, token_for: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for(role)}"}
    api = client.get("/api/v1/audit", headers=headers)
    assert api.status_code == (200 if role == "admin" else 403)
    if role != "admin":
        assert api.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_see_the_page(role: str, client: FlaskClient, login: Any) -> None:
    login(role)
    page = client.get("/admin/audit")
    assert page.status_code == (200 if role == "admin" else 403)


def test_filters_and_paging(client: FlaskClient, token_for: Any, db_session: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for('admin')}"}
    for i in range(5):
        record(db_session, actor=None, action="touch", entity="widget", entity_id=i)
    body = client.get(
        "/api/v1/audit", query_string={"entity": "widget", "per_page": 2}, headers=headers
    ).get_json()
    assert body["total"] == 5 and len(body["items"]) == 2
    assert [e["entity_id"] for e in body["items"]] == ["4", "3"]  # newest first
    one = client.get(
        "/api/v1/audit", query_string={"entity": "widget", "entity_id": "2"}, headers=headers
    ).get_json()
    assert [e["action"] for e in one["items"]] == ["touch"]


def test_bad_filters_are_422_naming_the_field(client: FlaskClient, token_for: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for('admin')}"}
    bad = client.get(
        "/api/v1/audit", query_string={"since": "yesterday", "per_page": 0}, headers=headers
    )
    assert bad.status_code == 422
    assert {"since", "per_page"} <= set(bad.get_json()["error"]["fields"])
    order = client.get(
        "/api/v1/audit",
        query_string={"since": "2026-01-02T00:00:00", "until": "2026-01-01T00:00:00"},
        headers=headers,
    )
    assert order.status_code == 422 and "since" in order.get_json()["error"]["fields"]


def test_page_shows_events(client: FlaskClient, login: Any, db_session: Any) -> None:
    login("admin")
    record(
        db_session,
        actor=None,
        action="touch",
        entity="gadget",
        entity_id="g-1",
        summary="gadget <b>touched</b>",
    )
    page = client.get("/admin/audit?entity=gadget").get_data(as_text=True)
    assert "gadget &lt;b&gt;touched&lt;/b&gt;" in page  # escaped
    assert client.get("/admin/audit?since=nonsense").status_code == 400
