"""Forecasting storage: its recorded runs (migration 0028_forecasts_simulations), kept
whole as JSON: a result is what the run found when it ran, never recomputed."""

from __future__ import annotations

from orderforge.adapters.db.context_storage import ContextStorage
from orderforge.adapters.db.runs import SqlRunRepository, runs_table
from orderforge.forecasting.ports import FORECAST_RUNS

forecast_runs = runs_table("forecast_runs")

STORAGE = ContextStorage(
    name="forecasting",
    repositories={FORECAST_RUNS.name: lambda session: SqlRunRepository(session, forecast_runs)},
)
