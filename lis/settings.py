"""Settings, read once from the environment (and `.env`) into a frozen object.

Tests build `Settings(...)` directly so nothing in a test depends on the caller's shell.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import load_dotenv
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from lis import clock

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
DEFAULT_DEMO_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "vn_legal_docs.sample300.jsonl"
SEARCH_BACKENDS = ("embedded", "elasticsearch")
_DEV_SECRET = "dev-only-insecure-secret"  # noqa: S105 - refused outside debug, see validate()


class SettingsError(RuntimeError):
    """A setting is missing or wrong: start-up stops with this message."""


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'lis.db'}"
    search_backend: str = "embedded"
    index_dir: Path = INSTANCE_DIR / "index"
    elasticsearch_url: str | None = None
    secret_key: str = _DEV_SECRET
    demo_corpus: Path | None = DEFAULT_DEMO_CORPUS
    debug: bool = False
    testing: bool = False
    # Outbox rows are drained into the index right after the request that wrote them commits.
    index_after_commit: bool = True
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        if env is None:
            load_dotenv(PROJECT_ROOT / ".env", override=False)
            env = dict(os.environ)
        debug = env.get("LIS_DEBUG", "").lower() in {"1", "true", "yes"}
        demo = env.get("LIS_DEMO_CORPUS")
        index_dir = env.get("LIS_INDEX_DIR")
        settings = cls(
            database_url=project_database_url(env.get("LIS_DATABASE_URL") or cls.database_url),
            search_backend=env.get("LIS_SEARCH_BACKEND") or cls.search_backend,
            index_dir=project_path(index_dir) if index_dir else cls.index_dir,
            elasticsearch_url=env.get("LIS_ELASTICSEARCH_URL") or None,
            secret_key=env.get("LIS_SECRET_KEY") or _DEV_SECRET,
            demo_corpus=project_path(demo) if demo else DEFAULT_DEMO_CORPUS,
            debug=debug,
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        try:
            make_url(self.database_url).get_dialect()
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            raise SettingsError(
                f"LIS_DATABASE_URL is not a database URL SQLAlchemy can use ({exc}); "
                "e.g. sqlite:///instance/lis.db or postgresql+psycopg://user:pass@host/db"
            ) from None
        if self.search_backend not in SEARCH_BACKENDS:
            raise SettingsError(
                f"LIS_SEARCH_BACKEND must be one of {', '.join(SEARCH_BACKENDS)}, "
                f"not {self.search_backend!r}"
            )
        if self.search_backend == "elasticsearch" and not self.elasticsearch_url:
            raise SettingsError("LIS_SEARCH_BACKEND=elasticsearch needs LIS_ELASTICSEARCH_URL")
        try:
            clock.zone()
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        if self.secret_key == _DEV_SECRET and not (self.debug or self.testing):
            raise SettingsError(
                "LIS_SECRET_KEY is not set. Set it to a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))'), "
                "or set LIS_DEBUG=1 on a development machine."
            )

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def project_path(value: str | Path) -> Path:
    """A relative path from `.env` means the same file whichever directory `lis` is typed in.

    `.env` lives in the project directory, so its relative paths are read from there; resolving
    them against the shell's current directory would silently open a new, empty database or
    index when a command is run from elsewhere.
    """
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(os.path.normpath(PROJECT_ROOT / path))


def project_database_url(url: str) -> str:
    """A relative SQLite file in LIS_DATABASE_URL is resolved like `project_path`."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # validate() names the problem
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return url
    if database.startswith("file:") or Path(database).is_absolute():
        return url
    return parsed.set(database=str(project_path(database))).render_as_string(hide_password=False)
