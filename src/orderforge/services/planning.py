"""Plant planning: from orders, their work orders and plant data to the scheduling
engine's problem, and back.

This module is the translation the architecture asks for: the engine works in integer
minutes from the horizon start on unary resources; the plant has calendars in local time
with shifts, breaks and holidays, work centres with several units, and each order line's
work order (its operations as stored when the order was confirmed, with their status as
the floor reported it). `preview_plan` solves and reports without storing anything.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from orderforge.domain.errors import InvalidInput
from orderforge.domain.order import Order, OrderAction, OrderState
from orderforge.domain.permissions import Resource as Res
from orderforge.domain.permissions import require
from orderforge.domain.planning import Downtime, OperationDelay, PlannedOperation, PlanPin
from orderforge.engines.scheduling import (
    FrozenOperation,
    InputIssue,
    Job,
    Mode,
    NoFeasiblePlanError,
    Operation,
    Pin,
    ProblemData,
    Resource,
    Result,
    ScheduledOperation,
    SolverSettings,
    WorkingTime,
    solve,
    validate,
)
from orderforge.plant import services as plant_data
from orderforge.plant.domain import DESIGN_APPROVAL_DAYS, Calendar, WorkCentre
from orderforge.production.domain import Operation as FloorOperation
from orderforge.production.domain import OperationStatus, WorkOrder
from orderforge.production.ports import WORK_ORDERS
from orderforge.services import plant_time
from orderforge.services.context import ServiceContext
from orderforge.services.ports import (
    OPERATION_RELEASES,
    PLAN_RESERVATIONS,
    OrderFilter,
    Principal,
    ReservedOperation,
    UnitOfWork,
)

#: Orders the plant has committed to build and not yet finished.
PLANNABLE_STATES = (
    OrderState.PLANNED,
    OrderState.AWAITING_DESIGN_APPROVAL,
    OrderState.RELEASED,
    OrderState.IN_PRODUCTION,
)
HORIZON_DAYS = 182
#: A backlog that does not fit in HORIZON_DAYS is planned again this far ahead before the
#: plan fails: a shop months behind still needs a plan (a longer horizon only costs time).
HORIZONS_DAYS = (HORIZON_DAYS, 365, 730)
DAY = 1440


class BacklogTooLong(Exception):
    """The committed work does not fit in the longest horizon of the plant's calendars."""

    def __init__(self, days: int, operation: str) -> None:
        super().__init__(
            f"The committed work does not fit in the next {days} days of the plant's "
            f"calendars: operation {operation!r} could not be placed."
        )
        self.days = days
        self.operation = operation


def solve_on_horizons(
    build: Callable[[int], PlanProblem],
    solve_plan: Callable[[PlanProblem], Result],
    reaches: int = 0,
) -> tuple[PlanProblem, Result]:
    """Build and solve on the first of HORIZONS_DAYS longer than `reaches` (minutes: how
    far the current plan and the committed promises already go, which a shorter horizon
    would cut off and plan afresh), then the longer ones while the work does not fit;
    `BacklogTooLong` after the longest. A failed try costs only the dispatching pass."""
    overflow = NoFeasiblePlanError("no horizon was tried")
    tried = [d for d in HORIZONS_DAYS if d * DAY > reaches] or list(HORIZONS_DAYS[-1:])
    for days in tried:
        plan = build(days)
        try:
            return plan, solve_plan(plan)
        except NoFeasiblePlanError as exc:
            overflow = exc
    raise BacklogTooLong(HORIZONS_DAYS[-1], overflow.operation)


def working_intervals(
    calendar: Calendar, start: dt.datetime, days: int = HORIZON_DAYS
) -> list[tuple[int, int]]:
    """The calendar's working time as [start, end) minutes from `start` (UTC), merged.

    Shifts are in the calendar's local time, so a daylight-saving change moves them in UTC
    as it does on the shop floor; closed days (public holidays of the calendar's country,
    plant closures, extra closed days) and breaks are closed time."""
    zone = ZoneInfo(calendar.timezone)
    first = start.astimezone(zone).date()
    holidays = calendar.closed_days_between(first - dt.timedelta(1), first + dt.timedelta(days + 1))
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
    return merge_intervals(pieces)


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


