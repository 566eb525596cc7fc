"""Plan runs: ask for a plan or a replan, execute it as a recorded job, store the version.

A run is requested (a queued row, committed), then executed by whoever holds it: a
worker for the web and API (a recorded job of kind `plan_run`, see services/jobs.py), the
CLI in the foreground. A queued run can be cancelled; a failed one retried (a new run
with the same inputs, naming the one it repeats). Execution reads the current
plan, the pins and the disruptions, solves, and stores a new plan version with every
order's planned dates, or records why it could not (the stored plan stays as it was).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from orderforge.domain.errors import IllegalTransition, InvalidInput, NotFound
from orderforge.domain.events import DomainEvent
from orderforge.domain.order import OrderAction, OrderState
from orderforge.domain.permissions import REPORT, RUN, VIEW, require
from orderforge.domain.permissions import Resource as Res
from orderforge.domain.planning import (
    RUSH_PRIORITY,
    DisruptionKind,
    Downtime,
    OperationDelay,
    PlannedOperation,
    PlannedOrder,
    PlanRun,
    PlanVersion,
    RunKind,
    RunOptions,
    RunStatus,
    check_time_limit,
)
from orderforge.domain.text import check_text
from orderforge.engines.scheduling import (
    InvalidProblemError,
    Objective,
    Result,
    SolverSettings,
    solve,
    validate,
)
from orderforge.plant import services as plant
from orderforge.services import planning, plant_time
from orderforge.services.context import ServiceContext, publish
from orderforge.services.jobs import JobKind
from orderforge.services.ports import DuplicateRecord, Principal, UnitOfWork

log = logging.getLogger(__name__)

#: Runs with a current plan weigh a minute of lateness this many times a minute an
#: operation moves; every operation that moves at all costs the run's
#: `min_gain_minutes` more (RunOptions): each move is a change the floor must hear of.
REPLAN_TARDINESS_WEIGHT = 4
#: Progress is written at most this often, so a fast-improving solve does not flood storage.
PROGRESS_INTERVAL = 1.0

#: The plan run's job kind (one plan at a time across every worker: see JOBS).
PLAN_RUN = "plan_run"

ProgressListener = Callable[[float, int, int], None]


@dataclass(frozen=True)
class Disruption:
    """What happened, for a replan: the fields each kind needs are checked by `record`."""

    kind: DisruptionKind
    reason: str = ""
    work_centre: str | None = None
    resource: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    operation: str | None = None
    extra_minutes: int | None = None
    order: str | None = None


# -- asking -----------------------------------------------------------------------


def request_run(
    ctx: ServiceContext,
    actor: Principal,
    time_limit: float = 10.0,
    disruption: Disruption | None = None,
    options: RunOptions | None = None,
) -> dict[str, Any]:
    """Queue a plan run (a replan if `disruption` is given), recording the disruption in
    the same transaction; the worker hears of it only once that has committed."""
    require(actor.role, Res.SCHEDULE, RUN if disruption is None else REPORT)
    time_limit = check_time_limit(time_limit)
    options = options or RunOptions()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        trigger = {} if disruption is None else _record(uow, actor, disruption, now)
        run = PlanRun(
            kind=RunKind.PLAN if disruption is None else RunKind.REPLAN,
            requested_by=actor.username,
            requested_at=now,
            time_limit=time_limit,
            trigger=trigger,
            options=options.as_dict(),
        )
        uow.plans.add_run(run)
        uow.commit()
        view = run_view(run)
    submit(ctx, run)
    return view


def queue_replan(
    uow: UnitOfWork, requested_by: str, trigger: dict[str, Any], now: dt.datetime
) -> PlanRun:
    """A replan asked for by another context's command (an approved engineering change),
    recorded in that command's transaction; `submit` it once that has committed."""
    run = PlanRun(
        kind=RunKind.REPLAN,
        requested_by=requested_by,
        requested_at=now,
        time_limit=check_time_limit(10.0),
        trigger=trigger,
        options=RunOptions().as_dict(),
    )
    uow.plans.add_run(run)
    return run


