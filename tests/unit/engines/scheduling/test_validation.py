"""validate() must catch every kind of broken schedule, each with a readable sentence."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orderforge.engines.scheduling import (
    FrozenOperation,
    Job,
    Pin,
    ProblemData,
    Resource,
    ScheduledOperation,
    validate,
)

from .builders import op, problem

S = ScheduledOperation


def plant() -> ProblemData:
    """m1 paints (10 min red->blue), m2 has a break [20, 30) and may not interrupt,
    m3 has the same break but may interrupt; f is frozen, p is pinned."""
    resources = [
        Resource("m1", setup_times={("red", "blue"): 10}),
        Resource("m2", calendar=[(0, 20), (30, 100)]),
        Resource("m3", calendar=[(0, 20), (30, 100)], interruptible=True),
    ]
    jobs = [Job("A", release=0), Job("B", release=5)]
    ops = [
        op("a1", "A", {"m1": 5}, setup_class="red"),
        op("a2", "A", {"m2": 10, "m3": 10}, preds=["a1"]),
        op("b1", "B", {"m1": 5}, setup_class="blue"),
        op("f", "A", {"m3": 4}),
        op("p", "B", {"m2": 3, "m3": 3}),
    ]
    return problem(
        jobs,
        ops,
        resources,
        horizon=100,
        frozen=(FrozenOperation("f", "m3", 0, 4),),
        pins=(Pin("p", "m2", not_before=40),),
    )


def good() -> dict[str, ScheduledOperation]:
    return {
        "a1": S("a1", "m1", 0, 5),
        "a2": S("a2", "m3", 15, 35),  # 5 working min, break [20, 30), 5 more
        "b1": S("b1", "m1", 15, 20),  # red -> blue needs 10 min after a1
        "f": S("f", "m3", 0, 4),
        "p": S("p", "m2", 40, 43),
    }


def test_good_schedule_passes() -> None:
    assert validate(plant(), good()) == []


@pytest.mark.parametrize(
    ("change", "kind", "words"),
    [
        ({"b1": None}, "missing", "'b1' is not scheduled"),
        ({"a1": S("a1", "m2", 0, 5)}, "eligibility", "not eligible"),
        ({"a1": S("a1", "m1", 0, 6)}, "duration", "lasts 6 min"),
        ({"a2": S("a2", "m2", 2, 12)}, "precedence", "before its predecessor 'a1'"),
        ({"b1": S("b1", "m1", 2, 7)}, "release", "before its job 'B' is released"),
        ({"b1": S("b1", "m1", 4, 9)}, "overlap", "overlaps operation 'a1'"),
        ({"b1": S("b1", "m1", 10, 15)}, "setup", "less than the 10 min setup"),
        ({"a2": S("a2", "m2", 15, 25)}, "calendar", "not inside one working interval"),
        ({"a2": S("a2", "m3", 15, 25)}, "duration", "covers 5 working min"),
        ({"f": S("f", "m3", 1, 5)}, "frozen", "is frozen on 'm3'"),
        ({"p": S("p", "m3", 40, 43)}, "pin", "pinned to 'm2'"),
        ({"p": S("p", "m2", 35, 38)}, "pin", "pinned earliest start 40"),
        ({"p": S("p", "m2", 98, 101)}, "horizon", "after the horizon"),
        ({"x": S("x", "m2", 50, 51)}, "unknown", "'x' is not in the problem"),
    ],
)
def test_each_violation_is_reported(
    change: dict[str, ScheduledOperation | None], kind: str, words: str
) -> None:
    schedule = good()
    for key, entry in change.items():
        if entry is None:
            del schedule[key]
        else:
            schedule[key] = entry
    found = validate(plant(), schedule)
    assert kind in {v.kind for v in found}, found
    message = next(v.message for v in found if v.kind == kind)
    assert words in message


def test_duplicate_entry_is_reported() -> None:
    entries = [*good().values(), S("a1", "m1", 50, 55)]
    found = validate(plant(), entries)
    assert [v.kind for v in found] == ["duplicate"]
    assert "'a1' is scheduled more than once" in str(found[0])


def test_initial_setup_state_is_checked() -> None:
    prob = plant()
    resources = [replace(prob.resources[0], initial_setup_class="blue"), *prob.resources[1:]]
    prob = replace(prob, resources=resources, frozen=(), pins=())
    setups = dict(prob.resources[0].setup_times) | {("blue", "red"): 3}
    prob = replace(prob, resources=[replace(prob.resources[0], setup_times=setups), *resources[1:]])
    found = validate(prob, good())
    assert any(v.kind == "setup" and "initial setup" in v.message for v in found)
