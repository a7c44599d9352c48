"""Database plumbing: the declarative base, the engine and the one session per app context.

We use plain SQLAlchemy 2 rather than Flask-SQLAlchemy so that tests can bind the session to an
outer transaction with a savepoint per test (SQLAlchemy's documented recipe).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any

from sqlalchemy import JSON, DateTime, MetaData, Select, create_engine, event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    Session,
    mapped_column,
    scoped_session,
    sessionmaker,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}  # noqa: RUF012


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[
    dt.datetime, mapped_column(DateTime, default=utcnow, server_default=func.now())
]
updated_at = Annotated[
    dt.datetime,
    mapped_column(DateTime, default=utcnow, onupdate=utcnow, server_default=func.now()),
]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite opens its own transactions late (at the first write), which breaks SAVEPOINT and
    # lets reads run outside a transaction; SQLAlchemy's documented fix is to switch that off and
    # emit BEGIN ourselves (see `_sqlite_begin`).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# Set for the work of a request that writes (see `lis.app`): its SQLite transactions begin
# IMMEDIATE. A deferred transaction that read first and writes later cannot wait for another
# writer in WAL mode: SQLite refuses it at once ("database is locked") whenever a write committed
# since its read began, busy_timeout or not. Taking the write lock at BEGIN makes concurrent
# writers queue (up to busy_timeout) instead; read-only requests stay deferred and never wait.
sqlite_writes: ContextVar[bool] = ContextVar("sqlite_writes", default=False)


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_writes.get() else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            # A fresh clone has no instance/ directory yet.
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """What Flask-Migrate and the app need: metadata, an engine and a scoped session."""

    metadata = Base.metadata

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session_factory = sessionmaker(expire_on_commit=False)
        self.session = scoped_session(self.session_factory)

    def init_engine(self, url: str) -> Engine:
        self.engine = make_engine(url)
        self.session_factory.configure(bind=self.engine)
        return self.engine

    def remove(self, _exc: BaseException | None = None) -> None:
        self.session.remove()


db = Database()


def page_of(session: Session, stmt: Select[Any], page: int, per_page: int) -> tuple[int, list[Any]]:
    """(total, the rows of page `page`) for an ordered select: the list endpoints' one shape."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)))
    return total, rows


@contextmanager
def transaction(session: Session | None = None) -> Iterator[Session]:
    """The one place that commits: a request, a CLI command or a job wraps its work in this."""
    session = session or db.session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
