"""Shipping use cases: pack a shipment of an order that is ready to ship, ship it with a
carrier and a tracking number, confirm its delivery, cancel one being packed, and read
them. The order's own steps follow: SHIP when every line's quantity has left the plant,
CONFIRM_DELIVERY when every shipment of it has arrived, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput, NotFound
from orderforge.domain.events import DomainEvent
from orderforge.domain.order import Order, OrderAction, OrderState
from orderforge.domain.permissions import CONFIRM, PACK, SHIP, VIEW, Resource, is_allowed, require
from orderforge.domain.user import Role
from orderforge.production.ports import WORK_ORDERS
from orderforge.services.access import load_visible
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.context import ServiceContext, publish
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.services.spec_text import describe_spec
from orderforge.shipping.domain import (
    MAX_NOTE,
    MAX_PACKAGES,
    Carrier,
    Shipment,
    ShipmentStatus,
    all_delivered,
    all_shipped,
    open_quantities,
    package_from,
    shipped_quantities,
)
from orderforge.shipping.ports import SHIPMENT_GATE, SHIPMENTS
from orderforge.shipping.services.views import shipment_view
from orderforge.trace.services.record import shipment_blockers

_NUMBER_PATTERN = "SHP-{year}-{n:04d}"


@dataclass(frozen=True)
class PackShipment:
    order_number: str
    #: each {length_cm, width_cm, height_cm, weight_kg, contents: [{line, quantity}]}
    packages: list[Any]
    note: str = ""


@dataclass(frozen=True)
class ShipShipment:
    number: str
    carrier: str
    tracking_number: str = ""


@dataclass(frozen=True)
class ConfirmDelivery:
    number: str
    delivered_on: dt.date
    received_by: str
    note: str = ""


# -- reading -------------------------------------------------------------------------------


def line_titles(uow: UnitOfWork, order: Order) -> dict[int, str]:
    """Each order line in words: "Dining table — Wood: Walnut, Length: 2000 mm"."""
    out: dict[int, str] = {}
    for line in order.lines:
        try:
            family = family_of(entry_for(uow, line.product_family, line.catalogue_version))
            name = family.name
        except NotFound:
            family, name = None, line.product_family
        spec = ", ".join(f"{k}: {v}" for k, v in describe_spec(family, dict(line.spec)))
        out[line.line_no] = f"{name} — {spec}" if spec else name
    return out


def carriers_by_code(uow: UnitOfWork) -> dict[str, Carrier]:
    return {c.code: c for c in uow.repository(SHIPMENTS).carriers()}


def list_carriers(ctx: ServiceContext, actor: Principal) -> list[dict[str, str]]:
    require(actor.role, Resource.SHIPMENT, VIEW)
    with ctx.uow() as uow:
        return [
            {"code": c.code, "name": c.name, "tracking_url": c.tracking_url}
            for c in uow.repository(SHIPMENTS).carriers()
        ]


def _view(uow: UnitOfWork, shipment: Shipment, order: Order, actor: Principal) -> dict[str, Any]:
    return shipment_view(shipment, actor, carriers_by_code(uow), line_titles(uow, order))


def load_shipment(uow: UnitOfWork, actor: Principal, number: str) -> tuple[Shipment, Order]:
    shipment = uow.repository(SHIPMENTS).get(number.strip().upper())
    if shipment is None:
        raise NotFound(f"There is no shipment {number}.")
    try:
        order = load_visible(uow, actor, shipment.order_number)
    except NotFound:  # another customer's shipment looks like a missing one
        raise NotFound(f"There is no shipment {number}.") from None
    return shipment, order


def get_shipment(ctx: ServiceContext, actor: Principal, number: str) -> dict[str, Any]:
    require(actor.role, Resource.SHIPMENT, VIEW)
    with ctx.uow() as uow:
        shipment, order = load_shipment(uow, actor, number)
        return _view(uow, shipment, order, actor)


def blocking(uow: UnitOfWork, order_number: str) -> list[str]:
    """What must be done before the order may ship: the device history record of every
    regulated unit complete (traceability, below shipping, asked directly), and what any
    other context answers on the SHIPMENT_GATE port."""
    held = shipment_blockers(uow, order_number)
    try:
        gate = uow.repository(SHIPMENT_GATE)
    except LookupError:  # nothing wired: nothing else holds it
        return held
    return held + list(gate.blocking(order_number))


def order_shipping(ctx: ServiceContext, actor: Principal, order_number: str) -> dict[str, Any]:
    """An order's lines (ordered, packed, shipped, left), its shipments, and what the actor
    may do now."""
    require(actor.role, Resource.SHIPMENT, VIEW)
    with ctx.uow() as uow:
        order = load_visible(uow, actor, order_number)
        found = uow.repository(SHIPMENTS).for_order(order.number)
        ordered = {li.line_no: li.quantity for li in order.lines}
        left = open_quantities(ordered, found)
        shipped = shipped_quantities(found)
        titles = line_titles(uow, order)
        carriers = carriers_by_code(uow)
        ready = order.state is OrderState.READY_TO_SHIP
        staff = actor.role is not Role.CUSTOMER
        return {
            "order_number": order.number,
            "order_state": order.state.value,
            "order_state_label": order.state.label,
            "promise_date": order.promise_date.isoformat() if order.promise_date else None,
            "lines": [
                {
                    "line": li.line_no,
                    "title": titles[li.line_no],
                    "ordered": li.quantity,
                    "shipped": shipped.get(li.line_no, 0),
                    "left_to_pack": max(left.get(li.line_no, 0), 0),
                }
                for li in order.lines
            ],
            "shipments": [shipment_view(s, actor, carriers, titles) for s in found],
            "blocking": blocking(uow, order.number) if staff and ready else [],
            "can_pack": ready
            and is_allowed(actor.role, Resource.SHIPMENT, PACK)
            and any(v > 0 for v in left.values()),
            "can_ship": ready and is_allowed(actor.role, Resource.SHIPMENT, SHIP),
            "can_confirm": is_allowed(actor.role, Resource.SHIPMENT, CONFIRM),
            "carriers": [{"code": c.code, "name": c.name} for c in carriers.values()]
            if staff
            else [],
        }


def list_shipments(
    ctx: ServiceContext, actor: Principal, status: str | None = None
) -> list[dict[str, Any]]:
    """The newest shipments (a customer: its own orders')."""
    require(actor.role, Resource.SHIPMENT, VIEW)
    if status is not None and status not in {s.value for s in ShipmentStatus}:
        raise InvalidInput(
            f"status is one of {', '.join(s.value for s in ShipmentStatus)}.", field="status"
        )
    with ctx.uow() as uow:
        carriers = carriers_by_code(uow)
        out = []
        orders: dict[str, Order | None] = {}
        for s in uow.repository(SHIPMENTS).listing(status):
            if s.order_number not in orders:
                try:
                    orders[s.order_number] = load_visible(uow, actor, s.order_number)
                except NotFound:
                    orders[s.order_number] = None
            order = orders[s.order_number]
            if order is not None:
                view = shipment_view(s, actor, carriers, line_titles(uow, order))
                customer = uow.customers.get_by_id(order.customer_id)
                view["customer"] = customer.name if customer is not None else ""
                out.append(view)
        return out


# -- commands ------------------------------------------------------------------------------


def _number(uow: UnitOfWork, at: dt.datetime) -> str:
    n = uow.sequences.next_value(f"shipment-{at.year}")
    return _NUMBER_PATTERN.format(year=at.year, n=n)


def _ready(order: Order, verb: str) -> None:
    if order.state is not OrderState.READY_TO_SHIP:
        raise IllegalTransition(
            f"Order {order.number} is {order.state.label.lower()}: a shipment is {verb} only "
            "while the order is ready to ship."
        )


def pack(ctx: ServiceContext, actor: Principal, cmd: PackShipment) -> dict[str, Any]:
    """Pack a shipment of what the order has left to ship (part of it is fine)."""
    require(actor.role, Resource.SHIPMENT, PACK)
    if not isinstance(cmd.packages, list) or not 1 <= len(cmd.packages) <= MAX_PACKAGES:
        raise InvalidInput(f"Pack 1 to {MAX_PACKAGES} packages.", field="packages")
    packages = [
        package_from(p if isinstance(p, dict) else {}, i) for i, p in enumerate(cmd.packages)
    ]
    now = ctx.clock.now()
    with ctx.uow() as uow:
        order = load_visible(uow, actor, cmd.order_number)
        _ready(order, "packed")
        repo = uow.repository(SHIPMENTS)
        ordered = {li.line_no: li.quantity for li in order.lines}
        shipment = Shipment.pack(
            number=_number(uow, now),
            order_number=order.number,
            packages=packages,
            open_lines=open_quantities(ordered, repo.for_order(order.number)),
            actor=actor.username,
            at=now,
            note=cmd.note,
        )
        repo.add(shipment)
        publish(ctx, uow, list(shipment.pending_events))
        uow.commit()
        return _view(uow, shipment, order, actor)


def ship(ctx: ServiceContext, actor: Principal, cmd: ShipShipment) -> dict[str, Any]:
    """Hand a packed shipment to the carrier; the order is shipped once all of it is."""
    require(actor.role, Resource.SHIPMENT, SHIP)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        shipment, order = load_shipment(uow, actor, cmd.number)
        carrier = carriers_by_code(uow).get(cmd.carrier.strip().upper())
        if carrier is None:
            known = ", ".join(sorted(carriers_by_code(uow)))
            raise InvalidInput(
                f"There is no carrier {cmd.carrier!r}; the carriers are {known}.", field="carrier"
            )
        _ready(order, "shipped")
        missing = blocking(uow, order.number)
        if missing:
            raise IllegalTransition(f"Order {order.number} may not ship yet: " + " ".join(missing))
        shipment.ship(
            carrier=carrier, tracking_number=cmd.tracking_number, actor=actor.username, at=now
        )
        repo = uow.repository(SHIPMENTS)
        repo.save(shipment)
        raised = len(order.pending_events)
        ordered = {li.line_no: li.quantity for li in order.lines}
        if all_shipped(ordered, repo.for_order(order.number)):
            order.apply(
                OrderAction.SHIP,
                actor=actor.username,
                at=now,
                reason=f"{shipment.number}: the last of the order left with {carrier.name}.",
            )
        publish(ctx, uow, [*shipment.pending_events, *order.pending_events[raised:]])
        uow.commit()
        return _view(uow, shipment, order, actor)


def confirm_delivery(ctx: ServiceContext, actor: Principal, cmd: ConfirmDelivery) -> dict[str, Any]:
    """The customer has it: on which day and who received it. The order is delivered once
    every shipment of it is."""
    require(actor.role, Resource.SHIPMENT, CONFIRM)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        shipment, order = load_shipment(uow, actor, cmd.number)
        shipment.confirm_delivery(
            delivered_on=cmd.delivered_on,
            received_by=cmd.received_by,
            remark=cmd.note,
            actor=actor.username,
            at=now,
        )
        repo = uow.repository(SHIPMENTS)
        repo.save(shipment)
        raised = len(order.pending_events)
        if order.state is OrderState.SHIPPED and all_delivered(repo.for_order(order.number)):
            order.apply(
                OrderAction.CONFIRM_DELIVERY,
                actor=actor.username,
                at=now,
                reason=f"{shipment.number} received by {shipment.received_by} on "
                f"{cmd.delivered_on:%d %b %Y}.",
            )
        publish(ctx, uow, [*shipment.pending_events, *order.pending_events[raised:]])
        uow.commit()
        return _view(uow, shipment, order, actor)


def cancel(ctx: ServiceContext, actor: Principal, number: str, reason: str) -> dict[str, Any]:
    """Unpack: a shipment still being packed is cancelled (its packages stay on record)
    and its quantities may be packed again."""
    require(actor.role, Resource.SHIPMENT, PACK)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        shipment, order = load_shipment(uow, actor, number)
        shipment.cancel(actor=actor.username, at=now, reason=reason)
        uow.repository(SHIPMENTS).save(shipment)
        publish(ctx, uow, list(shipment.pending_events))
        uow.commit()
        return _view(uow, shipment, order, actor)


# -- the order's cancellation -------------------------------------------------------------


def on_order_cancelled(ctx: ServiceContext, uow: UnitOfWork, event: DomainEvent) -> None:
    """Goods that have left the plant are the customer's to send back, not an order to
    cancel: while a shipment of the order is on its way or delivered the cancellation is
    refused (the whole command rolls back), naming it. Shipments still being packed are
    cancelled with the order, so nothing is left on the dock for an order that is gone."""
    repo = uow.repository(SHIPMENTS)
    with uow.repository(WORK_ORDERS).deferred_writes():  # the order is written once
        found = repo.for_order(event.aggregate_key)
    gone = [s for s in found if s.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED)]
    if gone:
        said = ", ".join(f"{s.number} ({s.status.label.lower()})" for s in gone)
        raise IllegalTransition(
            f"Order {event.aggregate_key} cannot be cancelled: goods have left the plant "
            f"with shipment {said}. Agree a return with the customer instead."
        )
    reason = str(event.data.get("reason") or "").strip() or "the order was cancelled"
    for shipment in found:
        if shipment.status is ShipmentStatus.PACKING:
            shipment.cancel(
                actor=event.actor,
                at=event.occurred_at,
                reason=f"Order {event.aggregate_key} cancelled: {reason}"[:MAX_NOTE],
            )
            repo.save(shipment)
