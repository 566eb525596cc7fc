"""Plan runs on both databases: stored versions, replans after events, pins, bad input.

The demo plant (20 orders) is planned with short time limits; every assertion is about
what a planner relies on: versions kept, dates set, work the floor reported running or
done kept (by its status, never by the clock), pins held, the stored plan untouched when
a run fails.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

import pytest
import sqlalchemy as sa

from orderforge import demo
from orderforge.adapters.db import tables as t
from orderforge.bootstrap import Application
from orderforge.domain.errors import IllegalTransition, InvalidInput, PermissionDenied
from orderforge.domain.order import OrderAction, OrderState
from orderforge.domain.planning import DisruptionKind
from orderforge.plant import storage as pt
from orderforge.production.domain import OperationStatus, ReportKind
from orderforge.production.services import reports
from orderforge.production.services.work_orders import find_operation
from orderforge.services import orders, plan_runs, planning, schedule, users
from orderforge.services.ports import OrderFilter, Principal
from tests.conftest import DEMO_PASSWORD, FixedClock


def _planner(application: Application, name: str = "planner") -> Principal:
    return users.authenticate(application.ctx, name, DEMO_PASSWORD)


def _run(
    application: Application,
    actor: Principal,
    disruption: plan_runs.Disruption | None = None,
    seconds: float = 1.0,
) -> dict[str, Any]:
    """Request and execute in the foreground, as the CLI does."""
    ctx = dataclasses.replace(application.ctx, jobs=None)
    run = plan_runs.request_run(ctx, actor, seconds, disruption)
    return plan_runs.execute_run(ctx, run["id"])


@pytest.fixture
def plant(application: Application) -> Application:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=20)
    return application


def _ops(application: Application, number: int | None = None) -> dict[str, dict[str, Any]]:
    """The plan's operations, each with the floor status of its work order operation."""
    detail = schedule.plan_detail(application.ctx, _planner(application), number)
    ops = {o["key"]: o for o in detail["operations"]}
    for key, o in ops.items():
        o["status"] = _floor_status(application, key).value
    return ops


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _report(
    application: Application, key: str, kind: ReportKind, centre: str | None = None
) -> dict[str, Any]:
    """The floor reports on the operation behind a plan key, as an operator."""
    with application.ctx.uow() as uow:
        found = find_operation(uow, key)
        assert found is not None, key
        work_order, op = found
        good = work_order.quantity if kind is ReportKind.COMPLETE else 0
        cmd = reports.ReportOperation(
            work_order.number, op.seq, kind, good=good, work_centre=centre
        )
    return reports.report_operation(application.ctx, _planner(application, "operator"), cmd).view


def _floor_status(application: Application, key: str) -> OperationStatus:
    with application.ctx.uow() as uow:
        found = find_operation(uow, key)
        assert found is not None, key
        return found[1].status


def _assert_no_overlaps(ops: dict[str, dict[str, Any]]) -> None:
    """No two operations share a unit, except what the floor reported done: that is
    history, kept as it was reported."""
    by_unit: dict[str, list[tuple[dt.datetime, dt.datetime, str]]] = defaultdict(list)
    for o in ops.values():
        if o["frozen"] and o["status"] == "done":
            continue
        by_unit[o["resource"]].append((_at(o["start"]), _at(o["end"]), o["key"]))
    for unit, spans in by_unit.items():
        spans.sort()
        for (_, end, a), (start, _, b) in itertools.pairwise(spans):
            assert end <= start, f"{a} and {b} overlap on {unit}"


