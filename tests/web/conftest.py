"""The web pages need the compiled Vietnamese catalogue (`make translations` does it; *.mo files
are not committed). Compile it here when it is missing or older than its .po, before any test
runs, so that `pytest tests/web` works on a fresh checkout too."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "lis" / "translations"


def compile_catalogues() -> None:
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=True)


def pytest_configure(config: pytest.Config) -> None:
    compile_catalogues()
