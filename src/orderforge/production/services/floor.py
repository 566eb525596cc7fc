"""What the operator screen reads: the work centres, a centre's queue in plan order, one
operation with its work instruction, and what a scanned code points at.

Only people who report from the floor read these (WORK_ORDER report: operators,
planners, admins). Nothing here names a customer or a cost: the floor sees the work.

Which queue an operation stands in: the centre its start report named, else the centre
the current plan put it on, else (not in the plan) its preferred centre. The queue is in
plan order (planned start), the operations the plan does not hold after them, except
that running operations come first (they are at work on the centre's units); the one to
do next (running, else paused, else the first ready) is on top.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import REPORT, Resource, require
from orderforge.domain.planning import PlannedOperation
from orderforge.engines.configurator.catalogue import Family
from orderforge.plant import services as plant_services
from orderforge.plant.domain import WorkCentre
from orderforge.production.domain import (
    MaterialRequirement,
    OpenOperation,
    Operation,
    OperationStatus,
    WorkOrder,
    WorkOrderStatus,
    duration_words,
    open_operation,
)
from orderforge.production.ports import QUALITY_GATE, WORK_ORDERS
from orderforge.production.services import units
from orderforge.production.services.reports import closed_in
from orderforge.services import plant_time
from orderforge.services.catalogue import families_at, family_at
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.services.spec_text import describe_spec

#: How many spec choices the queue shows beside the family name ("main options").
MAIN_OPTIONS = 3
MAX_CODE_LENGTH = 60
#: "WO-2026-0012/20", "wo-2026-0012 / 20" or "WO-2026-0012" alone.
_CODE = re.compile(r"^\s*(WO-\d{4}-\d{1,9})\s*(?:/\s*(\d{1,6}))?\s*$", re.IGNORECASE)
_OPEN = (WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS)
#: Which operation is done next: running first, then paused, then ready.
_URGENCY = {OperationStatus.RUNNING: 0, OperationStatus.PAUSED: 1, OperationStatus.READY: 2}

Show = Callable[[dt.datetime | None], str]


@dataclass(frozen=True)
class ScanTarget:
    work_order: str
    seq: int


def work_centres(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    """The active work centres, each with how many operations wait in its queue."""
    require(actor.role, Resource.WORK_ORDER, REPORT)
    with ctx.uow() as uow:
        centres = plant_services.active_work_centres(uow)
        latest = uow.plans.latest_version_number()
        return [
            {"code": c.code, "name": c.name, "open": len(_queue_ops(uow, c.code, latest)[0])}
            for c in sorted(centres, key=lambda c: c.code)
        ]


def is_work_centre(ctx: ServiceContext, actor: Principal, code: str) -> bool:
    """Whether `code` names an active work centre (a remembered one may have retired)."""
    require(actor.role, Resource.WORK_ORDER, REPORT)
    with ctx.uow() as uow:
        return plant_services.active_work_centre(uow, code) is not None


def queue(
    ctx: ServiceContext, actor: Principal, work_centre: str, limit: int | None = None
) -> dict[str, Any]:
    """A work centre's queue: its operations not done, the next one first; with `limit`,
    only that many are described, and any prototype (`more` counts the rest). An operator
    reads the top of the queue and scans the traveler for anything else; a busy centre
    holds hundreds of operations, and describing them all at every report is what slowed
    the round trip."""
    require(actor.role, Resource.WORK_ORDER, REPORT)
    with ctx.uow() as uow:
        centre = _centre(uow, work_centre)
        show = _clock(uow)
        latest = uow.plans.latest_version_number()
        found, closed, planned = _queue_ops(uow, centre.code, latest)
        shown = found
        if limit is not None:
            # a prototype proves a design that release waits for, and no plan holds it: it
            # is described even when it comes after the top of the queue
            top = max(limit, 1)
            shown = found[:top] + [op for op in found[top:] if op.prototype]
        families = _Families(uow, shown)
        rows = [
            _row(op, planned.get(op.key), families, show, closed.get(op.work_order)) for op in shown
        ]
        return {
            "code": centre.code,
            "name": centre.name,
            "plan_version": latest,
            "operations": rows,
            "more": len(found) - len(shown),
            "next": rows[0] if rows and rows[0]["actionable"] else None,
        }


def operation(
    ctx: ServiceContext, actor: Principal, work_centre: str, number: str, seq: int
) -> dict[str, Any]:
    """One operation as the floor needs it: what to make, the instruction, the state."""
    require(actor.role, Resource.WORK_ORDER, REPORT)
    with ctx.uow() as uow:
        centre = _centre(uow, work_centre)
        wo = _work_order(uow, number)
        op = wo.operation(seq)
        show = _clock(uow)
        item = open_operation(wo, op)
        planned = _planned(uow, uow.plans.latest_version_number(), {wo.order_number}).get(item.key)
        families = _Families(uow, [item])
        closed = _closed(uow, [item]).get(wo.number)
        row = _row(item, planned, families, show, closed)
        held = _held(uow, wo, op)
        return {
            **row,
            # said before the operator taps Start, not only in the refusal after it
            "held": held,
            "centre": {"code": centre.code, "name": centre.name},
            "elsewhere": _centre_of(op, planned) != centre.code,
            "work_order_status": wo.status.value.replace("_", " "),
            "spec": describe_spec(families.get(item), dict(wo.spec)),
            "minutes": _minutes(op.minutes(wo.quantity)),
            "setup_minutes": _minutes(op.setup_minutes),
            "run_minutes": _minutes(op.run_minutes_per_unit),
            "setup_class": op.setup_class,
            "materials": [_material(m) for m in _materials_at(wo, op)],
            "materials_named": any(m.operation == op.routing_key for m in wo.materials),
            "good": op.good_quantity,
            "scrap": op.scrap_quantity,
            "remaining": max(wo.quantity - op.good_quantity, 0),
            "started": show(op.started_at) if op.started_at else None,
            "finished": show(op.finished_at) if op.finished_at else None,
            "can_start": closed is None
            and held is None
            and op.status in (OperationStatus.READY, OperationStatus.PAUSED),
            "can_pause": op.status is OperationStatus.RUNNING,
            "can_complete": op.status is OperationStatus.RUNNING,
            "open": wo.status in _OPEN,
            "inspection": _inspection(uow, wo, seq),
            "scrap_causes": _scrap_causes(uow),
            "issued": [i for i in units.issued_to(uow, wo.number) if i["seq"] == seq],
            **_progress(uow, wo, show),
        }


def _held(uow: UnitOfWork, wo: WorkOrder, op: Operation) -> str | None:
    """Why quality holds this ready operation (a failed inspection before it that is not
    decided yet), in words; None when nothing holds it."""
    if op.status is not OperationStatus.READY or not op.predecessors:
        return None
    try:
        gate = uow.repository(QUALITY_GATE)
    except LookupError:  # no quality context wired
        return None
    return gate.holding(wo.number, op.predecessors)


def _inspection(uow: UnitOfWork, wo: WorkOrder, seq: int) -> str | None:
    """What quality says of this operation's inspection (None: it has none)."""
    try:
        gate = uow.repository(QUALITY_GATE)
    except LookupError:  # no quality context wired
        return None
    return gate.inspection_of(wo, seq)


