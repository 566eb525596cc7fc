"""What every use case needs, bundled so signatures stay short and tests swap it whole."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orderforge.services.ports import (
    Clock,
    JobQueue,
    PasswordHasher,
    QuoteRenderer,
    UnitOfWorkFactory,
)


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ServiceContext:
    uow: UnitOfWorkFactory
    clock: Clock
    hasher: PasswordHasher
    #: Draws quote documents; None where no document adapter is wired (unit tests).
    quotes: QuoteRenderer | None = None
    #: Review every line automatically when an order is confirmed (the plant's setting;
    #: off, engineers decide by hand or run the review themselves).
    review_on_confirm: bool = False
    #: Where plan runs asked for from the web or API go; None runs them in the caller
    #: (CLI, tests).
    jobs: JobQueue | None = None
