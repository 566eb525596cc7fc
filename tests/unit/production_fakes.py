"""In-memory work order repository (registered in tests/unit/fakes.py FAKE_REPOSITORIES)."""

from __future__ import annotations

import itertools
from collections.abc import Collection
from contextlib import AbstractContextManager, nullcontext

from orderforge.production.domain import (
    CURRENT_STATUSES,
    OpenOperation,
    Report,
    WorkOrder,
    WorkOrderHeader,
    open_operations,
)
from orderforge.services.ports import DuplicateRecord

_ids = itertools.count(1)


class FakeWorkOrders:
    def __init__(self) -> None:
        self.rows: list[WorkOrder] = []
        self.facts: list[Report] = []
        #: every work order handed out, whose events the fake unit of work collects
        self.seen = self.rows

    def add(self, work_order: WorkOrder) -> None:
        work_order.id = next(_ids)
        self.rows.append(work_order)

    def get(self, number: str) -> WorkOrder | None:
        return next((w for w in self.rows if w.number == number), None)

    def lock(self, number: str) -> WorkOrder | None:
        return self.get(number)

    def deferred_writes(self) -> AbstractContextManager[object]:
        return nullcontext()

    def for_order(self, order_number: str) -> list[WorkOrder]:
        found = [w for w in self.rows if w.order_number == order_number and not w.is_prototype]
        return sorted(found, key=lambda w: (w.line_no, w.revision))

    def prototypes_for(self, order_number: str) -> list[WorkOrder]:
        found = [w for w in self.rows if w.order_number == order_number and w.is_prototype]
        return sorted(found, key=lambda w: (w.line_no, w.revision))

    def current_for(self, order_numbers: Collection[str]) -> list[WorkOrder]:
        return sorted(
            (
                w
                for w in self.rows
                if w.order_number in order_numbers
                and w.status in CURRENT_STATUSES
                and not w.is_prototype
            ),
            key=lambda w: (w.order_number, w.line_no),
        )

    def headers(self, numbers: Collection[str]) -> list[WorkOrderHeader]:
        found = sorted((w for w in self.rows if w.number in numbers), key=lambda w: w.number)
        return [WorkOrderHeader.of(w) for w in found]

    def recent(self, limit: int = 200) -> list[WorkOrder]:
        return sorted(self.rows, key=lambda w: w.id or 0, reverse=True)[:limit]

    def open_operations_at(self, work_centre: str) -> list[OpenOperation]:
        return [
            found
            for w in sorted(self.rows, key=lambda w: w.number)
            for found in open_operations(w, work_centre)
        ]

    def add_report(self, report: Report) -> None:
        if report.key is not None and self.report(report.actor, report.key) is not None:
            raise DuplicateRecord(f"report key {report.key!r} is taken")
        self.facts.append(report)

    def report(self, actor: str, key: str) -> Report | None:
        return next((r for r in self.facts if (r.actor, r.key) == (actor, key)), None)

    def reports(self, work_order: str) -> list[Report]:
        return [r for r in self.facts if r.work_order == work_order]
