"""Large neighbourhood search: re-optimise a slice of the plan with CP-SAT, keep the rest.

A slice is either a time window (every movable operation inside it), a few resources
inside a wider window, or a few jobs. The current plan is always a solution of the slice,
so a neighbourhood can never make things worse; the slice size adapts so each CP-SAT call
usually proves its slice optimal within its short time limit.
"""

from __future__ import annotations

import random
import time
from bisect import bisect_left
from collections.abc import Callable

from ortools.sat.python import cp_model

from orderforge.engines.scheduling.cpsat_model import ModelBuilder, make_solver, read_plan
from orderforge.engines.scheduling.indexed import IndexedProblem
from orderforge.engines.scheduling.plan import Plan
from orderforge.engines.scheduling.problem import SolverSettings

MIN_SIZE, MAX_SIZE = 12, 1500
JOB_SLICE_LIMIT = 3000  # beyond this a job slice spans too many fixed operations


def time_cap(ix: IndexedProblem, plan: Plan) -> int:
    """How far past the current plan's end a neighbourhood may push work.

    Without calendars, the horizon. With calendars, twice the plan's span (at least a week
    more): the calendar windows a long horizon would add to every model cost presolve time
    and never hold a better plan."""
    if all(cal.continuous for cal in ix.calendars):
        return ix.horizon
    end = max(plan.end, default=0)
    return min(ix.horizon, end + max(end, 7 * 1440))


def choose_slice(
    ix: IndexedProblem, plan: Plan, rng: random.Random, size: int, cap: int | None = None
) -> tuple[list[int], tuple[int, int]]:
    """Pick free operations and the window they must stay in."""
    cap = ix.horizon if cap is None else cap
    movable = [o for o in range(ix.n_ops) if o not in ix.frozen]
    movable.sort(key=lambda o: plan.start[o])
    if len(movable) <= size:
        return movable, (0, cap)
    kind = rng.random()
    if kind < 0.5:
        centre = rng.randrange(len(movable))
        lo_i = max(0, min(centre - size // 2, len(movable) - size))
        chosen = movable[lo_i : lo_i + size]
    elif kind < 0.8 or ix.n_ops > JOB_SLICE_LIMIT:
        chosen = _resource_slice(ix, plan, movable, rng, size)
    else:
        chosen = _job_slice(ix, movable, rng, size)
    lo = min(plan.start[o] for o in chosen)
    hi = max(plan.end[o] for o in chosen)
    if hi >= max(plan.end):
        hi = cap
    return chosen, (lo, hi)


def _resource_slice(
    ix: IndexedProblem, plan: Plan, movable: list[int], rng: random.Random, size: int
) -> list[int]:
    n_res = len(ix.res_keys)
    picked = set(rng.sample(range(n_res), max(1, min(n_res, rng.randint(2, 4)))))
    on_picked = [o for o in movable if plan.resource[o] in picked]
    if len(on_picked) <= size:
        return on_picked or movable[:size]
    starts = [plan.start[o] for o in on_picked]
    centre = rng.randrange(len(on_picked))
    lo_i = max(0, min(centre - size // 2, len(on_picked) - size))
    lo_i = bisect_left(starts, starts[lo_i])
    return on_picked[lo_i : lo_i + size]


def _job_slice(ix: IndexedProblem, movable: list[int], rng: random.Random, size: int) -> list[int]:
    # among the jobs that have free operations: a replan may hold most jobs entirely
    free_jobs = sorted({ix.op_job[o] for o in movable})
    per_job = max(1, len(movable) // max(1, len(free_jobs)))
    wanted = set(rng.sample(free_jobs, max(1, min(len(free_jobs), size // per_job))))
    return [o for o in movable if ix.op_job[o] in wanted]


def search(
    ix: IndexedProblem,
    plan: Plan,
    settings: SolverSettings,
    deadline: float,
    offer: Callable[[Plan], bool],
    cap: int | None = None,
) -> None:
    """Improve `plan` by neighbourhoods until `deadline`; every improvement goes to `offer`."""
    rng = random.Random(settings.random_seed)
    if len(ix.frozen) >= ix.n_ops:
        return  # nothing to move
    # start small: a first slice that cannot be solved inside its share of the time limit
    # (big changeover circuits take seconds to build and presolve) wastes the whole run
    size = max(MIN_SIZE, min(50, ix.n_ops // 4))
    current = plan
    iteration = 0
    while time.monotonic() < deadline - 0.05:
        iteration += 1
        free, window = choose_slice(ix, current, rng, size, cap)
        left = deadline - time.monotonic()
        sub = ModelBuilder(ix, current, free, window).build()
        solver = make_solver(settings, min(left, 2.0), seed_offset=iteration)
        status = solver.solve(sub.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            candidate = current.copy()
            read_plan(solver, sub, candidate)
            if offer(candidate) or rng.random() < 0.3:
                current = candidate
        grow = status == cp_model.OPTIMAL
        size = max(MIN_SIZE, min(MAX_SIZE, round(size * (1.1 if grow else 0.8))))