def _scrap_causes(uow: UnitOfWork) -> list[dict[str, str]]:
    """The causes a scrap report picks from (quality's catalogue; empty when unwired)."""
    try:
        gate = uow.repository(QUALITY_GATE)
    except LookupError:
        return []
    return [{"code": c, "label": label} for c, label in gate.scrap_causes().items()]


def scanned(text: str) -> str:
    """The code in what a scanner typed: a traveler's QR code holds a link
    (".../floor/scan?code=WO-2026-0012/20") so a phone opens it; a wedge scanner types
    that link into the scan box, where the code is what counts."""
    text = text.strip()
    if "code=" in text and len(text) <= 4 * MAX_CODE_LENGTH:
        found = parse_qs(urlsplit(text).query).get("code")
        if found:
            return found[0]
    return text


def resolve_scan(ctx: ServiceContext, actor: Principal, work_centre: str, code: str) -> ScanTarget:
    """The operation a scanned or typed code names: "WO-2026-0012/20", or a work order
    number alone (its operation in this centre's queue, else its first one not done)."""
    require(actor.role, Resource.WORK_ORDER, REPORT)
    code = scanned(code)
    match = _CODE.match(code[: MAX_CODE_LENGTH + 1]) if len(code) <= MAX_CODE_LENGTH else None
    if match is None:
        raise InvalidInput(
            f"'{code.strip()[:MAX_CODE_LENGTH]}' is not a work order code; scan the traveler's "
            "code or type it as WO-2026-0012/20 (the operation after the slash) or "
            "WO-2026-0012.",
            field="code",
        )
    with ctx.uow() as uow:
        centre = _centre(uow, work_centre)
        wo = _work_order(uow, match.group(1))
        if match.group(2) is not None:
            return ScanTarget(wo.number, wo.operation(int(match.group(2))).seq)
        here = [
            op.seq
            for op in _queue_ops(uow, centre.code, uow.plans.latest_version_number())[0]
            if op.work_order == wo.number
        ]
        unfinished = [op.seq for op in wo.operations if op.status is not OperationStatus.DONE]
        if not here and not unfinished:
            raise NotFound(f"Work order {wo.number} has no operation left to do.")
        return ScanTarget(wo.number, (here or unfinished)[0])


