"""The MRP run: the committed orders' material requirements netted against stock and
open purchases, the result (pegs, proposals) replacing the previous run's.

`execute_run` is separate from the faces that ask for it: the API and the page queue a
run (a recorded job of kind `mrp_run`, see services/jobs.py) that a worker carries out;
the CLI runs it in the foreground with its progress bar. A queued run can be cancelled,
a failed one retried.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from orderforge.domain.errors import NotFound
from orderforge.domain.order import Order, OrderState
from orderforge.domain.permissions import RUN, VIEW, Resource, require
from orderforge.engines.materials import (
    Offer,
    Policy,
    Requirement,
    Source,
    Supply,
    net,
)
from orderforge.materials.domain import (
    MrpRun,
    Peg,
    Proposal,
    RunStatus,
    StockingPolicy,
)
from orderforge.materials.ports import MATERIALS, MaterialsRepository
from orderforge.production.domain import OperationStatus, WorkOrder, WorkOrderStatus
from orderforge.production.ports import WORK_ORDERS
from orderforge.services.context import ServiceContext
from orderforge.services.jobs import JobKind
from orderforge.services.ports import OrderFilter, Principal, UnitOfWork

#: Orders whose material the plant must have: confirmed and not yet past production.
MRP_STATES = (
    OrderState.CONFIRMED,
    OrderState.FEASIBLE,
    OrderState.NEEDS_ENGINEERING,
    OrderState.PLANNED,
    OrderState.AWAITING_DESIGN_APPROVAL,
    OrderState.RELEASED,
    OrderState.IN_PRODUCTION,
    OrderState.ON_HOLD,
    OrderState.CHANGE_REQUESTED,
)
#: Working minutes in a day, to step back from a due date by an unplanned routing.
DAY_MINUTES = 480

Progress = Callable[[float, str], None]
#: The MRP run's job kind (one at a time across every worker: each replaces the result).
MRP_RUN = "mrp_run"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Need:
    """One requirement as the run stores it: whose, which operation, when."""

    requirement: Requirement
    order_number: str
    line_no: int
    work_order: str
    operation: str
    item_name: str
    unit: str


def _consumers(work_order: WorkOrder, operation: str | None) -> list[str]:
    """Routing keys of the operations consuming a material: the one the BOM names, else
    the work order's first ones (those waiting for nothing)."""
    keys = [o.routing_key for o in work_order.operations]
    if operation is not None and operation in keys:
        return [operation]
    return [o.routing_key for o in work_order.operations if not o.predecessors] or keys[:1]


def _unplanned_need(order: Order, work_order: WorkOrder, now: dt.datetime) -> dt.datetime:
    """No plan for it yet: its promise (or requested) date less its whole routing."""
    due = order.promise_date or order.requested_date
    if due is None:
        return now
    minutes = sum(o.minutes(work_order.quantity) for o in work_order.operations)
    days = math.ceil(minutes / DAY_MINUTES)
    start = dt.datetime.combine(due, dt.time(), dt.UTC) - dt.timedelta(days=days)
    return max(start, now)


def needs_of(
    orders: list[Order],
    work: list[WorkOrder],
    planned_starts: dict[str, dt.datetime],
    now: dt.datetime,
) -> list[Need]:
    """The open material requirements of the orders' current work orders, each at the
    planned start of the operation consuming it (materials of finished operations are
    used up and left out)."""
    by_number = {o.number: o for o in orders}
    needs: list[Need] = []
    for work_order in work:
        order = by_number.get(work_order.order_number)
        if order is None or work_order.status not in (
            WorkOrderStatus.OPEN,
            WorkOrderStatus.IN_PROGRESS,
        ):
            continue
        status = {o.routing_key: o.status for o in work_order.operations}
        prefix = f"{order.number}/{work_order.line_no}/"
        # per work order, not per material: most materials share the first operations
        consumers_of: dict[str | None, list[str]] = {}
        unplanned: dt.datetime | None = None
        for i, material in enumerate(work_order.materials):
            if material.quantity <= 0:
                continue
            if material.operation not in consumers_of:
                consumers_of[material.operation] = _consumers(work_order, material.operation)
            consumers = consumers_of[material.operation]
            if consumers and all(status[k] is OperationStatus.DONE for k in consumers):
                continue
            planned = [
                (planned_starts[prefix + k], k) for k in consumers if prefix + k in planned_starts
            ]
            if planned:
                need_at, key = min(planned)
                need_at = max(need_at, now)
            else:
                if unplanned is None:
                    unplanned = _unplanned_need(order, work_order, now)
                need_at = unplanned
                key = consumers[0] if consumers else ""
            requirement = Requirement(
                key=f"{work_order.number}/{i}",
                order_number=order.number,
                item_code=material.item_code,
                quantity=material.quantity,
                need_at=need_at,
            )
            needs.append(
                Need(
                    requirement,
                    order.number,
                    work_order.line_no,
                    work_order.number,
                    prefix + key,
                    material.name,
                    material.unit,
                )
            )
    return needs


