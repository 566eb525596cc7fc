"""A shipment's papers: the delivery note (goes with the goods, signed by who receives
them) and the packing list (on or in the packages: what is in which package).

Neither shows a price. The packing list is read by the carrier and the customer's
goods-in, who have no business with the price; the delivery note is what the receiver
signs against the goods, so it lists quantities to check, and the money is on the
invoice and the order confirmation, where a wrong figure can be corrected without
re-issuing papers that travelled with the truck.
"""

from __future__ import annotations

from orderforge.domain.documents import PaperSection, PaperTable, PlantPaper
from orderforge.domain.order import Order
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.shipping.domain import Shipment
from orderforge.shipping.services.shipments import carriers_by_code, line_titles, load_shipment
from orderforge.shipping.services.views import kg, package_view


def _date(shipment: Shipment) -> str:
    when = shipment.shipped_at or shipment.packed_at
    return when.strftime("%a %d %b %Y")


def _facts(uow: UnitOfWork, shipment: Shipment, order: Order) -> list[tuple[str, str]]:
    customer = uow.customers.get_by_id(order.customer_id)
    carrier = carriers_by_code(uow).get(shipment.carrier)
    address = (
        ", ".join(li.strip() for li in customer.address.splitlines() if li.strip())
        if customer is not None
        else ""
    )
    facts = [
        ("Deliver to", customer.name if customer is not None else "—"),
        ("Address", address or "—"),
        ("Customer", customer.code if customer is not None else "—"),
        ("Order", order.number),
        ("Shipment", f"{shipment.number} ({shipment.status.label.lower()})"),
        ("Date", _date(shipment)),
        ("Carrier", carrier.name if carrier is not None else "not handed to a carrier yet"),
    ]
    if shipment.tracking_number:
        facts.append(("Tracking number", shipment.tracking_number))
    facts.append(
        ("Packages", f"{len(shipment.packages)}, gross weight {kg(shipment.gross_weight_kg)} kg")
    )
    return facts


def _lines_table(uow: UnitOfWork, shipment: Shipment, order: Order) -> PaperTable:
    titles = line_titles(uow, order)
    quantities = shipment.quantities()
    ordered = {li.line_no: li.quantity for li in order.lines}
    return PaperTable(
        columns=("Line", "What", "Quantity", "Ordered"),
        widths=(10, 110, 20, 20),
        rows=tuple(
            (str(n), titles.get(n, f"line {n}"), str(q), str(ordered.get(n, "—")))
            for n, q in sorted(quantities.items())
        ),
    )


def _packages_table(shipment: Shipment, titles: dict[int, str]) -> PaperTable:
    rows = []
    for p in shipment.packages:
        view = package_view(p, titles)
        contents = "; ".join(f"{c['quantity']} × line {c['line']}" for c in view["contents"])
        rows.append((str(p.number), view["size_text"], view["weight_text"], contents))
    return PaperTable(
        columns=("Package", "Size (L × W × H)", "Gross weight", "Contents"),
        widths=(18, 50, 30, 62),
        rows=tuple(rows),
    )


def delivery_note_paper(uow: UnitOfWork, shipment: Shipment, order: Order) -> PlantPaper:
    return PlantPaper(
        title=f"Delivery note {shipment.number}",
        subtitle=f"Order {order.number}",
        facts=tuple(_facts(uow, shipment, order)),
        sections=(
            PaperSection(heading="Delivered", table=_lines_table(uow, shipment, order)),
            PaperSection(
                heading="Packages", table=_packages_table(shipment, line_titles(uow, order))
            ),
            PaperSection(
                heading="Received",
                text=(
                    "Received in good order, the number of packages checked. Note any "
                    "damage here before signing.",
                    "Date: ____________   Name: ______________________   "
                    "Signature: ______________________",
                ),
            ),
        ),
        code=shipment.number,
        code_label=shipment.number,
    )


def packing_list_paper(uow: UnitOfWork, shipment: Shipment, order: Order) -> PlantPaper:
    titles = line_titles(uow, order)
    sections = [
        PaperSection(
            heading=f"Package {p.number} of {len(shipment.packages)}",
            facts=(
                ("Size", package_view(p, titles)["size_text"]),
                ("Gross weight", package_view(p, titles)["weight_text"]),
            ),
            table=PaperTable(
                columns=("Line", "What", "Quantity"),
                widths=(12, 128, 20),
                rows=tuple(
                    (str(i.line_no), titles.get(i.line_no, f"line {i.line_no}"), str(i.quantity))
                    for i in p.contents
                ),
            ),
        )
        for p in shipment.packages
    ]
    return PlantPaper(
        title=f"Packing list {shipment.number}",
        subtitle=f"Order {order.number}",
        facts=tuple(_facts(uow, shipment, order)),
        sections=tuple(sections),
        code=shipment.number,
        code_label=shipment.number,
    )


def _pdf(ctx: ServiceContext, actor: Principal, number: str, which: str) -> tuple[str, bytes]:
    require(actor.role, Resource.SHIPMENT, VIEW)
    if ctx.documents is None:
        raise RuntimeError("no document renderer is wired")
    with ctx.uow() as uow:
        shipment, order = load_shipment(uow, actor, number)
        make = delivery_note_paper if which == "delivery-note" else packing_list_paper
        paper = make(uow, shipment, order)
    return f"{which}-{shipment.number}.pdf", ctx.documents.render_paper(paper)


def delivery_note_pdf(ctx: ServiceContext, actor: Principal, number: str) -> tuple[str, bytes]:
    """The delivery note as PDF: (file name, bytes); the customer may fetch its own."""
    return _pdf(ctx, actor, number, "delivery-note")


def packing_list_pdf(ctx: ServiceContext, actor: Principal, number: str) -> tuple[str, bytes]:
    return _pdf(ctx, actor, number, "packing-list")
