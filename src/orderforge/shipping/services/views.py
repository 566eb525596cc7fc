"""How shipments are shown: one view for every face, with what the customer must not
see (staff notes, who packed) left out for a customer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from orderforge.domain.user import Role
from orderforge.services.ports import Principal
from orderforge.shipping.domain import Carrier, Package, Shipment


def kg(value: Decimal) -> str:
    """12.50 -> \"12.5\", 300.00 -> \"300\": a measure as people write it."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def package_view(p: Package, line_titles: dict[int, str]) -> dict[str, Any]:
    return {
        "number": p.number,
        "length_cm": str(p.length_cm),
        "width_cm": str(p.width_cm),
        "height_cm": str(p.height_cm),
        "weight_kg": str(p.weight_kg),
        "size_text": f"{kg(p.length_cm)} × {kg(p.width_cm)} × {kg(p.height_cm)} cm",
        "weight_text": f"{kg(p.weight_kg)} kg",
        "contents": [
            {
                "line": i.line_no,
                "quantity": i.quantity,
                "title": line_titles.get(i.line_no, f"line {i.line_no}"),
            }
            for i in p.contents
        ],
    }


def _when(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value else None


def shipment_view(
    shipment: Shipment,
    actor: Principal,
    carriers: dict[str, Carrier],
    line_titles: dict[int, str],
) -> dict[str, Any]:
    carrier = carriers.get(shipment.carrier)
    view: dict[str, Any] = {
        "number": shipment.number,
        "order_number": shipment.order_number,
        "status": shipment.status.value,
        "status_label": shipment.status.label,
        "packages": [package_view(p, line_titles) for p in shipment.packages],
        "package_count": len(shipment.packages),
        "gross_weight_kg": str(shipment.gross_weight_kg),
        "gross_weight_text": f"{kg(shipment.gross_weight_kg)} kg",
        "quantities": {str(k): v for k, v in sorted(shipment.quantities().items())},
        "packed_at": _when(shipment.packed_at),
        "carrier": shipment.carrier or None,
        "carrier_name": (carrier.name if carrier else shipment.carrier) or None,
        "tracking_number": shipment.tracking_number or None,
        "tracking_url": (carrier.link(shipment.tracking_number) if carrier else "") or None,
        "shipped_at": _when(shipment.shipped_at),
        "delivered_on": shipment.delivered_on.isoformat() if shipment.delivered_on else None,
        "received_by": shipment.received_by or None,
        "version": shipment.version,
    }
    if actor.role is not Role.CUSTOMER:
        view |= {
            "packed_by": shipment.packed_by,
            "packing_note": shipment.packing_note,
            "shipped_by": shipment.shipped_by or None,
            "confirmed_by": shipment.confirmed_by or None,
            "delivery_remark": shipment.delivery_remark,
        }
    return view