def _supplies(repo: MaterialsRepository) -> list[Supply]:
    supplies = [
        Supply(Source.STOCK, lot.lot_number, lot.item_code, lot.quantity, lot.received_at)
        for lot in repo.lots()
    ]
    supplies += [
        Supply(Source.PURCHASE, line.ref, line.item_code, line.open_quantity, line.expected_at)
        for line in repo.open_lines()
    ]
    return supplies


def _offers(repo: MaterialsRepository) -> list[Offer]:
    return [
        Offer(
            o.supplier_code,
            o.item_code,
            o.unit_price,
            o.minimum,
            o.pack_size,
            o.lead_time_days,
            o.express,
        )
        for o in repo.offers()
    ]


def _policies(repo: MaterialsRepository) -> list[Policy]:
    return [
        Policy(p.item_code, p.policy is StockingPolicy.MIN_MAX, p.reorder_point, p.maximum)
        for p in repo.policies()
    ]


def plan_materials(
    uow: UnitOfWork, run_id: int, now: dt.datetime, on_progress: Progress | None = None
) -> dict[str, Any]:
    """Net every committed order's requirements and store the result; returns the
    run's counts. Caller commits."""
    report = on_progress or (lambda share, what: None)
    repo = uow.repository(MATERIALS)
    report(0.05, "Loading the committed orders")
    orders = [o for s in MRP_STATES for o in uow.orders.list(OrderFilter(state=s, limit=100_000))]
    work = uow.repository(WORK_ORDERS).current_for([o.number for o in orders])
    version = uow.plans.latest_version_number()
    planned = (
        {op.key: op.start for op in uow.plans.operations(version)} if version is not None else {}
    )
    needs = needs_of(orders, work, planned, now)
    report(0.3, f"Netting {len(needs)} requirements")
    offers = repo.offers()
    currency_of = {(o.supplier_code, o.item_code): o.currency for o in offers if not o.express}
    result = net(
        [n.requirement for n in needs], _supplies(repo), _offers(repo), _policies(repo), now
    )
    report(0.7, "Storing pegs and proposals")
    need_of = {n.requirement.key: n for n in needs}
    pegs = []
    for a in result.allocations:
        n = need_of[a.requirement]
        ref = f"R{run_id}-{a.ref}" if a.source is Source.PROPOSAL else a.ref
        pegs.append(
            Peg(
                run_id=run_id,
                order_number=n.order_number,
                line_no=n.line_no,
                work_order=n.work_order,
                operation=n.operation,
                item_code=n.requirement.item_code,
                item_name=n.item_name,
                unit=n.unit,
                quantity=a.quantity,
                source=a.source.value,
                ref=ref,
                need_at=n.requirement.need_at,
                available_at=a.available_at,
            )
        )
    proposals = [
        Proposal(
            run_id=run_id,
            item_code=p.item_code,
            supplier_code=p.supplier,
            quantity=p.quantity,
            unit_price=p.unit_price,
            currency=currency_of.get((p.supplier, p.item_code), "EUR"),
            order_by=p.order_by,
            arrives_at=p.arrives_at,
            need_at=p.need_at,
            late=p.late,
            reason=p.reason,
            orders=p.orders,
            key=f"R{run_id}-{p.key}",
        )
        for p in result.proposals
    ]
    repo.replace_result(pegs, proposals)
    by_source: dict[str, Decimal] = {}
    for a in result.allocations:
        by_source[a.source.value] = by_source.get(a.source.value, Decimal(0)) + 1
    return {
        "orders": len({n.order_number for n in needs}),
        "requirements": len(needs),
        "from_stock": int(by_source.get("stock", 0)),
        "from_purchases": int(by_source.get("purchase", 0)),
        "from_proposals": int(by_source.get("proposal", 0)),
        "missing": int(by_source.get("missing", 0)),
        "proposals": len(proposals),
        "late_proposals": sum(1 for p in proposals if p.late),
    }