def test_a_plan_run_stores_a_version_and_sets_planned_dates(plant: Application) -> None:
    planner = _planner(plant)
    run = _run(plant, planner)
    assert run["status"] == "done", run["error"]
    assert run["plan_version"] == 1 and run["progress"]["history"]
    detail = schedule.plan_detail(plant.ctx, planner)
    assert detail["number"] == 1 and detail["current"] and detail["based_on"] is None
    ops = _ops(plant)
    _assert_no_overlaps(ops)
    for o in ops.values():
        # frozen exactly when the floor has started or finished it; the rest lies ahead
        assert o["frozen"] == (o["status"] in ("running", "paused", "done")), o
        if not o["frozen"]:
            assert _at(o["start"]) >= plant.ctx.clock.now().replace(second=0, microsecond=0)
    with plant.ctx.uow() as uow:
        planned = {
            o.number: (o.planned_start, o.planned_finish)
            for o in uow.orders.list(OrderFilter(limit=1000))
            if o.plan_version == 1
        }
    assert {o["order_number"] for o in detail["orders"]} == set(planned)
    for row in detail["orders"]:
        dates = (_at(row["planned_start"]), _at(row["planned_finish"]))
        assert planned[row["order_number"]] == dates
    second = _run(plant, planner)
    assert second["plan_version"] == 2
    versions = schedule.list_versions(plant.ctx, planner)
    assert [v["number"] for v in versions] == [2, 1] and versions[0]["based_on"] == 1
    assert _ops(plant, 1) == ops  # the older version is kept as it was
    compared = schedule.compare(plant.ctx, planner, 1, 2)
    assert {r["order"] for r in compared["orders"]} == set(planned)


def test_only_planners_and_admins_run_plans(plant: Application) -> None:
    sales = users.authenticate(plant.ctx, "sales", DEMO_PASSWORD)
    with pytest.raises(PermissionDenied):
        plan_runs.request_run(plant.ctx, sales, 1)
    with pytest.raises(InvalidInput) as bad:
        plan_runs.request_run(plant.ctx, _planner(plant), 0.1)
    assert bad.value.field == "time_limit"


def test_replan_after_a_breakdown_keeps_running_work_and_clears_the_downtime(
    plant: Application, clock: FixedClock
) -> None:
    planner = _planner(plant)
    _run(plant, planner)
    before = _ops(plant)
    # the floor finishes the first planned operation that is ready, starts the next one
    ready = sorted((o for o in before.values() if o["status"] == "ready"), key=lambda o: o["start"])
    clock.advance(minutes=30)
    _report(plant, ready[0]["key"], ReportKind.START)
    clock.advance(minutes=30)
    _report(plant, ready[0]["key"], ReportKind.COMPLETE)
    _report(plant, ready[1]["key"], ReportKind.START)
    clock.advance(hours=1)
    now = clock.now()
    # an operation the old plan put in the past but nobody started stays free
    stale = [o for o in before.values() if o["status"] == "ready" and _at(o["start"]) < now]
    stale = [o for o in stale if o["key"] not in (ready[0]["key"], ready[1]["key"])]
    upcoming = sorted(
        (o for o in before.values() if _at(o["start"]) >= now), key=lambda o: o["start"]
    )
    unit = upcoming[0]["resource"]
    centre = upcoming[0]["work_centre"]
    down = plan_runs.Disruption(
        DisruptionKind.MACHINE_DOWN,
        "spindle bearing failed",
        work_centre=centre,
        resource=unit if "#" in unit else None,
        start=now,
        end=now + dt.timedelta(hours=6),
    )
    run = _run(plant, planner, down, seconds=2)
    assert run["status"] == "done", run["error"]
    assert run["kind"] == "replan" and run["trigger"]["work_centre"] == centre
    after = _ops(plant)
    assert set(after) == set(before)
    _assert_no_overlaps(after)
    finished = after[ready[0]["key"]]
    assert finished["frozen"] and finished["status"] == "done"
    assert _at(finished["end"]) == now - dt.timedelta(hours=1)  # when the floor said
    for o in before.values():
        if o["status"] in ("running", "paused", "done"):
            assert after[o["key"]]["frozen"], o
    running = after[ready[1]["key"]]
    assert running["frozen"] and running["resource"] == ready[1]["resource"]
    assert _at(running["start"]) == now - dt.timedelta(hours=1)
    for o in stale:
        assert not after[o["key"]]["frozen"] and _at(after[o["key"]]["start"]) >= now
    for o in after.values():
        if o["resource"] == unit and not o["frozen"]:
            assert _at(o["end"]) <= now or _at(o["start"]) >= now + dt.timedelta(hours=6)
    version = schedule.plan_detail(plant.ctx, planner)
    assert version["reason"].startswith("Replan:") and "spindle" in version["reason"]
    free = [k for k in before if k in after and not after[k]["frozen"]]
    assert version["moved_operations"] <= len(free)


