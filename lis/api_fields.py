"""Marshmallow fields shared by the API schemas."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import fields


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
