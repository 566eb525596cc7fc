"""Plant planning: from orders and plant data to the scheduling engine's problem, and back.

This module is the translation the architecture asks for: the engine works in integer
minutes from the horizon start on unary resources; the plant has calendars in local time
with shifts, breaks and holidays, work centres with several units, configured routings
per order line. Storing plan versions and running plans as recorded jobs come next
(issue 4); `preview_plan` solves and reports without storing anything.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from orderforge.domain.order import Order, OrderAction, OrderState
from orderforge.domain.permissions import Resource as Res
from orderforge.domain.permissions import require
from orderforge.domain.plant import Calendar, WorkCenter
from orderforge.engines.configurator import configure
from orderforge.engines.scheduling import (
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    SolverSettings,
    solve,
    validate,
)
from orderforge.services.catalogue import family_of
from orderforge.services.context import ServiceContext
from orderforge.services.ports import OrderFilter, Principal, UnitOfWork

#: Orders the plant has committed to build and not yet finished.
PLANNABLE_STATES = (
    OrderState.PLANNED,
    OrderState.AWAITING_DESIGN_APPROVAL,
    OrderState.RELEASED,
    OrderState.IN_PRODUCTION,
)
HORIZON_DAYS = 182
DAY = 1440


def working_intervals(
    calendar: Calendar, start: dt.datetime, days: int = HORIZON_DAYS
) -> list[tuple[int, int]]:
    """The calendar's working time as [start, end) minutes from `start` (UTC), merged.

    Shifts are in the calendar's local time, so a daylight-saving change moves them in UTC
    as it does on the shop floor; holidays and breaks are closed time."""
    zone = ZoneInfo(calendar.timezone)
    holidays = set(calendar.holidays)
    first = start.astimezone(zone).date()
    pieces: list[tuple[int, int]] = []
    for offset in range(-1, days + 1):
        day = first + dt.timedelta(days=offset)
        if day in holidays:
            continue
        for shift in calendar.shifts:
            if day.isoweekday() not in shift.weekdays:
                continue
            for a, b in _shift_pieces(day, shift.start, shift.end, shift.breaks):
                lo = _minutes(dt.datetime.combine(day, a, zone), start)
                hi = _minutes(
                    dt.datetime.combine(day if b > a else day + dt.timedelta(1), b, zone), start
                )
                if hi > 0:
                    pieces.append((max(lo, 0), min(hi, days * DAY)))
    return _merge(pieces)


def _shift_pieces(
    day: dt.date, start: dt.time, end: dt.time, breaks: tuple[tuple[dt.time, dt.time], ...]
) -> list[tuple[dt.time, dt.time]]:
    pieces, cursor = [], start
    for a, b in sorted(breaks):
        if a > cursor:
            pieces.append((cursor, a))
        cursor = max(cursor, b)
    if end > cursor or end <= start:
        pieces.append((cursor, end))
    return pieces


def _minutes(moment: dt.datetime, start: dt.datetime) -> int:
    return math.floor((moment - start).total_seconds() / 60)


def _merge(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(p for p in pieces if p[1] > p[0]):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def unit_keys(centre: WorkCenter) -> list[str]:
    """A work centre of N parallel units is N unary resources for the engine."""
    if centre.capacity <= 1:
        return [centre.code]
    return [f"{centre.code}#{i}" for i in range(1, centre.capacity + 1)]


@dataclass
class PlanProblem:
    problem: ProblemData
    start: dt.datetime
    #: operation key -> (order number, line number, operation name)
    operations: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    #: Lines left out, and why (not configured, a work centre the plant lacks).
    skipped: list[str] = field(default_factory=list)


def build_problem(uow: UnitOfWork, start: dt.datetime, days: int = HORIZON_DAYS) -> PlanProblem:
    centres = {w.code: w for w in uow.plant.work_centres()}
    calendars = {c.code: c for c in uow.plant.calendars()}
    resources = [
        Resource(
            key=key,
            calendar=working_intervals(calendars[w.calendar_code], start, days),
            interruptible=w.interruptible,
            setup_times={
                (a, b): m for a, row in w.changeover_minutes.items() for b, m in row.items()
            },
            default_setup=w.default_setup_minutes,
        )
        for w in centres.values()
        for key in unit_keys(w)
    ]
    plan = PlanProblem(
        ProblemData(jobs=(), operations=(), resources=tuple(resources), horizon=days * DAY), start
    )
    jobs: list[Job] = []
    operations: list[Operation] = []
    for state in PLANNABLE_STATES:
        for order in uow.orders.list(OrderFilter(state=state, limit=100_000)):
            jobs.append(Job(key=order.number, due=_due(order, start)))
            operations += _order_operations(uow, order, centres, plan)
    plan.problem = ProblemData(
        jobs=tuple(jobs),
        operations=tuple(operations),
        resources=tuple(resources),
        horizon=days * DAY,
    )
    return plan


def _due(order: Order, start: dt.datetime) -> int | None:
    promised = order.promise_date or order.requested_date
    if promised is None:
        return None
    end_of_day = dt.datetime.combine(promised + dt.timedelta(days=1), dt.time(), dt.UTC)
    return _minutes(end_of_day, start)


def _order_operations(
    uow: UnitOfWork, order: Order, centres: dict[str, WorkCenter], plan: PlanProblem
) -> list[Operation]:
    operations: list[Operation] = []
    for line in order.lines:
        entry = (
            uow.catalogue.get(line.product_family, line.catalogue_version)
            if line.catalogue_version is not None
            else None
        )
        if entry is None:
            plan.skipped.append(
                f"{order.number} line {line.line_no}: not configured "
                "with a catalogue, so it has no routing to plan."
            )
            continue
        configuration = configure(family_of(entry), line.spec)
        missing = {w for op in configuration.routing for w in op.work_centres} - set(centres)
        usable = [op for op in configuration.routing if any(w in centres for w in op.work_centres)]
        if missing and len(usable) < len(configuration.routing):
            plan.skipped.append(
                f"{order.number} line {line.line_no}: no work centre for "
                + ", ".join(sorted(missing))
                + "."
            )
            continue
        prefix = f"{order.number}/{line.line_no}/"
        for op in configuration.routing:
            minutes = max(1, math.ceil(op.setup_minutes + op.run_minutes * line.quantity))
            modes = [
                Mode(key, minutes)
                for w in op.work_centres
                if w in centres
                for key in unit_keys(centres[w])
            ]
            painted = any(centres[w].changeover_minutes for w in op.work_centres if w in centres)
            key = prefix + op.key
            plan.operations[key] = (order.number, line.line_no, op.name)
            operations.append(
                Operation(
                    key=key,
                    job=order.number,
                    modes=modes,
                    predecessors=tuple(prefix + p for p in op.predecessors),
                    setup_class=line.spec.get("colour") if painted else None,
                )
            )
    return operations


def preview_plan(
    ctx: ServiceContext,
    actor: Principal,
    time_limit: float,
    on_progress: Callable[[float, int, int], None] | None = None,
    backend: str = "auto",
) -> dict[str, Any]:
    """Plan the committed orders on finite capacity and report; nothing is stored.
    `backend` "heuristic" gives the dispatching plan only (fast, for a first look)."""
    require(actor.role, Res.ORDER, OrderAction.PLAN.value)
    start = ctx.clock.now().replace(second=0, microsecond=0)
    with ctx.uow() as uow:
        plan = build_problem(uow, start)
    settings = SolverSettings(time_limit=time_limit, num_workers=2, backend=backend)
    result = solve(plan.problem, settings, on_progress)
    violations = validate(plan.problem, list(result.schedule.values()))
    if violations:  # never hand a planner an infeasible plan
        raise RuntimeError("the engine returned an infeasible plan: " + violations[0].message)

    def at(minute: int) -> str:
        return (start + dt.timedelta(minutes=minute)).isoformat()

    orders = [
        {
            "order": job,
            "planned_finish": at(outcome.finish),
            "due": at(outcome.due) if outcome.due is not None else None,
            "tardiness_minutes": outcome.tardiness,
            "binding": [
                f"{plan.operations[c.operation][2]} on {c.resource}"
                for c in outcome.critical_chain[-3:]
            ],
        }
        for job, outcome in sorted(result.jobs.items())
    ]
    return {
        "start": start.isoformat(),
        "operations": len(plan.problem.operations),
        "orders": orders,
        "skipped": plan.skipped,
        "objective": result.objective,
        "lower_bound": result.lower_bound,
        "optimal": result.optimal,
        "late_orders": sum(1 for o in result.jobs.values() if o.tardiness > 0),
        "seconds": result.seconds,
    }
