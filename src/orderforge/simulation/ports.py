"""What simulation's use cases need from storage, and the key to ask a unit of work."""

from __future__ import annotations

from orderforge.services.ports import RepositoryKey
from orderforge.services.runs import RunRepository

SIMULATION_RUNS: RepositoryKey[RunRepository] = RepositoryKey("simulation_runs")
