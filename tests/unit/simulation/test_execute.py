"""One replication: the plan replayed exactly when nothing varies, and the floor's rules
(order, precedence, calendars, repairs, material) kept whatever the dice say."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from orderforge.engines.scheduling import (
    Job,
    Mode,
    NoFeasiblePlanError,
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
    SolverSettings,
    generate_plant_instance,
    replan_after_breakdown,
    solve,
)
from orderforge.engines.scheduling.calendar import WorkingTime
from orderforge.engines.simulation import (
    ReleaseDelay,
    Replication,
    SimulationError,
    SimulationModel,
    Supply,
    Variability,
    run,
)
from tests.unit.simulation.instances import plants

QUICK = SolverSettings(time_limit=0.4, num_workers=1, backend="heuristic")
CPSAT = SolverSettings(time_limit=0.8, num_workers=1, backend="cpsat")


def _plan(problem: ProblemData, solver: SolverSettings) -> dict[str, ScheduledOperation]:
    try:
        return solve(problem, solver).schedule
    except NoFeasiblePlanError:
        assume(False)
        raise


def _as_planned(rep: Replication) -> dict[str, tuple[str, int, int]]:
    return {k: (r.resource, r.start, r.end) for k, r in rep.operations.items()}


def _planned(plan: Mapping[str, ScheduledOperation]) -> dict[str, tuple[str, int, int]]:
    return {k: (s.resource, s.start, s.end) for k, s in plan.items()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plants(), st.sampled_from([QUICK, CPSAT]), st.booleans())
def test_without_variability_the_replay_is_the_plan(
    problem: ProblemData, solver: SolverSettings, hold_to_plan: bool
) -> None:
    """The key promise: cv 0, no breakdowns, no late material -> every start and end as
    planned, also when the floor may run ahead (the scheduler's plans are left-shifted)."""
    plan = _plan(problem, solver)
    rep = run(SimulationModel(problem, plan, hold_to_plan=hold_to_plan), seed=7)
    assert _as_planned(rep) == _planned(plan)
    for job, finish in rep.finish.items():
        assert finish == max(s.end for s in plan.values() if s.operation.startswith(f"{job}."))


def test_a_plant_plan_with_shifts_and_changeovers_is_replayed_exactly() -> None:
    problem = generate_plant_instance(5, n_orders=24, n_resources=12)
    plan = solve(problem, SolverSettings(time_limit=1.0, num_workers=1)).schedule
    for hold_to_plan in (True, False):
        rep = run(SimulationModel(problem, plan, hold_to_plan=hold_to_plan), seed=1)
        assert _as_planned(rep) == _planned(plan)


def test_a_replan_with_frozen_work_is_replayed_exactly() -> None:
    """Frozen operations (one stretched by a repair) are facts the replay keeps as given."""
    problem = generate_plant_instance(6, n_orders=16, n_resources=12)
    plan = solve(problem, SolverSettings(time_limit=0.5, num_workers=1)).schedule
    busy = sorted(plan.values(), key=lambda s: s.start)[len(plan) // 3]
    down = (busy.start + 5, busy.start + 245)
    replanned = replan_after_breakdown(problem, plan, busy.resource, down)
    assert replanned.frozen
    new_plan = solve(replanned, SolverSettings(time_limit=0.5, num_workers=1)).schedule
    rep = run(SimulationModel(replanned, new_plan), seed=3)
    assert _as_planned(rep) == _planned(new_plan)


def _random_model(
    problem: ProblemData, plan: Mapping[str, ScheduledOperation], hold: bool
) -> SimulationModel:
    variability = {
        key: Variability(cv=0.5, mtbf=150, mttr=20)
        if i % 2 == 0
        else Variability(ratios=(0.5, 1.0, 2.5))
        for i, key in enumerate(r.key for r in problem.resources)
    }
    supply = Supply(default=ReleaseDelay(probability=0.5, mean_days=0.05))
    return SimulationModel(problem, plan, variability, supply=supply, hold_to_plan=hold)


def _overlap(a: int, b: int, spans: tuple[tuple[int, int], ...]) -> int:
    return sum(max(0, min(b, e) - max(a, s)) for s, e in spans)


def _working_outside_repairs(
    cal: WorkingTime, a: int, b: int, repairs: tuple[tuple[int, int], ...]
) -> int:
    covered = cal.working_minutes(a, b)
    for s, e in repairs:
        lo, hi = max(a, s), min(b, e)
        if lo < hi:
            covered -= cal.working_minutes(lo, hi)
    return covered


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plants(), st.booleans(), st.integers(0, 10_000))
def test_whatever_the_dice_say_the_floor_keeps_its_rules(
    problem: ProblemData, hold: bool, seed: int
) -> None:
    plan = _plan(problem, QUICK)
    model = _random_model(problem, plan, hold)
    _assert_floor_rules(model, run(model, seed))


def test_a_plant_under_heavy_weather_keeps_its_rules() -> None:
    """Shifts with breaks, uninterruptible paint and test lines with colour changeovers,
    frequent breakdowns and late material on every operation, both floor policies."""
    problem = generate_plant_instance(8, n_orders=24, n_resources=12)
    plan = solve(problem, QUICK).schedule
    late = ReleaseDelay(probability=0.3, mean_days=0.5)
    for hold in (True, False):
        model = SimulationModel(
            problem,
            plan,
            default=Variability(cv=0.6, mtbf=500, mttr=45),
            supply=Supply({o.key: late for o in problem.operations}),
            hold_to_plan=hold,
        )
        for seed in range(3):
            _assert_floor_rules(model, run(model, seed))


def _assert_floor_rules(model: SimulationModel, rep: Replication) -> None:
    runs = rep.operations
    hold = model.hold_to_plan
    for key, step in model.steps.items():
        r = runs[key]
        assert r.resource == step.resource
        assert r.start >= r.release >= step.floor_release
        assert all(r.start >= runs[p].end for p in step.predecessors)
        if hold:
            assert r.start >= step.planned_start
    for key, sequence in model.sequences.items():
        res = model.resources[key]
        use = rep.resources[key]
        cal = model.working_time(key, rep.makespan + 1)
        previous_end = 0
        for step in sequence:
            r = runs[step.operation]
            assert r.start >= previous_end + step.setup  # plan order, changeovers, no overlap
            assert _overlap(r.start, r.start + 1, use.breakdowns) == 0  # never starts in a repair
            if res.interruptible:
                assert cal.interval_index(r.start) is not None
                assert _working_outside_repairs(cal, r.start, r.end, use.breakdowns) == r.minutes
            else:
                slot = cal.earliest(r.start, step.minutes, interruptible=False)
                assert slot is not None and slot[0] == r.start  # planned minutes fit there
                assert r.end - r.start - _overlap(r.start, r.end, use.breakdowns) == r.minutes
            previous_end = r.end
        assert use.busy == sum(runs[s.operation].minutes for s in sequence)


def test_a_breakdown_stops_the_operation_and_it_resumes_after_the_repair() -> None:
    problem = ProblemData(
        (Job("J"),), (Operation("A", "J", (Mode("m", 600),)),), (Resource("m"),), 10_000
    )
    plan = [ScheduledOperation("A", "m", 0, 600)]
    model = SimulationModel(problem, plan, {"m": Variability(mtbf=200, mttr=50)})
    reps = [run(model, seed) for seed in range(20)]
    assert any(r.resources["m"].breakdowns for r in reps)
    for rep in reps:
        a, repairs = rep.operations["A"], rep.resources["m"].breakdowns
        assert a.end - a.start == 600 + _overlap(a.start, a.end, repairs)
        assert rep.resources["m"].down == _overlap(0, rep.makespan, repairs)


def test_late_material_delays_the_operation_by_whole_days() -> None:
    day = 1440
    problem = ProblemData(
        (Job("J"),),
        (
            Operation("A", "J", (Mode("m", 60),), release=100),
            Operation("B", "J", (Mode("m", 60),), ("A",)),
        ),
        (Resource("m"),),
        10 * day,
    )
    plan = [ScheduledOperation("A", "m", 100, 160), ScheduledOperation("B", "m", 160, 220)]
    supply = Supply(default=ReleaseDelay(days_late=(2,)))
    rep = run(SimulationModel(problem, plan, supply=supply), seed=0)
    assert (rep.operations["A"].release, rep.operations["A"].start) == (100 + 2 * day,) * 2
    # B has no material date of its own, so the default delay does not touch it
    assert rep.operations["B"].release == 0
    assert rep.operations["B"].start == rep.operations["A"].end


def test_work_pushed_past_the_horizon_runs_in_the_repeated_calendar() -> None:
    """Past the horizon (here shorter than a week) the whole calendar repeats."""
    problem = ProblemData(
        (Job("J"),),
        (Operation("A", "J", (Mode("m", 400),)),),
        (Resource("m", [(480, 960), (1920, 2400)], interruptible=False),),
        2880,
    )
    plan = [ScheduledOperation("A", "m", 480, 880)]
    supply = Supply(delays={"A": ReleaseDelay(days_late=(3,))})
    rep = run(SimulationModel(problem, plan, supply=supply), seed=0)
    # released at 4320: the repeated intervals are (3360, 3840) and (4800, 5280)
    assert (rep.operations["A"].start, rep.operations["A"].end) == (4800, 5200)


def test_a_calendar_that_runs_dry_stops_the_replay_with_a_sentence() -> None:
    week = 7 * 1440
    problem = ProblemData(
        (Job("J"),),
        (Operation("A", "J", (Mode("m", 60),)),),
        (Resource("m", [(0, 600)]),),
        3 * week,
    )
    plan = [ScheduledOperation("A", "m", 0, 60)]
    supply = Supply(delays={"A": ReleaseDelay(days_late=(1,))})
    with pytest.raises(SimulationError, match="'m' has no working time for operation 'A'"):
        run(SimulationModel(problem, plan, supply=supply), seed=0)


def test_wip_counts_jobs_started_and_not_finished() -> None:
    problem = ProblemData(
        (Job("J1"), Job("J2")),
        (
            Operation("a1", "J1", (Mode("m", 10),)),
            Operation("a2", "J1", (Mode("n", 30),), ("a1",)),
            Operation("b1", "J2", (Mode("m", 20),)),
        ),
        (Resource("m"), Resource("n")),
        1000,
    )
    plan = [
        ScheduledOperation("a1", "m", 0, 10),
        ScheduledOperation("b1", "m", 10, 30),
        ScheduledOperation("a2", "n", 10, 40),
    ]
    rep = run(SimulationModel(problem, plan), seed=0)
    assert rep.wip == ((0, 1), (10, 2), (30, 1), (40, 0))
    assert rep.mean_wip == pytest.approx((10 * 1 + 20 * 2 + 10 * 1) / 40)
    assert rep.finish == {"J1": 40, "J2": 30}
    assert rep.resources["m"].busy == 30 and rep.resources["m"].available == 40


def test_the_same_seed_gives_the_same_replication_and_another_seed_another() -> None:
    problem = generate_plant_instance(2, n_orders=10, n_resources=12)
    plan = solve(problem, QUICK).schedule
    model = SimulationModel(problem, plan, default=Variability(cv=0.3, mtbf=900, mttr=40))
    assert run(model, 11) == run(model, 11)
    assert run(model, 11).operations != run(model, 12).operations