def submit(ctx: ServiceContext, run: PlanRun) -> None:
    """Hand a committed run to the job queue (when one is wired; the CLI runs its own)."""
    if ctx.jobs is not None and run.id is not None:
        ctx.jobs.submit(PLAN_RUN, run.id)


def cancel_run(ctx: ServiceContext, actor: Principal, run_id: int) -> dict[str, Any]:
    """Withdraw a queued run (refused with the reason once a worker has taken it). The
    row is locked while it is checked, so a worker claiming it at the same moment either
    finds it cancelled or is first and the cancel is refused."""
    require(actor.role, Res.SCHEDULE, RUN)
    with ctx.uow() as uow:
        run = uow.plans.run(run_id, lock=True)
        if run is None:
            raise NotFound(f"There is no plan run {run_id}.")
        run.cancel(actor.username, ctx.clock.now())
        uow.commit()
        return run_view(run)


def retry_run(ctx: ServiceContext, actor: Principal, run_id: int) -> dict[str, Any]:
    """Queue a failed run again: a new run with its inputs, linked to it (the failed one
    stays as it was, with its reason)."""
    require(actor.role, Res.SCHEDULE, RUN)
    with ctx.uow() as uow:
        failed = uow.plans.run(run_id)
        if failed is None:
            raise NotFound(f"There is no plan run {run_id}.")
        run = failed.retry(actor.username, ctx.clock.now())
        uow.plans.add_run(run)
        uow.commit()
        view = run_view(run)
    submit(ctx, run)
    return view


def _record(uow: UnitOfWork, actor: Principal, d: Disruption, now: dt.datetime) -> dict[str, Any]:
    if d.kind in (DisruptionKind.ENGINEERING_CHANGE, DisruptionKind.NONCONFORMANCE):
        raise InvalidInput(
            "An engineering change replans the plant itself when it is approved; report "
            "a machine down, an overrun, a rush order or a cancelled order instead.",
            field="kind",
        )
    reason = check_text(d.reason, "reason").strip()
    if not reason:
        raise InvalidInput("Say what happened: a replan needs a reason.", field="reason")
    if d.kind is DisruptionKind.MACHINE_DOWN:
        return _record_downtime(uow, actor, d, reason, now)
    if d.kind is DisruptionKind.OPERATION_OVERRUN:
        if not d.operation:
            raise InvalidInput("Name the operation that takes longer.", field="operation")
        if d.extra_minutes is None:
            raise InvalidInput("Say how many minutes longer it takes.", field="extra_minutes")
        _known_operation(uow, d.operation)
        delay = uow.plans.add_delay(
            OperationDelay(None, d.operation, d.extra_minutes, reason, actor.username, now)
        )
        return {
            "kind": d.kind.value,
            "operation": d.operation,
            "extra_minutes": delay.extra_minutes,
            "reason": reason,
        }
    if not d.order:
        raise InvalidInput("Name the order.", field="order")
    order = uow.orders.get(d.order.strip().upper())
    if order is None:
        raise NotFound(f"There is no order {d.order}.")
    if d.kind is DisruptionKind.RUSH_ORDER:
        require(actor.role, Res.ORDER, OrderAction.PLAN.value)
        order.prioritise(RUSH_PRIORITY, actor=actor.username, at=now, reason=reason)
    elif order.state is not OrderState.CANCELLED:
        require(actor.role, Res.ORDER, OrderAction.CANCEL.value)
        order.apply(OrderAction.CANCEL, actor=actor.username, at=now, reason=reason)
    return {"kind": d.kind.value, "order": order.number, "reason": reason}