def merge_intervals(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Intervals sorted, with overlapping or touching ones joined."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(p for p in pieces if p[1] > p[0]):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def unit_keys(centre: WorkCentre) -> list[str]:
    """A work centre of N parallel units is N unary resources for the engine."""
    if centre.capacity <= 1:
        return [centre.code]
    return [f"{centre.code}#{i}" for i in range(1, centre.capacity + 1)]


@dataclass
class PlanInputs:
    """What earlier plans and the floor tell the next plan: it must respect these."""

    #: Operations of the current plan version (empty for the first plan).
    previous: list[PlannedOperation] = field(default_factory=list)
    #: When the current version was made: disruptions recorded later are new to it.
    previous_at: dt.datetime | None = None
    pins: list[PlanPin] = field(default_factory=list)
    downtimes: list[Downtime] = field(default_factory=list)
    delays: list[OperationDelay] = field(default_factory=list)


@dataclass(frozen=True)
class FloorState:
    """A work order operation as the plan needs it (a copy, outliving the transaction)."""

    status: OperationStatus
    work_centres: tuple[str, ...]
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    #: where the start report said it runs (None: where the plan puts it)
    work_centre: str | None
    setup_class: str | None

    @classmethod
    def of(cls, op: FloorOperation) -> FloorState:
        return cls(
            op.status,
            tuple(op.work_centres),
            op.started_at,
            op.finished_at,
            op.work_centre,
            op.setup_class,
        )


@dataclass
class PlanProblem:
    problem: ProblemData
    start: dt.datetime
    #: operation key -> (order number, line number, operation name)
    operations: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    #: Lines left out, and why (not configured with a catalogue).
    skipped: list[str] = field(default_factory=list)
    #: Problems that make a plan impossible (an operation no work centre can do...).
    issues: list[InputIssue] = field(default_factory=list)
    #: Operations the floor reported done: out of the problem, copied into the next
    #: version where and when they ran.
    done: list[PlannedOperation] = field(default_factory=list)
    #: Operations the floor started (running or paused) -> their true start.
    running: dict[str, dt.datetime] = field(default_factory=dict)
    #: operation key -> the work order operation behind it, as the floor reported it
    floor: dict[str, FloorState] = field(default_factory=dict)
    #: engine resource key -> work centre code
    centre_of: dict[str, str] = field(default_factory=dict)
    #: operation key -> setup class, for storing with the plan
    setup_class: dict[str, str | None] = field(default_factory=dict)
    #: resource key -> working intervals with every downtime / with those the current
    #: plan already knew (to measure the work left of a running operation)
    current_calendar: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    previous_calendar: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    #: operation key -> what it waits for ("waits for material: ..."), with its release
    #: in minutes from `start`
    waits: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: minutes from `start` to the latest end the current plan or a committed promise
    #: holds for this work (a horizon shorter than that would drop their places)
    reaches: int = 0


def build_problem(
    uow: UnitOfWork,
    start: dt.datetime,
    days: int = HORIZON_DAYS,
    inputs: PlanInputs | None = None,
) -> PlanProblem:
    """The engine's problem for the committed orders, keeping what `inputs` fix:
    finished and running operations of the current plan, pins, downtimes, delays."""
    inputs = inputs or PlanInputs()
    centres = {w.code: w for w in plant_data.active_work_centres(uow)}
    calendars = plant_data.calendars_by_code(uow)
    horizon = days * DAY
    resources = []
    plan = PlanProblem(ProblemData((), (), (), horizon), start)
    for w in centres.values():
        base = working_intervals(calendars[w.calendar_code], start, days)
        for key in unit_keys(w):
            plan.centre_of[key] = w.code
            mine = downtimes_on(inputs.downtimes, w.code, key)
            plan.current_calendar[key] = open_time(base, mine, start)
            plan.previous_calendar[key] = open_time(
                base, [d for d in mine if not _is_new(d.recorded_at, inputs)], start
            )
            resources.append(
                Resource(
                    key=key,
                    calendar=plan.current_calendar[key],
                    interruptible=w.interruptible,
                    setup_times={
                        (a, b): m for a, row in w.changeover_minutes.items() for b, m in row.items()
                    },
                    default_setup=w.default_setup_minutes,
                )
            )
    extra: dict[str, int] = {}
    for delay in inputs.delays:
        extra[delay.operation] = extra.get(delay.operation, 0) + delay.extra_minutes
    jobs: list[Job] = []
    operations: list[Operation] = []
    committed = [
        order
        for state in PLANNABLE_STATES
        for order in uow.orders.list(OrderFilter(state=state, limit=100_000))
    ]
    # An order whose change waits for its decision keeps its place in the plan: it is
    # planned as the state it was asked in (and as it stands until the change applies).
    committed += [
        order
        for order in uow.orders.list(OrderFilter(state=OrderState.CHANGE_REQUESTED, limit=100_000))
        if order.changed_from in PLANNABLE_STATES
    ]
    work: dict[str, list[WorkOrder]] = {}
    for work_order in uow.repository(WORK_ORDERS).current_for([o.number for o in committed]):
        work.setdefault(work_order.order_number, []).append(work_order)
    for order in committed:
        jobs.append(Job(key=order.number, due=_due(order, start), weight=order.priority))
        operations += _order_operations(order, work.get(order.number, []), centres, plan, extra)
    plan.waits = _waits(uow, committed, plan)
    operations = [
        replace(o, release=plan.waits[o.key][0]) if o.key in plan.waits else o for o in operations
    ]
    problem = ProblemData(tuple(jobs), tuple(operations), tuple(resources), horizon)
    plan.problem = _keep_the_past(problem, plan, inputs, _reserved(uow, committed, inputs))
    return plan


def _reserved(
    uow: UnitOfWork, committed: list[Order], inputs: PlanInputs
) -> list[ReservedOperation]:
    """The positions committed promises hold for orders the current plan does not have:
    their reference in the next plan, so a new order is laid down where its promise
    counted on (placed by the plan's own rules it could take another promise's room)."""
    planned = {p.order_number for p in inputs.previous}
    numbers = [o.number for o in committed if o.number not in planned]
    if not numbers:
        return []
    try:
        source = uow.repository(PLAN_RESERVATIONS)
    except LookupError:  # no context commits promises: nothing is held
        return []
    return source.for_orders(numbers)


def _waits(
    uow: UnitOfWork, committed: list[Order], plan: PlanProblem
) -> dict[str, tuple[int, str]]:
    """When each operation may start at the earliest, and why, where that is after `start`.

    Two sources: the release dates a context above planning sets (materials: the
    material an operation consumes arrives then), and the design approval gate (an
    order awaiting approval of its design does not start before the plant's usual
    approval time has passed). The latest of them holds, with its reason."""
    waits: dict[str, tuple[int, str]] = {}
    start, horizon = plan.start, plan.problem.horizon

    def hold(key: str, minute: int, reason: str) -> None:
        minute = min(minute, horizon - 1)
        if key in plan.operations and minute > waits.get(key, (0, ""))[0]:
            waits[key] = (minute, reason)

    try:
        source = uow.repository(OPERATION_RELEASES)
    except LookupError:  # no context knows release dates: nothing waits for material
        source = None
    if source is not None and committed:
        for r in source.for_orders([o.number for o in committed]):
            hold(r.operation, _minutes(r.not_before, start), f"waits for material: {r.reason}")
    gated = [
        o
        for o in committed
        if OrderState.AWAITING_DESIGN_APPROVAL in (o.state, o.changed_from)
        and o.design_approved_at is None
    ]
    if gated:
        zone = plant_time.plant_zone(uow)
        found = plant_data.plant_settings(uow)
        days = found.design_approval_days if found is not None else DESIGN_APPROVAL_DAYS
        if days == 0:
            return waits
        gate = design_approval_gate(start.astimezone(zone), days)
        minute = _minutes(gate, start)
        reason = f"waits for design approval until {gate:%a %d %b %Y}"
        numbers = {o.number for o in gated}
        for key, (number, _, _) in plan.operations.items():
            if number in numbers:
                hold(key, minute, reason)
    return waits


def design_approval_gate(now: dt.datetime, days: int) -> dt.datetime:
    """The start of the day after `days` full working days (Monday to Friday) following
    `now`'s day, in `now`'s time zone. A whole-day gate, so every run on one day sees the
    same gate (now + N days to the minute would move the order's work at every run)."""
    day, counted = now.date(), 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), now.tzinfo)


