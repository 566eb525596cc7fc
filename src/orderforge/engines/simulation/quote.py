"""One quote replayed under uncertainty: how sure the plant can be of a promised finish.

Capable-to-promise (`engines.scheduling.insertion`) puts a new job into the time a plan
leaves free and answers with one finish minute: the finish if every operation takes its
planned minutes. This module replays that same insertion on a simulated floor, many times,
so the answer becomes a distribution of finishes.

What is replayed is small on purpose, because a sales person waits for it: the new job's
operations where the insertion put them, and on each unit they use the work queued just
ahead of them (the busy time before the job's last operation there, cut at the unit's
working intervals; before the job's first operation on the unit, at most `queue` pieces
and only as far back as an overrun that happens one time in twenty could still reach it).
Both the new job and the queue ahead of it stray as `variability` says, so an overrunning
job ahead on the unit delays the quote as it would on the floor. Work on units the quote
does not use, and how delays travel between other orders' operations, are not replayed:
the plant-wide study (`montecarlo`) answers that, in minutes, not in a request.

With deterministic times the replay gives the insertion's finish back exactly (the model
holds to the plan and every slot is free), which the tests hold it to.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence

from orderforge.engines.scheduling.calendar import WorkingTime
from orderforge.engines.scheduling.insertion import Insertion, NewOperation, Unit
from orderforge.engines.scheduling.problem import (
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
)
from orderforge.engines.simulation.errors import SimulationInputError
from orderforge.engines.simulation.execute import run
from orderforge.engines.simulation.model import SimulationModel, Variability

#: The job key the quoted work gets in the replayed model.
QUOTE = "quote"
#: Pieces of other work replayed ahead of the quote's first operation on each unit: enough
#: for a run of overruns to reach it, few enough to answer while the customer waits.
QUEUE = 8
#: Work ahead is replayed only if an overrun this likely to be exceeded (one in twenty)
#: would reach the quote across the free time in between.
STRETCH_LEVEL = 0.95
STRETCH_Z = 1.6449  # the standard normal's 95th percentile, for a lognormal spread


def quote_model(
    units: Mapping[str, Unit],
    operations: Sequence[NewOperation],
    placed: Insertion,
    horizon: int,
    variability: Mapping[str, Variability],
    now: int = 0,
    queue: int = QUEUE,
) -> SimulationModel:
    """The insertion `placed` (of `operations` into `units`, asked at minute `now`) as a
    model to replay; work ahead of it before `now` is not replayed (it is the floor's,
    done or running). SimulationInputError when the insertion did not place every
    operation."""
    if placed.unplaced or not placed.placements:
        raise SimulationInputError("placed", "only a quote with every operation placed has a date")
    spots = placed.placements
    used = sorted({p.resource for p in spots.values()})
    jobs = [Job(QUOTE, release=0)]
    ops: list[Operation] = []
    plan: list[ScheduledOperation] = []
    for op in operations:
        spot = spots[op.key]
        duration = next(m.duration for m in op.modes if m.resource == spot.resource)
        ops.append(
            Operation(
                f"{QUOTE}/{op.key}",
                QUOTE,
                (Mode(spot.resource, duration),),
                tuple(f"{QUOTE}/{p}" for p in op.predecessors if p in spots),
                release=max(op.release, 0),
            )
        )
        plan.append(ScheduledOperation(f"{QUOTE}/{op.key}", spot.resource, spot.start, spot.end))
    for key in used:
        mine = [p for p in spots.values() if p.resource == key]
        span = (min(p.start for p in mine), max(p.start for p in mine))
        reach = _stretch(variability.get(key, Variability()))
        pieces = _ahead(units[key], horizon, now, span, (queue, reach))
        for n, (a, b) in enumerate(pieces):
            name = f"ahead/{key}/{n}"
            jobs.append(Job(name, release=a))
            ops.append(Operation(name, name, (Mode(key, b - a),)))
            plan.append(ScheduledOperation(name, key, a, b))
    resources = [Resource(key, units[key].calendar, units[key].interruptible) for key in used]
    problem = ProblemData(tuple(jobs), tuple(ops), tuple(resources), horizon)
    known = {k: v for k, v in variability.items() if k in used}
    return SimulationModel(problem, plan, known, hold_to_plan=True)


def _stretch(var: Variability) -> float:
    """How much longer than planned work on the unit runs in the worst one in twenty
    draws (the ratio's 95th percentile, minus 1): how far an overrun can reach."""
    if var.ratios:
        ordered = sorted(var.ratios)
        high = ordered[max(0, math.ceil(STRETCH_LEVEL * len(ordered)) - 1)]
    elif var.cv > 0:
        sigma = math.sqrt(math.log1p(var.cv * var.cv))
        high = math.exp(-sigma * sigma / 2 + STRETCH_Z * sigma)
    else:
        return 0.0
    return max(high - 1.0, 0.0)


def _ahead(
    unit: Unit, horizon: int, now: int, mine: tuple[int, int], limits: tuple[int, float]
) -> list[tuple[int, int]]:
    """The unit's busy time from `now` to the start of the quote's last operation on it,
    in pieces that each lie in one working interval (so uninterruptible pieces fit where
    they were planned): every piece between the quote's first and last operation there,
    and those just before the first that could reach it (`_reaching`)."""
    first, last = mine
    time = unit.working if unit.working is not None else WorkingTime(unit.calendar, horizon)
    merged: list[list[int]] = []
    for a, b in sorted((max(a, now), b) for a, b in unit.busy if b > max(a, now) and a < last):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    pieces: list[tuple[int, int]] = []
    for a, b in merged:
        k = bisect_right(time.ends, a)
        while k < len(time.starts) and time.starts[k] < min(b, last):
            lo, hi = max(a, time.starts[k]), min(b, time.ends[k])
            if hi > lo:
                pieces.append((lo, hi))
            k += 1
    before = [p for p in pieces if p[0] < first]
    between = [p for p in pieces if p[0] >= first]
    return _reaching(before, first, time, limits) + between


def _reaching(
    before: list[tuple[int, int]], first: int, time: WorkingTime, limits: tuple[int, float]
) -> list[tuple[int, int]]:
    """The pieces just before `first` that could still delay it: back from `first`, at
    most `queue` of them, stopping at the first piece followed by more free working time
    than it overruns by in one draw in twenty (`reach` times its length)."""
    queue, reach = limits
    kept: list[tuple[int, int]] = []
    after = first
    for start, end in reversed(before):
        if len(kept) >= queue:
            break
        if time.working_minutes(min(end, after), after) > (end - start) * reach:
            break
        kept.append((start, end))
        after = start
    return kept[::-1]


def quote_finishes(model: SimulationModel, seeds: Sequence[int]) -> list[int]:
    """The quoted job's finish minute in one replication per seed (seed order)."""
    return [run(model, seed).finish[QUOTE] for seed in seeds]
