"""The demo's history on both databases: seeded and repeatable, shaped as the demand model
says (seasons, the shock, the intermittent couch), made of real records (quotes won and
lost, promises and deliveries, operations with actual times), and leaving today's demo as
it was (its numbers, its stock, its MRP)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orderforge import demo
from orderforge.bootstrap import Application, build
from orderforge.demo.demand import SHOCK
from orderforge.demo.history import OPEN_QUOTE_DAYS
from orderforge.domain.order import OrderState
from orderforge.insight.ports import FEEDBACK
from orderforge.materials.ports import MATERIALS
from orderforge.materials.services import mrp, views
from orderforge.production.domain import WorkOrder
from orderforge.production.ports import WORK_ORDERS
from orderforge.quality.ports import NCRS
from orderforge.services import users
from orderforge.services.ports import OrderFilter
from orderforge.shipping.ports import SHIPMENTS
from tests.conftest import DEMO_PASSWORD, FixedClock, fast_hasher, make_settings, postgres_schema

WEEKS = 30
COUNT = 20  # the demo's own orders: fewer than the default, the comparison is the same
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@dataclass
class Snapshot:
    orders: dict[str, tuple[str, dt.datetime]]
    work_orders: dict[str, tuple[str, str]]
    stock: list[dict[str, Any]]
    mrp: dict[str, Any]


@dataclass
class Loaded:
    """A plain demo, its history written on top, and the same loaded by `load_demo`."""

    app: Application
    before: Snapshot
    after: Snapshot
    summary: demo.HistorySummary
    again: demo.DemoSummary | None
    again_orders: dict[str, tuple[str, dt.datetime]] | None


def _app(url: str, folder: Path) -> Application:
    folder.mkdir()
    app = build(make_settings(url, folder), clock=FixedClock(NOW), hasher=fast_hasher())
    app.upgrade_schema()
    return app


@dataclass(frozen=True)
class OrderRow:
    number: str
    state: OrderState
    created_at: dt.datetime
    family: str
    promise_date: dt.date | None


@dataclass(frozen=True)
class OperationRow:
    centre: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    planned: float


@dataclass(frozen=True)
class WorkOrderRow:
    number: str
    order_number: str
    status: str
    operations: tuple[OperationRow, ...]


def _orders(app: Application) -> list[OrderRow]:
    with app.ctx.uow() as uow:
        return [
            OrderRow(o.number, o.state, o.created_at, o.lines[0].product_family, o.promise_date)
            for o in uow.orders.list(OrderFilter(limit=100_000))
        ]


def _work_orders(app: Application) -> list[WorkOrderRow]:
    with app.ctx.uow() as uow:
        return [_work_order_row(w) for w in uow.repository(WORK_ORDERS).recent(100_000)]


def _work_order_row(wo: WorkOrder) -> WorkOrderRow:
    operations = tuple(
        OperationRow(
            op.work_centres[0], op.started_at, op.finished_at, float(op.minutes(wo.quantity))
        )
        for op in wo.operations
    )
    return WorkOrderRow(wo.number, wo.order_number, wo.status.value, operations)


def _snapshot(app: Application) -> Snapshot:
    buyer = users.authenticate(app.ctx, "purchasing", DEMO_PASSWORD)
    counts = mrp.run_mrp(app.ctx, buyer)["counts"]
    return Snapshot(
        orders={o.number: (o.state.value, o.created_at) for o in _orders(app)},
        work_orders={w.number: (w.order_number, w.status) for w in _work_orders(app)},
        stock=views.stock(app.ctx, buyer),
        mrp=counts,
    )


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Loaded]:
    folder = tmp_path_factory.mktemp("history")
    if request.param == "sqlite":
        urls = [f"sqlite:///{folder / 'plain.db'}", f"sqlite:///{folder / 'again.db'}"]
        yield _load(urls, folder)
        return
    with postgres_schema("h_") as url:
        yield _load([url], folder)


def _load(urls: list[str], folder: Path) -> Loaded:
    """The plain demo and its history; with a second URL, the same again through
    `load_demo(history_weeks=...)` (once, on SQLite: the seed's use is the same anywhere)."""
    app = _app(urls[0], folder / "plain")
    demo.load_demo(app.ctx, DEMO_PASSWORD, count=COUNT)
    before = _snapshot(app)
    summary = demo.load_history(app.ctx, WEEKS, 2026)
    after = _snapshot(app)
    again, again_orders = None, None
    if len(urls) > 1:
        other = _app(urls[1], folder / "again")
        try:
            again = demo.load_demo(other.ctx, DEMO_PASSWORD, count=COUNT, history_weeks=WEEKS)
            again_orders = {o.number: (o.state.value, o.created_at) for o in _orders(other)}
        finally:
            other.close()
    return Loaded(app, before, after, summary, again, again_orders)


def _history(loaded: Loaded) -> list[OrderRow]:
    return [o for o in _orders(loaded.app) if o.number not in loaded.before.orders]


def _weekly(orders: list[OrderRow], family: str) -> dict[int, int]:
    """Quotes of `family` per week, by weeks before today (every week of the history)."""
    counts = dict.fromkeys(range(WEEKS + 1), 0)
    for o in orders:
        if o.family == family:
            counts[min((NOW - o.created_at).days // 7, WEEKS)] += 1
    return counts


def test_the_history_is_seeded_and_repeatable(loaded: Loaded) -> None:
    if loaded.again is not None:
        assert loaded.again.history == loaded.summary
        assert loaded.again_orders == loaded.after.orders
    s = loaded.summary
    assert s.weeks == WEEKS + 1 and s.quotes == s.won + s.lost + s.open_quotes
    assert s.won > 20 and s.lost > 10 and s.open_quotes > 0 and s.ncrs > 0
    assert s.inspections > 0 and s.scrap_reports > s.ncrs


def test_the_demo_keeps_its_numbers_stock_and_mrp(loaded: Loaded) -> None:
    """Every order and work order of the plain demo is there unchanged; what is on hand
    and what the MRP proposes for today's open orders are what they were."""
    before, after = loaded.before, loaded.after
    assert {n: after.orders[n] for n in before.orders} == before.orders
    assert {n: after.work_orders[n] for n in before.work_orders} == before.work_orders
    assert len(after.orders) - len(before.orders) == loaded.summary.quotes
    assert after.stock == before.stock
    assert after.mrp == before.mrp
    with loaded.app.ctx.uow() as uow:
        left = [lot for lot in uow.repository(MATERIALS).lots() if lot.lot_number.startswith("LH-")]
    assert left == []
    # the history numbers in a series of its own: what the plant gives next is unchanged
    added = set(after.orders) - set(before.orders)
    assert added and all(n.split("-")[2].startswith("H") for n in added)
    made = set(after.work_orders) - set(before.work_orders)
    assert made and all(n.split("-")[2].startswith("H") for n in made)
    with loaded.app.ctx.uow() as uow:
        year = NOW.year
        assert uow.sequences.next_value(f"order-{year}") == COUNT + 1
        uow.rollback()


def test_weekly_intake_shows_the_seasons_and_the_shock(loaded: Loaded) -> None:
    orders = _history(loaded)
    seating = _weekly(orders, SHOCK.family)
    shock = [n for ago, n in seating.items() if SHOCK.covers(ago)]
    calm = [n for ago, n in seating.items() if not SHOCK.covers(ago) and 0 < ago < WEEKS]
    assert statistics.mean(shock) > 1.4 * statistics.mean(calm)
    # tables peak in mid October and are lowest in mid July
    tables = [o.created_at for o in orders if o.family == "TABLE"]
    autumn = sum(1 for at in tables if dt.date(2026, 9, 15) <= at.date() < dt.date(2026, 11, 15))
    summer = sum(1 for at in tables if dt.date(2026, 6, 15) <= at.date() < dt.date(2026, 8, 15))
    assert autumn > 1.4 * summer


def test_the_couch_is_intermittent(loaded: Loaded) -> None:
    couch = _weekly(_history(loaded), "COUCH")
    zero = sum(1 for n in couch.values() if n == 0)
    assert zero >= 0.75 * len(couch)


def test_quotes_are_won_lost_or_still_open(loaded: Loaded) -> None:
    orders = _history(loaded)
    states = [o.state for o in orders]
    assert states.count(OrderState.DELIVERED) == loaded.summary.won
    assert states.count(OrderState.CANCELLED) == loaded.summary.lost
    young = NOW - dt.timedelta(days=OPEN_QUOTE_DAYS)
    assert all(o.created_at > young for o in orders if o.state is OrderState.QUOTE)
    assert set(states) == {OrderState.DELIVERED, OrderState.CANCELLED, OrderState.QUOTE}


def test_delivered_orders_have_promises_and_delivery_dates(loaded: Loaded) -> None:
    delivered = [o for o in _history(loaded) if o.state is OrderState.DELIVERED]
    late = 0
    with loaded.app.ctx.uow() as uow:
        shipments = uow.repository(SHIPMENTS)
        for order in delivered:
            [shipment] = shipments.for_order(order.number)
            assert order.promise_date is not None and shipment.delivered_on is not None
            assert shipment.delivered_on < NOW.date()
            late += shipment.delivered_on > order.promise_date
    assert 0 < late < len(delivered) / 2


def test_operations_have_actual_times_with_each_centres_spread(loaded: Loaded) -> None:
    """Actual over planned minutes: every operation done, hand sanding spread widest."""
    spread: dict[str, list[float]] = {}
    made = [w for w in _work_orders(loaded.app) if w.number not in loaded.before.work_orders]
    assert len(made) == loaded.summary.work_orders
    for wo in made:
        for op in wo.operations:
            assert op.started_at is not None and op.finished_at is not None
            actual = (op.finished_at - op.started_at).total_seconds() / 60
            if op.planned >= 10:  # the lognormal's floor of a minute distorts tiny steps
                spread.setdefault(op.centre, []).append(math.log(actual / op.planned))
    sigma = {c: statistics.stdev(v) for c, v in spread.items() if len(v) >= 10}
    assert sigma["SAND-HAND"] > 2 * sigma["SAW-BEAM"] > 0
    assert max(sigma, key=lambda c: sigma[c]) == "SAND-HAND"
    with loaded.app.ctx.uow() as uow:
        ncrs = uow.repository(NCRS).find(limit=10_000)
    mine = [n for n in ncrs if n.work_order in {w.number for w in made}]
    assert len(mine) == loaded.summary.ncrs
    assert all(n.status.value == "closed" and n.cause for n in mine)


def test_a_share_of_delivered_orders_is_rated_after_delivery(loaded: Loaded) -> None:
    delivered = [o for o in _history(loaded) if o.state is OrderState.DELIVERED]
    with loaded.app.ctx.uow() as uow:
        rated = uow.repository(FEEDBACK).latest([o.number for o in delivered])
    assert len(rated) == loaded.summary.ratings
    assert 0.2 * len(delivered) < len(rated) < 0.7 * len(delivered)
    assert len({f.rating for f in rated.values()}) >= 3
    assert all(f.given_at < NOW for f in rated.values())
