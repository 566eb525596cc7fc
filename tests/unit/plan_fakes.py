"""In-memory plan repository (the `PlanRepository` port) for the fake unit of work."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable

from orderforge.domain.order import Order
from orderforge.domain.planning import (
    Downtime,
    OperationDelay,
    PlannedOperation,
    PlannedOrder,
    PlanPin,
    PlanRun,
    PlanVersion,
    RunStatus,
)


class FakePlans:
    """Runs, versions, pins and disruptions in lists; ids count from 1 like a table.

    `orders` is the fake order store, because `set_planned_dates` writes onto orders
    (the SQL adapter updates the orders table directly)."""

    def __init__(self, orders: dict[str, Order]) -> None:
        self.orders = orders
        self.run_rows: list[PlanRun] = []
        self.version_rows: dict[int, PlanVersion] = {}
        self.operation_rows: dict[int, list[PlannedOperation]] = {}
        self.order_rows: dict[int, list[PlannedOrder]] = {}
        self.pin_rows: list[tuple[PlanPin, str | None]] = []
        self.downtime_rows: list[Downtime] = []
        self.delay_rows: list[OperationDelay] = []

    def add_run(self, run: PlanRun) -> None:
        run.id = len(self.run_rows) + 1
        self.run_rows.append(run)

    def run(self, run_id: int, lock: bool = False) -> PlanRun | None:
        return next((r for r in self.run_rows if r.id == run_id), None)

    def runs(self, limit: int = 20, status: RunStatus | None = None) -> list[PlanRun]:
        found = [r for r in reversed(self.run_rows) if status is None or r.status is status]
        return found[:limit]

    def add_version(
        self,
        version: PlanVersion,
        operations: Iterable[PlannedOperation],
        orders: Iterable[PlannedOrder],
    ) -> None:
        self.version_rows[version.number] = version
        self.operation_rows[version.number] = list(operations)
        self.order_rows[version.number] = list(orders)

    def latest_version_number(self) -> int | None:
        return max(self.version_rows, default=None)

    def version(self, number: int) -> PlanVersion | None:
        return self.version_rows.get(number)

    def versions(self, limit: int = 50) -> list[PlanVersion]:
        return [self.version_rows[n] for n in sorted(self.version_rows, reverse=True)][:limit]

    def operations(
        self, number: int, orders: Collection[str] | None = None
    ) -> list[PlannedOperation]:
        ops = [
            o
            for o in self.operation_rows.get(number, [])
            if orders is None or o.order_number in orders
        ]
        return sorted(ops, key=lambda o: (o.resource, o.start, o.key))

    def planned_orders(self, number: int) -> list[PlannedOrder]:
        return sorted(self.order_rows.get(number, []), key=lambda o: o.order_number)

    def set_planned_dates(self, number: int, orders: Iterable[PlannedOrder]) -> None:
        for order in self.orders.values():
            if order.plan_version is not None:
                order.planned_start = order.planned_finish = order.plan_version = None
        for planned in orders:
            order = self.orders[planned.order_number]
            order.planned_start = planned.planned_start
            order.planned_finish = planned.planned_finish
            order.plan_version = number

    def add_pin(self, pin: PlanPin) -> PlanPin:
        stored = dataclasses.replace(pin, id=len(self.pin_rows) + 1)
        self.pin_rows.append((stored, None))
        return stored

    def pins(self) -> list[PlanPin]:
        return [pin for pin, removed_by in self.pin_rows if removed_by is None]

    def remove_pin(self, pin_id: int, by: str, at: dt.datetime) -> bool:
        for i, (pin, removed_by) in enumerate(self.pin_rows):
            if pin.id == pin_id and removed_by is None:
                self.pin_rows[i] = (pin, by)
                return True
        return False

    def add_downtime(self, downtime: Downtime) -> Downtime:
        stored = dataclasses.replace(downtime, id=len(self.downtime_rows) + 1)
        self.downtime_rows.append(stored)
        return stored

    def downtimes(self, ending_after: dt.datetime) -> list[Downtime]:
        found = [d for d in self.downtime_rows if d.end > ending_after]
        return sorted(found, key=lambda d: (d.start, d.id or 0))

    def withdraw_downtime(self, downtime_id: int, by: str, at: dt.datetime) -> bool:
        kept = [d for d in self.downtime_rows if d.id != downtime_id]
        found = len(kept) != len(self.downtime_rows)
        self.downtime_rows = kept
        return found

    def add_delay(self, delay: OperationDelay) -> OperationDelay:
        stored = dataclasses.replace(delay, id=len(self.delay_rows) + 1)
        self.delay_rows.append(stored)
        return stored

    def delays(self) -> list[OperationDelay]:
        return list(self.delay_rows)
