"""Weekly bucketing and the Syntetos–Boylan pattern, by cases and by properties."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.engines.forecasting import (
    DemandPattern,
    ForecastInputError,
    WeeklySeries,
    classify,
    measure,
    weekly,
)

MONDAY = dt.date(2026, 1, 5)

quantities = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
days = st.integers(min_value=0, max_value=400)
events = st.lists(st.tuples(days, quantities), max_size=40)


@settings(max_examples=150, deadline=None)
@given(events=events, extra_days=st.integers(min_value=0, max_value=30))
def test_bucketing_keeps_every_quantity_in_the_week_of_its_date(
    events: list[tuple[int, float]], extra_days: int
) -> None:
    last = max((offset for offset, _ in events), default=0) + extra_days
    end = MONDAY + dt.timedelta(days=last)
    dated = [(MONDAY + dt.timedelta(days=offset), quantity) for offset, quantity in events]
    series = weekly("sofa", "family", dated, MONDAY, end)
    assert len(series.values) == last // 7 + 1
    assert series.week(len(series.values) - 1) <= end < series.week(len(series.values))
    assert math.isclose(sum(series.values), sum(q for _, q in events), rel_tol=1e-9, abs_tol=1e-6)
    for index, total in enumerate(series.values):
        expected = sum(q for offset, q in events if offset // 7 == index)
        assert math.isclose(total, expected, rel_tol=1e-9, abs_tol=1e-6)


def test_a_week_without_events_is_zero_demand() -> None:
    series = weekly(
        "oak",
        "material",
        [(MONDAY + dt.timedelta(days=15), 3.0)],
        MONDAY,
        MONDAY + dt.timedelta(days=20),
    )
    assert series.values == (0.0, 0.0, 3.0)


sizes = st.lists(st.floats(min_value=0.01, max_value=1e4), min_size=1, max_size=60)


def _pattern_by_definition(values: list[float]) -> DemandPattern:
    demand = [v for v in values if v > 0]
    adi = len(values) / len(demand)
    mean = sum(demand) / len(demand)
    cv2 = sum((d - mean) ** 2 for d in demand) / len(demand) / mean**2
    return {
        (False, False): DemandPattern.SMOOTH,
        (False, True): DemandPattern.ERRATIC,
        (True, False): DemandPattern.INTERMITTENT,
        (True, True): DemandPattern.LUMPY,
    }[(adi >= 1.32, cv2 >= 0.49)]


@settings(max_examples=200, deadline=None)
@given(demand=sizes, zeros=st.lists(st.integers(min_value=0, max_value=100), max_size=60))
def test_pattern_follows_the_adi_and_cv2_cutoffs(demand: list[float], zeros: list[int]) -> None:
    values = list(demand)
    for position in zeros:
        values.insert(position % (len(values) + 1), 0.0)
    measures = measure(values)
    assert measures.adi == pytest.approx(len(values) / len(demand))
    assert measures.adi >= 1
    assert measures.pattern is _pattern_by_definition(values)


@settings(max_examples=100, deadline=None)
@given(demand=sizes, factor=st.floats(min_value=0.01, max_value=100))
def test_pattern_does_not_depend_on_the_unit(demand: list[float], factor: float) -> None:
    """Counting legs or sofas, metres or centimetres: the same series, the same pattern."""
    scaled = measure([v * factor for v in demand])
    plain = measure(demand)
    assert scaled.adi == plain.adi
    assert scaled.cv2 == pytest.approx(plain.cv2, rel=1e-6, abs=1e-9)


@given(size=st.floats(min_value=0.01, max_value=1e4), weeks=st.integers(min_value=1, max_value=60))
def test_equal_sizes_every_week_is_smooth(size: float, weeks: int) -> None:
    assert measure([size] * weeks).pattern is DemandPattern.SMOOTH


def test_quadrants_by_hand() -> None:
    assert measure([5, 6, 5, 4, 5, 6]).pattern is DemandPattern.SMOOTH
    assert measure([1, 20, 2, 30, 1, 25]).pattern is DemandPattern.ERRATIC
    assert measure([0, 5, 0, 0, 5, 0, 6, 0]).pattern is DemandPattern.INTERMITTENT
    assert measure([0, 1, 0, 0, 40, 0, 2, 0]).pattern is DemandPattern.LUMPY
    assert measure([0, 0, 0]).pattern is DemandPattern.NO_DEMAND
    assert (
        classify(WeeklySeries("x", "family", MONDAY, (0.0, 2.0, 0.0, 2.0)))
        is DemandPattern.INTERMITTENT
    )


def test_bad_series_name_the_field() -> None:
    with pytest.raises(ForecastInputError, match="start") as error:
        WeeklySeries("sofa", "family", MONDAY + dt.timedelta(days=1), (1.0,))
    assert error.value.field == "start"
    assert "Tuesday" in str(error.value)
    with pytest.raises(ForecastInputError, match=r"values.*-1\.0 in week 1") as error:
        WeeklySeries("sofa", "family", MONDAY, (1.0, -1.0))
    with pytest.raises(ForecastInputError, match="key"):
        WeeklySeries("", "family", MONDAY, (1.0,))
    with pytest.raises(ForecastInputError, match="values"):
        WeeklySeries("sofa", "family", MONDAY, (math.nan,))


def test_bad_events_name_the_field() -> None:
    end = MONDAY + dt.timedelta(days=30)
    with pytest.raises(ForecastInputError, match=r"^start:"):
        weekly("sofa", "family", [], MONDAY + dt.timedelta(days=2), end)
    with pytest.raises(ForecastInputError, match=r"^end:"):
        weekly("sofa", "family", [], MONDAY, MONDAY - dt.timedelta(days=1))
    with pytest.raises(ForecastInputError, match=r"^events:.*outside"):
        weekly("sofa", "family", [(end + dt.timedelta(days=1), 1.0)], MONDAY, end)
    with pytest.raises(ForecastInputError, match=r"^events:.*-2"):
        weekly("sofa", "family", [(MONDAY, -2.0)], MONDAY, end)