def _record_downtime(
    uow: UnitOfWork, actor: Principal, d: Disruption, reason: str, now: dt.datetime
) -> dict[str, Any]:
    centres = {w.code: w for w in plant.active_work_centres(uow)}
    code = (d.work_centre or "").strip().upper()
    if code not in centres:
        raise InvalidInput(
            f"There is no work centre {d.work_centre!r}; known: {', '.join(sorted(centres))}.",
            field="work_centre",
        )
    units = planning.unit_keys(centres[code])
    if d.resource is not None and d.resource not in units:
        raise InvalidInput(
            f"{code} has no unit {d.resource!r}; its units are {', '.join(units)}.",
            field="resource",
        )
    if d.start is None or d.end is None:
        raise InvalidInput(
            "A breakdown needs a start and an end.", field="start" if d.start is None else "end"
        )
    zone = plant_time.plant_zone(uow)
    start = plant_time.in_zone(d.start, zone, "start")  # without an offset: plant time
    end = plant_time.in_zone(d.end, zone, "end")
    if end - start > dt.timedelta(days=planning.HORIZON_DAYS):
        raise InvalidInput(
            "A downtime longer than the planning horizon is not a breakdown.", field="end"
        )
    downtime = uow.plans.add_downtime(
        Downtime(None, code, d.resource, start, end, reason, actor.username, now)
    )
    return {
        "kind": d.kind.value,
        "work_centre": code,
        "resource": d.resource,
        # in plant time with its offset, so the plan's reason reads as the wall clock
        "start": start.astimezone(zone).isoformat(),
        "end": end.astimezone(zone).isoformat(),
        "reason": reason,
        "downtime_id": downtime.id,
    }


def _known_operation(uow: UnitOfWork, key: str) -> PlannedOperation:
    current = uow.plans.latest_version_number()
    found = None
    if current is not None:
        found = next((o for o in uow.plans.operations(current) if o.key == key), None)
    if found is None:
        raise NotFound(f"Operation {key!r} is not in the current plan.")
    return found


# -- executing --------------------------------------------------------------------


def execute_run(
    ctx: ServiceContext, run_id: int, on_progress: ProgressListener | None = None
) -> dict[str, Any]:
    """Carry out a queued run; safe to call twice (a run already taken is left alone),
    because a job queue may deliver the same job more than once."""
    now = ctx.clock.now()
    with ctx.uow() as uow:  # the claim: short, and the row locked while it is read
        run = uow.plans.run(run_id, lock=True)
        if run is None:
            raise NotFound(f"There is no plan run {run_id}.")
        if run.status is not RunStatus.QUEUED:
            log.info("plan_run %s is %s: left alone", run_id, run.status.value)
            return run_view(run)
        run.start(now)
        uow.commit()
    log.info("plan_run %s taken", run_id)
    try:
        return _execute(ctx, run, on_progress)
    except Exception as exc:  # record every failure on the run, then let callers see it
        log.exception("plan run %s failed", run_id)
        title = "The plan could not be made: an internal error occurred."
        issues = [{"where": "engine", "message": f"{type(exc).__name__}: {exc}"}]
        return _fail(ctx, run_id, title, issues)


