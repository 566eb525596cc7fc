"""A breakdown replan holds the orders it does not touch (planning.hold_untouched): the
rule that decides which orders keep their place, on small hand-made plans."""

from __future__ import annotations

import datetime as dt

from orderforge.engines.scheduling import (
    FrozenOperation,
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
    SolverSettings,
    solve,
    validate,
)
from orderforge.services import planning

START = dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC)


def _plan(
    ops: list[Operation],
    reference: list[ScheduledOperation],
    *,
    closed: tuple[int, int] | None = None,
    frozen: tuple[FrozenOperation, ...] = (),
) -> planning.PlanProblem:
    """Units A and B open all day; `closed` takes a stretch out of A (the breakdown)."""
    horizon = 2000
    a_calendar = [(0, horizon)] if closed is None else [(0, closed[0]), (closed[1], horizon)]
    problem = ProblemData(
        jobs=tuple(Job(j) for j in sorted({o.job for o in ops})),
        operations=tuple(ops),
        resources=(Resource("A", a_calendar), Resource("B", [(0, horizon)])),
        horizon=horizon,
        frozen=frozen,
        reference=tuple(reference),
    )
    return planning.PlanProblem(problem, START)


def _op(key: str, job: str, minutes: int = 60, *after: str, units: str = "A") -> Operation:
    return Operation(key, job, [Mode(u, minutes) for u in units], tuple(after))


def test_only_the_orders_in_the_broken_time_are_released() -> None:
    ops = [
        _op("s1", "S1"),  # on A, into the breakdown
        _op("s2", "S2"),  # on A, after it
        _op("s3", "S3", 60, units="B"),  # on B, never near A
        _op("s4a", "S4", 60, units="B"),
        _op("s4b", "S4", 60, "s4a"),  # S4's second step is on A in the breakdown
    ]
    reference = [
        ScheduledOperation("s1", "A", 0, 60),
        ScheduledOperation("s2", "A", 300, 360),
        ScheduledOperation("s3", "B", 0, 60),
        ScheduledOperation("s4a", "B", 60, 120),
        ScheduledOperation("s4b", "A", 120, 180),
    ]
    plan = _plan(ops, reference, closed=(30, 240))
    held = planning.hold_untouched(plan)
    assert held == {"S2", "S3"}
    assert {f.operation for f in plan.problem.frozen} == {"s2", "s3"}
    result = solve(plan.problem, SolverSettings(time_limit=1, backend="heuristic"))
    assert validate(plan.problem, result.schedule) == []
    assert (result.schedule["s2"].start, result.schedule["s3"].start) == (300, 0)
    # the broken unit's work goes around what is held
    for key in ("s1", "s4b"):
        entry = result.schedule[key]
        assert entry.start >= 240 and (entry.end <= 300 or entry.start >= 360), key


def test_an_order_whose_place_a_running_operation_now_takes_is_released() -> None:
    """A running operation frozen longer than the old plan had it (paused, overrun)
    reaches into the next order's place: that order is released, the next one held."""
    ops = [_op("run", "R", 120), _op("next", "N"), _op("later", "L")]
    reference = [
        ScheduledOperation("next", "A", 60, 120),
        ScheduledOperation("later", "A", 200, 260),
    ]
    plan = _plan(ops, reference, frozen=(FrozenOperation("run", "A", 0, 120),))
    assert planning.hold_untouched(plan) == {"L"}
    frozen = {f.operation for f in plan.problem.frozen}
    assert frozen == {"run", "later"}


def test_new_work_and_work_whose_place_is_past_are_never_held() -> None:
    ops = [_op("new", "NEW"), _op("old1", "OLD"), _op("old2", "OLD", 60, "old1")]
    reference = [ScheduledOperation("old2", "A", 100, 160)]  # old1 had its place before now
    plan = _plan(ops, reference)
    assert planning.hold_untouched(plan) == set()
    assert plan.problem.frozen == ()
