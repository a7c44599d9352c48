"""The deployable stack: Dockerfile, .dockerignore, docker-compose.yml and .env.example.

No Docker engine runs here, so these tests check what can be checked without one: the compose
file's services, health checks, start order and settings (against `lis/settings.py`), that no
secret is written into it, the Dockerfile's commands, and, by building the wheel from the same
files the image build sees and running it the way the image's command does (`lis db upgrade`,
then gunicorn on `wsgi:app`), that `pip install .` in the image gets a working app.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

import lis
from lis.settings import PROJECT_ROOT, SEARCH_BACKENDS, Settings

ROOT = Path(__file__).resolve().parent.parent
SITE_PACKAGES = "/usr/local/lib/python3.11/site-packages"  # python:3.11-slim's
VAR = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def lis_settings_read() -> set[str]:
    """Every LIS_* name the application reads from the environment."""
    names: set[str] = set()
    for path in (ROOT / "lis").rglob("*.py"):
        names |= set(re.findall(r"""["'](LIS_[A-Z_]+)["']""", path.read_text(encoding="utf-8")))
    return names - {"LIS_SETTINGS"}  # a Flask config key, not an environment variable


def dotenv_example() -> dict[str, str]:
    out = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            out[name] = value
    return out


def substitute(value: str) -> str:
    """Compose's ${VAR...} interpolation, with a stand-in for each variable."""
    return VAR.sub(lambda m: f"x{m.group(1).lower()}", value)


# --- docker-compose.yml ---------------------------------------------------------------------------
def test_compose_services_health_and_start_order() -> None:
    services = compose()["services"]
    assert set(services) == {"app", "worker", "db", "elasticsearch"}
    assert services["db"]["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "_cluster/health" in " ".join(services["elasticsearch"]["healthcheck"]["test"])
    # The app's health check is the image's (HEALTHCHECK on /healthz); the worker serves no
    # HTTP, so it must not inherit it.
    assert "healthcheck" not in services["app"]
    assert services["worker"]["healthcheck"] == {"disable": True}
    assert services["worker"]["command"] == ["lis", "worker"]
    for name in ("app", "worker"):
        depends = services[name]["depends_on"]
        assert {"db", "elasticsearch"} <= set(depends)
        assert all(d["condition"] == "service_healthy" for d in depends.values()), name
    # The worker starts once the app is healthy, i.e. after the app ran `lis db upgrade`.
    assert "app" in services["worker"]["depends_on"]
    for name, service in services.items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond this host"
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]
    assert set(compose()["volumes"]) == {"pgdata", "esdata"}


def test_compose_elasticsearch_single_node() -> None:
    es = compose()["services"]["elasticsearch"]
    image, _, tag = es["image"].rpartition(":")
    assert image == "docker.elastic.co/elasticsearch/elasticsearch"
    # The server's major is the client's: pyproject pins elasticsearch>=8.x,<9.
    client = next(d for d in pyproject()["project"]["dependencies"] if d.startswith("elastic"))
    upper = int(re.search(r"<\s*(\d+)", client).group(1))  # type: ignore[union-attr]
    assert int(tag.split(".")[0]) == upper - 1
    env = es["environment"]
    assert env["discovery.type"] == "single-node"
    heap = env["ES_JAVA_OPTS"].split()
    assert sorted(heap) == ["-Xms1g", "-Xmx1g"]  # min = max: no heap resizing pauses
    assert env["xpack.security.enabled"] == "false"
    assert es["ulimits"]["memlock"] == {"soft": -1, "hard": -1}
    assert env["bootstrap.memory_lock"] == "true"
    assert any(v.endswith(":/usr/share/elasticsearch/data") for v in es["volumes"])
    # Security is off on purpose, and the file says why and how to turn it on.
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "internal network" in text and "LIS_ELASTICSEARCH_URL=https://" in text


def test_compose_settings_match_lis_settings() -> None:
    services = compose()["services"]
    known = lis_settings_read()
    example = dotenv_example()
    for name in ("app", "worker"):
        env = services[name]["environment"]
        lis_vars = {k for k in env if k.startswith("LIS_")}
        assert lis_vars <= known, f"{name} sets settings LIS does not read: {lis_vars - known}"
        assert lis_vars <= set(example), ".env.example must list every setting"
        assert env["LIS_SEARCH_BACKEND"] == "elasticsearch" and "elasticsearch" in SEARCH_BACKENDS
        assert env["LIS_ELASTICSEARCH_URL"] == "http://elasticsearch:9200"
        # What the containers get is a valid production configuration for lis/settings.py.
        settings = Settings.from_env({k: substitute(str(v)) for k, v in env.items()})
        assert settings.database_url.startswith("postgresql+psycopg://lis:")
        assert settings.search_backend == "elasticsearch" and not settings.debug
    # Every variable compose interpolates is documented in .env.example.
    used = set(VAR.findall((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))
    used -= {"ELASTIC_PASSWORD"}  # only in the comment on turning security on
    assert used <= set(example), used - set(example)
    # And every LIS_* name in .env.example is one LIS reads.
    assert {k for k in example if k.startswith("LIS_")} <= known


def test_compose_hard_codes_no_secret() -> None:
    services = compose()["services"]
    secrets = {
        "app": ["LIS_SECRET_KEY"],
        "worker": ["LIS_SECRET_KEY"],
        "db": ["POSTGRES_PASSWORD"],
    }
    for name, keys in secrets.items():
        for key in keys:
            value = services[name]["environment"][key]
            # Required from .env: compose refuses to start when it is unset or empty.
            assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", value), f"{name}.{key} = {value!r}"
    for name in ("app", "worker"):
        url = services[name]["environment"]["LIS_DATABASE_URL"]
        password = re.search(r"://[^:/@]+:(.+)@", url).group(1)  # type: ignore[union-attr]
        assert password.startswith("${POSTGRES_PASSWORD:?"), url
    # .env.example leaves the secrets empty.
    example = dotenv_example()
    assert example["LIS_SECRET_KEY"] == "" and example["POSTGRES_PASSWORD"] == ""


# --- Dockerfile and .dockerignore -----------------------------------------------------------------
def test_dockerfile_commands() -> None:
    text = dockerfile()
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    assert froms and all(f == "python:3.11-slim" for f in froms)
    assert pyproject()["project"]["requires-python"] == ">=3.11,<3.12"
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in {"root", "0"}
    assert re.search(r"^EXPOSE 8000$", text, re.M)
    healthcheck = re.search(r"^HEALTHCHECK (?:[^\n]*\\\n)*[^\n]*", text, re.M)
    assert healthcheck and "http://127.0.0.1:8000/healthz" in healthcheck.group(0)
    cmd = re.search(r"^CMD (.*)$", text, re.M).group(1)  # type: ignore[union-attr]
    assert "lis db upgrade && exec gunicorn -k gthread" in cmd and cmd.endswith('wsgi:app"]')
    assert "${WEB_CONCURRENCY}" in cmd and "${GUNICORN_THREADS}" in cmd
    assert "pybabel compile" in text and "pip wheel --no-deps" in text
    # The commands it names exist: the console script, the WSGI module and its `app`.
    assert pyproject()["project"]["scripts"]["lis"] == "lis.cli:main"
    assert re.search(r"^app = create_app\(\)$", (ROOT / "wsgi.py").read_text(), re.M)
    for source in re.findall(r"^COPY (?!--from)(\S+) ", text, re.M):
        if source != ".":
            assert (ROOT / source).exists(), source


def test_dockerfile_puts_migrations_where_lis_looks() -> None:
    """`lis db upgrade` reads PROJECT_ROOT / "migrations", and PROJECT_ROOT is the directory
    holding the `lis` package: site-packages once the wheel is installed."""
    assert Path(lis.__file__).resolve().parent.parent == PROJECT_ROOT
    assert 'directory=str(PROJECT_ROOT / "migrations")' in (ROOT / "lis/app.py").read_text()
    assert f"COPY migrations/ {SITE_PACKAGES}/migrations/" in dockerfile()


def ignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(rel: str, patterns: list[str]) -> bool:
    """Docker's matching, enough for our file: a path is out when it or a parent matches."""
    parts = rel.split("/")
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        for pat in patterns:
            if fnmatch.fnmatchcase(prefix, pat) or (
                pat.startswith("**/") and fnmatch.fnmatchcase(prefix.split("/")[-1], pat[3:])
            ):
                return True
    return False


def test_dockerignore() -> None:
    patterns = ignore_patterns()
    for path in (".venv", "instance", ".env", ".git", "bench/out", "lis/__pycache__/x.pyc"):
        assert ignored(path, patterns), path
    for path in ("pyproject.toml", "README.md", "wsgi.py", "migrations/env.py", "lis/app.py"):
        assert not ignored(path, patterns), path


# --- the image's contents, without Docker -------------------------------------------------------
def build_context(dest: Path) -> None:
    """Copy what `docker build` sends (the repository minus .dockerignore)."""
    patterns = ignore_patterns()
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel_dir = Path(dirpath).relative_to(ROOT).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = [d for d in dirnames if not ignored(rel_dir + d, patterns)]
        for name in filenames:
            if not ignored(rel_dir + name, patterns):
                target = dest / rel_dir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(dirpath) / name, target)


def run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - our own test server
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


@pytest.mark.slow
def test_wheel_has_everything_and_runs_like_the_image(tmp_path: Path) -> None:
    # The build stage: the context, translations compiled, the wheel.
    src = tmp_path / "src"
    build_context(src)
    run(sys.executable, "-m", "babel.messages.frontend", "compile", "--use-fuzzy",
        "-d", "lis/translations", "-D", "messages", cwd=src)  # fmt: skip
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(tmp_path / "w"),
        "--quiet", ".", cwd=src)  # fmt: skip
    (wheel,) = (tmp_path / "w").glob("lis-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in ("lis", "search"):
        sources = {
            p.relative_to(ROOT).as_posix()
            for p in (ROOT / package).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".mo"
        }
        assert sources <= names, sorted(sources - names)[:10]
    for wanted in (
        "lis/templates/base.html",
        "lis/static/lis.css",
        "lis/translations/vi/LC_MESSAGES/messages.po",
        "lis/translations/vi/LC_MESSAGES/messages.mo",
        "lis/drafts/data/stage_machines.json",
        "lis/reference/data/units.json",
    ):
        assert wanted in names, wanted
    assert any(n.startswith("lis/reference/data/") and n.endswith(".json") for n in names)

    # The run stage: the wheel installed, the migrations next to it, wsgi.py in the workdir.
    site = tmp_path / "site"
    run(sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site),
        str(wheel))  # fmt: skip
    shutil.copytree(ROOT / "migrations", site / "migrations")
    workdir = tmp_path / "app"
    workdir.mkdir()
    shutil.copy2(ROOT / "wsgi.py", workdir / "wsgi.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIS_")}
    env |= {
        "PYTHONPATH": str(site),  # the installed copy, not this checkout
        "LIS_DATABASE_URL": f"sqlite:///{tmp_path / 'instance' / 'lis.db'}",
        "LIS_INDEX_DIR": str(tmp_path / "instance" / "index"),
        "LIS_SECRET_KEY": "deploy-test-secret-0123456789abcdef",
        "LIS_DEBUG": "0",
    }
    where = run(sys.executable, "-c", "import lis; print(lis.__file__)", env=env, cwd=workdir)
    assert where.stdout.strip() == str(site / "lis" / "__init__.py")
    run(sys.executable, "-m", "lis", "db", "upgrade", env=env, cwd=workdir)
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(gunicorn), "-k", "gthread", "--workers", "2", "--threads", "2",
         "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        assert (status, json.loads(body)) == (
            200,
            {"status": "ok", "database": "ok", "search": "ok"},
        )
        assert get(f"{base}/static/lis.css")[0] == 200
        status, page = get(f"{base}/login")
        assert status == 200 and "Đăng nhập" in page  # the compiled catalogue is in the wheel
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
