"""One replication: the plan executed on a simulated floor, as a SimPy process network.

Each resource is a process that works its planned operations in plan order (the schedule
decides the sequence, the floor executes it). An operation starts once its resource is free
and set up, its predecessors are done, its material is there and, when the model holds to
the plan, its planned start has come. It then consumes working minutes of the resource's
calendar with the scheduler's own semantics (calendar.py): interruptible work pauses over
closed time, uninterruptible work waits for a working interval its planned minutes fit in.
A breakdown process per failing resource interrupts the work in progress, which resumes once
the repair is done. With deterministic times and no breakdowns or late material, the replay
reproduces the plan minute for minute; the tests hold it to that.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

import simpy

from orderforge.engines.scheduling.calendar import WorkingTime
from orderforge.engines.simulation.errors import SimulationError
from orderforge.engines.simulation.model import (
    MINUTES_PER_DAY,
    ReleaseDelay,
    SimulationModel,
    Step,
    Variability,
)

#: How far past the horizon a calendar may be repeated, in multiples of horizon plus one
#: period, before a replication gives up on an operation that never fits.
EXTENSION_LIMIT = 16

Process = Generator[simpy.Event, Any, None]


@dataclass(frozen=True, slots=True)
class OperationRun:
    """What happened to one operation: `minutes` is the working time it actually needed,
    `release` when its material was there."""

    operation: str
    resource: str
    start: int
    end: int
    minutes: int
    release: int


@dataclass(frozen=True, slots=True)
class ResourceUse:
    """Busy, down (under repair) and available (calendar working) minutes of one resource
    from minute 0 to the end of the replication; `breakdowns` lists each repair as
    [failure, repaired) so a Gantt chart can show it."""

    resource: str
    busy: int
    down: int
    available: int
    breakdowns: tuple[tuple[int, int], ...] = ()

    @property
    def utilisation(self) -> float:
        return self.busy / self.available if self.available else 0.0


@dataclass(frozen=True, slots=True)
class Replication:
    """One simulated execution of the plan; plain data, so workers can ship it anywhere.

    `finish` is each job's last operation end; `wip` the number of jobs started and not yet
    finished, as (minute, count from that minute on) change points starting at minute 0.
    """

    seed: int
    operations: Mapping[str, OperationRun]
    finish: Mapping[str, int]
    resources: Mapping[str, ResourceUse]
    wip: tuple[tuple[int, int], ...]
    makespan: int

    @property
    def mean_wip(self) -> float:
        """Time-weighted average WIP over [0, makespan)."""
        if self.makespan <= 0:
            return 0.0
        area = 0
        for (t, count), (t_next, _) in zip(
            self.wip, (*self.wip[1:], (self.makespan, 0)), strict=True
        ):
            area += count * (t_next - t)
        return area / self.makespan


class _Calendar:
    """A resource's working time that grows past the horizon as late work needs it."""

    def __init__(self, model: SimulationModel, resource: str) -> None:
        self.model = model
        self.resource = resource
        self.limit = EXTENSION_LIMIT * (model.problem.horizon + model.calendar_period)
        self.time: WorkingTime = model.working_time(resource, model.problem.horizon)

    def _grow(self, t: int, what: str) -> None:
        until = max(2 * self.time.horizon, t + self.model.calendar_period)
        if self.time.horizon >= self.limit:
            raise SimulationError(
                f"Resource {self.resource!r} has no working time for {what} after minute {t}, "
                f"not even with its calendar repeated up to minute {self.limit}."
            )
        self.time = self.model.working_time(self.resource, min(until, self.limit))

    def open_from(self, t: int, what: str) -> tuple[int, int]:
        """The first working minute at or after `t` and the end of its working interval."""
        while True:
            k = bisect_right(self.time.ends, t)
            if k < len(self.time.starts):
                return max(t, self.time.starts[k]), self.time.ends[k]
            self._grow(t, what)

    def fit(self, t: int, minutes: int, what: str) -> int:
        """Earliest start at or after `t` of `minutes` inside one working interval."""
        while True:
            slot = self.time.earliest(t, minutes, interruptible=False)
            if slot is not None:
                return slot[0]
            self._grow(t, what)

    def after_working(self, t: int, minutes: int) -> int | None:
        """The clock minute `minutes` working minutes after `t`, or None past the limit."""
        while True:
            k = bisect_right(self.time.ends, t)
            if k < len(self.time.starts):
                end = self.time.stretch(max(t, self.time.starts[k]), minutes, k)
                if end is not None:
                    return end
            if self.time.horizon >= self.limit:
                return None
            self._grow(t, "the next failure")

    def working_minutes(self, start: int, end: int) -> int:
        while self.time.horizon < end and self.time.horizon < self.limit:
            self._grow(end, "the utilisation")
        return self.time.working_minutes(start, end)


