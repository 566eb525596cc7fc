"""Capable-to-promise use cases, and the handlers that commit and watch promises.

A promise is the order's work inserted into the time the current plan leaves free
(plus the capacity held by promises not yet planned), after its materials are there.
Nothing planned moves, so quoting never changes the plan and a promise made this way is
a plan the next run can keep. The capacity picture is cached per plan version: a sales
person configuring sends a request per change, and rebuilding thousands of planned
operations each time would not answer in time.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from orderforge.domain.errors import InvalidInput, NotFound, PermissionDenied
from orderforge.domain.events import DomainEvent
from orderforge.domain.order import ACTIVE_STATES, Order, OrderState
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.engines.scheduling import Mode, WorkingTime
from orderforge.engines.scheduling.insertion import (
    Bound,
    Insertion,
    NewOperation,
    Placement,
    Unit,
    insert,
)
from orderforge.engines.simulation import SimulationError, SimulationInputError
from orderforge.materials.services import mrp
from orderforge.materials.services import supply as sourcing
from orderforge.plant import services as plant_data
from orderforge.plant.domain import WorkCentre
from orderforge.production.domain import MaterialNeed, PlannedStep, WorkOrder
from orderforge.production.ports import WORK_ORDERS
from orderforge.production.services import progress
from orderforge.production.services.work_orders import configured_line, planned_work
from orderforge.promising import study
from orderforge.promising.domain import (
    LEVELS,
    MAX_CONFIDENCE,
    MIN_CONFIDENCE,
    Alternative,
    AlternativeKind,
    Constraint,
    ConstraintKind,
    MaterialAnswer,
    PlacedStep,
    Promise,
    PromiseAlert,
    PromiseConfidence,
    Reservation,
    chance_by,
    date_at,
    level_key,
)
from orderforge.promising.ports import PROMISES
from orderforge.services import planning
from orderforge.services.access import load_visible
from orderforge.services.configuration import evaluate_in, explain_invalid
from orderforge.services.context import EventHandler, ServiceContext
from orderforge.services.plant_time import plant_zone
from orderforge.services.ports import OrderFilter, Principal, UnitOfWork
from orderforge.services.visibility import hidden_promise_fields

HORIZON_DAYS = planning.HORIZON_DAYS
DAY = 1440
#: Overtime the expedite alternative offers: this many minutes after each working block
#: (the breaks worked through), paid at the work centre's rate times the premium.
OVERTIME_MINUTES = 120
OVERTIME_PREMIUM = Decimal("1.5")
#: Orders named when "push others back" is offered (the rest are counted).
PUSHED_ORDERS_SHOWN = 10


@dataclass(frozen=True)
class LineWork:
    """One order line's work as a promise needs it."""

    line_no: int
    quantity: int
    steps: tuple[PlannedStep, ...]
    materials: tuple[MaterialNeed, ...]


#: Answers, per (item, quantity), when the material is there for a new order (stock not
#: pegged to others, open purchase orders, supplier lead time).
Supply = Callable[[UnitOfWork, list[tuple[str, Decimal]], dt.datetime], list[MaterialAnswer]]


# -- the plant's free capacity, cached per plan ---------------------------------------


@dataclass
class Capacity:
    """Every unit's working time and the time planned work (and unplanned promises)
    hold, in minutes from `start`."""

    start: dt.datetime
    horizon: int
    zone: ZoneInfo
    centres: dict[str, WorkCentre]
    centre_of: dict[str, str]
    calendars: dict[str, list[tuple[int, int]]]
    #: unit -> (start, end, order number) of work already planned or reserved
    busy: dict[str, list[tuple[int, int, str]]]
    plan_version: int | None
    #: every unit with all that busy time (the picture for a new order)
    units: dict[str, Unit] = field(default_factory=dict)

    #: unit -> its calendar indexed once (normal, and with the overtime on offer)
    working: dict[str, WorkingTime] = field(default_factory=dict)
    overtime: dict[str, Unit] = field(default_factory=dict)

    def index(self) -> None:
        """Index every calendar once; every quote against this picture reuses them."""
        self.working = {k: WorkingTime(c, self.horizon) for k, c in self.calendars.items()}
        self.units = self.units_without(None)
        self.overtime = {}
        for key, unit in self.units.items():
            extended = planning.merge_intervals(
                [(a, b + OVERTIME_MINUTES) for a, b in self.calendars[key]]
            )
            self.overtime[key] = Unit(
                key, extended, unit.busy, unit.interruptible, WorkingTime(extended, self.horizon)
            )

    def units_without(self, order_number: str | None) -> dict[str, Unit]:
        return {
            key: Unit(
                key,
                self.calendars[key],
                [(a, b) for a, b, n in self.busy.get(key, []) if n != order_number],
                self.centres[self.centre_of[key]].interruptible,
                self.working.get(key),
            )
            for key in self.calendars
        }

    def minute(self, moment: dt.datetime) -> int:
        return math.floor((moment - self.start).total_seconds() / 60)

    def at(self, minute: int) -> dt.datetime:
        return self.start + dt.timedelta(minutes=minute)

    def local_date(self, minute: int) -> dt.date:
        # the end of a working day is the same day's delivery, not the next one's
        return self.at(max(minute - 1, 0)).astimezone(self.zone).date()


