"""Accuracy figures by hand-checked cases: MASE scale, bias sign, interval coverage."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orderforge.engines.forecasting import BacktestPlan, ForecastInputError, mase_scale
from orderforge.engines.forecasting.backtest import score


def arr(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def test_scale_is_seasonal_naive_error_with_two_seasons() -> None:
    # season 2: pairs (1,3) (2,4) (3,5)...: every seasonal difference is 2
    assert mase_scale([1, 2, 3, 4, 5, 6], season_length=2) == pytest.approx(2.0)


def test_scale_falls_back_to_naive_under_two_seasons() -> None:
    assert mase_scale([1, 2, 4], season_length=2) == pytest.approx(1.5)  # |2-1|, |4-2|


def test_score_mase_bias_and_coverage() -> None:
    actual = arr(10, 12, 14, 16)
    point = arr(11, 13, 15, 17)  # one too high every week
    bounds = {80: (arr(10.5, 12.5, 13, 15), arr(11.5, 13.5, 16, 18))}
    accuracy = score("M", actual, point, bounds, scale=2.0, windows=1)
    assert accuracy.mase == pytest.approx(0.5)
    assert accuracy.bias == pytest.approx(1.0)
    assert accuracy.coverage_at(80) == pytest.approx(0.5)
    with pytest.raises(KeyError):
        accuracy.coverage_at(95)


def test_flat_history_only_an_exact_forecast_scores_zero() -> None:
    actual = arr(5, 5)
    exact = score("M", actual, arr(5, 5), {}, scale=0.0, windows=1)
    off = score("M", actual, arr(5, 6), {}, scale=0.0, windows=1)
    assert exact.mase == 0.0
    assert off.mase == math.inf


def test_a_failed_model_is_never_the_best() -> None:
    accuracy = score("M", arr(1, 2), arr(1, math.nan), {80: (arr(0, 0), arr(3, 3))}, 1.0, 1)
    assert accuracy.mase == math.inf


def test_plan_history_needed() -> None:
    plan = BacktestPlan(horizon=4, windows=3)
    assert plan.step_weeks == 4
    assert plan.weeks_needed == plan.train_weeks + 4 + 8 == 24
    assert BacktestPlan(horizon=2, windows=2, step=1, min_train=10).weeks_needed == 13


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"horizon": 0}, "horizon"),
        ({"horizon": 2, "windows": 0}, "windows"),
        ({"horizon": 2, "step": -1}, "step"),
    ],
)
def test_bad_plan_names_the_field(arguments: dict[str, int], field: str) -> None:
    with pytest.raises(ForecastInputError) as error:
        BacktestPlan(**arguments)
    assert error.value.field == field
