"""What one unit rests on, read once through the other rooms' ports: its serial, work
order, reports, the lots used, inspections, the design revision and NCRs; and the unit's
view as the trace shows it. Shared by the trace and the device history record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orderforge.design.domain import DesignRevision, RevisionState, current_revisions
from orderforge.design.ports import DESIGNS
from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.engines.configurator.catalogue import Family
from orderforge.materials.domain import Consumption, Lot
from orderforge.materials.ports import LOT_CONSUMPTIONS, MATERIALS
from orderforge.production.domain import (
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
from orderforge.services.ports import UnitOfWork
from orderforge.trace.domain import (
    Acceptance,
    OperationRecord,
    RecordFacts,
    is_regulated,
)
from orderforge.trace.ports import NCR_RECORDS, NcrFact

MAX_CODE = 60


def check_code(text: str, field_name: str) -> str:
    code = text.strip().upper()
    if not code or len(code) > MAX_CODE or any(not (c.isalnum() or c in "-._/") for c in code):
        raise InvalidInput(
            f"A {field_name} is 1-{MAX_CODE} letters, digits, '-', '.', '_' or '/'.",
            field=field_name,
        )
    return code


def iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else None


def qty(value: Decimal) -> str:
    return format(value.normalize(), "f")


# -- what one unit rests on ----------------------------------------------------------


@dataclass
class UnitRecord:
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


def family_of_work_order(uow: UnitOfWork, wo: WorkOrder) -> Family | None:
    try:
        return family_of(entry_for(uow, wo.product_family, wo.catalogue_version))
    except NotFound:
        return None


def ncrs_of(uow: UnitOfWork, work_orders: Iterable[str]) -> list[NcrFact]:
    try:
        source = uow.repository(NCR_RECORDS)
    except LookupError:  # no room answers it yet (NCRs are coming to quality)
        return []
    return source.for_work_orders(list(work_orders))


def load_unit(uow: UnitOfWork, serial: str) -> UnitRecord:
    found = uow.repository(UNIT_SERIALS).get(check_code(serial, "serial"))
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
    family = family_of_work_order(uow, wo)
    codes = {p.operation for p in quality.plans() if p.family == wo.product_family}
    planned = {o.seq for o in wo.operations if o.code in codes}
    current = current_revisions(uow.repository(DESIGNS).for_order(wo.order_number))
    return UnitRecord(
        serial=found,
        work_order=wo,
        family=family,
        reports=uow.repository(WORK_ORDERS).reports(wo.number),
        issues=issues,
        lots=lots,
        inspections={i.seq: i for i in quality.inspections(wo.number)},
        planned=planned,
        revision=current.get(wo.line_no),
        ncrs=[n for n in ncrs_of(uow, [wo.number]) if n.unit_no in (None, found.unit_no)],
    )


def _acceptance(unit: UnitRecord, seq: int) -> Acceptance:
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


def _design_words(unit: UnitRecord) -> tuple[bool, str]:
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


def record_facts(unit: UnitRecord) -> RecordFacts:
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


def lot_view(uow: UnitOfWork, lot: Lot | None, number: str) -> dict[str, Any]:
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
        "received_at": iso(lot.received_at),
        "po_number": lot.po_number,
        "po_line_no": lot.po_line_no,
        "supplier_code": supplier_code,
        "supplier": supplier_name,
        "location": lot.location,
        "quantity_left": qty(lot.quantity),
    }


def _signature_view(s: Any) -> dict[str, Any]:
    return {
        "capacity": s.capacity.value,
        "capacity_label": s.capacity.label,
        "meaning": s.meaning.label,
        "printed_name": s.printed_name,
        "role": s.signer_role,
        "signed_at": iso(s.signed_at),
        "content_hash": s.content_hash,
    }


def _inspection_view(unit: UnitRecord, seq: int) -> dict[str, Any] | None:
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
                "recorded_at": iso(r.recorded_at),
            }
            for r in results
        ],
        "accepted_as_is": None,
    }
    if found is not None and found.accepted_at is not None:
        signature = found.signature or {}
        view["accepted_as_is"] = {
            "by": found.accepted_by,
            "at": iso(found.accepted_at),
            "reason": found.acceptance_reason,
            "printed_name": signature.get("printed_name", found.accepted_by),
            "meaning": signature.get("meaning_label", signature.get("meaning", "Approved")),
        }
    return view


def unit_view(uow: UnitOfWork, unit: UnitRecord) -> dict[str, Any]:
    wo, s = unit.work_order, unit.serial
    order = uow.orders.get(wo.order_number)
    customer = uow.customers.get_by_id(order.customer_id) if order is not None else None
    rev = unit.revision
    return {
        "serial": s.serial,
        "unit_no": s.unit_no,
        "made_at": iso(s.made_at),
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
                "started_at": iso(op.started_at),
                "finished_at": iso(op.finished_at),
                "started_by": _who(unit.reports, op.seq, ReportKind.START),
                "completed_by": _who(unit.reports, op.seq, ReportKind.COMPLETE),
                "lots": [
                    {
                        **lot_view(uow, unit.lots.get(i.lot_number), i.lot_number),
                        "quantity": qty(i.quantity),
                        "by": i.actor,
                        "at": iso(i.consumed_at),
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
                "raised_at": iso(n.raised_at),
            }
            for n in unit.ncrs
        ],
    }
