"""Backends behind `search.interface.SearchBackend`, built from plain settings values."""

from __future__ import annotations

from pathlib import Path

from search.interface import SearchBackend


class BackendNotAvailable(ValueError):
    """The configured backend cannot be built: start-up stops with this message."""


def build_backend(
    kind: str, *, index_dir: Path, elasticsearch_url: str | None = None
) -> SearchBackend:
    if kind == "embedded":
        from search.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(index_dir)
    if kind == "elasticsearch":
        if not elasticsearch_url:
            raise BackendNotAvailable(
                "LIS_SEARCH_BACKEND=elasticsearch needs LIS_ELASTICSEARCH_URL "
                "(e.g. http://localhost:9200)"
            )
        from search.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(elasticsearch_url)
    raise BackendNotAvailable(f"unknown search backend {kind!r}")
