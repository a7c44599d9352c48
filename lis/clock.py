"""The office's calendar: which day it is where the parliament sits.

Timestamps are stored in UTC, but due dates, delivery dates and "overdue" are
days in the office's own time zone (`LIS_TIMEZONE`, Viet Nam by default).
Asking the machine's clock instead would roll the day over at 07:00 in Ha Noi
on a server kept in UTC, and every comparison of a stored timestamp with a
date goes through `local_date` for the same reason.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"LIS_TIMEZONE={name!r} is not a known time zone") from exc


def zone() -> ZoneInfo:
    return _zone(os.environ.get("LIS_TIMEZONE") or DEFAULT_TIMEZONE)


def today() -> dt.date:
    return dt.datetime.now(zone()).date()


def local_date(utc_naive: dt.datetime) -> dt.date:
    """The office's day of a naive UTC timestamp as the database stores it."""
    return utc_naive.replace(tzinfo=dt.UTC).astimezone(zone()).date()