def test_a_breakdown_moves_only_the_orders_of_the_broken_unit_unless_told_otherwise(
    plant: Application,
) -> None:
    """The orders whose work the breakdown does not touch stay exactly where they were
    (held, not frozen as started work is); the broken unit's work goes around them."""
    planner = _planner(plant)
    _run(plant, planner)
    before = _ops(plant)
    now = plant.ctx.clock.now()
    ahead = [o for o in before.values() if not o["frozen"] and _at(o["start"]) >= now]
    planned = {o["order_number"] for o in before.values() if not o["frozen"]}

    def orders_on(unit: str) -> set[str]:
        return {o["order_number"] for o in before.values() if o["resource"] == unit}

    # the busiest unit of the next 8 hours among those some planned order never uses (a
    # unit every order passes through would leave nothing to hold still)
    busiest = max(
        {o["resource"] for o in ahead if planned - orders_on(o["resource"])},
        key=lambda u: sum(
            1 for o in ahead if o["resource"] == u and _at(o["start"]) < now + dt.timedelta(hours=8)
        ),
    )
    hit = orders_on(busiest)
    down = plan_runs.Disruption(
        DisruptionKind.MACHINE_DOWN,
        "hydraulic leak",
        work_centre=busiest.split("#")[0],
        resource=busiest if "#" in busiest else None,
        start=now,
        end=now + dt.timedelta(hours=8),
    )
    run = _run(plant, planner, down, seconds=2)
    assert run["status"] == "done", run["error"]
    after = _ops(plant)
    _assert_no_overlaps(after)
    others = [k for k, o in before.items() if o["order_number"] not in hit and not o["frozen"]]
    assert others, "the demo has orders that never use the busiest unit"
    for k in others:
        if _at(before[k]["start"]) >= now:
            assert (after[k]["start"], after[k]["resource"]) == (
                before[k]["start"],
                before[k]["resource"],
            ), k
            assert not after[k]["frozen"]  # held by the replan, not started by the floor
    for o in after.values():
        if o["resource"] == busiest and not o["frozen"]:
            assert _at(o["end"]) <= now or _at(o["start"]) >= now + dt.timedelta(hours=8)


def test_a_new_order_takes_the_room_left_and_the_version_says_what_moved(
    plant: Application,
) -> None:
    planner = _planner(plant)
    _run(plant, planner)
    before = _ops(plant)
    with plant.ctx.uow() as uow:
        feasible = [o.number for o in uow.orders.list(OrderFilter(state=OrderState.FEASIBLE))]
    assert feasible, "the demo has a feasible order not planned yet"
    new = feasible[0]
    orders.advance_order(plant.ctx, planner, new, OrderAction.PLAN.value)
    run = _run(plant, planner)
    assert run["status"] == "done", run["error"]
    assert run["options"] == {"displace": False, "min_gain_minutes": 120}
    after = _ops(plant)
    assert any(o["order_number"] == new for o in after.values())
    _assert_no_overlaps(after)
    same = [k for k in after if k in before and not before[k]["frozen"] and not after[k]["frozen"]]
    moved = [
        k
        for k in same
        if (after[k]["start"], after[k]["resource"]) != (before[k]["start"], before[k]["resource"])
    ]
    version = schedule.plan_detail(plant.ctx, planner)
    assert (version["moved_operations"], version["comparable_operations"]) == (
        len(moved),
        len(same),
    )
    assert version["moved"] == f"moved {len(moved)} of {len(same)} operations since version 1"
    assert len(moved) <= 0.05 * len(same), moved  # the rest stays where it was


