"""Shipments of orders: packing, shipping and delivery confirmation (pure domain).

A shipment carries part or all of an order that is ready to ship, in packages (each
with its dimensions, gross weight and contents: order line and quantity). It is packed,
then shipped with a carrier and a tracking number, then confirmed delivered on a date
with the name of who received it; a shipment still being packed may be cancelled, which
frees its quantities for another. A package is a fact once packed: to pack differently,
cancel the shipment and pack a new one, so the record shows what really left.

On-time delivery (OTD) compares the day an order was delivered (its last shipment's
delivery date) with the promise date; orders delivered without a promise are counted
apart, never as on time or late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.events import DomainEvent, notify
from orderforge.domain.text import check_text

AGGREGATE = "shipment"
MAX_PACKAGES = 200
MAX_CONTENTS = 100
MAX_NOTE = 2000
MAX_NAME = 120
MAX_TRACKING = 60
#: a pallet truck's load, not a container ship's
MAX_WEIGHT_KG = Decimal("5000")
MIN_WEIGHT_KG = Decimal("0.01")
MAX_SIDE_CM = Decimal("1500")
MAX_QUANTITY = 100_000


class ShipmentStatus(StrEnum):
    PACKING = "packing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            ShipmentStatus.PACKING: "Being packed",
            ShipmentStatus.SHIPPED: "On its way",
            ShipmentStatus.DELIVERED: "Delivered",
            ShipmentStatus.CANCELLED: "Cancelled",
        }[self]

    @property
    def counts(self) -> bool:
        """Whether its contents are taken from the order (every status but cancelled)."""
        return self is not ShipmentStatus.CANCELLED


@dataclass(frozen=True)
class Carrier:
    """A carrier the plant ships with; `tracking_url` has `{tracking}` where the
    tracking number goes (empty: the carrier has no tracking page, e.g. the own truck)."""

    code: str
    name: str
    tracking_url: str = ""

    def link(self, tracking: str) -> str:
        if not self.tracking_url or not tracking:
            return ""
        return self.tracking_url.replace("{tracking}", quote(tracking, safe=""))


@dataclass(frozen=True)
class PackageItem:
    line_no: int
    quantity: int


@dataclass(frozen=True)
class Package:
    number: int
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal
    weight_kg: Decimal
    contents: tuple[PackageItem, ...]


def number(text: Any, field_name: str, low: Decimal, high: Decimal, unit: str) -> Decimal:
    """A positive measure within bounds, from what a person typed ("12,5" too)."""
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(f"{text!r} is not a number.", field=field_name) from None
    if not value.is_finite() or not low <= value <= high:
        raise InvalidInput(
            f"{field_name} is between {low} and {high} {unit}, not {text}.", field=field_name
        )
    return value.quantize(Decimal("0.01"))


def package_from(data: Mapping[str, Any], index: int) -> Package:
    """One package as entered (a mapping with length_cm, width_cm, height_cm, weight_kg
    and contents [{line, quantity}]), checked field by field."""
    at = f"packages[{index}]"
    sides = [
        number(data.get(side), f"{at}.{side}", Decimal("1"), MAX_SIDE_CM, "cm")
        for side in ("length_cm", "width_cm", "height_cm")
    ]
    weight = number(data.get("weight_kg"), f"{at}.weight_kg", MIN_WEIGHT_KG, MAX_WEIGHT_KG, "kg")
    raw = data.get("contents")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CONTENTS:
        raise InvalidInput(
            f"{at}: say what is in the package (1 to {MAX_CONTENTS} order lines).",
            field=f"{at}.contents",
        )
    contents: list[PackageItem] = []
    for j, item in enumerate(raw):
        where = f"{at}.contents[{j}]"
        line = item.get("line") if isinstance(item, Mapping) else None
        quantity = item.get("quantity") if isinstance(item, Mapping) else None
        if not isinstance(line, int) or isinstance(line, bool) or not 1 <= line <= 10_000:
            raise InvalidInput(f"{where}: line is an order line number.", field=f"{where}.line")
        if (
            not isinstance(quantity, int)
            or isinstance(quantity, bool)
            or not 1 <= quantity <= MAX_QUANTITY
        ):
            raise InvalidInput(
                f"{where}: quantity is a whole number from 1 to {MAX_QUANTITY}.",
                field=f"{where}.quantity",
            )
        contents.append(PackageItem(line, quantity))
    return Package(index + 1, sides[0], sides[1], sides[2], weight, tuple(contents))


def open_quantities(ordered: Mapping[int, int], shipments: Iterable[Shipment]) -> dict[int, int]:
    """Per order line: what no shipment (but a cancelled one) holds yet."""
    left = dict(ordered)
    for s in shipments:
        if s.status.counts:
            for line, quantity in s.quantities().items():
                left[line] = left.get(line, 0) - quantity
    return left


def shipped_quantities(shipments: Iterable[Shipment]) -> dict[int, int]:
    """Per order line: what has left the plant (shipped or delivered)."""
    out: dict[int, int] = {}
    for s in shipments:
        if s.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
            for line, quantity in s.quantities().items():
                out[line] = out.get(line, 0) + quantity
    return out


def all_shipped(ordered: Mapping[int, int], shipments: Iterable[Shipment]) -> bool:
    shipped = shipped_quantities(shipments)
    return all(shipped.get(line, 0) >= quantity for line, quantity in ordered.items())


def all_delivered(shipments: Iterable[Shipment]) -> bool:
    counted = [s for s in shipments if s.status.counts]
    return bool(counted) and all(s.status is ShipmentStatus.DELIVERED for s in counted)


@dataclass(eq=False)
class Shipment:
    """One shipment of one order (aggregate)."""

    number: str
    order_number: str
    packages: list[Package]
    packed_by: str
    packed_at: dt.datetime
    status: ShipmentStatus = ShipmentStatus.PACKING
    #: staff only: never shown to the customer, nor printed
    packing_note: str = ""
    carrier: str = ""
    tracking_number: str = ""
    shipped_by: str = ""
    shipped_at: dt.datetime | None = None
    delivered_on: dt.date | None = None
    received_by: str = ""
    #: staff only, like the packing note (e.g. "one corner of box 2 dented")
    delivery_remark: str = ""
    confirmed_by: str = ""
    confirmed_at: dt.datetime | None = None
    id: int | None = None
    version: int = 1
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def pack(
        cls,
        *,
        number: str,
        order_number: str,
        packages: list[Package],
        open_lines: Mapping[int, int],
        actor: str,
        at: dt.datetime,
        note: str = "",
    ) -> Shipment:
        """Pack a shipment; `open_lines` is each order line's quantity not yet held by
        another shipment: the contents may never exceed it."""
        if not 1 <= len(packages) <= MAX_PACKAGES:
            raise InvalidInput(f"Pack 1 to {MAX_PACKAGES} packages.", field="packages")
        taken: dict[int, int] = {}
        for p in packages:
            for j, item in enumerate(p.contents):
                where = f"packages[{p.number - 1}].contents[{j}]"
                if item.line_no not in open_lines:
                    lines = ", ".join(str(n) for n in sorted(open_lines))
                    raise InvalidInput(
                        f"Order {order_number} has no line {item.line_no} (its lines: {lines}).",
                        field=f"{where}.line",
                    )
                taken[item.line_no] = taken.get(item.line_no, 0) + item.quantity
                if taken[item.line_no] > open_lines[item.line_no]:
                    left = open_lines[item.line_no]
                    raise InvalidInput(
                        f"Line {item.line_no} of order {order_number} has {left} left to "
                        f"ship; the packages hold {taken[item.line_no]}.",
                        field=f"{where}.quantity",
                    )
        shipment = cls(
            number=number,
            order_number=order_number,
            packages=list(packages),
            packed_by=actor,
            packed_at=at,
            packing_note=_note(note, "note"),
        )
        shipment._record(
            "shipment_packed",
            actor,
            at,
            packages=len(packages),
            contents={str(k): v for k, v in sorted(taken.items())},
        )
        return shipment

    # -- queries -----------------------------------------------------------------------

    def quantities(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for p in self.packages:
            for item in p.contents:
                out[item.line_no] = out.get(item.line_no, 0) + item.quantity
        return out

    @property
    def gross_weight_kg(self) -> Decimal:
        return sum((p.weight_kg for p in self.packages), Decimal("0"))

    # -- commands ----------------------------------------------------------------------

    def ship(self, *, carrier: Carrier, tracking_number: str, actor: str, at: dt.datetime) -> None:
        self._require(ShipmentStatus.PACKING, "shipped")
        tracking = check_text(tracking_number, "tracking_number").strip()
        if len(tracking) > MAX_TRACKING or any(c.isspace() for c in tracking):
            raise InvalidInput(
                f"A tracking number is up to {MAX_TRACKING} characters without spaces.",
                field="tracking_number",
            )
        if carrier.tracking_url and not tracking:
            raise InvalidInput(
                f"{carrier.name} gives a tracking number: enter it, so the customer can "
                "follow the shipment.",
                field="tracking_number",
            )
        self.status = ShipmentStatus.SHIPPED
        self.carrier, self.tracking_number = carrier.code, tracking
        self.shipped_by, self.shipped_at = actor, at
        self.version += 1
        self._record(
            "shipment_shipped",
            actor,
            at,
            carrier=carrier.code,
            tracking_number=tracking,
            notify=notify(roles=["sales"], customer=True, exclude=actor),
        )

    def confirm_delivery(
        self,
        *,
        delivered_on: dt.date,
        received_by: str,
        remark: str,
        actor: str,
        at: dt.datetime,
    ) -> None:
        self._require(ShipmentStatus.SHIPPED, "confirmed delivered")
        assert self.shipped_at is not None
        if delivered_on > at.date():
            raise InvalidInput(
                f"{delivered_on:%d %b %Y} is in the future: confirm a delivery once it "
                "has happened.",
                field="delivered_on",
            )
        if delivered_on < self.shipped_at.date():
            raise InvalidInput(
                f"{self.number} left on {self.shipped_at:%d %b %Y}: it cannot have arrived "
                f"on {delivered_on:%d %b %Y}.",
                field="delivered_on",
            )
        name = check_text(received_by, "received_by").strip()
        if not name or len(name) > MAX_NAME:
            raise InvalidInput(
                f"Who received it? A name of 1 to {MAX_NAME} characters.", field="received_by"
            )
        self.status = ShipmentStatus.DELIVERED
        self.delivered_on, self.received_by = delivered_on, name
        self.delivery_remark = _note(remark, "note")
        self.confirmed_by, self.confirmed_at = actor, at
        self.version += 1
        self._record(
            "shipment_delivered",
            actor,
            at,
            delivered_on=delivered_on.isoformat(),
            received_by=name,
        )

    def cancel(self, *, actor: str, at: dt.datetime, reason: str) -> None:
        self._require(ShipmentStatus.PACKING, "cancelled")
        reason = _note(reason, "reason")
        if not reason:
            raise InvalidInput("Say why the shipment is cancelled.", field="reason")
        self.status = ShipmentStatus.CANCELLED
        self.version += 1
        self._record("shipment_cancelled", actor, at, reason=reason)

    def _require(self, status: ShipmentStatus, verb: str) -> None:
        if self.status is not status:
            raise IllegalTransition(
                f"Shipment {self.number} is {self.status.label.lower()}: only a shipment "
                f"that is {status.label.lower()} can be {verb}."
            )

    def _record(self, kind: str, actor: str, at: dt.datetime, **data: Any) -> None:
        self.pending_events.append(
            DomainEvent(
                aggregate=AGGREGATE,
                aggregate_key=self.number,
                kind=kind,
                actor=actor,
                occurred_at=at,
                data={"order_number": self.order_number, **data},
            )
        )


def _note(text: str, field_name: str) -> str:
    text = check_text(text, field_name).strip()
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"{field_name} is at most {MAX_NOTE} characters.", field=field_name)
    return text


# -- on-time delivery ------------------------------------------------------------------


class OnTimeBy(StrEnum):
    CUSTOMER = "customer"
    FAMILY = "family"
    MONTH = "month"


@dataclass(frozen=True)
class DeliveredOrder:
    order_number: str
    customer: str
    families: tuple[str, ...]
    delivered_on: dt.date
    promise_date: dt.date | None

    @property
    def on_time(self) -> bool | None:
        """None without a promise: neither on time nor late."""
        if self.promise_date is None:
            return None
        return self.delivered_on <= self.promise_date


@dataclass(frozen=True)
class OnTimeRow:
    key: str
    #: delivered orders with a promise date
    promised: int
    on_time: int
    #: delivered orders without a promise date, counted apart
    unpromised: int

    @property
    def late(self) -> int:
        return self.promised - self.on_time

    @property
    def percent(self) -> Decimal | None:
        if not self.promised:
            return None
        return (Decimal(100) * self.on_time / self.promised).quantize(Decimal("0.1"))


def delivered_order(
    order_number: str,
    customer: str,
    families: Iterable[str],
    shipments: Iterable[Shipment],
    promise_date: dt.date | None,
) -> DeliveredOrder | None:
    """The order as delivered: on its last shipment's delivery date; None while any
    shipment is still on its way (or none was delivered)."""
    counted = [s for s in shipments if s.status.counts]
    if not all_delivered(counted):
        return None
    last = max(s.delivered_on for s in counted if s.delivered_on is not None)
    return DeliveredOrder(order_number, customer, tuple(sorted(set(families))), last, promise_date)


def on_time(orders: Iterable[DeliveredOrder], by: OnTimeBy) -> list[OnTimeRow]:
    """OTD per customer, family (an order with two families counts in both) or month of
    delivery ("2026-11"), sorted by key; months in time order."""
    counts: dict[str, list[int]] = {}
    for o in orders:
        if by is OnTimeBy.CUSTOMER:
            keys: tuple[str, ...] = (o.customer,)
        elif by is OnTimeBy.FAMILY:
            keys = o.families or ("—",)
        else:
            keys = (f"{o.delivered_on:%Y-%m}",)
        for key in keys:
            row = counts.setdefault(key, [0, 0, 0])
            if o.on_time is None:
                row[2] += 1
            else:
                row[0] += 1
                row[1] += int(o.on_time)
    return [OnTimeRow(k, *counts[k]) for k in sorted(counts)]
