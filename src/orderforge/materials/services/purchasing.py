"""Buying: suppliers and their offers, purchase orders and receipts, and what the
purchasing role does with the MRP's proposals (accept, edit, merge)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import EDIT, Resource, require
from orderforge.materials.domain import (
    ItemPolicy,
    LineIn,
    Lot,
    PoStatus,
    Proposal,
    PurchaseOrder,
    StockingPolicy,
    Supplier,
    SupplierOffer,
    check_code,
    check_quantity,
)
from orderforge.materials.ports import MATERIALS, MaterialsRepository
from orderforge.materials.services.views import lot_view, proposal_view, purchase_order_view
from orderforge.plant import services as plant_data
from orderforge.services import plant_time
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork

DEFAULT_LOCATION = "MAIN"


def _item(uow: UnitOfWork, code: str, field: str = "item_code") -> str:
    code = code.strip().upper()
    if code not in plant_data.components_by_code(uow):
        raise InvalidInput(f"There is no item {code!r} in the plant's item master.", field=field)
    return code


def _supplier(repo: MaterialsRepository, code: str, field: str = "supplier") -> Supplier:
    supplier = repo.supplier(code.strip().upper())
    if supplier is None:
        raise InvalidInput(f"There is no supplier {code!r}.", field=field)
    return supplier


def _offer(
    repo: MaterialsRepository, supplier: str, item: str, field: str = "supplier"
) -> SupplierOffer:
    offers = [o for o in repo.offers([item]) if o.supplier_code == supplier and not o.express]
    if not offers:
        raise InvalidInput(f"Supplier {supplier} has no offer for item {item}.", field=field)
    return min(offers, key=lambda o: o.unit_price)


def _po_number(uow: UnitOfWork, at: dt.datetime) -> str:
    return f"PO-{at.year}-{uow.sequences.next_value(f'purchase-order-{at.year}'):04d}"


def _lot_number(uow: UnitOfWork, at: dt.datetime) -> str:
    return f"L-{at.year}-{uow.sequences.next_value(f'lot-{at.year}'):05d}"


def _decimal(value: Any, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{field} must be a number, not {value!r}.", field=field) from None


# -- master data --------------------------------------------------------------------


def apply_materials(uow: UnitOfWork, data: Mapping[str, Any], actor: str, at: dt.datetime) -> None:
    """Bring in suppliers, offers, stocking policies, stock lots and open purchase
    orders from one document (the demo's materials.yaml). Caller commits."""
    repo = uow.repository(MATERIALS)
    for s in data.get("suppliers", []):
        supplier = Supplier(check_code(s["code"], "code"), s["name"])
        supplier.check()
        repo.save_supplier(supplier)
        for o in s.get("offers", []):
            offer = SupplierOffer(
                supplier.code,
                _item(uow, o["item"]),
                _decimal(o["price"], "price"),
                o.get("currency", "EUR"),
                _decimal(o.get("minimum", 1), "minimum"),
                _decimal(o.get("pack_size", 1), "pack_size"),
                int(o["lead_time_days"]),
                bool(o.get("express", False)),
            )
            offer.check()
            repo.add_offer(offer)
    for p in data.get("policies", []):
        policy = ItemPolicy(
            _item(uow, p["item"]),
            StockingPolicy(p.get("policy", "min_max")),
            _decimal(p.get("reorder_point", 0), "reorder_point"),
            _decimal(p.get("maximum", 0), "maximum"),
        )
        policy.check()
        repo.save_policy(policy)
    for lot in data.get("stock", []):
        repo.add_lot(
            Lot(
                lot.get("lot") or _lot_number(uow, at),
                _item(uow, lot["item"]),
                check_quantity(_decimal(lot["quantity"], "quantity")),
                lot.get("location", DEFAULT_LOCATION),
                at - dt.timedelta(days=int(lot.get("days_ago", 0))),
            )
        )
    for po in data.get("purchase_orders", []):
        ordered = at - dt.timedelta(days=int(po.get("ordered_days_ago", 0)))
        lines = [
            LineIn(
                _item(uow, x["item"]),
                _decimal(x["quantity"], "quantity"),
                _offer(repo, po["supplier"], x["item"].upper()).unit_price,
                at + dt.timedelta(days=int(x["arrives_in_days"])),
            )
            for x in po["lines"]
        ]
        order = PurchaseOrder.create(
            number=_po_number(uow, ordered),
            supplier_code=_supplier(repo, po["supplier"]).code,
            currency="EUR",
            order_by=ordered.date(),
            lines=lines,
            status=PoStatus.ORDERED,
            actor=actor,
            at=ordered,
        )
        repo.add_purchase_order(order)


# -- purchase orders ---------------------------------------------------------------------


@dataclass(frozen=True)
class NewLine:
    item_code: str
    quantity: Decimal
    #: when it arrives; None: the order-by date plus the supplier's lead time
    expected_on: dt.date | None = None


@dataclass(frozen=True)
class NewPurchaseOrder:
    supplier: str
    lines: list[NewLine]
    order_by: dt.date | None = None
    #: draft (to be placed later) or ordered (sent to the supplier)
    place: bool = True


def create_purchase_order(
    ctx: ServiceContext, actor: Principal, cmd: NewPurchaseOrder
) -> dict[str, Any]:
    """A purchase order by hand, at the supplier's offer price for each item."""
    require(actor.role, Resource.MATERIALS, EDIT)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        repo = uow.repository(MATERIALS)
        supplier = _supplier(repo, cmd.supplier)
        order_by = cmd.order_by or now.date()
        if order_by < now.date():
            raise InvalidInput(
                f"The order-by date {order_by.isoformat()} is in the past.", field="order_by"
            )
        lines = []
        for i, line in enumerate(cmd.lines, start=1):
            item = _item(uow, line.item_code, f"lines[{i - 1}].item_code")
            check_quantity(line.quantity, f"lines[{i - 1}].quantity")
            offer = _offer(repo, supplier.code, item, f"lines[{i - 1}].item_code")
            expected = (
                _arrival(line.expected_on)
                if line.expected_on is not None
                else dt.datetime.combine(order_by, now.timetz())
                + dt.timedelta(days=offer.lead_time_days)
            )
            lines.append(LineIn(item, line.quantity, offer.unit_price, expected))
        currency = _offer(repo, supplier.code, lines[0].item_code).currency if lines else "EUR"
        order = PurchaseOrder.create(
            number=_po_number(uow, now),
            supplier_code=supplier.code,
            currency=currency,
            order_by=order_by,
            lines=lines,
            status=PoStatus.ORDERED if cmd.place else PoStatus.DRAFT,
            actor=actor.username,
            at=now,
        )
        repo.add_purchase_order(order)
        uow.commit()
        return purchase_order_view(order)


def _purchase_order(repo: MaterialsRepository, number: str, lock: bool = False) -> PurchaseOrder:
    number = number.strip().upper()
    found = repo.lock_purchase_order(number) if lock else repo.purchase_order(number)
    if found is None:
        raise NotFound(f"There is no purchase order {number}.")
    return found


@dataclass(frozen=True)
class Receipt:
    po_number: str
    line_no: int
    quantity: Decimal
    lot_number: str | None = None
    location: str | None = None


def receive(ctx: ServiceContext, actor: Principal, cmd: Receipt) -> dict[str, Any]:
    """Book goods in on a purchase order line: a new lot, pegged to the orders the line
    served (earliest need first); never more than the line still has open."""
    require(actor.role, Resource.MATERIALS, EDIT)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        repo = uow.repository(MATERIALS)
        order = _purchase_order(repo, cmd.po_number, lock=True)
        location = check_code(cmd.location or DEFAULT_LOCATION, "location")
        lot_number = check_code(cmd.lot_number, "lot") if cmd.lot_number else _lot_number(uow, now)
        if cmd.lot_number and repo.lot(lot_number) is not None:
            raise InvalidInput(f"Lot {lot_number} exists already.", field="lot")
        lot = order.receive(
            cmd.line_no, cmd.quantity, lot_number=lot_number, location=location, at=now
        )
        repo.add_lot(lot)
        repo.move_pegs(
            f"{order.number}/{cmd.line_no}", ("stock", lot.lot_number, now), cmd.quantity
        )
        uow.commit()
        return lot_view(lot)


def _arrival(day: dt.date) -> dt.datetime:
    """A supplier's arrival day as the moment the plan counts on (noon UTC)."""
    return dt.datetime.combine(day, dt.time(12), dt.UTC)


@dataclass(frozen=True)
class Reschedule:
    po_number: str
    line_no: int
    expected_on: dt.date


def reschedule(ctx: ServiceContext, actor: Principal, cmd: Reschedule) -> dict[str, Any]:
    """The supplier announced a new arrival date for a line. The orders pegged to it now
    get their material then: the next plan holds their operations until it arrives, and
    a promise that can no longer be kept raises its alert."""
    require(actor.role, Resource.MATERIALS, EDIT)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        repo = uow.repository(MATERIALS)
        order = _purchase_order(repo, cmd.po_number, lock=True)
        plant_time.check_window(cmd.expected_on, "expected_on")
        expected = _arrival(cmd.expected_on)
        order.reschedule(cmd.line_no, expected, now)
        ref = f"{order.number}/{cmd.line_no}"
        repo.move_pegs(ref, ("purchase", ref, expected))
        uow.commit()
        return purchase_order_view(order)


def place(ctx: ServiceContext, actor: Principal, number: str) -> dict[str, Any]:
    require(actor.role, Resource.MATERIALS, EDIT)
    with ctx.uow() as uow:
        order = _purchase_order(uow.repository(MATERIALS), number, lock=True)
        order.place()
        uow.commit()
        return purchase_order_view(order)


def cancel(ctx: ServiceContext, actor: Principal, number: str) -> dict[str, Any]:
    require(actor.role, Resource.MATERIALS, EDIT)
    with ctx.uow() as uow:
        order = _purchase_order(uow.repository(MATERIALS), number, lock=True)
        order.cancel()
        uow.commit()
        return purchase_order_view(order)


# -- proposals -----------------------------------------------------------------------


def _proposal(repo: MaterialsRepository, proposal_id: int) -> Proposal:
    found = repo.proposal(proposal_id)
    if found is None:
        raise NotFound(
            f"There is no purchase proposal {proposal_id} (a newer MRP run may have replaced it)."
        )
    return found


@dataclass(frozen=True)
class ProposalEdit:
    quantity: Decimal | None = None
    supplier: str | None = None
    order_by: dt.date | None = None


def edit_proposal(
    ctx: ServiceContext, actor: Principal, proposal_id: int, cmd: ProposalEdit
) -> dict[str, Any]:
    """Change a proposal's quantity, supplier (at its offer's price and lead time) or
    order-by date before accepting it."""
    require(actor.role, Resource.MATERIALS, EDIT)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        repo = uow.repository(MATERIALS)
        proposal = _proposal(repo, proposal_id)
        if cmd.quantity is not None:
            proposal = replace(proposal, quantity=check_quantity(cmd.quantity))
        supplier = proposal.supplier_code
        if cmd.supplier is not None:
            supplier = _supplier(repo, cmd.supplier).code
        offer = _offer(repo, supplier, proposal.item_code)
        order_by = cmd.order_by or proposal.order_by
        if cmd.order_by is not None and cmd.order_by < now.date():
            raise InvalidInput(
                f"The order-by date {cmd.order_by.isoformat()} is in the past.", field="order_by"
            )
        start = max(dt.datetime.combine(order_by, now.timetz()), now)
        arrives = start + dt.timedelta(days=offer.lead_time_days)
        proposal = replace(
            proposal,
            supplier_code=supplier,
            unit_price=offer.unit_price,
            currency=offer.currency,
            order_by=max(order_by, now.date()),
            arrives_at=arrives,
            late=arrives > proposal.need_at,
        )
        repo.save_proposal(proposal)
        uow.commit()
        return proposal_view(proposal, {s.code: s.name for s in repo.suppliers()})


def accept_proposals(
    ctx: ServiceContext, actor: Principal, proposal_ids: list[int]
) -> dict[str, Any]:
    """Turn proposals into one purchase order (several lines when merged; they must be
    for the same supplier); the orders they were pegged to now wait for its lines."""
    require(actor.role, Resource.MATERIALS, EDIT)
    if not proposal_ids:
        raise InvalidInput("Name at least one proposal to accept.", field="proposals")
    if len(set(proposal_ids)) != len(proposal_ids):
        raise InvalidInput("A proposal is named twice.", field="proposals")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        repo = uow.repository(MATERIALS)
        proposals = [_proposal(repo, i) for i in proposal_ids]
        suppliers = sorted({p.supplier_code for p in proposals})
        if len(suppliers) > 1:
            raise InvalidInput(
                "Only proposals for one supplier can be merged into one purchase order; "
                f"these are for {', '.join(suppliers)}.",
                field="proposals",
            )
        order_by = max(now.date(), min(p.order_by for p in proposals))
        order = PurchaseOrder.create(
            number=_po_number(uow, now),
            supplier_code=suppliers[0],
            currency=proposals[0].currency,
            order_by=order_by,
            lines=[
                LineIn(p.item_code, p.quantity, p.unit_price, max(p.arrives_at, now))
                for p in proposals
            ],
            status=PoStatus.ORDERED,
            actor=actor.username,
            at=now,
        )
        repo.add_purchase_order(order)
        for line, proposal in zip(order.lines, proposals, strict=True):
            repo.move_pegs(
                proposal.key, ("purchase", f"{order.number}/{line.line_no}", line.expected_at)
            )
        repo.remove_proposals(proposal_ids)
        uow.commit()
        return purchase_order_view(order)
