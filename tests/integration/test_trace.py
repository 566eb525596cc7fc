"""Lot issues on both databases: one key sent by many at once takes the lot once; many
issues racing for one lot never take it below zero; issues and serial numbers are facts
the database refuses to change or delete."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from orderforge import demo
from orderforge.bootstrap import Application
from orderforge.domain.errors import DomainError
from orderforge.domain.order import LineInput
from orderforge.materials import storage as materials_storage
from orderforge.materials.domain import Lot
from orderforge.materials.ports import MATERIALS
from orderforge.production import storage as production_storage
from orderforge.production.services import units, work_orders
from orderforge.services import orders, users
from orderforge.services.ports import Principal
from tests.conftest import DEMO_PASSWORD

THREADS = 6


@pytest.fixture
def plant(application: Application) -> Application:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=20)
    return application


def _user(app: Application, name: str) -> Principal:
    return users.authenticate(app.ctx, name, DEMO_PASSWORD)


def _work_order(app: Application) -> tuple[str, int, str]:
    """A confirmed table's work order, its first operation and an item issued there."""
    sales = _user(app, "sales")
    number = orders.create_order(
        app.ctx, sales, orders.CreateOrder("C-HOTEL-ALPINA", (LineInput("TABLE", 1, {}),))
    ).view.number
    orders.advance_order(app.ctx, sales, number, "confirm")
    [view] = work_orders.list_work_orders(app.ctx, sales, number)
    first = next(o for o in view["operations"] if not o["predecessors"])
    item = next(
        m["item_code"] for m in view["materials"] if m["operation"] in (None, first["routing_key"])
    )
    return view["number"], first["seq"], item


def _lot(app: Application, item: str, quantity: str) -> str:
    number = f"L-TEST-{item[:20]}"
    with app.ctx.uow() as uow:
        at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
        uow.repository(MATERIALS).add_lot(Lot(number, item, Decimal(quantity), "RACK", at))
        uow.commit()
    return number


def _left(app: Application, lot: str) -> Decimal:
    with app.ctx.uow() as uow:
        found = uow.repository(MATERIALS).lot(lot)
        assert found is not None
        return found.quantity


def _together(send: list[object]) -> tuple[list[units.ConsumeOutcome], list[BaseException]]:
    barrier = threading.Barrier(len(send))
    outcomes: list[units.ConsumeOutcome] = []
    failures: list[BaseException] = []

    def run(call: object) -> None:
        barrier.wait()
        try:
            outcomes.append(call())  # type: ignore[operator]
        except BaseException as exc:  # collected and asserted by the caller
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in send]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes, failures


def test_one_key_sent_by_many_at_once_takes_the_lot_once(plant: Application) -> None:
    wo, seq, item = _work_order(plant)
    lot = _lot(plant, item, "10")
    operator = _user(plant, "operator")
    cmd = units.ConsumeLot(wo, seq, lot, Decimal("3"))
    outcomes, failures = _together(
        [lambda: units.consume_lot(plant.ctx, operator, cmd, "scan-1")] * THREADS
    )
    assert failures == []
    assert len({str(o.view) for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    assert _left(plant, lot) == Decimal(7)


def test_issues_racing_for_one_lot_never_take_it_below_zero(plant: Application) -> None:
    wo, seq, item = _work_order(plant)
    lot = _lot(plant, item, "10")
    operator = _user(plant, "operator")
    cmd = units.ConsumeLot(wo, seq, lot, Decimal("4"))
    outcomes, failures = _together(
        [
            (lambda k=k: units.consume_lot(plant.ctx, operator, cmd, f"race-{k}"))
            for k in range(THREADS)
        ]
    )
    assert len(outcomes) == 2  # 4 + 4 of 10: a third would go below zero
    assert all(isinstance(f, DomainError) for f in failures), failures
    assert _left(plant, lot) == Decimal(2)


def test_issues_and_serials_are_facts_the_database_keeps(plant: Application) -> None:
    wo, seq, item = _work_order(plant)
    lot = _lot(plant, item, "5")
    units.consume_lot(
        plant.ctx, _user(plant, "operator"), units.ConsumeLot(wo, seq, lot, Decimal(1))
    )
    with plant.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        assert (
            session.execute(
                sa.select(sa.func.count()).select_from(production_storage.unit_serials)
            ).scalar_one()
            > 0
        )  # the demo floor's finished work orders have serials
        for table, values in (
            (materials_storage.lot_consumptions, {"quantity": 99}),
            (production_storage.unit_serials, {"line_no": 99}),
        ):
            with pytest.raises(sa.exc.DBAPIError):
                session.execute(sa.update(table).values(**values))
            session.rollback()
            with pytest.raises(sa.exc.DBAPIError):
                session.execute(sa.delete(table))
            session.rollback()
