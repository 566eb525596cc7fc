"""Production ports: what the production use cases need from storage."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager
from typing import Protocol

from orderforge.production.domain import (
    IssuedLot,
    OpenOperation,
    Report,
    UnitSerial,
    WorkOrder,
    WorkOrderHeader,
)
from orderforge.services.ports import RepositoryKey


class WorkOrderRepository(Protocol):
    def add(self, work_order: WorkOrder) -> None: ...
    def get(self, number: str) -> WorkOrder | None: ...
    def lock(self, number: str) -> WorkOrder | None:
        """Get a work order and hold it until commit: concurrent reports take turns."""
        ...

    def deferred_writes(self) -> AbstractContextManager[object]:
        """Read without first writing the transaction's pending changes, so an event
        handler's reads do not store the triggering command's changes twice (each
        write moves an order's version); this repository still sees what was added."""
        ...

    def for_order(self, order_number: str) -> list[WorkOrder]:
        """Every revision of the order's production work orders, by line then revision
        (never a prototype: it is not the order's product)."""
        ...

    def prototypes_for(self, order_number: str) -> list[WorkOrder]:
        """The order's prototype work orders, by line then revision (oldest first)."""
        ...

    def current_for(self, order_numbers: Collection[str]) -> list[WorkOrder]:
        """The current (not superseded, not cancelled) production work orders of these
        orders."""
        ...

    def headers(self, numbers: Collection[str]) -> list[WorkOrderHeader]:
        """These work orders (any kind, any status) as headers, by number: what a trace
        lists of each, read as rows."""
        ...

    def recent(self, limit: int = 200) -> list[WorkOrder]: ...
    def open_operations_at(self, work_centre: str) -> list[OpenOperation]:
        """The operations not done of open and in-progress work orders that may run on
        this work centre (the floor's queue picks from them), by work order and number;
        the rule is `production.domain.open_operations`."""
        ...

    def add_report(self, report: Report) -> None: ...
    def report(self, actor: str, key: str) -> Report | None: ...
    def reports(self, work_order: str) -> list[Report]: ...


WORK_ORDERS: RepositoryKey[WorkOrderRepository] = RepositoryKey("work_orders")


class QualityGate(Protocol):
    """What the quality context says about starting work (production cannot import it)."""

    def holding(self, work_order: str, seqs: Collection[int]) -> str | None:
        """Why work after these operations must wait (a failed inspection not yet
        decided), in words; None when nothing holds it."""
        ...

    def inspection_of(self, work_order: WorkOrder, seq: int) -> str | None:
        """The state of the operation's inspection in words ("Open", "Passed"...), or
        None when no inspection plan covers it."""
        ...

    def scrap_causes(self) -> dict[str, str]:
        """The cause codes scrap may be reported with (code -> label), from quality's
        catalogue of defect causes."""
        ...


QUALITY_GATE: RepositoryKey[QualityGate] = RepositoryKey("quality_gate")


class LotIssues(Protocol):
    """Issuing stock lots to operations (production cannot import materials, which owns
    lot quantities: an issue is a stock movement, so materials keeps the record and
    answers this port from its storage; the floor screen, the API and the CLI reach it
    through production's use case)."""

    def issue(
        self, work_order: WorkOrder, seq: int, issue: IssuedLot, key: str | None
    ) -> IssuedLot:
        """Take `issue.quantity` of the lot for the operation, or refuse in words (unknown
        lot, not an item the operation needs, more than the lot has left); raises
        DuplicateRecord when the key was used meanwhile."""
        ...

    def issued(self, actor: str, key: str) -> IssuedLot | None:
        """The issue this user made with this idempotency key, if any."""
        ...

    def issued_to(self, work_order: str) -> list[IssuedLot]:
        """What was issued to the work order's operations, oldest first."""
        ...


LOT_ISSUES: RepositoryKey[LotIssues] = RepositoryKey("lot_issues")


class SerialRepository(Protocol):
    def add(self, serials: list[UnitSerial]) -> None: ...
    def get(self, serial: str) -> UnitSerial | None: ...
    def of_work_orders(self, numbers: Collection[str]) -> list[UnitSerial]:
        """The units these work orders made, by serial."""
        ...

    def of_order(self, order_number: str) -> list[UnitSerial]:
        """The units made for an order, by line then serial."""
        ...


UNIT_SERIALS: RepositoryKey[SerialRepository] = RepositoryKey("unit_serials")
