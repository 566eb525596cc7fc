"""Two workers can race for jobs of one lock; the loser must live on (PostgreSQL).

The race is made deterministic here: another transaction marks the later job of a lock
`doing` and has not committed yet, so the fetch picks the earlier job and waits on the
unique index (one `doing` job per lock) until that transaction commits. procrastinate
3.10 lets the unique violation end the worker (it did so in CI, with two workers and two
servers); our job manager tries again and reports no job while the lock is held.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from procrastinate import exceptions
from procrastinate.manager import JobManager

from orderforge.adapters.jobs.procrastinate_queue import (
    QUEUE,
    TASK,
    LockRaceTolerantJobManager,
    make_app,
)
from orderforge.bootstrap import Application

LOCK = "lock-race-test"


@pytest.fixture
def jobs(application: Application) -> Iterator[tuple[int, int, int]]:
    """(earlier job, later job, worker id): two waiting jobs of one lock."""
    if application.settings.job_backend != "procrastinate":
        pytest.skip("procrastinate's locks exist on PostgreSQL only")
    app = make_app(application.settings.database_url)
    with app.open():
        ids = [
            app.configure_task(TASK, queue=QUEUE, lock=LOCK).defer(kind="plan_run", record_id=n)
            for n in (1, 2)
        ]
    with application.engine.begin() as conn:
        worker = conn.execute(
            sa.text("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id")
        ).scalar_one()
    yield ids[0], ids[1], worker


def fetch_while_another_takes_the_later_job(
    application: Application, manager_class: type[JobManager], later: int, worker: int
) -> object:
    """Fetch with `manager_class` while an uncommitted transaction holds `later` doing."""
    engine = application.engine
    other = engine.connect()
    transaction = other.begin()
    other.execute(
        sa.text("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = :id"), {"id": later}
    )
    commit = threading.Timer(0.5, transaction.commit)
    commit.start()
    app = make_app(application.settings.database_url)

    async def fetch() -> object:
        async with app.open_async():
            manager = manager_class(connector=app.connector)
            try:
                return await manager.fetch_job(queues=[QUEUE], worker_id=worker)
            except exceptions.UniqueViolation as error:
                return error

    try:
        return asyncio.run(fetch())
    finally:
        commit.join()
        other.close()


def status(application: Application, job: int) -> str:
    with application.engine.connect() as conn:
        return str(
            conn.execute(
                sa.text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": job}
            ).scalar_one()
        )


def set_status(application: Application, job: int, value: str) -> None:
    with application.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE procrastinate_jobs SET status = :s WHERE id = :id"),
            {"s": value, "id": job},
        )


def test_a_worker_that_loses_the_race_for_a_locked_job_lives_on(
    application: Application, jobs: tuple[int, int, int]
) -> None:
    earlier, later, worker = jobs
    # procrastinate's own manager: the race ends in an error (what ended the CI worker)
    lost = fetch_while_another_takes_the_later_job(application, JobManager, later, worker)
    assert isinstance(lost, exceptions.UniqueViolation)
    assert status(application, earlier) == "todo"  # the loser's update was rolled back

    set_status(application, later, "todo")
    found = fetch_while_another_takes_the_later_job(
        application, LockRaceTolerantJobManager, later, worker
    )
    assert found is None  # no job while the lock's other job runs, and no error
    assert (status(application, earlier), status(application, later)) == ("todo", "doing")

    set_status(application, later, "succeeded")  # the other worker is done: the lock is free

    async def fetch_again() -> object:
        app = make_app(application.settings.database_url)
        async with app.open_async():
            manager = LockRaceTolerantJobManager(connector=app.connector)
            return await manager.fetch_job(queues=[QUEUE], worker_id=worker)

    job = asyncio.run(fetch_again())
    assert getattr(job, "id", None) == earlier
    assert status(application, earlier) == "doing"
