"""Promises on SQLite and PostgreSQL: quoting stores nothing, confirming commits the
promise (date on the order, capacity held), and a plan that misses a promise raises an
alert that a plan keeping it clears."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from orderforge import demo
from orderforge.bootstrap import Application
from orderforge.domain.order import LineInput
from orderforge.materials.ports import MATERIALS
from orderforge.promising import services as promising
from orderforge.promising.domain import MaterialAnswer
from orderforge.promising.ports import PROMISES
from orderforge.services import orders, plan_runs, users
from orderforge.services.plant_time import plant_zone
from orderforge.services.ports import Principal
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def plant(application: Application) -> Application:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=12)
    return application


def _user(app: Application, name: str) -> Principal:
    return users.authenticate(app.ctx, name, DEMO_PASSWORD)


def _quote(app: Application, quantity: int = 2) -> str:
    cmd = orders.CreateOrder("C-HOTEL-ALPINA", (LineInput("TABLE", quantity, {}),))
    number: str = orders.create_order(app.ctx, _user(app, "sales"), cmd).view.number
    return number


def _stamp(app: Application) -> tuple[Any, ...]:
    with app.ctx.uow() as uow:
        return (
            uow.plans.latest_version_number(),
            uow.repository(PROMISES).reservation_stamp(),
        )


def test_quoting_stores_nothing_and_confirming_commits_the_promise(plant: Application) -> None:
    sales = _user(plant, "sales")
    before = _stamp(plant)
    quoted = promising.promise_spec(plant.ctx, sales, "TABLE", {}, 2)
    assert quoted.date is not None and quoted.binding
    number = _quote(plant)
    for_quote = promising.promise_order(plant.ctx, sales, number)
    assert for_quote.date == quoted.date
    assert _stamp(plant) == before

    orders.advance_order(plant.ctx, sales, number, "confirm")
    with plant.ctx.uow() as uow:
        order = uow.orders.get(number)
        assert order is not None and order.promise_date == quoted.date
        [reservation] = [
            r for r in uow.repository(PROMISES).active_reservations() if r.order_number == number
        ]
        assert [s.name for s in reservation.steps] == [s.name for s in quoted.steps]
        kinds = [e.kind for e in uow.events.for_aggregate("order", number)]
    assert kinds[-1] == "order_promised"
    customer = _user(plant, "alpina")
    seen = orders.get_order(plant.ctx, customer, number)
    assert seen.promise_date == quoted.date


def test_a_second_order_cannot_take_the_capacity_the_first_holds(plant: Application) -> None:
    sales = _user(plant, "sales")

    # Everything is in stock, so only capacity separates the two promises.
    def now_supply(uow: Any, needs: Any, now: dt.datetime) -> list[MaterialAnswer]:
        return [MaterialAnswer(c, q, now, "in stock") for c, q in needs]

    first = promising.promise_spec(plant.ctx, sales, "TABLE", {}, 40, supply=now_supply)
    with plant.ctx.uow() as uow:
        order = uow.orders.get(_quote(plant, 40))
        assert order is not None
        promising.commit_promise(plant.ctx, uow, order, "sales", supply=now_supply)
        uow.commit()
    second = promising.promise_spec(plant.ctx, sales, "TABLE", {}, 40, supply=now_supply)
    assert first.finish is not None and second.finish is not None
    assert second.finish > first.finish


def test_a_plan_that_misses_a_promise_raises_an_alert_with_the_new_date(
    plant: Application,
) -> None:
    sales, planner = _user(plant, "sales"), _user(plant, "planner")
    engineer = _user(plant, "engineer")
    number = _quote(plant)
    orders.advance_order(plant.ctx, sales, number, "confirm")
    if orders.get_order(plant.ctx, engineer, number).state == "confirmed":
        orders.advance_order(plant.ctx, engineer, number, "mark_feasible")
    orders.advance_order(plant.ctx, planner, number, "plan")
    with plant.ctx.uow() as uow:  # a promise no plan can keep: today
        order = uow.orders.get(number)
        assert order is not None
        order.promise_date = plant.ctx.clock.now().date() - dt.timedelta(days=1)
        uow.commit()
    ctx = dataclasses.replace(plant.ctx, jobs=None)
    run = plan_runs.request_run(ctx, planner, 1.0, None)
    plan_runs.execute_run(ctx, run["id"])
    [alert] = promising.alerts(plant.ctx, planner, number)
    assert alert.planned_date > alert.promise_date
    assert alert.days_late >= 1
    with plant.ctx.uow() as uow:  # its reservation went with the plan that includes it
        assert number not in {
            r.order_number for r in uow.repository(PROMISES).active_reservations()
        }
        order = uow.orders.get(number)
        assert order is not None
        order.promise_date = alert.planned_date + dt.timedelta(days=365)
        uow.commit()
    run = plan_runs.request_run(ctx, planner, 1.0, None)
    plan_runs.execute_run(ctx, run["id"])
    assert promising.alerts(plant.ctx, planner, number) == []


def _free(app: Application, item: str) -> Decimal:
    """Stock and open purchase quantity of an item not pegged to any order."""
    with app.ctx.uow() as uow:
        repo = uow.repository(MATERIALS)
        total = sum((lot.quantity for lot in repo.lots([item])), Decimal(0))
        total += sum((line.open_quantity for line in repo.open_lines([item])), Decimal(0))
        return total - sum(repo.pegged([item]).values(), Decimal(0))


def test_confirming_pegs_free_material_so_the_next_quote_cannot_count_it(
    plant: Application,
) -> None:
    sales = _user(plant, "sales")
    number = _quote(plant)
    with plant.ctx.uow() as uow:
        assert uow.repository(MATERIALS).pegs(orders=[number]) == []
    with plant.ctx.uow() as uow:
        order = uow.orders.get(number)
        assert order is not None
        work = promising._order_work(uow, order)
    items = sorted({m.item_code for line in work for m in line.materials})
    before = {item: _free(plant, item) for item in items}
    orders.advance_order(plant.ctx, sales, number, "confirm")
    with plant.ctx.uow() as uow:
        pegs = uow.repository(MATERIALS).pegs(orders=[number])
    assert pegs, "the demo stocks some of a table's materials"
    assert {p.source for p in pegs} <= {"stock", "purchase"}
    taken: dict[str, Decimal] = {}
    for p in pegs:
        taken[p.item_code] = taken.get(p.item_code, Decimal(0)) + p.quantity
        assert p.operation.startswith(f"{number}/1/")
    for item in items:
        assert _free(plant, item) == before[item] - taken.get(item, Decimal(0))


def test_the_next_plan_lays_committed_orders_down_where_their_promises_placed_them(
    plant: Application,
) -> None:
    """Promises committed one after another, then a plan with no disturbance: each new
    order's work is where its promise put it (ending where the promise ends it), so
    every promised date is kept."""
    sales, planner = _user(plant, "sales"), _user(plant, "planner")
    engineer = _user(plant, "engineer")
    ctx = dataclasses.replace(plant.ctx, jobs=None)
    plan_runs.execute_run(ctx, plan_runs.request_run(ctx, planner, 1.0, None)["id"])
    numbers = []
    for quantity in (3, 1, 4, 2, 3):
        number = _quote(plant, quantity)
        orders.advance_order(plant.ctx, sales, number, "confirm")
        if orders.get_order(plant.ctx, engineer, number).state == "confirmed":
            orders.advance_order(plant.ctx, engineer, number, "mark_feasible")
        orders.advance_order(plant.ctx, planner, number, "plan")
        numbers.append(number)
    with plant.ctx.uow() as uow:
        held = {
            f"{r.order_number}/{s.key}": s
            for r in uow.repository(PROMISES).active_reservations()
            if r.order_number in numbers
            for s in r.steps
        }
    assert {key.split("/")[0] for key in held} == set(numbers)
    run = plan_runs.execute_run(ctx, plan_runs.request_run(ctx, planner, 2.0, None)["id"])
    assert run["status"] == "done", run
    with plant.ctx.uow() as uow:
        version = uow.plans.latest_version_number()
        assert version is not None
        placed = {o.key: o for o in uow.plans.operations(version)}
        for key, step in held.items():
            # in the promise's slot: its head is the changeover the promise allowed for
            assert (placed[key].resource, placed[key].end) == (step.resource, step.end), key
            assert placed[key].start >= step.start, key
        for number in numbers:
            order = uow.orders.get(number)
            assert order is not None and order.promise_date is not None
            assert order.planned_finish is not None
            finish = order.planned_finish.astimezone(plant_zone(uow)).date()
            assert finish <= order.promise_date, number
    assert not {a.order_number for a in promising.alerts(plant.ctx, planner)} & set(numbers)


def test_quoting_at_a_confidence_stores_nothing_and_answers_the_same_twice(
    plant: Application,
) -> None:
    sales = _user(plant, "sales")
    before = _stamp(plant)
    first = promising.promise_spec(plant.ctx, sales, "TABLE", {}, 2, confidence=0.9)
    again = promising.promise_spec(plant.ctx, sales, "TABLE", {}, 2, confidence=0.9)
    assert first.confidence is not None and first.confidence == again.confidence
    assert first.commit_date == first.confidence.dates[0.9] >= (first.date or dt.date.min)
    assert first.confidence.chance >= 0.9
    # with too little floor history the answer says the spread was assumed, and how many
    # finished operations it did learn from
    assert first.confidence.basis in {"default spread", "partly default spread", "learned"}
    if first.confidence.basis == "default spread":
        assert first.confidence.actuals == 0
    assert _stamp(plant) == before