_cache_lock = threading.Lock()
_CACHED_PLANTS = 4
_cache: dict[int, tuple[object, tuple[object, ...], Capacity]] = {}


def capacity(ctx: ServiceContext, uow: UnitOfWork, now: dt.datetime) -> Capacity:
    """The capacity picture for `now`, rebuilt only when the plan, downtimes,
    reservations, work centres or calendars changed (or a new day began)."""
    day = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    centres = {w.code: w for w in plant_data.active_work_centres(uow)}
    calendars = plant_data.calendars_by_code(uow)
    version = uow.plans.latest_version_number()
    downtimes = uow.plans.downtimes(day)
    stamp = (
        day,
        version,
        tuple((d.id, d.start, d.end, d.work_centre, d.resource) for d in downtimes),
        uow.repository(PROMISES).reservation_stamp(),
        tuple(
            (w.code, w.capacity, w.calendar_code, w.interruptible, w.default_setup_minutes)
            for w in centres.values()
        ),
        repr(sorted(calendars.items())),
    )
    with _cache_lock:
        cached = _cache.get(id(ctx.uow))
        if cached is not None and cached[0] is ctx.uow and cached[1] == stamp:
            return cached[2]
    operations = uow.plans.operations(version) if version is not None else []
    # A plant booked far ahead (the plan itself may reach 365 or 730 days) still gets
    # promises: the horizon covers the plan's last step and half a year beyond it.
    last = max((op.end for op in operations), default=day)
    days = max(HORIZON_DAYS, (last - day).days + HORIZON_DAYS) + 1
    picture = Capacity(
        start=day,
        horizon=days * DAY,
        zone=plant_zone(uow),
        centres=centres,
        centre_of={},
        calendars={},
        busy={},
        plan_version=version,
    )
    for w in centres.values():
        base = planning.working_intervals(calendars[w.calendar_code], day, days)
        for key in planning.unit_keys(w):
            picture.centre_of[key] = w.code
            picture.calendars[key] = planning.open_time(
                base, planning.downtimes_on(downtimes, w.code, key), day
            )
    planned: set[str] = set()
    changeover: dict[tuple[str, str | None], int] = {}
    if version is not None:
        for op in operations:
            planned.add(op.order_number)
            if op.resource in picture.calendars and op.end > day:
                # and the changeover it may need before it, so new work ending just
                # before it leaves the unit time to change over
                code = picture.centre_of[op.resource]
                if (code, op.setup_class) not in changeover:
                    changeover[code, op.setup_class] = planning.longest_changeover_into(
                        centres[code], op.setup_class
                    )
                before = changeover[code, op.setup_class]
                picture.busy.setdefault(op.resource, []).append(
                    (
                        picture.minute(op.start) - before,
                        picture.minute(op.end),
                        op.order_number,
                    )
                )
    for reservation in uow.repository(PROMISES).active_reservations():
        if reservation.order_number in planned:
            continue
        for step in reservation.steps:
            if step.resource in picture.calendars and step.end > day:
                picture.busy.setdefault(step.resource, []).append(
                    (
                        picture.minute(step.start),
                        picture.minute(step.end),
                        reservation.order_number,
                    )
                )
    picture.index()
    with _cache_lock:
        _cache.pop(id(ctx.uow), None)
        while len(_cache) >= _CACHED_PLANTS:  # one per database; tests make many
            del _cache[next(iter(_cache))]
        _cache[id(ctx.uow)] = (ctx.uow, stamp, picture)
    return picture


# -- the promise -------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """Where a promise put its work: what the confidence replays (see assess_confidence)."""

    units: Mapping[str, Unit]
    operations: list[NewOperation]
    insertion: Insertion
    earliest: int


def promise_work(
    uow: UnitOfWork,
    cap: Capacity,
    now: dt.datetime,
    work: list[LineWork],
    requested: dt.date | None,
    supply: Supply,
    order_number: str | None = None,
) -> Promise:
    """The earliest delivery of `work` against `cap`, with what binds it and the faster
    alternatives. `order_number`: the order being (re)promised, whose own planned or
    reserved work is not counted as someone else's."""
    return placed_promise(uow, cap, now, work, requested, supply, order_number)[0]


