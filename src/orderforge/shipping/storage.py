"""Shipping storage: shipments, their packages and the carriers. A package row is only
ever inserted (the database refuses to change or delete one): what was packed stays
what left the plant; a cancelled shipment keeps its packages, marked by its status."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import ContextStorage, TrackingRepository, inserted_id
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import JSONType, UTCDateTime
from orderforge.domain.errors import ConcurrencyConflict
from orderforge.shipping.domain import (
    Carrier,
    Package,
    PackageItem,
    Shipment,
    ShipmentStatus,
)
from orderforge.shipping.ports import SHIPMENT_GATE, SHIPMENTS

carriers = sa.Table(
    "carriers",
    metadata,
    sa.Column("code", sa.String(20), primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("tracking_url", sa.String(300), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)

shipments = sa.Table(
    "shipments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("number", sa.String(30), nullable=False),
    sa.Column("order_number", sa.String(30), nullable=False, index=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("packed_by", sa.String(40), nullable=False),
    sa.Column("packed_at", UTCDateTime, nullable=False),
    sa.Column("packing_note", sa.Text, nullable=False),
    sa.Column("carrier", sa.String(20), nullable=False),
    sa.Column("tracking_number", sa.String(60), nullable=False),
    sa.Column("shipped_by", sa.String(40), nullable=False),
    sa.Column("shipped_at", UTCDateTime, nullable=True),
    sa.Column("delivered_on", sa.Date, nullable=True),
    sa.Column("received_by", sa.String(120), nullable=False),
    sa.Column("delivery_remark", sa.Text, nullable=False),
    sa.Column("confirmed_by", sa.String(40), nullable=False),
    sa.Column("confirmed_at", UTCDateTime, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.UniqueConstraint("number", name="uq_shipment_number"),
)

shipment_packages = sa.Table(
    "shipment_packages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shipment_id", sa.Integer, sa.ForeignKey("shipments.id"), nullable=False, index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("length_cm", sa.String(20), nullable=False),
    sa.Column("width_cm", sa.String(20), nullable=False),
    sa.Column("height_cm", sa.String(20), nullable=False),
    sa.Column("weight_kg", sa.String(20), nullable=False),
    sa.Column("contents", JSONType, nullable=False),
    sa.UniqueConstraint("shipment_id", "number", name="uq_shipment_package"),
)


class SqlShipmentRepository(TrackingRepository[Shipment]):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._read_version: dict[int, int] = {}

    def add(self, shipment: Shipment) -> None:
        result = self.session.execute(
            shipments.insert().values(
                number=shipment.number,
                order_number=shipment.order_number,
                packed_by=shipment.packed_by,
                packed_at=shipment.packed_at,
                packing_note=shipment.packing_note,
                **self._changing(shipment),
            )
        )
        shipment.id = inserted_id(result)
        self._read_version[shipment.id] = shipment.version
        for p in shipment.packages:
            self.session.execute(
                shipment_packages.insert().values(
                    shipment_id=shipment.id,
                    number=p.number,
                    length_cm=str(p.length_cm),
                    width_cm=str(p.width_cm),
                    height_cm=str(p.height_cm),
                    weight_kg=str(p.weight_kg),
                    contents=[{"line": i.line_no, "quantity": i.quantity} for i in p.contents],
                )
            )
        self._track(shipment)

    def get(self, number: str) -> Shipment | None:
        found = self._load(shipments.c.number == number)
        return self._track(found[0]) if found else None

    def for_order(self, order_number: str) -> list[Shipment]:
        return self._track_all(self._load(shipments.c.order_number == order_number))

    def listing(self, status: str | None = None, limit: int = 200) -> list[Shipment]:
        where = shipments.c.status == status if status else sa.true()
        return self._track_all(self._load(where, newest_first=True, limit=limit))

    def delivered_orders(self) -> list[str]:
        return list(
            self.session.execute(
                sa.select(shipments.c.order_number)
                .where(shipments.c.status == ShipmentStatus.DELIVERED.value)
                .distinct()
                .order_by(shipments.c.order_number)
            ).scalars()
        )

    def save(self, shipment: Shipment) -> None:
        assert shipment.id is not None
        read = self._read_version.get(shipment.id, shipment.version)
        updated = self.session.execute(
            shipments.update()
            .where(shipments.c.id == shipment.id)
            .where(shipments.c.version == read)
            .values(**self._changing(shipment))
        )
        if updated.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrencyConflict(
                f"Shipment {shipment.number} was changed meanwhile. Reload and try again.",
                current_version=shipment.version,
            )
        self._read_version[shipment.id] = shipment.version

    def carriers(self) -> list[Carrier]:
        rows = self.session.execute(
            sa.select(carriers).where(carriers.c.active.is_(True)).order_by(carriers.c.name)
        ).all()
        return [Carrier(r.code, r.name, r.tracking_url) for r in rows]

    @staticmethod
    def _changing(shipment: Shipment) -> dict[str, Any]:
        return {
            "status": shipment.status.value,
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "shipped_by": shipment.shipped_by,
            "shipped_at": shipment.shipped_at,
            "delivered_on": shipment.delivered_on,
            "received_by": shipment.received_by,
            "delivery_remark": shipment.delivery_remark,
            "confirmed_by": shipment.confirmed_by,
            "confirmed_at": shipment.confirmed_at,
            "version": shipment.version,
        }

    def _load(self, where: Any, newest_first: bool = False, limit: int = 10_000) -> list[Shipment]:
        order = shipments.c.id.desc() if newest_first else shipments.c.id
        rows = self.session.execute(
            sa.select(shipments).where(where).order_by(order).limit(limit)
        ).all()
        ids = [row.id for row in rows]
        packages: dict[int, list[Package]] = {i: [] for i in ids}
        if ids:
            for p in self.session.execute(
                sa.select(shipment_packages)
                .where(shipment_packages.c.shipment_id.in_(ids))
                .order_by(shipment_packages.c.shipment_id, shipment_packages.c.number)
            ):
                packages[p.shipment_id].append(
                    Package(
                        number=p.number,
                        length_cm=Decimal(p.length_cm),
                        width_cm=Decimal(p.width_cm),
                        height_cm=Decimal(p.height_cm),
                        weight_kg=Decimal(p.weight_kg),
                        contents=tuple(
                            PackageItem(int(c["line"]), int(c["quantity"])) for c in p.contents
                        ),
                    )
                )
        out = []
        for row in rows:
            shipment = Shipment(
                number=row.number,
                order_number=row.order_number,
                packages=packages[row.id],
                packed_by=row.packed_by,
                packed_at=row.packed_at,
                status=ShipmentStatus(row.status),
                packing_note=row.packing_note,
                carrier=row.carrier,
                tracking_number=row.tracking_number,
                shipped_by=row.shipped_by,
                shipped_at=row.shipped_at,
                delivered_on=row.delivered_on,
                received_by=row.received_by,
                delivery_remark=row.delivery_remark,
                confirmed_by=row.confirmed_by,
                confirmed_at=row.confirmed_at,
                id=row.id,
                version=row.version,
            )
            self._read_version[row.id] = row.version
            out.append(shipment)
        return out


class OpenShipmentGate:
    """The SHIPMENT_GATE while no other context answers it: nothing holds a shipment.
    A context that must hold some orders (traceability's device history records)
    registers its own gate under the same key."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def blocking(self, order_number: str) -> list[str]:
        return []


STORAGE = ContextStorage(
    name="shipping",
    repositories={SHIPMENTS.name: SqlShipmentRepository, SHIPMENT_GATE.name: OpenShipmentGate},
)
