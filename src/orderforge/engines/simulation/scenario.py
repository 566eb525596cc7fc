"""Open-plant what-if scenarios: orders keep arriving, a quoting policy promises each one,
the floor makes them, and the run reports what customers and the plant would see.

The Monte Carlo part of this package replays the plan a plant has today; here the plant is
open: new orders arrive for weeks (a Poisson rate or a forecast's weekly counts), so
policies and capacity changes show their effect on lead times and on-time delivery, not
only on one plan. Decisions come from the real engines: a quote inserts the order into the
committed load with the promising insertion, and the floor dispatches by due date or by
planned start. Randomness is split into independent streams (arrivals, each order's
operation times, each unit's breakdowns) keyed by the seed, so two policies run on the
same seed see the same orders and the same times: common random numbers, which is what
makes a side-by-side comparison fair with few seeds.

Time is integer minutes from Monday 00:00 of week 0; each work centre's shifts become
working intervals and an operation pauses over closed time (it is interruptible).
"""

from __future__ import annotations

import statistics
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np
import simpy

from orderforge.engines.scheduling.calendar import WorkingTime
from orderforge.engines.scheduling.insertion import NewOperation, Unit, insert
from orderforge.engines.scheduling.problem import Interval, Mode
from orderforge.engines.simulation.quoting import (
    MINUTES_PER_DAY,
    Quote,
    QuoteRequest,
    QuotingPolicy,
    ScenarioInputError,
)

MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
#: the first shift of a day starts at 06:00; shifts are 8 hours, back to back
DAY_START = 6 * 60
SHIFT_MINUTES = 8 * 60

__all__ = [
    "ArrivalProcess",
    "ComparisonRow",
    "Dispatch",
    "Family",
    "ForecastArrivals",
    "Kpis",
    "OrderRecord",
    "PoissonArrivals",
    "Scenario",
    "ScenarioInputError",
    "ScenarioResult",
    "Step",
    "Supply",
    "Variability",
    "WorkCentre",
    "check_scenario",
    "compare",
    "format_table",
    "run_scenario",
    "with_demand",
    "with_machine",
    "with_quoting",
    "with_shift",
]


class Dispatch(StrEnum):
    """Which queued operation a free unit takes next."""

    #: the order promised first goes first: what the quote says is what the floor chases
    EDD = "edd"
    #: the operation planned to start first, as the plan at the order's quote placed it
    PLANNED_START = "planned_start"


@dataclass(frozen=True, slots=True)
class Step:
    """One operation of a routing: the work centre it needs and its mean working minutes."""

    resource: str
    minutes: float


@dataclass(frozen=True, slots=True)
class Supply:
    """A bought material a family's orders wait for before their first operation, ordered
    when the order arrives. `share` of the orders need it (the others find it in stock);
    the supplier promises it in `days` calendar days, which the quote plans with, and it
    comes after `days` x a gamma draw with mean `bias` and coefficient of variation `cv`
    (how late, and how unevenly, suppliers deliver)."""

    days: float
    share: float = 1.0
    cv: float = 0.0
    bias: float = 1.0


@dataclass(frozen=True, slots=True)
class Family:
    """A product template. `precedence` lists (before, after) step indices; None chains
    the steps in the order given, which is what most routings are. `supply`: the bought
    material its orders wait for, if any."""

    name: str
    steps: Sequence[Step]
    precedence: Sequence[tuple[int, int]] | None = None
    supply: Supply | None = None

    def predecessors(self) -> list[list[int]]:
        if self.precedence is None:
            return [[i - 1] if i else [] for i in range(len(self.steps))]
        preds: list[list[int]] = [[] for _ in self.steps]
        for before, after in self.precedence:
            preds[after].append(before)
        return preds


