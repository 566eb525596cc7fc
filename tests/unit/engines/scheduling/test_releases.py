"""Per-operation release dates: every search respects them, the checks name them."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderforge.engines.scheduling import (
    Job,
    Mode,
    NoFeasiblePlanError,
    Objective,
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
    Secondary,
    SolverSettings,
    check_problem,
    solve,
    validate,
)
from tests.unit.engines.scheduling.test_properties import instances

HORIZON = 600


@st.composite
def released(draw: st.DrawFn) -> ProblemData:
    """A random small instance whose operations get their own releases (some 0)."""
    prob = draw(instances())
    ops = tuple(
        dataclasses.replace(o, release=draw(st.sampled_from((0, 0, 15, 40, 90))))
        for o in prob.operations
    )
    return dataclasses.replace(prob, operations=ops)


@st.composite
def makespan_only(draw: st.DrawFn) -> ProblemData:
    """Always-open, setup-free, no due dates: the shape the tabu search takes."""
    machines = [f"m{r}" for r in range(draw(st.integers(2, 3)))]
    jobs, ops = [], []
    for j in range(draw(st.integers(2, 4))):
        jobs.append(Job(f"J{j}"))
        order = draw(st.permutations(machines))
        for k, m in enumerate(order):
            ops.append(
                Operation(
                    f"J{j}.{k}",
                    f"J{j}",
                    (Mode(m, draw(st.integers(1, 20))),),
                    (f"J{j}.{k - 1}",) if k else (),
                    release=draw(st.sampled_from((0, 0, 10, 35))),
                )
            )
    return ProblemData(
        tuple(jobs),
        tuple(ops),
        tuple(Resource(m) for m in machines),
        HORIZON,
        objective=Objective(secondary=Secondary.MAKESPAN),
    )


def _respects_releases(prob: ProblemData, schedule: dict[str, ScheduledOperation]) -> None:
    assert validate(prob, schedule) == []
    for o in prob.operations:
        assert schedule[o.key].start >= o.release, o.key


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(released(), st.sampled_from(["auto", "heuristic", "cpsat"]))
def test_every_plan_respects_operation_releases(prob: ProblemData, backend: str) -> None:
    result = solve(prob, SolverSettings(time_limit=0.5, num_workers=1, backend=backend))
    _respects_releases(prob, result.schedule)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(released())
def test_neighbourhood_search_respects_operation_releases(prob: ProblemData) -> None:
    # no monolithic model: the plan improves only through LNS slices
    lns = SolverSettings(time_limit=0.6, num_workers=1, max_monolithic_operations=0)
    _respects_releases(prob, solve(prob, lns).schedule)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(makespan_only())
def test_the_makespan_searches_respect_operation_releases(prob: ProblemData) -> None:
    result = solve(prob, SolverSettings(time_limit=0.6, num_workers=2))
    _respects_releases(prob, result.schedule)
    # the reported objective is the returned plan's (not the plan's before a left shift)
    assert result.objective == max(s.end for s in result.schedule.values())


def test_a_release_holds_an_operation_on_an_idle_machine() -> None:
    prob = ProblemData(
        (Job("a"),),
        (
            Operation("a1", "a", (Mode("M", 10),)),
            Operation("a2", "a", (Mode("M", 10),), ("a1",), release=50),
        ),
        (Resource("M"),),
        200,
    )
    for backend in ("heuristic", "cpsat"):
        result = solve(prob, SolverSettings(time_limit=2, backend=backend))
        assert result.schedule["a2"].start == 50
        assert result.jobs["a"].critical_chain[-1].reason == "release"


def test_the_validator_names_an_operation_started_before_its_release() -> None:
    prob = ProblemData(
        (Job("a"),), (Operation("a1", "a", (Mode("M", 10),), release=30),), (Resource("M"),), 100
    )
    found = validate(prob, [ScheduledOperation("a1", "M", 20, 30)])
    assert [v.kind for v in found] == ["release"]
    assert "before its own release at 30" in found[0].message


def test_input_check_names_a_negative_release() -> None:
    prob = ProblemData(
        (Job("a"),), (Operation("a1", "a", (Mode("M", 10),), release=-5),), (Resource("M"),), 100
    )
    assert [str(i) for i in check_problem(prob)] == ["operation 'a1': release -5 is negative"]


def test_a_release_too_late_for_the_horizon_is_a_horizon_too_short() -> None:
    # not bad input: the caller plans further ahead (planning.solve_on_horizons does)
    prob = ProblemData(
        (Job("a"),), (Operation("a1", "a", (Mode("M", 10),), release=95),), (Resource("M"),), 100
    )
    assert check_problem(prob) == []
    with pytest.raises(NoFeasiblePlanError) as caught:
        solve(prob, SolverSettings(time_limit=1))
    assert caught.value.operation == "a1"
