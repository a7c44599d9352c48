"""The office's day, whatever zone the server's clock is kept in."""

from __future__ import annotations

import datetime as dt

import pytest

from lis import clock
from lis.settings import Settings, SettingsError


def test_today_is_the_day_in_the_office_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    now = dt.datetime.now(dt.UTC)
    monkeypatch.setenv("LIS_TIMEZONE", "Etc/GMT+12")
    behind = clock.today()
    monkeypatch.setenv("LIS_TIMEZONE", "Pacific/Kiritimati")
    ahead = clock.today()
    assert behind == (now - dt.timedelta(hours=12)).date()
    assert ahead == (now + dt.timedelta(hours=14)).date()
    assert behind != ahead  # 26 hours apart: never the same day


def test_a_stored_utc_timestamp_falls_on_the_office_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIS_TIMEZONE", raising=False)
    late_evening_utc = dt.datetime(2026, 12, 1, 20, 30)  # 03:30 on 2 December in Ha Noi
    assert clock.local_date(late_evening_utc) == dt.date(2026, 12, 2)
    monkeypatch.setenv("LIS_TIMEZONE", "UTC")
    assert clock.local_date(late_evening_utc) == dt.date(2026, 12, 1)


def test_an_unknown_zone_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIS_TIMEZONE", "Mars/Olympus_Mons")
    with pytest.raises(SettingsError, match="LIS_TIMEZONE"):
        Settings.from_env({"LIS_DEBUG": "1"})
