"""Planning the demo plant's committed orders (a preview: nothing is stored yet)."""

from __future__ import annotations

import pytest

from orderforge import demo
from orderforge.bootstrap import Application
from orderforge.domain.errors import InvalidInput, PermissionDenied
from orderforge.engines.scheduling import validate
from orderforge.plant.ports import PLANT
from orderforge.services import planning, users
from tests.conftest import DEMO_PASSWORD


def test_the_demo_plant_plans_feasibly(application: Application) -> None:
    demo.load_demo(application.ctx, DEMO_PASSWORD)
    with application.ctx.uow() as uow:
        plan = planning.build_problem(uow, application.ctx.clock.now(), days=120)
    assert plan.skipped == []
    assert len(plan.problem.jobs) >= 10 and len(plan.problem.operations) >= 100
    planner = users.authenticate(application.ctx, "planner", DEMO_PASSWORD)
    result = planning.preview_plan(application.ctx, planner, 5, backend="heuristic")
    assert {o["order"] for o in result["orders"]} == {j.key for j in plan.problem.jobs}
    assert all(o["binding"] for o in result["orders"])
    with pytest.raises(PermissionDenied):
        planning.preview_plan(
            application.ctx, users.authenticate(application.ctx, "sales", DEMO_PASSWORD), 1
        )


def test_every_operation_runs_on_an_eligible_unit(application: Application) -> None:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=20)
    with application.ctx.uow() as uow:
        plan = planning.build_problem(uow, application.ctx.clock.now(), days=120)
        centres = {w.code: w for w in uow.repository(PLANT).work_centres()}
    units = {r.key for r in plan.problem.resources}
    assert units >= {"ASSEMBLY#1", "ASSEMBLY#2", "ASSEMBLY#3"}
    assert all(m.resource in units for op in plan.problem.operations for m in op.modes)
    painted = [op for op in plan.problem.operations if op.setup_class is not None]
    assert painted and all(
        any(centres[m.resource.split("#")[0]].setup_attribute == "colour" for m in op.modes)
        for op in painted
    )
    from orderforge.engines.scheduling import SolverSettings, solve

    result = solve(plan.problem, SolverSettings(time_limit=2, backend="heuristic"))
    assert validate(plan.problem, list(result.schedule.values())) == []


def test_a_preview_plans_a_long_backlog_further_ahead_or_says_it_does_not_fit(
    application: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=20)
    planner = users.authenticate(application.ctx, "planner", DEMO_PASSWORD)
    monkeypatch.setattr(planning, "HORIZONS_DAYS", (7, 120))
    result = planning.preview_plan(application.ctx, planner, 1, backend="heuristic")
    assert result["orders"]
    monkeypatch.setattr(planning, "HORIZONS_DAYS", (7, 10))
    with pytest.raises(InvalidInput) as caught:
        planning.preview_plan(application.ctx, planner, 1, backend="heuristic")
    assert caught.value.field == "horizon"
    assert "does not fit in the next 10 days" in str(caught.value)


def test_an_order_waiting_for_a_change_decision_keeps_its_place_in_the_plan(
    application: Application,
) -> None:
    """The demo's orders waiting for a change decision were asked in planned or later
    states (or earlier ones, which are not planned): the first are planned all the same."""
    from orderforge.domain.order import OrderState
    from orderforge.services.ports import OrderFilter

    demo.load_demo(application.ctx, DEMO_PASSWORD)
    with application.ctx.uow() as uow:
        waiting = {
            o.number: o.changed_from
            for o in uow.orders.list(OrderFilter(state=OrderState.CHANGE_REQUESTED))
        }
        plan = planning.build_problem(uow, application.ctx.clock.now(), days=120)
    jobs = {j.key for j in plan.problem.jobs}
    plannable = {n for n, was in waiting.items() if was in planning.PLANNABLE_STATES}
    assert plannable, "the demo has an order in work waiting for a change decision"
    assert plannable <= jobs
    assert not (set(waiting) - plannable) & jobs
