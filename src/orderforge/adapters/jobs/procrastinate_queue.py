"""Recorded jobs through procrastinate, a task queue that lives in PostgreSQL itself.

The web or API process defers a job (its kind and the record's id) after its transaction
committed; `orderforge worker` processes, on this machine or others, take jobs from the
same database. One generic task carries every kind; the worker dispatches it to the
kind's handler. Jobs of a kind that names a lock run one at a time across all workers
(procrastinate's `lock`). The job carries only the id: the record holds everything
else, so a job delivered twice finds its record already taken and does nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from typing import Any

import procrastinate
import sqlalchemy as sa
from procrastinate import exceptions as procrastinate_errors
from procrastinate import jobs as procrastinate_jobs
from procrastinate.jobs import Status
from procrastinate.manager import JobManager

log = logging.getLogger(__name__)

TASK = "orderforge.run_job"
QUEUE = "orderforge"
#: What plan runs were deferred as before jobs became generic: a worker of this version
#: still takes them, so an upgrade loses none that were waiting.
LEGACY_TASK = "orderforge.execute_plan_run"
LEGACY_QUEUE = "planning"
LEGACY_KIND = "plan_run"
#: A worker silent this long (procrastinate's heartbeat is every 10 s) is taken as dead.
STALLED_AFTER_SECONDS = 60.0
#: How often a worker tries again at once when another worker took a job of the same lock.
FETCH_ATTEMPTS = 3


class LockRaceTolerantJobManager(JobManager):
    """procrastinate's job manager, except that losing a race for a locked job is not fatal.

    Two workers fetching at the same moment can each pick a different waiting job of the
    same lock; the second to mark its job `doing` breaks the unique index on (lock, doing)
    and procrastinate 3.10 lets that error end the worker (procrastinate issues #1242,
    #1599). The loser's job is untouched (its update was rolled back), so the worker tries
    again after a short random pause and, if it keeps losing, reports no job: its next
    poll takes what is left.
    """

    async def fetch_job(self, queues: Any, worker_id: int) -> procrastinate_jobs.Job | None:
        for attempt in range(FETCH_ATTEMPTS):
            try:
                return await super().fetch_job(queues=queues, worker_id=worker_id)
            except procrastinate_errors.UniqueViolation as error:
                log.info(
                    "another worker took a job of the same lock (%s); attempt %d of %d",
                    error.constraint_name,
                    attempt + 1,
                    FETCH_ATTEMPTS,
                )
                await asyncio.sleep(random.uniform(0.02, 0.2))  # noqa: S311 (a jitter, not a secret)
        return None


def conninfo(database_url: str) -> str:
    """libpq connection string from the SQLAlchemy URL (drops the +psycopg driver part)."""
    url = sa.make_url(database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(
    database_url: str, run: Callable[[str, int], object] | None = None
) -> procrastinate.App:
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url))
    )
    app.job_manager = LockRaceTolerantJobManager(connector=app.connector)
    if run is not None:

        def run_job(kind: str, record_id: int) -> None:
            run(kind, record_id)

        def execute_plan_run(run_id: int) -> None:
            run(LEGACY_KIND, run_id)

        app.task(name=TASK, queue=QUEUE, pass_context=False)(run_job)
        app.task(name=LEGACY_TASK, queue=LEGACY_QUEUE, pass_context=False)(execute_plan_run)
    return app


class ProcrastinateJobQueue:
    def __init__(self, database_url: str, locks: Mapping[str, str | None]) -> None:
        """`locks`: every known kind and the lock its jobs share (None: no lock)."""
        self.app = make_app(database_url)
        self.locks = dict(locks)
        self._opened = False

    def submit(self, kind: str, record_id: int) -> None:
        if kind not in self.locks:  # refuse now, in the request, not later in a worker
            raise LookupError(f"No handler for jobs of kind {kind!r}.")
        if not self._opened:
            self.app.open()
            self._opened = True
        self.app.configure_task(TASK, queue=QUEUE, lock=self.locks[kind]).defer(
            kind=kind, record_id=record_id
        )

    def close(self) -> None:
        if self._opened:
            self.app.close()
            self._opened = False


def _job_of(job: Any) -> tuple[str, int]:
    """(kind, record id) of a procrastinate job of ours."""
    args = job.task_kwargs
    if job.task_name == LEGACY_TASK:
        return LEGACY_KIND, int(args["run_id"])
    return str(args["kind"]), int(args["record_id"])


def fail_stalled(
    database_url: str,
    interrupt: Callable[[str, int], None],
    seconds_since_heartbeat: float = STALLED_AFTER_SECONDS,
) -> list[tuple[str, int]]:
    """Jobs whose worker stopped sending its heartbeat (killed, its machine lost) stay
    `doing` in procrastinate and their runs `running`: fail both, so the runs can be
    retried. Called by every worker as it starts; a live worker's jobs are not stalled.
    Returns the (kind, record id) of the jobs it failed."""
    app = make_app(database_url)

    async def fail() -> list[tuple[str, int]]:
        failed: list[tuple[str, int]] = []
        async with app.open_async():
            manager = app.job_manager
            stalled = await manager.get_stalled_jobs(
                seconds_since_heartbeat=seconds_since_heartbeat
            )
            for job in stalled:
                if job.task_name not in (TASK, LEGACY_TASK):
                    continue
                kind, record_id = _job_of(job)
                interrupt(kind, record_id)  # the record first: it is what people see
                await manager.finish_job(job, status=Status.FAILED, delete_job=False)
                failed.append((kind, record_id))
        return failed

    return asyncio.run(fail())


def run_worker(
    database_url: str,
    run: Callable[[str, int], object],
    interrupt: Callable[[str, int], None] | None = None,
    **options: Any,
) -> None:
    """Run a worker in the foreground until stopped (or, with wait=False, until idle);
    with `interrupt`, first fail the runs of workers that died (`fail_stalled`)."""
    if interrupt is not None:
        for kind, record_id in fail_stalled(database_url, interrupt):
            log.warning("%s %s failed: the worker running it stopped", kind, record_id)
    app = make_app(database_url, run)
    app.run_worker(queues=[QUEUE, LEGACY_QUEUE], concurrency=1, **options)