def scan_centre(ctx: ServiceContext, actor: Principal, code: str, remembered: str | None) -> str:
    """Where a code scanned outside any queue (a phone reading a traveler) opens: the
    operator's own centre when the operation can run there, else where it was started,
    else its preferred centre."""
    require(actor.role, Resource.WORK_ORDER, REPORT)
    match = _CODE.match(scanned(code)[: MAX_CODE_LENGTH + 1])
    if match is None:
        raise InvalidInput(
            "That is not a work order code: WO-2026-0012/20 or WO-2026-0012.", field="code"
        )
    with ctx.uow() as uow:
        wo = _work_order(uow, match.group(1))
        op = (
            wo.operation(int(match.group(2)))
            if match.group(2) is not None
            else next(
                (o for o in wo.operations if o.status is not OperationStatus.DONE),
                wo.operations[0],
            )
        )
        if remembered is not None and remembered.upper() in (c.upper() for c in op.work_centres):
            return remembered
        return op.work_centre or op.work_centres[0]


# -- reading ------------------------------------------------------------------------


def _centre(uow: UnitOfWork, code: str) -> WorkCentre:
    wanted = code.strip().upper()
    centre = plant_services.active_work_centre(uow, wanted) or next(
        (c for c in plant_services.active_work_centres(uow) if c.code.upper() == wanted), None
    )
    if centre is None:
        raise NotFound(f"There is no work centre {code.strip()[:40]!r}.")
    return centre


def _work_order(uow: UnitOfWork, number: str) -> WorkOrder:
    wo = uow.repository(WORK_ORDERS).get(number.strip().upper())
    if wo is None:
        raise NotFound(f"There is no work order {number.strip()[:30]}.")
    return wo


def _clock(uow: UnitOfWork) -> Show:
    zone = plant_time.plant_zone(uow)
    return lambda moment: plant_time.show(moment, zone)


def _planned(
    uow: UnitOfWork, latest: int | None, orders: Collection[str] | None = None
) -> dict[str, PlannedOperation]:
    """Plan version `latest`'s operations (of `orders` only, when given) by key
    "<order>/<line>/<routing key>" (the first planned piece when the planner split one);
    empty without a plan."""
    if latest is None or (orders is not None and not orders):
        return {}
    found: dict[str, PlannedOperation] = {}
    for planned in uow.plans.operations(latest, sorted(orders) if orders is not None else None):
        if planned.key not in found or planned.start < found[planned.key].start:
            found[planned.key] = planned
    return found


def _centre_of(op: OpenOperation | Operation, planned: PlannedOperation | None) -> str | None:
    if op.work_centre is not None:
        return op.work_centre
    if planned is not None:
        return planned.work_centre
    return op.work_centres[0] if op.work_centres else None


def _queue_ops(
    uow: UnitOfWork, code: str, latest: int | None
) -> tuple[list[OpenOperation], dict[str, str], dict[str, PlannedOperation]]:
    """The centre's unfinished operations: those running first, then plan order, the
    unplanned after by work order and operation number; the next one on top (never one
    of an order closed to work); why each closed order is closed; and the plan's slots
    of these orders' operations."""
    eligible = uow.repository(WORK_ORDERS).open_operations_at(code)
    planned = _planned(uow, latest, {op.order_number for op in eligible})
    found = [op for op in eligible if _centre_of(op, planned.get(op.key)) == code]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)

    def plan_order(op: OpenOperation) -> tuple[bool, dt.datetime, str, int]:
        slot = planned.get(op.key)
        running = op.status is OperationStatus.RUNNING
        return (not running, slot.start if slot is not None else far, op.work_order, op.seq)

    found.sort(key=plan_order)
    closed = _closed(uow, found)
    actionable = [
        op
        for op in found
        if op.status in _URGENCY
        and (op.work_order not in closed or op.status is OperationStatus.RUNNING)
    ]
    if actionable:
        first = min(actionable, key=lambda op: _URGENCY[op.status])
        found.remove(first)
        found.insert(0, first)
    return found, closed, planned


