"""The embedded default's worker: one background thread in the serving process.

SQLite has no way to hand work to other machines, so the server runs recorded jobs
itself, one at a time, in a thread pool of one (the standard library's executor is the
queue), each dispatched to the handler of its kind. Jobs that were queued when the
process stopped are handed back at start-up by the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)


class InProcessJobQueue:
    def __init__(self, run: Callable[[str, int], object], kinds: Collection[str]) -> None:
        """`run(kind, record_id)` carries out one job; `kinds` are the ones it knows."""
        self.run = run
        self.kinds = frozenset(kinds)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orderforge-jobs")
        self.futures: list[Future[object]] = []

    def submit(self, kind: str, record_id: int) -> None:
        if kind not in self.kinds:  # refuse now, in the request, not later in the thread
            raise LookupError(f"No handler for jobs of kind {kind!r}.")
        self.futures = [f for f in self.futures if not f.done()]
        self.futures.append(self.executor.submit(self._run, kind, record_id))

    def _run(self, kind: str, record_id: int) -> object:
        try:
            return self.run(kind, record_id)
        except Exception:  # the handler records failures itself; never kill the thread
            log.exception("job %s %s raised", kind, record_id)
            return None

    def wait(self, timeout: float | None = None) -> None:
        """Block until every submitted job has ended (tests, orderly shutdown)."""
        for future in list(self.futures):
            future.result(timeout=timeout)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
