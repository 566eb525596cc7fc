"""Reading materials: stock, suppliers and offers, purchase orders, proposals, MRP
shortages and pegging both ways (what an order's material comes from; which orders a
purchase line serves). Staff only: customers never see suppliers or costs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.materials.domain import (
    ZERO,
    Lot,
    Peg,
    PoStatus,
    Proposal,
    PurchaseOrder,
)
from orderforge.materials.ports import MATERIALS
from orderforge.materials.services.supply import day
from orderforge.plant import services as plant_data
from orderforge.services import plant_time
from orderforge.services.access import load_visible
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork


def _q(value: Decimal) -> str:
    """A quantity as text without trailing zeros ("12.5", "3")."""
    text = f"{value.normalize():f}"
    return text


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def lot_view(lot: Lot) -> dict[str, Any]:
    return {
        "lot_number": lot.lot_number,
        "item_code": lot.item_code,
        "quantity": _q(lot.quantity),
        "location": lot.location,
        "received_at": lot.received_at.isoformat(),
        "po_number": lot.po_number,
        "po_line_no": lot.po_line_no,
    }


def purchase_order_view(order: PurchaseOrder) -> dict[str, Any]:
    return {
        "number": order.number,
        "supplier": order.supplier_code,
        "status": order.status.value,
        "status_label": order.status.label,
        "currency": order.currency,
        "order_by": order.order_by.isoformat(),
        "created_at": order.created_at.isoformat(),
        "created_by": order.created_by,
        "total": str(order.total.quantize(Decimal("0.01"))),
        "lines": [
            {
                "line_no": x.line_no,
                "item_code": x.item_code,
                "quantity": _q(x.quantity),
                "received_quantity": _q(x.received_quantity),
                "open_quantity": _q(x.open_quantity),
                "unit_price": _q(x.unit_price),
                "expected_at": x.expected_at.isoformat(),
            }
            for x in order.lines
        ],
    }


def proposal_view(p: Proposal, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": p.id,
        "key": p.key,
        "item_code": p.item_code,
        "supplier": p.supplier_code,
        "supplier_name": names.get(p.supplier_code, p.supplier_code),
        "quantity": _q(p.quantity),
        "unit_price": _q(p.unit_price),
        "currency": p.currency,
        "order_by": p.order_by.isoformat(),
        "arrives_at": p.arrives_at.isoformat(),
        "need_at": p.need_at.isoformat(),
        "late": p.late,
        "reason": p.reason,
        "orders": list(p.orders),
    }


def coverage(peg: Peg, zone: ZoneInfo, order_by: dict[str, dt.date]) -> str:
    """What covers a peg, in words."""
    if peg.source == "stock":
        return f"covered by stock lot {peg.ref}"
    if peg.source == "purchase" and peg.available_at is not None:
        late = " (late)" if peg.available_at > peg.need_at else ""
        po = peg.ref.split("/")[0]
        return f"by {po} arriving {day(peg.available_at, zone)}{late}"
    if peg.source == "proposal" and peg.ref in order_by:
        return f"missing, order by {order_by[peg.ref].strftime('%a %d %b')}"
    return "missing: no stock, no purchase order and no supplier"


def peg_view(peg: Peg, zone: ZoneInfo, order_by: dict[str, dt.date]) -> dict[str, Any]:
    return {
        "order_number": peg.order_number,
        "line_no": peg.line_no,
        "work_order": peg.work_order,
        "operation": peg.operation,
        "item_code": peg.item_code,
        "item_name": peg.item_name,
        "unit": peg.unit,
        "quantity": _q(peg.quantity),
        "source": peg.source,
        "ref": peg.ref,
        "need_at": peg.need_at.isoformat(),
        "available_at": _iso(peg.available_at),
        "late": peg.available_at is None or peg.available_at > peg.need_at,
        "coverage": coverage(peg, zone, order_by),
    }


def _order_by(uow: UnitOfWork) -> dict[str, dt.date]:
    return {p.key: p.order_by for p in uow.repository(MATERIALS).proposals()}


def order_pegging(ctx: ServiceContext, actor: Principal, order_number: str) -> list[dict[str, Any]]:
    """For an order, each material: covered by which lot, purchase order or proposal."""
    require(actor.role, Resource.MATERIALS, VIEW)
    with ctx.uow() as uow:
        order = load_visible(uow, actor, order_number)
        zone = plant_time.plant_zone(uow)
        order_by = _order_by(uow)
        return [
            peg_view(p, zone, order_by)
            for p in uow.repository(MATERIALS).pegs(orders=[order.number])
        ]


def line_pegging(
    ctx: ServiceContext, actor: Principal, po_number: str, line_no: int
) -> list[dict[str, Any]]:
    """For a purchase order line, the orders it serves."""
    require(actor.role, Resource.MATERIALS, VIEW)
    with ctx.uow() as uow:
        repo = uow.repository(MATERIALS)
        order = repo.purchase_order(po_number.strip().upper())
        if order is None:
            raise NotFound(f"There is no purchase order {po_number}.")
        order.line(line_no)
        zone = plant_time.plant_zone(uow)
        return [peg_view(p, zone, {}) for p in repo.pegs(refs=[f"{order.number}/{line_no}"])]


def stock(ctx: ServiceContext, actor: Principal, item: str | None = None) -> list[dict[str, Any]]:
    """Stock per item: lots on hand, what of it is pegged, what is free, what is coming."""
    require(actor.role, Resource.MATERIALS, VIEW)
    with ctx.uow() as uow:
        repo = uow.repository(MATERIALS)
        components = plant_data.components_by_code(uow)
        items = None
        if item is not None:
            code = item.strip().upper()
            if code not in components:
                raise NotFound(f"There is no item {code}.")
            items = [code]
        lots = repo.lots(items)
        held = repo.held_lots(items)
        lines = repo.open_lines(items)
        codes = sorted(
            {x.item_code for x in lots}
            | {x.item_code for x, _ in held}
            | {x.item_code for x in lines}
            | set(items or [])
        )
        pegged = repo.pegged(codes) if codes else {}
        policies = {p.item_code: p for p in repo.policies()}
        rows = []
        for code in codes:
            mine = [x for x in lots if x.item_code == code]
            on_hand = sum((x.quantity for x in mine), ZERO)
            reserved = sum((pegged.get(x.lot_number, ZERO) for x in mine), ZERO)
            coming = sum((x.open_quantity for x in lines if x.item_code == code), ZERO)
            component = components.get(code)
            policy = policies.get(code)
            rows.append(
                {
                    "item_code": code,
                    "name": component.name if component else code,
                    "unit": component.unit if component else "",
                    "policy": policy.policy.value if policy else "pegged",
                    "on_hand": _q(on_hand),
                    "pegged": _q(reserved),
                    "free": _q(on_hand - reserved),
                    "on_order": _q(coming),
                    "lots": [lot_view(x) for x in mine],
                    # not on hand for planning: quarantined by an NCR or going back
                    "held": [
                        {
                            **lot_view(x),
                            "hold": h.kind.value,
                            "hold_label": h.kind.label,
                            "ncr": h.ncr,
                            "reason": h.reason,
                        }
                        for x, h in held
                        if x.item_code == code
                    ],
                }
            )
        return rows


def suppliers(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    require(actor.role, Resource.MATERIALS, VIEW)
    with ctx.uow() as uow:
        repo = uow.repository(MATERIALS)
        offers = repo.offers()
        return [
            {
                "code": s.code,
                "name": s.name,
                "offers": [
                    {
                        "item_code": o.item_code,
                        "unit_price": str(o.unit_price),
                        "currency": o.currency,
                        "minimum": _q(o.minimum),
                        "pack_size": _q(o.pack_size),
                        "lead_time_days": o.lead_time_days,
                        "express": o.express,
                    }
                    for o in offers
                    if o.supplier_code == s.code
                ],
            }
            for s in repo.suppliers()
        ]


def purchase_orders(
    ctx: ServiceContext, actor: Principal, status: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    require(actor.role, Resource.MATERIALS, VIEW)
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000.", field="limit")
    statuses = None
    if status is not None:
        try:
            statuses = [PoStatus(status)]
        except ValueError:
            known = ", ".join(s.value for s in PoStatus)
            raise InvalidInput(f"status must be one of {known}.", field="status") from None
    with ctx.uow() as uow:
        orders = uow.repository(MATERIALS).purchase_orders(statuses, limit)
        return [purchase_order_view(o) for o in orders]


def purchase_order(ctx: ServiceContext, actor: Principal, number: str) -> dict[str, Any]:
    require(actor.role, Resource.MATERIALS, VIEW)
    with ctx.uow() as uow:
        repo = uow.repository(MATERIALS)
        order = repo.purchase_order(number.strip().upper())
        if order is None:
            raise NotFound(f"There is no purchase order {number}.")
        view = purchase_order_view(order)
        zone = plant_time.plant_zone(uow)
        for line in view["lines"]:
            line["pegs"] = [
                peg_view(p, zone, {}) for p in repo.pegs(refs=[f"{order.number}/{line['line_no']}"])
            ]
        return view


def proposals(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    require(actor.role, Resource.MATERIALS, VIEW)
    with ctx.uow() as uow:
        repo = uow.repository(MATERIALS)
        names = {s.code: s.name for s in repo.suppliers()}
        return [proposal_view(p, names) for p in repo.proposals()]


def shortages(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    """Material that will not be there in time: pegs to be bought, late purchases, and
    needs nobody can supply; earliest need first."""
    require(actor.role, Resource.MATERIALS, VIEW)
    with ctx.uow() as uow:
        zone = plant_time.plant_zone(uow)
        order_by = _order_by(uow)
        views = [peg_view(p, zone, order_by) for p in uow.repository(MATERIALS).pegs()]
        short = [v for v in views if v["source"] in ("proposal", "missing") or v["late"]]
        return sorted(short, key=lambda v: (v["need_at"], v["order_number"]))