def reserve_order(uow: UnitOfWork, order: Order, now: dt.datetime) -> int:
    """Peg free stock and free purchase quantities to one newly confirmed order at once,
    so the next quote cannot count them too; what they do not cover waits for the next
    MRP run (which nets every order again from scratch). Returns the pegs added.
    Caller commits."""
    repo = uow.repository(MATERIALS)
    work = uow.repository(WORK_ORDERS).current_for([order.number])
    needs = needs_of([order], work, {}, now)
    if not needs:
        return 0
    items = {n.requirement.item_code for n in needs}
    pegged = repo.pegged(items)
    free = []
    for s in _supplies(repo):
        if s.item_code not in items:
            continue
        left = s.quantity - pegged.get(s.ref, Decimal(0))
        if left > 0:
            free.append(replace(s, quantity=left))
    result = net([n.requirement for n in needs], free, [], [], now)
    need_of = {n.requirement.key: n for n in needs}
    latest = repo.runs(limit=1)
    run_id = latest[0].id if latest and latest[0].id is not None else 0
    pegs = [
        Peg(
            run_id=run_id,
            order_number=order.number,
            line_no=need_of[a.requirement].line_no,
            work_order=need_of[a.requirement].work_order,
            operation=need_of[a.requirement].operation,
            item_code=need_of[a.requirement].requirement.item_code,
            item_name=need_of[a.requirement].item_name,
            unit=need_of[a.requirement].unit,
            quantity=a.quantity,
            source=a.source.value,
            ref=a.ref,
            need_at=need_of[a.requirement].requirement.need_at,
            available_at=a.available_at,
        )
        for a in result.allocations
        if a.source in (Source.STOCK, Source.PURCHASE)
    ]
    repo.add_pegs(pegs)
    return len(pegs)


# -- runs -------------------------------------------------------------------------


def run_view(run: MrpRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "status": run.status.value,
        "requested_by": run.requested_by,
        "requested_at": run.requested_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "progress": run.progress,
        "counts": dict(run.counts),
        "error": run.error,
        "retry_of": run.retry_of,
    }


def request_run(ctx: ServiceContext, actor: Principal) -> dict[str, Any]:
    """Record a queued MRP run (committed, so whoever executes it finds it)."""
    require(actor.role, Resource.MATERIALS, RUN)
    with ctx.uow() as uow:
        run = MrpRun(requested_by=actor.username, requested_at=ctx.clock.now())
        uow.repository(MATERIALS).add_run(run)
        uow.commit()
        return run_view(run)


def queue_run(ctx: ServiceContext, actor: Principal) -> dict[str, Any]:
    """Ask for an MRP run (API, page): a queued row, committed, handed to the job queue;
    with no queue wired (a bare service context) it runs here."""
    run = request_run(ctx, actor)
    if ctx.jobs is None:
        return execute_run(ctx, run["id"])
    ctx.jobs.submit(MRP_RUN, run["id"])
    return run


def cancel_run(ctx: ServiceContext, actor: Principal, run_id: int) -> dict[str, Any]:
    """Withdraw a queued run (refused with the reason once a worker has taken it); the row
    is locked while it is checked, so a worker's claim and the cancel never both win."""
    require(actor.role, Resource.MATERIALS, RUN)
    with ctx.uow() as uow:
        run = _run(uow, run_id, lock=True)
        run.cancel(actor.username, ctx.clock.now())
        uow.commit()
        return run_view(run)


def retry_run(ctx: ServiceContext, actor: Principal, run_id: int) -> dict[str, Any]:
    """Queue a failed run again: a new run naming the failed one (which stays as it was)."""
    require(actor.role, Resource.MATERIALS, RUN)
    with ctx.uow() as uow:
        run = _run(uow, run_id).retry(actor.username, ctx.clock.now())
        uow.repository(MATERIALS).add_run(run)
        uow.commit()
        view = run_view(run)
    if ctx.jobs is None:
        return execute_run(ctx, run.id or 0)
    ctx.jobs.submit(MRP_RUN, view["id"])
    return view


