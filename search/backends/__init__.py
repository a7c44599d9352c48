"""Backends behind `search.interface.SearchBackend`, built from plain settings values."""

from __future__ import annotations

from pathlib import Path

from search.interface import SearchBackend


def build_backend(
    kind: str, *, index_dir: Path, elasticsearch_url: str | None = None
) -> SearchBackend:
    if kind == "embedded":
        from search.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(index_dir)
    if kind == "elasticsearch":
        raise NotImplementedError(
            "The Elasticsearch backend is not built yet; use LIS_SEARCH_BACKEND=embedded"
        )
    raise ValueError(f"unknown search backend {kind!r}")
