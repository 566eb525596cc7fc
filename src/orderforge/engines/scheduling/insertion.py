"""Insert one new job into a plan without moving anything already planned.

Capable-to-promise asks "when could this order be finished if the plant kept every
promise it has made?". Answering that with the full optimiser would move other orders
and take seconds; a sales person needs the answer while configuring. So the new job's
operations go, in precedence order, into the time the current plan leaves free on each
unit (earliest finish over the operation's eligible units), and each placement says what
held it back. The plan that results is feasible as it stands (nothing else moved), which
is why a promise made this way can be kept by the next plan run.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from orderforge.engines.scheduling.calendar import WorkingTime
from orderforge.engines.scheduling.problem import Interval, Mode


class Bound(StrEnum):
    """What fixed an operation's start."""

    #: nothing: it starts as early as the job may start
    EARLIEST = "earliest"
    #: its own release (material not there before then)
    RELEASE = "release"
    #: a predecessor's end
    PREDECESSOR = "predecessor"
    #: closed time of the unit (night, weekend, holiday, downtime)
    CALENDAR = "calendar"
    #: the unit is busy with work already planned (other orders)
    CAPACITY = "capacity"


@dataclass(frozen=True, slots=True)
class Unit:
    """One unary resource as the insertion sees it: its working time and the intervals
    already taken by planned work (any order, merged or not)."""

    key: str
    calendar: Sequence[Interval] | None
    busy: Sequence[Interval] = ()
    interruptible: bool = False
    #: the calendar already indexed (a caller answering many questions against one
    #: calendar builds it once); None: built from `calendar` when needed
    working: WorkingTime | None = None


@dataclass(frozen=True, slots=True)
class NewOperation:
    key: str
    modes: Sequence[Mode]
    predecessors: Sequence[str] = ()
    #: earliest start minute of this operation (its materials' arrival)
    release: int = 0


@dataclass(frozen=True, slots=True)
class Placement:
    operation: str
    resource: str
    start: int
    end: int
    #: what kept it from starting earlier: CAPACITY or CALENDAR when it waited on its
    #: unit, else what made it ready (EARLIEST, RELEASE, PREDECESSOR)
    bound: Bound
    #: the predecessor whose end made it ready (the chain back), if one did
    after: str | None = None
    #: minutes the operation waited for the unit beyond its ready time and calendar
    queued: int = 0
    #: what made it ready to start: EARLIEST, RELEASE or PREDECESSOR
    ready_by: Bound = Bound.EARLIEST


@dataclass(frozen=True, slots=True)
class Insertion:
    placements: dict[str, Placement] = field(default_factory=dict)
    #: operations that fit on none of their units before the horizon
    unplaced: tuple[str, ...] = ()

    @property
    def end(self) -> int | None:
        if self.unplaced or not self.placements:
            return None
        return max(p.end for p in self.placements.values())

    def chain(self) -> list[Placement]:
        """The placements that fix the end, last first: from the last to finish back
        through the predecessors that bound each start."""
        if not self.placements:
            return []
        current: Placement | None = max(self.placements.values(), key=lambda p: (p.end, p.start))
        chain: list[Placement] = []
        while current is not None:
            chain.append(current)
            current = self.placements.get(current.after) if current.after else None
        return chain


class _Timeline:
    __slots__ = ("busy_ends", "busy_starts", "interruptible", "time")

    def __init__(self, unit: Unit, horizon: int) -> None:
        known = unit.working
        self.time = (
            known
            if known is not None and known.horizon == horizon
            else WorkingTime(unit.calendar, horizon)
        )
        merged: list[list[int]] = []
        for a, b in sorted((a, b) for a, b in unit.busy if b > a):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.busy_starts = [a for a, _ in merged]
        self.busy_ends = [b for _, b in merged]
        self.interruptible = unit.interruptible

    def _clash(self, start: int, end: int) -> int | None:
        """End of the first busy interval overlapping [start, end), if any."""
        i = bisect_right(self.busy_ends, start)
        if i < len(self.busy_starts) and self.busy_starts[i] < end:
            return self.busy_ends[i]
        return None

    def earliest(self, ready: int, duration: int) -> tuple[int, int, int] | None:
        """(start, end, start ignoring other work) of the earliest fit at or after
        `ready`, or None when it does not fit before the horizon."""
        alone = self.time.earliest(ready, duration, self.interruptible)
        if alone is None:
            return None
        t = ready
        while True:
            fit = self.time.earliest(t, duration, self.interruptible)
            if fit is None:
                return None
            clash = self._clash(*fit)
            if clash is None:
                return fit[0], fit[1], alone[0]
            t = clash


