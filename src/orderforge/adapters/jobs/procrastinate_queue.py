"""Plan jobs through procrastinate, a task queue that lives in PostgreSQL itself.

The web or API process defers a job (the run's id) after its transaction committed;
`orderforge worker` processes, on this machine or others, take jobs from the same
database. The job carries only the id: the run row holds everything else, so a job
delivered twice finds its run already taken and does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import procrastinate
import sqlalchemy as sa

TASK = "orderforge.execute_plan_run"
QUEUE = "planning"


def conninfo(database_url: str) -> str:
    """libpq connection string from the SQLAlchemy URL (drops the +psycopg driver part)."""
    url = sa.make_url(database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(
    database_url: str, handler: Callable[[int], object] | None = None
) -> procrastinate.App:
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url))
    )
    if handler is not None:

        def execute_plan_run(run_id: int) -> None:
            handler(run_id)

        # one plan at a time across all workers: two plans solved side by side would both
        # start from the same current version
        app.task(name=TASK, queue=QUEUE, lock="plant-plan", pass_context=False)(execute_plan_run)
    return app


class ProcrastinateJobQueue:
    def __init__(self, database_url: str) -> None:
        self.app = make_app(database_url)
        self._opened = False

    def submit(self, run_id: int) -> None:
        if not self._opened:
            self.app.open()
            self._opened = True
        self.app.configure_task(TASK, queue=QUEUE, lock="plant-plan").defer(run_id=run_id)

    def close(self) -> None:
        if self._opened:
            self.app.close()
            self._opened = False


def run_worker(database_url: str, handler: Callable[[int], object], **options: Any) -> None:
    """Run a worker in the foreground until stopped (or, with wait=False, until idle)."""
    app = make_app(database_url, handler)
    app.run_worker(queues=[QUEUE], concurrency=1, **options)
