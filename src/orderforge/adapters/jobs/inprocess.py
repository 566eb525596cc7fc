"""The embedded default's worker: one background thread in the serving process.

SQLite has no way to hand work to other machines, so the server runs plan jobs itself, one
at a time, in a thread pool of one (the standard library's executor is the queue). Jobs
that were queued when the process stopped are handed back at start-up by the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)


class InProcessJobQueue:
    def __init__(self, handler: Callable[[int], object]) -> None:
        self.handler = handler
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orderforge-plan")
        self.futures: list[Future[object]] = []

    def submit(self, run_id: int) -> None:
        self.futures = [f for f in self.futures if not f.done()]
        self.futures.append(self.executor.submit(self._run, run_id))

    def _run(self, run_id: int) -> object:
        try:
            return self.handler(run_id)
        except Exception:  # the handler records failures itself; never kill the thread
            log.exception("plan run %s raised", run_id)
            return None

    def wait(self, timeout: float | None = None) -> None:
        """Block until every submitted job has ended (tests, orderly shutdown)."""
        for future in list(self.futures):
            future.result(timeout=timeout)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
