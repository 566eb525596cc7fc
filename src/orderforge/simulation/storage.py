"""Simulation storage: its recorded runs (migration 0028_forecasts_simulations), kept
whole as JSON: a result is what the run found when it ran, never recomputed."""

from __future__ import annotations

from orderforge.adapters.db.context_storage import ContextStorage
from orderforge.adapters.db.runs import SqlRunRepository, runs_table
from orderforge.simulation.ports import SIMULATION_RUNS

simulation_runs = runs_table("simulation_runs")

STORAGE = ContextStorage(
    name="simulation",
    repositories={SIMULATION_RUNS.name: lambda session: SqlRunRepository(session, simulation_runs)},
)
