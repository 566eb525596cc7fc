"""A worker that loses the race for a locked job must live on (it crashed in CI)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from procrastinate import exceptions

from orderforge.adapters.jobs.procrastinate_queue import (
    FETCH_ATTEMPTS,
    LockRaceTolerantJobManager,
    make_app,
)

EMPTY_ROW: dict[str, Any] = {"id": None}


class Connector:
    """Answers fetch_job with the given outcomes in turn (an exception is raised)."""

    def __init__(self, outcomes: list[Any]) -> None:
        self.outcomes = outcomes
        self.calls = 0

    async def execute_query_one_async(self, query: str, **arguments: Any) -> Any:
        outcome = self.outcomes[self.calls]
        self.calls += 1
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def race_lost() -> exceptions.UniqueViolation:
    return exceptions.UniqueViolation(
        constraint_name="procrastinate_jobs_lock_idx_v1", queueing_lock=None
    )


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    async def instant(seconds: float) -> None:
        return None

    monkeypatch.setattr(asyncio, "sleep", instant)


def test_a_lost_race_is_tried_again_and_the_next_answer_counts() -> None:
    connector = Connector([race_lost(), EMPTY_ROW])
    manager = LockRaceTolerantJobManager(connector=connector)  # type: ignore[arg-type]
    assert asyncio.run(manager.fetch_job(queues=["orderforge"], worker_id=1)) is None
    assert connector.calls == 2


def test_races_lost_every_time_report_no_job_instead_of_ending_the_worker() -> None:
    connector = Connector([race_lost() for _ in range(FETCH_ATTEMPTS)])
    manager = LockRaceTolerantJobManager(connector=connector)  # type: ignore[arg-type]
    assert asyncio.run(manager.fetch_job(queues=["orderforge"], worker_id=1)) is None
    assert connector.calls == FETCH_ATTEMPTS


def test_other_database_errors_still_surface() -> None:
    connector = Connector([exceptions.ConnectorException("connection lost")])
    manager = LockRaceTolerantJobManager(connector=connector)  # type: ignore[arg-type]
    with pytest.raises(exceptions.ConnectorException, match="connection lost"):
        asyncio.run(manager.fetch_job(queues=["orderforge"], worker_id=1))


def test_workers_and_servers_use_the_tolerant_manager() -> None:
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none", run=lambda k, i: None)
    assert isinstance(app.job_manager, LockRaceTolerantJobManager)
