"""A late-running operation on SQLite and PostgreSQL: the board shows it behind with the
order's projected finish, and the promise watch raises the promise-at-risk alert (named
after the operation) as soon as the floor pushes the finish past the promise; it clears
once the promise holds again."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from orderforge import demo
from orderforge.bootstrap import Application
from orderforge.domain.order import LineInput
from orderforge.production.domain import ReportKind
from orderforge.production.services import reports, work_orders
from orderforge.promising import services as promising
from orderforge.services import orders, plan_runs, schedule, users
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import DEMO_PASSWORD, FixedClock, release_for_work


def _user(app: Application, name: str) -> Principal:
    return users.authenticate(app.ctx, name, DEMO_PASSWORD)


def test_an_operation_running_late_shows_on_the_board_and_puts_the_promise_at_risk(
    application: Application, clock: FixedClock
) -> None:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=8)
    ctx = replace(application.ctx, jobs=None)
    sales, planner = _user(application, "sales"), _user(application, "planner")
    operator = _user(application, "operator")
    created = orders.create_order(
        ctx, sales, orders.CreateOrder("C-HOTEL-ALPINA", (LineInput("TABLE", 1, {}),))
    )
    number = created.view.number
    orders.advance_order(ctx, sales, number, "confirm")
    release_for_work(ctx, number)
    run = plan_runs.request_run(ctx, planner, time_limit=0.5)
    assert plan_runs.execute_run(ctx, run["id"])["status"] == "done"
    with ctx.uow() as uow:
        order = uow.orders.get(number)
        assert order is not None and order.promise_date is not None
        promised = order.promise_date
    [wo] = work_orders.list_work_orders(ctx, operator, number)

    # The operator starts the first operation when the plan says, and it runs on and on.
    first = _planned(ctx, planner, number, wo["operations"][0]["routing_key"])
    clock.at = dt.datetime.fromisoformat(first["start"])
    reports.report_operation(
        ctx, operator, reports.ReportOperation(wo["number"], 10, ReportKind.START)
    )
    assert promising.alerts(ctx, planner, number) == []
    on_time = _planned(ctx, planner, number, wo["operations"][0]["routing_key"])
    assert on_time["floor"]["status"] == "running" and on_time["floor"]["behind"] is None

    clock.at = dt.datetime.combine(promised, dt.time(12), dt.UTC) + dt.timedelta(days=2)
    assert promising.watch_all(ctx) == 1
    [alert] = promising.alerts(ctx, planner, number)
    assert alert.planned_date > promised
    assert alert.reason.startswith("running late on the floor: ")
    # named after the work most behind (the first operation overruns, those beside it in
    # the routing have not started)
    assert wo["number"] in alert.reason and " after its planned " in alert.reason
    assert promising.watch_all(ctx) == 0, "an alert already open is not raised twice"

    board = schedule.board(ctx, planner)
    late = _planned(ctx, planner, number, wo["operations"][0]["routing_key"], board)
    assert late["floor"]["behind"] == "overrunning"
    assert "still running" in late["floor"]["behind_text"]
    [row] = [o for o in board["orders"] if o["order"] == number]
    assert row["promise_at_risk"] and row["floor_delay_minutes"] > 0
    assert row["projected_finish"] > row["planned_finish"]
    later = [
        o
        for o in board["operations"]
        if o["order_number"] == number and o["floor"]["status"] in ("waiting", "ready")
    ]
    assert later and all(o["floor"]["delay_minutes"] > 0 for o in later)

    # Completing it is a report: the watch looks again at once. The finish is still
    # late (what follows starts only now), so the alert stays, once.
    done = reports.ReportOperation(wo["number"], 10, ReportKind.COMPLETE, good=1)
    reports.report_operation(ctx, operator, done)
    assert len(promising.alerts(ctx, planner, number)) == 1

    # A later promise agreed with the customer: the watch clears the alert.
    with ctx.uow() as uow:
        order = uow.orders.get(number)
        assert order is not None
        order.set_promise(
            promised + dt.timedelta(days=60), actor="sales", at=clock.now(), reason="Agreed."
        )
        uow.commit()
    promising.watch_all(ctx)
    assert promising.alerts(ctx, planner, number) == []


def _planned(
    ctx: ServiceContext,
    planner: Principal,
    number: str,
    routing_key: str,
    board: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The board's view of one planned operation of the order."""
    found = board or schedule.board(ctx, planner)
    view: dict[str, Any] = next(
        o
        for o in found["operations"]
        if o["order_number"] == number and o["key"].endswith(f"/{routing_key}")
    )
    return view