def test_orders_awaiting_design_approval_wait_and_say_why(plant: Application) -> None:
    planner = _planner(plant)
    with plant.ctx.uow() as uow:
        awaiting = [
            o.number
            for o in uow.orders.list(
                OrderFilter(state=OrderState.AWAITING_DESIGN_APPROVAL, limit=100)
            )
            if o.design_approved_at is None
        ]
    assert awaiting, "the demo has an order awaiting design approval"
    _run(plant, planner)
    detail = schedule.plan_detail(plant.ctx, planner)
    now = plant.ctx.clock.now()
    for row in detail["orders"]:
        if row["order_number"] in awaiting:
            [why] = row["waits"]
            assert why.startswith("waits for design approval until ")
    for o in _ops(plant).values():
        if o["order_number"] in awaiting and not o["frozen"]:
            assert _at(o["start"]) >= now + dt.timedelta(days=5)  # 5 working days, at least
    board = schedule.board(plant.ctx, planner)
    assert {o["order"] for o in board["orders"] if o["waits"]} >= set(awaiting) & {
        r["order_number"] for r in detail["orders"]
    }


def test_a_pin_holds_in_the_next_plan(plant: Application) -> None:
    planner = _planner(plant)
    _run(plant, planner)
    ops = _ops(plant)
    with plant.ctx.uow() as uow:
        choice = next(
            (o, units)
            for o in sorted(ops.values(), key=lambda o: o["start"], reverse=True)
            if len(units := schedule.eligible_units(uow, o["key"])) > 1
        )
    op, units = choice
    other = next(u for u in units if u != op["resource"])
    not_before = _at(op["start"]) + dt.timedelta(days=1)
    pin = schedule.add_pin(plant.ctx, planner, op["key"], other, not_before, "jig on that bench")
    assert schedule.list_pins(plant.ctx, planner)[0]["id"] == pin["id"]
    run = _run(plant, planner)
    assert run["status"] == "done", run["error"]
    pinned = _ops(plant)[op["key"]]
    assert pinned["resource"] == other and pinned["pinned"]
    assert _at(pinned["start"]) >= not_before
    with pytest.raises(InvalidInput) as bad:
        schedule.add_pin(plant.ctx, planner, op["key"], "NO-SUCH#1")
    assert bad.value.field == "resource" and other in bad.value.message
    schedule.remove_pin(plant.ctx, planner, pin["id"])
    assert schedule.list_pins(plant.ctx, planner) == []
    with plant.ctx.uow() as uow:  # removed, not deleted: the audit keeps who and when
        row = uow.session.execute(sa.select(t.plan_pins)).one()  # type: ignore[attr-defined]
    assert row.removed_by == "planner" and row.removed_at is not None


def test_a_started_operation_cannot_be_pinned_elsewhere(
    plant: Application, clock: FixedClock
) -> None:
    planner = _planner(plant)
    _run(plant, planner)
    ops = _ops(plant)
    with plant.ctx.uow() as uow:
        started = next(
            (o, units)
            for o in ops.values()
            if o["status"] == "ready" and len(units := schedule.eligible_units(uow, o["key"])) > 1
        )
    op, units = started
    # not started yet: the plan may move it, even if it planned it in the past
    clock.at = _at(op["start"]) + dt.timedelta(minutes=30)
    other = next(u for u in units if u != op["resource"])
    schedule.add_pin(plant.ctx, planner, op["key"], other)
    _report(plant, op["key"], ReportKind.START, centre=op["work_centre"])
    with pytest.raises(IllegalTransition, match="already started"):
        schedule.add_pin(
            plant.ctx, planner, op["key"], next(u for u in units if u != op["resource"])
        )


def _unchanged_after_failure(application: Application, run: dict[str, Any]) -> None:
    assert run["status"] == "failed"
    assert run["plan_version"] is None
    assert schedule.list_versions(application.ctx, _planner(application))[0]["number"] == 1


