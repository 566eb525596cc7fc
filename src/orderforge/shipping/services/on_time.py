"""On-time delivery: per delivered order, was it delivered on or before its promise
date; figures per customer, product family or month of delivery."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.domain.user import Role
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.shipping.domain import DeliveredOrder, OnTimeBy, delivered_order, on_time
from orderforge.shipping.ports import SHIPMENTS


def _by(by: str) -> OnTimeBy:
    try:
        return OnTimeBy(by.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"by is one of {', '.join(b.value for b in OnTimeBy)}, not {by!r}.", field="by"
        ) from None


def delivered_orders(uow: UnitOfWork, actor: Principal) -> list[DeliveredOrder]:
    """Every order all of whose shipments arrived (a customer: its own)."""
    repo = uow.repository(SHIPMENTS)
    customers: dict[int, str] = {}
    families: dict[str, str] = {}
    out: list[DeliveredOrder] = []
    for number in repo.delivered_orders():
        order = uow.orders.get(number)
        if order is None or (
            actor.role is Role.CUSTOMER and order.customer_id != actor.customer_id
        ):
            continue
        if order.customer_id not in customers:
            customer = uow.customers.get_by_id(order.customer_id)
            customers[order.customer_id] = customer.name if customer else str(order.customer_id)
        names = []
        for line in order.lines:
            if line.product_family not in families:
                try:
                    families[line.product_family] = family_of(
                        entry_for(uow, line.product_family)
                    ).name
                except NotFound:
                    families[line.product_family] = line.product_family
            names.append(families[line.product_family])
        found = delivered_order(
            order.number,
            customers[order.customer_id],
            names,
            repo.for_order(order.number),
            order.promise_date,
        )
        if found is not None:
            out.append(found)
    return out


def on_time_delivery(ctx: ServiceContext, actor: Principal, by: str) -> dict[str, Any]:
    """OTD rows (count with a promise, on time, late, %, without a promise) and the
    total; a customer sees its own orders' figures only."""
    require(actor.role, Resource.SHIPMENT, VIEW)
    grouping = _by(by)
    with ctx.uow() as uow:
        orders = delivered_orders(uow, actor)
    rows = on_time(orders, grouping)
    # the total counts each order once (by family, an order of two families is in two rows)
    promised = sum(1 for o in orders if o.promise_date is not None)
    in_time = sum(1 for o in orders if o.on_time)
    return {
        "by": grouping.value,
        "rows": [
            {
                "key": r.key,
                "orders": r.promised,
                "on_time": r.on_time,
                "late": r.late,
                "percent": str(r.percent) if r.percent is not None else None,
                "without_promise": r.unpromised,
            }
            for r in rows
        ],
        "total": {
            "orders": promised,
            "on_time": in_time,
            "late": promised - in_time,
            "percent": str((Decimal(100) * in_time / promised).quantize(Decimal("0.1")))
            if promised
            else None,
            "without_promise": sum(1 for o in orders if o.promise_date is None),
        },
    }
