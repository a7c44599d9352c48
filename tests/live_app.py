"""The app served as `make run` serves it, for the browser tests: a subprocess on its own fresh
SQLite database and index, set up by the `lis` commands (and seed scripts) each test module
names, then `flask run` on a free loopback port until the module is done."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def app_env(base: Path, **extra: str) -> dict[str, str]:
    """The environment of a served app whose data lives under `base`."""
    return {
        **os.environ,
        "LIS_DATABASE_URL": f"sqlite:///{base / 'lis.db'}",
        "LIS_INDEX_DIR": str(base / "index"),
        "LIS_DEBUG": "1",
        "LIS_SEARCH_BACKEND": "embedded",
        **extra,
    }


def set_up(env: dict[str, str], *commands: Sequence[str]) -> list[str]:
    """Run each command in the app's environment; their outputs, for seeds that print ids."""
    outputs = []
    for command in commands:
        done = subprocess.run(
            list(command),
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        outputs.append(done.stdout)
    return outputs


def lis(*args: str) -> list[str]:
    return [str(BIN / "lis"), *args]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2) as resp:  # noqa: S310
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url}/login did not answer within {timeout} s")


@contextmanager
def served(base: Path, env: dict[str, str]) -> Iterator[str]:
    """The app's URL while it runs; its log is `base/server.log`."""
    port = _free_port()
    with (base / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [
                str(BIN / "flask"),
                "--app",
                "lis.app",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_up(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
