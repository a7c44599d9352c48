"""URL converters: `<int:…>` in our routes stops at the largest id the database can hold.

PostgreSQL's integer is 32-bit; a larger number in a URL would otherwise reach the query and
fail there (a 500) instead of being the 404 it is.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1


class DatabaseIntegerConverter(IntegerConverter):
    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def install(url_map: Any) -> None:
    """Before any route is added: every `<int:…>` then uses the bounded converter."""
    url_map.converters["int"] = DatabaseIntegerConverter