def _execute(
    ctx: ServiceContext, run: PlanRun, on_progress: ProgressListener | None
) -> dict[str, Any]:
    assert run.id is not None
    start = ctx.clock.now().replace(second=0, microsecond=0)
    with ctx.uow() as uow:
        previous = uow.plans.latest_version_number()
        old = uow.plans.version(previous) if previous is not None else None
        inputs = planning.PlanInputs(
            previous=uow.plans.operations(previous) if previous is not None else [],
            previous_at=old.created_at if old is not None else None,
            pins=uow.plans.pins(),
            downtimes=uow.plans.downtimes(start),
            delays=uow.plans.delays(),
        )
        plan = planning.build_problem(uow, start, planning.HORIZONS_DAYS[0], inputs)
    if plan.issues:
        return _fail(
            ctx, run.id, _TITLE, [{"where": i.where, "message": i.message} for i in plan.issues]
        )
    settings = SolverSettings(time_limit=run.time_limit, num_workers=2)
    progress = _progress_writer(ctx, run.id, on_progress)

    def build(days: int) -> planning.PlanProblem:
        if days == planning.HORIZONS_DAYS[0]:
            return plan
        with ctx.uow() as uow:
            return planning.build_problem(uow, start, days, inputs)

    options = RunOptions.of(run.options)

    def solve_plan(p: planning.PlanProblem) -> Result:
        if inputs.previous:
            p.problem = replace(p.problem, objective=stable_objective(options))
            if run.trigger.get("kind") in _LOCAL_DISRUPTIONS and not options.displace:
                planning.hold_untouched(p)
        return solve(p.problem, settings, progress)

    try:
        plan, result = planning.solve_on_horizons(build, solve_plan, plan.reaches)
    except InvalidProblemError as exc:
        return _fail(
            ctx, run.id, _TITLE, [{"where": i.where, "message": i.message} for i in exc.issues]
        )
    except planning.BacklogTooLong as exc:
        return _fail(
            ctx,
            run.id,
            f"{exc} The stored plan is unchanged.",
            [
                {
                    "where": exc.operation,
                    "message": f"cannot be placed within {exc.days} days: the work centres "
                    "that can do it are booked (or closed) that far ahead",
                }
            ],
        )
    violations = validate(plan.problem, list(result.schedule.values()))
    if violations:  # never store an infeasible plan
        return _fail(
            ctx,
            run.id,
            "The engine returned an infeasible plan; nothing was stored.",
            [{"where": v.operation, "message": v.message} for v in violations[:20]],
        )
    return _store(ctx, run, plan, result, inputs)


_TITLE = "The plan could not be made; the stored plan is unchanged."
#: Disruptions that touch some orders only (a unit down, an operation running over): a
#: replan for them holds every other order where it is unless the planner lets orders
#: be displaced. A rush order or a cancellation is meant to reshuffle, within the
#: stable objective.
_LOCAL_DISRUPTIONS = frozenset({DisruptionKind.MACHINE_DOWN, DisruptionKind.OPERATION_OVERRUN})


def stable_objective(options: RunOptions) -> Objective:
    """How a run ranks plans once a current plan exists (a plan run or a replan alike).

    The current plan is the reference: new work takes the room it leaves, and an
    operation of it moves only when that gains more than `min_gain_minutes` beyond the
    minutes it moves (lexicographically any minute of lateness would justify reshuffling
    the floor, which is how a plan run used to move almost every operation). Without
    `displace` an operation whose slot is still open keeps its unit."""
    return Objective(
        lexicographic=False,
        tardiness_weight=REPLAN_TARDINESS_WEIGHT,
        stability_weight=1,
        move_penalty=options.min_gain_minutes,
        keep_reference_resource=not options.displace,
    )


def _progress_writer(
    ctx: ServiceContext, run_id: int, listener: ProgressListener | None
) -> ProgressListener:
    last = [0.0]

    def report(seconds: float, objective: int, bound: int) -> None:
        if listener is not None:
            listener(seconds, objective, bound)
        if time.monotonic() - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = time.monotonic()
        with ctx.uow() as uow:
            run = uow.plans.run(run_id)
            if run is not None:
                run.report(seconds, objective, bound)
                uow.commit()

    return report


def _fail(
    ctx: ServiceContext, run_id: int, title: str, issues: list[dict[str, str]]
) -> dict[str, Any]:
    with ctx.uow() as uow:
        run = uow.plans.run(run_id)
        assert run is not None
        run.fail(title, issues, ctx.clock.now())
        uow.commit()
        return run_view(run)


