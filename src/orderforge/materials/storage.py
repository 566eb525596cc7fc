"""Materials storage: tables on the shared metadata, the mapping of purchase orders and
MRP runs, and the repositories (ADR 0001).

A purchase order's row carries a version column and receipts lock it, so two receipts
racing on one line cannot together take more than is open. The latest MRP result
(pegs and proposals) is replaced whole by each run; accepted proposals are purchase
orders by then and stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, relationship

from orderforge.adapters.db.context_storage import ContextStorage, TrackingRepository
from orderforge.adapters.db.tables import mapper_registry, metadata
from orderforge.adapters.db.types import EnumText, JSONType, UTCDateTime
from orderforge.domain.errors import InvalidInput
from orderforge.materials.domain import (
    OPEN_STATUSES,
    Consumption,
    HoldKind,
    ItemPolicy,
    Lot,
    LotHold,
    MrpRun,
    Peg,
    PoStatus,
    Proposal,
    PurchaseOrder,
    PurchaseOrderLine,
    RunStatus,
    StockingPolicy,
    Supplier,
    SupplierOffer,
)
from orderforge.materials.ports import LOT_CONSUMPTIONS, MATERIALS, OpenLine
from orderforge.materials.services import MaterialReleases
from orderforge.materials.services.issues import LotIssuer
from orderforge.plant.storage import SqlPlantRepository
from orderforge.production.ports import LOT_ISSUES
from orderforge.services.ports import OPERATION_RELEASES, DuplicateRecord

QTY = sa.Numeric(14, 4)
#: Half of QTY's last decimal place.
_HALF_LAST_DIGIT = Decimal("0.00005")
MONEY = sa.Numeric(14, 4)

material_suppliers = sa.Table(
    "material_suppliers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
)

material_offers = sa.Table(
    "material_offers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("supplier_code", sa.String(40), nullable=False),
    sa.Column("item_code", sa.String(40), nullable=False, index=True),
    sa.Column("unit_price", MONEY, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("minimum", QTY, nullable=False),
    sa.Column("pack_size", QTY, nullable=False),
    sa.Column("lead_time_days", sa.Integer, nullable=False),
    sa.Column("express", sa.Boolean, nullable=False),
)

material_policies = sa.Table(
    "material_policies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("item_code", sa.String(40), nullable=False, unique=True),
    sa.Column("policy", EnumText(StockingPolicy), nullable=False),
    sa.Column("reorder_point", QTY, nullable=False),
    sa.Column("maximum", QTY, nullable=False),
)

material_lots = sa.Table(
    "material_lots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lot_number", sa.String(40), nullable=False, unique=True),
    sa.Column("item_code", sa.String(40), nullable=False, index=True),
    sa.Column("quantity", QTY, nullable=False),
    sa.Column("location", sa.String(40), nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("po_number", sa.String(30), nullable=True),
    sa.Column("po_line_no", sa.Integer, nullable=True),
)

#: Lots issued to work order operations (stock movements): only ever inserted.
lot_consumptions = sa.Table(
    "lot_consumptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lot_number", sa.String(40), nullable=False, index=True),
    sa.Column("item_code", sa.String(40), nullable=False),
    sa.Column("quantity", QTY, nullable=False),
    sa.Column("work_order", sa.String(30), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("actor", sa.String(60), nullable=False),
    sa.Column("consumed_at", UTCDateTime, nullable=False),
    # The client's idempotency key, unique per user (NULLs do not collide).
    sa.Column("client_key", sa.String(255), nullable=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.UniqueConstraint("actor", "client_key", name="uq_lot_consumptions_actor_client_key"),
)

#: Why lots are kept from the floor (migration 0027): released, never deleted.
lot_holds = sa.Table(
    "lot_holds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lot_number", sa.String(40), nullable=False, index=True),
    sa.Column("kind", EnumText(HoldKind), nullable=False),
    sa.Column("ncr", sa.String(20), nullable=False, index=True),
    sa.Column("reason", sa.String(2000), nullable=False),
    sa.Column("placed_by", sa.String(60), nullable=False),
    sa.Column("placed_at", UTCDateTime, nullable=False),
    sa.Column("released_by", sa.String(60), nullable=True),
    sa.Column("released_at", UTCDateTime, nullable=True),
)


def _held(lot_number: Any) -> Any:
    """A lot under an active hold (correlated on the lot number column given)."""
    h = lot_holds
    return sa.exists().where(h.c.lot_number == lot_number, h.c.released_at.is_(None))


def _hold(r: Any) -> LotHold:
    return LotHold(
        r.lot_number,
        HoldKind(r.kind),
        r.ncr,
        r.reason,
        r.placed_by,
        r.placed_at,
        r.released_by,
        r.released_at,
        r.id,
    )


purchase_orders = sa.Table(
    "purchase_orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("number", sa.String(30), nullable=False, unique=True),
    sa.Column("supplier_code", sa.String(40), nullable=False),
    sa.Column("status", EnumText(PoStatus), nullable=False, index=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("order_by", sa.Date, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(60), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

purchase_order_lines = sa.Table(
    "purchase_order_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "purchase_order_id",
        sa.Integer,
        sa.ForeignKey("purchase_orders.id"),
        nullable=False,
        index=True,
    ),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("item_code", sa.String(40), nullable=False, index=True),
    sa.Column("quantity", QTY, nullable=False),
    sa.Column("received_quantity", QTY, nullable=False),
    sa.Column("unit_price", MONEY, nullable=False),
    sa.Column("expected_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint(
        "purchase_order_id", "line_no", name="uq_purchase_order_lines_purchase_order_id_line_no"
    ),
)

mrp_runs = sa.Table(
    "mrp_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("status", EnumText(RunStatus), nullable=False),
    sa.Column("requested_by", sa.String(60), nullable=False),
    sa.Column("requested_at", UTCDateTime, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=True),
    sa.Column("finished_at", UTCDateTime, nullable=True),
    sa.Column("progress", sa.Float, nullable=False),
    sa.Column("counts", JSONType, nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("retry_of", sa.Integer, sa.ForeignKey("mrp_runs.id"), nullable=True),
)

material_proposals = sa.Table(
    "material_proposals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("key", sa.String(20), nullable=False, unique=True),
    sa.Column("item_code", sa.String(40), nullable=False, index=True),
    sa.Column("supplier_code", sa.String(40), nullable=False),
    sa.Column("quantity", QTY, nullable=False),
    sa.Column("unit_price", MONEY, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("order_by", sa.Date, nullable=False),
    sa.Column("arrives_at", UTCDateTime, nullable=False),
    sa.Column("need_at", UTCDateTime, nullable=False),
    sa.Column("late", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("orders", JSONType, nullable=False),
)

material_pegs = sa.Table(
    "material_pegs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("order_number", sa.String(30), nullable=False, index=True),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("work_order", sa.String(30), nullable=False),
    sa.Column("operation", sa.String(200), nullable=False),
    sa.Column("item_code", sa.String(40), nullable=False, index=True),
    sa.Column("item_name", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(10), nullable=False),
    sa.Column("quantity", QTY, nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("ref", sa.String(60), nullable=False, index=True),
    sa.Column("need_at", UTCDateTime, nullable=False),
    sa.Column("available_at", UTCDateTime, nullable=True),
)


def map_classes() -> None:
    line_mapper = mapper_registry.map_imperatively(PurchaseOrderLine, purchase_order_lines)
    mapper_registry.map_imperatively(
        PurchaseOrder,
        purchase_orders,
        version_id_col=purchase_orders.c.version,
        properties={
            "lines": relationship(
                line_mapper,
                order_by=purchase_order_lines.c.line_no,
                cascade="all, delete-orphan",
                lazy="selectin",
            )
        },
    )
    mapper_registry.map_imperatively(MrpRun, mrp_runs)


def _on_hand(quantity: Any) -> Any:
    """A lot with something left: at least half QTY's last decimal, because SQLite keeps
    NUMERIC as a binary float and a lot emptied by its issues (0.3 - 0.1 - 0.1 - 0.1) may
    keep a speck like 5.5e-17 that is no stock at all."""
    return quantity >= _HALF_LAST_DIGIT


def _items(column: Any, items: Collection[str] | None) -> Any:
    return sa.true() if items is None else column.in_(sorted(set(items)))


class SqlMaterialsRepository(TrackingRepository[PurchaseOrder]):
    def __init__(self, session: Session) -> None:
        super().__init__(session)

    # -- master data -------------------------------------------------------

    def suppliers(self) -> list[Supplier]:
        rows = self.session.execute(sa.select(material_suppliers).order_by("code"))
        return [Supplier(r.code, r.name) for r in rows]

    def supplier(self, code: str) -> Supplier | None:
        stmt = sa.select(material_suppliers).where(material_suppliers.c.code == code)
        row = self.session.execute(stmt).one_or_none()
        return None if row is None else Supplier(row.code, row.name)

    def save_supplier(self, supplier: Supplier) -> None:
        t = material_suppliers
        if self.supplier(supplier.code) is None:
            self.session.execute(sa.insert(t).values(code=supplier.code, name=supplier.name))
        else:
            stmt = sa.update(t).where(t.c.code == supplier.code).values(name=supplier.name)
            self.session.execute(stmt)

    def offers(self, items: Collection[str] | None = None) -> list[SupplierOffer]:
        t = material_offers
        stmt = (
            sa.select(t)
            .where(_items(t.c.item_code, items))
            .order_by(t.c.item_code, t.c.supplier_code, t.c.id)
        )
        return [
            SupplierOffer(
                r.supplier_code,
                r.item_code,
                r.unit_price,
                r.currency,
                r.minimum,
                r.pack_size,
                r.lead_time_days,
                r.express,
                r.id,
            )
            for r in self.session.execute(stmt)
        ]

    def add_offer(self, offer: SupplierOffer) -> None:
        values = {k: v for k, v in offer.__dict__.items() if k != "id"}
        self.session.execute(sa.insert(material_offers).values(**values))

    def policies(self) -> list[ItemPolicy]:
        t = material_policies
        rows = self.session.execute(sa.select(t).order_by(t.c.item_code))
        return [ItemPolicy(r.item_code, r.policy, r.reorder_point, r.maximum) for r in rows]

    def save_policy(self, policy: ItemPolicy) -> None:
        t = material_policies
        self.session.execute(sa.delete(t).where(t.c.item_code == policy.item_code))
        self.session.execute(sa.insert(t).values(**policy.__dict__))

    # -- stock -------------------------------------------------------------

    def lots(self, items: Collection[str] | None = None) -> list[Lot]:
        t = material_lots
        stmt = (
            sa.select(t)
            .where(_items(t.c.item_code, items), _on_hand(t.c.quantity), ~_held(t.c.lot_number))
            .order_by(t.c.received_at, t.c.lot_number)
        )
        return [_lot(r) for r in self.session.execute(stmt)]

    def held_lots(self, items: Collection[str] | None = None) -> list[tuple[Lot, LotHold]]:
        t, h = material_lots, lot_holds
        stmt = (
            sa.select(t, h.c.id.label("hold_id"))
            .join(h, h.c.lot_number == t.c.lot_number)
            .where(_items(t.c.item_code, items), _on_hand(t.c.quantity), h.c.released_at.is_(None))
            .order_by(t.c.received_at, t.c.lot_number, h.c.id)
        )
        rows = self.session.execute(stmt).all()
        holds = {x.id: x for x in self._holds(h.c.id.in_([r.hold_id for r in rows]))}
        latest: dict[str, tuple[Lot, LotHold]] = {}
        for r in rows:  # ordered by hold id: the latest hold of a lot wins
            latest[r.lot_number] = (_lot(r), holds[r.hold_id])
        return list(latest.values())

    def holds(self, lot_number: str | None = None, ncr: str | None = None) -> list[LotHold]:
        h = lot_holds
        where: list[Any] = [sa.true()]
        if lot_number is not None:
            where.append(h.c.lot_number == lot_number)
        if ncr is not None:
            where.append(h.c.ncr == ncr)
        return self._holds(*where)

    def _holds(self, *where: Any) -> list[LotHold]:
        stmt = sa.select(lot_holds).where(*where).order_by(lot_holds.c.id)
        return [_hold(r) for r in self.session.execute(stmt)]

    def add_hold(self, hold: LotHold) -> None:
        values = {k: v for k, v in hold.__dict__.items() if k != "id"}
        self.session.execute(sa.insert(lot_holds).values(**values))

    def release_holds(self, ncr: str, by: str, at: dt.datetime) -> int:
        h = lot_holds
        done = self.session.execute(
            sa.update(h)
            .where(h.c.ncr == ncr, h.c.released_at.is_(None))
            .values(released_by=by, released_at=at)
        )
        return int(done.rowcount)  # type: ignore[attr-defined]

    def lot(self, lot_number: str) -> Lot | None:
        t = material_lots
        row = self.session.execute(sa.select(t).where(t.c.lot_number == lot_number)).one_or_none()
        return None if row is None else _lot(row)

    def add_lot(self, lot: Lot) -> None:
        values = {k: v for k, v in lot.__dict__.items() if k != "id"}
        self.session.execute(sa.insert(material_lots).values(**values))

    # -- purchase orders -------------------------------------------------------

    def add_purchase_order(self, order: PurchaseOrder) -> None:
        self.session.add(order)
        self._track(order)

    def purchase_order(self, number: str) -> PurchaseOrder | None:
        stmt = sa.select(PurchaseOrder).where(purchase_orders.c.number == number)
        return self._track(self.session.scalars(stmt).one_or_none())

    def lock_purchase_order(self, number: str) -> PurchaseOrder | None:
        stmt = (
            sa.select(PurchaseOrder)
            .where(purchase_orders.c.number == number)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return self._track(self.session.scalars(stmt).one_or_none())

    def purchase_orders(
        self, statuses: Collection[PoStatus] | None = None, limit: int = 200
    ) -> list[PurchaseOrder]:
        stmt = sa.select(PurchaseOrder).order_by(purchase_orders.c.number.desc()).limit(limit)
        if statuses is not None:
            stmt = stmt.where(purchase_orders.c.status.in_(sorted(statuses)))
        return self._track_all(list(self.session.scalars(stmt)))

    def open_lines(self, items: Collection[str] | None = None) -> list[OpenLine]:
        po, line = purchase_orders.c, purchase_order_lines.c
        stmt = (
            sa.select(
                po.number,
                po.supplier_code,
                line.line_no,
                line.item_code,
                (line.quantity - line.received_quantity).label("open"),
                line.expected_at,
            )
            .join(purchase_orders, po.id == line.purchase_order_id)
            .where(
                po.status.in_(sorted(OPEN_STATUSES)),
                line.quantity > line.received_quantity,
                _items(line.item_code, items),
            )
            .order_by(line.expected_at, po.number, line.line_no)
        )
        return [
            OpenLine(
                r.number, r.line_no, r.supplier_code, r.item_code, Decimal(r.open), r.expected_at
            )
            for r in self.session.execute(stmt)
        ]

    # -- MRP runs and their result -------------------------------------------------

    def add_run(self, run: MrpRun) -> None:
        self.session.add(run)
        self.session.flush()

    def run(self, run_id: int, lock: bool = False) -> MrpRun | None:
        if lock:  # SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers itself
            return self.session.get(MrpRun, run_id, with_for_update=True, populate_existing=True)
        return self.session.get(MrpRun, run_id)

    def runs(self, limit: int = 20) -> list[MrpRun]:
        stmt = sa.select(MrpRun).order_by(mrp_runs.c.id.desc()).limit(limit)
        return list(self.session.scalars(stmt))

    def replace_result(self, pegs: Iterable[Peg], proposals: Iterable[Proposal]) -> None:
        self.session.execute(sa.delete(material_pegs))
        self.session.execute(sa.delete(material_proposals))
        peg_rows = [dict(p.__dict__) for p in pegs]
        if peg_rows:
            self.session.execute(sa.insert(material_pegs), peg_rows)
        proposal_rows = [_proposal_row(p) for p in proposals]
        if proposal_rows:
            self.session.execute(sa.insert(material_proposals), proposal_rows)

    def add_pegs(self, pegs: Iterable[Peg]) -> None:
        rows = [dict(p.__dict__) for p in pegs]
        if rows:
            self.session.execute(sa.insert(material_pegs), rows)

    def pegs(
        self,
        orders: Collection[str] | None = None,
        refs: Collection[str] | None = None,
    ) -> list[Peg]:
        t = material_pegs
        stmt = sa.select(t).order_by(t.c.order_number, t.c.line_no, t.c.id)
        if orders is not None:
            stmt = stmt.where(t.c.order_number.in_(sorted(set(orders))))
        if refs is not None:
            stmt = stmt.where(t.c.ref.in_(sorted(set(refs))))
        return [
            Peg(
                r.run_id,
                r.order_number,
                r.line_no,
                r.work_order,
                r.operation,
                r.item_code,
                r.item_name,
                r.unit,
                r.quantity,
                r.source,
                r.ref,
                r.need_at,
                r.available_at,
            )
            for r in self.session.execute(stmt)
        ]

    def pegged(self, items: Collection[str]) -> dict[str, Decimal]:
        t = material_pegs
        stmt = (
            sa.select(t.c.ref, sa.func.sum(t.c.quantity))
            .where(t.c.item_code.in_(sorted(set(items))), t.c.source.in_(["stock", "purchase"]))
            .group_by(t.c.ref)
        )
        return {ref: Decimal(total) for ref, total in self.session.execute(stmt)}

    def move_pegs(
        self,
        ref: str,
        to: tuple[str, str, dt.datetime],
        quantity: Decimal | None = None,
    ) -> None:
        t = material_pegs
        source, new_ref, available_at = to
        moved = {"source": source, "ref": new_ref, "available_at": available_at}
        if quantity is None:
            self.session.execute(sa.update(t).where(t.c.ref == ref).values(**moved))
            return
        stmt = sa.select(t).where(t.c.ref == ref).order_by(t.c.need_at, t.c.id)
        left = quantity
        for row in self.session.execute(stmt).all():
            if left <= 0:
                break
            if row.quantity <= left:
                self.session.execute(sa.update(t).where(t.c.id == row.id).values(**moved))
                left -= row.quantity
                continue
            self.session.execute(
                sa.update(t).where(t.c.id == row.id).values(quantity=row.quantity - left)
            )
            copy = {k: v for k, v in row._mapping.items() if k != "id"}
            self.session.execute(sa.insert(t).values(**{**copy, **moved, "quantity": left}))
            left = Decimal(0)

    def proposals(self) -> list[Proposal]:
        t = material_proposals
        rows = self.session.execute(sa.select(t).order_by(t.c.order_by, t.c.item_code, t.c.id))
        return [_proposal(r) for r in rows]

    def proposal(self, proposal_id: int) -> Proposal | None:
        t = material_proposals
        row = self.session.execute(sa.select(t).where(t.c.id == proposal_id)).one_or_none()
        return None if row is None else _proposal(row)

    def save_proposal(self, proposal: Proposal) -> None:
        t = material_proposals
        values = _proposal_row(proposal)
        self.session.execute(sa.update(t).where(t.c.id == proposal.id).values(**values))

    def remove_proposals(self, ids: Collection[int]) -> None:
        t = material_proposals
        self.session.execute(sa.delete(t).where(t.c.id.in_(sorted(set(ids)))))


class SqlConsumptionRepository:
    """Issues of lots to operations; each takes its quantity off the lot's row."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_lot(self, lot_number: str) -> Lot | None:
        t = material_lots
        stmt = sa.select(t).where(t.c.lot_number == lot_number).with_for_update()
        row = self.session.execute(stmt).one_or_none()
        return None if row is None else _lot(row)

    def add(self, consumption: Consumption) -> None:
        row = {k: v for k, v in consumption.__dict__.items() if k not in ("id", "key")}
        row["client_key"] = consumption.key
        try:
            with self.session.begin_nested():
                self.session.execute(sa.insert(lot_consumptions).values(**row))
        except IntegrityError as exc:
            raise DuplicateRecord(str(exc.orig)) from exc
        t = material_lots
        # Half the column's last decimal of slack: SQLite keeps NUMERIC as a binary float,
        # so a lot with exactly 0.228 left may read back as 0.22799999... in SQL.
        enough = t.c.quantity >= consumption.quantity - _HALF_LAST_DIGIT
        taken = self.session.execute(
            sa.update(t)
            .where(t.c.lot_number == consumption.lot_number, enough)
            .values(quantity=t.c.quantity - consumption.quantity)
        )
        # The lock makes this unreachable; the database makes sure of it all the same.
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidInput(
                f"Lot {consumption.lot_number} does not have {consumption.quantity} left.",
                field="quantity",
            )

    def active_hold(self, lot_number: str) -> LotHold | None:
        h = lot_holds
        stmt = (
            sa.select(h)
            .where(h.c.lot_number == lot_number, h.c.released_at.is_(None))
            .order_by(h.c.id.desc())
            .limit(1)
        )
        row = self.session.execute(stmt).one_or_none()
        return None if row is None else _hold(row)

    def by_key(self, actor: str, key: str) -> Consumption | None:
        t = lot_consumptions
        stmt = sa.select(t).where(t.c.actor == actor, t.c.client_key == key)
        row = self.session.execute(stmt).one_or_none()
        return None if row is None else _consumption(row)

    def of_lot(self, lot_number: str) -> list[Consumption]:
        t = lot_consumptions
        stmt = sa.select(t).where(t.c.lot_number == lot_number).order_by(t.c.id)
        return [_consumption(r) for r in self.session.execute(stmt)]

    def of_work_orders(self, numbers: Collection[str]) -> list[Consumption]:
        t = lot_consumptions
        stmt = sa.select(t).where(t.c.work_order.in_(sorted(set(numbers)))).order_by(t.c.id)
        return [_consumption(r) for r in self.session.execute(stmt)]

    def lots(self, numbers: Collection[str]) -> list[Lot]:
        t = material_lots
        stmt = sa.select(t).where(t.c.lot_number.in_(sorted(set(numbers))))
        return [_lot(r) for r in self.session.execute(stmt.order_by(t.c.lot_number))]