def test_a_pin_that_conflicts_with_a_frozen_operation_fails_the_run_by_name(
    plant: Application, clock: FixedClock
) -> None:
    planner = _planner(plant)
    _run(plant, planner)
    ops = _ops(plant)
    with plant.ctx.uow() as uow:
        op, units = next(
            (o, units)
            for o in sorted(ops.values(), key=lambda o: o["start"])
            if _at(o["start"]) > clock.now()
            and o["status"] == "ready"
            and len(units := schedule.eligible_units(uow, o["key"])) > 1
        )
    schedule.add_pin(plant.ctx, planner, op["key"], next(u for u in units if u != op["resource"]))
    clock.at = _at(op["start"]) + dt.timedelta(minutes=1)
    _report(plant, op["key"], ReportKind.START)  # it started where the plan said
    run = _run(plant, planner)
    _unchanged_after_failure(plant, run)
    assert "unchanged" in run["error"]["title"]
    messages = [f"{i['where']}: {i['message']}" for i in run["error"]["issues"]]
    assert any(op["key"] in m and "frozen" in m for m in messages), messages


def test_a_work_centre_the_plant_lost_and_a_calendar_without_time_are_reported(
    plant: Application,
) -> None:
    planner = _planner(plant)
    _run(plant, planner)
    before = _ops(plant)
    painted = next(o for o in before.values() if o["work_centre"] == "PAINT-BOOTH")
    with plant.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        session.execute(
            sa.update(pt.work_centres)
            .where(pt.work_centres.c.code == "PAINT-BOOTH")
            .values(code="PAINT-BOOTH-OLD")
        )
        session.commit()
    run = _run(plant, planner)
    _unchanged_after_failure(plant, run)
    issues = run["error"]["issues"]
    assert any(painted["key"] in i["where"] and "PAINT-BOOTH" in i["message"] for i in issues)
    with plant.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        session.execute(
            sa.update(pt.work_centres)
            .where(pt.work_centres.c.code == "PAINT-BOOTH-OLD")
            .values(code="PAINT-BOOTH")
        )
        calendar = session.execute(
            sa.select(pt.work_centres.c.calendar_code).where(
                pt.work_centres.c.code == "PAINT-BOOTH"
            )
        ).scalar_one()
        session.execute(
            sa.update(pt.calendars).where(pt.calendars.c.code == calendar).values(shifts=[])
        )
        session.commit()
    run = _run(plant, planner)
    _unchanged_after_failure(plant, run)
    assert any("no working time" in i["message"] for i in run["error"]["issues"])
    assert _ops(plant) == before


def test_rush_order_and_cancellation_replan(plant: Application) -> None:
    planner, admin = _planner(plant), _planner(plant, "admin")
    _run(plant, planner)
    detail = schedule.plan_detail(plant.ctx, planner)
    last = max(detail["orders"], key=lambda o: o["planned_finish"])["order_number"]
    rush = plan_runs.Disruption(
        DisruptionKind.RUSH_ORDER, "customer's hotel opens early", order=last
    )
    assert _run(plant, planner, rush)["status"] == "done"
    with plant.ctx.uow() as uow:
        order = uow.orders.get(last)
        assert order is not None and order.priority == 10
        kinds = [e.kind for e in uow.events.for_aggregate("order", last)]
    assert "order_prioritised" in kinds
    cancel = plan_runs.Disruption(DisruptionKind.ORDER_CANCELLED, "customer withdrew", order=last)
    with pytest.raises(PermissionDenied):  # planners do not cancel orders; sales and admins do
        plan_runs.request_run(plant.ctx, planner, 1, cancel)
    assert _run(plant, admin, cancel)["status"] == "done"
    after = schedule.plan_detail(plant.ctx, planner)
    assert last not in {o["order_number"] for o in after["orders"]}
    with plant.ctx.uow() as uow:
        order = uow.orders.get(last)
        assert order is not None and order.state.value == "cancelled"
        assert order.planned_finish is None


