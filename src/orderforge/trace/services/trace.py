"""Backward from a unit serial, forward from a lot, and what a search box names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orderforge.domain.errors import NotFound
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.materials.ports import LOT_CONSUMPTIONS
from orderforge.production.domain import WorkOrderHeader
from orderforge.production.ports import UNIT_SERIALS, WORK_ORDERS
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.trace.services.facts import (
    check_code,
    iso,
    load_unit,
    lot_view,
    qty,
    unit_view,
)


def trace_unit(ctx: ServiceContext, actor: Principal, serial: str) -> dict[str, Any]:
    """Backward from a unit: its work order, every operation (who, when, where, good and
    scrap), the lots used at each (supplier, PO, receipt), inspections, signatures, NCRs."""
    require(actor.role, Resource.TRACE, VIEW)
    with ctx.uow() as uow:
        return unit_view(uow, load_unit(uow, serial))


def trace_lot(ctx: ServiceContext, actor: Principal, lot_number: str) -> dict[str, Any]:
    """Forward from a lot: every issue of it, the work orders, their units, the orders and
    customers that got them (a recall's list)."""
    require(actor.role, Resource.TRACE, VIEW)
    with ctx.uow() as uow:
        number = check_code(lot_number, "lot")
        issues_repo = uow.repository(LOT_CONSUMPTIONS)
        found = issues_repo.lots([number])
        if not found:
            raise NotFound(f"There is no lot {number}.")
        lot = found[0]
        issues = issues_repo.of_lot(number)
        numbers = sorted({i.work_order for i in issues})
        serials = uow.repository(UNIT_SERIALS).of_work_orders(numbers)
        # One read each for the work orders and their orders, as rows, and each customer
        # once: a lot used for two years reaches hundreds of work orders and orders, and
        # loading each whole (operations, lines, history) took most of a second.
        work_orders: dict[str, WorkOrderHeader | None] = dict.fromkeys(numbers)
        work_orders |= {w.number: w for w in uow.repository(WORK_ORDERS).headers(numbers)}
        used = sum((i.quantity for i in issues), Decimal(0))
        wanted = {w.order_number for w in work_orders.values() if w is not None}
        found_orders = uow.orders.summaries(wanted)
        customers: dict[int, Any] = {}
        orders: dict[str, dict[str, Any]] = {}
        for wo in work_orders.values():
            if wo is None or wo.order_number in orders:
                continue
            order = found_orders.get(wo.order_number)
            if order is not None and order.customer_id not in customers:
                customers[order.customer_id] = uow.customers.get_by_id(order.customer_id)
            customer = customers.get(order.customer_id) if order is not None else None
            orders[wo.order_number] = {
                "number": wo.order_number,
                "state": order.state.value if order is not None else None,
                "customer": ({"code": customer.code, "name": customer.name} if customer else None),
            }
        return {
            **lot_view(uow, lot, number),
            "quantity_received": qty(lot.quantity + used),
            "quantity_used": qty(used),
            "consumptions": [
                {
                    "work_order": i.work_order,
                    "seq": i.seq,
                    "operation": _op_name(work_orders.get(i.work_order), i.seq),
                    "quantity": qty(i.quantity),
                    "by": i.actor,
                    "at": iso(i.consumed_at),
                }
                for i in issues
            ],
            "work_orders": [
                {
                    "number": n,
                    "order_number": w.order_number if w else None,
                    "line_no": w.line_no if w else None,
                    "status": w.status.value if w else None,
                }
                for n, w in work_orders.items()
            ],
            "units": [
                {
                    "serial": s.serial,
                    "work_order": s.work_order,
                    "order_number": s.order_number,
                    "line_no": s.line_no,
                    "customer": (orders.get(s.order_number) or {}).get("customer"),
                }
                for s in serials
            ],
            "orders": list(orders.values()),
        }


def _op_name(wo: WorkOrderHeader | None, seq: int) -> str | None:
    return wo.operation_names.get(seq) if wo is not None else None


def may_trace(actor: Principal) -> None:
    """Refuse a role that may not trace (the empty search page asks too)."""
    require(actor.role, Resource.TRACE, VIEW)


def find(ctx: ServiceContext, actor: Principal, text: str) -> tuple[str, str]:
    """What a search box (or a scanner) names: ("unit" | "lot", code), or NotFound."""
    require(actor.role, Resource.TRACE, VIEW)
    code = check_code(text, "q")
    with ctx.uow() as uow:
        if uow.repository(UNIT_SERIALS).get(code) is not None:
            return "unit", code
        if uow.repository(LOT_CONSUMPTIONS).lots([code]):
            return "lot", code
    raise NotFound(f"No unit serial and no lot is called {code}.")
