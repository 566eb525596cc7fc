"""Whatever random small instance comes in, every returned schedule passes validate()."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderforge.engines.scheduling import (
    Job,
    Mode,
    Objective,
    Operation,
    ProblemData,
    Resource,
    Secondary,
    SolverSettings,
    solve,
    validate,
)

HORIZON = 600
CLASSES = ("red", "blue", None)


@st.composite
def resources(draw: st.DrawFn, key: str) -> Resource:
    calendar = None
    if draw(st.booleans()):
        calendar, t = [], draw(st.integers(0, 10))
        while t < HORIZON:
            length = draw(st.integers(25, 80))
            calendar.append((t, min(HORIZON, t + length)))
            t += length + draw(st.integers(1, 20))
    setups = {}
    if draw(st.booleans()):
        setups = {(a, b): draw(st.integers(0, 9)) for a in ("red", "blue") for b in ("red", "blue")}
    return Resource(key, calendar, draw(st.booleans()), setups)


@st.composite
def instances(draw: st.DrawFn) -> ProblemData:
    n_res = draw(st.integers(1, 3))
    res = [draw(resources(f"m{r}")) for r in range(n_res)]
    jobs, ops = [], []
    for j in range(draw(st.integers(1, 4))):
        due = draw(st.one_of(st.none(), st.integers(5, 120)))
        jobs.append(Job(f"J{j}", draw(st.integers(0, 30)), due, draw(st.integers(0, 3))))
        previous: list[str] = []
        for k in range(draw(st.integers(1, 3))):
            keys = [r.key for r in res]
            chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=n_res, unique=True))
            modes = tuple(Mode(r, draw(st.integers(1, 20))) for r in chosen)
            key = f"J{j}.{k}"
            preds = previous if draw(st.booleans()) else previous[-1:]
            ops.append(Operation(key, f"J{j}", modes, tuple(preds), draw(st.sampled_from(CLASSES))))
            previous.append(key)
    secondary = draw(st.sampled_from(list(Secondary)))
    objective = Objective(secondary=secondary, lexicographic=draw(st.booleans()))
    return ProblemData(tuple(jobs), tuple(ops), tuple(res), HORIZON, objective=objective)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from(["auto", "heuristic"]))
def test_every_returned_schedule_is_feasible(prob: ProblemData, backend: str) -> None:
    result = solve(prob, SolverSettings(time_limit=0.5, num_workers=1, backend=backend))
    assert validate(prob, result.schedule) == []
    assert result.lower_bound <= result.objective


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_improving_backends_never_lose_to_the_heuristic(prob: ProblemData) -> None:
    quick = solve(prob, SolverSettings(time_limit=0.5, num_workers=1, backend="heuristic"))
    full = solve(prob, SolverSettings(time_limit=1.0, num_workers=1))
    assert validate(prob, full.schedule) == []
    assert full.objective <= quick.objective
