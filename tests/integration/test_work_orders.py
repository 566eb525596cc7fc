"""Work orders on SQLite and PostgreSQL: made on confirmation, superseded on a new
confirmation, cancelled with the order, reports kept as facts and idempotent by key."""

from __future__ import annotations

import dataclasses
import threading

import pytest
import sqlalchemy as sa

from orderforge import demo
from orderforge.bootstrap import Application
from orderforge.domain.errors import IdempotencyMismatch
from orderforge.domain.order import LineInput, OrderState
from orderforge.engines.configurator import configure
from orderforge.production import storage
from orderforge.production.domain import ReportKind, open_operations
from orderforge.production.ports import WORK_ORDERS
from orderforge.production.services import reports, work_orders
from orderforge.services import orders, planning, users
from orderforge.services.catalogue import family_of
from orderforge.services.ports import OrderFilter, Principal
from tests.conftest import DEMO_PASSWORD, release_for_work


@pytest.fixture
def plant(application: Application) -> Application:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=20)
    return application


def _user(app: Application, name: str) -> Principal:
    return users.authenticate(app.ctx, name, DEMO_PASSWORD)


def _confirmed(app: Application, *lines: LineInput) -> str:
    sales = _user(app, "sales")
    cmd = orders.CreateOrder("C-HOTEL-ALPINA", tuple(lines))
    number: str = orders.create_order(app.ctx, sales, cmd).view.number
    orders.advance_order(app.ctx, sales, number, "confirm")
    return number


def test_confirmation_makes_one_work_order_per_line_from_its_configuration(
    plant: Application,
) -> None:
    number = _confirmed(plant, LineInput("TABLE", 2, {}), LineInput("CABINET", 1, {}))
    views = work_orders.list_work_orders(plant.ctx, _user(plant, "planner"), number)
    assert [(w["line_no"], w["revision"], w["status"]) for w in views] == [
        (1, 1, "open"),
        (2, 1, "open"),
    ]
    with plant.ctx.uow() as uow:
        order = uow.orders.get(number)
        assert order is not None
        line = order.lines[0]
        entry = uow.catalogue.get(line.product_family, line.catalogue_version or 0)
        assert entry is not None
        expected = configure(family_of(entry), line.spec)
        [first, _] = uow.repository(WORK_ORDERS).for_order(number)
        assert [o.routing_key for o in first.operations] == [r.key for r in expected.routing]
        assert [m.item_code for m in first.materials] == [c.component for c in expected.components]
        assert first.materials[0].quantity == expected.components[0].quantity * 2
        kinds = [e.kind for e in uow.events.for_aggregate("work_order", first.number)]
    assert kinds == ["work_order_created"]


def test_a_second_confirmation_supersedes_and_keeps_the_first_revision(
    plant: Application,
) -> None:
    plant.ctx = dataclasses.replace(plant.ctx, review_on_confirm=False)
    number = _confirmed(plant, LineInput("TABLE", 1, {}))
    engineer, sales = _user(plant, "engineer"), _user(plant, "sales")
    orders.advance_order(plant.ctx, engineer, number, "reject", reason="veneer out of stock")
    orders.advance_order(plant.ctx, sales, number, "revise_quote")
    orders.revise_order(
        plant.ctx, sales, number, orders.ReviseOrder(lines=(LineInput("TABLE", 3, {}),))
    )
    orders.advance_order(plant.ctx, sales, number, "confirm")
    first, second = work_orders.list_work_orders(plant.ctx, sales, number)
    assert (first["revision"], first["status"]) == (1, "superseded")
    assert (second["revision"], second["status"], second["quantity"]) == (2, "open", 3)
    with plant.ctx.uow() as uow:
        events = uow.events.for_aggregate("work_order", first["number"])
        current = [w.number for w in uow.repository(WORK_ORDERS).current_for([number])]
    assert events[-1].data["superseded_by"] == second["number"]
    assert current == [second["number"]]


