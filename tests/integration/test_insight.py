"""The insight room on SQLite and PostgreSQL: ratings round-trip and the newest is the one
shown; the table refuses UPDATE, DELETE (and TRUNCATE) and a rating out of range even
below the use case; the report reads orders, engineering reasons, NCRs with their
dispositions and ratings from the real tables; and migration 0029 goes down and up."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from orderforge import demo
from orderforge.adapters.db import migrate
from orderforge.bootstrap import Application
from orderforge.domain.order import LineInput, OrderAction, OrderState
from orderforge.insight import services, storage
from orderforge.insight.ports import FEEDBACK, INSIGHT_HISTORY
from orderforge.services import orders, users
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import DEMO_PASSWORD, FixedClock


def _user(ctx: ServiceContext, name: str) -> Principal:
    return users.authenticate(ctx, name, DEMO_PASSWORD)


def _delivered(ctx: ServiceContext, spec: dict[str, str]) -> str:
    """A delivered order of the portal customer's, its steps taken as the domain's
    commands (the lifecycle and shipping have their own tests)."""
    cmd = orders.CreateOrder("C-HOTEL-ALPINA", (LineInput("TABLE", 1, spec),))
    number: str = orders.create_order(ctx, _user(ctx, "sales"), cmd).view.number
    with ctx.uow() as uow:
        order = uow.orders.get(number)
        assert order is not None
        at = ctx.clock.now()
        order.apply(OrderAction.CONFIRM, actor="sales", at=at)
        order.apply(
            OrderAction.FLAG_NEEDS_ENGINEERING,
            actor="engineer",
            at=at,
            reason="The press takes length up to 2600 mm.",
        )
        order.state = OrderState.DELIVERED
        uow.commit()
    return number


@pytest.fixture
def ctx(application: Application) -> ServiceContext:
    demo.load_demo(application.ctx, DEMO_PASSWORD, count=3)
    return application.ctx


def test_ratings_round_trip_and_the_report_reads_them(
    application: Application, ctx: ServiceContext, clock: FixedClock
) -> None:
    spec = {"wood": "walnut", "length": "2000"}
    number = _delivered(ctx, spec)
    alpina = _user(ctx, "alpina")
    services.rate_order(ctx, alpina, number, 2, "Scratched top.")
    clock.advance(hours=2)
    services.rate_order(ctx, alpina, number, 4, "Replaced quickly.")
    with ctx.uow() as uow:
        given = uow.repository(FEEDBACK).for_order(number)
        latest = uow.repository(FEEDBACK).latest([number, "SO-1999-0001"])
        cases = uow.repository(INSIGHT_HISTORY).engineering([number])
        since = clock.now() - dt.timedelta(days=1)
        lines = uow.repository(INSIGHT_HISTORY).lines(since, "TABLE")
    assert [(f.rating, f.comment) for f in given] == [
        (2, "Scratched top."),
        (4, "Replaced quickly."),
    ]
    assert given[0].given_at.tzinfo is not None and given[1].given_at > given[0].given_at
    assert list(latest) == [number] and latest[number].rating == 4
    assert [(c.outcome, c.reason) for c in cases] == [
        ("needs_engineering", "The press takes length up to 2600 mm.")
    ]
    mine = [li for li in lines if li.order_number == number]
    assert mine and mine[0].confirmed and mine[0].spec["wood"] == "walnut"
    report = services.family_report(ctx, _user(ctx, "engineer"), "TABLE")
    assert report["ratings"]["count"] >= 1
    assert {"order": number, "rating": 4} in [
        {"order": c["order"], "rating": c["rating"]} for c in report["ratings"]["latest_comments"]
    ]
    assert number in {e["order"] for e in report["engineering"]}
    heads = services.family_reports(ctx, _user(ctx, "quality"))
    assert {h["family"] for h in heads} >= {"TABLE", "CABINET", "SEATING"}


def test_ratings_are_facts_the_database_will_not_change(
    application: Application, ctx: ServiceContext
) -> None:
    number = _delivered(ctx, {"wood": "oak"})
    alpina = _user(ctx, "alpina")
    services.rate_order(ctx, alpina, number, 5, "first")
    table = storage.order_feedback
    statements: list[sa.Executable] = [sa.update(table).values(rating=1), sa.delete(table)]
    if application.engine.dialect.name == "postgresql":
        statements.append(sa.text(f"TRUNCATE {table.name} CASCADE"))
    for statement in statements:
        with pytest.raises(sa.exc.DBAPIError, match="facts"), application.engine.begin() as c:
            c.execute(statement)
    row = {c.name: None for c in table.columns} | {
        "order_number": number,
        "customer_id": alpina.customer_id,
        "rating": 6,
        "comment": "",
        "given_by": "x",
        "given_by_name": "x",
        "given_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }
    row.pop("id")
    with pytest.raises(sa.exc.IntegrityError), application.engine.begin() as c:
        c.execute(sa.insert(table).values(**row))
    with ctx.uow() as uow:
        assert [f.comment for f in uow.repository(FEEDBACK).for_order(number)] == ["first"]


def test_the_migration_goes_down_and_up(application: Application) -> None:
    migrate.downgrade(application.engine, "0028_forecasts_simulations")
    assert "order_feedback" not in sa.inspect(application.engine).get_table_names()
    migrate.upgrade(application.engine)
    assert "order_feedback" in sa.inspect(application.engine).get_table_names()
    assert migrate.current_revision(application.engine) == "0029_order_feedback"
