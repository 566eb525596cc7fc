"""A seeded, plant-scale instance generator and the breakdown replan helper.

The generator is the engine's own stress test: thousands of orders with sub-assemblies
feeding an assembly, alternative work centres of different speeds, a paint line with
colour-family changeovers, two-shift calendars with breaks and weekends. The replan helper
turns "machine X is down from t1 to t2" into a new problem whose past is frozen and whose
reference is the current plan, so the solver can repair rather than reshuffle.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import replace

from orderforge.engines.scheduling.problem import (
    FrozenOperation,
    Interval,
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
)

DAY = 1440
WEEK = 7 * DAY
COLOURS = ("white", "grey", "red", "black")
# (group, share of the resources, interruptible): shares follow each group's load
GROUPS = (
    ("saw", 0.155, True),
    ("mill", 0.21, True),
    ("lathe", 0.155, True),
    ("paint", 0.155, False),
    ("assembly", 0.17, True),
    ("test", 0.155, False),
)


def shift_calendar(weeks: int, shifts: int, break_minutes: int = 30) -> list[Interval]:
    """Mon-Fri shifts of 8 h from 06:00, each split by a mid-shift break."""
    out: list[Interval] = []
    for day in range(weeks * 7):
        if day % 7 >= 5:
            continue
        for shift in range(shifts):
            begin = day * DAY + 360 + shift * 480
            middle = begin + 240
            out += [(begin, middle), (middle + break_minutes, begin + 480)]
    return out


def _resources(rng: random.Random, n_resources: int, weeks: int) -> dict[str, list[Resource]]:
    groups: dict[str, list[Resource]] = {}
    paint_setup = {
        (a, b): (0 if a == b else 20 + 15 * abs(i - k))
        for i, a in enumerate(COLOURS)
        for k, b in enumerate(COLOURS)
    }
    counts = [max(1, round(share * n_resources)) for _, share, _ in GROUPS]
    counts[-2] += n_resources - sum(counts)
    for (name, _, interruptible), count in zip(GROUPS, counts, strict=True):
        members = []
        for k in range(count):
            calendar = shift_calendar(weeks, 3 if rng.random() < 0.3 else 2)
            setup = paint_setup if name == "paint" else {}
            members.append(Resource(f"{name}-{k + 1:02d}", calendar, interruptible, setup))
        groups[name] = members
    return groups


def _modes(rng: random.Random, group: list[Resource], base: int, limit: int) -> tuple[Mode, ...]:
    picked = rng.sample(group, min(len(group), rng.randint(1, 3)))
    return tuple(
        Mode(r.key, max(5, min(limit, round(base * rng.uniform(0.8, 1.3))))) for r in picked
    )


def _order(
    rng: random.Random, index: int, groups: dict[str, list[Resource]]
) -> tuple[Job, list[Operation]]:
    key = f"SO-{index + 1:05d}"
    colour = rng.choice(COLOURS)
    ops: list[Operation] = []

    def add(step: str, group: str, preds: tuple[str, ...], limit: int = 600) -> str:
        base = rng.randint(15, 130)
        op_key = f"{key}/{len(ops) + 1:02d}-{step}"
        cls = colour if group == "paint" else None
        ops.append(Operation(op_key, key, _modes(rng, groups[group], base, limit), preds, cls))
        return op_key

    a = add("saw", "saw", ())
    a = add("mill", "mill", (a,))
    if rng.random() < 0.35:
        a = add("mill", "mill", (a,))
    b = add("turn", "lathe", ())
    b = add("paint", "paint", (b,), limit=180)
    c = add("assemble", "assembly", (a, b))
    add("test", "test", (c,), limit=180)
    release = rng.randint(0, 5 * WEEK)
    work = sum(min(m.duration for m in o.modes) for o in ops)
    due = release + 5 * DAY + int(work * rng.uniform(3.0, 8.0))
    return Job(key, release, due, rng.choice((1, 1, 2, 3))), ops


def generate_plant_instance(seed: int, n_orders: int = 2000, n_resources: int = 40) -> ProblemData:
    """About 6.35 operations per order (>= 12,000 for the default 2,000 orders)."""
    rng = random.Random(seed)
    weeks = 12
    groups = _resources(rng, n_resources, weeks)
    jobs, ops = [], []
    for i in range(n_orders):
        job, job_ops = _order(rng, i, groups)
        jobs.append(job)
        ops += job_ops
    resources = tuple(r for members in groups.values() for r in members)
    return ProblemData(tuple(jobs), tuple(ops), resources, weeks * WEEK)


def _without(calendar: list[Interval], down: Interval) -> list[Interval]:
    out: list[Interval] = []
    for a, b in calendar:
        if b <= down[0] or a >= down[1]:
            out.append((a, b))
            continue
        if a < down[0]:
            out.append((a, down[0]))
        if b > down[1]:
            out.append((down[1], b))
    return out


def replan_after_breakdown(
    problem: ProblemData,
    plan: Mapping[str, ScheduledOperation],
    resource: str,
    down: Interval,
    stability_weight: int = 1,
) -> ProblemData:
    """New problem after `resource` fails during `down` = (from, to), decided at `from`.

    Operations started before the failure are frozen; one running on the failed resource
    resumes after the repair (its end moves by the downtime). Nothing else may start before
    the failure; the old plan becomes the reference so unaffected work stays put. The
    objective becomes a weighted sum (tardiness + secondary + `stability_weight` per minute
    moved), because lexicographically any tardiness gain would justify reshuffling the floor.
    """
    now = down[0]
    frozen = []
    for entry in plan.values():
        if entry.start >= now:
            continue
        end = entry.end
        if entry.resource == resource and entry.end > now:
            end += down[1] - down[0]
        frozen.append(FrozenOperation(entry.operation, entry.resource, entry.start, end))
    resources = tuple(
        replace(r, calendar=_without(list(r.calendar or [(0, problem.horizon)]), down))
        if r.key == resource
        else r
        for r in problem.resources
    )
    jobs = tuple(replace(j, release=max(j.release, now)) for j in problem.jobs)
    frozen_keys = {f.operation for f in frozen}
    pins = tuple(p for p in problem.pins if p.operation not in frozen_keys)
    objective = replace(
        problem.objective,
        lexicographic=False,  # as a mere tie-breaker stability would not hold anything in place
        stability_weight=max(problem.objective.stability_weight, stability_weight),
    )
    return replace(
        problem,
        jobs=jobs,
        resources=resources,
        frozen=tuple(frozen),
        pins=pins,
        reference=tuple(plan.values()),
        objective=objective,
    )
