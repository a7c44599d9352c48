"""Settings read from `.env` mean the same files whichever directory a command is typed in."""

from __future__ import annotations

from pathlib import Path

import pytest

from lis.settings import PROJECT_ROOT, Settings, SettingsError


def test_relative_paths_are_read_from_the_project_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # a shell somewhere else than the project
    settings = Settings.from_env(
        {
            "LIS_DEBUG": "1",
            "LIS_DATABASE_URL": "sqlite:///instance/lis.db",
            "LIS_INDEX_DIR": "instance/index",
            "LIS_DEMO_CORPUS": "../shared/corpus/vn_legal_docs.sample300.jsonl",
        }
    )
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'instance' / 'lis.db'}"
    assert settings.index_dir == PROJECT_ROOT / "instance" / "index"
    assert (
        settings.demo_corpus
        == PROJECT_ROOT.parent / "shared" / "corpus" / "vn_legal_docs.sample300.jsonl"
    )


def test_absolute_paths_and_server_urls_are_kept(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "LIS_DEBUG": "1",
            "LIS_DATABASE_URL": "postgresql+psycopg://lis:secret@db:5432/lis",
            "LIS_INDEX_DIR": str(tmp_path / "index"),
        }
    )
    assert settings.database_url == "postgresql+psycopg://lis:secret@db:5432/lis"
    assert settings.index_dir == tmp_path / "index"
    memory = Settings.from_env({"LIS_DEBUG": "1", "LIS_DATABASE_URL": "sqlite://"})
    assert memory.database_url == "sqlite://"


@pytest.mark.parametrize("url", ["bogus://x", "not a url"])
def test_a_database_url_sqlalchemy_cannot_use_is_refused(url: str) -> None:
    with pytest.raises(SettingsError, match="LIS_DATABASE_URL"):
        Settings.from_env({"LIS_DEBUG": "1", "LIS_DATABASE_URL": url})
