"""Production storage: work order tables on the shared metadata, the imperative mapping
of the room's domain classes, and the repository (ADR 0001).

Reports are rows that are only ever inserted (facts); a work order's row carries a
version column, so two reports racing on one work order cannot both win.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction, relationship

from orderforge.adapters.db.context_storage import ContextStorage, TrackingRepository
from orderforge.adapters.db.tables import mapper_registry, metadata
from orderforge.adapters.db.types import EnumText, JSONType, UTCDateTime
from orderforge.plant.ports import WORK_CENTRE_USE
from orderforge.production.domain import (
    CURRENT_STATUSES,
    ON_THE_FLOOR,
    MaterialRequirement,
    OpenOperation,
    Operation,
    OperationStatus,
    Report,
    ReportKind,
    UnitSerial,
    WorkOrder,
    WorkOrderHeader,
    WorkOrderKind,
    WorkOrderStatus,
    open_operations,
)
from orderforge.production.ports import UNIT_SERIALS, WORK_ORDERS
from orderforge.services.ports import DuplicateRecord

work_orders = sa.Table(
    "work_orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("number", sa.String(30), nullable=False, unique=True),
    sa.Column("order_number", sa.String(30), nullable=False, index=True),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("status", EnumText(WorkOrderStatus), nullable=False, index=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("product_family", sa.String(40), nullable=False),
    sa.Column("catalogue_version", sa.Integer, nullable=False),
    sa.Column("spec", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column(
        "kind",
        EnumText(WorkOrderKind),
        nullable=False,
        server_default=WorkOrderKind.PRODUCTION.value,
    ),
    sa.Column("design_revision", sa.String(8), nullable=True),
    sa.UniqueConstraint(
        "order_number", "line_no", "revision", name="uq_work_orders_order_number_line_no_revision"
    ),
)

work_order_operations = sa.Table(
    "work_order_operations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "work_order_id", sa.Integer, sa.ForeignKey("work_orders.id"), nullable=False, index=True
    ),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("routing_key", sa.String(120), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("work_centres", JSONType, nullable=False),
    sa.Column("setup_minutes", sa.Numeric(12, 2), nullable=False),
    sa.Column("run_minutes_per_unit", sa.Numeric(12, 2), nullable=False),
    sa.Column("predecessors", JSONType, nullable=False),
    sa.Column("setup_class", sa.String(60), nullable=True),
    sa.Column("status", EnumText(OperationStatus), nullable=False),
    sa.Column("good_quantity", sa.Integer, nullable=False),
    sa.Column("scrap_quantity", sa.Integer, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=True),
    sa.Column("finished_at", UTCDateTime, nullable=True),
    sa.Column("work_centre", sa.String(40), nullable=True),
    sa.UniqueConstraint("work_order_id", "seq", name="uq_work_order_operations_work_order_id_seq"),
)

work_order_materials = sa.Table(
    "work_order_materials",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "work_order_id", sa.Integer, sa.ForeignKey("work_orders.id"), nullable=False, index=True
    ),
    sa.Column("item_code", sa.String(40), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("quantity", sa.Numeric(14, 4), nullable=False),
    sa.Column("unit", sa.String(10), nullable=False),
    sa.Column("operation", sa.String(120), nullable=True),
)

#: What the floor reported, as it was said; only ever inserted.
work_order_reports = sa.Table(
    "work_order_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("work_order", sa.String(30), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("kind", EnumText(ReportKind), nullable=False),
    sa.Column("good", sa.Integer, nullable=False),
    sa.Column("scrap", sa.Integer, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("work_centre", sa.String(40), nullable=True),
    sa.Column("actor", sa.String(60), nullable=False),
    sa.Column("reported_at", UTCDateTime, nullable=False),
    # The client's idempotency key, unique per reporting user (NULLs do not collide).
    sa.Column("client_key", sa.String(255), nullable=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    # Text, not JSON: a replay returns the first answer exactly, key order too.
    sa.Column("outcome", sa.Text, nullable=False),
    sa.UniqueConstraint("actor", "client_key", name="uq_work_order_reports_actor_client_key"),
)

#: Finished units, one row per serial number; only ever inserted.
unit_serials = sa.Table(
    "unit_serials",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("serial", sa.String(60), nullable=False, unique=True),
    sa.Column("work_order", sa.String(30), nullable=False, index=True),
    sa.Column("order_number", sa.String(30), nullable=False, index=True),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("product_family", sa.String(40), nullable=False),
    sa.Column("unit_no", sa.Integer, nullable=False),
    sa.Column("made_at", UTCDateTime, nullable=False),
)


#: Work centre codes whose JSON text is the same on both databases and holds no LIKE
#: wildcard: letters, digits, '-', '.', '/' and spaces.
_PLAIN_CODE = re.compile(r"[A-Za-z0-9./ -]+")


def _by_seq(found: OpenOperation) -> int:
    return found.seq


def _fresh_event_list(target: Any, *_: Any) -> None:
    target.pending_events = []


def map_classes() -> None:
    operation_mapper = mapper_registry.map_imperatively(Operation, work_order_operations)
    material_mapper = mapper_registry.map_imperatively(MaterialRequirement, work_order_materials)
    mapper_registry.map_imperatively(
        WorkOrder,
        work_orders,
        version_id_col=work_orders.c.version,
        properties={
            "operations": relationship(
                operation_mapper,
                order_by=work_order_operations.c.seq,
                cascade="all, delete-orphan",
                lazy="selectin",
            ),
            "materials": relationship(
                material_mapper,
                order_by=work_order_materials.c.id,
                cascade="all, delete-orphan",
                lazy="selectin",
            ),
        },
    )
    event.listen(WorkOrder, "load", _fresh_event_list)


#: The order's work orders are its production work: a prototype is looked up by number, by
#: `prototypes_for`, or at a work centre's queue, never taken for the order's product.
_PRODUCTION_ONLY = work_orders.c.kind == WorkOrderKind.PRODUCTION


class SqlWorkOrderRepository(TrackingRepository[WorkOrder]):
    """Queries also return work orders added in this transaction and not yet written,
    and filter by status in memory too, so they answer alike inside `deferred_writes`."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.added: list[WorkOrder] = []
        #: work orders locked, and the transaction holding each lock
        self.locked: dict[str, tuple[SessionTransaction, WorkOrder]] = {}

    def add(self, work_order: WorkOrder) -> None:
        self.session.add(work_order)
        self.added.append(work_order)
        self._track(work_order)

    def deferred_writes(self) -> AbstractContextManager[object]:
        return self.session.no_autoflush

    def _with_added(self, stmt: Any, keep: Callable[[WorkOrder], bool]) -> list[WorkOrder]:
        found = list(self.session.scalars(stmt))
        found += [w for w in self.added if not any(w is f for f in found)]
        return self._track_all([w for w in found if keep(w)])

    def get(self, number: str) -> WorkOrder | None:
        stmt = sa.select(WorkOrder).where(work_orders.c.number == number)
        return next(iter(self._with_added(stmt, lambda w: w.number == number)), None)

    def lock(self, number: str) -> WorkOrder | None:
        # A row lock lasts until its transaction ends: asking again while it holds (a
        # report, then the issues of its operation) would only load the same object again.
        held = self.locked.get(number)
        if held is not None and held[0].is_active and held[1] in self.session:
            return held[1]
        stmt = sa.select(WorkOrder).where(work_orders.c.number == number).with_for_update()
        found = self._track(self.session.scalars(stmt).one_or_none())
        transaction = self.session.get_nested_transaction() or self.session.get_transaction()
        if found is not None and transaction is not None:
            self.locked[number] = (transaction, found)
        return found

    def for_order(self, order_number: str) -> list[WorkOrder]:
        stmt = sa.select(WorkOrder).where(
            work_orders.c.order_number == order_number, _PRODUCTION_ONLY
        )
        found = self._with_added(
            stmt, lambda w: w.order_number == order_number and not w.is_prototype
        )
        return sorted(found, key=lambda w: (w.line_no, w.revision))

    def prototypes_for(self, order_number: str) -> list[WorkOrder]:
        stmt = sa.select(WorkOrder).where(
            work_orders.c.order_number == order_number,
            work_orders.c.kind == WorkOrderKind.PROTOTYPE,
        )
        found = self._with_added(stmt, lambda w: w.order_number == order_number and w.is_prototype)
        return sorted(found, key=lambda w: (w.line_no, w.revision))

    def current_for(self, order_numbers: Collection[str]) -> list[WorkOrder]:
        wanted = set(order_numbers)
        if not wanted:
            return []
        stmt = sa.select(WorkOrder).where(
            work_orders.c.order_number.in_(sorted(wanted)), _PRODUCTION_ONLY
        )
        found = self._with_added(
            stmt,
            lambda w: (
                w.order_number in wanted and w.status in CURRENT_STATUSES and not w.is_prototype
            ),
        )
        return sorted(found, key=lambda w: (w.order_number, w.line_no))

    def headers(self, numbers: Collection[str]) -> list[WorkOrderHeader]:
        wanted = sorted(set(numbers))
        if not wanted:
            return []
        wo, op = work_orders.c, work_order_operations.c
        names: dict[int, dict[int, str]] = {}
        heads = list(
            self.session.execute(
                sa.select(wo.id, wo.number, wo.order_number, wo.line_no, wo.status).where(
                    wo.number.in_(wanted)
                )
            )
        )
        ids = [h.id for h in heads]
        for found in self.session.execute(
            sa.select(op.work_order_id, op.seq, op.name).where(op.work_order_id.in_(ids))
        ):
            names.setdefault(found.work_order_id, {})[found.seq] = found.name
        listed = {
            h.number: WorkOrderHeader(
                h.number, h.order_number, h.line_no, h.status, names.get(h.id, {})
            )
            for h in heads
        }
        for added in self.added:  # made in this transaction, not written yet
            if added.number in wanted:
                listed[added.number] = WorkOrderHeader.of(added)
        return [listed[n] for n in sorted(listed)]

    def recent(self, limit: int = 200) -> list[WorkOrder]:
        stmt = sa.select(WorkOrder).order_by(work_orders.c.id.desc()).limit(limit)
        return self._track_all(list(self.session.scalars(stmt)))

    def open_operations_at(self, work_centre: str) -> list[OpenOperation]:
        wo, op = work_orders.c, work_order_operations.c
        stmt = (
            sa.select(
                wo.id,
                wo.number,
                wo.order_number,
                wo.line_no,
                wo.product_family,
                wo.catalogue_version,
                wo.spec,
                wo.quantity,
                wo.kind,
                op.seq,
                op.routing_key,
                op.name,
                op.status,
                op.work_centre,
                op.work_centres,
                op.predecessors,
            )
            .join(work_order_operations, op.work_order_id == wo.id)
            .where(wo.status.in_(ON_THE_FLOOR), op.status != OperationStatus.DONE)
        )
        # Eligible centres are a JSON list. Its text narrows the rows in the database (a
        # queue is built at every report); the decoded list decides. Portable on both
        # databases; a code whose JSON text could differ between them (escapes) is
        # matched in Python only.
        if _PLAIN_CODE.fullmatch(work_centre):
            stmt = stmt.where(sa.cast(op.work_centres, sa.Text).like(f'%"{work_centre}"%'))
        rows = [r for r in self.session.execute(stmt) if work_centre in r.work_centres]
        # What each waits for: the names of its work orders' operations not done yet, as
        # plain rows (no JSON, no tracked objects); done ones stay in the database.
        ids = sorted({r.id for r in rows if r.predecessors})
        open_steps: dict[tuple[int, int], str] = {}
        if ids:
            for found in self.session.execute(
                sa.select(op.work_order_id, op.seq, op.name).where(
                    op.work_order_id.in_(ids), op.status != OperationStatus.DONE
                )
            ):
                open_steps[(found.work_order_id, found.seq)] = found.name
        listed: dict[str, list[OpenOperation]] = {}
        for r in rows:
            waiting = next(
                ((p, open_steps[(r.id, p)]) for p in r.predecessors if (r.id, p) in open_steps),
                None,
            )
            listed.setdefault(r.number, []).append(
                OpenOperation(
                    work_order=r.number,
                    order_number=r.order_number,
                    line_no=r.line_no,
                    product_family=r.product_family,
                    catalogue_version=r.catalogue_version,
                    spec=dict(r.spec),
                    quantity=r.quantity,
                    seq=r.seq,
                    routing_key=r.routing_key,
                    name=r.name,
                    status=r.status,
                    work_centre=r.work_centre,
                    work_centres=tuple(r.work_centres),
                    waiting_for=waiting,
                    prototype=r.kind is WorkOrderKind.PROTOTYPE,
                )
            )
        for added in self.added:  # made in this transaction, not written yet
            listed[added.number] = open_operations(added, work_centre)
        return [o for number in sorted(listed) for o in sorted(listed[number], key=_by_seq)]

    def add_report(self, report: Report) -> None:
        # No savepoint: a key taken meanwhile ends the transaction, and the caller answers
        # from a new one (a savepoint cost two more round trips on every report).
        try:
            self.session.execute(sa.insert(work_order_reports).values(**_report_row(report)))
        except IntegrityError as exc:
            raise DuplicateRecord(str(exc.orig)) from exc

    def report(self, actor: str, key: str) -> Report | None:
        stmt = sa.select(work_order_reports).where(
            work_order_reports.c.actor == actor, work_order_reports.c.client_key == key
        )
        row = self.session.execute(stmt).one_or_none()
        return None if row is None else _report(row)

    def reports(self, work_order: str) -> list[Report]:
        stmt = (
            sa.select(work_order_reports)
            .where(work_order_reports.c.work_order == work_order)
            .order_by(work_order_reports.c.id)
        )
        return [_report(row) for row in self.session.execute(stmt)]


