"""The device history record of a regulated unit (JSON and PDF) and what holds an
order's shipment for want of complete records."""

from __future__ import annotations

from typing import Any

from orderforge.domain.documents import PaperSection, PaperTable, PlantPaper
from orderforge.domain.errors import NotFound
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.production.domain import (
    CURRENT_STATUSES,
)
from orderforge.production.ports import UNIT_SERIALS, WORK_ORDERS
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.trace.domain import (
    is_regulated,
    missing,
)
from orderforge.trace.services.facts import (
    UnitRecord,
    family_of_work_order,
    iso,
    load_unit,
    record_facts,
    unit_view,
)

# -- device history record -----------------------------------------------------------


def _record(uow: UnitOfWork, unit: UnitRecord) -> dict[str, Any]:
    view = unit_view(uow, unit)
    facts = record_facts(unit)
    gaps = missing(facts)
    accepted_all = all(o.done and o.acceptance.accepted for o in facts.operations)
    wo = unit.work_order
    done = [o.finished_at for o in wo.operations if o.finished_at is not None]
    started = [o.started_at for o in wo.operations if o.started_at is not None]
    accepted = [
        {"seq": o["seq"], "operation": o["name"], **o["inspection"]}
        for o in view["operations"]
        if o["inspection"] is not None
    ]
    signatures = [
        {"kind": "design approval", "revision": view["design"]["revision"], **s}
        for s in (view["design"] or {"signatures": []})["signatures"]
    ] + [
        {
            "kind": "accepted as is",
            "operation": a["seq"],
            "printed_name": a["accepted_as_is"]["printed_name"],
            "signed_at": a["accepted_as_is"]["at"],
            "meaning": a["accepted_as_is"]["meaning"],
            "reason": a["accepted_as_is"]["reason"],
        }
        for a in accepted
        if a["accepted_as_is"] is not None
    ]
    return {
        "serial": view["serial"],
        "product": view["product"],
        "product_family": view["product_family"],
        "regulated": view["regulated"],
        "manufacture": {
            "started_at": iso(min(started, default=None)),
            "finished_at": iso(max(done, default=None)),
            "serial_given_at": view["made_at"],
        },
        "quantity": {
            "ordered": wo.quantity,
            "made": wo.finished_units(),
            "scrapped": sum(o.scrap_quantity for o in wo.operations),
            "released": wo.finished_units() if not gaps else 0,
        },
        "numbers": {
            "serial": view["serial"],
            "unit_no": view["unit_no"],
            "work_order": wo.number,
            "order": wo.order_number,
            "line_no": wo.line_no,
            "label": f"{view['product']} · SN {view['serial']}",
            "lots": sorted({i.lot_number for i in unit.issues}),
        },
        "operations": view["operations"],
        "component_lots": [
            {**lot, "seq": o["seq"], "operation": o["name"]}
            for o in view["operations"]
            for lot in o["lots"]
        ],
        "acceptance": accepted,
        "final_acceptance": (
            "Every operation done and every inspection passed or accepted as is."
            if accepted_all
            else "Not given: an operation is not done or an inspection is not accepted."
        ),
        "signatures": signatures,
        "ncrs": view["ncrs"],
        "complete": not gaps,
        "missing": gaps,
    }


def device_history_record(ctx: ServiceContext, actor: Principal, serial: str) -> dict[str, Any]:
    """The DHR of one unit of a regulated family, with what is missing from it in words."""
    require(actor.role, Resource.TRACE, VIEW)
    with ctx.uow() as uow:
        unit = load_unit(uow, serial)
        if not unit.regulated:
            raise NotFound(
                f"{unit.serial.serial} is a {unit.work_order.product_family}, not a regulated "
                "product: it has no device history record (its trace is at /trace)."
            )
        return _record(uow, unit)


def shipment_blockers(uow: UnitOfWork, order_number: str) -> list[str]:
    """What keeps an order from shipping for want of device history records, in words:
    every unit of a regulated line must have a complete record. An order without a
    regulated line gets []. Shipping asks it before an order leaves (caller's transaction)."""
    out: list[str] = []
    repo = uow.repository(WORK_ORDERS)
    for wo in repo.for_order(order_number.strip().upper()):
        if wo.status not in CURRENT_STATUSES:
            continue
        family = family_of_work_order(uow, wo)
        if family is None or not is_regulated(family.design_approvals):
            continue
        made = uow.repository(UNIT_SERIALS).of_work_orders([wo.number])
        if not made:
            out.append(
                f"Line {wo.line_no} ({wo.number}) has no finished unit with a serial number yet."
            )
            continue
        for s in made:
            out.extend(
                f"{s.serial}: {gap}" for gap in missing(record_facts(load_unit(uow, s.serial)))
            )
    return out


