"""Materials as a Make-to-Order shop keeps them (pure domain).

Stock is held in lots (what arrived, when, from which purchase order line, where it
lies), so every piece of material can be traced to its receipt. Suppliers offer items
at a price, a minimum order quantity, a pack size and a lead time; an express offer is
faster and dearer. Purchase orders go draft -> ordered -> partially received ->
received (or cancelled); a receipt creates a lot and may never exceed what is still
open. An MRP run pegs stock and purchases to the orders that need them and proposes
the purchases still missing; the purchasing role accepts, edits or merges proposals.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.text import check_text

ZERO = Decimal(0)
MAX_QUANTITY = Decimal(1_000_000)
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")


def check_quantity(value: Decimal, field_name: str = "quantity") -> Decimal:
    """A positive, finite quantity below a million: zero and negatives are refused."""
    if not value.is_finite() or value <= 0:
        raise InvalidInput(f"{field_name} must be more than zero, not {value}.", field=field_name)
    if value > MAX_QUANTITY:
        raise InvalidInput(f"{field_name} must be at most {MAX_QUANTITY}.", field=field_name)
    if value != value.quantize(Decimal("0.0001")):
        raise InvalidInput(f"{field_name} takes at most 4 decimals, not {value}.", field=field_name)
    return value


def check_code(value: str, field_name: str) -> str:
    value = value.strip().upper()
    if not _CODE.match(value):
        raise InvalidInput(
            f"{field_name} must be 1-40 letters, digits, '.', '_' or '-', not {value!r}.",
            field=field_name,
        )
    return value


class StockingPolicy(StrEnum):
    #: make-to-order: bought for and reserved to one order
    PEGGED = "pegged"
    #: common hardware: kept between a reorder point and a maximum, not reserved
    MIN_MAX = "min_max"


@dataclass(frozen=True)
class ItemPolicy:
    item_code: str
    policy: StockingPolicy
    reorder_point: Decimal = ZERO
    maximum: Decimal = ZERO

    def check(self) -> None:
        if self.policy is StockingPolicy.MIN_MAX:
            if self.reorder_point < 0:
                raise InvalidInput("The reorder point cannot be negative.", field="reorder_point")
            if self.maximum < self.reorder_point or self.maximum <= 0:
                raise InvalidInput(
                    "The maximum must be above zero and at least the reorder point.",
                    field="maximum",
                )


@dataclass(frozen=True)
class Supplier:
    code: str
    name: str

    def check(self) -> None:
        check_code(self.code, "code")
        if not self.name.strip() or len(self.name) > 200:
            raise InvalidInput("A supplier needs a name of 1 to 200 characters.", field="name")
        check_text(self.name, "name")


@dataclass(frozen=True)
class SupplierOffer:
    """What one supplier asks for one item: per unit of the item's unit of measure."""

    supplier_code: str
    item_code: str
    unit_price: Decimal
    currency: str
    minimum: Decimal
    pack_size: Decimal
    lead_time_days: int
    express: bool = False
    id: int | None = None

    def check(self) -> None:
        if not self.unit_price.is_finite() or self.unit_price < 0:
            raise InvalidInput("The price cannot be negative.", field="unit_price")
        check_quantity(self.minimum, "minimum")
        check_quantity(self.pack_size, "pack_size")
        if not 0 <= self.lead_time_days <= 730:
            raise InvalidInput("Lead time must be 0 to 730 days.", field="lead_time_days")
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise InvalidInput("currency must be a 3-letter code (EUR).", field="currency")


@dataclass(frozen=True)
class Lot:
    """A quantity of one item in one place, with where it came from."""

    lot_number: str
    item_code: str
    quantity: Decimal
    location: str
    received_at: dt.datetime
    po_number: str | None = None
    po_line_no: int | None = None
    id: int | None = None


class HoldKind(StrEnum):
    #: an open nonconformance names the lot: kept from the floor until it is decided
    QUARANTINE = "quarantine"
    #: quality sent it back to its supplier: gone from usable stock for good
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {"quarantine": "Quarantined", "returned": "Returned to supplier"}[self.value]


