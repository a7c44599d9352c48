"""Marshmallow fields and argument schemas shared by the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lis.documents.search import MAX_WINDOW


def no_nul(value: str) -> None:
    """PostgreSQL text cannot hold NUL: refuse it here rather than fail in the driver."""
    if "\x00" in value:
        raise ValidationError("must not contain NUL characters")


class UtcDateTime(fields.DateTime):
    """Times are stored as naive UTC. Out, they carry their offset (RFC 3339 needs one); in, an
    offset is honoured and the time converted to naive UTC, so it compares with stored times."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is not None:
            result = result.astimezone(dt.UTC).replace(tzinfo=None)
        return result


class PagedArgsSchema(Schema):
    """`page` and `per_page` of a list endpoint, kept within the window any list may page to."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_WINDOW))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

    @validates_schema
    def _window(self, data: dict[str, Any], **_kw: Any) -> None:
        if data.get("page", 1) * data.get("per_page", 50) > MAX_WINDOW:
            raise ValidationError(f"page × per_page must stay within {MAX_WINDOW}", "page")
