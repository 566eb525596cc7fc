"""Plant time: a time typed without an offset is the plant's wall clock, across DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderforge.domain.errors import InvalidInput
from orderforge.plant.domain import Calendar, PlantSettings
from orderforge.plant.ports import PLANT
from orderforge.services import plant_time
from tests.unit.fakes import FakeUnitOfWork

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def _calendar(code: str, zone: str) -> Calendar:
    return Calendar(code=code, name=code, timezone=zone, shifts=[])


def test_the_zone_is_the_settings_then_the_calendars_one_zone_then_utc() -> None:
    uow = FakeUnitOfWork()
    plant = uow.repository(PLANT)
    assert plant_time.plant_zone(uow).key == "UTC"  # nothing known about the plant
    plant.save_calendar(_calendar("DAY", "Europe/Berlin"))
    plant.save_calendar(_calendar("CURE", "Europe/Berlin"))
    assert plant_time.plant_zone(uow) == BERLIN
    plant.save_calendar(_calendar("US", "America/New_York"))
    assert plant_time.plant_zone(uow).key == "UTC"  # no single local clock
    plant.save_settings(PlantSettings(name="Plant", timezone="America/New_York"))
    assert plant_time.plant_zone(uow) == NEW_YORK


def test_a_time_without_offset_is_plant_time_and_one_with_offset_means_that() -> None:
    uow = FakeUnitOfWork()
    uow.repository(PLANT).save_settings(PlantSettings(name="Plant", timezone="Europe/Berlin"))
    winter = plant_time.resolve(uow, dt.datetime(2026, 11, 26, 6, 0), "start")
    assert winter == dt.datetime(2026, 11, 26, 5, 0, tzinfo=dt.UTC)
    assert winter.utcoffset() == dt.timedelta(0)  # stored as UTC, like every domain time
    summer = plant_time.resolve(uow, dt.datetime(2026, 7, 1, 6, 0), "start")
    assert summer == dt.datetime(2026, 7, 1, 4, 0, tzinfo=dt.UTC)
    given_z = plant_time.parse_moment("2026-11-26T06:00Z", "start")
    assert plant_time.resolve(uow, given_z, "start") == dt.datetime(2026, 11, 26, 6, tzinfo=dt.UTC)
    given_offset = plant_time.parse_moment("2026-11-26T06:00-05:00", "start")
    assert plant_time.resolve(uow, given_offset, "start").hour == 11


def test_a_time_the_spring_change_skips_is_refused_with_a_sentence() -> None:
    with pytest.raises(InvalidInput) as refused:  # 2027-03-28: 02:00 -> 03:00 in Berlin
        plant_time.in_zone(dt.datetime(2027, 3, 28, 2, 30), BERLIN, "start")
    assert refused.value.field == "start"
    assert "2027-03-28 02:30 does not exist in Europe/Berlin" in refused.value.message
    assert "jump forward" in refused.value.message
    just_after = plant_time.in_zone(dt.datetime(2027, 3, 28, 3, 0), BERLIN, "start")
    assert just_after == dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC)


def test_a_time_the_autumn_change_repeats_is_the_first_one() -> None:
    # 2026-10-25 in Berlin: 03:00 summer time becomes 02:00 winter time; 02:30 happens twice.
    first = plant_time.in_zone(dt.datetime(2026, 10, 25, 2, 30), BERLIN, "start")
    assert first == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # still summer (+02:00)
    second = plant_time.in_zone(
        plant_time.parse_moment("2026-10-25T02:30+01:00", "start"), BERLIN, "start"
    )
    assert second - first == dt.timedelta(hours=1)  # the offset picks the second


@given(
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31)),
    st.sampled_from([BERLIN, NEW_YORK, ZoneInfo("Australia/Sydney"), ZoneInfo("UTC")]),
)
def test_plant_time_round_trips_or_is_refused_only_in_a_gap(
    moment: dt.datetime, zone: ZoneInfo
) -> None:
    """Every wall-clock time maps to an instant showing that wall clock again, unless the
    spring change skips it (then the clock reads differently at every instant near it)."""
    moment = moment.replace(second=0, microsecond=0)
    try:
        instant = plant_time.in_zone(moment, zone, "start")
    except InvalidInput:
        for fold in (0, 1):  # a gap: no reading of the wall clock comes back to it
            again = moment.replace(tzinfo=zone, fold=fold).astimezone(dt.UTC).astimezone(zone)
            assert again.replace(tzinfo=None) != moment
        return
    assert instant.tzinfo is dt.UTC
    assert instant.astimezone(zone).replace(tzinfo=None) == moment
    assert plant_time.show(instant, zone) == moment.strftime("%Y-%m-%d %H:%M")


def test_show_reads_stored_text_in_plant_time_with_the_zone_name() -> None:
    assert plant_time.show("2026-11-26T05:00:00+00:00", BERLIN) == "2026-11-26 06:00"
    text = plant_time.show(dt.datetime(2026, 7, 1, 4, 0, tzinfo=dt.UTC), BERLIN, with_zone=True)
    assert text == "2026-07-01 06:00 Europe/Berlin"
    assert plant_time.show(None, BERLIN) == "-"


def test_a_time_that_is_no_time_names_the_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        plant_time.parse_moment("tomorrow at six", "not_before")
    assert refused.value.field == "not_before"
    assert "like 2026-11-26T06:00" in refused.value.message
    assert plant_time.parse_moment(" 2026-11-26T06:00 ", "x").tzinfo is None