def test_cancelling_the_order_cancels_its_open_work(plant: Application) -> None:
    number = _confirmed(plant, LineInput("TABLE", 1, {}))
    admin = _user(plant, "admin")
    orders.advance_order(plant.ctx, admin, number, "cancel", reason="customer withdrew")
    [view] = work_orders.list_work_orders(plant.ctx, admin, number)
    assert view["status"] == "cancelled"


def test_reports_are_idempotent_and_kept_as_facts(plant: Application) -> None:
    number = _confirmed(plant, LineInput("TABLE", 1, {}))
    release_for_work(plant.ctx, number)  # work starts only on a released order
    operator = _user(plant, "operator")
    [view] = work_orders.list_work_orders(plant.ctx, operator, number)
    wo = view["number"]
    start = reports.ReportOperation(wo, 10, ReportKind.START)
    first = reports.report_operation(plant.ctx, operator, start, "s-1")
    again = reports.report_operation(plant.ctx, operator, start, "s-1")
    assert again.replayed and again.view == first.view
    complete = reports.ReportOperation(wo, 10, ReportKind.COMPLETE, good=1)
    with pytest.raises(IdempotencyMismatch):
        reports.report_operation(plant.ctx, operator, complete, "s-1")
    barrier = threading.Barrier(6)
    outcomes: list[reports.ReportOutcome] = []
    failures: list[BaseException] = []

    def send() -> None:
        barrier.wait()
        try:
            outcomes.append(reports.report_operation(plant.ctx, operator, complete, "c-1"))
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len({str(o.view) for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    detail = work_orders.get_work_order(plant.ctx, operator, wo)
    assert [r["kind"] for r in detail["reports"]] == ["start", "complete"]
    assert detail["operations"][0]["good_quantity"] == 1
    with plant.ctx.uow() as uow:  # the database refuses to change or remove a fact
        session = uow.session  # type: ignore[attr-defined]
        with pytest.raises(sa.exc.DBAPIError):
            session.execute(sa.update(storage.work_order_reports).values(good=99))
        session.rollback()
        with pytest.raises(sa.exc.DBAPIError):
            session.execute(sa.delete(storage.work_order_reports))


def test_the_demo_has_work_orders_for_every_confirmed_order_and_a_floor(
    plant: Application,
) -> None:
    confirmed_states = set(OrderState) - {OrderState.QUOTE}
    with plant.ctx.uow() as uow:
        every = uow.orders.list(OrderFilter(limit=1000))
        repo = uow.repository(WORK_ORDERS)
        for order in every:
            made = repo.for_order(order.number)
            ever_confirmed = any(
                e.kind == "order_confirm" for e in uow.events.for_aggregate("order", order.number)
            )
            assert bool(made) == ever_confirmed, order.number
            if order.state is OrderState.CANCELLED:
                assert all(w.status.value in ("cancelled", "superseded", "done") for w in made)
        producing = [o for o in every if o.state is OrderState.IN_PRODUCTION]
        statuses = {
            op.status.value
            for o in producing
            for w in repo.current_for([o.number])
            for op in w.operations
        }
        assert producing and {"done", "running"} <= statuses
        assert confirmed_states
        # The floor's queue reads rows in SQL; they say what the domain's rule says.
        every_wo = repo.recent(limit=100_000)
        centres = {c for w in every_wo for op in w.operations for c in op.work_centres}
        waiting = 0
        for code in sorted(centres):
            expected = [o for w in every_wo for o in open_operations(w, code)]
            expected.sort(key=lambda o: (o.work_order, o.seq))
            assert repo.open_operations_at(code) == expected, code
            waiting += sum(o.waiting_for is not None for o in expected)
        assert waiting > 0  # the comparison covered what each operation waits for
    with plant.ctx.uow() as uow:
        plan = planning.build_problem(uow, plant.ctx.clock.now(), days=120)
    assert plan.done and plan.running and plan.skipped == []
