"""The current plan as the simulation engine's model: what a confidence study replays.

Translation, like services/planning.py for the scheduler: the engine knows minutes from a
start, resources and jobs with due minutes; the plant knows plan versions in datetimes,
work centres, orders with promise dates and the floor's history. Three choices live here
because every face must see the same figures:

- the problem is built the way the planner builds it (done work leaves, running work is
  frozen where it runs), from the same `start` as the plan's minutes, so the replay starts
  from the floor as it is now;
- work the plan put in the past that has not started cannot start before now (the floor
  is behind the plan), and nothing before its predecessors: the plan is moved forward just
  enough to stay a plan, never reordered;
- an order is late when it is not finished by the end of its promise day in the plant's
  time zone (its requested day when nothing was promised), because that is what the
  customer was told.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from orderforge.domain.errors import IllegalTransition
from orderforge.domain.planning import PlannedOperation
from orderforge.engines.scheduling import ProblemData, ScheduledOperation
from orderforge.engines.simulation import Replication, SimulationModel, Variability
from orderforge.services import plant_time
from orderforge.services.floor_actuals import CentreSpread, learned_spreads
from orderforge.services.planning import (
    DAY,
    HORIZONS_DAYS,
    PlanInputs,
    build_problem,
)
from orderforge.services.ports import UnitOfWork


@dataclass(frozen=True)
class OrderFacts:
    """What a study says about an order besides the engine's figures."""

    customer: str
    #: the date "on time" is measured against, and which date it is
    due_date: dt.date | None
    due_basis: str | None


@dataclass
class Study:
    model: SimulationModel
    start: dt.datetime
    version: int
    zone: ZoneInfo
    orders: dict[str, OrderFacts]
    spreads: list[CentreSpread]
    centre_of: dict[str, str]
    #: orders the plant has committed to that the plan version does not hold (new since)
    left_out: list[str] = field(default_factory=list)

    def at(self, minute: float) -> dt.datetime:
        return self.start + dt.timedelta(minutes=round(minute))


def no_plan() -> IllegalTransition:
    return IllegalTransition("There is no plan yet: run a plan first.")


def build_study(
    uow: UnitOfWork, start: dt.datetime, default_cv: float, learn: bool, hold_to_plan: bool
) -> Study:
    """The model of the current plan version from `start`; IllegalTransition without one."""
    version = uow.plans.latest_version_number()
    made = uow.plans.version(version) if version is not None else None
    if version is None or made is None:
        raise no_plan()
    previous = uow.plans.operations(version)
    inputs = PlanInputs(
        previous=previous,
        previous_at=made.created_at,
        pins=uow.plans.pins(),
        downtimes=uow.plans.downtimes(start),
        delays=uow.plans.delays(),
    )
    reach = max((_minutes(p.end, start) for p in previous), default=0)
    days = next((d for d in HORIZONS_DAYS if d * DAY > reach), HORIZONS_DAYS[-1])
    plan = build_problem(uow, start, days, inputs)
    problem, entries, left_out = _planned_part(plan.problem, previous, start)
    zone = plant_time.plant_zone(uow)
    orders = _order_facts(uow, [j.key for j in problem.jobs])
    problem = replace(
        problem,
        jobs=tuple(replace(j, due=_due(orders[j.key], zone, start)) for j in problem.jobs),
    )
    spreads, ratios = learned_spreads(uow, set(plan.centre_of.values()), default_cv, learn)
    variability = {
        key: Variability(ratios=ratios[centre]) if centre in ratios else Variability(cv=default_cv)
        for key, centre in plan.centre_of.items()
    }
    model = SimulationModel(problem, entries, variability, hold_to_plan=hold_to_plan)
    return Study(model, start, version, zone, orders, spreads, plan.centre_of, left_out)


def _planned_part(
    problem: ProblemData, previous: list[PlannedOperation], start: dt.datetime
) -> tuple[ProblemData, list[ScheduledOperation], list[str]]:
    """The problem cut to the orders the plan version holds whole, and their entries."""
    by_key = {p.key: p for p in previous}
    frozen = {f.operation: f for f in problem.frozen}
    entries: dict[str, ScheduledOperation] = {}
    unplanned: set[str] = set()
    for op in problem.operations:
        fixed = frozen.get(op.key)
        was = by_key.get(op.key)
        if fixed is not None:
            entries[op.key] = ScheduledOperation(op.key, fixed.resource, fixed.start, fixed.end)
        elif was is not None and was.resource in {m.resource for m in op.modes}:
            begin, end = _minutes(was.start, start), _minutes(was.end, start)
            entries[op.key] = ScheduledOperation(op.key, was.resource, begin, max(end, begin + 1))
        else:
            unplanned.add(op.job)
    ops = tuple(o for o in problem.operations if o.job not in unplanned)
    kept = {o.key for o in ops}
    cut = replace(
        problem,
        jobs=tuple(j for j in problem.jobs if j.key not in unplanned),
        operations=ops,
        frozen=tuple(f for f in problem.frozen if f.operation in kept),
        pins=tuple(p for p in problem.pins if p.operation in kept),
        reference=tuple(r for r in problem.reference if r.operation in kept),
    )
    placed = _not_in_the_past(cut, {k: e for k, e in entries.items() if k in kept})
    return cut, placed, sorted(unplanned)