@dataclass(frozen=True)
class LotHold:
    """Why a lot may not be used, and who said so. Held lots are not issued and do not
    count as stock for the MRP or a promise; a hold is released, never deleted."""

    lot_number: str
    kind: HoldKind
    ncr: str
    reason: str
    placed_by: str
    placed_at: dt.datetime
    released_by: str | None = None
    released_at: dt.datetime | None = None
    id: int | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None

    def refusal(self) -> str:
        if self.kind is HoldKind.RETURNED:
            return (
                f"Lot {self.lot_number} was returned to its supplier ({self.ncr}): "
                "it cannot be issued."
            )
        return (
            f"Lot {self.lot_number} is quarantined while {self.ncr} is open: "
            "quality must decide it before it can be issued."
        )


class PoStatus(StrEnum):
    DRAFT = "draft"
    ORDERED = "ordered"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


#: Purchase orders whose open lines are supply the MRP counts on.
OPEN_STATUSES = frozenset({PoStatus.DRAFT, PoStatus.ORDERED, PoStatus.PARTIALLY_RECEIVED})


@dataclass(eq=False)
class PurchaseOrderLine:
    line_no: int
    item_code: str
    quantity: Decimal
    unit_price: Decimal
    expected_at: dt.datetime
    received_quantity: Decimal = ZERO
    id: int | None = None
    purchase_order_id: int | None = None

    @property
    def open_quantity(self) -> Decimal:
        return self.quantity - self.received_quantity


@dataclass(frozen=True)
class LineIn:
    """A line asked for, before it belongs to a purchase order."""

    item_code: str
    quantity: Decimal
    unit_price: Decimal
    expected_at: dt.datetime


