"""Weekly forecasts with intervals, the model chosen per series by backtest.

Every series is offered the models that suit its demand pattern (models.py), each is
backtested from several past origins (backtest.py), and the best is used only where it
beats the seasonal-naive baseline; elsewhere the baseline's forecast is the answer and
the result says so — a planner should not buy material on a model that has not shown it
knows better than "same as last year".

All series sharing a candidate set go to statsforecast in ONE long frame (`unique_id`,
`ds`, `y`): one `cross_validation` and one `forecast` call per set, never a loop over
series. statsforecast (>= 1.5) accepts Spark, Dask and Ray data frames in those same two
calls through its fugue backend, so a plant with tens of thousands of series can hand the
frame to a cluster: only building the frame and collecting the per-series rows would
change, not how models are chosen. Here it runs on one core (`N_JOBS`) because the
plant's workers share two.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsforecast import StatsForecast

from orderforge.engines.forecasting.backtest import Accuracy, BacktestPlan, mase_scale, score
from orderforge.engines.forecasting.errors import ForecastInputError
from orderforge.engines.forecasting.models import CandidateSet, candidates
from orderforge.engines.forecasting.series import DemandPattern, WeeklySeries, classify

__all__ = ["Interval", "SeriesForecast", "WeekForecast", "forecast_series"]

N_JOBS = 1
FREQUENCY = "W-MON"


@dataclass(frozen=True, slots=True)
class Interval:
    """Demand lies between `lower` and `upper` with `level` % probability (both >= 0)."""

    level: int
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class WeekForecast:
    """The forecast of the week starting on Monday `week`."""

    week: dt.date
    point: float
    intervals: tuple[Interval, ...]

    def interval(self, level: int) -> Interval:
        for interval in self.intervals:
            if interval.level == level:
                return interval
        raise KeyError(f"no interval at level {level}")


@dataclass(frozen=True, slots=True)
class SeriesForecast:
    """The answer for one series, with the evidence for trusting it.

    `model` is the model whose forecast `weeks` holds: the best candidate when it beat the
    baseline in the backtest (`beats_baseline`), else the baseline itself. `candidates`
    holds every challenger's backtest accuracy, best first; `notes` say why models were
    left out.
    """

    key: str
    kind: str
    pattern: DemandPattern
    model: str
    beats_baseline: bool
    accuracy: Accuracy
    baseline: Accuracy
    candidates: tuple[Accuracy, ...]
    weeks: tuple[WeekForecast, ...]
    notes: tuple[str, ...]

    @property
    def best_candidate(self) -> Accuracy | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True, slots=True)
class _Job:
    """One series on its way through: its id in the frame and its candidate set."""

    uid: str
    series: WeeklySeries
    pattern: DemandPattern
    models: CandidateSet


def forecast_series(
    series: Sequence[WeeklySeries],
    horizon: int,
    *,
    levels: Sequence[int] = (80, 95),
    season_length: int = 52,
    windows: int = 3,
) -> list[SeriesForecast]:
    """Forecast `horizon` weeks past each series' last week, in the order given.

    The backtest uses `windows` non-overlapping origins one horizon apart; each series
    needs `BacktestPlan(horizon, windows).weeks_needed` weeks of history.
    """
    plan = BacktestPlan(horizon, windows)
    level_list = _checked_levels(levels)
    if season_length < 1:
        raise ForecastInputError("season_length", f"must be at least 1, got {season_length}")
    jobs = _jobs(series, plan, season_length)
    results: dict[str, SeriesForecast] = {}
    for group in sorted({job.models.group for job in jobs}):
        members = [job for job in jobs if job.models.group == group]
        results.update(_forecast_group(members, plan, level_list, season_length))
    return [results[job.uid] for job in jobs]


def _checked_levels(levels: Sequence[int]) -> list[int]:
    if not levels:
        raise ForecastInputError("levels", "at least one interval level is needed, e.g. 80")
    for level in levels:
        if isinstance(level, bool) or not isinstance(level, int) or not 0 < level < 100:
            raise ForecastInputError(
                "levels", f"{level!r} is not a whole percentage between 0 and 100"
            )
    return sorted(set(levels))


def _jobs(series: Sequence[WeeklySeries], plan: BacktestPlan, season_length: int) -> list[_Job]:
    jobs: list[_Job] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(series):
        uid = f"series-{index}"  # the frame's id: never two alike, whatever the keys hold
        if (item.kind, item.key) in seen:
            raise ForecastInputError("series", f"{item.kind} {item.key!r} is given twice")
        seen.add((item.kind, item.key))
        if len(item.values) < plan.weeks_needed:
            raise ForecastInputError(
                "values",
                f"series {item.key!r} has {len(item.values)} weeks of history; "
                f"{plan.weeks_needed} are needed for {plan.windows} backtest windows "
                f"of {plan.horizon} weeks",
            )
        pattern = classify(item)
        earliest_origin = len(item.values) - plan.horizon - plan.step_weeks * (plan.windows - 1)
        seasonal = season_length > 1 and earliest_origin >= 2 * season_length
        jobs.append(
            _Job(
                uid,
                item,
                pattern,
                candidates(_family(pattern), seasonal, plan.horizon, season_length),
            )
        )
    return jobs


def _family(pattern: DemandPattern) -> str:
    if pattern is DemandPattern.NO_DEMAND:
        return "none"
    return "sporadic" if pattern.sporadic else "smooth"


def _frame(jobs: Sequence[_Job]) -> pd.DataFrame:
    parts = [
        pd.DataFrame(
            {
                "unique_id": job.uid,
                "ds": pd.date_range(
                    job.series.start, periods=len(job.series.values), freq=FREQUENCY
                ),
                "y": np.asarray(job.series.values, dtype=np.float64),
            }
        )
        for job in jobs
    ]
    return pd.concat(parts, ignore_index=True)


def _forecast_group(
    jobs: Sequence[_Job], plan: BacktestPlan, levels: list[int], season_length: int
) -> dict[str, SeriesForecast]:
    """Backtest and forecast every series of one candidate set in one call each."""
    frame = _frame(jobs)
    engine = StatsForecast(models=jobs[0].models.models, freq=FREQUENCY, n_jobs=N_JOBS)
    with warnings.catch_warnings():
        # ARIMA's optimiser warns on flat or short series; the backtest judges the fit.
        warnings.filterwarnings("ignore", "possible convergence problem", UserWarning)
        backtest = engine.cross_validation(
            df=frame,
            h=plan.horizon,
            n_windows=plan.windows,
            step_size=plan.step_weeks,
            level=levels,
        )
        future = engine.forecast(df=frame, h=plan.horizon, level=levels)
    backtests = {str(uid): rows for uid, rows in backtest.groupby("unique_id")}
    futures = {str(uid): rows for uid, rows in future.groupby("unique_id")}
    return {
        job.uid: _answer(
            job,
            _accuracies(job, backtests[job.uid], levels, season_length),
            futures[job.uid],
            levels,
        )
        for job in jobs
    }


def _answer(
    job: _Job, accuracies: dict[str, Accuracy], future: pd.DataFrame, levels: list[int]
) -> SeriesForecast:
    """The best challenger's forecast if it beat the baseline strictly, else the baseline's.

    Ties go to the baseline: a model must show it knows better, not merely as well.
    """
    baseline = accuracies[job.models.baseline_name]
    ranked = sorted(
        (accuracies[name] for name in job.models.challenger_names),
        key=lambda accuracy: (accuracy.mase, abs(accuracy.bias)),
    )
    beats = bool(ranked) and ranked[0].mase < baseline.mase
    used = ranked[0] if beats else baseline
    notes = list(job.models.notes)
    if not beats and ranked:
        notes.append(
            f"no candidate beat {baseline.model} in the backtest "
            f"(best {ranked[0].model}: MASE {ranked[0].mase:.3f} vs {baseline.mase:.3f}); "
            "the baseline's forecast is used"
        )
    return SeriesForecast(
        key=job.series.key,
        kind=job.series.kind,
        pattern=job.pattern,
        model=used.model,
        beats_baseline=beats,
        accuracy=used,
        baseline=baseline,
        candidates=tuple(ranked),
        weeks=_weeks(future, used.model, levels),
        notes=tuple(notes),
    )


def _accuracies(
    job: _Job, rows: pd.DataFrame, levels: list[int], season_length: int
) -> dict[str, Accuracy]:
    """Every model's backtest score; forecasts are clipped at zero as the answer will be."""
    first_cutoff = rows["cutoff"].min().date()
    history = job.series.values[: (first_cutoff - job.series.start).days // 7 + 1]
    scale = mase_scale(history, season_length)
    actual = rows["y"].to_numpy(dtype=np.float64)
    windows = int(rows["cutoff"].nunique())
    scores: dict[str, Accuracy] = {}
    for model in job.models.models:
        name = str(getattr(model, "alias", ""))
        point = np.maximum(rows[name].to_numpy(dtype=np.float64), 0.0)
        bounds = {
            level: (
                np.maximum(rows[f"{name}-lo-{level}"].to_numpy(dtype=np.float64), 0.0),
                np.maximum(rows[f"{name}-hi-{level}"].to_numpy(dtype=np.float64), 0.0),
            )
            for level in levels
        }
        scores[name] = score(name, actual, point, bounds, scale, windows)
    return scores


def _weeks(rows: pd.DataFrame, model: str, levels: list[int]) -> tuple[WeekForecast, ...]:
    weeks: list[WeekForecast] = []
    for _, row in rows.sort_values("ds").iterrows():
        intervals = tuple(
            Interval(
                level,
                max(float(row[f"{model}-lo-{level}"]), 0.0),
                max(float(row[f"{model}-hi-{level}"]), 0.0),
            )
            for level in levels
        )
        weeks.append(WeekForecast(row["ds"].date(), max(float(row[model]), 0.0), intervals))
    return tuple(weeks)