def _not_in_the_past(
    problem: ProblemData, entries: dict[str, ScheduledOperation]
) -> list[ScheduledOperation]:
    """Move work the floor has not started forward to now, behind its unit's running work
    and its predecessors, keeping each slot's length (see the module's docstring)."""
    frozen = {f.operation for f in problem.frozen}
    busy_until: dict[str, int] = {}
    for f in problem.frozen:
        busy_until[f.resource] = max(busy_until.get(f.resource, 0), f.end)
    ops = {o.key: o for o in problem.operations}
    placed: dict[str, ScheduledOperation] = {}

    def place(key: str) -> ScheduledOperation:
        if key in placed:
            return placed[key]
        entry = entries[key]
        if key in frozen:
            placed[key] = entry
            return entry
        earliest = max(
            [0, busy_until.get(entry.resource, 0)]
            + [place(p).end for p in ops[key].predecessors if p in entries]
        )
        if entry.start < earliest:
            entry = replace(entry, start=earliest, end=earliest + entry.end - entry.start)
        placed[key] = entry
        return entry

    for key in sorted(entries, key=lambda k: (entries[k].start, k)):
        place(key)
    return [placed[k] for k in sorted(placed)]


def _order_facts(uow: UnitOfWork, numbers: Iterable[str]) -> dict[str, OrderFacts]:
    facts: dict[str, OrderFacts] = {}
    names: dict[int, str] = {}
    for number in numbers:
        order = uow.orders.get(number)
        if order is None:  # the problem was built from these orders in this transaction
            raise LookupError(f"order {number} vanished while the study was built")
        if order.customer_id not in names:
            customer = uow.customers.get_by_id(order.customer_id)
            names[order.customer_id] = customer.name if customer is not None else "?"
        if order.promise_date is not None:
            due, basis = order.promise_date, "promise"
        elif order.requested_date is not None:
            due, basis = order.requested_date, "requested"
        else:
            due, basis = None, None
        facts[number] = OrderFacts(names[order.customer_id], due, basis)
    return facts


def _due(facts: OrderFacts, zone: ZoneInfo, start: dt.datetime) -> int | None:
    """The end of the due day in the plant's zone, in minutes from `start`."""
    if facts.due_date is None:
        return None
    end_of_day = dt.datetime.combine(facts.due_date + dt.timedelta(days=1), dt.time(), zone)
    return _minutes(end_of_day, start)


def _minutes(moment: dt.datetime, start: dt.datetime) -> int:
    return math.floor((moment - start).total_seconds() / 60)


@dataclass(frozen=True)
class Outcome:
    """What a study keeps of one replication: enough to summarise it with any others
    (finishes per order, busy and available minutes per unit, mean WIP), small enough to
    travel as JSON from a batch worker to the study that merges it."""

    seed: int
    finish: dict[str, int]
    busy: dict[str, int]
    available: dict[str, int]
    mean_wip: float
    makespan: int

    @classmethod
    def of(cls, rep: Replication) -> Outcome:
        return cls(
            rep.seed,
            dict(rep.finish),
            {k: u.busy for k, u in rep.resources.items()},
            {k: u.available for k, u in rep.resources.items()},
            rep.mean_wip,
            rep.makespan,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "finish": self.finish,
            "busy": self.busy,
            "available": self.available,
            "mean_wip": self.mean_wip,
            "makespan": self.makespan,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            int(data["seed"]),
            {k: int(v) for k, v in data["finish"].items()},
            {k: int(v) for k, v in data["busy"].items()},
            {k: int(v) for k, v in data["available"].items()},
            float(data["mean_wip"]),
            int(data["makespan"]),
        )

    def as_replication(self) -> Replication:
        """For the engine's `summarise`, which reads only seeds and finishes."""
        return Replication(self.seed, {}, self.finish, {}, (), self.makespan)


def fingerprint(study: Study) -> str:
    """A digest of everything a replication depends on, so a batch worker that rebuilds
    the study can tell whether it replays the same plant as the study that sent it."""
    model = study.model
    steps = sorted((k, repr(s)) for k, s in model.steps.items())
    spreads = sorted((k, repr(model.variability_of(k))) for k in study.centre_of)
    text = repr((model.problem, steps, spreads, model.hold_to_plan))
    return hashlib.sha256(text.encode()).hexdigest()
