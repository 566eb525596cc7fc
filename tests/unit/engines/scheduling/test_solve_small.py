"""Tiny instances whose optimum is worked out by hand in each docstring."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orderforge.engines.scheduling import (
    FrozenOperation,
    Job,
    Objective,
    Pin,
    Resource,
    ScheduledOperation,
    Secondary,
    SolverSettings,
    solve,
    validate,
)
from orderforge.engines.scheduling.indexed import index_problem
from orderforge.engines.scheduling.solver import _sequencing
from orderforge.engines.scheduling.tabu import applies as tabu_applies

from .builders import FAST, op, problem

BACKENDS = ["auto", "cpsat"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_sequence_dependent_setups_group_colours(backend: str) -> None:
    """A,B,A with 10 min between different colours: A,A,B (or B,A,A) gives 5+5+10+5 = 25."""
    paint = Resource("paint", setup_times={("red", "blue"): 10, ("blue", "red"): 10})
    jobs = [Job("J1"), Job("J2"), Job("J3")]
    ops = [
        op("o1", "J1", {"paint": 5}, setup_class="red"),
        op("o2", "J2", {"paint": 5}, setup_class="blue"),
        op("o3", "J3", {"paint": 5}, setup_class="red"),
    ]
    prob = problem(jobs, ops, [paint])
    result = solve(prob, replace(FAST, backend=backend))
    assert result.objective == 25
    assert result.optimal
    assert validate(prob, result.schedule) == []


def test_heuristic_alone_respects_setups() -> None:
    paint = Resource("paint", setup_times={("red", "blue"): 10, ("blue", "red"): 10})
    ops = [op(f"o{i}", "J", {"paint": 5}, setup_class=c) for i, c in enumerate("rbrb")]
    ops = [replace(o, setup_class={"r": "red", "b": "blue"}[o.setup_class or "r"]) for o in ops]
    prob = problem([Job("J")], ops, [paint])
    result = solve(prob, replace(FAST, backend="heuristic"))
    assert validate(prob, result.schedule) == []


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("interruptible", "start", "end"), [(False, 20, 35), (True, 0, 25)])
def test_calendar_break(backend: str, interruptible: bool, start: int, end: int) -> None:
    """Working [0,10) and [20,40); 15 min: must wait for the second interval unless it may
    pause, in which case it runs 10 min, pauses over the break and ends at 20 + 5 = 25."""
    res = Resource("m", calendar=[(0, 10), (20, 40)], interruptible=interruptible)
    prob = problem([Job("J")], [op("o", "J", {"m": 15})], [res], horizon=40)
    result = solve(prob, replace(FAST, backend=backend))
    assert result.schedule["o"] == ScheduledOperation("o", "m", start, end)
    assert validate(prob, result.schedule) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_alternatives_spread_work(backend: str) -> None:
    """Two 10-min jobs with two eligible machines run side by side: makespan 10; a third job
    faster on m2 (4 min) goes there after its job: 14."""
    res = [Resource("m1"), Resource("m2")]
    jobs = [Job("A"), Job("B"), Job("C")]
    ops = [
        op("a", "A", {"m1": 10, "m2": 10}),
        op("b", "B", {"m1": 10, "m2": 10}),
        op("c", "C", {"m1": 12, "m2": 4}),
    ]
    result = solve(problem(jobs, ops, res), replace(FAST, backend=backend))
    assert result.objective == 14
    assert result.schedule["c"].resource == "m2"


@pytest.mark.parametrize("backend", BACKENDS)
def test_assembly_waits_for_both_sub_assemblies(backend: str) -> None:
    """s1 (5 on m1) and s2 (7 on m2) feed asm (3 on m1): asm starts at 7, makespan 10."""
    ops = [
        op("s1", "J", {"m1": 5}),
        op("s2", "J", {"m2": 7}),
        op("asm", "J", {"m1": 3}, preds=["s1", "s2"]),
    ]
    prob = problem([Job("J")], ops, [Resource("m1"), Resource("m2")])
    result = solve(prob, replace(FAST, backend=backend))
    assert result.objective == 10
    chain = result.jobs["J"].critical_chain
    assert [link.operation for link in chain] == ["s2", "asm"]
    assert chain[-1].reason == "precedence"


@pytest.mark.parametrize("backend", BACKENDS)
def test_frozen_operation_is_kept_and_blocks_the_machine(backend: str) -> None:
    """f is frozen on m [0, 7); o (5 min) can only follow it: makespan 12."""
    ops = [op("f", "F", {"m": 7}), op("o", "O", {"m": 5})]
    frozen = (FrozenOperation("f", "m", 0, 7),)
    prob = problem([Job("F"), Job("O")], ops, [Resource("m")], frozen=frozen)
    result = solve(prob, replace(FAST, backend=backend))
    assert result.schedule["f"] == ScheduledOperation("f", "m", 0, 7)
    assert result.schedule["o"].start == 7
    assert validate(prob, result.schedule) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_pin_overrides_the_faster_machine(backend: str) -> None:
    """Pinned to slow m1 (9 min) not before 3: [3, 12) although m2 would finish at 2."""
    pins = (Pin("o", "m1", not_before=3),)
    prob = problem(
        [Job("J")], [op("o", "J", {"m1": 9, "m2": 2})], [Resource("m1"), Resource("m2")], pins=pins
    )
    result = solve(prob, replace(FAST, backend=backend))
    assert result.schedule["o"] == ScheduledOperation("o", "m1", 3, 12)
    assert result.jobs["J"].critical_chain[0].reason == "pin"


@pytest.mark.parametrize("backend", BACKENDS)
def test_release_date(backend: str) -> None:
    prob = problem([Job("J", release=10)], [op("o", "J", {"m": 4})], [Resource("m")])
    result = solve(prob, replace(FAST, backend=backend))
    assert result.schedule["o"].start == 10
    assert result.jobs["J"].critical_chain[0].reason == "release"


@pytest.mark.parametrize("backend", BACKENDS)
def test_weighted_tardiness_on_one_machine(backend: str) -> None:
    """J1 (p10 d10 w1), J2 (p5 d5 w3): J2 first costs 1*5 = 5; J1 first costs 3*10 = 30."""
    jobs = [Job("J1", due=10, weight=1), Job("J2", due=5, weight=3)]
    ops = [op("a", "J1", {"m": 10}), op("b", "J2", {"m": 5})]
    prob = problem(jobs, ops, [Resource("m")], objective=Objective(secondary=Secondary.NONE))
    result = solve(prob, replace(FAST, backend=backend, time_limit=0.5))
    assert result.objective == 5
    assert result.jobs["J1"].tardiness == 5
    assert result.jobs["J2"].lateness == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_tardiness_before_makespan(backend: str) -> None:
    """Urgent job U (due 4) must go first even though it lengthens nothing: TWT 0 first."""
    res = [Resource("m1"), Resource("m2")]
    jobs = [Job("L"), Job("U", due=4, weight=5)]
    ops = [
        op("l1", "L", {"m1": 6}),
        op("l2", "L", {"m2": 6}, preds=["l1"]),
        op("u", "U", {"m1": 4}),
    ]
    result = solve(problem(jobs, ops, res), replace(FAST, backend=backend))
    assert result.values.weighted_tardiness == 0
    assert result.values.makespan == 16
    assert result.objective == 0


def test_progress_callback_reports_improvements() -> None:
    seen: list[tuple[float, int, int]] = []
    ops = [op(f"o{i}", f"J{i}", {"m": 3 + i}) for i in range(4)]
    prob = problem([Job(f"J{i}") for i in range(4)], ops, [Resource("m")])
    solve(prob, SolverSettings(time_limit=1.0), lambda s, o, b: seen.append((s, o, b)))
    assert seen
    assert seen[-1][1] == 18
    assert all(b <= o for _, o, b in seen)


def test_stability_keeps_reference_plan() -> None:
    """Two equivalent machines: with a reference on m2 the stable plan stays on m2."""
    reference = (ScheduledOperation("o", "m2", 5, 9),)
    prob = problem(
        [Job("J")],
        [op("o", "J", {"m1": 4, "m2": 4})],
        [Resource("m1"), Resource("m2")],
        reference=reference,
        objective=Objective(secondary=Secondary.MAKESPAN, lexicographic=False, stability_weight=1),
    )
    result = solve(prob, FAST)
    assert result.schedule["o"].resource == "m2"
    assert result.values.stability <= 5


@pytest.mark.parametrize("due", [None, 30])
def test_one_late_opening_window_is_respected_by_every_search(due: int | None) -> None:
    """The only working window is [100, 1000): with due dates (the one-machine sequencing
    search's kind of problem) or without (makespan: the tabu search's kind) nothing may
    start before 100, so neither search may take the problem as plain arithmetic.
    Three 10-minute jobs: makespan 130; tardiness (110-30)+(120-30)+(130-30) = 270."""
    res = Resource("m", calendar=[(100, 1000)])
    jobs = [Job(f"J{i}", due=due) for i in range(3)]
    ops = [op(f"o{i}", f"J{i}", {"m": 10}) for i in range(3)]
    objective = Objective(secondary=Secondary.NONE if due else Secondary.MAKESPAN)
    prob = problem(jobs, ops, [res], horizon=1000, objective=objective)
    ix = index_problem(prob)
    assert not tabu_applies(ix)
    assert _sequencing(ix) is None
    result = solve(prob, FAST)
    assert validate(prob, result.schedule) == []
    assert min(e.start for e in result.schedule.values()) == 100
    assert result.objective == (130 if due is None else 270)
    always = index_problem(replace(prob, resources=(Resource("m"),)))
    assert (_sequencing(always) is not None) == (due is not None)
