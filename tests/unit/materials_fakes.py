"""An in-memory materials repository for unit tests (the demo loads through it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from decimal import Decimal

from orderforge.materials.domain import (
    OPEN_STATUSES,
    ItemPolicy,
    Lot,
    MrpRun,
    Peg,
    PoStatus,
    Proposal,
    PurchaseOrder,
    Supplier,
    SupplierOffer,
)
from orderforge.materials.ports import OpenLine


class FakeMaterials:
    def __init__(self) -> None:
        self.suppliers_: dict[str, Supplier] = {}
        self.offers_: list[SupplierOffer] = []
        self.policies_: dict[str, ItemPolicy] = {}
        self.lots_: list[Lot] = []
        self.orders: dict[str, PurchaseOrder] = {}
        self.runs_: list[MrpRun] = []
        self.pegs_: list[Peg] = []
        self.proposals_: list[Proposal] = []

    def suppliers(self) -> list[Supplier]:
        return sorted(self.suppliers_.values(), key=lambda s: s.code)

    def supplier(self, code: str) -> Supplier | None:
        return self.suppliers_.get(code)

    def save_supplier(self, supplier: Supplier) -> None:
        self.suppliers_[supplier.code] = supplier

    def offers(self, items: Collection[str] | None = None) -> list[SupplierOffer]:
        return [o for o in self.offers_ if items is None or o.item_code in items]

    def add_offer(self, offer: SupplierOffer) -> None:
        self.offers_.append(offer)

    def policies(self) -> list[ItemPolicy]:
        return sorted(self.policies_.values(), key=lambda p: p.item_code)

    def save_policy(self, policy: ItemPolicy) -> None:
        self.policies_[policy.item_code] = policy

    def lots(self, items: Collection[str] | None = None) -> list[Lot]:
        return [x for x in self.lots_ if (items is None or x.item_code in items) and x.quantity > 0]

    def lot(self, lot_number: str) -> Lot | None:
        return next((x for x in self.lots_ if x.lot_number == lot_number), None)

    def add_lot(self, lot: Lot) -> None:
        self.lots_.append(lot)

    def add_purchase_order(self, order: PurchaseOrder) -> None:
        self.orders[order.number] = order

    def purchase_order(self, number: str) -> PurchaseOrder | None:
        return self.orders.get(number)

    def lock_purchase_order(self, number: str) -> PurchaseOrder | None:
        return self.orders.get(number)

    def purchase_orders(
        self, statuses: Collection[PoStatus] | None = None, limit: int = 200
    ) -> list[PurchaseOrder]:
        found = [o for o in self.orders.values() if statuses is None or o.status in statuses]
        return sorted(found, key=lambda o: o.number, reverse=True)[:limit]

    def open_lines(self, items: Collection[str] | None = None) -> list[OpenLine]:
        return [
            OpenLine(
                o.number, x.line_no, o.supplier_code, x.item_code, x.open_quantity, x.expected_at
            )
            for o in self.orders.values()
            if o.status in OPEN_STATUSES
            for x in o.lines
            if x.open_quantity > 0 and (items is None or x.item_code in items)
        ]

    def add_run(self, run: MrpRun) -> None:
        run.id = len(self.runs_) + 1
        self.runs_.append(run)

    def run(self, run_id: int) -> MrpRun | None:
        return next((r for r in self.runs_ if r.id == run_id), None)

    def runs(self, limit: int = 20) -> list[MrpRun]:
        return list(reversed(self.runs_))[:limit]

    def replace_result(self, pegs: Iterable[Peg], proposals: Iterable[Proposal]) -> None:
        self.pegs_, self.proposals_ = list(pegs), list(proposals)

    def pegs(
        self, orders: Collection[str] | None = None, refs: Collection[str] | None = None
    ) -> list[Peg]:
        return [
            p
            for p in self.pegs_
            if (orders is None or p.order_number in orders) and (refs is None or p.ref in refs)
        ]

    def pegged(self, items: Collection[str]) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for p in self.pegs_:
            if p.item_code in items and p.source in ("stock", "purchase"):
                out[p.ref] = out.get(p.ref, Decimal(0)) + p.quantity
        return out

    def move_pegs(
        self, ref: str, to: tuple[str, str, dt.datetime], quantity: Decimal | None = None
    ) -> None:
        raise NotImplementedError("unit tests do not move pegs; the integration tests do")

    def proposals(self) -> list[Proposal]:
        return list(self.proposals_)

    def proposal(self, proposal_id: int) -> Proposal | None:
        return next((p for p in self.proposals_ if p.id == proposal_id), None)

    def save_proposal(self, proposal: Proposal) -> None:
        self.proposals_ = [proposal if p.id == proposal.id else p for p in self.proposals_]

    def remove_proposals(self, ids: Collection[int]) -> None:
        self.proposals_ = [p for p in self.proposals_ if p.id not in ids]
