"""The promise watch `orderforge serve` runs: every few minutes
(ORDERFORGE_PROMISE_WATCH_SECONDS) one pass over the orders on the floor, so an operation
that simply runs on past its planned end raises the promise-at-risk alert without
waiting for a report or the next plan run."""

from __future__ import annotations

from orderforge.adapters.periodic import PeriodicWorker
from orderforge.promising.services import watch_all
from orderforge.services.context import ServiceContext


class PromiseWatch(PeriodicWorker):
    def __init__(self, ctx: ServiceContext, interval: float) -> None:
        super().__init__("promise-watch", interval, lambda: watch_all(ctx))
