"""The quote document: what the customer signs, built from the stored order.

Prices come from the order lines (priced when configured), so the document shows what
was quoted even after the catalogue or rates change. Who quotes (name, address), in
which currency, for how long and on which terms come from the plant's settings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from orderforge.domain.errors import InvalidInput
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.plant.domain import PlantSettings
from orderforge.plant.services import plant_settings
from orderforge.services.context import ServiceContext
from orderforge.services.orders import get_order
from orderforge.services.ports import Principal
from orderforge.services.views import plain


def quote_content(view: dict[str, Any], settings: PlantSettings) -> dict[str, Any]:
    money = settings.currency
    vat = (settings.tax_rate * 100).normalize()
    created = dt.datetime.fromisoformat(view["created_at"]).date()
    total = Decimal(0)
    lines = []
    for line in view["lines"]:
        spec = ", ".join(f"{k} {v}" for k, v in line["spec"].items())
        if line["unit_price"] is None:
            price = "Price on request"
        else:
            amount = Decimal(line["unit_price"]) * line["quantity"]
            total += amount
            price = f"{line['quantity']} x {money} {line['unit_price']} = {money} {amount:.2f}"
        lines.append(
            {
                "title": f"{line['line_no']}. {line['quantity']} x {line['product_family']}"
                f" (catalogue version {line['catalogue_version'] or '-'})",
                "spec": spec,
                "price": price,
            }
        )
    return {
        "company": settings.name,
        "address": list(settings.address_lines),
        "number": view["number"],
        "facts": [
            ("Customer", f"{view['customer']['name']} ({view['customer']['code']})"),
            ("Date", created.isoformat()),
            (
                "Valid until",
                (created + dt.timedelta(days=settings.quote_validity_days)).isoformat(),
            ),
            ("Requested date", view["requested_date"] or "-"),
            (
                "Lead time",
                view["promise_date"]
                or "to be confirmed (capacity and materials check follows confirmation)",
            ),
            ("State", view["state_label"]),
        ],
        "lines": lines,
        "total": f"Total {money} {total:.2f} (excl. VAT {vat:f} %)",
        "terms": " ".join(
            t
            for t in (
                f"Prices in {money} excluding VAT and delivery. Made to order: production "
                "starts after confirmation and design approval.",
                settings.payment_terms,
                settings.delivery_terms,
            )
            if t
        ),
    }


def quote_document(ctx: ServiceContext, actor: Principal, number: str) -> bytes:
    require(actor.role, Resource.ORDER, VIEW)
    if ctx.quotes is None:
        raise InvalidInput(
            "Quote documents are not available in this installation.", field="format"
        )
    view = plain(get_order(ctx, actor, number))
    with ctx.uow() as uow:
        settings = plant_settings(uow)
    if settings is None:
        raise InvalidInput(
            "The plant has no settings yet (name, address, currency): import a plant file "
            "or set them first.",
            field="settings",
        )
    return ctx.quotes.render(quote_content(view, settings))
