"""The `lis` command: users, tokens and search as scripts use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from flask import Flask

from tests.conftest import need_sample

ROOT = Path(__file__).resolve().parent.parent


def test_users_create_validates(app: Flask, db_session: Any) -> None:
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=["users", "create", "--email", "a@b.vn", "--role", "staff"],
        env={"LIS_PASSWORD": "short"},
    )
    assert short.exit_code != 0 and "password" in short.output
    bad_role = runner.invoke(
        args=["users", "create", "--email", "a@b.vn", "--role", "king"],
        env={"LIS_PASSWORD": "long enough pass"},
    )
    assert bad_role.exit_code != 0 and "king" in bad_role.output
    ok = runner.invoke(
        args=["users", "create", "--email", "a@b.vn", "--role", "staff"],
        env={"LIS_PASSWORD": "long enough pass"},
    )
    assert ok.exit_code == 0, ok.output
    dup = runner.invoke(
        args=["users", "create", "--email", "A@B.vn", "--role", "staff"],
        env={"LIS_PASSWORD": "long enough pass"},
    )
    assert dup.exit_code != 0 and "already exists" in dup.output


def test_token_works_for_the_api(app: Flask, db_session: Any, make_user: Any) -> None:
    user = make_user("deputy")
    result = app.test_cli_runner().invoke(args=["users", "token", "--email", user.email])
    assert result.exit_code == 0
    token = result.output.strip()
    resp = app.test_client().get(
        "/api/v1/search?q=luat", headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status_code == 200
    unknown = app.test_cli_runner().invoke(args=["users", "token", "--email", "no@one.vn"])
    assert unknown.exit_code != 0 and "no user" in unknown.output


def test_search_query_json(app: Flask, db_session: Any) -> None:
    need_sample()
    result = app.test_cli_runner().invoke(
        args=["search", "query", "bat giu tau bay", "--json", "--limit", "3"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["total"] > 0 and len(out["hits"]) <= 3
    assert set(out["hits"][0]) == {"id", "number", "title", "kind", "score", "highlights"}
    assert out["hits"][0]["id"] == "phapdien-37087"
    filtered = app.test_cli_runner().invoke(
        args=["search", "query", "luat", "--kind", "ordinance", "--year", "2010", "--json"]
    )
    hits = json.loads(filtered.output)["hits"]
    assert hits and all(h["kind"] == "ordinance" for h in hits)


def test_search_query_bad_input(app: Flask, db_session: Any) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["search", "query", "x", "--kind", "nope"]).exit_code == 2
    assert runner.invoke(args=["search", "query", "x", "--limit", "0"]).exit_code == 2
    long = runner.invoke(args=["search", "query", "x" * 600])
    assert long.exit_code == 1 and "longer than 500" in long.output


def test_sync_and_reindex(app: Flask, db_session: Any) -> None:
    runner = app.test_cli_runner()
    sync = runner.invoke(args=["search", "sync"])
    assert sync.exit_code == 0 and "0 waiting" in sync.output
    reindex = runner.invoke(args=["search", "reindex"])
    assert reindex.exit_code == 0, reindex.output
    assert "reindexed" in reindex.output


def run_lis(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """The console script in a clean environment: only the LIS_* settings given here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIS_")}
    env["LIS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    env.update(settings)
    return subprocess.run(
        [sys.executable, "-m", "lis", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_console_script_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    # LIS_DEBUG given, so that a developer's .env (which `make run` writes) does not set it.
    proc = run_lis(tmp_path, "search", "sync", LIS_SECRET_KEY="", LIS_DEBUG="0")
    assert proc.returncode == 2
    assert "LIS_SECRET_KEY is not set" in proc.stderr and "Traceback" not in proc.stderr


def test_elasticsearch_without_its_url_is_refused_with_a_message(tmp_path: Path) -> None:
    proc = run_lis(
        tmp_path,
        "search",
        "sync",
        LIS_DEBUG="1",
        LIS_SEARCH_BACKEND="elasticsearch",
        LIS_ELASTICSEARCH_URL="",
    )
    assert proc.returncode == 2
    assert "LIS_ELASTICSEARCH_URL" in proc.stderr and "Traceback" not in proc.stderr


def test_an_unmigrated_database_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    proc = run_lis(tmp_path, "search", "sync", LIS_DEBUG="1")
    assert proc.returncode == 2
    assert "lis db upgrade" in proc.stderr and "Traceback" not in proc.stderr


def test_a_database_url_sqlalchemy_cannot_use_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    proc = run_lis(tmp_path, "search", "sync", LIS_DEBUG="1", LIS_DATABASE_URL="bogus://x")
    assert proc.returncode == 2
    assert "LIS_DATABASE_URL" in proc.stderr and "Traceback" not in proc.stderr
