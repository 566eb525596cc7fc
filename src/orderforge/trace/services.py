"""Trace use cases: backward from a unit serial (work order, operations, lots, inspections,
signatures, NCRs), forward from a lot (every issue, work order, unit, order and customer),
the device history record of a regulated unit (JSON and PDF) and what holds its shipment.

This room sits above production, materials, quality and design, and reads each only
through its ports: it owns no table. Staff only (Resource.TRACE): a forward trace names
every customer that got a lot, so a customer never reaches it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orderforge.design.domain import DesignRevision, RevisionState, current_revisions
from orderforge.design.ports import DESIGNS
from orderforge.domain.documents import PaperSection, PaperTable, PlantPaper
from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.engines.configurator.catalogue import Family
from orderforge.materials.domain import Consumption, Lot
from orderforge.materials.ports import LOT_CONSUMPTIONS, MATERIALS
from orderforge.production.domain import (
    CURRENT_STATUSES,
    OperationStatus,
    Report,
    ReportKind,
    UnitSerial,
    WorkOrder,
)
from orderforge.production.ports import UNIT_SERIALS, WORK_ORDERS
from orderforge.quality.domain import Inspection, InspectionStatus
from orderforge.quality.ports import QUALITY
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.trace.domain import (
    Acceptance,
    OperationRecord,
    RecordFacts,
    is_regulated,
    missing,
)
from orderforge.trace.ports import NCR_RECORDS, NcrFact

MAX_CODE = 60


def _code(text: str, field_name: str) -> str:
    code = text.strip().upper()
    if not code or len(code) > MAX_CODE or any(not (c.isalnum() or c in "-._/") for c in code):
        raise InvalidInput(
            f"A {field_name} is 1-{MAX_CODE} letters, digits, '-', '.', '_' or '/'.",
            field=field_name,
        )
    return code


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else None


def _qty(value: Decimal) -> str:
    return format(value.normalize(), "f")


# -- what one unit rests on ----------------------------------------------------------


@dataclass
class _Unit:
    """Everything known about one unit, read once and shared by trace and record."""

    serial: UnitSerial
    work_order: WorkOrder
    family: Family | None
    reports: list[Report]
    issues: list[Consumption]
    lots: dict[str, Lot]
    inspections: dict[int, Inspection]
    planned: set[int]
    revision: DesignRevision | None
    ncrs: list[NcrFact]

    @property
    def regulated(self) -> bool:
        return self.family is not None and is_regulated(self.family.design_approvals)


def _family(uow: UnitOfWork, wo: WorkOrder) -> Family | None:
    try:
        return family_of(entry_for(uow, wo.product_family, wo.catalogue_version))
    except NotFound:
        return None


def _ncrs(uow: UnitOfWork, work_orders: Iterable[str]) -> list[NcrFact]:
    try:
        source = uow.repository(NCR_RECORDS)
    except LookupError:  # no room answers it yet (NCRs are coming to quality)
        return []
    return source.for_work_orders(list(work_orders))


def _unit(uow: UnitOfWork, serial: str) -> _Unit:
    found = uow.repository(UNIT_SERIALS).get(_code(serial, "serial"))
    if found is None:
        raise NotFound(f"There is no unit with serial number {serial.strip()[:MAX_CODE]}.")
    wo = uow.repository(WORK_ORDERS).get(found.work_order)
    if wo is None:
        raise NotFound(f"There is no work order {found.work_order}.")
    issues = uow.repository(LOT_CONSUMPTIONS).of_work_orders([wo.number])
    lots = {
        x.lot_number: x
        for x in uow.repository(LOT_CONSUMPTIONS).lots({i.lot_number for i in issues})
    }
    quality = uow.repository(QUALITY)
    family = _family(uow, wo)
    codes = {p.operation for p in quality.plans() if p.family == wo.product_family}
    planned = {o.seq for o in wo.operations if o.routing_key.rsplit("/", 1)[-1] in codes}
    current = current_revisions(uow.repository(DESIGNS).for_order(wo.order_number))
    return _Unit(
        serial=found,
        work_order=wo,
        family=family,
        reports=uow.repository(WORK_ORDERS).reports(wo.number),
        issues=issues,
        lots=lots,
        inspections={i.seq: i for i in quality.inspections(wo.number)},
        planned=planned,
        revision=current.get(wo.line_no),
        ncrs=[n for n in _ncrs(uow, [wo.number]) if n.unit_no in (None, found.unit_no)],
    )


def _acceptance(unit: _Unit, seq: int) -> Acceptance:
    if seq not in unit.planned:
        return Acceptance.NONE
    found = unit.inspections.get(seq)
    if found is None or not found.results:
        return Acceptance.NOT_INSPECTED
    return {
        InspectionStatus.OPEN: Acceptance.INCOMPLETE,
        InspectionStatus.PASSED: Acceptance.PASSED,
        InspectionStatus.FAILED: Acceptance.FAILED,
        InspectionStatus.ACCEPTED_AS_IS: Acceptance.ACCEPTED_AS_IS,
    }[found.status]


def _design_words(unit: _Unit) -> tuple[bool, str]:
    line = unit.work_order.line_no
    rev = unit.revision
    if rev is None:
        return False, f"No design revision for line {line} of {unit.work_order.order_number}."
    if rev.state is not RevisionState.APPROVED:
        return False, (
            f"Design revision {rev.letter} of line {line} is {rev.state.label.lower()}, "
            "not approved."
        )
    return True, ""


def _facts(unit: _Unit) -> RecordFacts:
    wo = unit.work_order
    approved, words = _design_words(unit)
    return RecordFacts(
        serial=unit.serial.serial,
        operations=tuple(
            OperationRecord(
                seq=op.seq,
                name=op.name,
                done=op.status is OperationStatus.DONE,
                items_needed=tuple(m.item_code for m in wo.materials_at(op.seq)),
                items_issued=tuple(i.item_code for i in unit.issues if i.seq == op.seq),
                acceptance=_acceptance(unit, op.seq),
            )
            for op in wo.operations
        ),
        design_approved=approved,
        design_words=words,
        open_ncrs=tuple(f"{n.number} ({n.description})" for n in unit.ncrs if n.is_open),
    )


# -- views ---------------------------------------------------------------------------------


def _who(reports: list[Report], seq: int, kind: ReportKind) -> str | None:
    said = [r.actor for r in reports if r.seq == seq and r.kind is kind]
    return said[-1] if said else None


def _lot_view(uow: UnitOfWork, lot: Lot | None, number: str) -> dict[str, Any]:
    if lot is None:
        return {"lot": number}
    materials = uow.repository(MATERIALS)
    supplier_code = supplier_name = None
    if lot.po_number:
        po = materials.purchase_order(lot.po_number)
        if po is not None:
            supplier_code = po.supplier_code
            supplier = materials.supplier(po.supplier_code)
            supplier_name = supplier.name if supplier is not None else None
    return {
        "lot": lot.lot_number,
        "item_code": lot.item_code,
        "received_at": _iso(lot.received_at),
        "po_number": lot.po_number,
        "po_line_no": lot.po_line_no,
        "supplier_code": supplier_code,
        "supplier": supplier_name,
        "location": lot.location,
        "quantity_left": _qty(lot.quantity),
    }


def _signature_view(s: Any) -> dict[str, Any]:
    return {
        "capacity": s.capacity.value,
        "capacity_label": s.capacity.label,
        "meaning": s.meaning.label,
        "printed_name": s.printed_name,
        "role": s.signer_role,
        "signed_at": _iso(s.signed_at),
        "content_hash": s.content_hash,
    }


def _inspection_view(unit: _Unit, seq: int) -> dict[str, Any] | None:
    if seq not in unit.planned:
        return None
    found = unit.inspections.get(seq)
    status = found.status if found is not None else InspectionStatus.OPEN
    results = [r for r in found.results if r.unit_serial == unit.serial.unit_no] if found else []
    view: dict[str, Any] = {
        "status": status.value,
        "status_label": status.label if found and found.results else "Not inspected yet",
        "results": [
            {
                "characteristic": r.characteristic,
                "value": str(r.value) if r.value is not None else None,
                "unit": r.unit or None,
                "passed": r.passed,
                "inspector": r.inspector,
                "recorded_at": _iso(r.recorded_at),
            }
            for r in results
        ],
        "accepted_as_is": None,
    }
    if found is not None and found.accepted_at is not None:
        signature = found.signature or {}
        view["accepted_as_is"] = {
            "by": found.accepted_by,
            "at": _iso(found.accepted_at),
            "reason": found.acceptance_reason,
            "printed_name": signature.get("printed_name", found.accepted_by),
            "meaning": signature.get("meaning_label", signature.get("meaning", "Approved")),
        }
    return view


def _unit_view(uow: UnitOfWork, unit: _Unit) -> dict[str, Any]:
    wo, s = unit.work_order, unit.serial
    order = uow.orders.get(wo.order_number)
    customer = uow.customers.get_by_id(order.customer_id) if order is not None else None
    rev = unit.revision
    return {
        "serial": s.serial,
        "unit_no": s.unit_no,
        "made_at": _iso(s.made_at),
        "product_family": wo.product_family,
        "product": unit.family.name if unit.family is not None else wo.product_family,
        "regulated": unit.regulated,
        "work_order": {
            "number": wo.number,
            "revision": wo.revision,
            "status": wo.status.value,
            "quantity": wo.quantity,
            "made": wo.finished_units(),
        },
        "order": {
            "number": wo.order_number,
            "line_no": wo.line_no,
            "state": order.state.value if order is not None else None,
            "customer": (
                {"code": customer.code, "name": customer.name} if customer is not None else None
            ),
        },
        "operations": [
            {
                "seq": op.seq,
                "name": op.name,
                "status": op.status.value,
                "work_centre": op.work_centre or (op.work_centres[0] if op.work_centres else None),
                "good": op.good_quantity,
                "scrap": op.scrap_quantity,
                "started_at": _iso(op.started_at),
                "finished_at": _iso(op.finished_at),
                "started_by": _who(unit.reports, op.seq, ReportKind.START),
                "completed_by": _who(unit.reports, op.seq, ReportKind.COMPLETE),
                "lots": [
                    {
                        **_lot_view(uow, unit.lots.get(i.lot_number), i.lot_number),
                        "quantity": _qty(i.quantity),
                        "by": i.actor,
                        "at": _iso(i.consumed_at),
                    }
                    for i in unit.issues
                    if i.seq == op.seq
                ],
                "inspection": _inspection_view(unit, op.seq),
            }
            for op in wo.operations
        ],
        "design": (
            {
                "revision": rev.letter,
                "state": rev.state.value,
                "state_label": rev.state.label,
                "signatures": [_signature_view(x) for x in rev.signatures],
            }
            if rev is not None
            else None
        ),
        "ncrs": [
            {
                "number": n.number,
                "seq": n.seq,
                "description": n.description,
                "status": n.status_words,
                "open": n.is_open,
                "raised_at": _iso(n.raised_at),
            }
            for n in unit.ncrs
        ],
    }


def trace_unit(ctx: ServiceContext, actor: Principal, serial: str) -> dict[str, Any]:
    """Backward from a unit: its work order, every operation (who, when, where, good and
    scrap), the lots used at each (supplier, PO, receipt), inspections, signatures, NCRs."""
    require(actor.role, Resource.TRACE, VIEW)
    with ctx.uow() as uow:
        return _unit_view(uow, _unit(uow, serial))


def trace_lot(ctx: ServiceContext, actor: Principal, lot_number: str) -> dict[str, Any]:
    """Forward from a lot: every issue of it, the work orders, their units, the orders and
    customers that got them (a recall's list)."""
    require(actor.role, Resource.TRACE, VIEW)
    with ctx.uow() as uow:
        number = _code(lot_number, "lot")
        issues_repo = uow.repository(LOT_CONSUMPTIONS)
        found = issues_repo.lots([number])
        if not found:
            raise NotFound(f"There is no lot {number}.")
        lot = found[0]
        issues = issues_repo.of_lot(number)
        numbers = sorted({i.work_order for i in issues})
        serials = uow.repository(UNIT_SERIALS).of_work_orders(numbers)
        repo = uow.repository(WORK_ORDERS)
        work_orders = {n: repo.get(n) for n in numbers}
        used = sum((i.quantity for i in issues), Decimal(0))
        orders: dict[str, dict[str, Any]] = {}
        for wo in work_orders.values():
            if wo is None or wo.order_number in orders:
                continue
            order = uow.orders.get(wo.order_number)
            customer = uow.customers.get_by_id(order.customer_id) if order else None
            orders[wo.order_number] = {
                "number": wo.order_number,
                "state": order.state.value if order is not None else None,
                "customer": ({"code": customer.code, "name": customer.name} if customer else None),
            }
        return {
            **_lot_view(uow, lot, number),
            "quantity_received": _qty(lot.quantity + used),
            "quantity_used": _qty(used),
            "consumptions": [
                {
                    "work_order": i.work_order,
                    "seq": i.seq,
                    "operation": _op_name(work_orders.get(i.work_order), i.seq),
                    "quantity": _qty(i.quantity),
                    "by": i.actor,
                    "at": _iso(i.consumed_at),
                }
                for i in issues
            ],
            "work_orders": [
                {
                    "number": n,
                    "order_number": w.order_number if w else None,
                    "line_no": w.line_no if w else None,
                    "status": w.status.value if w else None,
                }
                for n, w in work_orders.items()
            ],
            "units": [
                {
                    "serial": s.serial,
                    "work_order": s.work_order,
                    "order_number": s.order_number,
                    "line_no": s.line_no,
                    "customer": (orders.get(s.order_number) or {}).get("customer"),
                }
                for s in serials
            ],
            "orders": list(orders.values()),
        }


def _op_name(wo: WorkOrder | None, seq: int) -> str | None:
    if wo is None:
        return None
    return next((o.name for o in wo.operations if o.seq == seq), None)


def may_trace(actor: Principal) -> None:
    """Refuse a role that may not trace (the empty search page asks too)."""
    require(actor.role, Resource.TRACE, VIEW)


def find(ctx: ServiceContext, actor: Principal, text: str) -> tuple[str, str]:
    """What a search box (or a scanner) names: ("unit" | "lot", code), or NotFound."""
    require(actor.role, Resource.TRACE, VIEW)
    code = _code(text, "q")
    with ctx.uow() as uow:
        if uow.repository(UNIT_SERIALS).get(code) is not None:
            return "unit", code
        if uow.repository(LOT_CONSUMPTIONS).lots([code]):
            return "lot", code
    raise NotFound(f"No unit serial and no lot is called {code}.")


# -- device history record -----------------------------------------------------------


def _record(uow: UnitOfWork, unit: _Unit) -> dict[str, Any]:
    view = _unit_view(uow, unit)
    facts = _facts(unit)
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
            "started_at": _iso(min(started, default=None)),
            "finished_at": _iso(max(done, default=None)),
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
        unit = _unit(uow, serial)
        if not unit.regulated:
            raise NotFound(
                f"{unit.serial.serial} is a {unit.work_order.product_family}, not a regulated "
                "product: it has no device history record (its trace is at /trace)."
            )
        return _record(uow, unit)


def shipment_blockers(uow: UnitOfWork, order_number: str) -> list[str]:
    """What keeps an order from shipping for want of device history records, in words:
    every unit of a regulated line must have a complete record. An order without a
    regulated line gets []. For the shipping room's SHIPMENT_GATE (caller's transaction)."""
    out: list[str] = []
    repo = uow.repository(WORK_ORDERS)
    serials = uow.repository(UNIT_SERIALS)
    for wo in repo.for_order(order_number.strip().upper()):
        if wo.status not in CURRENT_STATUSES:
            continue
        family = _family(uow, wo)
        if family is None or not is_regulated(family.design_approvals):
            continue
        made = serials.of_work_orders([wo.number])
        if not made:
            out.append(
                f"Line {wo.line_no} ({wo.number}) has no finished unit with a serial number yet."
            )
            continue
        for s in made:
            out.extend(f"{s.serial}: {gap}" for gap in missing(_facts(_unit(uow, s.serial))))
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
