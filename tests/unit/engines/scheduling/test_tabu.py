"""The tabu search on random shops: every plan it reports is feasible and really that good.

Random instances here are what the tabu search accepts (makespan, continuous time, no
changeovers) but with what plain job shops lack: assemblies (an operation waiting for
several others), alternative machines with their own durations and release dates.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderforge.engines.scheduling import (
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    SolverSettings,
    solve,
    validate,
)
from orderforge.engines.scheduling.dispatching import best_dispatch
from orderforge.engines.scheduling.indexed import index_problem
from orderforge.engines.scheduling.plan import Plan, evaluate
from orderforge.engines.scheduling.problem import ScheduledOperation
from orderforge.engines.scheduling.tabu import TabuSearch, applies

from .builders import op, problem


@st.composite
def shops(draw: st.DrawFn) -> ProblemData:
    n_res = draw(st.integers(1, 4))
    keys = [f"m{r}" for r in range(n_res)]
    jobs, ops = [], []
    for j in range(draw(st.integers(1, 6))):
        jobs.append(Job(f"J{j}", release=draw(st.integers(0, 30))))
        made: list[str] = []
        for k in range(draw(st.integers(1, 5))):
            machines = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=2, unique=True))
            modes = tuple(Mode(m, draw(st.integers(1, 25))) for m in machines)
            # an assembly step may wait for any earlier steps of its job, not just the last
            preds = tuple(p for p in made if draw(st.booleans())) if made else ()
            key = f"J{j}.{k}"
            ops.append(Operation(key, f"J{j}", modes, preds))
            made.append(key)
    return ProblemData(tuple(jobs), tuple(ops), tuple(Resource(k) for k in keys), 2000)


def _schedule(prob: ProblemData, plan: Plan) -> list[ScheduledOperation]:
    ix = index_problem(prob)
    return [
        ScheduledOperation(ix.op_keys[o], ix.res_keys[plan.resource[o]], plan.start[o], plan.end[o])
        for o in range(ix.n_ops)
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shops(), st.integers(0, 5))
def test_every_plan_the_tabu_search_reports_is_feasible(prob: ProblemData, seed: int) -> None:
    ix = index_problem(prob)
    if not applies(ix):  # a single operation: nothing to search
        return
    start = best_dispatch(ix, 0.05)
    reported: list[Plan] = []
    best = TabuSearch(ix, start, seed).run(time.monotonic() + 0.15, reported.append)
    for plan in [*reported, best]:
        assert validate(prob, _schedule(prob, plan)) == []
    assert evaluate(ix, best).makespan <= evaluate(ix, start).makespan
    if reported:
        assert evaluate(ix, best).makespan == evaluate(ix, reported[-1]).makespan


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shops(), st.sampled_from([1, 2]))
def test_solve_with_tabu_beside_cpsat_is_feasible(prob: ProblemData, workers: int) -> None:
    """One worker: tabu search, then CP-SAT; two: both at once, sharing the best plan."""
    result = solve(prob, SolverSettings(time_limit=0.6, num_workers=workers))
    assert validate(prob, result.schedule) == []
    assert result.lower_bound <= result.objective


def test_finds_the_optimum_of_a_small_job_shop_alone() -> None:
    """Two jobs, two machines, opposite routes (3+2 and 2+3): makespan 5 is optimal and
    only reached by starting each job on a different machine."""
    ops = [
        op("a1", "A", {"m0": 3}),
        op("a2", "A", {"m1": 2}, ["a1"]),
        op("b1", "B", {"m1": 3}),
        op("b2", "B", {"m0": 2}, ["b1"]),
        op("c1", "C", {"m0": 1}),
    ]
    prob = problem([Job("A"), Job("B"), Job("C")], ops, [Resource("m0"), Resource("m1")])
    ix = index_problem(prob)
    # m1 runs A's second step before B's first: B cannot start until 6 and ends at 11
    worst = Plan([0, 1, 1, 0, 0], [1, 4, 6, 9, 0], [4, 6, 9, 11, 1])
    assert evaluate(ix, worst).makespan == 11
    best = TabuSearch(ix, worst, 0).run(time.monotonic() + 0.3, lambda _: None)
    assert evaluate(ix, best).makespan == 6  # m0 carries 3 + 2 + 1 = 6: the machine bound
    assert validate(prob, _schedule(prob, best)) == []


def test_moves_operations_to_a_faster_alternative() -> None:
    """One job of two steps; the second may run on m1 in 10 or on m2 in 2. Starting from the
    slow machine, the search must reassign it: makespan 5 + 2 = 7."""
    ops = [op("a", "J", {"m0": 5}), op("b", "J", {"m1": 10, "m2": 2}, ["a"])]
    prob = problem([Job("J")], ops, [Resource("m0"), Resource("m1"), Resource("m2")])
    ix = index_problem(prob)
    slow = Plan([0, 1], [0, 5], [5, 15])
    best = TabuSearch(ix, slow, 0).run(time.monotonic() + 0.2, lambda _: None)
    assert evaluate(ix, best).makespan == 7
    assert best.resource[1] == 2