def placed_promise(
    uow: UnitOfWork,
    cap: Capacity,
    now: dt.datetime,
    work: list[LineWork],
    requested: dt.date | None,
    supply: Supply,
    order_number: str | None = None,
) -> tuple[Promise, Placed | None]:
    """promise_work, and where it put the work (None when it has no date)."""
    units = cap.units if order_number is None else cap.units_without(order_number)
    needs: dict[str, Decimal] = {}
    for line in work:
        for m in line.materials:
            needs[m.item_code] = needs.get(m.item_code, Decimal(0)) + m.quantity
    answers = {a.item_code: a for a in supply(uow, sorted(needs.items()), now)}
    base = Promise(
        date=None,
        finish=None,
        requested=requested,
        materials=tuple(answers[c] for c in sorted(answers)),
        plan_version=cap.plan_version,
        computed_at=now,
    )
    blocked = [a.cannot_source for a in answers.values() if a.cannot_source]
    if blocked:
        return _replace(base, cannot="; ".join(blocked)), None
    ops, names, problem = _operations(cap, work, answers, express=False)
    if problem is not None:
        return _replace(base, cannot=problem), None
    earliest = max(cap.minute(now), 0)
    result = insert(units, ops, cap.horizon, earliest)
    end = result.end
    if end is None:
        return _replace(
            base,
            cannot=f"the work does not fit in the next {cap.horizon // DAY} days of the "
            "plant's calendars",
        ), None
    material_names = {m.item_code: m.name for line in work for m in line.materials}
    binding = _binding(cap, result, ops, names, answers, earliest, material_names)
    alternatives = _alternatives(cap, units, work, answers, ops, result, earliest, binding)
    steps = tuple(
        PlacedStep(
            key=p.operation,
            name=names[p.operation],
            work_centre=cap.centre_of[p.resource],
            resource=p.resource,
            start=cap.at(p.start),
            end=cap.at(p.end),
        )
        for p in sorted(result.placements.values(), key=lambda p: (p.start, p.operation))
    )
    promise = _replace(
        base,
        date=cap.local_date(end),
        finish=cap.at(end),
        binding=binding,
        alternatives=alternatives,
        steps=steps,
    )
    return promise, Placed(units, ops, result, earliest)


def _replace(promise: Promise, **changes: object) -> Promise:
    return replace(promise, **changes)  # type: ignore[arg-type]


def _operations(
    cap: Capacity,
    work: list[LineWork],
    answers: Mapping[str, MaterialAnswer],
    express: bool,
) -> tuple[list[NewOperation], dict[str, str], str | None]:
    """The engine's operations of the work: a line's first steps wait for its materials
    (the express supplier's date when `express`)."""
    ops: list[NewOperation] = []
    names: dict[str, str] = {}
    for line in work:
        release = 0
        for m in line.materials:
            answer = answers[m.item_code]
            when = answer.available_at
            if express and answer.express_at is not None:
                when = min(when, answer.express_at) if when is not None else answer.express_at
            if when is not None:
                release = max(release, cap.minute(when))
        for step in line.steps:
            modes = [
                Mode(unit, _minutes(step, line.quantity, cap.centres[code]))
                for code in step.work_centres
                if code in cap.centres
                for unit in planning.unit_keys(cap.centres[code])
            ]
            key = f"{line.line_no}/{step.routing_key}"
            if not modes:
                return (
                    [],
                    {},
                    f"line {line.line_no}: no work centre of the plant can do "
                    f"{step.name} (the routing names {', '.join(step.work_centres)})",
                )
            names[key] = step.name
            ops.append(
                NewOperation(
                    key,
                    modes,
                    tuple(f"{line.line_no}/{p}" for p in step.predecessors),
                    release if not step.predecessors else 0,
                )
            )
    return ops, names, None


def _minutes(step: PlannedStep, quantity: int, centre: WorkCentre) -> int:
    """Setup and run time, plus the longest changeover into the step's setup class (the
    promise cannot know the neighbours, so it assumes the worst change)."""
    minutes = step.setup_minutes + step.run_minutes_per_unit * quantity
    return max(1, math.ceil(minutes)) + planning.longest_changeover_into(centre, step.setup_class)


def _binding(
    cap: Capacity,
    result: Insertion,
    ops: list[NewOperation],
    names: Mapping[str, str],
    answers: Mapping[str, MaterialAnswer],
    earliest: int,
    material_names: Mapping[str, str],
) -> tuple[Constraint, ...]:
    """What fixes the date, most delaying first: along the chain from the last step
    back, the work centres that kept a step waiting and the material that held a line's
    first step back; the routing itself when nothing waited."""
    by_key = {op.key: op for op in ops}
    waits: list[tuple[int, Constraint]] = []
    seen: set[tuple[ConstraintKind, str]] = set()

    def add(wait: int, constraint: Constraint) -> None:
        if (constraint.kind, constraint.subject) not in seen:
            seen.add((constraint.kind, constraint.subject))
            waits.append((wait, constraint))

    for placed in result.chain():
        if placed.bound is Bound.CAPACITY:
            centre = cap.centres[cap.centre_of[placed.resource]]
            add(
                placed.queued,
                Constraint(
                    ConstraintKind.WORK_CENTRE,
                    centre.code,
                    f"{centre.name} is booked with other orders until "
                    f"{_when(cap, placed.start)} ({names[placed.operation]})",
                ),
            )
        if placed.ready_by is Bound.RELEASE:
            line_no = placed.operation.split("/", 1)[0]
            item = _latest_material(answers, by_key[placed.operation].release, cap)
            detail = (
                f"{material_names.get(item.item_code, item.item_code)}: {item.source} "
                f"(needed for {names[placed.operation]}, line {line_no})"
                if item is not None
                else f"materials for line {line_no}"
            )
            add(
                by_key[placed.operation].release - earliest,
                Constraint(ConstraintKind.MATERIAL, item.item_code if item else "", detail),
            )
    waits.sort(key=lambda w: -w[0])
    found = [c for _, c in waits]
    if not found:
        end = result.end or earliest
        hours = sum(p.end - p.start for p in result.placements.values()) / 60
        found.append(
            Constraint(
                ConstraintKind.ROUTING,
                "",
                f"the work itself: {hours:.1f} h on the plant's working hours, done by "
                f"{_when(cap, end)}",
            )
        )
    return tuple(found)