def execute_run(
    ctx: ServiceContext, run_id: int, on_progress: Progress | None = None
) -> dict[str, Any]:
    """Run a recorded MRP run to its end (done, or failed with the reason). Safe to call
    twice: a run no longer queued (taken by another worker, cancelled, ended) is left
    alone, because a job queue may deliver the same job more than once."""
    with ctx.uow() as uow:  # the claim: short, and the row locked while it is read
        run = _run(uow, run_id, lock=True)
        if run.status is not RunStatus.QUEUED:
            log.info("mrp_run %s is %s: left alone", run_id, run.status.value)
            return run_view(run)
        run.start(ctx.clock.now())
        uow.commit()
    log.info("mrp_run %s taken", run_id)
    try:
        with ctx.uow() as uow:
            # one transaction (the result is replaced whole), so the share done reaches the
            # caller's listener (the CLI's bar) only; the record says queued, running, done
            counts = plan_materials(uow, run_id, ctx.clock.now(), on_progress)
            run = _run(uow, run_id)
            run.finish(counts, ctx.clock.now())
            uow.commit()
            return run_view(run)
    except Exception as exc:
        with ctx.uow() as uow:
            run = _run(uow, run_id)
            run.fail(f"{type(exc).__name__}: {exc}", ctx.clock.now())
            uow.commit()
            raise


def run_mrp(
    ctx: ServiceContext, actor: Principal, on_progress: Progress | None = None
) -> dict[str, Any]:
    """Record an MRP run and execute it here (the CLI, in the foreground)."""
    run = request_run(ctx, actor)
    return execute_run(ctx, run["id"], on_progress)


def recover_runs(ctx: ServiceContext) -> list[int]:
    """After a restart of an in-process worker: runs it was executing are failed (their
    work died with the process, and was rolled back), queued ones are handed back."""
    with ctx.uow() as uow:
        runs = uow.repository(MATERIALS).runs(1000)
        for run in runs:
            if run.status is RunStatus.RUNNING:
                run.fail("Interrupted: the process running this MRP run stopped.", ctx.clock.now())
        queued = [r.id for r in runs if r.status is RunStatus.QUEUED and r.id is not None]
        uow.commit()
    return sorted(queued)


def interrupt_run(ctx: ServiceContext, run_id: int) -> None:
    """The worker running this MRP run stopped (its heartbeat ended; its transaction was
    rolled back): fail the run if it is still running, so it can be retried."""
    with ctx.uow() as uow:
        run = uow.repository(MATERIALS).run(run_id, lock=True)
        if run is None or run.status is not RunStatus.RUNNING:
            return
        run.fail("Interrupted: the worker running this MRP run stopped.", ctx.clock.now())
        uow.commit()
    log.warning("mrp_run %s interrupted: its worker stopped", run_id)


JOBS = (
    JobKind(
        MRP_RUN, execute_run, recover=recover_runs, interrupt=interrupt_run, lock="materials-mrp"
    ),
)


def _run(uow: UnitOfWork, run_id: int, lock: bool = False) -> MrpRun:
    run = uow.repository(MATERIALS).run(run_id, lock=lock)
    if run is None:
        raise NotFound(f"There is no MRP run {run_id}.")
    return run


def get_run(ctx: ServiceContext, actor: Principal, run_id: int) -> dict[str, Any]:
    require(actor.role, Resource.MATERIALS, VIEW)
    with ctx.uow() as uow:
        return run_view(_run(uow, run_id))


def list_runs(ctx: ServiceContext, actor: Principal, limit: int = 20) -> list[dict[str, Any]]:
    require(actor.role, Resource.MATERIALS, VIEW)
    with ctx.uow() as uow:
        return [run_view(r) for r in uow.repository(MATERIALS).runs(limit)]


def latest_done(uow: UnitOfWork) -> MrpRun | None:
    return next((r for r in uow.repository(MATERIALS).runs(20) if r.status is RunStatus.DONE), None)