class _Families:
    """Catalogue families by (code, version), read once per request for all the rows to
    describe (parsing is cached by the catalogue service)."""

    def __init__(self, uow: UnitOfWork, ops: Collection[OpenOperation]) -> None:
        self.uow = uow
        self.cache = families_at(uow, {(op.product_family, op.catalogue_version) for op in ops})

    def get(self, op: OpenOperation) -> Family | None:
        key = (op.product_family, op.catalogue_version)
        if key not in self.cache:
            self.cache[key] = family_at(self.uow, *key)
        return self.cache[key]


def _status_words(op: OpenOperation) -> str:
    if op.status is OperationStatus.WAITING and op.waiting_for is not None:
        seq, name = op.waiting_for
        return f"waiting for op {seq} ({name})"
    return op.status.value


def _closed(uow: UnitOfWork, work: list[OpenOperation]) -> dict[str, str]:
    """Work order number -> why its work may not start now, for the work of orders closed
    to work (not released yet, on hold...): the floor shows it, but not as next. A
    prototype is open before release (it proves the design)."""
    orders = uow.orders.summaries({op.order_number for op in work})
    closed: dict[str, str] = {}
    for op in work:
        order = orders.get(op.order_number)
        why = closed_in(order.state, order.changed_from, prototype=op.prototype) if order else None
        if why is not None:
            closed[op.work_order] = why
    return closed


def _row(
    op: OpenOperation,
    planned: PlannedOperation | None,
    families: _Families,
    show: Show,
    closed: str | None = None,
) -> dict[str, Any]:
    family = families.get(op)
    options = [value for _, value in describe_spec(family, dict(op.spec))[:MAIN_OPTIONS]]
    return {
        "work_order": op.work_order,
        "seq": op.seq,
        "code": f"{op.work_order}/{op.seq}",
        "name": op.name,
        "order_number": op.order_number,
        "line_no": op.line_no,
        "product": ("PROTOTYPE: " if op.prototype else "")
        + (family.name if family is not None else op.product_family),
        "prototype": op.prototype,
        "options": ", ".join(options),
        "quantity": op.quantity,
        "status": op.status.value,
        "status_words": (
            f"order {op.order_number} not open for work: {closed}"
            if closed is not None and op.status is not OperationStatus.RUNNING
            else _status_words(op)
        ),
        "actionable": op.status in _URGENCY
        and (closed is None or op.status is OperationStatus.RUNNING),
        "planned_start": show(planned.start) if planned is not None else None,
        "planned_unit": planned.resource if planned is not None else None,
    }


def _progress(uow: UnitOfWork, wo: WorkOrder, show: Show) -> dict[str, Any]:
    """How far the work order is and when the current plan finishes its order."""
    left = [o for o in wo.operations if o.status is not OperationStatus.DONE]
    latest = uow.plans.latest_version_number()
    planned = next(
        (
            p
            for p in (uow.plans.planned_orders(latest) if latest is not None else [])
            if p.order_number == wo.order_number
        ),
        None,
    )
    return {
        "operations_done": len(wo.operations) - len(left),
        "operations_total": len(wo.operations),
        "work_left": duration_words(sum((o.minutes(wo.quantity) for o in left), Decimal(0))),
        "order_finish": show(planned.planned_finish) if planned is not None else None,
    }


def _materials_at(wo: WorkOrder, op: Operation) -> list[MaterialRequirement]:
    """What the work order needs at this operation: the BOM's own pick, or (when the
    BOM does not say) the materials of the first operations."""
    return wo.materials_at(op.seq)


def _material(m: MaterialRequirement) -> dict[str, str]:
    quantity = m.quantity.normalize()
    text = format(quantity, "f") if quantity == quantity.to_integral() else str(quantity)
    return {"item_code": m.item_code, "name": m.name, "quantity": text, "unit": m.unit}


def _minutes(value: Decimal) -> str:
    return format(value.normalize(), "f")
