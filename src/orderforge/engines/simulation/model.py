"""What a simulation replays: the scheduler's plan, the plant it runs in, and how the floor
strays from it (operation times, breakdowns, late material).

The model is checked and compiled once, then shared by every replication: replications only
draw random numbers and replay, so a batch of thousands costs no repeated validation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from orderforge.engines.scheduling.calendar import WorkingTime
from orderforge.engines.scheduling.input_check import check_problem
from orderforge.engines.scheduling.problem import (
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
)
from orderforge.engines.simulation.errors import SimulationInputError

MINUTES_PER_DAY = 1440
#: Past the plan's horizon a resource keeps the working pattern of its last week (or of the
#: whole horizon when that is shorter): late work must land somewhere, and next week's shifts
#: are the best guess the plan offers.
CALENDAR_PERIOD = 7 * MINUTES_PER_DAY


@dataclass(frozen=True, slots=True)
class Variability:
    """How one resource strays from plan.

    Operation times: the actual working minutes are the planned ones times a ratio. With
    `ratios` (actual/planned observed on the floor) a replication draws one of them at
    random, which keeps skew and outliers that no textbook distribution fits; otherwise the
    ratio is lognormal with mean 1 and coefficient of variation `cv`, so on average the plan
    is right and `cv=0` replays it exactly.

    Breakdowns: the time to the next failure is exponential with mean `mtbf` working minutes
    of the resource's calendar (the machine ages while its shift runs, busy or not); the
    repair is exponential with mean `mttr` clock minutes. `mtbf=None` means it never fails.
    """

    cv: float = 0.0
    ratios: Sequence[float] = ()
    mtbf: float | None = None
    mttr: float | None = None

    @classmethod
    def learned(
        cls,
        actuals: Iterable[tuple[int, int]],
        mtbf: float | None = None,
        mttr: float | None = None,
    ) -> Variability:
        """From (planned, actual) working minutes of finished operations on the resource:
        the floor's own history beats any assumed spread. Pairs without a planned time are
        skipped, since they say nothing about how far the plan was off."""
        pairs = [(planned, actual) for planned, actual in actuals if planned > 0]
        for planned, actual in pairs:
            if actual <= 0:
                raise SimulationInputError(
                    "actuals", f"actual minutes must be positive, got {actual} (planned {planned})"
                )
        ratios = tuple(actual / planned for planned, actual in pairs)
        if not ratios:
            raise SimulationInputError("actuals", "no finished operation with a planned time")
        return cls(ratios=ratios, mtbf=mtbf, mttr=mttr)

    @property
    def deterministic_times(self) -> bool:
        """True when every operation takes exactly its planned working minutes."""
        return not self.ratios and self.cv == 0


@dataclass(frozen=True, slots=True)
class ReleaseDelay:
    """How late an operation's material arrives compared with the planned release, in days.

    With `days_late` (a supplier's history; negative means early) a replication draws one of
    them; otherwise the material is late with `probability`, by an exponential number of days
    with mean `mean_days`.
    """

    probability: float = 0.0
    mean_days: float = 0.0
    days_late: Sequence[float] = ()


@dataclass(frozen=True, slots=True)
class Supply:
    """Supplier lead-time variability: `delays` per operation key; `default` applies to every
    other operation that waits for material (its own release is after minute 0), because an
    operation without a material date has nothing a supplier could deliver late."""

    delays: Mapping[str, ReleaseDelay] = field(default_factory=dict)
    default: ReleaseDelay | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One planned operation, compiled for replay.

    `floor_release` is the part of its release no supplier moves (job release, pin);
    `own_release` the planned material arrival that a `ReleaseDelay` shifts. `setup` is the
    changeover after the previous operation in the resource's plan order (from minute 0 for
    the first one), as the scheduler counts it: clock minutes, outside the calendar.
    """

    operation: str
    job: str
    resource: str
    planned_start: int
    planned_end: int
    minutes: int
    floor_release: int
    own_release: int
    predecessors: tuple[str, ...]
    setup: int
    frozen: bool
    delay: ReleaseDelay | None


class SimulationModel:
    """A plan to execute under uncertainty; raises SimulationInputError on any bad input.

    `plan` is the scheduler's schedule (a sequence of ScheduledOperation or the dict of
    `Result.schedule`). With `hold_to_plan` (the default) no operation starts before its
    planned start, as on a floor that releases work by the plan; without it the floor runs
    ahead whenever work is ready. Resources absent from `variability` use `default`.
    """

    def __init__(
        self,
        problem: ProblemData,
        plan: Mapping[str, ScheduledOperation] | Iterable[ScheduledOperation],
        variability: Mapping[str, Variability] | None = None,
        default: Variability | None = None,
        *,
        supply: Supply | None = None,
        hold_to_plan: bool = True,
    ) -> None:
        issues = check_problem(problem)
        if issues:
            raise SimulationInputError("problem", "; ".join(str(i) for i in issues))
        self.problem = problem
        self.hold_to_plan = hold_to_plan
        self.default = default or Variability()
        self.variability = dict(variability or {})
        self.supply = supply or Supply()
        _check_variability(problem, self.variability, self.default)
        _check_supply(problem, self.supply)
        entries = list(plan.values()) if isinstance(plan, Mapping) else list(plan)
        placed = _check_plan(problem, entries)
        self.resources: dict[str, Resource] = {r.key: r for r in problem.resources}
        self.steps: dict[str, Step] = _compile(problem, placed, self.supply)
        self.sequences: dict[str, tuple[Step, ...]] = _sequences(
            problem, self.steps, self.resources
        )
        self.jobs: dict[str, tuple[str, ...]] = {j.key: () for j in problem.jobs}
        for op in problem.operations:
            self.jobs[op.job] += (op.key,)
        self.due: dict[str, int | None] = {j.key: j.due for j in problem.jobs}
        self.planned_finish: dict[str, int] = {
            job: max((self.steps[o].planned_end for o in ops), default=0)
            for job, ops in self.jobs.items()
        }
        self._base = {r.key: WorkingTime(r.calendar, problem.horizon) for r in problem.resources}

    def variability_of(self, resource: str) -> Variability:
        return self.variability.get(resource, self.default)

    @property
    def calendar_period(self) -> int:
        return min(CALENDAR_PERIOD, self.problem.horizon)

    def working_time(self, resource: str, until: int) -> WorkingTime:
        """The resource's calendar up to at least `until`, its last period repeated past the
        horizon (identical to the scheduler's inside the horizon)."""
        base = self._base[resource]
        horizon, period = self.problem.horizon, self.calendar_period
        if until <= horizon:
            return base
        intervals = list(zip(base.starts, base.ends, strict=True))
        pattern = [(max(a, horizon - period), b) for a, b in intervals if b > horizon - period]
        end, shift = horizon, 0
        while end < until:
            shift += period
            end += period
            intervals += [(a + shift, b + shift) for a, b in pattern]
        return WorkingTime(intervals, end)


def _check_variability(
    problem: ProblemData, variability: Mapping[str, Variability], default: Variability
) -> None:
    known = {r.key for r in problem.resources}
    for key, var in variability.items():
        if key not in known:
            raise SimulationInputError(
                f"variability[{key!r}]", "names a resource the problem does not have"
            )
        _check_one_variability(f"variability[{key!r}]", var)
    _check_one_variability("default", default)


def _check_one_variability(where: str, var: Variability) -> None:
    if not math.isfinite(var.cv) or var.cv < 0:
        raise SimulationInputError(f"{where}.cv", f"must be a finite number >= 0, got {var.cv}")
    for ratio in var.ratios:
        if not math.isfinite(ratio) or ratio <= 0:
            raise SimulationInputError(
                f"{where}.ratios", f"actual/planned ratios must be positive, got {ratio}"
            )
    if (var.mtbf is None) != (var.mttr is None):
        raise SimulationInputError(
            f"{where}.mttr" if var.mttr is None else f"{where}.mtbf",
            "breakdowns need both a mean time between failures and a mean time to repair",
        )
    for name, value in (("mtbf", var.mtbf), ("mttr", var.mttr)):
        if value is not None and (not math.isfinite(value) or value <= 0):
            raise SimulationInputError(
                f"{where}.{name}", f"must be a positive number of minutes, got {value}"
            )


def _check_supply(problem: ProblemData, supply: Supply) -> None:
    known = {o.key for o in problem.operations}
    for key, delay in supply.delays.items():
        if key not in known:
            raise SimulationInputError(
                f"supply.delays[{key!r}]", "names an operation the problem does not have"
            )
        _check_delay(f"supply.delays[{key!r}]", delay)
    if supply.default is not None:
        _check_delay("supply.default", supply.default)


def _check_delay(where: str, delay: ReleaseDelay) -> None:
    if not 0 <= delay.probability <= 1:
        raise SimulationInputError(
            f"{where}.probability", f"must lie between 0 and 1, got {delay.probability}"
        )
    if not math.isfinite(delay.mean_days) or delay.mean_days < 0:
        raise SimulationInputError(
            f"{where}.mean_days", f"must be a finite number >= 0, got {delay.mean_days}"
        )
    for days in delay.days_late:
        if not math.isfinite(days):
            raise SimulationInputError(f"{where}.days_late", f"must be finite, got {days}")


def _check_plan(
    problem: ProblemData, entries: Sequence[ScheduledOperation]
) -> dict[str, ScheduledOperation]:
    ops = {o.key: o for o in problem.operations}
    resources = {r.key for r in problem.resources}
    frozen = {f.operation: f for f in problem.frozen}
    placed: dict[str, ScheduledOperation] = {}
    for entry in entries:
        where = f"plan[{entry.operation!r}]"
        op = ops.get(entry.operation)
        if op is None:
            raise SimulationInputError(where, "names an operation the problem does not have")
        if entry.operation in placed:
            raise SimulationInputError(where, "the operation is planned more than once")
        if entry.resource not in resources:
            raise SimulationInputError(
                where, f"runs on {entry.resource!r}, a resource the problem does not have"
            )
        if entry.resource not in {m.resource for m in op.modes}:
            raise SimulationInputError(
                where, f"runs on {entry.resource!r}, which is not one of the operation's modes"
            )
        if entry.end <= entry.start:
            raise SimulationInputError(
                where, f"ends at {entry.end}, not after its start at {entry.start}"
            )
        fixed = frozen.get(entry.operation)
        if fixed is not None and (fixed.resource, fixed.start, fixed.end) != (
            entry.resource,
            entry.start,
            entry.end,
        ):
            raise SimulationInputError(where, "differs from the frozen operation it must keep")
        placed[entry.operation] = entry
    for key in ops:
        if key not in placed:
            raise SimulationInputError(f"plan[{key!r}]", "the operation has no planned slot")
    _check_precedence(problem.operations, placed)
    return placed


def _check_precedence(
    operations: Sequence[Operation], placed: Mapping[str, ScheduledOperation]
) -> None:
    """A plan whose order contradicts precedence would deadlock the replay (a resource
    waiting, in plan order, for work that waits for it), so it is refused up front."""
    for op in operations:
        after = placed[op.key]
        for pred in op.predecessors:
            before = placed[pred]
            if before.end > after.start:
                raise SimulationInputError(
                    f"plan[{op.key!r}]",
                    f"starts at {after.start}, before its predecessor {pred!r} ends "
                    f"at {before.end}",
                )


def _compile(
    problem: ProblemData, placed: Mapping[str, ScheduledOperation], supply: Supply
) -> dict[str, Step]:
    jobs = {j.key: j for j in problem.jobs}
    pins = {p.operation: p for p in problem.pins}
    frozen = {f.operation for f in problem.frozen}
    steps: dict[str, Step] = {}
    for op in problem.operations:
        entry = placed[op.key]
        pin = pins.get(op.key)
        floor = max(jobs[op.job].release, (pin.not_before or 0) if pin else 0)
        delay = supply.delays.get(op.key)
        if delay is None and op.release > 0:
            delay = supply.default
        steps[op.key] = Step(
            operation=op.key,
            job=op.job,
            resource=entry.resource,
            planned_start=entry.start,
            planned_end=entry.end,
            minutes=next(m.duration for m in op.modes if m.resource == entry.resource),
            floor_release=floor,
            own_release=op.release,
            predecessors=tuple(op.predecessors),
            setup=0,
            frozen=op.key in frozen,
            delay=delay,
        )
    return steps


def _sequences(
    problem: ProblemData, steps: dict[str, Step], resources: Mapping[str, Resource]
) -> dict[str, tuple[Step, ...]]:
    """Each resource's plan order, with the changeover before each step filled in."""
    classes = {o.key: o.setup_class for o in problem.operations}
    out: dict[str, tuple[Step, ...]] = {}
    for key, res in resources.items():
        planned = sorted(
            (s for s in steps.values() if s.resource == key),
            key=lambda s: (s.planned_start, s.planned_end, s.operation),
        )
        before = res.initial_setup_class
        sequence = []
        for step in planned:
            after = classes[step.operation]
            compiled = replace(step, setup=_changeover(res, before, after))
            steps[step.operation] = compiled
            sequence.append(compiled)
            before = after
        out[key] = tuple(sequence)
    return out


def _changeover(res: Resource, before: str | None, after: str | None) -> int:
    """Same rule as the scheduler: no class on either side costs nothing; a listed pair
    costs its minutes; other different classes the resource's default."""
    if before is None or after is None:
        return 0
    default = 0 if before == after else res.default_setup
    return res.setup_times.get((before, after), default)