def _latest_material(
    answers: Mapping[str, MaterialAnswer], release: int, cap: Capacity
) -> MaterialAnswer | None:
    """The material whose arrival is the release (the line's last to come)."""
    for answer in answers.values():
        for when in (answer.available_at, answer.express_at):
            if when is not None and cap.minute(when) == release:
                return answer
    return None


def _when(cap: Capacity, minute: int) -> str:
    return f"{cap.at(minute).astimezone(cap.zone):%a %d %b %H:%M}"


def _alternatives(
    cap: Capacity,
    units: dict[str, Unit],
    work: list[LineWork],
    answers: Mapping[str, MaterialAnswer],
    ops: list[NewOperation],
    result: Insertion,
    earliest: int,
    binding: tuple[Constraint, ...],
) -> tuple[Alternative, ...]:
    end = result.end
    assert end is not None
    date = cap.local_date(end)
    found: list[Alternative] = []
    kinds = {c.kind for c in binding}
    if ConstraintKind.WORK_CENTRE in kinds or ConstraintKind.CALENDAR in kinds:
        overtime = {
            k: replace(cap.overtime[k], busy=u.busy)
            if u.busy is not cap.units[k].busy
            else cap.overtime[k]
            for k, u in units.items()
        }
        faster = insert(overtime, ops, cap.horizon, earliest)
        if faster.end is not None and cap.local_date(faster.end) < date:
            cost = Decimal(0)
            for p in faster.placements.values():
                normal = cap.working[p.resource]
                extra = overtime[p.resource].working or cap.working[p.resource]
                minutes = extra.working_minutes(p.start, p.end) - normal.working_minutes(
                    p.start, p.end
                )
                rate = cap.centres[cap.centre_of[p.resource]].hourly_rate
                cost += rate * OVERTIME_PREMIUM * Decimal(minutes) / 60
            found.append(
                Alternative(
                    AlternativeKind.OVERTIME,
                    cap.local_date(faster.end),
                    f"overtime: breaks worked through and {OVERTIME_MINUTES // 60} h more "
                    "after each shift on the work centres this order uses",
                    cost.quantize(Decimal("0.01")),
                )
            )
        free = {k: replace(u, busy=()) for k, u in units.items()}
        pushed = insert(free, ops, cap.horizon, earliest)
        if pushed.end is not None and cap.local_date(pushed.end) < date:
            orders = _displaced(cap, pushed.placements.values())
            shown = ", ".join(orders[:PUSHED_ORDERS_SHOWN])
            more = len(orders) - PUSHED_ORDERS_SHOWN
            found.append(
                Alternative(
                    AlternativeKind.PUSH_BACK,
                    cap.local_date(pushed.end),
                    f"if {len(orders)} other orders wait for it: {shown}"
                    + (f" and {more} more" if more > 0 else ""),
                    None,
                    tuple(orders),
                )
            )
    if ConstraintKind.MATERIAL in kinds and any(a.express_at is not None for a in answers.values()):
        express_ops, _, _ = _operations(cap, work, answers, express=True)
        quick = insert(units, express_ops, cap.horizon, earliest)
        if quick.end is not None and cap.local_date(quick.end) < date:
            used = [a for a in answers.values() if a.express_at is not None]
            found.append(
                Alternative(
                    AlternativeKind.EXPRESS_SUPPLIER,
                    cap.local_date(quick.end),
                    "express delivery: " + "; ".join(a.express_source or a.item_code for a in used),
                    sum((a.express_extra_cost or Decimal(0) for a in used), Decimal(0)),
                )
            )
    return tuple(sorted(found, key=lambda a: a.date))


def _displaced(cap: Capacity, placements: Collection[Placement]) -> list[str]:
    """Orders with planned work in the way of these placements, by first clash."""
    hit: dict[str, int] = {}
    for p in placements:
        for a, b, number in cap.busy.get(p.resource, []):
            if a < p.end and p.start < b:
                hit[number] = min(hit.get(number, a), a)
    return sorted(hit, key=lambda n: (hit[n], n))


# -- use cases -----------------------------------------------------------------------------


def _spec_work(
    uow: UnitOfWork,
    family_code: str,
    spec: dict[str, str],
    quantity: int,
    centres: Mapping[str, WorkCentre],
) -> LineWork:
    result = evaluate_in(uow, family_code, spec, where="lines[0].spec")
    if result.configuration is None:
        raise InvalidInput(
            f"The specification cannot be made as it stands: {explain_invalid(result.validity)}",
            field="spec",
        )
    steps, materials = planned_work(result.configuration, spec, quantity, centres)
    return LineWork(1, quantity, tuple(steps), tuple(materials))


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= 10_000:
        raise InvalidInput("quantity must be between 1 and 10000.", field="quantity")


