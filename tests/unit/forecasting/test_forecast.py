"""Forecasts on synthetic series whose pattern is known, and the baseline rule."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.engines.forecasting import (
    DemandPattern,
    ForecastInputError,
    SeriesForecast,
    WeeklySeries,
    forecast_series,
)

MONDAY = dt.date(2023, 1, 2)
CROSTON_FAMILY = {"CrostonOptimized", "TSB", "ADIDA"}


def series(key: str, values: np.ndarray | list[float], kind: str = "family") -> WeeklySeries:
    return WeeklySeries(key, kind, MONDAY, tuple(float(v) for v in values))


def assert_sane(result: SeriesForecast, horizon: int) -> None:
    """What every answer must hold: weeks in order, demand never negative, nested intervals."""
    assert len(result.weeks) == horizon
    for week in result.weeks:
        assert week.week.weekday() == 0
        narrow, wide = week.interval(80), week.interval(95)
        assert 0 <= wide.lower <= narrow.lower <= week.point <= narrow.upper <= wide.upper


def seasonal_curve(weeks: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    curve: npt.NDArray[np.float64] = 60 + 0.15 * weeks + 20 * np.sin(2 * np.pi * weeks / 52)
    return curve


def test_yearly_season_with_trend_is_tracked_and_beats_seasonal_naive() -> None:
    rng = np.random.default_rng(7)
    weeks = np.arange(160)
    values = seasonal_curve(weeks) + rng.normal(0, 2, weeks.size)
    [result] = forecast_series([series("sofa", values)], horizon=6)
    assert result.pattern is DemandPattern.SMOOTH
    assert result.beats_baseline
    assert result.baseline.model == "SeasonalNaive"
    assert result.model == result.candidates[0].model
    assert result.accuracy.mase < result.baseline.mase
    truth = seasonal_curve(np.arange(160, 166))
    points = np.array([week.point for week in result.weeks])
    assert np.max(np.abs(points - truth)) < 8  # 4 noise deviations; the season swings ±20
    assert result.weeks[0].week == MONDAY + dt.timedelta(weeks=160)
    assert_sane(result, 6)


def test_intermittent_poisson_series_gets_croston_family_candidates() -> None:
    rng = np.random.default_rng(11)
    values = rng.poisson(0.3, 80)
    [result] = forecast_series([series("walnut", values, kind="material")], horizon=4)
    assert result.pattern is DemandPattern.INTERMITTENT
    assert {accuracy.model for accuracy in result.candidates} == CROSTON_FAMILY
    assert result.baseline.model == "Naive"  # 80 weeks: under two seasons
    assert any("two seasons" in note for note in result.notes)
    assert result.kind == "material"
    assert_sane(result, 4)


def test_a_constant_series_forecasts_the_constant() -> None:
    [result] = forecast_series([series("leg", [7.0] * 40)], horizon=3)
    assert [week.point for week in result.weeks] == pytest.approx([7.0] * 3)
    assert result.accuracy.mase == 0.0
    assert_sane(result, 3)


def test_no_demand_forecasts_zero_with_the_baseline() -> None:
    [result] = forecast_series([series("retired", [0.0] * 30)], horizon=2)
    assert result.pattern is DemandPattern.NO_DEMAND
    assert result.candidates == ()
    assert not result.beats_baseline
    assert [week.point for week in result.weeks] == [0.0, 0.0]


def test_when_nothing_beats_the_baseline_its_forecast_is_the_answer() -> None:
    """Demand every other week: seasonal naive (season 2) is exact, Croston averages it."""
    values = [0.0, 10.0] * 30
    [result] = forecast_series([series("cushion", values)], horizon=4, season_length=2)
    assert result.pattern is DemandPattern.INTERMITTENT
    assert result.baseline.mase == 0.0
    assert result.candidates[0].mase > 0
    assert not result.beats_baseline
    assert result.model == "SeasonalNaive"
    assert result.accuracy is result.baseline
    assert [week.point for week in result.weeks] == pytest.approx([0.0, 10.0, 0.0, 10.0])
    assert any("baseline's forecast is used" in note for note in result.notes)


def test_interval_coverage_on_noise_is_near_nominal() -> None:
    """Held-out weeks of white noise around a level fall inside the intervals about as
    often as their level says (pooled over series, so one series' luck does not decide)."""
    rng = np.random.default_rng(3)
    count, history, horizon = 24, 60, 4
    data = rng.normal(100, 10, (count, history + horizon))
    results = forecast_series(
        [series(f"s{i}", row[:history]) for i, row in enumerate(data)], horizon=horizon
    )
    inside = {80: 0, 95: 0}
    for row, result in zip(data, results, strict=True):
        for actual, week in zip(row[history:], result.weeks, strict=True):
            for level in inside:
                interval = week.interval(level)
                inside[level] += interval.lower <= actual <= interval.upper
    points = count * horizon
    assert inside[80] / points == pytest.approx(0.80, abs=0.1)
    assert inside[95] / points == pytest.approx(0.95, abs=0.06)
    backtested = np.mean([result.accuracy.coverage_at(80) for result in results])
    assert backtested == pytest.approx(0.80, abs=0.12)


def test_series_keep_their_order_across_candidate_sets() -> None:
    rng = np.random.default_rng(5)
    given = [
        series("smooth", rng.normal(50, 5, 40)),
        series("sparse", rng.poisson(0.2, 40), kind="material"),
        series("smooth", rng.normal(20, 2, 40), kind="option"),
    ]
    results = forecast_series(given, horizon=2, windows=2)
    assert [(r.key, r.kind) for r in results] == [(s.key, s.kind) for s in given]
    assert results[1].pattern.sporadic
    assert results[0].accuracy.windows == 2


@pytest.mark.parametrize(
    ("arguments", "field", "words"),
    [
        ({"horizon": 0}, "horizon", "at least 1"),
        ({"horizon": 2, "levels": (80, 100)}, "levels", "100"),
        ({"horizon": 2, "levels": ()}, "levels", "at least one"),
        ({"horizon": 2, "levels": (80.5,)}, "levels", "whole percentage"),
        ({"horizon": 2, "season_length": 0}, "season_length", "at least 1"),
        ({"horizon": 2, "windows": 0}, "windows", "at least 1"),
    ],
)
def test_bad_arguments_name_the_field(arguments: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(ForecastInputError, match=words) as error:
        forecast_series([series("sofa", [1.0] * 40)], **arguments)  # type: ignore[arg-type]
    assert error.value.field == field


def test_too_short_a_history_says_given_and_needed() -> None:
    with pytest.raises(ForecastInputError, match=r"'sofa' has 10 weeks.*24 are needed") as error:
        forecast_series([series("sofa", [1.0] * 10)], horizon=4)
    assert error.value.field == "values"


def test_the_same_key_may_name_a_family_and_a_material() -> None:
    both = [series("oak", [1.0] * 30), series("oak", [2.0] * 30, kind="material")]
    results = forecast_series(both, horizon=2)
    assert [r.weeks[0].point for r in results] == pytest.approx([1.0, 2.0])


def test_a_series_given_twice_is_refused() -> None:
    twice = [series("sofa", [1.0] * 40), series("sofa", [2.0] * 40)]
    with pytest.raises(ForecastInputError, match="given twice"):
        forecast_series(twice, horizon=2)


@settings(max_examples=12, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=500.0)),
        min_size=24,
        max_size=40,
    ),
    horizon=st.integers(min_value=1, max_value=4),
)
def test_any_history_gives_non_negative_nested_intervals_on_the_following_mondays(
    values: list[float], horizon: int
) -> None:
    history = series("any", values)
    [result] = forecast_series([history], horizon=horizon, windows=2)
    assert_sane(result, horizon)
    assert [week.week for week in result.weeks] == [
        history.week(len(values) + offset) for offset in range(horizon)
    ]
    assert result.accuracy.windows == 2