def _store(
    ctx: ServiceContext,
    run: PlanRun,
    plan: planning.PlanProblem,
    result: Result,
    inputs: planning.PlanInputs,
) -> dict[str, Any]:
    assert run.id is not None
    operations, orders = _planned(plan, result)
    moved, comparable = moved_operations(inputs.previous, operations)
    for attempt in range(3):
        try:
            with ctx.uow() as uow:
                previous = uow.plans.latest_version_number()
                version = PlanVersion(
                    number=(previous or 0) + 1,
                    created_at=ctx.clock.now(),
                    created_by=run.requested_by,
                    run_id=run.id,
                    horizon_start=plan.start,
                    based_on=previous,
                    reason=_reason(run),
                    objective=result.objective,
                    lower_bound=result.lower_bound,
                    optimal=result.optimal,
                    late_orders=sum(1 for o in orders if o.tardiness_minutes > 0),
                    operation_count=len(operations),
                    moved_operations=moved,
                    comparable_operations=comparable,
                    seconds=round(result.seconds, 3),
                    skipped=plan.skipped,
                )
                uow.plans.add_version(version, operations, orders)
                uow.plans.set_planned_dates(version.number, orders)
                # contexts above planning (promising) react in the same transaction
                publish(
                    ctx,
                    uow,
                    [
                        DomainEvent(
                            aggregate="plan",
                            aggregate_key=str(version.number),
                            kind="plan_version_stored",
                            actor=run.requested_by,
                            occurred_at=version.created_at,
                            data={"version": version.number},
                        )
                    ],
                )
                stored = uow.plans.run(run.id)
                assert stored is not None
                stored.report(result.seconds, result.objective, result.lower_bound)
                stored.finish(version.number, ctx.clock.now())
                uow.commit()
                return run_view(stored)
        except DuplicateRecord:  # another run stored a version meanwhile: take the next number
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def moved_operations(
    previous: list[PlannedOperation], current: list[PlannedOperation]
) -> tuple[int, int]:
    """(moved, of): operations of `previous` whose start or unit `current` changed, among
    those it could have changed: in both versions and neither started nor finished now
    (new work has nothing to move from; the floor's facts are not the plan's doing)."""
    before = {o.key: o for o in previous if not o.frozen}
    comparable = [o for o in current if o.key in before and not o.frozen]
    moved = sum(
        1
        for o in comparable
        if (o.start, o.resource) != (before[o.key].start, before[o.key].resource)
    )
    return moved, len(comparable)


def _reason(run: PlanRun) -> str:
    t = run.trigger
    kind = t.get("kind")
    if kind == DisruptionKind.MACHINE_DOWN:
        unit = t.get("resource") or t.get("work_centre")
        return f"Replan: {unit} down {t['start'][:16]} to {t['end'][:16]} ({t['reason']})"
    if kind == DisruptionKind.OPERATION_OVERRUN:
        return f"Replan: {t['operation']} takes {t['extra_minutes']} min longer ({t['reason']})"
    if kind == DisruptionKind.RUSH_ORDER:
        return f"Replan: rush order {t['order']} ({t['reason']})"
    if kind == DisruptionKind.ORDER_CANCELLED:
        return f"Replan: order {t['order']} cancelled ({t['reason']})"
    if kind == DisruptionKind.ENGINEERING_CHANGE:
        return f"Replan: engineering change {t['change']} of {t['order']} approved"
    if kind == DisruptionKind.NONCONFORMANCE:
        return f"Replan: {t['ncr']} adds {t['disposition']} work to {t['work_order']}"
    return f"Plan run by {run.requested_by}"


