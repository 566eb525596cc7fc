"""Operations wait for their material and for design approval (fake storage, demo plant):
the problem carries each operation's release with its reason, and plans keep to it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from orderforge import demo
from orderforge.adapters.security import HmacSealer
from orderforge.domain.order import OrderState
from orderforge.engines.scheduling import SolverSettings, solve, validate
from orderforge.plant.ports import PLANT
from orderforge.services import planning, plant_time
from orderforge.services.context import ServiceContext
from orderforge.services.ports import OPERATION_RELEASES, OperationRelease, OrderFilter
from tests.conftest import FixedClock
from tests.unit.fakes import FakeOperationReleases, FakeUnitOfWork, PlainHasher

NOW = FixedClock().now()  # Wednesday 25 November 2026, 09:00 UTC


@pytest.fixture
def uow() -> FakeUnitOfWork:
    store = FakeUnitOfWork()
    ctx = ServiceContext(
        uow=store, clock=FixedClock(), hasher=PlainHasher(), sealer=HmacSealer(lambda: "unit-tests")
    )
    demo.load_demo(ctx, "orderforge-demo", count=20)
    return store


def _releases(uow: FakeUnitOfWork) -> FakeOperationReleases:
    source = uow.repository(OPERATION_RELEASES)
    assert isinstance(source, FakeOperationReleases)
    return source


def _problem(uow: Any) -> planning.PlanProblem:
    return planning.build_problem(uow, NOW, 120)


def _ready_key(plan: planning.PlanProblem, state: OrderState, uow: FakeUnitOfWork) -> str:
    numbers = {o.number for o in uow.orders.list(OrderFilter(state=state, limit=1000))}
    frozen = {f.operation for f in plan.problem.frozen}
    return next(o.key for o in plan.problem.operations if o.job in numbers and o.key not in frozen)


def test_an_operation_waits_for_its_material_and_says_so(uow: FakeUnitOfWork) -> None:
    key = _ready_key(_problem(uow), OrderState.RELEASED, uow)
    _releases(uow).rows += [
        OperationRelease(key, NOW + dt.timedelta(days=2), "leather arrives with PO-1"),
        OperationRelease(key, NOW + dt.timedelta(days=9), "leather arrives with PO-2"),
        OperationRelease(key, NOW - dt.timedelta(days=1), "glue is in stock"),
    ]
    plan = _problem(uow)
    op = next(o for o in plan.problem.operations if o.key == key)
    assert op.release == 9 * 1440  # the latest release holds
    assert plan.waits[key] == (9 * 1440, "waits for material: leather arrives with PO-2")
    result = solve(plan.problem, SolverSettings(time_limit=1, backend="heuristic"))
    assert validate(plan.problem, result.schedule) == []
    assert result.schedule[key].start >= 9 * 1440


def test_without_a_release_source_nothing_waits_for_material(uow: FakeUnitOfWork) -> None:
    class NoMaterials(FakeUnitOfWork):
        def repository(self, key: Any) -> Any:
            if key is OPERATION_RELEASES:
                raise LookupError("no storage registered")
            return uow.repository(key)

    bare = NoMaterials()
    bare.orders = uow.orders
    plan = _problem(bare)
    assert plan.problem.operations
    assert not any(w.startswith("waits for material") for _, w in plan.waits.values())


def _awaiting(uow: FakeUnitOfWork) -> list[str]:
    found = uow.orders.list(OrderFilter(state=OrderState.AWAITING_DESIGN_APPROVAL, limit=1000))
    return [o.number for o in found if o.design_approved_at is None]


def test_an_order_awaiting_design_approval_starts_after_the_allowance(
    uow: FakeUnitOfWork,
) -> None:
    waiting = _awaiting(uow)
    assert waiting, "the demo has an order awaiting design approval"
    plan = _problem(uow)
    zone = plant_time.plant_zone(uow)
    gate = planning.design_approval_gate(NOW.astimezone(zone), 5)
    # Wednesday: Thursday, Friday, Monday, Tuesday, Wednesday; from Thursday's morning
    assert gate == dt.datetime(2026, 12, 3, tzinfo=zone)
    minute = int((gate - NOW).total_seconds() // 60)
    frozen = {f.operation for f in plan.problem.frozen}
    gated = [o for o in plan.problem.operations if o.job in waiting and o.key not in frozen]
    assert gated
    for op in gated:
        assert op.release == minute
        assert plan.waits[op.key][1] == "waits for design approval until Thu 03 Dec 2026"
    others = [o for o in plan.problem.operations if o.job not in waiting]
    assert all(o.release == 0 for o in others if o.key not in plan.waits)
    result = solve(plan.problem, SolverSettings(time_limit=1, backend="heuristic"))
    assert all(result.schedule[o.key].start >= minute for o in gated)


def test_the_allowance_is_a_plant_setting_and_approval_lifts_the_gate(
    uow: FakeUnitOfWork,
) -> None:
    waiting = _awaiting(uow)
    plant = uow.repository(PLANT)
    settings = plant.settings()
    assert settings is not None
    plant.save_settings(dataclasses.replace(settings, design_approval_days=0))
    assert not any(k.split("/")[0] in waiting for k in _problem(uow).waits)
    plant.save_settings(dataclasses.replace(settings, design_approval_days=1))
    plan = _problem(uow)
    gate = dt.datetime(2026, 11, 27, tzinfo=plant_time.plant_zone(uow))  # Thursday, then
    minute = int((gate - NOW).total_seconds() // 60)
    assert {plan.waits[k][0] for k in plan.waits if k.split("/")[0] in waiting} == {minute}
    order = uow.orders.get(waiting[0])
    assert order is not None
    order.design_approved_at = NOW
    assert not any(k.startswith(f"{waiting[0]}/") for k in _problem(uow).waits)


@pytest.mark.parametrize(
    ("today", "days", "gate"),
    [
        (dt.datetime(2026, 11, 27, 15, 0), 1, dt.datetime(2026, 12, 1)),  # Fri: Mon, then Tue
        (dt.datetime(2026, 11, 28, 10, 0), 1, dt.datetime(2026, 12, 1)),  # Sat: Mon, then Tue
        (dt.datetime(2026, 11, 23, 8, 0), 5, dt.datetime(2026, 12, 1)),  # Mon: a week on
        (dt.datetime(2026, 11, 23, 23, 59), 5, dt.datetime(2026, 12, 1)),  # all day the same
    ],
)
def test_the_gate_counts_full_working_days(
    today: dt.datetime, days: int, gate: dt.datetime
) -> None:
    assert planning.design_approval_gate(today, days) == gate
