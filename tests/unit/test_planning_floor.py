"""The plan keeps what the floor reported, by status and never by the clock (fake
storage, the demo plant): done work leaves the problem, started work is frozen on its
unit, work nobody started is free even where the old plan had it in the past."""

from __future__ import annotations

import datetime as dt

import pytest

from orderforge import demo
from orderforge.adapters.security import HmacSealer
from orderforge.domain.planning import PlannedOperation
from orderforge.production.domain import OperationStatus
from orderforge.services import planning
from orderforge.services.context import ServiceContext
from tests.conftest import FixedClock
from tests.unit.fakes import FakeUnitOfWork, PlainHasher


@pytest.fixture
def uow() -> FakeUnitOfWork:
    store = FakeUnitOfWork()
    ctx = ServiceContext(
        uow=store, clock=FixedClock(), hasher=PlainHasher(), sealer=HmacSealer(lambda: "unit-tests")
    )
    demo.load_demo(ctx, "orderforge-demo", count=20)
    return store


def _problem(
    uow: FakeUnitOfWork, previous: list[PlannedOperation] | None = None
) -> planning.PlanProblem:
    inputs = planning.PlanInputs(previous=previous or [], previous_at=FixedClock().now())
    return planning.build_problem(uow, FixedClock().now(), 120, inputs)


def test_done_leaves_started_is_frozen_and_the_rest_is_free(uow: FakeUnitOfWork) -> None:
    plan = _problem(uow)
    status = {k: f.status for k, f in plan.floor.items()}
    in_problem = {o.key for o in plan.problem.operations}
    frozen = {f.operation for f in plan.problem.frozen}
    done = {k for k, s in status.items() if s is OperationStatus.DONE}
    started = {
        k for k, s in status.items() if s in (OperationStatus.RUNNING, OperationStatus.PAUSED)
    }
    assert done and started
    assert {o.key for o in plan.done} == done and not done & in_problem
    assert frozen == started and set(plan.running) == started
    for op in plan.problem.operations:  # a done predecessor no longer holds anyone back
        assert not set(op.predecessors) & done
    for entry in plan.done:
        floor = plan.floor[entry.key]
        assert (entry.start, entry.end, entry.frozen) == (floor.started_at, floor.finished_at, True)


def test_the_old_plan_in_the_past_does_not_freeze_what_nobody_started(
    uow: FakeUnitOfWork,
) -> None:
    first = _problem(uow)
    now = FixedClock().now()
    ready = sorted(k for k, f in first.floor.items() if f.status is OperationStatus.READY)[:3]
    unit = next(iter(first.centre_of))
    past = [
        PlannedOperation(
            k,
            k.split("/")[0],
            1,
            "x",
            first.centre_of[unit],
            unit,
            now - dt.timedelta(hours=3),
            now - dt.timedelta(hours=1),
        )
        for k in ready
    ]
    plan = _problem(uow, past)
    assert not {f.operation for f in plan.problem.frozen} & set(ready)
    assert not {r.operation for r in plan.problem.reference} & set(ready)
    assert set(ready) <= {o.key for o in plan.problem.operations}


def test_a_started_operation_stays_on_the_unit_of_the_current_plan(uow: FakeUnitOfWork) -> None:
    first = _problem(uow)
    key, floor = next((k, f) for k, f in first.floor.items() if f.status is OperationStatus.RUNNING)
    modes = next(o.modes for o in first.problem.operations if o.key == key)
    # a unit of the work centre the start report named; the last one, so that "the
    # first free unit" would be a different answer where the centre has several
    unit = [m.resource for m in modes if first.centre_of[m.resource] == floor.work_centre][-1]
    now = FixedClock().now()
    planned = PlannedOperation(
        key,
        key.split("/")[0],
        1,
        "x",
        first.centre_of[unit],
        unit,
        now - dt.timedelta(hours=1),
        now + dt.timedelta(hours=2),
    )
    plan = _problem(uow, [planned])
    [held] = [f for f in plan.problem.frozen if f.operation == key]
    assert held.resource == unit and held.start == 0 and held.end > 0