@dataclass(eq=False)
class PurchaseOrder:
    number: str
    supplier_code: str
    status: PoStatus
    currency: str
    order_by: dt.date
    created_at: dt.datetime
    created_by: str
    lines: list[PurchaseOrderLine] = field(default_factory=list)
    id: int | None = None
    version: int = 1

    @classmethod
    def create(
        cls,
        *,
        number: str,
        supplier_code: str,
        currency: str,
        order_by: dt.date,
        lines: list[LineIn],
        status: PoStatus,
        actor: str,
        at: dt.datetime,
    ) -> PurchaseOrder:
        if not lines:
            raise InvalidInput("A purchase order needs at least one line.", field="lines")
        if order_by < at.date():
            raise InvalidInput(
                f"The order-by date {order_by.isoformat()} is in the past.", field="order_by"
            )
        made = []
        for i, line in enumerate(lines, start=1):
            check_quantity(line.quantity, f"lines[{i - 1}].quantity")
            if line.expected_at.date() < order_by:
                raise InvalidInput(
                    f"Line {i} would arrive before it is ordered.",
                    field=f"lines[{i - 1}].expected_on",
                )
            made.append(
                PurchaseOrderLine(
                    i, line.item_code, line.quantity, line.unit_price, line.expected_at
                )
            )
        return cls(number, supplier_code, status, currency, order_by, at, actor, made)

    def line(self, line_no: int) -> PurchaseOrderLine:
        found = next((x for x in self.lines if x.line_no == line_no), None)
        if found is None:
            known = ", ".join(str(x.line_no) for x in self.lines)
            raise InvalidInput(
                f"{self.number} has no line {line_no}; its lines are {known}.", field="line"
            )
        return found

    def place(self) -> None:
        if self.status is not PoStatus.DRAFT:
            raise IllegalTransition(f"{self.number} is {self.status.label.lower()}, not a draft.")
        self.status = PoStatus.ORDERED

    def cancel(self) -> None:
        if self.status not in (PoStatus.DRAFT, PoStatus.ORDERED):
            raise IllegalTransition(
                f"{self.number} is {self.status.label.lower()}; only a draft or an ordered "
                "purchase order with nothing received can be cancelled."
            )
        self.status = PoStatus.CANCELLED

    def reschedule(self, line_no: int, expected_at: dt.datetime, at: dt.datetime) -> dt.datetime:
        """The supplier's new arrival date for what is still open on a line (a delay,
        or goods coming early); returns the date it replaces."""
        if self.status not in OPEN_STATUSES:
            raise IllegalTransition(
                f"{self.number} is {self.status.label.lower()}; only an open purchase order "
                "can get a new arrival date."
            )
        line = self.line(line_no)
        if line.open_quantity <= 0:
            raise IllegalTransition(
                f"Line {line_no} of {self.number} is fully received; nothing is still to arrive."
            )
        if expected_at.date() < at.date():
            raise InvalidInput(
                f"The arrival date {expected_at.date().isoformat()} is in the past.",
                field="expected_on",
            )
        if expected_at.date() < self.order_by:
            raise InvalidInput(
                f"The arrival date {expected_at.date().isoformat()} is before the order-by date "
                f"{self.order_by.isoformat()}.",
                field="expected_on",
            )
        before, line.expected_at = line.expected_at, expected_at
        return before

    def receive(
        self, line_no: int, quantity: Decimal, *, lot_number: str, location: str, at: dt.datetime
    ) -> Lot:
        """Book what arrived on a line as a new lot; never more than is still open."""
        if self.status not in (PoStatus.ORDERED, PoStatus.PARTIALLY_RECEIVED):
            raise IllegalTransition(
                f"{self.number} is {self.status.label.lower()}; only an ordered purchase order "
                "can be received."
            )
        line = self.line(line_no)
        check_quantity(quantity)
        if quantity > line.open_quantity:
            raise InvalidInput(
                f"Only {line.open_quantity} of line {line_no} of {self.number} is still open; "
                f"{quantity} cannot be received.",
                field="quantity",
            )
        line.received_quantity += quantity
        done = all(x.open_quantity == 0 for x in self.lines)
        self.status = PoStatus.RECEIVED if done else PoStatus.PARTIALLY_RECEIVED
        return Lot(
            lot_number=lot_number,
            item_code=line.item_code,
            quantity=quantity,
            location=location,
            received_at=at,
            po_number=self.number,
            po_line_no=line_no,
        )

    @property
    def total(self) -> Decimal:
        return sum((x.quantity * x.unit_price for x in self.lines), ZERO)


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    #: Withdrawn while it waited; it never ran.
    CANCELLED = "cancelled"


@dataclass(eq=False)
class MrpRun:
    """One MRP run: who asked, how far it got, what it found."""

    requested_by: str
    requested_at: dt.datetime
    status: RunStatus = RunStatus.QUEUED
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    #: share done, 0 to 1
    progress: float = 0.0
    #: requirements, covered by stock / purchases / proposals, missing, proposals, late
    counts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    id: int | None = None
    #: The failed run this one repeats.
    retry_of: int | None = None

    def start(self, at: dt.datetime) -> None:
        if self.status is not RunStatus.QUEUED:
            raise IllegalTransition(f"MRP run {self.id} is {self.status.value}, not queued.")
        self.status, self.started_at = RunStatus.RUNNING, at

    def finish(self, counts: dict[str, Any], at: dt.datetime) -> None:
        if self.status is not RunStatus.RUNNING:
            raise IllegalTransition(f"MRP run {self.id} is {self.status.value}, not running.")
        self.status, self.finished_at, self.counts, self.progress = RunStatus.DONE, at, counts, 1.0

    def fail(self, error: str, at: dt.datetime) -> None:
        if self.ended:
            raise IllegalTransition(f"MRP run {self.id} has already ended ({self.status.value}).")
        self.status, self.finished_at, self.error = RunStatus.FAILED, at, error

    def cancel(self, by: str, at: dt.datetime) -> None:
        """Withdraw a run that still waits; a running one replaces the result in one
        transaction, so it is left to finish."""
        if self.status is RunStatus.RUNNING:
            raise IllegalTransition(
                f"MRP run {self.id} is already running and cannot be cancelled; wait for it to end."
            )
        if self.status is not RunStatus.QUEUED:
            raise IllegalTransition(
                f"MRP run {self.id} has already ended ({self.status.value}); only a queued "
                "run can be cancelled."
            )
        self.status, self.finished_at = RunStatus.CANCELLED, at
        self.error = f"Cancelled by {by} before it ran."

    def retry(self, by: str, at: dt.datetime) -> MrpRun:
        """A new queued run linked to this failed one (an MRP run's input is the plant's
        state when it runs, so nothing else is copied)."""
        if self.status is not RunStatus.FAILED:
            raise IllegalTransition(
                f"MRP run {self.id} is {self.status.value}; only a failed run can be retried "
                "(ask for a new run instead)."
            )
        return MrpRun(requested_by=by, requested_at=at, retry_of=self.id)

    @property
    def ended(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED)


