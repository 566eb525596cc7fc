"""A work order's traveler: the paper that goes with the work through the plant.

It says what to make (the spec in words and the mock-up), in which operations and on
which work centres, with which materials, and carries a QR code per operation: scanned
with the operator screen's scanner (a keyboard wedge types it into the scan box) or a
phone camera, it opens that operation. The codes are links to this server's public
address (ORDERFORGE_BASE_URL), because paper outlives the browser tab that printed it.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from orderforge.domain.documents import PaperSection, PaperTable, PlantPaper
from orderforge.domain.errors import NotFound
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.plant import services as plant_services
from orderforge.production.domain import OperationStatus, WorkOrder, duration_words
from orderforge.production.ports import WORK_ORDERS
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.context import ServiceContext
from orderforge.services.mockups import line_svg
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.services.spec_text import describe_spec

_STATUS = {
    OperationStatus.WAITING: "waiting",
    OperationStatus.READY: "ready",
    OperationStatus.RUNNING: "running",
    OperationStatus.PAUSED: "paused",
    OperationStatus.DONE: "done",
}


def scan_code(work_order: str, seq: int) -> str:
    """What a person types when the scanner fails: "WO-2026-0012/20"."""
    return f"{work_order}/{seq}"


def scan_url(public_url: str, work_order: str, seq: int) -> str:
    return f"{public_url.rstrip('/')}/floor/scan?code={quote(scan_code(work_order, seq))}"


def _quantity(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def traveler_paper(uow: UnitOfWork, work_order: WorkOrder, public_url: str) -> PlantPaper:
    order = uow.orders.get(work_order.order_number)
    line = (
        next((li for li in order.lines if li.line_no == work_order.line_no), None)
        if order is not None
        else None
    )
    try:
        family = family_of(entry_for(uow, work_order.product_family, work_order.catalogue_version))
    except NotFound:
        family = None
    centres = {w.code: w.name for w in plant_services.active_work_centres(uow)}
    name_of = {o.routing_key: o.name for o in work_order.operations}
    # a material the BOM does not tie to an operation is taken at the first ones
    first = " / ".join(o.name for o in work_order.operations if not o.predecessors)
    operations = PaperTable(
        columns=("Op", "Operation", "Work centre", "Time", "After", "Status"),
        widths=(8, 44, 40, 16, 16, 14),
        rows=tuple(
            (
                str(op.seq),
                op.name + (f" (setup: {op.setup_class})" if op.setup_class else ""),
                " or ".join(centres.get(c, c) for c in op.work_centres),
                duration_words(op.minutes(work_order.quantity)),
                ", ".join(str(p) for p in op.predecessors) or "—",
                _STATUS[op.status],
            )
            for op in work_order.operations
        ),
        codes=tuple(
            None
            if op.status is OperationStatus.DONE
            else scan_url(public_url, work_order.number, op.seq)
            for op in work_order.operations
        ),
    )
    materials = PaperTable(
        columns=("Material", "Item", "Quantity", "Taken at"),
        widths=(60, 36, 24, 40),
        rows=tuple(
            (
                m.name,
                m.item_code,
                f"{_quantity(m.quantity)} {m.unit}",
                name_of.get(m.operation or "", first),
            )
            for m in work_order.materials
        ),
    )
    product = family.name if family is not None else work_order.product_family
    sections = [
        PaperSection(
            heading="What to make",
            facts=tuple(describe_spec(family, dict(work_order.spec))),
            drawing=line_svg(family, line) if line is not None else "",
        ),
        PaperSection(
            heading="Operations",
            text=(
                "Scan an operation's code on the operator screen (or with a phone) to open "
                "it; start it there, and report the good and scrapped quantity when done.",
            ),
            table=operations,
        ),
    ]
    if work_order.materials:
        sections.append(PaperSection(heading="Materials", table=materials))
    prototype = (
        (
            (
                "PROTOTYPE",
                f"of design revision {work_order.design_revision}: one unit to prove the "
                "design, not the customer's; quality inspects it before the order is released",
            ),
        )
        if work_order.is_prototype
        else ()
    )
    return PlantPaper(
        title=("PROTOTYPE " if work_order.is_prototype else "") + f"Traveler {work_order.number}",
        subtitle=f"{work_order.quantity} × {product}",
        facts=(
            *prototype,
            ("Order", f"{work_order.order_number}, line {work_order.line_no}"),
            ("Work order", f"{work_order.number}, revision {work_order.revision}"),
            ("Quantity", str(work_order.quantity)),
            (
                "Delivery promised",
                order.promise_date.strftime("%a %d %b %Y")
                if order is not None and order.promise_date
                else "not promised yet",
            ),
            ("Printed for", "the floor: the plant's costs and prices are not on it"),
        ),
        sections=tuple(sections),
        code=f"{public_url.rstrip('/')}/floor/scan?code={quote(work_order.number)}",
        code_label=work_order.number,
    )


def traveler_pdf(ctx: ServiceContext, actor: Principal, number: str) -> tuple[str, bytes]:
    """The traveler of a work order (any revision) as PDF: (file name, bytes)."""
    require(actor.role, Resource.WORK_ORDER, VIEW)
    if ctx.documents is None:
        raise RuntimeError("no document renderer is wired")
    with ctx.uow() as uow:
        work_order = uow.repository(WORK_ORDERS).get(number.strip().upper())
        if work_order is None:
            raise NotFound(f"There is no work order {number}.")
        paper = traveler_paper(uow, work_order, ctx.public_url)
        name = f"traveler-{work_order.number}.pdf"
    return name, ctx.documents.render_paper(paper)
