"""A daemon thread that runs one pass every few seconds until asked to stop: how
`orderforge serve` carries the outbox outside (webhooks, e-mail) without a separate
process. A pass that raises is logged and the next one tries again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class PeriodicWorker:
    def __init__(self, name: str, interval: float, run_pass: Callable[[], object]) -> None:
        self.name = name
        self.interval = interval
        self.run_pass = run_pass
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=f"orderforge-{name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                self.run_pass()
            except Exception:  # a bad pass is logged; the next one tries again
                log.exception("%s pass failed", self.name)
            self.stopping.wait(self.interval)

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the loop to end and wait for the pass in flight (a send lasts at most
        its sender's timeout)."""
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
