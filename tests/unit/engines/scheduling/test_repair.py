"""Replans repair rather than reshuffle: hand-checked tiny cases for the stability terms."""

from __future__ import annotations

import pytest

from orderforge.engines.scheduling import (
    FrozenOperation,
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


def _late_predecessor(move_penalty: int) -> ProblemData:
    """P overran (frozen until 10), so X lost its slot [0, 10) on M; Y holds [10, 20) on M.

    X taking Y's slot moves both (10 + 10 minutes); X waiting for [20, 30) moves X alone
    (20 minutes). Equal in minutes: only the per-move penalty tells them apart."""
    return ProblemData(
        jobs=(Job("x"), Job("y")),
        operations=(
            Operation("P", "x", (Mode("N", 10),)),
            Operation("X", "x", (Mode("M", 10),), predecessors=("P",)),
            Operation("Y", "y", (Mode("M", 10),)),
        ),
        resources=(Resource("M"), Resource("N")),
        horizon=100,
        frozen=(FrozenOperation("P", "N", 0, 10),),
        reference=(ScheduledOperation("X", "M", 0, 10), ScheduledOperation("Y", "M", 10, 20)),
        objective=Objective(
            lexicographic=False, stability_weight=1, secondary_weight=0, move_penalty=move_penalty
        ),
    )


@pytest.mark.parametrize("backend", ["heuristic", "cpsat"])
def test_a_late_operation_waits_rather_than_displace_another(backend: str) -> None:
    problem = _late_predecessor(move_penalty=100)
    result = solve(problem, SolverSettings(time_limit=5, backend=backend))
    assert validate(problem, result.schedule) == []
    assert (result.schedule["Y"].start, result.schedule["X"].start) == (10, 20)
    assert result.values.stability == 20 + 100


def test_without_a_move_penalty_minutes_alone_count() -> None:
    problem = _late_predecessor(move_penalty=0)
    result = solve(problem, SolverSettings(time_limit=5, backend="cpsat"))
    assert result.values.stability == 20  # either repair: 20 minutes moved in all