@dataclass(frozen=True)
class Peg:
    """Part of one order's material need and what covers it, from the latest MRP run.

    `source` is stock, purchase, proposal or missing; `ref` the lot number, the purchase
    line ("PO-2026-0004/1") or the proposal's id."""

    run_id: int
    order_number: str
    line_no: int
    work_order: str
    operation: str
    item_code: str
    item_name: str
    unit: str
    quantity: Decimal
    source: str
    ref: str
    need_at: dt.datetime
    available_at: dt.datetime | None


@dataclass(frozen=True)
class Proposal:
    """A purchase the MRP proposes; replaced by the next run unless accepted."""

    run_id: int
    item_code: str
    supplier_code: str
    quantity: Decimal
    unit_price: Decimal
    currency: str
    order_by: dt.date
    arrives_at: dt.datetime
    need_at: dt.datetime
    late: bool
    reason: str
    orders: tuple[str, ...]
    key: str = ""
    id: int | None = None


@dataclass(frozen=True)
class Availability:
    """When `quantity` of an item can be there for a new order, without taking what is
    pegged to other orders; `cannot_source` says why never (no exception)."""

    item_code: str
    quantity: Decimal
    available_at: dt.datetime | None
    source: str
    cannot_source: str | None = None
    express_at: dt.datetime | None = None
    express_extra_cost: Decimal | None = None
    express_source: str | None = None


# -- issues of stock to work (lot consumption) ---------------------------------------------


@dataclass(frozen=True)
class Consumption:
    """A quantity of one lot issued to one operation of one work order: a stock movement,
    kept as a fact and never changed (a mistake is put right by a new fact, not an edit).

    `key` is the client's idempotency key (None when none was sent); a repeat with the
    same key gets the first answer and takes nothing twice."""

    lot_number: str
    item_code: str
    quantity: Decimal
    work_order: str
    seq: int
    actor: str
    consumed_at: dt.datetime
    fingerprint: str = ""
    key: str | None = None
    id: int | None = None


def consume(
    lot: Lot,
    quantity: Decimal,
    *,
    required: dict[str, str],
    where: str,
    work_order: str,
    seq: int,
    actor: str,
    at: dt.datetime,
    hold: LotHold | None = None,
) -> Consumption:
    """Take `quantity` of `lot` for an operation; `required` is what the operation needs
    (item code -> name), `where` the operation in words for the refusals. A lot never
    goes below zero, only an item the operation requires is issued to it, and a held lot
    (quarantined or returned to its supplier) is not issued at all."""
    check_quantity(quantity)
    if hold is not None and hold.active:
        raise InvalidInput(hold.refusal(), field="lot")
    if lot.item_code not in required:
        needed = ", ".join(sorted(required)) or "no material"
        raise InvalidInput(
            f"Lot {lot.lot_number} is item {lot.item_code}, which {where} does not need "
            f"(it needs {needed}).",
            field="lot",
        )
    if quantity > lot.quantity:
        left = format(lot.quantity.normalize(), "f")
        raise InvalidInput(
            f"Lot {lot.lot_number} has only {left} left; {format(quantity.normalize(), 'f')} "
            "cannot be taken from it.",
            field="quantity",
        )
    return Consumption(lot.lot_number, lot.item_code, quantity, work_order, seq, actor, at)
