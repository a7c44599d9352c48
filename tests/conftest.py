"""Test set-up: one database per test session, migrated with Alembic, the 300-document sample
imported and indexed once, and a savepoint per test so each test starts from the same state.

Set LIS_TEST_DATABASE_URL to run the same suite on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import event, select, text

from lis.app import create_app
from lis.auth import identity
from lis.auth import services as auth_services
from lis.db import db
from lis.documents.models import Document
from lis.indexing.models import OutboxEntry
from lis.settings import Settings
from tests.factories import TEST_PASSWORD, PersonFactory, UserFactory, unit_by_code

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
SAMPLE = CORPUS_DIR / "vn_legal_docs.sample300.jsonl"
FULL = CORPUS_DIR / "vn_legal_docs.jsonl.gz"


def need_sample() -> Path:
    if not SAMPLE.exists():
        pytest.skip(f"the shared corpus is not beside the repository ({SAMPLE} is missing)")
    return SAMPLE


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    base = tmp_path_factory.mktemp("lis")
    url = os.environ.get("LIS_TEST_DATABASE_URL") or f"sqlite:///{base / 'test.db'}"
    if url.startswith("postgresql"):
        _reset_postgres(url)
    return Settings(
        database_url=url,
        index_dir=base / "index",
        secret_key="test-secret-key-not-for-production",
        testing=True,
        demo_corpus=SAMPLE if SAMPLE.exists() else None,
        extra={"csrf": False},
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    from flask_migrate import upgrade

    app = create_app(settings)
    with app.app_context():
        upgrade()
        seeded = app.test_cli_runner().invoke(args=["seed", "reference"])
        assert seeded.exit_code == 0, seeded.output
        if SAMPLE.exists():
            result = app.test_cli_runner().invoke(args=["import", "documents", str(SAMPLE)])
            assert result.exit_code == 0, result.output
        db.remove()
    yield app
    db.engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[object]:
    """Everything a test writes is rolled back: the session joins an outer transaction and
    each commit inside the app only releases a savepoint. The search index cannot roll back, so
    the documents the test queued for indexing are indexed again as the database holds them
    after the rollback: the next test finds the index as the session began."""
    touched: set[str] = set()

    def remember(_mapper: Any, _connection: Any, row: OutboxEntry) -> None:
        touched.add(row.external_id)

    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        db.session.remove()
        db.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")
        event.listen(OutboxEntry, "after_insert", remember)
        try:
            yield db.session()
        finally:
            event.remove(OutboxEntry, "after_insert", remember)
            identity.forget()  # ids of rolled-back users are reused by the next test
            db.session.remove()
            outer.rollback()
            connection.close()
            db.session_factory.configure(
                bind=db.engine, join_transaction_mode="conditional_savepoint"
            )
            if touched:
                _restore_index(touched)


def _restore_index(external_ids: set[str]) -> None:
    """Put these documents back in the index as the database holds them (or out of it)."""
    from lis.indexing.services import advisers_by_document, to_search_document
    from lis.search_backend import get_backend

    session = db.session()
    try:
        docs = session.scalars(select(Document).where(Document.external_id.in_(external_ids))).all()
        advisers = advisers_by_document(session, [d.id for d in docs])
        with get_backend().bulk() as bulk:
            gone = sorted(external_ids - {d.external_id for d in docs})
            if gone:
                bulk.delete(gone)
            if docs:
                bulk.add(to_search_document(d, advisers.get(d.id, ())) for d in docs)
    finally:
        db.session.remove()


class FreshGlobalsClient(FlaskClient):
    """The test keeps one app context open (so its session, and what it flushed, survives
    requests); each request still starts with an empty `g`, as it would in production."""

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask, db_session: object) -> FlaskClient:
    app.test_client_class = FreshGlobalsClient
    return app.test_client()


@pytest.fixture
def make_user(db_session: object):  # type: ignore[no-untyped-def]
    def make(*roles: str, **kw: object):  # type: ignore[no-untyped-def]
        return UserFactory(roles=list(roles) or ["deputy"], **kw)

    return make


@pytest.fixture
def make_member(make_user):  # type: ignore[no-untyped-def]
    """A user with the given roles whose person belongs to the unit with code `unit`."""

    def make(*roles: str, unit: str = "UB-PLTP-V", **kw: object):  # type: ignore[no-untyped-def]
        user = make_user(*roles, **kw)
        PersonFactory(name=user.name, email=user.email, user=user, unit=unit_by_code(unit))
        return user

    return make


@pytest.fixture
def login(client: FlaskClient, make_user, make_member):  # type: ignore[no-untyped-def]
    """Log the test client in through the real form, as a new user with the given roles (a
    member of the unit with code `unit` when given), or as `user`."""

    def do(*roles: str, unit: str | None = None, user: Any = None):  # type: ignore[no-untyped-def]
        if user is None:
            user = make_member(*roles, unit=unit) if unit else make_user(*roles)
        resp = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert resp.status_code == 302, resp.get_data(as_text=True)
        return user

    return do


@pytest.fixture
def token_for(db_session: object, make_user, make_member):  # type: ignore[no-untyped-def]
    """An API bearer token for a new user with the given roles (a member of the unit with code
    `unit` when given), or for `user`."""

    def make(*roles: str, unit: str | None = None, user: Any = None) -> str:
        if user is None:
            user = make_member(*roles, unit=unit) if unit else make_user(*roles)
        return auth_services.issue_token(db.session(), user.email)

    return make


@pytest.fixture
def api(client: FlaskClient, token_for):  # type: ignore[no-untyped-def]
    """GET helper for the JSON API with a deputy's token."""
    token = token_for("deputy")

    def get(path: str, **params: object):  # type: ignore[no-untyped-def]
        return client.get(path, query_string=params, headers={"Authorization": f"Bearer {token}"})

    return get
