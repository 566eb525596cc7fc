"""Recorded jobs through procrastinate, a task queue that lives in PostgreSQL itself.

The web or API process defers a job (its kind and the record's id) after its transaction
committed; `orderforge worker` processes, on this machine or others, take jobs from the
same database. One generic task carries every kind; the worker dispatches it to the
kind's handler. Jobs of a kind that names a lock run one at a time across all workers
(procrastinate's `lock`). The job carries only the id: the record holds everything
else, so a job delivered twice finds its record already taken and does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import procrastinate
import sqlalchemy as sa

TASK = "orderforge.run_job"
QUEUE = "orderforge"
#: What plan runs were deferred as before jobs became generic: a worker of this version
#: still takes them, so an upgrade loses none that were waiting.
LEGACY_TASK = "orderforge.execute_plan_run"
LEGACY_QUEUE = "planning"
LEGACY_KIND = "plan_run"


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


def run_worker(database_url: str, run: Callable[[str, int], object], **options: Any) -> None:
    """Run a worker in the foreground until stopped (or, with wait=False, until idle)."""
    app = make_app(database_url, run)
    app.run_worker(queues=[QUEUE, LEGACY_QUEUE], concurrency=1, **options)
