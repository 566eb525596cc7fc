"""The webhook worker thread `orderforge serve` runs: one delivery pass every few
seconds (ORDERFORGE_WEBHOOK_POLL_SECONDS), stopped cleanly when the server stops.

Several serving processes may each run one: on PostgreSQL the passes share the work
through row locks (SKIP LOCKED) and claims, so no delivery is sent twice at the same
time."""

from __future__ import annotations

from orderforge.adapters.periodic import PeriodicWorker
from orderforge.services.context import ServiceContext
from orderforge.webhooks.ports import Sender
from orderforge.webhooks.sender import HttpSender
from orderforge.webhooks.services import deliver_due


class WebhookWorker(PeriodicWorker):
    def __init__(self, ctx: ServiceContext, interval: float, sender: Sender | None = None) -> None:
        self.ctx = ctx
        self.sender: Sender = sender or HttpSender()
        super().__init__(
            "webhooks", interval, lambda: deliver_due(ctx, ctx.clock.now(), self.sender)
        )
