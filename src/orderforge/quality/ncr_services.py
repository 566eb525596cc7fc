"""Nonconformance use cases: the catalogue of defect causes, raising an NCR, quality's
disposition, and closing after verification.

A disposition acts at once where it can: rework and scrap add operations to the work
order through production's use case (and queue a replan, as an approved engineering
change does); use as is is signed like accepting a failed inspection (and, for an NCR on
a failed inspection, accepts that inspection with the same signature: one decision, one
signature); a return to the supplier is recorded on the NCR (lot, quantity, supplier,
debit note) and blocks the lot for good. An NCR that names a lot quarantines it from the
moment it is raised (materials' holds: not issued, not counted as stock); any other
disposition releases that quarantine.

Scrap re-makes the scrapped units inside the same work order (operations that repeat
the route up to the affected operation, for those units only) rather than in a new work
order: planning, promising and the order's lines assume one current work order per line,
and the re-made units belong to that line's delivery.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput, NotFound
from orderforge.domain.permissions import DECIDE, EDIT, RECORD, VIEW, Resource, require
from orderforge.domain.signatures import Capacity, Meaning, Signer, canonical
from orderforge.materials.ports import MATERIALS
from orderforge.materials.services import holds
from orderforge.plant import services as plant
from orderforge.production.domain import AddedStep, OperationStatus, WorkOrder
from orderforge.production.ports import WORK_ORDERS
from orderforge.production.services.work_orders import add_operations_in
from orderforge.quality.domain import InspectionStatus
from orderforge.quality.ncr_domain import (
    MAX_CAUSES,
    DefectCause,
    Disposition,
    DispositionKind,
    NcrStatus,
    Nonconformance,
    Origin,
    Raise,
    ReturnToSupplier,
    ReworkStep,
    cause_from,
)
from orderforge.quality.ports import NCRS, QUALITY
from orderforge.quality.services import _inspection
from orderforge.services import plan_runs, signing
from orderforge.services.context import ServiceContext, publish
from orderforge.services.ports import Principal, UnitOfWork


@dataclass(frozen=True)
class RaiseNcr:
    work_order: str
    seq: int
    quantity: int
    description: str
    cause: str
    origin: str
    lot: str = ""


@dataclass(frozen=True)
class Dispose:
    number: str
    kind: str
    note: str
    rework: list[ReworkStep] = field(default_factory=list)
    supplier: str = ""
    debit_note: str = ""
    #: use as is only: the signer's user id and password, again
    username: str = ""
    password: str = ""
    client: str = ""


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else None


def cause_view(cause: DefectCause) -> dict[str, Any]:
    return {"code": cause.code, "label": cause.label, "active": cause.active}


def ncr_view(
    ncr: Nonconformance,
    labels: dict[str, str],
    outstanding: list[str],
    lot_hold: dict[str, Any] | None = None,
) -> dict[str, Any]:
    d = ncr.disposition
    return {
        "number": ncr.number,
        "work_order": ncr.work_order,
        "seq": ncr.seq,
        "quantity": ncr.quantity,
        "description": ncr.description,
        "cause": ncr.cause,
        "cause_label": labels.get(ncr.cause, ncr.cause),
        "origin": ncr.origin.value,
        "origin_label": ncr.origin.label,
        "lot": ncr.lot or None,
        "lot_hold": lot_hold,
        "raised_by": ncr.raised_by,
        "raised_at": _iso(ncr.raised_at),
        "status": ncr.status.value,
        "status_label": ncr.status.label,
        "holds_next_operations": ncr.holds,
        "disposition": (
            {
                **d.data(),
                "label": d.kind.label,
                "decided_by": d.decided_by,
                "decided_at": _iso(d.decided_at),
                "signature": d.signature or None,
            }
            if d is not None
            else None
        ),
        "closed_by": ncr.closed_by,
        "closed_at": _iso(ncr.closed_at),
        "closure_note": ncr.closure_note or None,
        "outstanding": outstanding,
    }


# -- the catalogue of causes ------------------------------------------------------------


def list_causes(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    require(actor.role, Resource.QUALITY, VIEW)
    with ctx.uow() as uow:
        return [cause_view(c) for c in uow.repository(NCRS).causes()]


def put_causes(ctx: ServiceContext, actor: Principal, document: Any) -> dict[str, Any]:
    """Add or change causes (`{"causes": [{"code", "label", "active"}]}`); a cause is
    retired with `active: false`, never deleted: NCRs and scrap reports name it."""
    require(actor.role, Resource.QUALITY, EDIT)
    raw = document.get("causes") if isinstance(document, dict) else None
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CAUSES:
        raise InvalidInput(f"List 1 to {MAX_CAUSES} causes under `causes:`.", field="causes")
    causes = [cause_from(item, f"causes[{i}]") for i, item in enumerate(raw)]
    if len({c.code for c in causes}) != len(causes):
        raise InvalidInput("A cause code repeats.", field="causes")
    with ctx.uow() as uow:
        changed = uow.repository(NCRS).put_causes(causes)
        uow.commit()
    return {"causes": len(causes), "changed": changed}


# -- reading --------------------------------------------------------------------------


def _labels(uow: UnitOfWork) -> dict[str, str]:
    return {c.code: c.label for c in uow.repository(NCRS).causes()}


def _work_order(uow: UnitOfWork, number: str) -> WorkOrder:
    found = uow.repository(WORK_ORDERS).get(number.strip().upper())
    if found is None:
        raise NotFound(f"There is no work order {number}.")
    return found


def _ncr(uow: UnitOfWork, number: str) -> Nonconformance:
    found = uow.repository(NCRS).get(number.strip().upper()[:20])
    if found is None:
        raise NotFound(f"There is no NCR {number[:20]}.")
    return found


def outstanding(uow: UnitOfWork, ncr: Nonconformance) -> list[str]:
    """What verification still misses before the NCR may close, in words: the added
    operations not done, and for rework the re-inspection where a plan covers the
    operation."""
    d = ncr.disposition
    if ncr.status is not NcrStatus.DISPOSITIONED or d is None:
        return []
    missing: list[str] = []
    work_order = _work_order(uow, ncr.work_order)
    for seq in d.operations:
        op = work_order.operation(seq)
        if op.status is not OperationStatus.DONE:
            missing.append(f"operation {seq} ({op.name}) is {op.status.value}, not done")
    if d.kind is DispositionKind.REWORK:
        try:
            inspection, new = _inspection(uow, work_order, ncr.seq)
        except NotFound:  # no inspection plan covers the operation
            return missing
        if new or inspection.status not in (
            InspectionStatus.PASSED,
            InspectionStatus.ACCEPTED_AS_IS,
        ):
            state = "not inspected" if new else inspection.status.label.lower()
            missing.append(f"the re-inspection at operation {ncr.seq} has not passed ({state})")
    return missing


def _view(uow: UnitOfWork, ncr: Nonconformance) -> dict[str, Any]:
    return ncr_view(ncr, _labels(uow), outstanding(uow, ncr), _lot_hold(uow, ncr))


def list_ncrs(
    ctx: ServiceContext,
    actor: Principal,
    *,
    work_order: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """Open first (oldest waiting first), then decided, then closed and cancelled."""
    require(actor.role, Resource.QUALITY, VIEW)
    wanted = None
    if status:
        try:
            wanted = NcrStatus(status)
        except ValueError:
            raise InvalidInput(
                f"status is one of {', '.join(s.value for s in NcrStatus)}.", field="status"
            ) from None
    with ctx.uow() as uow:
        found = uow.repository(NCRS).find(
            work_order=work_order.strip().upper() if work_order else None, status=wanted
        )
        rank = {s: i for i, s in enumerate(NcrStatus)}
        found.sort(key=lambda n: (rank[n.status], n.number))
        labels = _labels(uow)
        return [ncr_view(n, labels, []) for n in found]


def _lot_hold(uow: UnitOfWork, ncr: Nonconformance) -> dict[str, Any] | None:
    """What this NCR did to its lot: quarantined (while open), released, or returned."""
    placed = uow.repository(MATERIALS).holds(ncr=ncr.number) if ncr.lot else []
    if not placed:
        return None
    last = placed[-1]
    state = last.kind.label if last.active else "Released"
    return {"lot": last.lot_number, "kind": last.kind.value, "active": last.active, "label": state}


def get_ncr(ctx: ServiceContext, actor: Principal, number: str) -> dict[str, Any]:
    require(actor.role, Resource.QUALITY, VIEW)
    with ctx.uow() as uow:
        return _view(uow, _ncr(uow, number))


# -- raising ------------------------------------------------------------------------------


def _origin(text: str) -> Origin:
    try:
        return Origin(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"origin is one of {', '.join(o.value for o in Origin)}.", field="origin"
        ) from None


def raise_ncr(ctx: ServiceContext, actor: Principal, cmd: RaiseNcr) -> dict[str, Any]:
    """Raise an NCR at an operation (operators and quality); while open it holds the
    operations after that one. One raised from a failed inspection is linked to it."""
    require(actor.role, Resource.QUALITY, RECORD)
    origin = _origin(cmd.origin)
    cause = cmd.cause.strip().upper()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        work_order = _work_order(uow, cmd.work_order)
        op = work_order.operation(cmd.seq)
        causes = {c.code: c for c in uow.repository(NCRS).causes() if c.active}
        if cause not in causes:
            known = ", ".join(sorted(causes)) or "none are kept yet"
            raise InvalidInput(
                f"{cause[:20]!r} is not a cause; the causes are {known}.", field="cause"
            )
        if origin is Origin.INSPECTION:
            inspection = uow.repository(QUALITY).inspection(work_order.number, op.seq)
            if inspection is None or inspection.status is not InspectionStatus.FAILED:
                raise IllegalTransition(
                    f"The inspection at operation {op.seq} of {work_order.number} has not "
                    "failed: raise the NCR as a floor problem or other."
                )
        repo = uow.repository(NCRS)
        number = f"NCR-{now.year}-{uow.sequences.next_value(f'ncr-{now.year}'):04d}"
        what = Raise(
            work_order.number, op.seq, cmd.quantity, cmd.description, cause, origin, cmd.lot
        )
        ncr = Nonconformance.raise_(
            number, what, most=work_order.quantity, by=actor.username, at=now
        )
        if ncr.lot:
            holds.quarantine(uow, ncr.lot, number, ncr.description, actor.username, now)
        repo.add(ncr)
        publish(ctx, uow, list(ncr.pending_events))
        uow.commit()
        return _view(uow, ncr)


# -- deciding -------------------------------------------------------------------------------


def _kind(text: str) -> DispositionKind:
    try:
        return DispositionKind(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"disposition is one of {', '.join(k.value for k in DispositionKind)}.", field="kind"
        ) from None


def _rework_steps(uow: UnitOfWork, ncr: Nonconformance, steps: list[ReworkStep]) -> list[AddedStep]:
    centres = {w.code for w in plant.active_work_centres(uow)}
    checked = [s.checked(i) for i, s in enumerate(steps)]
    for i, s in enumerate(checked):
        if s.work_centre not in centres:
            raise InvalidInput(
                f"rework[{i}]: there is no active work centre {s.work_centre}.",
                field=f"rework[{i}].work_centre",
            )
    # one after the other, in the order quality gave them
    return [
        AddedStep(
            key=f"{ncr.number}-{i + 1}",
            name=f"Rework ({ncr.number}): {s.instruction}"[:200],
            work_centres=(s.work_centre,),
            minutes=Decimal(s.minutes),
            after=(f"{ncr.number}-{i}",) if i else (),
        )
        for i, s in enumerate(checked)
    ]


def _sign_use_as_is(
    ctx: ServiceContext, signer: Signer, ncr: Nonconformance, note: str, now: dt.datetime
) -> dict[str, Any]:
    content = canonical({**ncr.content(), "disposition": "use_as_is", "note": note})
    signed = signing.sign(
        ctx,
        ncr.number,
        hashlib.sha256(content).hexdigest(),
        Capacity.QUALITY,
        Meaning.APPROVAL,
        signer,
        now,
    )
    return {
        "printed_name": signed.printed_name,
        "signer_id": signed.signer_id,
        "signed_at": signed.signed_at.isoformat(),
        "meaning": signed.meaning.value,
        "meaning_label": "Use as is",
        "content_hash": signed.content_hash,
        "seal": signed.seal,
    }


def dispose(ctx: ServiceContext, actor: Principal, cmd: Dispose) -> dict[str, Any]:
    """Quality's one decision on an open NCR; rework and scrap add operations to the work
    order (after the affected one) and queue a replan that plans them."""
    require(actor.role, Resource.QUALITY, DECIDE)
    kind = _kind(cmd.kind)
    note = cmd.note.strip()
    if not note or len(note) > 2000 or "\x00" in note:
        raise InvalidInput("Say why (1-2000 characters): the record needs it.", field="note")
    signer = None
    if kind is DispositionKind.USE_AS_IS:  # before the transaction: a wrong password counts
        signer = signing.identify(ctx, actor, cmd.username, cmd.password, cmd.client)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        ncr = _ncr(uow, cmd.number)
        ncr.check_can_dispose(kind, actor.username)
        signature: dict[str, Any] = {}
        returned = None
        added: list[int] = []
        run = None
        if signer is not None:
            signature = _sign_use_as_is(ctx, signer, ncr, note, now)
            _accept_inspection(uow, ncr, actor.username, now, note, signature)
        elif kind is DispositionKind.RETURN_TO_SUPPLIER:
            supplier, debit = cmd.supplier.strip(), cmd.debit_note.strip()
            if not 1 <= len(supplier) <= 120 or "\x00" in supplier:
                raise InvalidInput("Name the supplier (1-120 characters).", field="supplier")
            if not 1 <= len(debit) <= 40 or "\x00" in debit:
                raise InvalidInput(
                    "Give the debit note number (1-40 characters).", field="debit_note"
                )
            returned = ReturnToSupplier(ncr.lot, ncr.quantity, supplier, debit)
            reason = f"Returned to {supplier}, debit note {debit}: {note}"[:2000]
            holds.return_to_supplier(uow, ncr.lot, ncr.number, reason, actor.username, now)
        else:
            if kind is DispositionKind.REWORK:
                if not 1 <= len(cmd.rework) <= 9:
                    raise InvalidInput("Rework names 1 to 9 steps.", field="rework")
                steps = _rework_steps(uow, ncr, cmd.rework)
            else:
                steps = _work_order(uow, ncr.work_order).remake_steps(
                    ncr.seq, ncr.quantity, ncr.number
                )
            ops = add_operations_in(
                uow,
                ncr.work_order,
                ncr.seq,
                steps,
                actor=actor.username,
                at=now,
                reason=f"{ncr.number}: {kind.label.lower()}",
            )
            added = [o.seq for o in ops]
            order = _work_order(uow, ncr.work_order).order_number
            run = plan_runs.queue_replan(
                uow,
                actor.username,
                {
                    "kind": "nonconformance",
                    "ncr": ncr.number,
                    "disposition": kind.value.replace("_", " "),
                    "work_order": ncr.work_order,
                    "order": order,
                    "reason": note,
                },
                now,
            )
        if kind is not DispositionKind.RETURN_TO_SUPPLIER:
            holds.release(uow, ncr.number, actor.username, now)
        ncr.dispose(
            Disposition(
                kind,
                actor.username,
                now,
                note,
                tuple(s.checked(i) for i, s in enumerate(cmd.rework))
                if kind is DispositionKind.REWORK
                else (),
                tuple(added),
                returned,
                signature,
            )
        )
        uow.repository(NCRS).save(ncr)
        publish(ctx, uow, list(ncr.pending_events))
        uow.commit()
        view = _view(uow, ncr)
        view["replan_run"] = run.id if run is not None else None
        if run is not None:  # committed: the worker may take it now
            plan_runs.submit(ctx, run)
    return view


def _accept_inspection(
    uow: UnitOfWork,
    ncr: Nonconformance,
    by: str,
    at: dt.datetime,
    reason: str,
    signature: dict[str, Any],
) -> None:
    """An NCR on a failed inspection used as is accepts that inspection with the same
    signature, so the inspection record says why the work went on."""
    if ncr.origin is not Origin.INSPECTION:
        return
    repo = uow.repository(QUALITY)
    inspection = repo.inspection(ncr.work_order, ncr.seq)
    if inspection is not None and inspection.status is InspectionStatus.FAILED:
        inspection.accept_as_is(by=by, at=at, reason=f"{ncr.number}: {reason}", signature=signature)
        repo.save(inspection)


def close_ncr(ctx: ServiceContext, actor: Principal, number: str, note: str) -> dict[str, Any]:
    """A second person verifies that the disposition was carried out and closes the NCR;
    refused with what is missing (rework not done, re-inspection not passed)."""
    require(actor.role, Resource.QUALITY, DECIDE)
    with ctx.uow() as uow:
        ncr = _ncr(uow, number)
        ncr.close(
            by=actor.username, at=ctx.clock.now(), note=note, outstanding=outstanding(uow, ncr)
        )
        uow.repository(NCRS).save(ncr)
        publish(ctx, uow, list(ncr.pending_events))
        uow.commit()
        return _view(uow, ncr)


def cancel_ncr(ctx: ServiceContext, actor: Principal, number: str, reason: str) -> dict[str, Any]:
    """An NCR raised in error is cancelled with the reason (kept, never deleted)."""
    require(actor.role, Resource.QUALITY, DECIDE)
    with ctx.uow() as uow:
        ncr = _ncr(uow, number)
        ncr.cancel(by=actor.username, at=ctx.clock.now(), reason=reason)
        uow.repository(NCRS).save(ncr)
        publish(ctx, uow, list(ncr.pending_events))
        uow.commit()
        return _view(uow, ncr)
