"""The cheap questions operations ask the database: is it there, is its schema current,
how deep is the plan-run queue, how long did runs take, how many orders in each state.

Each is one small query in a read-only transaction (on SQLite it never waits for a
writer), so a readiness probe or a metrics scrape cannot hold up the plant's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orderforge.adapters.db import migrate
from orderforge.adapters.db.engine import read_only
from orderforge.adapters.db.tables import orders, plan_runs


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str | None

    @property
    def at_head(self) -> bool:
        return self.current is not None and self.current == self.head


def schema_state(engine: Engine) -> SchemaState:
    """Raises the driver's error when the database cannot be reached."""
    with read_only():
        current = migrate.current_revision(engine)
    return SchemaState(current=current, head=migrate.shipped_head())


def _key(value: object) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


def plan_run_counts(engine: Engine) -> dict[str, int]:
    """Runs per status (queued and running are the job queue's depth)."""
    query = sa.select(plan_runs.c.status, sa.func.count()).group_by(plan_runs.c.status)
    with read_only(), engine.connect() as connection:
        return {_key(status): int(n) for status, n in connection.execute(query)}


def plan_run_durations(engine: Engine) -> list[float]:
    """Seconds from start to finish of every finished run (done or failed)."""
    query = sa.select(plan_runs.c.started_at, plan_runs.c.finished_at).where(
        plan_runs.c.started_at.is_not(None), plan_runs.c.finished_at.is_not(None)
    )
    with read_only(), engine.connect() as connection:
        return [
            max(0.0, (finished - started).total_seconds())
            for started, finished in connection.execute(query)
        ]


def order_counts(engine: Engine) -> dict[str, int]:
    query = sa.select(orders.c.state, sa.func.count()).group_by(orders.c.state)
    with read_only(), engine.connect() as connection:
        return {_key(state): int(n) for state, n in connection.execute(query)}
