"""Bad input fails before solving, with every problem named."""

from __future__ import annotations

import pytest

from orderforge.engines.scheduling import (
    FrozenOperation,
    InvalidProblemError,
    Job,
    Mode,
    Operation,
    Pin,
    ProblemData,
    Resource,
    solve,
)

from .builders import FAST, op, problem


def errors_of(prob: ProblemData) -> list[str]:
    with pytest.raises(InvalidProblemError) as caught:
        solve(prob, FAST)
    return [str(issue) for issue in caught.value.issues]


def test_precedence_cycle_names_the_operations() -> None:
    ops = [
        op("a", "J", {"m": 1}, preds=["c"]),
        op("b", "J", {"m": 1}, preds=["a"]),
        op("c", "J", {"m": 1}, preds=["b"]),
        op("d", "J", {"m": 1}),
    ]
    (message,) = errors_of(problem([Job("J")], ops, [Resource("m")]))
    assert "cycle" in message
    assert all(f"{name}" in message for name in "abc")
    assert "d" not in message.split("cycle", 1)[1]


def test_operation_without_resource_and_unknown_resource() -> None:
    ops = [Operation("a", "J", ()), op("b", "J", {"ghost": 3})]
    found = errors_of(problem([Job("J")], ops, [Resource("m")]))
    assert "operation 'a': has no eligible resource" in found
    assert "operation 'b': names unknown resource 'ghost'" in found


def test_non_positive_duration() -> None:
    (message,) = errors_of(problem([Job("J")], [op("a", "J", {"m": 0})], [Resource("m")]))
    assert message == "operation 'a': duration on 'm' must be > 0, got 0"


def test_a_resource_listed_twice_for_one_operation() -> None:
    """Two durations for one machine would leave it open which one the plan used."""
    twice = Operation("o", "J", (Mode("m", 5), Mode("m", 7)))
    (message,) = errors_of(problem([Job("J")], [twice], [Resource("m")]))
    assert message == "operation 'o': lists resource 'm' more than once"


def test_calendar_without_working_time_before_horizon() -> None:
    closed = Resource("m", calendar=[(500, 600)])
    (message,) = errors_of(problem([Job("J")], [op("a", "J", {"m": 5})], [closed], horizon=100))
    assert "'m' has no working time before the horizon (100)" in message


def test_operation_longer_than_any_shift_on_non_interruptible_resource() -> None:
    short = Resource("m", calendar=[(0, 30), (40, 70)])
    (message,) = errors_of(problem([Job("J")], [op("a", "J", {"m": 45})], [short], horizon=100))
    assert "one uninterrupted working interval" in message


def test_pin_conflicting_with_frozen_operation() -> None:
    prob = problem(
        [Job("J")],
        [op("a", "J", {"m1": 5, "m2": 5})],
        [Resource("m1"), Resource("m2")],
        frozen=(FrozenOperation("a", "m1", 0, 5),),
        pins=(Pin("a", "m2"),),
    )
    (message,) = errors_of(prob)
    assert "pin of operation 'a'" in message
    assert "conflicts with the frozen operation on 'm1'" in message


def test_several_problems_reported_together() -> None:
    ops = [op("a", "nojob", {"m": 5}, preds=["zz"]), op("a", "J", {"m": 5})]
    found = errors_of(problem([Job("J", weight=-1)], ops, [Resource("m")]))
    assert "operation 'a': appears 2 times" in found
    assert "operation 'a': belongs to unknown job 'nojob'" in found
    assert "operation 'a': has unknown predecessor 'zz'" in found
    assert "job 'J': weight -1 is negative" in found
