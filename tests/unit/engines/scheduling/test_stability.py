"""A stable plan: new work takes the room the reference plan leaves, a breakdown moves the
broken unit's work, and other orders change units only when the planner allows it.

Each case is small enough to check by hand; the objective is the one plan runs use
(lateness x 4, minutes moved, a threshold per moved operation)."""

from __future__ import annotations

import random

import pytest

from orderforge.engines.scheduling import (
    Job,
    Mode,
    Objective,
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
    SolverSettings,
    solve,
    validate,
)


def stable(min_gain: int = 120, displace: bool = False) -> Objective:
    return Objective(
        lexicographic=False,
        tardiness_weight=4,
        stability_weight=1,
        move_penalty=min_gain,
        keep_reference_resource=not displace,
    )


def _new_urgent_order(objective: Objective) -> ProblemData:
    """a1 holds [0, 10) on M (due 100); the new order n (due 10) needs M for 10 minutes.

    Taking a1's slot makes n on time (a gain of 4 x 10 weighted minutes) and moves a1 by
    10 minutes: worth it only when the threshold per move is below 30 minutes."""
    return ProblemData(
        jobs=(Job("a", due=100), Job("n", due=10)),
        operations=(
            Operation("a1", "a", (Mode("M", 10),)),
            Operation("n1", "n", (Mode("M", 10),)),
        ),
        resources=(Resource("M"),),
        horizon=200,
        reference=(ScheduledOperation("a1", "M", 0, 10),),
        objective=objective,
    )


@pytest.mark.parametrize("backend", ["heuristic", "cpsat", "auto"])
def test_a_new_order_takes_the_room_left_when_moving_gains_too_little(backend: str) -> None:
    prob = _new_urgent_order(stable(min_gain=120))
    result = solve(prob, SolverSettings(time_limit=3, backend=backend))
    assert validate(prob, result.schedule) == []
    assert (result.schedule["a1"].start, result.schedule["n1"].start) == (0, 10)


def test_below_the_threshold_the_gain_moves_the_old_plan() -> None:
    prob = _new_urgent_order(stable(min_gain=20))
    result = solve(prob, SolverSettings(time_limit=3, backend="cpsat"))
    assert (result.schedule["n1"].start, result.schedule["a1"].start) == (0, 10)


def test_the_old_lexicographic_objective_reshuffles_for_any_gain() -> None:
    # the behaviour plan runs had: any minute of lateness saved justifies any move
    prob = _new_urgent_order(Objective())
    result = solve(prob, SolverSettings(time_limit=3, backend="cpsat"))
    assert result.schedule["a1"].start == 10


def _plant(seed: int) -> tuple[ProblemData, dict[str, ScheduledOperation]]:
    """Twelve orders of three steps on six units (pairs of alternatives), planned once."""
    rng = random.Random(seed)
    units = [f"U{i}" for i in range(6)]
    jobs, ops = [], []
    for j in range(12):
        jobs.append(Job(f"J{j}", due=rng.randint(200, 600)))
        for k in range(3):
            unit = rng.randrange(0, 6, 2)
            modes = [Mode(units[unit], rng.randint(10, 40))]
            if rng.random() < 0.5:
                modes.append(Mode(units[unit + 1], modes[0].duration))
            preds = (f"J{j}.{k - 1}",) if k else ()
            ops.append(Operation(f"J{j}.{k}", f"J{j}", tuple(modes), preds))
    prob = ProblemData(tuple(jobs), tuple(ops), tuple(Resource(u) for u in units), 2000)
    first = solve(prob, SolverSettings(time_limit=2, num_workers=1, random_seed=seed))
    return prob, first.schedule


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_plan_run_with_one_more_order_keeps_every_other_operation(seed: int) -> None:
    prob, before = _plant(seed)
    new_ops = (
        Operation("N.0", "N", (Mode("U0", 20), Mode("U1", 20))),
        Operation("N.1", "N", (Mode("U2", 15),), ("N.0",)),
    )
    again = ProblemData(
        (*prob.jobs, Job("N", due=300)),
        (*prob.operations, *new_ops),
        prob.resources,
        prob.horizon,
        reference=tuple(before.values()),
        objective=stable(),
    )
    result = solve(again, SolverSettings(time_limit=2, num_workers=1))
    assert validate(again, result.schedule) == []
    moved = [k for k, s in before.items() if result.schedule[k] != s]
    assert moved == []


def _breakdown(displace: bool) -> ProblemData:
    """M breaks down for [0, 50). x (due 10) ran on M and may use A; y (due 10) holds A
    [0, 10) and may use B, which is idle; z's order uses O only. x and y weigh 10 each,
    so a minute late costs 4 x 10.

    Held to its unit, y stays and x takes A after it (late 10 minutes: 400); y waiting
    for x would cost as much and a move on top. Allowed to displace, y goes to B (a unit
    change, 60, plus the threshold, 120) so x is on time."""
    return ProblemData(
        jobs=(Job("x", due=10, weight=10), Job("y", due=10, weight=10), Job("z", due=100)),
        operations=(
            Operation("x1", "x", (Mode("M", 10), Mode("A", 10))),
            Operation("y1", "y", (Mode("A", 10), Mode("B", 10))),
            Operation("z1", "z", (Mode("O", 10),)),
            Operation("z2", "z", (Mode("O", 10),), ("z1",)),
        ),
        resources=(
            Resource("M", calendar=((50, 500),)),
            Resource("A"),
            Resource("B"),
            Resource("O"),
        ),
        horizon=500,
        reference=(
            ScheduledOperation("x1", "M", 0, 10),
            ScheduledOperation("y1", "A", 0, 10),
            ScheduledOperation("z1", "O", 0, 10),
            ScheduledOperation("z2", "O", 20, 30),
        ),
        objective=stable(displace=displace),
    )


@pytest.mark.parametrize("backend", ["heuristic", "cpsat"])
def test_a_breakdown_moves_only_the_broken_units_work(backend: str) -> None:
    prob = _breakdown(displace=False)
    result = solve(prob, SolverSettings(time_limit=3, backend=backend))
    assert validate(prob, result.schedule) == []
    s = result.schedule
    assert (s["y1"].resource, s["y1"].start) == ("A", 0)
    assert (s["z1"].start, s["z2"].start) == (0, 20)  # never used M or its alternatives
    if backend == "cpsat":  # the dispatching repair alone may as well wait for M
        assert (s["x1"].resource, s["x1"].start) == ("A", 10)


def test_the_planner_may_allow_displacing_onto_alternatives() -> None:
    prob = _breakdown(displace=True)
    result = solve(prob, SolverSettings(time_limit=3, backend="cpsat"))
    assert validate(prob, result.schedule) == []
    s = result.schedule
    assert (s["x1"].resource, s["x1"].start) == ("A", 0)
    assert s["y1"].resource == "B"
    assert (s["z1"].start, s["z2"].start) == (0, 20)
