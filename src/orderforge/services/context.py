"""What every use case needs, bundled so signatures stay short and tests swap it whole."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orderforge.services.ports import Clock, PasswordHasher, UnitOfWorkFactory


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ServiceContext:
    uow: UnitOfWorkFactory
    clock: Clock
    hasher: PasswordHasher
