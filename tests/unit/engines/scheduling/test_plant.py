"""The plant generator and the breakdown replan, at a size that keeps the suite fast."""

from __future__ import annotations

from orderforge.engines.scheduling import (
    SolverSettings,
    generate_plant_instance,
    replan_after_breakdown,
    solve,
    validate,
)


def test_generator_is_seeded_and_rich() -> None:
    a = generate_plant_instance(7, n_orders=40, n_resources=12)
    b = generate_plant_instance(7, n_orders=40, n_resources=12)
    assert a == b
    assert len(a.operations) >= 6 * 40
    assert any(len(o.modes) > 1 for o in a.operations)
    assert any(r.setup_times for r in a.resources)
    assert any(len(o.predecessors) > 1 for o in a.operations)
    assert all(r.calendar for r in a.resources)


def test_replan_after_breakdown_keeps_the_past_and_is_feasible() -> None:
    prob = generate_plant_instance(3, n_orders=60, n_resources=12)
    first = solve(prob, SolverSettings(time_limit=2.0))
    assert validate(prob, first.schedule) == []
    busiest = max(prob.resources, key=lambda r: sum(
        e.end - e.start for e in first.schedule.values() if e.resource == r.key
    )).key  # fmt: skip
    down = (first.values.makespan // 3, first.values.makespan // 3 + 480)
    again = replan_after_breakdown(prob, first.schedule, busiest, down)
    assert again.frozen
    result = solve(again, SolverSettings(time_limit=2.0))
    assert validate(again, result.schedule) == []
    for f in again.frozen:
        entry = result.schedule[f.operation]
        assert (entry.resource, entry.start, entry.end) == (f.resource, f.start, f.end)
    on_broken = [e for e in result.schedule.values() if e.resource == busiest]
    assert not any(e.start < down[1] and e.end > down[0] and e.start >= down[0] for e in on_broken)


def test_large_neighbourhood_search_keeps_plans_feasible() -> None:
    """Force LNS (slices of a plant with setups, calendars, alternatives) and check its plan."""
    prob = generate_plant_instance(5, n_orders=40, n_resources=12)
    settings = SolverSettings(time_limit=3.0, max_monolithic_operations=20, random_seed=2)
    quick = solve(prob, SolverSettings(time_limit=3.0, backend="heuristic"))
    result = solve(prob, settings)
    assert result.backend in {"heuristic", "lns"}
    assert validate(prob, result.schedule) == []
    assert result.objective <= quick.objective