def _check_requested(requested: dt.date | None, today: dt.date) -> None:
    if requested is not None and not today <= requested <= today + dt.timedelta(days=3 * 366):
        raise InvalidInput(
            "The requested date must be between today and three years ahead.",
            field="requested_date",
        )


def promise_spec(
    ctx: ServiceContext,
    actor: Principal,
    family_code: str,
    spec: dict[str, str],
    quantity: int = 1,
    requested: dt.date | None = None,
    supply: Supply | None = None,
    confidence: float | None = None,
    assess: bool = False,
) -> Promise:
    """The date the plant can keep for one configured product, as sales configures it;
    with `assess` (for staff) also the chance of keeping it and the dates at each
    confidence; with `confidence`, the date promised is the one at that confidence.
    Assessing replays the quote a few hundred times (a few hundred ms), so it is asked
    for, not given to every caller: the quick answer stays quick. Nothing is stored:
    quoting never changes the plan."""
    require(actor.role, Resource.CATALOGUE, VIEW)
    _check_quantity(quantity)
    assess = _check_confidence(actor, confidence, assess)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        _check_requested(requested, now.astimezone(plant_zone(uow)).date())
        cap = capacity(ctx, uow, now)
        work = [_spec_work(uow, family_code, spec, quantity, cap.centres)]
        found, placed = placed_promise(uow, cap, now, work, requested, supply or default_supply)
        if assess:
            found = assess_confidence(ctx, uow, cap, (found, placed), confidence)
        return found


def promise_order(
    ctx: ServiceContext,
    actor: Principal,
    number: str,
    supply: Supply | None = None,
    confidence: float | None = None,
    assess: bool = False,
) -> Promise:
    """The date the plant can keep for a quote or an order as it stands now, against its
    requested date; an order's own planned or reserved work does not count against it.
    With `assess` or `confidence`, for staff, the chance and the dates at each confidence
    (see promise_spec)."""
    assess = _check_confidence(actor, confidence, assess)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        require(actor.role, Resource.ORDER, VIEW)
        work = _order_work(uow, order)
        cap = capacity(ctx, uow, now)
        found, placed = placed_promise(
            uow, cap, now, work, order.requested_date, supply or default_supply, order.number
        )
        if assess:
            found = assess_confidence(ctx, uow, cap, (found, placed), confidence, order.number)
        return found


def _check_confidence(actor: Principal, confidence: float | None, assess: bool) -> bool:
    """Whether the answer carries a confidence (asked for, and only for those who may see
    it: a customer asking to assess gets the date alone); a confidence asked for must be
    one sales can quote at."""
    may_see = actor.customer_id is None and "confidence" not in hidden_promise_fields(actor.role)
    if confidence is None:
        return may_see and assess
    if not may_see:
        raise PermissionDenied("Only the plant's staff may quote at a chosen confidence.")
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not math.isfinite(confidence)
        or not MIN_CONFIDENCE <= confidence <= MAX_CONFIDENCE
    ):
        raise InvalidInput(
            f"confidence must lie between {MIN_CONFIDENCE:g} and {MAX_CONFIDENCE:g} "
            f"(0.8: the date is kept four times in five), got {confidence}.",
            field="confidence",
        )
    return True


def assess_confidence(
    ctx: ServiceContext,
    uow: UnitOfWork,
    cap: Capacity,
    quoted: tuple[Promise, Placed | None],
    asked: float | None = None,
    order_number: str | None = None,
) -> Promise:
    """The promise with its chance and its dates at each confidence (and at `asked`,
    which then sets the date promised): the quoted work replayed where the promise put
    it (promising/study.py). A promise without a date, or whose replay the engine
    refuses, is returned as it is: no confidence rather than a made-up one."""
    promise, placed = quoted
    if promise.date is None or placed is None:
        return promise
    now = promise.computed_at or ctx.clock.now()
    try:
        finishes, bases = study.replay(
            placed.units,
            placed.operations,
            placed.insertion,
            cap.centre_of,
            study.spreads(ctx, uow, now),
            (placed.earliest, cap.horizon),
            anchors=(cap,),
            tag=order_number,
        )
    except (SimulationError, SimulationInputError):
        return promise
    finished = [cap.local_date(f) for f in finishes]
    levels = sorted({*LEVELS, *(() if asked is None else (asked,))})
    dates = {level: date_at(finished, level, promise.date) for level in levels}
    draft = replace(
        promise,
        confidence=PromiseConfidence(asked, dates, 0.0, len(finished), study.SEED, bases),
    )
    promised = draft.commit_date
    assert promised is not None and draft.confidence is not None
    return replace(
        draft, confidence=replace(draft.confidence, chance=chance_by(finished, promised))
    )


