"""Quality use cases: put inspection plans in force, read an operation's inspection,
record results, and accept failed work as is (an electronic signature).

An inspection is found by the work order's family and the operation's routing code: the
plan for ("TABLE", "QC") applies to operation "QC" of every table, whatever module path
leads to it. The limits are worked out for the work order's own spec (a nominal may be a
spec parameter), so the inspector sees "1998–2002 mm" for a 2000 mm table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from orderforge.domain.errors import (
    IllegalTransition,
    InvalidInput,
    NotFound,
)
from orderforge.domain.permissions import DECIDE, EDIT, RECORD, VIEW, Resource, require
from orderforge.domain.signatures import Capacity, Meaning, canonical
from orderforge.production.domain import OperationStatus, WorkOrder
from orderforge.production.ports import WORK_ORDERS
from orderforge.quality.domain import (
    Inspection,
    InspectionPlan,
    InspectionStatus,
    plan_from,
)
from orderforge.quality.final import checklist_from
from orderforge.quality.ports import FINAL_INSPECTIONS, QUALITY
from orderforge.services import signing
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.context import ServiceContext, publish
from orderforge.services.ports import Principal, UnitOfWork

MAX_PLANS = 500


@dataclass(frozen=True)
class RecordResults:
    work_order: str
    seq: int
    unit: int
    #: characteristic code -> (value, unit) for measured characteristics
    values: dict[str, tuple[str, str]]
    #: characteristic code -> passed, for pass/fail checks
    checks: dict[str, bool]
    note: str = ""


@dataclass(frozen=True)
class AcceptAsIs:
    work_order: str
    seq: int
    reason: str
    username: str
    password: str
    client: str = ""


def plan_view(plan: InspectionPlan, spec: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "family": plan.family,
        "operation": plan.operation,
        "name": plan.name,
        "sampling": plan.sampling.value,
        "sample_size": plan.sample_size,
        "characteristics": [],
    }
    for c in plan.characteristics:
        item: dict[str, Any] = {"code": c.code, "name": c.name, "unit": c.unit or None}
        if c.measured:
            item["nominal"] = c.nominal
            item["lower"] = str(c.lower)
            item["upper"] = str(c.upper)
            if spec is not None:
                nominal, low, high = c.limits(spec)
                item["limits"] = {"nominal": str(nominal), "low": str(low), "high": str(high)}
                item["limits_text"] = f"{low}–{high} {c.unit}"
        out["characteristics"].append(item)
    return out


def inspection_view(inspection: Inspection) -> dict[str, Any]:
    latest = inspection.latest()
    return {
        "work_order": inspection.work_order,
        "seq": inspection.seq,
        "status": inspection.status.value,
        "status_label": inspection.status.label,
        "holds_next_operations": inspection.status.blocks,
        "units_to_inspect": inspection.plan.required_units(inspection.quantity),
        "plan": plan_view(inspection.plan, inspection.spec),
        "results": [
            {
                "characteristic": r.characteristic,
                "unit": r.unit_serial,
                "value": str(r.value) if r.value is not None else None,
                "value_unit": r.unit or None,
                "passed": r.passed,
                "current": latest.get((r.characteristic, r.unit_serial)) is r,
                "inspector": r.inspector,
                "recorded_at": r.recorded_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                "note": r.note,
            }
            for r in inspection.results
        ],
        "accepted_as_is": (
            {
                "by": inspection.accepted_by,
                "at": inspection.accepted_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                "reason": inspection.acceptance_reason,
                "signature": inspection.signature,
            }
            if inspection.accepted_at is not None
            else None
        ),
    }


# -- plans -----------------------------------------------------------------------------


def list_plans(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    require(actor.role, Resource.QUALITY, VIEW)
    with ctx.uow() as uow:
        return [plan_view(p) for p in uow.repository(QUALITY).plans()]


def put_plans_in_force(ctx: ServiceContext, actor: Principal, document: Any) -> dict[str, Any]:
    """A plan file's inspection plans and final checklists in force at once (all or
    none); a plan of the same family and operation, or the family's earlier checklist,
    is retired, kept for the record."""
    require(actor.role, Resource.QUALITY, EDIT)
    if not isinstance(document, dict):
        raise InvalidInput("A plan file is a mapping with `plans:`.", field="plans")
    raw = document.get("plans", [])
    raw_final = document.get("final_checklists", [])
    if not isinstance(raw, list) or len(raw) > MAX_PLANS:
        raise InvalidInput(f"`plans:` is a list of at most {MAX_PLANS} plans.", field="plans")
    if not isinstance(raw_final, list) or len(raw_final) > MAX_PLANS:
        raise InvalidInput(
            f"`final_checklists:` is a list of at most {MAX_PLANS} checklists.",
            field="final_checklists",
        )
    if not raw and not raw_final:
        raise InvalidInput(
            "A plan file holds `plans:` (inspections at operations) and/or "
            "`final_checklists:`, each a list of at least one.",
            field="plans",
        )
    plans = [
        plan_from(item if isinstance(item, dict) else {}, f"plans[{i}]")
        for i, item in enumerate(raw)
    ]
    checklists = [
        checklist_from(item if isinstance(item, dict) else {}, f"final_checklists[{i}]")
        for i, item in enumerate(raw_final)
    ]
    keys = [(p.family, p.operation) for p in plans]
    if len(set(keys)) != len(keys):
        raise InvalidInput("A family's operation has two plans in the file.", field="plans")
    if len({c.family for c in checklists}) != len(checklists):
        raise InvalidInput(
            "A family has two final checklists in the file.", field="final_checklists"
        )
    with ctx.uow() as uow:
        for i, plan in enumerate(plans):
            family = family_of(entry_for(uow, plan.family))
            modules = (family.product, *family.modules)
            codes = {op.code for module in modules for op in module.operations}
            if plan.operation not in codes:
                raise InvalidInput(
                    f"plans[{i}]: {family.name} has no operation {plan.operation!r}; its "
                    f"operations are {', '.join(sorted(codes))}.",
                    field=f"plans[{i}].operation",
                )
            parameters = {p.code for p in family.parameters}
            for c in plan.characteristics:
                if c.measured and not _is_number(c.nominal) and c.nominal not in parameters:
                    raise InvalidInput(
                        f"plans[{i}]: the nominal of {c.code} is a number or one of "
                        f"{family.name}'s parameters ({', '.join(sorted(parameters))}).",
                        field=f"plans[{i}].characteristics",
                    )
        for i, checklist in enumerate(checklists):
            try:
                entry_for(uow, checklist.family)
            except NotFound:
                raise InvalidInput(
                    f"final_checklists[{i}]: there is no product family {checklist.family}.",
                    field=f"final_checklists[{i}].family",
                ) from None
        now = ctx.clock.now()
        changed = uow.repository(QUALITY).replace_plans(plans, actor.username, now)
        changed += uow.repository(FINAL_INSPECTIONS).replace_checklists(
            checklists, actor.username, now
        )
        uow.commit()
    return {"plans": len(plans), "final_checklists": len(checklists), "changed": changed}


def _is_number(text: str) -> bool:
    try:
        float(text or "0")
    except ValueError:
        return False
    return True


# -- inspections ---------------------------------------------------------------------------


def _work_order(uow: UnitOfWork, number: str) -> WorkOrder:
    work_order = uow.repository(WORK_ORDERS).get(number.strip().upper())
    if work_order is None:
        raise NotFound(f"There is no work order {number}.")
    return work_order


def _plan_for(uow: UnitOfWork, work_order: WorkOrder, seq: int) -> InspectionPlan:
    op = work_order.operation(seq)
    code = op.code
    for plan in uow.repository(QUALITY).plans():
        if plan.family == work_order.product_family and plan.operation == code:
            return plan
    raise NotFound(f"Operation {seq} ({op.name}) of {work_order.number} has no inspection plan.")


def _inspection(uow: UnitOfWork, work_order: WorkOrder, seq: int) -> tuple[Inspection, bool]:
    """The stored inspection, or a new one from the plan in force (and whether new)."""
    found = uow.repository(QUALITY).inspection(work_order.number, seq)
    if found is not None:
        return found, False
    return (
        Inspection(
            work_order=work_order.number,
            seq=seq,
            plan=_plan_for(uow, work_order, seq),
            quantity=work_order.quantity,
            spec=dict(work_order.spec),
        ),
        True,
    )


def get_inspection(ctx: ServiceContext, actor: Principal, number: str, seq: int) -> dict[str, Any]:
    require(actor.role, Resource.QUALITY, VIEW)
    with ctx.uow() as uow:
        inspection, _ = _inspection(uow, _work_order(uow, number), seq)
        return inspection_view(inspection)


def work_order_inspections(
    ctx: ServiceContext, actor: Principal, number: str
) -> list[dict[str, Any]]:
    """Every operation of the work order that has an inspection plan, with its state."""
    require(actor.role, Resource.QUALITY, VIEW)
    with ctx.uow() as uow:
        work_order = _work_order(uow, number)
        out = []
        for op in work_order.operations:
            try:
                inspection, _ = _inspection(uow, work_order, op.seq)
            except NotFound:
                continue
            out.append(inspection_view(inspection))
        return out


def record_results(ctx: ServiceContext, actor: Principal, cmd: RecordResults) -> dict[str, Any]:
    """Results for one unit at an operation that is running or done; an out-of-tolerance
    value fails the inspection and holds the operations after it."""
    require(actor.role, Resource.QUALITY, RECORD)
    with ctx.uow() as uow:
        work_order = _work_order(uow, cmd.work_order)
        op = work_order.operation(cmd.seq)
        inspection, new = _inspection(uow, work_order, cmd.seq)
        if op.status not in (OperationStatus.RUNNING, OperationStatus.PAUSED, OperationStatus.DONE):
            raise IllegalTransition(
                f"Operation {cmd.seq} ({op.name}) of {work_order.number} is "
                f"{op.status.value}: inspect it once it has started."
            )
        inspection.record(
            cmd.unit,
            cmd.values,
            cmd.checks,
            inspector=actor.username,
            at=ctx.clock.now(),
            note=cmd.note,
        )
        repo = uow.repository(QUALITY)
        if new:
            repo.add(inspection)
        else:
            repo.save(inspection)
        publish(ctx, uow, list(inspection.pending_events))
        uow.commit()
        return inspection_view(inspection)


def accept_as_is(ctx: ServiceContext, actor: Principal, cmd: AcceptAsIs) -> dict[str, Any]:
    """Quality releases failed work as it is: user id and password again (21 CFR 11.200),
    the decision sealed with the plant's secret over what was inspected."""
    require(actor.role, Resource.QUALITY, DECIDE)
    signer = signing.identify(ctx, actor, cmd.username, cmd.password, cmd.client)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        work_order = _work_order(uow, cmd.work_order)
        inspection, new = _inspection(uow, work_order, cmd.seq)
        if new:
            raise IllegalTransition(
                f"Operation {cmd.seq} of {work_order.number} has no results yet: there is "
                "nothing to accept."
            )
        # bound to what was found and why it is accepted: the results and the reason
        content = canonical(
            {
                "record": inspection.key,
                "reason": cmd.reason.strip(),
                "results": [
                    [r.characteristic, r.unit_serial, str(r.value), r.unit, r.passed]
                    for r in inspection.results
                ],
            }
        )
        signed = signing.sign(
            ctx,
            inspection.key,
            hashlib.sha256(content).hexdigest(),
            Capacity.QUALITY,
            Meaning.APPROVAL,
            signer,
            now,
        )
        signature = {
            "printed_name": signed.printed_name,
            "signer_id": signed.signer_id,
            "signed_at": signed.signed_at.isoformat(),
            "meaning": signed.meaning.value,
            "meaning_label": "Accepted as is",
            "content_hash": signed.content_hash,
            "seal": signed.seal,
        }
        inspection.accept_as_is(by=actor.username, at=now, reason=cmd.reason, signature=signature)
        uow.repository(QUALITY).save(inspection)
        publish(ctx, uow, list(inspection.pending_events))
        uow.commit()
        return inspection_view(inspection)


__all__ = [
    "AcceptAsIs",
    "InspectionStatus",
    "RecordResults",
    "accept_as_is",
    "get_inspection",
    "list_plans",
    "put_plans_in_force",
    "record_results",
    "work_order_inspections",
]
