"""Monte Carlo over the plan: reproducible batches that can be split, quantiles that mean
what they say, and an 80 % date that holds about four times in five on fresh replications."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderforge.engines.scheduling import (
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
    SolverSettings,
    generate_plant_instance,
    solve,
)
from orderforge.engines.simulation import (
    OperationRun,
    ReleaseDelay,
    Replication,
    SimulationInputError,
    SimulationModel,
    Supply,
    Variability,
    date_for_confidence,
    plant_kpis,
    replicate,
    summarise,
)


def _toy_plant() -> tuple[ProblemData, list[ScheduledOperation]]:
    """Two machines, three jobs of two steps, a shared lathe: queueing makes finishes skewed."""
    jobs = (Job("J1", due=200), Job("J2", due=260), Job("J3", due=330))
    ops = (
        Operation("J1.saw", "J1", (Mode("saw", 60),)),
        Operation("J1.lathe", "J1", (Mode("lathe", 80),), ("J1.saw",)),
        Operation("J2.saw", "J2", (Mode("saw", 50),)),
        Operation("J2.lathe", "J2", (Mode("lathe", 70),), ("J2.saw",), release=60),
        Operation("J3.saw", "J3", (Mode("saw", 40),)),
        Operation("J3.lathe", "J3", (Mode("lathe", 90),), ("J3.saw",)),
    )
    problem = ProblemData(jobs, ops, (Resource("saw"), Resource("lathe")), 10_000)
    return problem, list(
        solve(problem, SolverSettings(time_limit=0.5, num_workers=1)).schedule.values()
    )


def _stochastic(hold_to_plan: bool = False) -> SimulationModel:
    problem, plan = _toy_plant()
    variability = {"saw": Variability(cv=0.4), "lathe": Variability(cv=0.25, mtbf=300, mttr=25)}
    supply = Supply(default=ReleaseDelay(probability=0.3, mean_days=0.05))
    return SimulationModel(problem, plan, variability, supply=supply, hold_to_plan=hold_to_plan)


def test_batches_split_over_workers_merge_into_the_same_result() -> None:
    model = _stochastic()
    whole = replicate(model, range(30))
    split = replicate(model, range(12)) + replicate(model, range(12, 30))
    assert whole == split
    assert summarise(model, whole) == summarise(model, split)
    assert [r.seed for r in whole] == list(range(30))


def test_the_80_percent_date_is_met_about_four_times_in_five() -> None:
    """Calibration: quantiles from one set of replications hold on an independent set."""
    model = _stochastic()
    learn = replicate(model, range(1500))
    check = replicate(model, range(100_000, 101_500))
    for job in ("J1", "J2", "J3"):
        quoted = date_for_confidence(learn, job, 0.8)
        met = sum(r.finish[job] <= quoted for r in check) / len(check)
        assert 0.75 <= met <= 0.85, (job, quoted, met)


def test_the_summary_brackets_the_plan_under_variability() -> None:
    model = _stochastic(hold_to_plan=True)
    reps = replicate(model, range(200))
    for jc in summarise(model, reps, levels=(0.05, 0.5, 0.95)):
        assert jc.replications == 200
        assert jc.finish_at[0.05] <= jc.finish_at[0.5] <= jc.finish_at[0.95]
        assert jc.finish_at[0.05] < jc.planned_finish < jc.finish_at[0.95]
        assert jc.due is not None
        assert jc.on_time == sum(r.finish[jc.job] <= jc.due for r in reps) / 200
    kpis = plant_kpis(reps)
    assert 0 < kpis.utilisation["saw"] < 1 and 0 < kpis.utilisation["lathe"] < 1
    assert kpis.downtime["lathe"] > 0 == kpis.downtime["saw"]
    assert 0 < kpis.mean_wip <= 3


def test_without_variability_every_replication_is_the_plan() -> None:
    problem = generate_plant_instance(4, n_orders=12, n_resources=12)
    plan = solve(problem, SolverSettings(time_limit=0.5, num_workers=1, backend="heuristic"))
    model = SimulationModel(problem, plan.schedule)
    reps = replicate(model, range(3))
    for jc in summarise(model, reps):
        outcome = plan.jobs[jc.job]
        assert jc.mean_finish == outcome.finish == jc.planned_finish
        assert set(jc.finish_at.values()) == {outcome.finish}
        assert jc.on_time == (1.0 if outcome.tardiness == 0 else 0.0)
    kpis = plant_kpis(reps)
    for key, sequence in model.sequences.items():
        minutes = sum(s.minutes for s in sequence)
        assert kpis.utilisation[key] * reps[0].resources[key].available == pytest.approx(minutes)


def _replications(finishes: list[int]) -> list[Replication]:
    run = OperationRun("A", "m", 0, 1, 1, 0)
    return [Replication(i, {"A": run}, {"J": f}, {}, ((0, 0),), f) for i, f in enumerate(finishes)]


def test_the_quoted_date_is_an_order_statistic() -> None:
    reps = _replications([50, 10, 40, 20, 30, 100, 90, 60, 80, 70])
    assert date_for_confidence(reps, "J", 0.8) == 80
    assert date_for_confidence(reps, "J", 0.5) == 50
    assert date_for_confidence(reps, "J", 0.81) == 90
    assert date_for_confidence(reps, "J", 1.0) == 100
    assert date_for_confidence(reps, "J", 0.01) == 10


@given(
    st.lists(st.integers(0, 500), min_size=1, max_size=60),
    st.floats(0.001, 1.0, allow_nan=False),
)
def test_the_quoted_date_is_the_earliest_met_that_often(finishes: list[int], level: float) -> None:
    quoted = date_for_confidence(_replications(finishes), "J", level)
    assert sum(f <= quoted for f in finishes) >= level * len(finishes) - 1e-9
    assert sum(f < quoted for f in finishes) < level * len(finishes)


@pytest.mark.parametrize(
    ("args", "field", "reason"),
    [
        (([], "J", 0.8), "replications", "at least one"),
        ((_replications([1]), "J", 0.0), "level", "(0, 1], got 0.0"),
        ((_replications([1]), "J", 1.2), "level", "got 1.2"),
        ((_replications([1]), "K", 0.8), "job", "'K' has no operations"),
    ],
)
def test_bad_questions_are_refused_with_a_sentence(
    args: tuple[list[Replication], str, float], field: str, reason: str
) -> None:
    with pytest.raises(SimulationInputError) as raised:
        date_for_confidence(*args)
    assert raised.value.field == field and reason in raised.value.reason


def test_summarise_refuses_a_confidence_outside_zero_to_one() -> None:
    model = _stochastic()
    with pytest.raises(SimulationInputError, match="level"):
        summarise(model, replicate(model, [1]), levels=(0.5, 95))


def test_summarise_refuses_replications_of_another_plan() -> None:
    model = _stochastic()
    with pytest.raises(SimulationInputError, match="seed 0 is not of this model's plan"):
        summarise(model, _replications([5, 6, 7, 8]))