def _order_work(uow: UnitOfWork, order: Order) -> list[LineWork]:
    """A confirmed order's work from its work orders (as they will be made); a quote's
    from its lines configured now."""
    repo = uow.repository(WORK_ORDERS)
    with repo.deferred_writes():
        current: list[WorkOrder] = repo.current_for([order.number])
    if current:
        return [
            LineWork(
                w.line_no,
                w.quantity,
                tuple(w.planned_steps()),
                tuple(MaterialNeed(m.item_code, m.name, m.quantity, m.unit) for m in w.materials),
            )
            for w in current
        ]
    centres = {w.code: w for w in plant_data.active_work_centres(uow)}
    work: list[LineWork] = []
    for line in order.lines:
        if line.catalogue_version is None:
            continue
        configured = configured_line(uow, line, centres)
        if configured is None:
            raise InvalidInput(
                f"Line {line.line_no} of {order.number} cannot be configured as it stands, "
                "so no date can be promised for it.",
                field=f"lines[{line.line_no - 1}].spec",
            )
        steps, materials = configured
        work.append(LineWork(line.line_no, line.quantity, tuple(steps), tuple(materials)))
    if not work:
        raise InvalidInput(
            f"Order {order.number} has no configured line to promise.", field="lines"
        )
    return work


def default_supply(
    uow: UnitOfWork, needs: list[tuple[str, Decimal]], now: dt.datetime
) -> list[MaterialAnswer]:
    """Sourcing as materials answers it: free stock, free quantities of open purchase
    orders, then the best supplier (and its express offer); what is pegged to other
    orders is theirs."""
    return [
        MaterialAnswer(
            a.item_code,
            a.quantity,
            a.available_at,
            a.source,
            a.cannot_source,
            a.express_at,
            a.express_extra_cost,
            a.express_source,
        )
        for a in sourcing.availability_many(uow, needs, now)
    ]


# -- committing and watching promises ------------------------------------------------------


def commit_promise(
    ctx: ServiceContext, uow: UnitOfWork, order: Order, actor: str, supply: Supply | None = None
) -> Promise:
    """Promise a confirmed order: the date is stored on the order (its timeline says so)
    and the capacity it needs is held until a plan run includes the order."""
    now = ctx.clock.now()
    # Read without writing the command's pending change first: the order is then
    # stored once, with its new state and its promise (one version, not two).
    with uow.repository(WORK_ORDERS).deferred_writes():
        work = _order_work(uow, order)
        cap = capacity(ctx, uow, now)
        promise = promise_work(
            uow, cap, now, work, order.requested_date, supply or default_supply, order.number
        )
        repo = uow.repository(PROMISES)
        repo.release([order.number], now)
        date = promise.commit_date
        if date is not None:
            repo.add_reservation(Reservation(order.number, date, now, list(promise.steps)))
            # and the material: free stock and purchase quantities pegged to it now
            mrp.reserve_order(uow, order, now)
    # the timeline is the customer's too: the date, not the plant's reasons
    reason = (
        "Delivery date promised from the plant's capacity and materials."
        if date is not None
        else "No delivery date can be promised yet."
    )
    order.set_promise(date, actor=actor, at=now, reason=reason)
    return promise


def recommit_promise(
    ctx: ServiceContext,
    uow: UnitOfWork,
    order: Order,
    work: list[LineWork],
    actor: str,
    reason: str,
) -> Promise:
    """Promise an order again for the work it still has (after an engineering change):
    the new date replaces the old on the order with `reason` on its timeline, and the
    capacity it needs is held until the next plan run includes it. `work` is what is left
    to do and the material it still needs; what is done and what it has is not asked for
    again. Caller commits."""
    now = ctx.clock.now()
    with uow.repository(WORK_ORDERS).deferred_writes():
        cap = capacity(ctx, uow, now)
        promise = promise_work(
            uow, cap, now, work, order.requested_date, default_supply, order.number
        )
        repo = uow.repository(PROMISES)
        repo.release([order.number], now)
        date = promise.commit_date
        if date is not None:
            repo.add_reservation(Reservation(order.number, date, now, list(promise.steps)))
    order.set_promise(date, actor=actor, at=now, reason=reason)
    return promise


def on_order_confirmed(ctx: ServiceContext, uow: UnitOfWork, event: DomainEvent) -> None:
    with uow.repository(WORK_ORDERS).deferred_writes():
        order = uow.orders.get(event.aggregate_key)
    # the review on confirmation may already have moved it on (feasible, or flagged)
    if order is None or order.state not in ACTIVE_STATES:
        return
    commit_promise(ctx, uow, order, event.actor)


def on_order_closed(ctx: ServiceContext, uow: UnitOfWork, event: DomainEvent) -> None:
    """A cancelled or rejected order holds no capacity and raises no alerts."""
    # without first writing the command's change: the order is stored once (one version)
    with uow.repository(WORK_ORDERS).deferred_writes():
        uow.repository(PROMISES).release([event.aggregate_key], event.occurred_at)
        uow.repository(PROMISES).resolve_alerts([event.aggregate_key], event.occurred_at)


