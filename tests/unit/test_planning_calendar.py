"""Plant calendars become the engine's working minutes correctly (local time, breaks,
holidays, daylight saving, round-the-clock)."""

from __future__ import annotations

import datetime as dt

from orderforge.plant.domain import Calendar, Shift
from orderforge.services.planning import working_intervals

T = dt.time
START = dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC)  # a Monday, Berlin is UTC+1


def day_shift(holidays: list[dt.date] | None = None) -> Calendar:
    return Calendar(
        code="DAY",
        name="Day",
        timezone="Europe/Berlin",
        shifts=[Shift("Day", (1, 2, 3, 4, 5), T(7), T(16), ((T(12), T(12, 30)),))],
        closed_days=holidays or [],
    )


def test_shift_minus_break_in_local_time() -> None:
    intervals = working_intervals(day_shift(), START, days=1)
    # 07:00 Berlin = 06:00 UTC = minute 360; break 12:00-12:30 local; end 16:00 local.
    assert intervals == [(360, 660), (690, 900)]


def test_weekends_and_holidays_are_closed() -> None:
    week = working_intervals(day_shift(holidays=[dt.date(2026, 12, 8)]), START, days=7)
    days_open = sorted({lo // 1440 for lo, _ in week})
    assert days_open == [0, 2, 3, 4]  # Tuesday is a holiday; Saturday and Sunday closed
    assert sum(hi - lo for lo, hi in week) == 4 * (9 * 60 - 30)


def test_summer_time_moves_the_shift_in_utc() -> None:
    spring = dt.datetime(2027, 3, 26, 0, 0, tzinfo=dt.UTC)  # a Friday; clocks change Sunday
    intervals = working_intervals(day_shift(), spring, days=4)
    friday = intervals[0][0]
    monday = min(lo for lo, _ in intervals if lo >= 3 * 1440)
    assert friday == 6 * 60  # 07:00 CET = 06:00 UTC
    assert monday == 3 * 1440 + 5 * 60  # 07:00 CEST = 05:00 UTC


def test_round_the_clock_calendar_is_one_interval() -> None:
    always = Calendar(
        code="DRY",
        name="Drying",
        timezone="Europe/Berlin",
        shifts=[Shift("Curing", (1, 2, 3, 4, 5, 6, 7), T(0), T(0))],
    )
    assert working_intervals(always, START, days=14) == [(0, 14 * 1440)]
