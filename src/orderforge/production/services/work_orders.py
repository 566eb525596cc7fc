"""Making work orders from confirmed orders, and reading them.

This is the one place that runs the configurator for an order's work: when an order is
confirmed, each line's stored spec and catalogue version are configured once and kept as
a work order (operations, material requirements). The plan, the feasibility review and
the floor read those records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.events import DomainEvent
from orderforge.domain.order import ACTIVE_STATES, Order, OrderAction, OrderLine, OrderState
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.engines.configurator import Configuration, ConfigurationError, configure
from orderforge.plant import services as plant_services
from orderforge.plant.domain import WorkCentre
from orderforge.production.domain import (
    AddedStep,
    MaterialNeed,
    Operation,
    PlannedStep,
    Report,
    WorkOrder,
    WorkOrderSource,
    WorkOrderStatus,
)
from orderforge.production.ports import WORK_ORDERS, WorkOrderRepository
from orderforge.production.services import units
from orderforge.services.access import load_visible
from orderforge.services.catalogue import family_of
from orderforge.services.context import ServiceContext
from orderforge.services.ports import OrderFilter, Principal, UnitOfWork

GENERATOR = "production"


def setup_class_for(
    work_centres: tuple[str, ...], spec: Mapping[str, str], centres: Mapping[str, WorkCentre]
) -> str | None:
    """The class whose change costs a setup: the spec value of the `setup_attribute` of
    the first eligible work centre that has one (the paint booth's `colour`), else none.
    The one home of this rule; the planner reads it from the stored operation."""
    for code in work_centres:
        centre = centres.get(code)
        if centre is not None and centre.setup_attribute is not None:
            return centre.setup_class(dict(spec))
    return None


def _number(uow: UnitOfWork, at: dt.datetime, series: str = "") -> str:
    """WO-2026-0042; a series of its own (the demo's history: WO-2026-H0042) keeps the
    numbers people quote from the running plant where they were."""
    n = uow.sequences.next_value(f"work-order-{series}{at.year}")
    return f"WO-{at.year}-{series}{n:04d}"


def planned_work(
    configuration: Configuration,
    spec: Mapping[str, str],
    quantity: int,
    centres: Mapping[str, WorkCentre],
) -> tuple[list[PlannedStep], list[MaterialNeed]]:
    """A configuration's routing as steps and its BOM as the materials `quantity` units
    need: what a work order is made of, and what a promise plans before there is one."""
    steps = [
        PlannedStep(
            routing_key=op.key,
            name=op.name,
            work_centres=op.work_centres,
            setup_minutes=op.setup_minutes,
            run_minutes_per_unit=op.run_minutes,
            predecessors=op.predecessors,
            setup_class=setup_class_for(op.work_centres, spec, centres),
        )
        for op in configuration.routing
    ]
    materials = [
        MaterialNeed(item.component, item.name, item.quantity * quantity, item.unit)
        for item in configuration.components
    ]
    return steps, materials


def configured_line(
    uow: UnitOfWork, line: OrderLine, centres: Mapping[str, WorkCentre]
) -> tuple[list[PlannedStep], list[MaterialNeed]] | None:
    """The line's routing and materials, or None when it has no catalogue configuration
    (the feasibility review says why such a line cannot be made as it stands)."""
    if line.catalogue_version is None:
        return None
    entry = uow.catalogue.get(line.product_family, line.catalogue_version)
    if entry is None:
        return None
    try:
        configuration = configure(family_of(entry), line.spec)
    except ConfigurationError:
        return None
    return planned_work(configuration, line.spec, line.quantity, centres)


def create_work_orders(
    uow: UnitOfWork, order: Order, actor: str, at: dt.datetime, series: str = ""
) -> list[WorkOrder]:
    """One new work order per configured line of a confirmed order; the order's earlier
    revisions are superseded (kept, no longer planned). Caller commits."""
    repo = uow.repository(WORK_ORDERS)
    earlier = repo.for_order(order.number)
    centres = {w.code: w for w in plant_services.active_work_centres(uow)}
    made: list[WorkOrder] = []
    for line in order.lines:
        configured = configured_line(uow, line, centres)
        if configured is None:
            continue
        assert line.catalogue_version is not None
        steps, materials = configured
        revision = _next_revision(repo, order.number, line.line_no, earlier)
        work_order = WorkOrder.create(
            number=_number(uow, at, series),
            source=WorkOrderSource(
                order_number=order.number,
                line_no=line.line_no,
                quantity=line.quantity,
                product_family=line.product_family,
                catalogue_version=line.catalogue_version,
                spec=dict(line.spec),
            ),
            revision=revision,
            steps=steps,
            materials=materials,
            actor=actor,
            at=at,
        )
        repo.add(work_order)
        made.append(work_order)
    for old in earlier:
        if old.is_current:
            newer = next((w.number for w in made if w.line_no == old.line_no), "none")
            old.supersede(newer, actor=actor, at=at)
    return made


def _next_revision(
    repo: WorkOrderRepository, order_number: str, line_no: int, production: list[WorkOrder]
) -> int:
    """The line's next work order revision: one count for production work and prototypes
    alike, so the two never claim the same (order, line, revision)."""
    made = production + repo.prototypes_for(order_number)
    return 1 + max((w.revision for w in made if w.line_no == line_no), default=0)


@dataclass(frozen=True)
class PrototypeOf:
    order: Order
    line_no: int
    #: the design revision letter the prototype proves
    design_revision: str


def make_prototype(uow: UnitOfWork, what: PrototypeOf, actor: str, at: dt.datetime) -> WorkOrder:
    """One unit of the line as it is configured now, from its routing, to prove a design
    revision (the caller, the design context, checks it may be made and commits). It is
    not the order's work: the order's queries leave it out."""
    order, line_no = what.order, what.line_no
    line = next((li for li in order.lines if li.line_no == line_no), None)
    if line is None:
        raise NotFound(f"Order {order.number} has no line {line_no}.")
    centres = {w.code: w for w in plant_services.active_work_centres(uow)}
    configured = configured_line(uow, replace(line, quantity=1), centres)
    if configured is None or line.catalogue_version is None:
        raise InvalidInput(
            f"Line {line_no} of {order.number} has no catalogue configuration, so it has no "
            "routing to make a prototype from.",
            field="line",
        )
    steps, materials = configured
    repo = uow.repository(WORK_ORDERS)
    work_order = WorkOrder.create(
        number=_number(uow, at),
        source=WorkOrderSource(
            order_number=order.number,
            line_no=line_no,
            quantity=1,
            product_family=line.product_family,
            catalogue_version=line.catalogue_version,
            spec=dict(line.spec),
        ),
        revision=_next_revision(repo, order.number, line_no, repo.for_order(order.number)),
        steps=steps,
        materials=materials,
        actor=actor,
        at=at,
        design_revision=what.design_revision,
    )
    repo.add(work_order)
    return work_order


def revise_work_orders(
    uow: UnitOfWork, order: Order, line_nos: list[int], actor: str, at: dt.datetime
) -> list[tuple[WorkOrder | None, WorkOrder]]:
    """After an engineering change: a new revision of the work order of each changed line,
    made from the line as it now stands and carrying over the progress of the work that
    stays the same; the old revision is kept, superseded. Caller commits.
    Returns (old, new) pairs; a line without a current work order gets one."""
    repo = uow.repository(WORK_ORDERS)
    current = {w.line_no: w for w in repo.current_for([order.number])}
    every = repo.for_order(order.number)
    centres = {w.code: w for w in plant_services.active_work_centres(uow)}
    made: list[tuple[WorkOrder | None, WorkOrder]] = []
    for line in order.lines:
        if line.line_no not in line_nos:
            continue
        configured = configured_line(uow, line, centres)
        if configured is None or line.catalogue_version is None:
            raise InvalidInput(
                f"Line {line.line_no} of {order.number} cannot be configured as changed, so "
                "it has no work to make.",
                field=f"lines[{line.line_no - 1}].spec",
            )
        steps, materials = configured
        old = current.get(line.line_no)
        revision = _next_revision(repo, order.number, line.line_no, every)
        new = WorkOrder.create(
            number=_number(uow, at),
            source=WorkOrderSource(
                order_number=order.number,
                line_no=line.line_no,
                quantity=line.quantity,
                product_family=line.product_family,
                catalogue_version=line.catalogue_version,
                spec=dict(line.spec),
            ),
            revision=revision,
            steps=steps,
            materials=materials,
            actor=actor,
            at=at,
            carry_from=old,
        )
        repo.add(new)
        if old is not None:
            old.supersede(new.number, actor=actor, at=at)
        made.append((old, new))
    return made


def cancel_work_orders(
    uow: UnitOfWork, order: Order, actor: str, at: dt.datetime, reason: str
) -> list[WorkOrder]:
    """Cancel the order's work not yet done (kept, with the reason). Caller commits."""
    cancelled = []
    repo = uow.repository(WORK_ORDERS)
    for work_order in repo.for_order(order.number) + repo.prototypes_for(order.number):
        if work_order.status in (WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS):
            work_order.cancel(actor=actor, at=at, reason=reason)
            cancelled.append(work_order)
    return cancelled


#: Orders whose work is committed and not yet shipped: they need work orders.
_COMMITTED = ACTIVE_STATES | {OrderState.ON_HOLD, OrderState.CHANGE_REQUESTED}


def backfill_work_orders(ctx: ServiceContext, actor: Principal) -> list[str]:
    """Make the work orders of committed orders that have none: orders confirmed before
    work orders existed (an upgraded database). Planners and admins, who need the plan."""
    require(actor.role, Resource.ORDER, OrderAction.PLAN.value)
    made: list[str] = []
    with ctx.uow() as uow:
        repo = uow.repository(WORK_ORDERS)
        for state in sorted(_COMMITTED):
            for order in uow.orders.list(OrderFilter(state=state, limit=100_000)):
                if not repo.for_order(order.number):
                    created = create_work_orders(uow, order, actor.username, ctx.clock.now())
                    made += [w.number for w in created]
        uow.commit()
    return made


def current_work_orders(uow: UnitOfWork, order_number: str) -> list[WorkOrder]:
    """The order's work orders that are still its work (newest revision of each line)."""
    return uow.repository(WORK_ORDERS).current_for([order_number])


def _order_of(uow: UnitOfWork, event: DomainEvent) -> Order:
    order = uow.orders.get(event.aggregate_key)
    if order is None:  # pragma: no cover - the event was raised by this order
        raise NotFound(f"There is no order {event.aggregate_key}.")
    return order


def on_order_confirmed(ctx: ServiceContext, uow: UnitOfWork, event: DomainEvent) -> None:
    with uow.repository(WORK_ORDERS).deferred_writes():
        create_work_orders(uow, _order_of(uow, event), event.actor, event.occurred_at)


def on_order_cancelled(ctx: ServiceContext, uow: UnitOfWork, event: DomainEvent) -> None:
    reason = f"Order {event.aggregate_key} cancelled: {event.data.get('reason', '')}".strip()
    with uow.repository(WORK_ORDERS).deferred_writes():
        cancel_work_orders(uow, _order_of(uow, event), event.actor, event.occurred_at, reason)


def find_operation(uow: UnitOfWork, key: str) -> tuple[WorkOrder, Operation] | None:
    """The current work order operation behind a plan key ("SO-2026-0001/1/PAINT")."""
    parts = key.split("/", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    for work_order in uow.repository(WORK_ORDERS).current_for([parts[0]]):
        if work_order.line_no != int(parts[1]):
            continue
        op = next((o for o in work_order.operations if o.routing_key == parts[2]), None)
        if op is not None:
            return work_order, op
    return None


# -- views and queries --------------------------------------------------------------


def add_operations_in(
    uow: UnitOfWork,
    number: str,
    after: int,
    steps: list[AddedStep],
    *,
    actor: str,
    at: dt.datetime,
    reason: str,
) -> list[Operation]:
    """Add operations after operation `after` of a work order (rework or a re-make a
    nonconformance asks for) in the caller's transaction; the caller commits and asks
    for the replan that puts them in the plan."""
    work_order = uow.repository(WORK_ORDERS).lock(number)
    if work_order is None:
        raise NotFound(f"There is no work order {number}.")
    return work_order.add_operations(after, steps, actor=actor, at=at, reason=reason)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def operation_view(op: Operation) -> dict[str, Any]:
    return {
        "seq": op.seq,
        "routing_key": op.routing_key,
        "name": op.name,
        "work_centres": list(op.work_centres),
        "setup_minutes": str(op.setup_minutes),
        "run_minutes_per_unit": str(op.run_minutes_per_unit),
        "predecessors": list(op.predecessors),
        "setup_class": op.setup_class,
        "status": op.status.value,
        "good_quantity": op.good_quantity,
        "scrap_quantity": op.scrap_quantity,
        "started_at": _iso(op.started_at),
        "finished_at": _iso(op.finished_at),
        "work_centre": op.work_centre,
    }


def work_order_view(work_order: WorkOrder) -> dict[str, Any]:
    return {
        "number": work_order.number,
        "order_number": work_order.order_number,
        "line_no": work_order.line_no,
        "revision": work_order.revision,
        "status": work_order.status.value,
        "quantity": work_order.quantity,
        "product_family": work_order.product_family,
        "catalogue_version": work_order.catalogue_version,
        "spec": dict(work_order.spec),
        "created_at": work_order.created_at.isoformat(),
        "updated_at": work_order.updated_at.isoformat(),
        "operations": [operation_view(o) for o in work_order.operations],
        "materials": [{**m.snapshot(), "operation": m.operation} for m in work_order.materials],
        "kind": work_order.kind.value,
        "design_revision": work_order.design_revision,
    }


def report_view(report: Report) -> dict[str, Any]:
    return {
        "work_order": report.work_order,
        "seq": report.seq,
        "kind": report.kind.value,
        "good": report.good,
        "scrap": report.scrap,
        "note": report.note,
        "work_centre": report.work_centre,
        "actor": report.actor,
        "reported_at": report.reported_at.isoformat(),
    }


def _work_order(uow: UnitOfWork, number: str) -> WorkOrder:
    work_order = uow.repository(WORK_ORDERS).get(number.strip().upper())
    if work_order is None:
        raise NotFound(f"There is no work order {number}.")
    return work_order


def get_work_order(ctx: ServiceContext, actor: Principal, number: str) -> dict[str, Any]:
    require(actor.role, Resource.WORK_ORDER, VIEW)
    with ctx.uow() as uow:
        work_order = _work_order(uow, number)
        view = work_order_view(work_order)
        view["reports"] = [
            report_view(r) for r in uow.repository(WORK_ORDERS).reports(work_order.number)
        ]
        view["issues"] = units.issued_to(uow, work_order.number)
        view["serials"] = [units.serial_view(s) for s in units.serials_of(uow, work_order)]
        return view


def list_work_orders(
    ctx: ServiceContext, actor: Principal, order_number: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Work orders, newest first; of one order (every revision) when it is given."""
    require(actor.role, Resource.WORK_ORDER, VIEW)
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000.", field="limit")
    with ctx.uow() as uow:
        repo = uow.repository(WORK_ORDERS)
        if order_number is None:
            return [work_order_view(w) for w in repo.recent(limit)]
        order = load_visible(uow, actor, order_number)
        return [work_order_view(w) for w in repo.for_order(order.number)]
