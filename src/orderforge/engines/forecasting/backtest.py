"""Accuracy of a model on one series, measured by rolling-origin backtest.

The forecast is cut off at several past weeks (origins), each time fitted on the weeks
before and compared with the `horizon` weeks that really followed. Several origins rather
than one, because one lucky or unlucky quarter should not decide which model a series
gets for the next year.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from orderforge.engines.forecasting.errors import ForecastInputError

__all__ = ["Accuracy", "BacktestPlan", "mase_scale", "score"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class BacktestPlan:
    """`windows` origins, `step` weeks apart, each forecasting `horizon` weeks.

    `min_train` is the fewest weeks any model is fitted on (at the earliest origin);
    the conformal intervals of the Croston family need several horizons of history.
    """

    horizon: int
    windows: int = 3
    step: int = 0  # 0: one horizon, so the windows do not overlap
    min_train: int = 0  # 0: derived from the horizon

    def __post_init__(self) -> None:
        for name in ("horizon", "windows"):
            if getattr(self, name) <= 0:
                raise ForecastInputError(name, f"must be at least 1, got {getattr(self, name)}")
        if self.step < 0:
            raise ForecastInputError("step", f"must be >= 0, got {self.step}")
        if self.min_train < 0:
            raise ForecastInputError("min_train", f"must be >= 0, got {self.min_train}")

    @property
    def step_weeks(self) -> int:
        return self.step or self.horizon

    @property
    def train_weeks(self) -> int:
        """Weeks before the earliest origin: enough for two conformal calibrations."""
        return self.min_train or max(3 * self.horizon, 8)

    @property
    def weeks_needed(self) -> int:
        """The shortest history the whole backtest fits into."""
        return self.train_weeks + self.horizon + self.step_weeks * (self.windows - 1)


@dataclass(frozen=True, slots=True)
class Accuracy:
    """How a model did over the backtest windows of one series.

    `mase`: mean absolute error divided by the in-sample error of the (seasonal-)naive
    forecast; below 1 beats it, 0 is perfect, `inf` means errors where naive had none.
    `bias`: mean of forecast minus actual in demand units; positive over-forecasts.
    `coverage`: per interval level, the share of actual weeks inside the interval —
    an 80 % interval should hold about 80 % of them.
    """

    model: str
    mase: float
    bias: float
    coverage: tuple[tuple[int, float], ...]
    windows: int

    def coverage_at(self, level: int) -> float:
        for known, share in self.coverage:
            if known == level:
                return share
        raise KeyError(f"no interval at level {level} (levels: {[k for k, _ in self.coverage]})")


def mase_scale(history: Sequence[float], season_length: int) -> float:
    """Mean absolute in-sample error of seasonal naive, or of naive under two seasons.

    Two seasons are asked for because with one the seasonal differences would rest on a
    single year's pairs only at the very end; the naive scale is the honest fallback.
    """
    values = np.asarray(history, dtype=np.float64)
    lag = season_length if len(values) >= 2 * season_length else 1
    if len(values) <= lag:
        return math.nan
    return float(np.mean(np.abs(values[lag:] - values[:-lag])))


def score(
    model: str,
    actual: FloatArray,
    point: FloatArray,
    bounds: Mapping[int, tuple[FloatArray, FloatArray]],
    scale: float,
    windows: int,
) -> Accuracy:
    """Accuracy of one model over the backtest points of one series.

    Forecasts that are not numbers (a model that failed on the series) score `inf`, so
    such a model is never chosen.
    """
    if not np.all(np.isfinite(point)):
        coverage = tuple((level, 0.0) for level in sorted(bounds))
        return Accuracy(model, math.inf, math.nan, coverage, windows)
    errors = point - actual
    mae = float(np.mean(np.abs(errors)))
    if scale > 0:
        mase = mae / scale
    else:
        # A flat history: only an exact forecast is as good as naive (rounding aside).
        tolerance = 1e-9 * max(1.0, float(np.mean(np.abs(actual))))
        mase = 0.0 if mae <= tolerance else math.inf
    coverage = tuple(
        (level, float(np.mean((actual >= lower) & (actual <= upper))))
        for level, (lower, upper) in sorted(bounds.items())
    )
    return Accuracy(model, mase, float(np.mean(errors)), coverage, windows)
