"""Shipping use cases (see shipments, papers and on_time), and the room's event handlers
(`HANDLERS`, wired through orderforge.contexts)."""

from orderforge.services.context import EventHandler
from orderforge.shipping.services.on_time import on_time_delivery
from orderforge.shipping.services.papers import delivery_note_pdf, packing_list_pdf
from orderforge.shipping.services.shipments import (
    ConfirmDelivery,
    PackShipment,
    ShipShipment,
    cancel,
    confirm_delivery,
    get_shipment,
    list_carriers,
    list_shipments,
    on_order_cancelled,
    order_shipping,
    pack,
    ship,
)

#: Event kind -> handlers, run in the transaction of the command that raised the event.
HANDLERS: dict[str, tuple[EventHandler, ...]] = {"order_cancel": (on_order_cancelled,)}

__all__ = [
    "HANDLERS",
    "ConfirmDelivery",
    "PackShipment",
    "ShipShipment",
    "cancel",
    "confirm_delivery",
    "delivery_note_pdf",
    "get_shipment",
    "list_carriers",
    "list_shipments",
    "on_time_delivery",
    "order_shipping",
    "pack",
    "packing_list_pdf",
    "ship",
]
