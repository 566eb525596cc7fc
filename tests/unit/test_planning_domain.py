"""Plan runs as a state machine, downtimes and delays as checked facts, calendar cutting."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.planning import (
    Downtime,
    OperationDelay,
    PlanRun,
    RunKind,
    RunStatus,
    check_time_limit,
)
from orderforge.services.planning import _without

AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
STEPS = ("start", "report", "finish", "fail")


def _new() -> PlanRun:
    return PlanRun(kind=RunKind.PLAN, requested_by="planner", requested_at=AT, time_limit=5)


def _apply(run: PlanRun, step: str) -> None:
    if step == "start":
        run.start(AT)
    elif step == "report":
        run.report(1.0, 10, 5)
    elif step == "finish":
        run.finish(3, AT)
    else:
        run.fail("no", [{"where": "x", "message": "y"}], AT)


#: Which steps each status allows (report only records figures, never changes status).
ALLOWED = {
    RunStatus.QUEUED: {"start", "report", "fail"},
    RunStatus.RUNNING: {"report", "finish", "fail"},
    RunStatus.DONE: {"report"},
    RunStatus.FAILED: {"report"},
}


@given(st.lists(st.sampled_from(STEPS), max_size=8))
def test_a_run_only_moves_forward(steps: list[str]) -> None:
    run = _new()
    for step in steps:
        before = run.status
        if step in ALLOWED[before]:
            _apply(run, step)
        else:
            with pytest.raises(IllegalTransition):
                _apply(run, step)
            assert run.status is before
    if run.status is RunStatus.DONE:
        assert run.plan_version == 3 and run.error is None and run.ended
    if run.status is RunStatus.FAILED:
        assert run.plan_version is None and run.error is not None and run.ended


def test_progress_keeps_a_bounded_history() -> None:
    run = _new()
    for i in range(250):
        run.report(i, 1000 - i, i)
    assert run.progress["objective"] == 751 and len(run.progress["history"]) == 200


@pytest.mark.parametrize("seconds", [0, 0.4, 601, -1])
def test_time_limit_is_bounded(seconds: float) -> None:
    with pytest.raises(InvalidInput) as bad:
        check_time_limit(seconds)
    assert bad.value.field == "time_limit"


def test_a_downtime_ends_after_it_starts_and_delays_are_positive() -> None:
    with pytest.raises(InvalidInput) as bad:
        Downtime(None, "CNC", None, AT, AT, "x", "op", AT)
    assert bad.value.field == "end"
    with pytest.raises(InvalidInput) as bad:
        OperationDelay(None, "SO-1/1/CUT", 0, "x", "op", AT)
    assert bad.value.field == "extra_minutes"


intervals = st.lists(st.tuples(st.integers(0, 500), st.integers(1, 60)), max_size=8)


@given(intervals, intervals)
def test_cutting_downtimes_out_of_a_calendar(
    calendar: list[tuple[int, int]], closed: list[tuple[int, int]]
) -> None:
    cal = sorted({(a, a + n) for a, n in calendar})
    merged: list[tuple[int, int]] = []
    for a, b in cal:  # calendars reach the planner merged and sorted
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    cuts = [(a, a + n) for a, n in closed]
    result = _without(merged, cuts)
    for minute in range(0, 600):
        working = any(a <= minute < b for a, b in merged)
        down = any(a <= minute < b for a, b in cuts)
        assert any(a <= minute < b for a, b in result) == (working and not down)
    assert all(a < b for a, b in result)
