"""What forecasting's use cases need from storage, and the key to ask a unit of work."""

from __future__ import annotations

from orderforge.services.ports import RepositoryKey
from orderforge.services.runs import RunRepository

FORECAST_RUNS: RepositoryKey[RunRepository] = RepositoryKey("forecast_runs")
