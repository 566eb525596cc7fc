"""What forecasting's use cases read, and the keys to ask a unit of work.

The history is read through one port of plain records, answered in SQL over the orders,
their events and production's work orders: a forecast reads every order of two years,
and loading them as aggregates (lines, events, versions) would be most of its time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from orderforge.domain.order import OrderState
from orderforge.services.ports import RepositoryKey
from orderforge.services.runs import RunRepository

FORECAST_RUNS: RepositoryKey[RunRepository] = RepositoryKey("forecast_runs")


@dataclass(frozen=True)
class LineRecord:
    family: str
    quantity: int
    spec: dict[str, str]
    #: price of one unit when quoted (None: not priced)
    unit_price: Decimal | None


@dataclass(frozen=True)
class OrderRecord:
    """An order as demand: when it was asked for, when (if) it was won or lost."""

    number: str
    customer_id: int
    customer: str
    state: OrderState
    created_at: dt.datetime
    #: when the customer confirmed it (None: never confirmed)
    confirmed_at: dt.datetime | None
    #: when a quote that was never confirmed was cancelled (lost)
    lost_at: dt.datetime | None
    promise_date: dt.date | None
    lines: tuple[LineRecord, ...]
    #: when its delivery was confirmed (None: not delivered)
    delivered_at: dt.datetime | None = None

    @property
    def value(self) -> Decimal:
        return sum(
            (line.unit_price * line.quantity for line in self.lines if line.unit_price is not None),
            Decimal(0),
        )


@dataclass(frozen=True)
class MaterialUse:
    """A material the production work of one order needed (its current work orders)."""

    order_number: str
    item_code: str
    name: str
    unit: str
    quantity: Decimal


@dataclass(frozen=True)
class WorkDone:
    """One operation of an order's current production work: where it runs and how long
    its planned work is (setup plus run time for the work order's quantity)."""

    order_number: str
    family: str
    quantity: int
    work_centre: str
    minutes: float
    started_at: dt.datetime | None


class DemandHistory(Protocol):
    def orders(self, since: dt.datetime) -> list[OrderRecord]:
        """Orders created since the moment, oldest first, with their lines."""
        ...

    def materials(self, orders: Collection[str]) -> list[MaterialUse]:
        """What the current production work orders of these orders need."""
        ...

    def work(self, orders: Collection[str]) -> list[WorkDone]:
        """The operations of these orders' current production work orders."""
        ...


DEMAND_HISTORY: RepositoryKey[DemandHistory] = RepositoryKey("demand_history")
