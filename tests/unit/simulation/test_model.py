"""Input the replay cannot honour is refused up front, naming the field and the reason."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import replace

import pytest

from orderforge.engines.scheduling import (
    FrozenOperation,
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    ScheduledOperation,
)
from orderforge.engines.simulation import (
    ReleaseDelay,
    SimulationInputError,
    SimulationModel,
    Supply,
    Variability,
)
from orderforge.engines.simulation.execute import draw_delay, draw_minutes

PROBLEM = ProblemData(
    (Job("J", due=500),),
    (
        Operation("A", "J", (Mode("m", 60), Mode("n", 50)), setup_class="red"),
        Operation("B", "J", (Mode("m", 30),), ("A",), setup_class="blue", release=90),
    ),
    (Resource("m", setup_times={("red", "blue"): 15}), Resource("n")),
    1000,
)
PLAN = (ScheduledOperation("A", "m", 0, 60), ScheduledOperation("B", "m", 90, 120))


def test_a_valid_model_compiles_plan_order_and_changeovers() -> None:
    model = SimulationModel(PROBLEM, {s.operation: s for s in PLAN})
    assert [s.operation for s in model.sequences["m"]] == ["A", "B"]
    assert model.sequences["n"] == ()
    assert model.steps["B"].setup == 15 and model.steps["A"].setup == 0
    assert model.planned_finish == {"J": 120}
    assert model.variability_of("n") == Variability()


Case = Callable[[], SimulationModel]

CASES: list[tuple[str, str, Case]] = [
    (
        "plan['X']",
        "names an operation the problem does not have",
        lambda: SimulationModel(PROBLEM, (*PLAN, ScheduledOperation("X", "m", 0, 5))),
    ),
    (
        "plan['A']",
        "planned more than once",
        lambda: SimulationModel(PROBLEM, (*PLAN, PLAN[0])),
    ),
    (
        "plan['A']",
        "'z', a resource the problem does not have",
        lambda: SimulationModel(PROBLEM, (ScheduledOperation("A", "z", 0, 60), PLAN[1])),
    ),
    (
        "plan['B']",
        "not one of the operation's modes",
        lambda: SimulationModel(PROBLEM, (PLAN[0], ScheduledOperation("B", "n", 90, 120))),
    ),
    (
        "plan['B']",
        "has no planned slot",
        lambda: SimulationModel(PROBLEM, PLAN[:1]),
    ),
    (
        "plan['A']",
        "not after its start",
        lambda: SimulationModel(PROBLEM, (ScheduledOperation("A", "m", 60, 60), PLAN[1])),
    ),
    (
        "plan['B']",
        "before its predecessor 'A' ends at 60",
        lambda: SimulationModel(PROBLEM, (PLAN[0], ScheduledOperation("B", "m", 50, 80))),
    ),
    (
        "plan['A']",
        "differs from the frozen operation",
        lambda: SimulationModel(replace(PROBLEM, frozen=(FrozenOperation("A", "m", 0, 70),)), PLAN),
    ),
    (
        "variability['z']",
        "names a resource the problem does not have",
        lambda: SimulationModel(PROBLEM, PLAN, {"z": Variability()}),
    ),
    (
        "variability['m'].cv",
        "finite number >= 0, got -0.1",
        lambda: SimulationModel(PROBLEM, PLAN, {"m": Variability(cv=-0.1)}),
    ),
    (
        "default.cv",
        "got nan",
        lambda: SimulationModel(PROBLEM, PLAN, default=Variability(cv=math.nan)),
    ),
    (
        "variability['m'].ratios",
        "must be positive, got 0",
        lambda: SimulationModel(PROBLEM, PLAN, {"m": Variability(ratios=(1.1, 0))}),
    ),
    (
        "variability['n'].mtbf",
        "positive number of minutes, got 0",
        lambda: SimulationModel(PROBLEM, PLAN, {"n": Variability(mtbf=0, mttr=30)}),
    ),
    (
        "variability['n'].mttr",
        "need both",
        lambda: SimulationModel(PROBLEM, PLAN, {"n": Variability(mtbf=600)}),
    ),
    (
        "supply.delays['X']",
        "names an operation the problem does not have",
        lambda: SimulationModel(PROBLEM, PLAN, supply=Supply({"X": ReleaseDelay()})),
    ),
    (
        "supply.default.probability",
        "between 0 and 1, got 1.5",
        lambda: SimulationModel(PROBLEM, PLAN, supply=Supply(default=ReleaseDelay(1.5, 2))),
    ),
    (
        "supply.delays['B'].mean_days",
        "got -1",
        lambda: SimulationModel(PROBLEM, PLAN, supply=Supply({"B": ReleaseDelay(0.5, -1)})),
    ),
    (
        "supply.delays['B'].days_late",
        "must be finite",
        lambda: SimulationModel(
            PROBLEM, PLAN, supply=Supply({"B": ReleaseDelay(days_late=(1, math.inf))})
        ),
    ),
    (
        "problem",
        "unknown predecessor 'Q'",
        lambda: SimulationModel(
            replace(
                PROBLEM,
                operations=(*PROBLEM.operations[:1], Operation("B", "J", (Mode("m", 30),), ("Q",))),
            ),
            PLAN,
        ),
    ),
]


@pytest.mark.parametrize(
    ("field", "reason", "build"), CASES, ids=[c[0] + " " + c[1] for c in CASES]
)
def test_bad_input_names_the_field_and_the_reason(field: str, reason: str, build: Case) -> None:
    with pytest.raises(SimulationInputError) as raised:
        build()
    assert raised.value.field == field
    assert reason in raised.value.reason
    assert str(raised.value).startswith(f"{field}: ")


def test_lognormal_times_keep_the_planned_mean_and_the_asked_spread() -> None:
    rng = random.Random(5)
    draws = [draw_minutes(Variability(cv=0.3), 1000, rng) for _ in range(20_000)]
    mean = sum(draws) / len(draws)
    sd = math.sqrt(sum((d - mean) ** 2 for d in draws) / len(draws))
    assert mean == pytest.approx(1000, rel=0.01)
    assert sd / mean == pytest.approx(0.3, rel=0.05)


def test_observed_ratios_are_drawn_as_they_were_seen() -> None:
    rng = random.Random(1)
    draws = {draw_minutes(Variability(ratios=(0.9, 1.0, 1.6)), 100, rng) for _ in range(300)}
    assert draws == {90, 100, 160}
    assert draw_minutes(Variability(cv=5.0, ratios=(0.001,)), 100, rng) == 1  # never 0 min


def test_material_is_late_as_often_and_as_long_as_asked() -> None:
    rng = random.Random(2)
    delays = [draw_delay(ReleaseDelay(probability=0.25, mean_days=2), rng) for _ in range(20_000)]
    late = [d for d in delays if d > 0]
    assert len(late) / len(delays) == pytest.approx(0.25, abs=0.01)
    assert sum(late) / len(late) == pytest.approx(2 * 1440, rel=0.03)
    assert draw_delay(ReleaseDelay(days_late=(-1,)), rng) == -1440  # early is early


def test_variability_learned_from_the_floor_replays_its_ratios() -> None:
    learned = Variability.learned([(100, 120), (0, 30), (50, 40)], mtbf=900, mttr=45)
    assert learned == Variability(ratios=(1.2, 0.8), mtbf=900, mttr=45)
    model = SimulationModel(PROBLEM, PLAN, {"m": learned})
    assert model.variability_of("m").ratios == (1.2, 0.8)


@pytest.mark.parametrize(
    ("actuals", "reason"),
    [([(0, 10)], "no finished operation"), ([(60, 0)], "must be positive, got 0 (planned 60)")],
)
def test_variability_cannot_be_learned_from_nothing(
    actuals: list[tuple[int, int]], reason: str
) -> None:
    with pytest.raises(SimulationInputError) as raised:
        Variability.learned(actuals)
    assert raised.value.field == "actuals" and reason in raised.value.reason