def record_paper(record: dict[str, Any]) -> PlantPaper:
    """The DHR as a paper: every value in words, for the PDF renderer."""
    q, n = record["quantity"], record["numbers"]
    ops = PaperTable(
        columns=("Op", "Operation", "Work centre", "Started", "Finished", "By", "Good", "Scrap"),
        widths=(8, 34, 22, 24, 24, 24, 10, 10),
        rows=tuple(
            (
                str(o["seq"]),
                o["name"],
                o["work_centre"] or "—",
                (o["started_at"] or "—")[:16].replace("T", " "),
                (o["finished_at"] or "—")[:16].replace("T", " "),
                o["completed_by"] or o["started_by"] or "—",
                str(o["good"]),
                str(o["scrap"]),
            )
            for o in record["operations"]
        ),
    )
    lots = PaperTable(
        columns=("Op", "Item", "Lot", "Quantity", "Supplier", "PO", "Received"),
        widths=(8, 26, 26, 16, 30, 24, 22),
        rows=tuple(
            (
                str(x["seq"]),
                x.get("item_code") or "—",
                x["lot"],
                x["quantity"],
                x.get("supplier") or "—",
                x.get("po_number") or "—",
                (x.get("received_at") or "—")[:10],
            )
            for x in record["component_lots"]
        ),
    )
    acceptance = PaperTable(
        columns=("Op", "Operation", "Result", "Checked by"),
        widths=(8, 40, 70, 34),
        rows=tuple(
            (
                str(a["seq"]),
                a["operation"],
                a["status_label"],
                ", ".join(sorted({r["inspector"] for r in a["results"]})) or "—",
            )
            for a in record["acceptance"]
        ),
    )
    signatures = PaperTable(
        columns=("What", "Name", "Meaning", "Signed (UTC)"),
        widths=(50, 44, 30, 34),
        rows=tuple(
            (
                s["kind"] + (f" ({s['capacity_label']})" if "capacity_label" in s else ""),
                s["printed_name"],
                s["meaning"],
                (s["signed_at"] or "")[:16].replace("T", " "),
            )
            for s in record["signatures"]
        ),
    )
    verdict = (
        ("The record is complete.",)
        if record["complete"]
        else ("The record is NOT complete; missing:", *(f"• {m}" for m in record["missing"]))
    )
    return PlantPaper(
        title=f"Device history record {record['serial']}",
        subtitle=record["product"],
        facts=(
            ("Serial number", n["serial"]),
            ("Label", n["label"]),
            ("Work order", f"{n['work_order']} (unit {n['unit_no']})"),
            ("Order", f"{n['order']}, line {n['line_no']}"),
            (
                "Made",
                f"{(record['manufacture']['started_at'] or '—')[:10]} to "
                f"{(record['manufacture']['finished_at'] or '—')[:10]}",
            ),
            (
                "Quantity",
                f"{q['made']} made of {q['ordered']}, {q['scrapped']} scrapped, "
                f"{q['released']} released",
            ),
        ),
        sections=(
            PaperSection(heading="Completeness", text=verdict),
            PaperSection(heading="Operations", table=ops),
            PaperSection(heading="Component lots", table=lots),
            PaperSection(
                heading="Acceptance records",
                text=(f"Final acceptance: {record['final_acceptance']}",),
                table=acceptance,
            ),
            PaperSection(heading="Signatures", table=signatures),
        ),
        code=n["serial"],
        code_label=n["serial"],
    )


def device_history_pdf(ctx: ServiceContext, actor: Principal, serial: str) -> tuple[str, bytes]:
    """The DHR as PDF: (file name, bytes)."""
    if ctx.documents is None:
        raise RuntimeError("no document renderer is wired")
    record = device_history_record(ctx, actor, serial)
    return f"dhr-{record['serial']}.pdf", ctx.documents.render_paper(record_paper(record))