def _report_row(report: Report) -> dict[str, Any]:
    return {
        "work_order": report.work_order,
        "seq": report.seq,
        "kind": report.kind,
        "good": report.good,
        "scrap": report.scrap,
        "note": report.note,
        "work_centre": report.work_centre,
        "actor": report.actor,
        "reported_at": report.reported_at,
        "client_key": report.key,
        "fingerprint": report.fingerprint,
        "outcome": json.dumps(report.outcome),
    }


def _report(row: Any) -> Report:
    return Report(
        work_order=row.work_order,
        seq=row.seq,
        kind=row.kind,
        actor=row.actor,
        reported_at=row.reported_at,
        fingerprint=row.fingerprint,
        outcome=json.loads(row.outcome),
        key=row.client_key,
        good=row.good,
        scrap=row.scrap,
        note=row.note,
        work_centre=row.work_centre,
        id=row.id,
    )


class SqlWorkCentreUse:
    """The plant's WorkCentreUse port: open work orders whose unfinished operations may
    run on a work centre (any eligible one counts: the planner may still pick it)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def open_work_using(self, codes: set[str]) -> dict[str, str]:
        wo, op = work_orders.c, work_order_operations.c
        stmt = (
            sa.select(wo.order_number, op.work_centres)
            .join(work_order_operations, op.work_order_id == wo.id)
            .where(
                wo.status.in_([WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS]),
                op.status != OperationStatus.DONE,
            )
            .order_by(wo.order_number)
        )
        used: dict[str, str] = {}
        for order_number, centres in self.session.execute(stmt):
            for code in set(centres) & codes:
                used.setdefault(code, order_number)
        return used


class SqlSerialRepository:
    """Finished units by serial number (production's UNIT_SERIALS)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, serials: list[UnitSerial]) -> None:
        rows = [{k: v for k, v in s.__dict__.items() if k != "id"} for s in serials]
        if rows:
            self.session.execute(sa.insert(unit_serials), rows)

    def get(self, serial: str) -> UnitSerial | None:
        t = unit_serials
        row = self.session.execute(sa.select(t).where(t.c.serial == serial)).one_or_none()
        return None if row is None else _serial(row)

    def of_work_orders(self, numbers: Collection[str]) -> list[UnitSerial]:
        t = unit_serials
        stmt = sa.select(t).where(t.c.work_order.in_(sorted(set(numbers)))).order_by(t.c.serial)
        return [_serial(r) for r in self.session.execute(stmt)]

    def of_order(self, order_number: str) -> list[UnitSerial]:
        t = unit_serials
        stmt = (
            sa.select(t).where(t.c.order_number == order_number).order_by(t.c.line_no, t.c.serial)
        )
        return [_serial(r) for r in self.session.execute(stmt)]


def _serial(r: Any) -> UnitSerial:
    return UnitSerial(
        r.serial,
        r.work_order,
        r.order_number,
        r.line_no,
        r.product_family,
        r.unit_no,
        r.made_at,
        r.id,
    )


STORAGE = ContextStorage(
    name="production",
    repositories={
        WORK_ORDERS.name: SqlWorkOrderRepository,
        UNIT_SERIALS.name: SqlSerialRepository,
        WORK_CENTRE_USE.name: SqlWorkCentreUse,
    },
    map_classes=map_classes,
)
