"""`relations suggest` (registered by lis/cli.py; invoked here directly)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from lis.documents.models import Document
from lis.relations.cli import relations_group
from lis.relations.models import Relation
from tests.relations.conftest import CITED, CITING


def count(session: Any) -> int:
    return session.scalar(select(func.count()).select_from(Relation)) or 0


def test_suggest_one_document_then_nothing_new(
    app: Flask, db_session: Any, citing: Document
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(relations_group, ["suggest", "--doc", CITING])
    assert result.exit_code == 0, result.output
    assert "scanned 1 documents" in result.output
    first = count(db_session)
    assert first > 0
    again = runner.invoke(relations_group, ["suggest", "--doc", CITING])
    assert again.exit_code == 0, again.output
    assert "scanned 1 documents: 0 new suggestions" in again.output
    assert count(db_session) == first
    both = runner.invoke(relations_group, ["suggest", "--doc", CITING, "--doc", CITED])
    assert "scanned 2 documents" in both.output


def test_suggest_all(app: Flask, db_session: Any, citing: Document) -> None:
    result = app.test_cli_runner().invoke(relations_group, ["suggest", "--all"])
    assert result.exit_code == 0, result.output
    total = db_session.scalar(select(func.count()).select_from(Document))
    assert f"scanned {total} documents" in result.output
    assert count(db_session) > 300


def test_suggest_needs_one_choice(app: Flask, db_session: Any) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(relations_group, ["suggest"]).exit_code == 2
    unknown = runner.invoke(relations_group, ["suggest", "--doc", "no-such-doc"])
    assert unknown.exit_code == 1 and "no-such-doc" in unknown.output