@dataclass(slots=True)
class _ResourceState:
    calendar: _Calendar
    worker: simpy.Process | None = None
    working: bool = False
    down_until: int = 0
    busy: int = 0
    failures: list[tuple[int, int]] = field(default_factory=list)


def run(model: SimulationModel, seed: int) -> Replication:
    """Execute the plan once; the same model and seed always give the same replication."""
    return _Replay(model, seed).run()


def draw_minutes(var: Variability, planned: int, rng: random.Random) -> int:
    """Actual working minutes of an operation planned for `planned` minutes."""
    if var.ratios:
        ratio = rng.choice(var.ratios)
    elif var.cv > 0:
        sigma2 = math.log1p(var.cv * var.cv)
        ratio = rng.lognormvariate(-sigma2 / 2, math.sqrt(sigma2))
    else:
        return planned
    return max(1, round(planned * ratio))


def draw_delay(delay: ReleaseDelay, rng: random.Random) -> int:
    """Minutes the material arrives after its planned release (negative: early)."""
    if delay.days_late:
        days = rng.choice(delay.days_late)
    elif delay.probability > 0 and delay.mean_days > 0 and rng.random() < delay.probability:
        days = rng.expovariate(1 / delay.mean_days)
    else:
        return 0
    return round(days * MINUTES_PER_DAY)


