"""Shipping use cases (see shipments, papers and on_time)."""

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
    order_shipping,
    pack,
    ship,
)

__all__ = [
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