def on_plan_stored(ctx: ServiceContext, uow: UnitOfWork, event: DomainEvent) -> None:
    """Planned orders no longer need their reservations; a promise the new plan misses
    raises an alert with the plan's date (the best it found), one that it keeps again
    clears the alert."""
    version = int(event.data["version"])
    planned = uow.plans.planned_orders(version)
    repo = uow.repository(PROMISES)
    repo.release([p.order_number for p in planned], event.occurred_at)
    zone = plant_zone(uow)
    open_alerts = {a.order_number: a for a in repo.open_alerts([p.order_number for p in planned])}
    kept: list[str] = []
    for p in planned:
        order = uow.orders.get(p.order_number)
        if order is None or order.promise_date is None:
            continue
        finish = p.planned_finish.astimezone(zone).date()
        if finish <= order.promise_date:
            kept.append(order.number)
            continue
        current = open_alerts.get(order.number)
        if current is not None and current.planned_date == finish:
            continue
        if current is not None:
            repo.resolve_alerts([order.number], event.occurred_at)
        repo.add_alert(
            PromiseAlert(
                order_number=order.number,
                promise_date=order.promise_date,
                planned_date=finish,
                plan_version=version,
                raised_at=event.occurred_at,
                reason=_why_later(p.waits, p.binding),
            )
        )
    repo.resolve_alerts(kept, event.occurred_at)


def _why_later(waits: list[str], binding: list[str]) -> str:
    """What holds the order back, in the plan's words: what its work waits for (a late
    material names its purchase order and date) before the chain that ends it."""
    chain = "; ".join(binding[-2:]) if binding else "the plan's sequence"
    if waits:
        return f"{'; '.join(waits)}; then {chain}"
    return f"bound by {chain}"


# -- the floor's progress between plan runs -----------------------------------------

#: Orders whose work the watch follows: released ones (work may start) and those in
#: production, also while a change is asked of them.
WATCHED_STATES = frozenset({OrderState.RELEASED, OrderState.IN_PRODUCTION})


def watch_floor(uow: UnitOfWork, order_numbers: Collection[str], now: dt.datetime) -> int:
    """Raise the promise-at-risk alert for each order whose floor progress now projects a
    finish after its promise date (an operation running past its planned end, one that
    has not started when it should), and clear it once the projection keeps the promise
    again. Between plan runs this is how sales and planners hear of a promise the floor is
    losing. Returns the number of alerts raised. Caller commits."""
    progress_of = progress.order_progress(uow, order_numbers, now)
    if not progress_of:
        return 0
    repo = uow.repository(PROMISES)
    zone = plant_zone(uow)
    version = uow.plans.latest_version_number()
    open_alerts = {a.order_number: a for a in repo.open_alerts(list(progress_of))}
    raised = 0
    kept: list[str] = []
    for number, found in progress_of.items():
        order = uow.orders.get(number)
        if order is None or order.promise_date is None or found.projected_finish is None:
            continue
        finish = found.projected_finish.astimezone(zone).date()
        if finish <= order.promise_date:
            kept.append(number)
            continue
        if found.delay_minutes == 0:
            continue  # late by the plan itself, not the floor: the plan's alert says so
        current = open_alerts.get(number)
        if current is not None and current.planned_date >= finish:
            continue  # already known (the plan or an earlier report said as late or later)
        if current is not None:
            repo.resolve_alerts([number], now)
        repo.add_alert(
            PromiseAlert(
                order_number=number,
                promise_date=order.promise_date,
                planned_date=finish,
                plan_version=version or 0,
                raised_at=now,
                reason=progress.late_reason(found, zone),
            )
        )
        raised += 1
    if kept:
        repo.resolve_alerts(kept, now)
    return raised


def watch_all(ctx: ServiceContext, now: dt.datetime | None = None) -> int:
    """One pass of the watch over every order on the floor: what no report announces (an
    operation simply running on past its planned end) is found here. `orderforge serve`
    runs it every few minutes; `orderforge promise-watch` runs it once (for cron)."""
    at = now or ctx.clock.now()
    with ctx.uow() as uow:
        version = uow.plans.latest_version_number()
        if version is None:
            return 0
        planned = tuple(p.order_number for p in uow.plans.planned_orders(version))
        found = uow.orders.list(OrderFilter(numbers=planned, limit=max(len(planned), 1)))
        numbers = [o.number for o in found if _on_the_floor(o)]
        raised = watch_floor(uow, numbers, at)
        uow.commit()
    return raised


def _on_the_floor(order: Order) -> bool:
    state = order.changed_from if order.state is OrderState.CHANGE_REQUESTED else order.state
    return state in WATCHED_STATES


def on_floor_report(ctx: ServiceContext, uow: UnitOfWork, event: DomainEvent) -> None:
    """Each report from the floor looks again at its order's promise, at once."""
    with uow.repository(WORK_ORDERS).deferred_writes():
        watch_floor(uow, [event.aggregate_key], event.occurred_at)


HANDLERS: dict[str, tuple[EventHandler, ...]] = {
    "order_confirm": (on_order_confirmed,),
    "order_cancel": (on_order_closed,),
    "order_reject": (on_order_closed,),
    "plan_version_stored": (on_plan_stored,),
    "floor_report": (on_floor_report,),
}