class _Replay:
    """The process network of one replication and what it records."""

    def __init__(self, model: SimulationModel, seed: int) -> None:
        self.model = model
        self.seed = seed
        self.env = simpy.Environment()
        self.done = {key: self.env.event() for key in model.steps}
        self.runs: dict[str, OperationRun] = {}
        self.states = {key: _ResourceState(_Calendar(model, key)) for key in model.resources}

    def run(self) -> Replication:
        for key, sequence in self.model.sequences.items():
            state = self.states[key]
            state.worker = self.env.process(self._resource(key, sequence, state))
            var = self.model.variability_of(key)
            if var.mtbf is not None and var.mttr is not None and sequence:
                rng = random.Random(f"{self.seed}/breakdowns/{key}")
                self.env.process(self._breakdowns(state, var.mtbf, var.mttr, rng))
        everything = self.env.all_of(list(self.done.values()))
        try:
            self.env.run(until=everything)
        except RuntimeError as stalled:
            if "No scheduled events left" not in str(stalled):
                raise
            # the model's checks make this unreachable; say so in words if it ever happens
            raise SimulationError(f"The replay of seed {self.seed} stalled: {stalled}") from None
        return self._result()

    def _draws(self, step: Step) -> tuple[int, int]:
        """(actual working minutes, material arrival) from the operation's own stream, so
        changing one operation's or resource's variability leaves the others' draws alone."""
        var = self.model.variability_of(step.resource)
        if var.deterministic_times and step.delay is None:
            return step.minutes, max(step.floor_release, step.own_release)
        rng = random.Random(f"{self.seed}/operation/{step.operation}")
        minutes = draw_minutes(var, step.minutes, rng)
        late = draw_delay(step.delay, rng) if step.delay is not None else 0
        return minutes, max(step.floor_release, step.own_release + late, 0)

    def _resource(self, key: str, sequence: tuple[Step, ...], state: _ResourceState) -> Process:
        interruptible = self.model.resources[key].interruptible
        previous_end = 0
        for step in sequence:
            pending = [self.done[p] for p in step.predecessors if not self.done[p].triggered]
            if pending:
                yield self.env.all_of(pending)
            if step.frozen:
                start = max(self._now(), step.planned_start)
                yield self.env.timeout(start - self._now())
                end = start + step.planned_end - step.planned_start
                yield self.env.timeout(end - start)
                # it happened as recorded: closed time it spans was not work
                minutes = (
                    state.calendar.working_minutes(start, end) if interruptible else end - start
                )
                state.busy += minutes
                release = step.floor_release
            else:
                minutes, release = self._draws(step)
                ready = max(release, previous_end + step.setup)
                if self.model.hold_to_plan:
                    ready = max(ready, step.planned_start)
                if ready > self._now():
                    yield self.env.timeout(ready - self._now())
                start = yield from self._start(step, state, interruptible)
                yield from self._process(step, state, minutes, interruptible)
            previous_end = self._now()
            self.runs[step.operation] = OperationRun(
                step.operation, key, start, previous_end, minutes, release
            )
            self.done[step.operation].succeed()

    def _now(self) -> int:
        return int(self.env.now)

    def _start(
        self, step: Step, state: _ResourceState, interruptible: bool
    ) -> Generator[simpy.Event, Any, int]:
        """Wait for the first minute the operation may start: resource repaired and, as the
        scheduler would place it, inside working time (uninterruptible: where its planned
        minutes fit one interval; the floor cannot know the actual ones beforehand)."""
        what = f"operation {step.operation!r}"
        while True:
            now = self._now()
            if now < state.down_until:
                yield self.env.timeout(state.down_until - now)
                continue
            if interruptible:
                start, _ = state.calendar.open_from(now, what)
            else:
                start = state.calendar.fit(now, step.minutes, what)
            if start == now:
                return now
            yield self.env.timeout(start - now)

    def _process(
        self, step: Step, state: _ResourceState, minutes: int, interruptible: bool
    ) -> Process:
        """Consume `minutes` working minutes; interruptible work pauses over closed time,
        uninterruptible work runs on (overtime) once started, pausing only for repairs."""
        what = f"operation {step.operation!r}"
        remaining = minutes
        while remaining > 0:
            now = self._now()
            if now < state.down_until:
                yield self.env.timeout(state.down_until - now)
                continue
            chunk = remaining
            if interruptible:
                opens, closes = state.calendar.open_from(now, what)
                if opens > now:
                    yield self.env.timeout(opens - now)
                    continue
                chunk = min(remaining, closes - now)
            state.working = True
            try:
                yield self.env.timeout(chunk)
            except simpy.Interrupt:
                pass  # a breakdown: what was done counts, the rest waits for the repair
            finally:
                state.working = False
            worked = self._now() - now
            remaining -= worked
            state.busy += worked

    def _breakdowns(
        self, state: _ResourceState, mtbf: float, mttr: float, rng: random.Random
    ) -> Process:
        while True:
            to_failure = max(1, round(rng.expovariate(1 / mtbf)))
            at = state.calendar.after_working(self._now(), to_failure)
            if at is None:
                return
            yield self.env.timeout(at - self._now())
            repair = max(1, round(rng.expovariate(1 / mttr)))
            state.down_until = self._now() + repair
            state.failures.append((self._now(), repair))
            if state.working and state.worker is not None:
                state.worker.interrupt("breakdown")
            yield self.env.timeout(repair)

    def _result(self) -> Replication:
        makespan = max((r.end for r in self.runs.values()), default=0)
        finish: dict[str, int] = {}
        changes: dict[int, int] = {}
        for job, ops in self.model.jobs.items():
            if not ops:
                continue
            started = min(self.runs[o].start for o in ops)
            finish[job] = max(self.runs[o].end for o in ops)
            changes[started] = changes.get(started, 0) + 1
            changes[finish[job]] = changes.get(finish[job], 0) - 1
        wip: list[tuple[int, int]] = [(0, 0)]
        count = 0
        for t in sorted(changes):
            count += changes[t]
            if t == wip[-1][0]:
                wip[-1] = (t, count)
            elif count != wip[-1][1]:
                wip.append((t, count))
        resources = {
            key: ResourceUse(
                key,
                state.busy,
                sum(min(repair, makespan - t) for t, repair in state.failures if t < makespan),
                state.calendar.working_minutes(0, makespan),
                tuple((t, t + repair) for t, repair in state.failures if t < makespan),
            )
            for key, state in self.states.items()
        }
        ordered = {key: self.runs[key] for key in self.model.steps}
        return Replication(self.seed, ordered, finish, resources, tuple(wip), makespan)
