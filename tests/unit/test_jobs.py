"""Recorded jobs: the registry of kinds, the in-process queue's dispatch, and the run
lifecycle's cancel and retry (refused, with the reason, where they make no sense)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from orderforge import contexts
from orderforge.adapters.jobs.inprocess import InProcessJobQueue
from orderforge.domain.errors import IllegalTransition
from orderforge.domain.planning import PlanRun, RunKind, RunStatus
from orderforge.materials.domain import MrpRun
from orderforge.materials.domain import RunStatus as MrpStatus
from orderforge.materials.services import mrp
from orderforge.services import jobs
from orderforge.services import plan_runs as plan_runs

AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _plan_run(status: RunStatus) -> PlanRun:
    run = PlanRun(
        kind=RunKind.REPLAN,
        requested_by="planner",
        requested_at=AT,
        time_limit=3.0,
        trigger={"kind": "rush_order", "order": "SO-2026-0001", "reason": "VIP"},
        options={"displace": True, "min_gain_minutes": 30},
        id=7,
    )
    run.status = status
    return run


def test_every_kind_of_job_is_registered_once_with_its_lock() -> None:
    kinds = contexts.job_kinds()
    assert kinds[plan_runs.PLAN_RUN].handler is plan_runs.execute_run
    assert kinds[plan_runs.PLAN_RUN].lock == "plant-plan"
    assert kinds[mrp.MRP_RUN].handler is mrp.execute_run
    assert kinds[mrp.MRP_RUN].lock == "materials-mrp"
    # studies and their batches run side by side: each only reads the plan
    assert kinds["simulation_run"].lock is None and kinds["simulation_batch"].lock is None
    assert kinds["forecast_run"].lock == "forecasting"
    assert all(k.recover is not None and k.interrupt is not None for k in kinds.values())


def test_an_unknown_kind_names_the_known_ones() -> None:
    known = "forecast_run, mrp_run, plan_run, simulation_batch, simulation_run, simulation_what_if"
    with pytest.raises(LookupError, match=f"'nothing'; known: {known}"):
        jobs.run_job(contexts.job_kinds(), None, "nothing", 1)  # type: ignore[arg-type]


def test_the_in_process_queue_dispatches_by_kind_and_refuses_unknown_kinds() -> None:
    seen: list[tuple[str, int]] = []
    lock = threading.Lock()

    def run(kind: str, record_id: int) -> object:
        with lock:
            seen.append((kind, record_id))
        if record_id == 3:
            raise RuntimeError("a handler that raises does not stop the thread")
        return None

    queue = InProcessJobQueue(run, {"a", "b"})
    try:
        for job in [("a", 1), ("b", 2), ("a", 3), ("b", 4)]:
            queue.submit(*job)
        with pytest.raises(LookupError, match="'c'"):
            queue.submit("c", 5)
        queue.wait(timeout=10)
    finally:
        queue.shutdown()
    assert seen == [("a", 1), ("b", 2), ("a", 3), ("b", 4)]  # one at a time, in order


def test_only_a_queued_plan_run_can_be_cancelled() -> None:
    run = _plan_run(RunStatus.QUEUED)
    run.cancel("planner", AT)
    assert run.status is RunStatus.CANCELLED and run.ended
    assert run.error == {"title": "Cancelled by planner before it ran.", "issues": []}
    with pytest.raises(IllegalTransition, match="already running and cannot be cancelled"):
        _plan_run(RunStatus.RUNNING).cancel("planner", AT)
    for status in (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED):
        with pytest.raises(IllegalTransition, match=f"already ended \\({status.value}\\)"):
            _plan_run(status).cancel("planner", AT)
    with pytest.raises(IllegalTransition):  # a cancelled run is never started
        run.start(AT)


def test_a_failed_plan_run_is_retried_with_its_inputs() -> None:
    failed = _plan_run(RunStatus.FAILED)
    again = failed.retry("admin", AT + dt.timedelta(hours=1))
    assert again.status is RunStatus.QUEUED and again.id is None
    assert (again.kind, again.time_limit, again.trigger, again.options) == (
        failed.kind,
        failed.time_limit,
        failed.trigger,
        failed.options,
    )
    assert again.trigger is not failed.trigger  # a copy: the failed run stays as it was
    assert again.retry_of == 7 and again.requested_by == "admin"
    for status in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.DONE, RunStatus.CANCELLED):
        with pytest.raises(IllegalTransition, match="only a failed run can be retried"):
            _plan_run(status).retry("admin", AT)


def test_mrp_runs_cancel_and_retry_like_plan_runs() -> None:
    def mrp_run(status: MrpStatus) -> MrpRun:
        return MrpRun(requested_by="purchasing", requested_at=AT, status=status, id=4)

    queued = mrp_run(MrpStatus.QUEUED)
    queued.cancel("purchasing", AT)
    assert queued.status is MrpStatus.CANCELLED and queued.error == (
        "Cancelled by purchasing before it ran."
    )
    with pytest.raises(IllegalTransition, match="already running"):
        mrp_run(MrpStatus.RUNNING).cancel("purchasing", AT)
    with pytest.raises(IllegalTransition, match="already ended \\(done\\)"):
        mrp_run(MrpStatus.DONE).cancel("purchasing", AT)
    again = mrp_run(MrpStatus.FAILED).retry("admin", AT)
    assert again.status is MrpStatus.QUEUED and again.retry_of == 4
    with pytest.raises(IllegalTransition, match="only a failed run"):
        mrp_run(MrpStatus.DONE).retry("admin", AT)
    with pytest.raises(IllegalTransition, match="has already ended"):
        queued.fail("late news", AT)  # a cancelled run cannot end another way
