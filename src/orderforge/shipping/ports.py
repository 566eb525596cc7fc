"""Shipping ports: where shipments and carriers are kept, and what may hold a shipment."""

from __future__ import annotations

from typing import Protocol

from orderforge.services.ports import RepositoryKey
from orderforge.shipping.domain import Carrier, Shipment


class ShipmentRepository(Protocol):
    def add(self, shipment: Shipment) -> None: ...
    def get(self, number: str) -> Shipment | None: ...
    def for_order(self, order_number: str) -> list[Shipment]: ...
    def listing(self, status: str | None = None, limit: int = 200) -> list[Shipment]:
        """Newest first; `status` one of ShipmentStatus' values."""
        ...

    def delivered_orders(self) -> list[str]:
        """Numbers of orders with at least one delivered shipment."""
        ...

    def save(self, shipment: Shipment) -> None:
        """Store the new status and its facts (packages never change); raises
        ConcurrencyConflict when someone else changed it meanwhile."""
        ...

    def carriers(self) -> list[Carrier]: ...


class ShipmentGate(Protocol):
    """What another context says about an order leaving the plant (shipping cannot know
    every reason: the device history record of a regulated product, for one)."""

    def blocking(self, order_number: str) -> list[str]:
        """What is missing before this order may ship, in words; empty when nothing is."""
        ...


SHIPMENTS: RepositoryKey[ShipmentRepository] = RepositoryKey("shipments")
SHIPMENT_GATE: RepositoryKey[ShipmentGate] = RepositoryKey("shipment_gate")
