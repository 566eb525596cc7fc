"""The webhook worker thread `orderforge serve` runs: one delivery pass every few
seconds (ORDERFORGE_WEBHOOK_POLL_SECONDS), stopped cleanly when the server stops.

Several serving processes may each run one: on PostgreSQL the passes share the work
through row locks (SKIP LOCKED) and claims, so no delivery is sent twice at the same
time."""

from __future__ import annotations

import logging
import threading

from orderforge.services.context import ServiceContext
from orderforge.webhooks.ports import Sender
from orderforge.webhooks.sender import HttpSender
from orderforge.webhooks.services import deliver_due

log = logging.getLogger(__name__)


class WebhookWorker:
    def __init__(self, ctx: ServiceContext, interval: float, sender: Sender | None = None) -> None:
        self.ctx = ctx
        self.interval = interval
        self.sender: Sender = sender or HttpSender()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="orderforge-webhooks", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                deliver_due(self.ctx, self.ctx.clock.now(), self.sender)
            except Exception:  # a bad pass is logged; the next one tries again
                log.exception("webhook delivery pass failed")
            self.stopping.wait(self.interval)

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the loop to end and wait for the pass in flight (a POST lasts at most
        the sender's timeout)."""
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