@dataclass(frozen=True, slots=True)
class WorkCentre:
    """Parallel identical machines sharing one shift pattern (8-hour shifts from 06:00)."""

    key: str
    machines: int = 1
    shifts_per_day: int = 1
    days_per_week: int = 5

    def calendar(self, horizon: int) -> list[Interval]:
        """Working intervals up to `horizon`, the days of the week counted from Monday."""
        intervals: list[Interval] = []
        for day in range(horizon // MINUTES_PER_DAY + 1):
            if day % 7 >= self.days_per_week:
                continue
            start = day * MINUTES_PER_DAY + DAY_START
            intervals.append((start, start + self.shifts_per_day * SHIFT_MINUTES))
        return intervals


@dataclass(frozen=True, slots=True)
class Variability:
    """What the plan does not know. `cv`: coefficient of variation of operation times
    (gamma distributed around the routing's mean). Breakdowns: a unit fails after an
    exponential number of working hours with mean `mtbf_hours` and its repair takes an
    exponential `mttr_hours` of working time; failures count only while the unit works,
    because wear comes from running, not from standing idle. `bias`: the floor's actual
    time over the routing's on average (1.2: a fifth longer than planned); plans keep the
    routing's time, as a plant's plans keep its standard times."""

    cv: float = 0.0
    mtbf_hours: float | None = None
    mttr_hours: float = 0.0
    bias: float = 1.0

    @property
    def availability_factor(self) -> float:
        """How much longer an operation occupies its unit on average once repairs are
        counted; plans use it, as planners use a machine's availability."""
        if self.mtbf_hours is None:
            return 1.0
        return 1.0 + self.mttr_hours / self.mtbf_hours


@dataclass(frozen=True, slots=True)
class PoissonArrivals:
    """Orders of each family arrive at random, `rate_per_week[family]` a week on average."""

    rate_per_week: Mapping[str, float]

    def scaled(self, factor: float) -> PoissonArrivals:
        return PoissonArrivals({f: r * factor for f, r in self.rate_per_week.items()})

    def check(self, families: set[str], weeks: int) -> None:
        for name, rate in self.rate_per_week.items():
            where = f"arrivals.rate_per_week[{name}]"
            if name not in families:
                raise ScenarioInputError(where, "names no family of the scenario")
            if not rate >= 0:
                raise ScenarioInputError(where, f"is {rate}; a rate cannot be negative")

    def times(self, weeks: int, rng: np.random.Generator) -> list[tuple[int, str]]:
        end = weeks * MINUTES_PER_WEEK
        found: list[tuple[int, str]] = []
        for name, rate in sorted(self.rate_per_week.items()):
            count = int(rng.poisson(rate * weeks))
            found += [(int(t), name) for t in rng.uniform(0, end, count)]
        return sorted(found)


@dataclass(frozen=True, slots=True)
class ForecastArrivals:
    """A forecast's weekly counts per family (one count per simulated week). A forecast
    says how many, not when: by default each week's orders fall at random within it;
    `even` spaces them evenly, for runs that must be checkable by hand."""

    weekly_counts: Mapping[str, Sequence[int]]
    even: bool = False

    def scaled(self, factor: float) -> ForecastArrivals:
        counts = {f: [round(c * factor) for c in cs] for f, cs in self.weekly_counts.items()}
        return ForecastArrivals(counts, self.even)

    def check(self, families: set[str], weeks: int) -> None:
        for name, counts in self.weekly_counts.items():
            where = f"arrivals.weekly_counts[{name}]"
            if name not in families:
                raise ScenarioInputError(where, "names no family of the scenario")
            if len(counts) < weeks:
                raise ScenarioInputError(
                    where, f"has {len(counts)} weeks; the scenario runs {weeks}"
                )
            if any(c < 0 for c in counts):
                raise ScenarioInputError(where, "has a negative count")

    def times(self, weeks: int, rng: np.random.Generator) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        for name, counts in sorted(self.weekly_counts.items()):
            for week, count in enumerate(counts[:weeks]):
                base = week * MINUTES_PER_WEEK
                if self.even:
                    offsets = [(i + 0.5) * MINUTES_PER_WEEK / count for i in range(count)]
                else:
                    offsets = list(rng.uniform(0, MINUTES_PER_WEEK, count))
                found += [(base + int(o), name) for o in offsets]
        return sorted(found)


ArrivalProcess = PoissonArrivals | ForecastArrivals


@dataclass(frozen=True, slots=True)
class Scenario:
    """One what-if: a plant, its demand and how it quotes. Orders arriving in the first
    `warmup_weeks` are made but not counted: an empty plant is not a steady one."""

    name: str
    weeks: int
    arrivals: ArrivalProcess
    families: Sequence[Family]
    resources: Sequence[WorkCentre]
    quoting: QuotingPolicy
    variability: Variability = field(default_factory=Variability)
    warmup_weeks: int = 0
    dispatch: Dispatch = Dispatch.EDD
    #: work centre -> its own variability (operation times learned from its floor actuals,
    #: breakdowns from its recorded downtimes); the others take `variability`
    centre_variability: Mapping[str, Variability] = field(default_factory=dict)

    def variability_of(self, centre: str) -> Variability:
        return self.centre_variability.get(centre, self.variability)


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """One order's story; `finish` is None when it was not finished by the horizon."""

    key: str
    family: str
    arrival: int
    due: int
    quoted_lead_days: int
    planned_finish: int | None
    finish: int | None

    @property
    def on_time(self) -> bool:
        return self.finish is not None and self.finish <= self.due


@dataclass(frozen=True, slots=True)
class Kpis:
    """Over the orders arriving after the warm-up (lead times in days; utilisation is
    working time occupied, repairs included, over working time available)."""

    orders: int
    on_time_pct: float
    mean_quoted_lead_days: float
    p50_quoted_lead_days: float
    p90_quoted_lead_days: float
    mean_actual_lead_days: float
    utilisation: Mapping[str, float]
    mean_wip: float
    bottleneck: str
    #: counted orders still open at the end of the horizon (an overloaded plant's backlog);
    #: they count as late and have no actual lead time
    unfinished: int = 0


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    scenario: str
    seed: int
    orders: tuple[OrderRecord, ...]
    kpis: Kpis


def run_scenario(scenario: Scenario, seed: int) -> ScenarioResult:
    """Simulate `scenario` with `seed`; the same pair always gives the same result."""
    check_scenario(scenario)
    records, floor = _Floor(scenario, seed).run()
    return ScenarioResult(scenario.name, seed, tuple(records), floor.kpis(records))


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One scenario's KPIs averaged over the seeds (the same seeds for every scenario)."""

    scenario: str
    seeds: int
    on_time_pct: float
    mean_quoted_lead_days: float
    p90_quoted_lead_days: float
    mean_actual_lead_days: float
    utilisation: Mapping[str, float]
    bottleneck: str
    mean_wip: float


def compare(scenarios: Sequence[Scenario], seeds: Sequence[int]) -> list[ComparisonRow]:
    """Run every scenario on the same seeds and average each KPI over them. Same seeds
    mean the same random streams, so differences come from the scenarios, not from luck."""
    if not seeds:
        raise ScenarioInputError("seeds", "is empty; compare needs at least one seed")
    rows: list[ComparisonRow] = []
    for scenario in scenarios:
        kpis = [run_scenario(scenario, seed).kpis for seed in seeds]
        utilisation = {
            c: statistics.fmean(k.utilisation[c] for k in kpis) for c in kpis[0].utilisation
        }
        rows.append(
            ComparisonRow(
                scenario=scenario.name,
                seeds=len(seeds),
                on_time_pct=statistics.fmean(k.on_time_pct for k in kpis),
                mean_quoted_lead_days=statistics.fmean(k.mean_quoted_lead_days for k in kpis),
                p90_quoted_lead_days=statistics.fmean(k.p90_quoted_lead_days for k in kpis),
                mean_actual_lead_days=statistics.fmean(k.mean_actual_lead_days for k in kpis),
                utilisation=utilisation,
                bottleneck=max(utilisation, key=lambda c: (utilisation[c], c)),
                mean_wip=statistics.fmean(k.mean_wip for k in kpis),
            )
        )
    return rows


def format_table(rows: Sequence[ComparisonRow]) -> str:
    """The comparison as a markdown table, scenarios side by side."""
    lines = [
        "| scenario | on-time % | quoted lead mean (d) | quoted lead p90 (d) "
        "| actual lead mean (d) | bottleneck (utilisation) | mean WIP |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.scenario} | {r.on_time_pct:.1f} | {r.mean_quoted_lead_days:.2f} "
            f"| {r.p90_quoted_lead_days:.1f} | {r.mean_actual_lead_days:.2f} "
            f"| {r.bottleneck} ({r.utilisation[r.bottleneck]:.0%}) | {r.mean_wip:.1f} |"
        )
    return "\n".join(lines)


def check_scenario(scenario: Scenario) -> None:
    """Raise `ScenarioInputError` for anything that could not be simulated."""
    if scenario.weeks <= 0:
        raise ScenarioInputError("weeks", f"is {scenario.weeks}; simulate at least one week")
    if not 0 <= scenario.warmup_weeks < scenario.weeks:
        raise ScenarioInputError(
            "warmup_weeks", f"is {scenario.warmup_weeks}; it must be >= 0 and below weeks"
        )
    centres: dict[str, WorkCentre] = {}
    for wc in scenario.resources:
        if wc.key in centres:
            raise ScenarioInputError(f"resources[{wc.key}]", "is listed twice")
        _check_counts(wc)
        centres[wc.key] = wc
    if not scenario.families:
        raise ScenarioInputError("families", "is empty; nothing could be ordered")
    for family in scenario.families:
        _check_family(family, centres)
    scenario.arrivals.check({f.name for f in scenario.families}, scenario.weeks)
    _check_variability("variability", scenario.variability)
    for centre, v in scenario.centre_variability.items():
        if centre not in centres:
            raise ScenarioInputError(f"centre_variability[{centre}]", "names no work centre")
        _check_variability(f"centre_variability[{centre}]", v)


def _check_variability(where: str, v: Variability) -> None:
    if not v.cv >= 0:
        raise ScenarioInputError(f"{where}.cv", f"is {v.cv}; it cannot be negative")
    if v.mtbf_hours is not None and not v.mtbf_hours > 0:
        raise ScenarioInputError(f"{where}.mtbf_hours", f"is {v.mtbf_hours}; it must be > 0")
    if not v.mttr_hours >= 0:
        raise ScenarioInputError(f"{where}.mttr_hours", f"is {v.mttr_hours}; it must be >= 0")
    if not 0 < v.bias <= 10:
        raise ScenarioInputError(f"{where}.bias", f"is {v.bias}; it must be above 0, at most 10")


def _check_counts(wc: WorkCentre) -> None:
    where = f"resources[{wc.key}]"
    if wc.machines < 0:
        raise ScenarioInputError(f"{where}.machines", f"is {wc.machines}; it cannot be negative")
    if not 0 <= wc.shifts_per_day <= 3:
        raise ScenarioInputError(
            f"{where}.shifts_per_day", f"is {wc.shifts_per_day}; a day holds 0 to 3 shifts"
        )
    if not 0 <= wc.days_per_week <= 7:
        raise ScenarioInputError(
            f"{where}.days_per_week", f"is {wc.days_per_week}; a week holds 0 to 7 days"
        )


def _check_family(family: Family, centres: Mapping[str, WorkCentre]) -> None:
    where = f"families[{family.name}]"
    if not family.steps:
        raise ScenarioInputError(f"{where}.steps", "is empty; a routing needs a step")
    for i, step in enumerate(family.steps):
        wc = centres.get(step.resource)
        if wc is None:
            raise ScenarioInputError(
                f"{where}.steps[{i}].resource", f"names {step.resource!r}, no work centre"
            )
        if not step.minutes > 0:
            raise ScenarioInputError(
                f"{where}.steps[{i}].minutes", f"is {step.minutes}; an operation takes time"
            )
        for count, what in (
            (wc.machines, "machines"),
            (wc.shifts_per_day, "shifts_per_day"),
            (wc.days_per_week, "days_per_week"),
        ):
            if count == 0:
                raise ScenarioInputError(
                    f"resources[{wc.key}].{what}",
                    f"is 0, so {wc.key} has no capacity, but {family.name}'s routing needs it",
                )
    n = len(family.steps)
    for before, after in family.precedence or ():
        if not (0 <= before < n and 0 <= after < n) or before == after:
            raise ScenarioInputError(
                f"{where}.precedence", f"({before}, {after}) is not a pair of two of its steps"
            )
    preds = family.predecessors()
    done: set[int] = set()
    while len(done) < n:
        ready = {i for i in range(n) if i not in done and set(preds[i]) <= done}
        if not ready:
            raise ScenarioInputError(f"{where}.precedence", "forms a cycle")
        done |= ready
    supply = family.supply
    if supply is not None:
        for value, name, ok, rule in (
            (supply.days, "days", 0 <= supply.days <= 365, "0 to 365 days"),
            (supply.share, "share", 0 <= supply.share <= 1, "a share from 0 to 1"),
            (supply.cv, "cv", 0 <= supply.cv <= 3, "0 to 3"),
            (supply.bias, "bias", 0 < supply.bias <= 10, "above 0, at most 10"),
        ):
            if not ok:
                raise ScenarioInputError(f"{where}.supply.{name}", f"is {value}; it must be {rule}")


def with_demand(scenario: Scenario, factor: float, name: str | None = None) -> Scenario:
    """The same plant with every family's demand multiplied by `factor` (1.3: +30 %)."""
    label = name or f"{scenario.name}, demand x{factor:g}"
    return replace(scenario, name=label, arrivals=scenario.arrivals.scaled(factor))


def with_shift(scenario: Scenario, resource: str, name: str | None = None) -> Scenario:
    """The same plant with one more daily shift on `resource`."""
    centres = [
        replace(wc, shifts_per_day=wc.shifts_per_day + 1) if wc.key == resource else wc
        for wc in scenario.resources
    ]
    label = name or f"{scenario.name}, +1 shift on {resource}"
    return replace(scenario, name=label, resources=centres)


def with_machine(scenario: Scenario, resource: str, name: str | None = None) -> Scenario:
    """The same plant with one more machine in `resource`."""
    centres = [
        replace(wc, machines=wc.machines + 1) if wc.key == resource else wc
        for wc in scenario.resources
    ]
    label = name or f"{scenario.name}, +1 machine in {resource}"
    return replace(scenario, name=label, resources=centres)


def with_quoting(scenario: Scenario, policy: QuotingPolicy, name: str | None = None) -> Scenario:
    """The same plant and demand quoted another way."""
    label = name or f"{scenario.name}, {policy.label}"
    return replace(scenario, name=label, quoting=policy)


@dataclass(eq=False, slots=True)
class _Op:
    key: str
    index: int
    centre: str
    #: minutes the plan assumes (mean, stretched by availability) and the floor takes
    planned: int
    actual: int
    preds: list[int]
    succs: list[int] = field(default_factory=list)
    waiting: int = 0
    state: str = "wait"  # wait -> queued -> running -> done
    planned_start: int = 0
    started: int = 0


@dataclass(eq=False, slots=True)
class _Order:
    key: str
    seq: int
    family: str
    arrival: int
    ops: list[_Op]
    quote: Quote = field(default_factory=lambda: Quote(0))
    open: int = 0
    #: the minute its bought material is promised (0: none awaited, or it came)
    material_due: int = 0


class _Floor:
    """The plant as SimPy processes: arrivals, one process per machine, queues per
    work centre ordered by the dispatching rule."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.s = scenario
        self.seed = seed
        self.env = simpy.Environment()
        # long enough for an overloaded plant to drain what it was given, or show it cannot
        self.horizon = (2 * scenario.weeks + 8) * MINUTES_PER_WEEK
        self.window = (scenario.warmup_weeks * MINUTES_PER_WEEK, scenario.weeks * MINUTES_PER_WEEK)
        self.families = {f.name: f for f in scenario.families}
        self.working: dict[str, WorkingTime] = {}
        self.calendars: dict[str, list[Interval]] = {}
        self.units: dict[str, list[str]] = {}
        self.queues: dict[str, simpy.PriorityStore] = {}
        for wc in scenario.resources:
            self.calendars[wc.key] = wc.calendar(self.horizon)
            self.working[wc.key] = WorkingTime(self.calendars[wc.key], self.horizon)
            self.units[wc.key] = [f"{wc.key}#{i + 1}" for i in range(wc.machines)]
            self.queues[wc.key] = simpy.PriorityStore(self.env)
        self.centre_of = {u: wc for wc, us in self.units.items() for u in us}
        self.running: dict[str, _Op | None] = dict.fromkeys(self.centre_of)
        self.live: dict[str, _Order] = {}
        self.records: list[OrderRecord] = []
        self.occupied: dict[str, int] = dict.fromkeys(self.units, 0)
        self.quoter = scenario.quoting.quoter()
        self.wip = 0
        self.wip_area = 0.0
        self.wip_since = 0

    def run(self) -> tuple[list[OrderRecord], _Floor]:
        arrivals = self.s.arrivals.times(self.s.weeks, np.random.default_rng([self.seed, 0]))
        self.env.process(self._arrivals(arrivals))
        for n, unit in enumerate(self.centre_of):
            self.env.process(self._unit(unit, np.random.default_rng([self.seed, 2, n])))
        self.env.run(until=self.horizon)
        for order in self.live.values():
            self._record(order, None)
        self.records.sort(key=lambda r: (r.arrival, r.key))
        return self.records, self

    def _arrivals(self, arrivals: list[tuple[int, str]]) -> Generator[simpy.Event, Any, None]:
        for seq, (minute, family) in enumerate(arrivals):
            yield self.env.timeout(minute - self.env.now)
            self._arrive(seq, self.families[family])

    def _arrive(self, seq: int, family: Family) -> None:
        now = int(self.env.now)
        key = f"O{seq + 1:05d}"
        rng = np.random.default_rng([self.seed, 1, seq])
        ops: list[_Op] = []
        for i, (step, preds) in enumerate(zip(family.steps, family.predecessors(), strict=True)):
            v = self.s.variability_of(step.resource)
            draw = rng.gamma(1 / v.cv**2, v.cv**2) if v.cv > 0 else 1.0
            planned = max(1, round(step.minutes * v.availability_factor))
            ops.append(
                _Op(
                    f"{key}:{i}",
                    i,
                    step.resource,
                    planned,
                    max(1, round(step.minutes * v.bias * draw)),
                    preds,
                )
            )
        for op in ops:
            op.waiting = len(op.preds)
            for p in op.preds:
                ops[p].succs.append(op.index)
        order = _Order(key, seq, family.name, now, ops, open=len(ops))
        wait = self._supply(seq, family.supply)
        if wait is not None:
            order.material_due = now + wait[0]
        new = [self._new_operation(order, op, {}) for op in ops]
        cache: list[dict[str, Unit]] = []

        def load() -> dict[str, Unit]:
            if not cache:
                cache.append(self._load(now))
            return cache[0]

        order.quote = self.quoter.quote(
            QuoteRequest(key, now, new, load, self.horizon, family.name)
        )
        starts = order.quote.planned_starts
        if self.s.dispatch is Dispatch.PLANNED_START and not starts:
            placed = insert(load(), new, self.horizon, now)
            starts = {k: p.start for k, p in placed.placements.items()}
        for op in ops:
            op.planned_start = starts.get(op.key, self.horizon)
        self._wip_change(+1)
        self.live[key] = order
        if wait is not None:
            self.env.process(self._material(order, wait[1]))
            return
        for op in ops:
            if not op.preds:
                self._enqueue(order, op)

    def _supply(self, seq: int, supply: Supply | None) -> tuple[int, int] | None:
        """(promised, actual) minutes until the order's bought material comes, or None
        when it needs none. Its own random stream: two scenarios compared on the same seed
        see the same deliveries whatever else differs."""
        if supply is None or supply.days <= 0:
            return None
        rng = np.random.default_rng([self.seed, 2, seq])
        needs, draw = rng.uniform(), rng.gamma(1 / supply.cv**2, supply.cv**2) if supply.cv else 1
        if needs >= supply.share:
            return None
        promised = round(supply.days * MINUTES_PER_DAY)
        return promised, max(0, round(promised * supply.bias * draw))

    def _material(self, order: _Order, after: int) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(after)
        order.material_due = 0
        for op in order.ops:
            if not op.preds and op.state == "wait":
                self._enqueue(order, op)

    def _new_operation(
        self, order: _Order, op: _Op, expected_end: Mapping[str, int]
    ) -> NewOperation:
        modes = [Mode(u, op.planned) for u in self.units[op.centre]]
        preds = [order.ops[p] for p in op.preds]
        inside = [p.key for p in preds if p.state in ("wait", "queued")]
        release = max(
            (expected_end.get(p.key, 0) for p in preds if p.state == "running"), default=0
        )
        if not preds:  # a first operation waits for the bought material, as promised
            release = max(release, order.material_due)
        return NewOperation(op.key, modes, inside, release)

    def _load(self, now: int) -> dict[str, Unit]:
        """Every committed operation not yet finished, forward-loaded from `now` in the
        floor's own priority order with the mean (planned) times: what the plant would do
        if nothing varied from here on. Running operations keep their unit until their
        planned time is used up."""
        busy: dict[str, list[Interval]] = {u: [] for u in self.centre_of}
        expected_end: dict[str, int] = {}
        for unit, op in self.running.items():
            if op is None:
                continue
            time = self.working[op.centre]
            left = max(op.planned - time.working_minutes(op.started, now), 1)
            fit = time.earliest(now, left, True)
            end = fit[1] if fit is not None else self.horizon
            busy[unit].append((now, end))
            expected_end[op.key] = end
        for order in sorted(self.live.values(), key=self._load_order):
            pending = [op for op in order.ops if op.state in ("wait", "queued")]
            if not pending:
                continue
            new = [self._new_operation(order, op, expected_end) for op in pending]
            units = {
                u: self._unit_view(u, busy[u]) for op in pending for u in self.units[op.centre]
            }
            for p in insert(units, new, self.horizon, now).placements.values():
                busy[p.resource].append((p.start, p.end))
        return {u: self._unit_view(u, busy[u]) for u in self.centre_of}

    def _unit_view(self, unit: str, busy: list[Interval]) -> Unit:
        centre = self.centre_of[unit]
        return Unit(unit, self.calendars[centre], tuple(busy), True, self.working[centre])

    def _load_order(self, order: _Order) -> tuple[int, int]:
        if self.s.dispatch is Dispatch.EDD:
            return order.quote.due, order.seq
        return min(op.planned_start for op in order.ops if op.state != "done"), order.seq

    def _enqueue(self, order: _Order, op: _Op) -> None:
        op.state = "queued"
        first = order.quote.due if self.s.dispatch is Dispatch.EDD else op.planned_start
        self.queues[op.centre].put(simpy.PriorityItem((first, order.seq, op.index), (order, op)))

    def _unit(self, unit: str, rng: np.random.Generator) -> Generator[simpy.Event, Any, None]:
        centre = self.centre_of[unit]
        time, queue = self.working[centre], self.queues[centre]
        v = self.s.variability_of(centre)
        mtbf = None if v.mtbf_hours is None else v.mtbf_hours * 60
        to_failure = rng.exponential(mtbf) if mtbf else 0.0
        while True:
            now = int(self.env.now)
            opening = time.earliest(now, 0, True)
            if opening is None:
                return
            if opening[0] > now:
                yield self.env.timeout(opening[0] - now)
                continue
            item = yield queue.get()
            if time.interval_index(int(self.env.now)) is None:
                # it came while the unit is closed: take the most urgent work at the opening
                yield queue.put(item)
                continue
            order, op = item.item
            occupied, work = op.actual, float(op.actual)
            if mtbf:
                while work >= to_failure:
                    work -= to_failure
                    occupied += max(1, round(rng.exponential(v.mttr_hours * 60)))
                    to_failure = rng.exponential(mtbf)
                to_failure -= work
            start = int(self.env.now)
            fit = time.earliest(start, occupied, True)
            if fit is None:
                return
            op.state, op.started = "running", start
            self.running[unit] = op
            yield self.env.timeout(fit[1] - start)
            self.running[unit] = None
            lo, hi = max(start, self.window[0]), min(fit[1], self.window[1])
            if hi > lo:
                self.occupied[centre] += time.working_minutes(lo, hi)
            self._done(order, op)

    def _done(self, order: _Order, op: _Op) -> None:
        op.state = "done"
        order.open -= 1
        for s in op.succs:
            succ = order.ops[s]
            succ.waiting -= 1
            if succ.waiting == 0:
                self._enqueue(order, succ)
        if order.open == 0:
            now = int(self.env.now)
            del self.live[order.key]
            self._wip_change(-1)
            self.quoter.observe(order.key, now)
            self._record(order, now)

    def _record(self, order: _Order, finish: int | None) -> None:
        lead = order.quote.due_day - order.arrival // MINUTES_PER_DAY
        self.records.append(
            OrderRecord(
                order.key,
                order.family,
                order.arrival,
                order.quote.due,
                lead,
                order.quote.planned_finish,
                finish,
            )
        )

    def _wip_change(self, delta: int) -> None:
        now = int(self.env.now)
        lo, hi = max(self.wip_since, self.window[0]), min(now, self.window[1])
        if hi > lo:
            self.wip_area += self.wip * (hi - lo)
        self.wip += delta
        self.wip_since = now

    def kpis(self, records: Sequence[OrderRecord]) -> Kpis:
        self._wip_change(0)
        lo, hi = self.window
        counted = [r for r in records if lo <= r.arrival < hi]
        quoted = [float(r.quoted_lead_days) for r in counted] or [0.0]
        actual = [(r.finish - r.arrival) / MINUTES_PER_DAY for r in counted if r.finish is not None]
        utilisation: dict[str, float] = {}
        for centre, units in self.units.items():
            available = len(units) * self.working[centre].working_minutes(lo, hi)
            utilisation[centre] = self.occupied[centre] / available if available else 0.0
        on_time = sum(r.on_time for r in counted)
        return Kpis(
            orders=len(counted),
            on_time_pct=100.0 * on_time / len(counted) if counted else 100.0,
            mean_quoted_lead_days=statistics.fmean(quoted),
            p50_quoted_lead_days=float(np.percentile(quoted, 50)),
            p90_quoted_lead_days=float(np.percentile(quoted, 90)),
            mean_actual_lead_days=statistics.fmean(actual) if actual else 0.0,
            utilisation=utilisation,
            mean_wip=self.wip_area / (hi - lo),
            bottleneck=max(utilisation, key=lambda c: (utilisation[c], c)),
            unfinished=sum(r.finish is None for r in counted),
        )