def insert(
    units: Mapping[str, Unit],
    operations: Sequence[NewOperation],
    horizon: int,
    earliest: int = 0,
) -> Insertion:
    """Place `operations` (one job, any precedence DAG among them) into the free time of
    `units`, each on the eligible unit where it ends first (ties: the mode listed first).

    Nothing already busy moves. The new operations occupy their units as they are
    placed, so two of them never overlap on one unit."""
    by_key = {op.key: op for op in operations}
    order = _topological(operations)
    # only the units the operations may use: a plant has many, a job few
    timelines: dict[str, _Timeline] = {}
    for op in operations:
        for mode in op.modes:
            if mode.resource in units and mode.resource not in timelines:
                timelines[mode.resource] = _Timeline(units[mode.resource], horizon)
    taken: dict[str, list[Interval]] = {}
    placements: dict[str, Placement] = {}
    unplaced: list[str] = []
    for key in order:
        op = by_key[key]
        if any(p in unplaced for p in op.predecessors if p in by_key):
            unplaced.append(key)
            continue
        ready, bound, after = max(earliest, 0), Bound.EARLIEST, None
        if op.release > ready:
            ready, bound = op.release, Bound.RELEASE
        for p in op.predecessors:
            if p in placements and placements[p].end > ready:
                ready, bound, after = placements[p].end, Bound.PREDECESSOR, p
        best: Placement | None = None
        for mode in op.modes:
            timeline = timelines.get(mode.resource)
            if timeline is None:
                continue
            fit = _fit(timeline, taken.get(mode.resource, []), ready, mode.duration)
            if fit is None:
                continue
            start, end, alone = fit
            why = bound
            if start > alone:
                why = Bound.CAPACITY
            elif alone > ready:
                why = Bound.CALENDAR
            candidate = Placement(
                key, mode.resource, start, end, why, after, start - alone, ready_by=bound
            )
            if best is None or (candidate.end, candidate.start) < (best.end, best.start):
                best = candidate
        if best is None:
            unplaced.append(key)
            continue
        placements[key] = best
        taken.setdefault(best.resource, []).append((best.start, best.end))
    return Insertion(placements, tuple(unplaced))


def _fit(
    timeline: _Timeline, mine: list[Interval], ready: int, duration: int
) -> tuple[int, int, int] | None:
    """The timeline's earliest fit that also avoids this job's own earlier placements."""
    t = ready
    while True:
        fit = timeline.earliest(t, duration)
        if fit is None:
            return None
        start, end, alone = fit
        clash = max((b for a, b in mine if a < end and start < b), default=None)
        if clash is None:
            first = timeline.time.earliest(ready, duration, timeline.interruptible)
            return start, end, first[0] if first is not None else alone
        t = clash


def _topological(operations: Sequence[NewOperation]) -> list[str]:
    """Keys in an order where predecessors (within the job) come first; input order
    otherwise, so the result is deterministic."""
    keys = [op.key for op in operations]
    inside = set(keys)
    pending = {op.key: {p for p in op.predecessors if p in inside} for op in operations}
    done: list[str] = []
    placed: set[str] = set()
    while len(done) < len(keys):
        progress = False
        for key in keys:
            if key not in placed and pending[key] <= placed:
                done.append(key)
                placed.add(key)
                progress = True
        if not progress:
            cycle = sorted(k for k in keys if k not in placed)
            raise ValueError(f"the operations' predecessors form a cycle: {', '.join(cycle)}")
    return done
