"""The demo orders' shipments, told as the plant would have made them: an order is
packed (a package per line, sized by its family) and handed to a carrier when it ships,
and the shipment confirmed delivered when the order was. Orders are promised at
confirmation (their requested date), so on-time delivery and the promise-at-risk alerts
have something to count; the demo's dates make some of them late."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from orderforge.domain.order import Order, OrderAction
from orderforge.services.ports import UnitOfWork
from orderforge.shipping.domain import Package, PackageItem, Shipment
from orderforge.shipping.ports import SHIPMENTS

#: (length, width, height in cm, gross kg per unit) of a packed unit of each family
_SIZE: dict[str, tuple[int, int, int, Decimal]] = {
    "TABLE": (230, 110, 95, Decimal("62.5")),
    "CABINET": (125, 65, 210, Decimal("88")),
    "SEATING": (60, 60, 95, Decimal("11.5")),
    "WALL-PANEL": (260, 70, 12, Decimal("24")),
    "COUCH": (225, 100, 90, Decimal("71")),
}
_DEFAULT_SIZE = (120, 80, 90, Decimal("45"))
_CARRIERS = ("DHL-FREIGHT", "SCHENKER", "OWN-TRUCK", "DPD")
_RECEIVERS = ("M. Berger, goods-in", "S. Novak", "front desk", "J. Keller, site manager")


class DemoShipments:
    def __init__(self, uow: UnitOfWork, planner: str) -> None:
        self.uow = uow
        self.planner = planner
        self.count = 0

    def follow(self, order: Order, action: OrderAction, at: dt.datetime, actor: str) -> None:
        """Keep the shipments in step with the order's step just taken by `actor`. A
        confirmed order is promised by the planner (its requested date could be kept then),
        so on-time delivery and the promise-at-risk alerts measure against something."""
        if action is OrderAction.CONFIRM and order.requested_date is not None:
            order.set_promise(
                order.requested_date,
                actor=self.planner,
                at=at,
                reason="The requested date can be kept.",
            )
        elif action is OrderAction.SHIP:
            self._ship(order, at, actor)
        elif action is OrderAction.CONFIRM_DELIVERY:
            repo = self.uow.repository(SHIPMENTS)
            for i, shipment in enumerate(repo.for_order(order.number)):
                shipment.confirm_delivery(
                    delivered_on=at.date(),
                    received_by=_RECEIVERS[(self.count + i) % len(_RECEIVERS)],
                    remark="",
                    actor=actor,
                    at=at,
                )
                repo.save(shipment)

    def _ship(self, order: Order, at: dt.datetime, actor: str) -> None:
        repo = self.uow.repository(SHIPMENTS)
        packed = at - dt.timedelta(hours=3)
        packages: list[Package] = []
        for line in order.lines:
            length, width, height, kg = _SIZE.get(line.product_family, _DEFAULT_SIZE)
            packages.append(
                Package(
                    number=len(packages) + 1,
                    length_cm=Decimal(length),
                    width_cm=Decimal(width),
                    height_cm=Decimal(height),
                    weight_kg=kg * line.quantity,
                    contents=(PackageItem(line.line_no, line.quantity),),
                )
            )
        n = self.uow.sequences.next_value(f"shipment-{packed.year}")
        shipment = Shipment.pack(
            number=f"SHP-{packed.year}-{n:04d}",
            order_number=order.number,
            packages=packages,
            open_lines={li.line_no: li.quantity for li in order.lines},
            actor=actor,
            at=packed,
            note="Corner protectors on every top.",
        )
        repo.add(shipment)
        carrier = next(c for c in repo.carriers() if c.code == _CARRIERS[self.count % 4])
        tracking = f"00340434{order.number[-4:]}{self.count:04d}" if carrier.tracking_url else ""
        shipment.ship(carrier=carrier, tracking_number=tracking, actor=actor, at=at)
        repo.save(shipment)
        self.count += 1
