"""In-memory materials repository (registered in tests/unit/fakes.py FAKE_REPOSITORIES),
so use cases that load the demo or read sourcing run on the fake unit of work."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable
from decimal import Decimal

from orderforge.materials.domain import (
    OPEN_STATUSES,
    ItemPolicy,
    Lot,
    LotHold,
    MrpRun,
    Peg,
    PoStatus,
    Proposal,
    PurchaseOrder,
    Supplier,
    SupplierOffer,
)
from orderforge.materials.ports import MaterialsRepository, OpenLine


def _wanted(code: str, items: Collection[str] | None) -> bool:
    return items is None or code in items


class FakeMaterials:
    def __init__(self) -> None:
        self._suppliers: dict[str, Supplier] = {}
        self._offers: list[SupplierOffer] = []
        self._policies: dict[str, ItemPolicy] = {}
        self._lots: list[Lot] = []
        self._orders: dict[str, PurchaseOrder] = {}
        self._runs: list[MrpRun] = []
        self._pegs: list[Peg] = []
        self._proposals: list[Proposal] = []
        self._holds: list[LotHold] = []

    def suppliers(self) -> list[Supplier]:
        return [self._suppliers[k] for k in sorted(self._suppliers)]

    def supplier(self, code: str) -> Supplier | None:
        return self._suppliers.get(code)

    def save_supplier(self, supplier: Supplier) -> None:
        self._suppliers[supplier.code] = supplier

    def offers(self, items: Collection[str] | None = None) -> list[SupplierOffer]:
        return [o for o in self._offers if _wanted(o.item_code, items)]

    def add_offer(self, offer: SupplierOffer) -> None:
        self._offers.append(dataclasses.replace(offer, id=len(self._offers) + 1))

    def policies(self) -> list[ItemPolicy]:
        return [self._policies[k] for k in sorted(self._policies)]

    def save_policy(self, policy: ItemPolicy) -> None:
        self._policies[policy.item_code] = policy

    def _active(self, lot_number: str) -> LotHold | None:
        held = [h for h in self._holds if h.lot_number == lot_number and h.active]
        return held[-1] if held else None

    def lots(self, items: Collection[str] | None = None) -> list[Lot]:
        found = [
            lot
            for lot in self._lots
            if lot.quantity > 0
            and _wanted(lot.item_code, items)
            and self._active(lot.lot_number) is None
        ]
        return sorted(found, key=lambda lot: (lot.received_at, lot.lot_number))

    def held_lots(self, items: Collection[str] | None = None) -> list[tuple[Lot, LotHold]]:
        found = [
            (lot, hold)
            for lot in self._lots
            if lot.quantity > 0 and _wanted(lot.item_code, items)
            for hold in [self._active(lot.lot_number)]
            if hold is not None
        ]
        return sorted(found, key=lambda x: (x[0].received_at, x[0].lot_number))

    def holds(self, lot_number: str | None = None, ncr: str | None = None) -> list[LotHold]:
        return [
            h
            for h in self._holds
            if (lot_number is None or h.lot_number == lot_number) and (ncr is None or h.ncr == ncr)
        ]

    def add_hold(self, hold: LotHold) -> None:
        self._holds.append(dataclasses.replace(hold, id=len(self._holds) + 1))

    def release_holds(self, ncr: str, by: str, at: dt.datetime) -> int:
        done = 0
        for i, h in enumerate(self._holds):
            if h.ncr == ncr and h.active:
                self._holds[i] = dataclasses.replace(h, released_by=by, released_at=at)
                done += 1
        return done

    def lot(self, lot_number: str) -> Lot | None:
        return next((lot for lot in self._lots if lot.lot_number == lot_number), None)

    def add_lot(self, lot: Lot) -> None:
        self._lots.append(dataclasses.replace(lot, id=len(self._lots) + 1))

    def add_purchase_order(self, order: PurchaseOrder) -> None:
        order.id = len(self._orders) + 1
        self._orders[order.number] = order

    def purchase_order(self, number: str) -> PurchaseOrder | None:
        return self._orders.get(number)

    def lock_purchase_order(self, number: str) -> PurchaseOrder | None:
        return self._orders.get(number)

    def purchase_orders(
        self, statuses: Collection[PoStatus] | None = None, limit: int = 200
    ) -> list[PurchaseOrder]:
        found = [o for o in self._orders.values() if statuses is None or o.status in statuses]
        return sorted(found, key=lambda o: o.number, reverse=True)[:limit]

    def open_lines(self, items: Collection[str] | None = None) -> list[OpenLine]:
        lines = [
            OpenLine(
                o.number,
                li.line_no,
                o.supplier_code,
                li.item_code,
                li.open_quantity,
                li.expected_at,
            )
            for o in self._orders.values()
            if o.status in OPEN_STATUSES
            for li in o.lines
            if li.open_quantity > 0 and _wanted(li.item_code, items)
        ]
        return sorted(lines, key=lambda line: (line.expected_at, line.po_number, line.line_no))

    def add_run(self, run: MrpRun) -> None:
        run.id = len(self._runs) + 1
        self._runs.append(run)

    def run(self, run_id: int, lock: bool = False) -> MrpRun | None:
        return next((r for r in self._runs if r.id == run_id), None)

    def runs(self, limit: int = 20) -> list[MrpRun]:
        return list(reversed(self._runs))[:limit]

    def replace_result(self, pegs: Iterable[Peg], proposals: Iterable[Proposal]) -> None:
        self._pegs = list(pegs)
        self._proposals = []
        for proposal in proposals:
            self.save_proposal(proposal)

    def add_pegs(self, pegs: Iterable[Peg]) -> None:
        self._pegs.extend(pegs)

    def pegs(
        self, orders: Collection[str] | None = None, refs: Collection[str] | None = None
    ) -> list[Peg]:
        return [
            p
            for p in self._pegs
            if (orders is None or p.order_number in orders) and (refs is None or p.ref in refs)
        ]

    def pegged(self, items: Collection[str]) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for p in self._pegs:
            if p.item_code in items and p.source in ("stock", "purchase"):
                totals[p.ref] = totals.get(p.ref, Decimal(0)) + p.quantity
        return totals

    def move_pegs(
        self, ref: str, to: tuple[str, str, dt.datetime], quantity: Decimal | None = None
    ) -> None:
        source, new_ref, at = to
        left = quantity
        moved: list[Peg] = []
        for peg in sorted(self._pegs, key=lambda p: p.need_at):
            if peg.ref != ref or (left is not None and left <= 0):
                moved.append(peg)
                continue
            take = peg.quantity if left is None else min(left, peg.quantity)
            moved.append(
                dataclasses.replace(peg, quantity=take, source=source, ref=new_ref, available_at=at)
            )
            if take < peg.quantity:
                moved.append(dataclasses.replace(peg, quantity=peg.quantity - take))
            if left is not None:
                left -= take
        self._pegs = moved

    def proposals(self) -> list[Proposal]:
        return list(self._proposals)

    def proposal(self, proposal_id: int) -> Proposal | None:
        return next((p for p in self._proposals if p.id == proposal_id), None)

    def save_proposal(self, proposal: Proposal) -> None:
        if proposal.id is None:
            proposal = dataclasses.replace(proposal, id=len(self._proposals) + 1)
            self._proposals.append(proposal)
        else:
            self._proposals = [proposal if p.id == proposal.id else p for p in self._proposals]

    def remove_proposals(self, ids: Collection[int]) -> None:
        self._proposals = [p for p in self._proposals if p.id not in ids]


_CHECK: type[MaterialsRepository] = FakeMaterials
