"""Migrations: one head, upgrade and downgrade on an empty database, no drift from the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from lis.app import create_app
from lis.db import Base, db
from lis.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def test_single_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_no_drift_between_models_and_migrations(app: Flask) -> None:
    """The session database was built by `upgrade()`: the models must match it exactly."""
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_upgrade_and_downgrade_on_an_empty_database(tmp_path: Path, app: Flask) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        index_dir=tmp_path / "idx",
        testing=True,
        secret_key="x" * 32,
    )
    session_engine = db.engine
    other = create_app(settings)
    try:
        with other.app_context():
            upgrade()
            from sqlalchemy import inspect

            assert "documents" in inspect(db.engine).get_table_names()
            downgrade(revision="base")
            assert "documents" not in inspect(db.engine).get_table_names()
    finally:
        db.engine.dispose()
        db.engine = session_engine
        db.session_factory.configure(bind=session_engine)
