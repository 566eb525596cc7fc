"""What the materials use cases need from storage, and the key to ask a unit of work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from orderforge.materials.domain import (
    Consumption,
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
from orderforge.services.ports import RepositoryKey


@dataclass(frozen=True)
class OpenLine:
    """What is still to come on one purchase order line."""

    po_number: str
    line_no: int
    supplier_code: str
    item_code: str
    open_quantity: Decimal
    expected_at: dt.datetime

    @property
    def ref(self) -> str:
        return f"{self.po_number}/{self.line_no}"


class MaterialsRepository(Protocol):
    """Lists are sorted by code, number or id; `items` filters by item code (None: all)."""

    def suppliers(self) -> list[Supplier]: ...
    def supplier(self, code: str) -> Supplier | None: ...
    def save_supplier(self, supplier: Supplier) -> None: ...
    def offers(self, items: Collection[str] | None = None) -> list[SupplierOffer]: ...
    def add_offer(self, offer: SupplierOffer) -> None: ...
    def policies(self) -> list[ItemPolicy]: ...
    def save_policy(self, policy: ItemPolicy) -> None: ...
    def lots(self, items: Collection[str] | None = None) -> list[Lot]:
        """Usable lots with quantity left, oldest first: held lots are left out, so
        nothing that plans on stock (MRP, promise, supply) counts on them."""
        ...

    def held_lots(self, items: Collection[str] | None = None) -> list[tuple[Lot, LotHold]]:
        """Lots with quantity left under an active hold, each with its latest hold."""
        ...

    def lot(self, lot_number: str) -> Lot | None: ...
    def add_lot(self, lot: Lot) -> None: ...
    def holds(self, lot_number: str | None = None, ncr: str | None = None) -> list[LotHold]:
        """Holds of a lot or placed by an NCR (released ones too), oldest first."""
        ...

    def add_hold(self, hold: LotHold) -> None: ...
    def release_holds(self, ncr: str, by: str, at: dt.datetime) -> int:
        """Release the NCR's active holds; how many were released."""
        ...

    def add_purchase_order(self, order: PurchaseOrder) -> None: ...
    def purchase_order(self, number: str) -> PurchaseOrder | None: ...
    def lock_purchase_order(self, number: str) -> PurchaseOrder | None:
        """Get a purchase order and hold it until commit: receipts take turns."""
        ...

    def purchase_orders(
        self, statuses: Collection[PoStatus] | None = None, limit: int = 200
    ) -> list[PurchaseOrder]: ...
    def open_lines(self, items: Collection[str] | None = None) -> list[OpenLine]: ...
    def add_run(self, run: MrpRun) -> None: ...
    def run(self, run_id: int, lock: bool = False) -> MrpRun | None:
        """`lock`: hold the row until the transaction ends (claiming or cancelling)."""
        ...

    def runs(self, limit: int = 20) -> list[MrpRun]: ...
    def replace_result(self, pegs: Iterable[Peg], proposals: Iterable[Proposal]) -> None:
        """The latest run's pegging and proposals replace the previous ones."""
        ...

    def add_pegs(self, pegs: Iterable[Peg]) -> None:
        """Add pegs to the latest result (one confirmed order's, between MRP runs)."""
        ...

    def pegs(
        self,
        orders: Collection[str] | None = None,
        refs: Collection[str] | None = None,
    ) -> list[Peg]: ...
    def pegged(self, items: Collection[str]) -> dict[str, Decimal]:
        """Quantity pegged per stock lot number and purchase line ("PO-.../1")."""
        ...

    def move_pegs(
        self,
        ref: str,
        to: tuple[str, str, dt.datetime],
        quantity: Decimal | None = None,
    ) -> None:
        """Pegs on `ref` (an accepted proposal, a received purchase line) move to what
        replaced it: `to` is (source, ref, available at); `quantity` None moves all,
        else that much, earliest need first (a peg is split when it must)."""
        ...

    def proposals(self) -> list[Proposal]: ...
    def proposal(self, proposal_id: int) -> Proposal | None: ...
    def save_proposal(self, proposal: Proposal) -> None: ...
    def remove_proposals(self, ids: Collection[int]) -> None: ...


MATERIALS: RepositoryKey[MaterialsRepository] = RepositoryKey("materials")


class ConsumptionRepository(Protocol):
    """Issues of lots to work orders (stock movements, only ever inserted)."""

    def lock_lot(self, lot_number: str) -> Lot | None:
        """Get a lot and hold it until commit: two issues from one lot take turns, so
        together they never take more than it has."""
        ...

    def add(self, consumption: Consumption) -> None:
        """Keep the issue and take its quantity off the lot; raises DuplicateRecord when
        the user's idempotency key is already used."""
        ...

    def active_hold(self, lot_number: str) -> LotHold | None:
        """The hold that keeps the lot from the floor now, if any."""
        ...

    def by_key(self, actor: str, key: str) -> Consumption | None: ...
    def of_lot(self, lot_number: str) -> list[Consumption]: ...
    def of_work_orders(self, numbers: Collection[str]) -> list[Consumption]: ...
    def lots(self, numbers: Collection[str]) -> list[Lot]:
        """These lots whether or not anything is left of them."""
        ...


LOT_CONSUMPTIONS: RepositoryKey[ConsumptionRepository] = RepositoryKey("lot_consumptions")
