"""Plant master data rules: calendars (holidays by country, closures), work centres,
items, pricing policy, and the plant file reader (every problem named by its path)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.domain.errors import InvalidInput
from orderforge.plant.document import PlantFileInvalid, read_plant, write_plant
from orderforge.plant.domain import (
    Calendar,
    Closure,
    Component,
    ComponentStatus,
    PlantSettings,
    PricingPolicy,
    PricingRule,
    Shift,
    WorkCentre,
    WorkCentreKind,
)
from orderforge.services.planning import working_intervals

T = dt.time
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "plant.yaml"
WEEKDAYS = (1, 2, 3, 4, 5)


def calendar(**fields: Any) -> Calendar:
    base: dict[str, Any] = {
        "code": "DAY",
        "name": "Day",
        "timezone": "Europe/Berlin",
        "shifts": [Shift("Day", WEEKDAYS, T(7), T(16), ((T(12), T(12, 30)),))],
    }
    return Calendar(**{**base, **fields})


def example() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    return document


# -- calendars ---------------------------------------------------------------------------


def test_holidays_follow_the_country_and_subdivision() -> None:
    year = (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    bavaria = calendar(country="DE", subdivision="BY").closed_days_between(*year)
    schleswig = calendar(country="DE", subdivision="SH").closed_days_between(*year)
    zurich = calendar(country="CH", subdivision="ZH").closed_days_between(*year)
    assert dt.date(2027, 1, 6) in bavaria and dt.date(2027, 1, 6) not in schleswig  # Epiphany
    assert dt.date(2027, 10, 3) in bavaria and dt.date(2027, 10, 3) in schleswig
    assert dt.date(2027, 8, 1) in zurich and dt.date(2027, 10, 3) not in zurich
    assert calendar().closed_days_between(*year) == {}  # no country: no public holidays


def test_holidays_roll_with_any_horizon() -> None:
    far = calendar(country="DE").closed_days_between(dt.date(2040, 12, 20), dt.date(2041, 1, 2))
    assert set(far) == {dt.date(2040, 12, 25), dt.date(2040, 12, 26), dt.date(2041, 1, 1)}


def test_closures_and_extra_days_are_closed_with_their_reason() -> None:
    cal = calendar(
        closures=[Closure(dt.date(2026, 12, 23), dt.date(2027, 1, 2), "Christmas shutdown")],
        closed_days=[dt.date(2027, 3, 5)],
    )
    closed = cal.closed_days_between(dt.date(2026, 12, 30), dt.date(2027, 12, 31))
    assert closed[dt.date(2026, 12, 30)] == "Christmas shutdown"
    assert dt.date(2026, 12, 29) not in closed  # clipped to the range asked
    assert len([d for d in closed if d.year == 2027 and d.month == 1]) == 2
    assert closed[dt.date(2027, 3, 5)] == "closed"


def test_the_planner_skips_closed_days() -> None:
    start = dt.datetime(2027, 1, 4, 0, 0, tzinfo=dt.UTC)  # Monday
    week = working_intervals(calendar(country="DE", subdivision="BY"), start, days=7)
    assert sorted({lo // 1440 for lo, _ in week}) == [0, 1, 3, 4]  # Wed 6 Jan: Epiphany


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"shifts": []}, "shifts"),
        ({"shifts": [Shift("X", WEEKDAYS, T(8), T(9), ((T(8), T(9)),))]}, "shifts[0].breaks"),
        ({"shifts": [Shift("X", (0,), T(8), T(9))]}, "shifts[0].weekdays"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"country": "XX"}, "country"),
        ({"country": "DE", "subdivision": "XX"}, "subdivision"),
        ({"closures": [Closure(dt.date(2027, 2, 1), dt.date(2027, 1, 1), "x")]}, "closures[0].end"),
    ],
)
def test_a_calendar_that_cannot_work_is_refused(fields: dict[str, Any], where: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        calendar(**fields).check()
    assert caught.value.field == where


# -- work centres, items, settings, pricing ------------------------------------------------


def test_a_work_centre_takes_its_setup_class_from_its_setup_attribute() -> None:
    booth = WorkCentre("PAINT", "Booth", WorkCentreKind.CELL, "DAY", setup_attribute="colour")
    assert booth.setup_class({"colour": "white", "finish": "oil"}) == "white"
    saw = WorkCentre("SAW", "Saw", WorkCentreKind.MACHINE, "DAY")
    assert saw.setup_class({"colour": "white"}) is None


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"calendar_code": "NONE"}, "calendar"),
        ({"capacity": 0}, "units"),
        ({"batch_capacity": 0}, "batch_capacity"),
        ({"hourly_rate": Decimal(-1)}, "hourly_rate"),
        ({"changeover_minutes": {"a": {"b": 5}}}, "setup_attribute"),
        ({"limits": {"length": 0}}, "limits.length"),
    ],
)
def test_a_bad_work_centre_is_refused(fields: dict[str, Any], where: str) -> None:
    base = {"code": "W", "name": "W", "kind": WorkCentreKind.CELL, "calendar_code": "DAY"}
    centre = WorkCentre(**{**base, **fields})
    with pytest.raises(InvalidInput) as caught:
        centre.check({"DAY"})
    assert caught.value.field == where


def test_an_item_counts_in_a_known_unit() -> None:
    Component("MDF", "MDF board", "m2", ComponentStatus.APPROVED, 3, Decimal("9.80")).check()
    with pytest.raises(InvalidInput) as caught:
        Component("MDF", "MDF board", "sqm", ComponentStatus.APPROVED).check()
    assert caught.value.field == "unit"


def test_settings_refuse_a_bad_currency_and_a_logo_that_is_no_image() -> None:
    with pytest.raises(InvalidInput) as caught:
        PlantSettings("Shop", currency="euro").check()
    assert caught.value.field == "currency"
    with pytest.raises(InvalidInput) as caught:
        PlantSettings("Shop", logo=b"<svg/>").check()
    assert caught.value.field == "logo"
    PlantSettings("Shop", logo=b"\x89PNG\r\n\x1a\n....").check()


def test_the_most_specific_pricing_rule_applies() -> None:
    policy = PricingPolicy(
        (
            PricingRule(Decimal("0.30")),
            PricingRule(Decimal("0.35"), family="TABLE"),
            PricingRule(Decimal("0.20"), customer_group="trade"),
            PricingRule(Decimal("0.25"), family="TABLE", customer_group="trade"),
        )
    )
    policy.check()
    margins = {
        ("TABLE", "trade"): "0.25",
        ("TABLE", None): "0.35",
        ("CABINET", "trade"): "0.20",
        ("CABINET", None): "0.30",
    }
    for (family, group), margin in margins.items():
        rule = policy.rule_for(family, group)
        assert rule is not None and rule.margin == Decimal(margin)
    assert PricingPolicy().rule_for("TABLE") is None
    with pytest.raises(InvalidInput, match="default"):
        PricingPolicy((PricingRule(Decimal("0.3"), family="TABLE"),)).check()


# -- the plant file ------------------------------------------------------------------------


def test_the_example_file_reads_and_writes_back_unchanged() -> None:
    data = read_plant(example())
    assert write_plant(read_plant(write_plant(data))) == write_plant(data)
    assert data.settings is not None and data.settings.currency == "CHF"
    booth = next(w for w in data.work_centres if w.code == "PAINT-BOOTH")
    assert booth.setup_attribute == "finish"
    press = next(w for w in data.work_centres if w.code == "PRESS-VEN")
    assert press.limits == {"length": 3200, "width": 1300}


def test_every_problem_is_named_by_its_path() -> None:
    document = example()
    document["work_centres"][3]["calendar"] = "X"
    document["items"][0]["unit"] = "sqm"
    document["items"][1]["colour"] = "red"
    document["calendars"][0]["shifts"] = []
    document["items"].append(dict(document["items"][2]))
    with pytest.raises(PlantFileInvalid) as caught:
        read_plant(document)
    problems = caught.value.problems
    assert "work_centres[3].calendar: unknown calendar 'X'" in problems
    assert any(p.startswith("items[0].unit: Unknown unit of measure 'sqm'") for p in problems)
    assert any(p.startswith("items[1].colour: unknown key") for p in problems)
    assert any(p.startswith("calendars[0].shifts: ") for p in problems)
    assert caught.value.field == problems[0].split(":")[0]


def test_duplicate_codes_are_named() -> None:
    document = example()
    document["items"].append(dict(document["items"][2]))
    with pytest.raises(PlantFileInvalid) as caught:
        read_plant(document)
    last = len(document["items"]) - 1
    assert caught.value.problems == [
        f"items[{last}].code: duplicate code '{document['items'][2]['code']}' (first at items[2])"
    ]


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.text(max_size=8),
    st.lists(st.integers(0, 9), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in [f"{prefix}{k}", *_paths(v, f"{prefix}{k}.")]]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths(v, f"{prefix[:-1]}[{i}].")]
    return []


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_damaged_file_is_refused_by_path_or_read_whole(data: st.DataObject) -> None:
    """Put junk at any place of a valid file: the reader either accepts it (and then
    writes a file that reads back the same) or names problems, never crashes."""
    document = copy.deepcopy(example())
    paths = [p for p in _paths(document) if not p.startswith("settings.logo")]
    target = data.draw(st.sampled_from(paths))
    junk = data.draw(JUNK)
    holder: Any = document
    parts = target.replace("[", ".[").split(".")
    for part in parts[:-1]:
        holder = holder[int(part[1:-1])] if part.startswith("[") else holder[part]
    last = parts[-1]
    if last.startswith("["):
        holder[int(last[1:-1])] = junk
    else:
        holder[last] = junk
    try:
        read = read_plant(document)
    except PlantFileInvalid as exc:
        assert exc.problems
        sections = ("plant", "settings", "calendars", "work_centres", "items", "pricing")
        assert all(p.split(".")[0].split("[")[0].split(":")[0] in sections for p in exc.problems)
        return
    written = write_plant(read)
    assert write_plant(read_plant(written)) == written