def _consumption(r: Any) -> Consumption:
    return Consumption(
        lot_number=r.lot_number,
        item_code=r.item_code,
        quantity=r.quantity,
        work_order=r.work_order,
        seq=r.seq,
        actor=r.actor,
        consumed_at=r.consumed_at,
        fingerprint=r.fingerprint,
        key=r.client_key,
        id=r.id,
    )


def _lot(r: Any) -> Lot:
    return Lot(
        r.lot_number,
        r.item_code,
        # "+ 0": an exhausted lot on SQLite (floats) may read back as -0.0000
        r.quantity + 0,
        r.location,
        r.received_at,
        r.po_number,
        r.po_line_no,
        r.id,
    )


def _proposal_row(p: Proposal) -> dict[str, Any]:
    row = {k: v for k, v in p.__dict__.items() if k != "id"}
    row["orders"] = list(p.orders)
    return row


def _proposal(r: Any) -> Proposal:
    return Proposal(
        run_id=r.run_id,
        item_code=r.item_code,
        supplier_code=r.supplier_code,
        quantity=r.quantity,
        unit_price=r.unit_price,
        currency=r.currency,
        order_by=r.order_by,
        arrives_at=r.arrives_at,
        need_at=r.need_at,
        late=r.late,
        reason=r.reason,
        orders=tuple(r.orders),
        key=r.key,
        id=r.id,
    )


def _releases(session: Session) -> MaterialReleases:
    """Planning's release dates, the reasons in the plant's time zone."""
    settings = SqlPlantRepository(session).settings()
    try:
        zone = ZoneInfo(settings.timezone) if settings else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return MaterialReleases(SqlMaterialsRepository(session), zone)


STORAGE = ContextStorage(
    name="materials",
    repositories={
        MATERIALS.name: SqlMaterialsRepository,
        OPERATION_RELEASES.name: _releases,
        LOT_CONSUMPTIONS.name: SqlConsumptionRepository,
        LOT_ISSUES.name: lambda session: LotIssuer(SqlConsumptionRepository(session)),
    },
    map_classes=map_classes,
)