def alerts(
    ctx: ServiceContext, actor: Principal, order_number: str | None = None
) -> list[PromiseAlert]:
    """Open alerts (sales and planners); a customer sees none."""
    require(actor.role, Resource.SCHEDULE, VIEW)
    if actor.customer_id is not None:
        return []
    with ctx.uow() as uow:
        if order_number is not None and uow.orders.get(order_number) is None:
            raise NotFound(f"Order {order_number} not found.")
        return uow.repository(PROMISES).open_alerts(
            None if order_number is None else [order_number]
        )


def held(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    """The capacity committed promises hold for orders no plan has yet, per order: what
    the board shows beside the plan (the next plan run lays the work there)."""
    require(actor.role, Resource.SCHEDULE, VIEW)
    if actor.customer_id is not None:
        return []
    with ctx.uow() as uow:
        reservations = [r for r in uow.repository(PROMISES).active_reservations() if r.steps]
        numbers = tuple(r.order_number for r in reservations)
        found = uow.orders.list(OrderFilter(numbers=numbers, limit=len(numbers))) if numbers else []
        states = {o.number: o.state.value for o in found}
        out: list[dict[str, Any]] = []
        for r in reservations:
            out.append(
                {
                    "order": r.order_number,
                    "state": states.get(r.order_number, ""),
                    "promise_date": r.promise_date,
                    "start": min(s.start for s in r.steps),
                    "end": max(s.end for s in r.steps),
                    "steps": len(r.steps),
                    "work_centres": sorted({s.work_centre for s in r.steps}),
                }
            )
        return sorted(out, key=lambda x: (x["start"], x["order"]))


# -- what each role is shown -------------------------------------------------------------


def promise_view(promise: Promise, actor: Principal) -> dict[str, object]:
    """The promise in words. A customer sees the date and whether the requested date
    can be kept, never which work centre or supplier binds it, what expediting costs or
    how the plant would plan the work."""
    staff = actor.customer_id is None
    return {
        "date": promise.date,
        "promise_date": promise.commit_date,
        "requested_date": promise.requested,
        "requested_met": promise.requested_met,
        "days_late": promise.days_late,
        "summary": promise.summary() if staff else _customer_summary(promise),
        "cannot": promise.cannot if staff or promise.cannot is None else _customer_cannot(),
        "binding": [
            {"kind": c.kind.value, "subject": c.subject, "detail": c.detail}
            for c in promise.binding
        ]
        if staff
        else [],
        "alternatives": [
            {
                "kind": a.kind.value,
                "date": a.date,
                "detail": a.detail,
                "extra_cost": None if a.extra_cost is None else str(a.extra_cost),
                "orders": list(a.orders),
            }
            for a in promise.alternatives
        ]
        if staff
        else [],
        "materials": [
            {
                "item_code": m.item_code,
                "quantity": str(m.quantity),
                "available_at": m.available_at,
                "source": m.source,
                "cannot_source": m.cannot_source,
            }
            for m in promise.materials
        ]
        if staff
        else [],
        "steps": [
            {
                "name": s.name,
                "work_centre": s.work_centre,
                "resource": s.resource,
                "start": s.start,
                "end": s.end,
            }
            for s in promise.steps
        ]
        if staff
        else [],
        "plan_version": promise.plan_version if staff else None,
        "confidence": _confidence_view(promise)
        if staff and "confidence" not in hidden_promise_fields(actor.role)
        else None,
    }


def _confidence_view(promise: Promise) -> dict[str, object] | None:
    found = promise.confidence
    promised = promise.commit_date
    if found is None or promised is None:
        return None
    nbsp = "\u00a0"  # "87 %" never breaks at the space
    dates = "; ".join(
        f"{round(level * 100)}{nbsp}% by {day:%a %d %b}"
        for level, day in sorted(found.dates.items())
        if level in LEVELS
    )
    assumed = ", ".join(c.work_centre for c in found.centres if c.source == "default")
    parts = []
    if found.basis != "default spread":
        parts.append(f"operation times learned from {found.actuals} finished operations")
    if assumed:
        parts.append(f"a default spread for {assumed} (too little history)")
    basis = "; ".join(parts)
    return {
        "asked": found.asked,
        "chance": round(found.chance, 4),
        "dates": {level_key(level): day for level, day in sorted(found.dates.items())},
        "replications": found.replications,
        "seed": found.seed,
        "basis": found.basis,
        "actuals": found.actuals,
        "work_centres": [
            {"work_centre": c.work_centre, "actuals": c.actuals, "source": c.source}
            for c in found.centres
        ],
        "summary": f"Chance of keeping {promised:%a %d %b}: {round(found.chance * 100)}{nbsp}% "
        f"({dates}; {found.replications} replays, {basis}).",
    }


def _customer_summary(promise: Promise) -> str:
    if promise.date is None:
        return _customer_cannot()
    text = f"Earliest delivery {promise.date:%a %d %b %Y}"
    if promise.requested is not None:
        text += (
            "; your requested date can be kept"
            if promise.requested_met
            else f", {promise.days_late} days after your requested date"
        )
    return text + "."


def _customer_cannot() -> str:
    return "No delivery date can be given online for this configuration; sales will call you."