def test_an_overrun_lengthens_the_operation(plant: Application) -> None:
    planner = _planner(plant)
    _run(plant, planner)
    ops = _ops(plant)
    op = max(ops.values(), key=lambda o: o["start"])
    overrun = plan_runs.Disruption(
        DisruptionKind.OPERATION_OVERRUN,
        "veneer needs a second pass",
        operation=op["key"],
        extra_minutes=240,
    )
    assert _run(plant, planner, overrun)["status"] == "done"
    longer = _ops(plant)[op["key"]]
    assert _at(longer["end"]) - _at(longer["start"]) >= dt.timedelta(minutes=240)
    with pytest.raises(Exception, match="not in the current plan"):
        plan_runs.request_run(
            plant.ctx,
            planner,
            1,
            dataclasses.replace(overrun, operation="SO-0000-0000/1/nothing"),
        )


def test_runs_through_the_job_queue_and_twice_is_harmless(plant: Application) -> None:
    planner = _planner(plant)
    run = plan_runs.request_run(plant.ctx, planner, 1)
    drain(plant)
    done = plan_runs.get_run(plant.ctx, planner, run["id"])
    assert done["status"] == "done" and done["plan_version"] == 1
    again = plan_runs.execute_run(plant.ctx, run["id"])  # a redelivered job
    assert again["plan_version"] == 1
    assert len(schedule.list_versions(plant.ctx, planner)) == 1


def test_a_restart_fails_running_runs_and_resumes_queued_ones(plant: Application) -> None:
    planner = _planner(plant)
    ctx = dataclasses.replace(plant.ctx, jobs=None)
    stuck = plan_runs.request_run(ctx, planner, 1)
    waiting = plan_runs.request_run(ctx, planner, 1)
    with plant.ctx.uow() as uow:
        run = uow.plans.run(stuck["id"])
        assert run is not None
        run.start(plant.ctx.clock.now())
        uow.commit()
    assert plan_runs.recover_runs(plant.ctx) == [waiting["id"]]
    failed = plan_runs.get_run(plant.ctx, planner, stuck["id"])
    assert failed["status"] == "failed" and "Interrupted" in failed["error"]["title"]


def drain(application: Application) -> None:
    """Let the configured job queue run everything queued: the in-process thread on
    SQLite, a procrastinate worker (until idle) on PostgreSQL."""
    if application.settings.job_backend == "procrastinate":
        from orderforge.adapters.jobs.procrastinate_queue import run_worker

        run_worker(application.settings.database_url, application.run_job, wait=False)
    else:
        application.ctx.jobs.wait(timeout=120)  # type: ignore[union-attr]


def test_a_backlog_longer_than_the_horizon_is_planned_further_ahead(
    plant: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A week cannot hold the demo's work (about 16 days); the run plans on the next
    horizon instead of failing, and the plan reaches beyond the first one."""
    monkeypatch.setattr(planning, "HORIZONS_DAYS", (7, planning.HORIZON_DAYS))
    planner = _planner(plant)
    run = _run(plant, planner)
    assert run["status"] == "done", run["error"]
    ops = _ops(plant)
    _assert_no_overlaps(ops)
    now = plant.ctx.clock.now()
    assert max(_at(o["end"]) for o in ops.values()) > now + dt.timedelta(days=7)


def test_a_backlog_longer_than_every_horizon_fails_by_name_and_keeps_the_plan(
    plant: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner = _planner(plant)
    _run(plant, planner)
    before = _ops(plant)
    monkeypatch.setattr(planning, "HORIZONS_DAYS", (7, 10))
    run = _run(plant, planner)
    _unchanged_after_failure(plant, run)
    assert "does not fit in the next 10 days" in run["error"]["title"]
    assert "unchanged" in run["error"]["title"]
    [issue] = run["error"]["issues"]
    assert issue["where"] in before, issue
    assert "10 days" in issue["message"]
    assert _ops(plant) == before
