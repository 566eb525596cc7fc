"""The LNS slice chooser on a replan that holds most of the plant: every slice it picks
is non-empty and free (a held job's operations are frozen, never chosen)."""

from __future__ import annotations

import dataclasses
import random

from orderforge.engines.scheduling import (
    FrozenOperation,
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    SolverSettings,
    solve,
)
from orderforge.engines.scheduling.dispatching import dispatch
from orderforge.engines.scheduling.indexed import index_problem
from orderforge.engines.scheduling.neighbourhood import choose_slice


def test_slices_hold_free_operations_when_almost_every_job_is_held() -> None:
    jobs = [f"J{i:02d}" for i in range(40)]
    ops = [
        Operation(f"{j}/{k}", j, [Mode("A", 30 + i % 7), Mode("B", 35)], (f"{j}/0",) if k else ())
        for i, j in enumerate(jobs)
        for k in range(2)
    ]
    problem = ProblemData(
        tuple(Job(j) for j in jobs), tuple(ops), (Resource("A"), Resource("B")), 100_000
    )
    planned = solve(problem, SolverSettings(time_limit=1, backend="heuristic")).schedule
    free = {"J07/0", "J07/1", "J31/1"}
    held = dataclasses.replace(
        problem,
        frozen=tuple(
            FrozenOperation(k, e.resource, e.start, e.end)
            for k, e in planned.items()
            if k not in free
        ),
    )
    ix = index_problem(held)
    plan = dispatch(ix, "atc")
    for seed in range(300):
        chosen, (lo, hi) = choose_slice(ix, plan, random.Random(seed), size=2)
        assert chosen, seed
        assert {ix.op_keys[o] for o in chosen} <= free, seed
        assert lo <= min(plan.start[o] for o in chosen) and hi >= max(plan.end[o] for o in chosen)