def downtimes_on(downtimes: Iterable[Downtime], centre: str, unit: str) -> list[Downtime]:
    """The downtimes that close one unit: its own and its whole work centre's."""
    return [d for d in downtimes if d.work_centre == centre and d.resource in (None, unit)]


def open_time(
    calendar: list[tuple[int, int]], downtimes: list[Downtime], start: dt.datetime
) -> list[tuple[int, int]]:
    """A unit's working intervals (minutes from `start`) less its downtimes."""
    return _without(calendar, _closed(downtimes, start))


def _closed(downtimes: list[Downtime], start: dt.datetime) -> list[tuple[int, int]]:
    return [(_minutes(d.start, start), _minutes(d.end, start)) for d in downtimes]


def _without(
    calendar: list[tuple[int, int]], closed: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Working intervals minus closed periods (breakdowns, maintenance)."""
    out = calendar
    for lo, hi in closed:
        kept: list[tuple[int, int]] = []
        for a, b in out:
            if b <= lo or a >= hi:
                kept.append((a, b))
                continue
            if a < lo:
                kept.append((a, lo))
            if b > hi:
                kept.append((hi, b))
        out = kept
    return out


def _keep_the_past(
    problem: ProblemData,
    plan: PlanProblem,
    inputs: PlanInputs,
    reserved: Iterable[ReservedOperation] = (),
) -> ProblemData:
    """Keep what the floor reported, pin, and refer to the current plan (or, for an
    order it does not have yet, to where the order's committed promise placed it).

    By status, never by the clock: done operations leave the problem (copied to the new
    version where and when they ran); running and paused ones are frozen on their unit
    with the work the current plan had left for them plus delays reported since,
    stretched over today's calendar, so a breakdown pauses them; operations not started
    are free, with the current plan as the stability reference where it has them ahead."""
    ops = {o.key: o for o in problem.operations}
    by_key = {p.key: p for p in inputs.previous if p.key in ops}
    held = {r.operation: r for r in reserved if r.operation in ops and r.operation not in by_key}
    plan.reaches = max(
        [_minutes(p.end, plan.start) for p in by_key.values()]
        + [_minutes(r.end, plan.start) for r in held.values()],
        default=0,
    )
    done = {k for k in ops if plan.floor[k].status is OperationStatus.DONE}
    plan.done = [_as_done(k, by_key.get(k), plan) for k in sorted(done)]
    frozen: list[FrozenOperation] = []
    reference: list[ScheduledOperation] = []
    taken: dict[str, int] = {}
    for key in sorted(ops, key=lambda k: (plan.floor[k].started_at or plan.start, k)):
        op, prev = plan.floor[key], by_key.get(key)
        units = [m.resource for m in ops[key].modes]
        if op.status in (OperationStatus.RUNNING, OperationStatus.PAUSED):
            unit = _unit_of(op, prev, units, plan, taken)
            if unit is None:
                continue
            begin = taken.get(unit, 0)
            end = _running_end(
                key,
                prev if prev and prev.resource == unit else None,
                unit,
                begin,
                ops[key].modes[0].duration,
                plan,
                inputs,
            )
            taken[unit] = end
            plan.running[key] = op.started_at or plan.start
            frozen.append(FrozenOperation(key, unit, begin, end))
        elif key not in done and prev is not None and prev.resource in units:
            begin, end = _minutes(prev.start, plan.start), _minutes(prev.end, plan.start)
            if begin >= 0:
                reference.append(ScheduledOperation(key, prev.resource, begin, end))
        elif key not in done and key in held and held[key].resource in units:
            # the promise's slot holds a changeover before the work: the work is its end
            unit = held[key].resource
            end = _minutes(held[key].end, plan.start)
            minutes = next(m.duration for m in ops[key].modes if m.resource == unit)
            tail = _back(plan.current_calendar.get(unit, []), end, minutes)
            if tail is not None and tail >= max(0, _minutes(held[key].start, plan.start)):
                reference.append(ScheduledOperation(key, unit, tail, end))
    kept = [
        replace(o, predecessors=tuple(p for p in o.predecessors if p not in done))
        for o in problem.operations
        if o.key not in done
    ]
    pins = [
        Pin(p.operation, p.resource, _not_before(p, plan.start))
        for p in inputs.pins
        if p.operation in ops and p.operation not in done
    ]
    return replace(
        problem,
        operations=tuple(kept),
        frozen=tuple(frozen),
        pins=tuple(pins),
        reference=tuple(reference),
    )


def _back(calendar: list[tuple[int, int]], end: int, minutes: int) -> int | None:
    """The start that leaves `minutes` working minutes before `end`, or None."""
    left = minutes
    for a, b in reversed(calendar):
        if a >= end:
            continue
        top = min(b, end)
        if top - a >= left:
            return top - left
        left -= top - a
    return None


def longest_changeover_into(centre: WorkCentre, setup_class: str | None) -> int:
    """The longest changeover a unit of `centre` may need before work of `setup_class`,
    whatever ran before it: what a promise, which cannot know the neighbours, allows."""
    if setup_class is None:
        return 0
    into = [row[setup_class] for row in centre.changeover_minutes.values() if setup_class in row]
    return max([centre.default_setup_minutes, *into])


def hold_untouched(plan: PlanProblem) -> set[str]:
    """Hold every order a disruption leaves untouched where the current plan has it, so
    a breakdown moves the broken unit's work and what depends on it, nothing else.

    An order is touched when one of its operations has no place in the current plan
    ahead (new work, work whose slot is past), is pinned, or when its places break a
    rule of the plan as it is now: closed time (the new downtime), a running
    operation that now runs longer or is paused, a later release (material), a longer
    duration (an overrun). The engine's own validator decides those, on the held work
    alone; an order it names is released and the rest checked again. Held operations
    are frozen for the engine; returns the orders held."""
    problem = plan.problem
    ops = {o.key: o for o in problem.operations}
    reference = {r.operation: r for r in problem.reference}
    frozen = {f.operation: f for f in problem.frozen}
    pinned = {p.operation for p in problem.pins}
    jobs: dict[str, list[str]] = {}
    for o in problem.operations:
        jobs.setdefault(o.job, []).append(o.key)
    touched = {
        job
        for job, keys in jobs.items()
        if any(k not in frozen and (k not in reference or k in pinned) for k in keys)
    }
    while True:
        held = [
            k for job, keys in jobs.items() if job not in touched for k in keys if k not in frozen
        ]
        if not held:
            return set()
        keep = set(held) | set(frozen)
        sub = replace(
            problem,
            operations=tuple(o for o in problem.operations if o.key in keep),
            pins=(),
            reference=(),
        )
        places = [reference[k] for k in held] + [
            ScheduledOperation(f.operation, f.resource, f.start, f.end) for f in frozen.values()
        ]
        broken = {ops[v.operation].job for v in validate(sub, places) if v.operation in ops}
        broken -= touched
        if not broken:
            break
        touched |= broken
    plan.problem = replace(
        problem,
        frozen=tuple(problem.frozen)
        + tuple(
            FrozenOperation(k, reference[k].resource, reference[k].start, reference[k].end)
            for k in held
        ),
    )
    return {ops[k].job for k in held}


def _unit_of(
    op: FloorState,
    prev: PlannedOperation | None,
    units: list[str],
    plan: PlanProblem,
    taken: dict[str, int],
) -> str | None:
    """The unit a started operation holds: the current plan's, unless the start report
    named another work centre; else the first free unit it may use (queued behind
    another started operation when the floor reported two on one unit)."""
    known = [u for u in units if u in plan.current_calendar]
    if op.work_centre is not None:
        known = [u for u in known if plan.centre_of[u] == op.work_centre]
    if prev is not None and prev.resource in known:
        known.remove(prev.resource)
        known.insert(0, prev.resource)
    free = [u for u in known if u not in taken]
    return next(iter(free or known), None)


def _as_done(key: str, prev: PlannedOperation | None, plan: PlanProblem) -> PlannedOperation:
    """A done operation as the new version keeps it: where the plan had it (or the
    start report said), when the floor reported it."""
    op = plan.floor[key]
    order_number, line_no, name = plan.operations[key]
    if prev is not None and (op.work_centre in (None, prev.work_centre)):
        centre, unit = prev.work_centre, prev.resource
    else:
        centre = op.work_centre or op.work_centres[0]
        unit = next((u for u, c in plan.centre_of.items() if c == centre), centre)
    start = op.started_at or (prev.start if prev else plan.start)
    end = max(op.finished_at or (prev.end if prev else start), start)
    return PlannedOperation(
        key=key,
        order_number=order_number,
        line_no=line_no,
        name=name,
        work_centre=centre,
        resource=unit,
        start=start,
        end=end,
        setup_class=op.setup_class,
        frozen=True,
    )


def _not_before(pin: PlanPin, start: dt.datetime) -> int | None:
    return None if pin.not_before is None else max(0, _minutes(pin.not_before, start))


def _running_end(
    key: str,
    prev: PlannedOperation | None,
    unit: str,
    begin: int,
    duration: int,
    plan: PlanProblem,
    inputs: PlanInputs,
) -> int:
    """Minutes from `start` until a started operation ends, after new delays and downtimes.

    The work left is what the current plan had for it on this unit, measured on the
    calendar that plan was made with (a delay reported since is added), then laid on
    today's calendar from `begin`: a breakdown recorded since pauses the operation, and
    nothing is counted twice on the next replan. An operation the plan did not have on
    this unit has its whole duration left."""
    horizon = plan.problem.horizon
    now = WorkingTime(plan.current_calendar[unit], horizon)
    if prev is None:
        remaining = duration
    else:
        before = WorkingTime(plan.previous_calendar[unit], horizon)
        first = max(0, _minutes(prev.start, plan.start))
        remaining = before.working_minutes(first, _minutes(prev.end, plan.start))
        remaining += sum(
            d.extra_minutes
            for d in inputs.delays
            if d.operation == key and _is_new(d.recorded_at, inputs)
        )
    remaining = max(1, remaining)
    k = bisect_right(now.ends, begin)
    if k >= len(now.starts):
        return max(horizon, begin + remaining)
    return now.stretch(max(begin, now.starts[k]), remaining) or max(horizon, begin + remaining)


def _is_new(recorded_at: dt.datetime, inputs: PlanInputs) -> bool:
    return inputs.previous_at is None or recorded_at > inputs.previous_at


def _due(order: Order, start: dt.datetime) -> int | None:
    promised = order.promise_date or order.requested_date
    if promised is None:
        return None
    end_of_day = dt.datetime.combine(promised + dt.timedelta(days=1), dt.time(), dt.UTC)
    return _minutes(end_of_day, start)


def _order_operations(
    order: Order,
    work: list[WorkOrder],
    centres: dict[str, WorkCentre],
    plan: PlanProblem,
    extra: dict[str, int],
) -> list[Operation]:
    """The engine's operations of an order, from its lines' current work orders; keys
    stay "<order>/<line>/<routing key>" so pins and stored plans keep their meaning."""
    operations: list[Operation] = []
    by_line = {w.line_no: w for w in work}
    for line in order.lines:
        work_order = by_line.get(line.line_no)
        if work_order is None:
            why = (
                "not configured with a catalogue"
                if line.catalogue_version is None
                else "it has no work order (an order confirmed before work orders existed "
                "needs `orderforge wo backfill`; else its spec could not be configured)"
            )
            plan.skipped.append(
                f"{order.number} line {line.line_no}: {why}, so it has no routing to plan."
            )
            continue
        prefix = f"{order.number}/{line.line_no}/"
        key_of = {op.seq: prefix + op.routing_key for op in work_order.operations}
        for op in work_order.operations:
            key = key_of[op.seq]
            minutes = max(1, math.ceil(op.minutes(work_order.quantity))) + extra.get(key, 0)
            modes = [
                Mode(unit, minutes)
                for w in op.work_centres
                if w in centres
                for unit in unit_keys(centres[w])
            ]
            if not modes:
                plan.issues.append(
                    InputIssue(
                        f"operation {key!r} ({op.name})",
                        "no work centre of the plant can do it: the routing names "
                        + ", ".join(sorted(op.work_centres))
                        + ", which the plant does not have",
                    )
                )
                continue
            plan.operations[key] = (order.number, line.line_no, op.name)
            plan.setup_class[key] = op.setup_class
            plan.floor[key] = FloorState.of(op)
            operations.append(
                Operation(
                    key=key,
                    job=order.number,
                    modes=modes,
                    predecessors=tuple(key_of[p] for p in op.predecessors),
                    setup_class=op.setup_class,
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
    settings = SolverSettings(time_limit=time_limit, num_workers=2, backend=backend)

    def build(days: int) -> PlanProblem:
        with ctx.uow() as uow:
            return build_problem(uow, start, days)

    try:
        plan, result = solve_on_horizons(build, lambda p: solve(p.problem, settings, on_progress))
    except BacklogTooLong as exc:
        raise InvalidInput(str(exc), field="horizon") from exc
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