def _planned(
    plan: planning.PlanProblem, result: Result
) -> tuple[list[PlannedOperation], list[PlannedOrder]]:
    def at(minute: int) -> dt.datetime:
        return plan.start + dt.timedelta(minutes=minute)

    # started work only: operations a replan held in place are planned, not frozen
    frozen = set(plan.running)
    pinned = {p.operation for p in plan.problem.pins}
    ops = [replace(o, frozen=True, pinned=False) for o in plan.done]
    for key, entry in result.schedule.items():
        order, line, name = plan.operations[key]
        ops.append(
            PlannedOperation(
                key=key,
                order_number=order,
                line_no=line,
                name=name,
                work_centre=plan.centre_of[entry.resource],
                resource=entry.resource,
                # a running operation keeps its true start (the engine saw it from `start`)
                start=plan.running[key] if key in plan.running else at(entry.start),
                end=at(entry.end),
                setup_class=plan.setup_class.get(key),
                frozen=key in frozen,
                pinned=key in pinned,
            )
        )
    starts: dict[str, dt.datetime] = {}
    for o in ops:
        starts[o.order_number] = min(o.start, starts.get(o.order_number, o.start))
    waits: dict[str, set[str]] = {}
    for key, (_, reason) in plan.waits.items():
        if key in result.schedule and key not in frozen:  # started work waits no more
            waits.setdefault(plan.operations[key][0], set()).add(reason)
    orders = []
    for job, outcome in sorted(result.jobs.items()):
        first = starts.get(job, plan.start)
        orders.append(
            PlannedOrder(
                order_number=job,
                planned_start=first,
                planned_finish=at(outcome.finish),
                due=at(outcome.due) if outcome.due is not None else None,
                tardiness_minutes=outcome.tardiness,
                binding=[
                    f"{plan.operations[c.operation][2]} on {c.resource}"
                    for c in outcome.critical_chain[-3:]
                ],
                waits=sorted(waits.get(job, ())),
            )
        )
    return ops, orders


# -- queries ----------------------------------------------------------------------


def run_view(run: PlanRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "kind": run.kind.value,
        "status": run.status.value,
        "requested_by": run.requested_by,
        "requested_at": run.requested_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "time_limit": run.time_limit,
        "trigger": run.trigger,
        "progress": run.progress,
        "error": run.error,
        "plan_version": run.plan_version,
        "options": RunOptions.of(run.options).as_dict(),
        "retry_of": run.retry_of,
    }


def get_run(ctx: ServiceContext, actor: Principal, run_id: int) -> dict[str, Any]:
    require(actor.role, Res.SCHEDULE, VIEW)
    with ctx.uow() as uow:
        run = uow.plans.run(run_id)
        if run is None:
            raise NotFound(f"There is no plan run {run_id}.")
        return run_view(run)


def list_runs(ctx: ServiceContext, actor: Principal, limit: int = 20) -> list[dict[str, Any]]:
    require(actor.role, Res.SCHEDULE, VIEW)
    with ctx.uow() as uow:
        return [run_view(r) for r in uow.plans.runs(limit)]


def interrupt_run(ctx: ServiceContext, run_id: int) -> None:
    """The worker running this plan stopped (its heartbeat ended): fail the run if it is
    still running, so it can be retried; anything else is left as it is."""
    with ctx.uow() as uow:
        run = uow.plans.run(run_id, lock=True)
        if run is None or run.status is not RunStatus.RUNNING:
            return
        run.fail("Interrupted: the worker running this plan stopped.", [], ctx.clock.now())
        uow.commit()
    log.warning("plan_run %s interrupted: its worker stopped", run_id)


def recover_runs(ctx: ServiceContext) -> list[int]:
    """After a restart of an in-process worker: runs it was executing are failed (their
    solve died with the process), queued ones are handed back to be run."""
    with ctx.uow() as uow:
        for run in uow.plans.runs(1000, RunStatus.RUNNING):
            try:
                run.fail("Interrupted: the process running this plan stopped.", [], ctx.clock.now())
            except IllegalTransition:
                continue
        queued = [r.id for r in uow.plans.runs(1000, RunStatus.QUEUED) if r.id is not None]
        uow.commit()
    return sorted(queued)


JOBS = (
    JobKind(
        PLAN_RUN, execute_run, recover=recover_runs, interrupt=interrupt_run, lock="plant-plan"
    ),
)
