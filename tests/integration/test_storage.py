"""Repositories, unit of work and migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from orderforge.adapters.db import migrate
from orderforge.adapters.db.tables import metadata
from orderforge.bootstrap import Application
from orderforge.contexts import storages
from orderforge.demo.catalogue import catalogue_text, demo_specs
from orderforge.domain.catalogue import CatalogueFormat, CatalogueVersion, catalogue_checksum
from orderforge.domain.customer import Customer
from orderforge.domain.errors import AuthenticationFailed, ConcurrencyConflict
from orderforge.domain.order import LineInput, Order, OrderAction, OrderState
from orderforge.domain.user import Role
from orderforge.services import catalogue as catalogue_service
from orderforge.services import credentials, orders, users
from orderforge.services.ports import OrderFilter, Principal

SALES = Principal(1, "sales", Role.SALES, "Sales")
AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def add_customer(app: Application, code: str = "C-ONE") -> int:
    with app.ctx.uow() as uow:
        uow.customers.add(
            Customer.register(code=code, name="One GmbH", email="", country="DE", actor="t", at=AT)
        )
        uow.commit()
        customer = uow.customers.get(code)
        assert customer is not None and customer.id is not None
        return customer.id


def add_order(app: Application, customer_id: int, number: str = "SO-2026-0001") -> None:
    with app.ctx.uow() as uow:
        uow.orders.add(
            Order.open_quote(
                number=number,
                customer_id=customer_id,
                lines=[
                    LineInput("TABLE", 2, {"wood": "oak", "length": "1800"}),
                    LineInput("CABINET", 1, {}),
                ],
                requested_date=dt.date(2027, 1, 15),
                notes="Ünïcödé <b>note</b>",
                actor="sales",
                at=AT,
            )
        )
        uow.commit()


def test_schema_matches_the_tables_the_code_uses(application: Application) -> None:
    assert application.schema_is_current()
    with application.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": migrate.ours})
        storages()  # load every context's tables into the shared metadata
        diff = compare_metadata(context, metadata)
    assert diff == [], "tables.py and the migrations disagree; write a migration"


def test_downgrade_and_upgrade_again(application: Application) -> None:
    migrate.downgrade(application.engine, "base")
    assert migrate.current_revision(application.engine) is None
    application.upgrade_schema()
    assert application.schema_is_current()


def test_order_round_trip_keeps_lines_spec_dates_and_events(application: Application) -> None:
    add_order(application, add_customer(application))
    with application.ctx.uow() as uow:
        order = uow.orders.get("SO-2026-0001")
        assert order is not None
        assert [(li.line_no, li.product_family, li.quantity, li.spec) for li in order.lines] == [
            (1, "TABLE", 2, {"wood": "oak", "length": "1800"}),
            (2, "CABINET", 1, {}),
        ]
        assert order.created_at == AT and order.created_at.tzinfo is not None
        assert order.requested_date == dt.date(2027, 1, 15)
        assert order.notes == "Ünïcödé <b>note</b>"
        assert order.version == 1
        events = uow.events.for_aggregate("order", "SO-2026-0001")
    assert [e.kind for e in events] == ["order_created"]
    assert events[0].occurred_at == AT


def test_an_order_changed_after_a_list_query_keeps_its_event(application: Application) -> None:
    """Repositories track what list queries return too: a change made to an order found
    by a search is stored with its event, like one fetched by number."""
    add_order(application, add_customer(application))
    with application.ctx.uow() as uow:
        (order,) = uow.orders.list(OrderFilter(search="SO-2026-0001"))
        order.prioritise(10, actor="planner", at=AT, reason="the hotel opens early")
        uow.commit()
    with application.ctx.uow() as uow:
        kinds = [e.kind for e in uow.events.for_aggregate("order", "SO-2026-0001")]
        stored = uow.orders.get("SO-2026-0001")
        assert stored is not None and stored.priority == 10
    assert kinds == ["order_created", "order_prioritised"]


def test_a_transaction_without_commit_stores_nothing(application: Application) -> None:
    customer_id = add_customer(application)
    with pytest.raises(RuntimeError), application.ctx.uow() as uow:
        uow.orders.add(
            Order.open_quote(
                number="SO-X",
                customer_id=customer_id,
                lines=[LineInput("TABLE", 1, {})],
                requested_date=None,
                notes="",
                actor="t",
                at=AT,
            )
        )
        raise RuntimeError("crash before commit")
    with application.ctx.uow() as uow:
        assert uow.orders.get("SO-X") is None
        assert uow.events.for_aggregate("order", "SO-X") == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET actor = 'mallory'",
        "DELETE FROM events",
    ],
)
def test_the_database_refuses_to_rewrite_history(application: Application, statement: str) -> None:
    add_order(application, add_customer(application))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), application.engine.begin() as c:
        c.execute(sa.text(statement))
    with application.engine.connect() as conn:
        actors = conn.execute(sa.text("SELECT actor FROM events")).scalars().all()
    assert actors and "mallory" not in actors


def test_postgres_refuses_truncate_of_history(application: Application) -> None:
    if application.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    add_order(application, add_customer(application))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), application.engine.begin() as c:
        c.execute(sa.text("TRUNCATE events"))


def test_concurrent_updates_do_not_overwrite_each_other(application: Application) -> None:
    if application.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): overlapping ones cannot exist")
    add_order(application, add_customer(application))
    first, second = application.ctx.uow(), application.ctx.uow()
    with first, second:
        a = first.orders.get("SO-2026-0001")
        b = second.orders.get("SO-2026-0001")
        assert a is not None and b is not None
        a.apply(OrderAction.CONFIRM, actor="sales", at=AT)
        first.commit()
        b.apply(OrderAction.CANCEL, actor="sales", at=AT, reason="customer withdrew")
        with pytest.raises(ConcurrencyConflict):
            second.commit()
    with application.ctx.uow() as uow:
        stored = uow.orders.get("SO-2026-0001")
        assert stored is not None
        assert stored.state is OrderState.CONFIRMED and stored.version == 2
        kinds = [e.kind for e in uow.events.for_aggregate("order", "SO-2026-0001")]
    assert kinds == ["order_created", "order_confirm"]


def test_order_numbers_are_unique_under_concurrency(application: Application) -> None:
    barrier = threading.Barrier(8)

    def take() -> list[int]:
        barrier.wait()
        taken = []
        for _ in range(5):
            with application.ctx.uow() as uow:
                taken.append(uow.sequences.next_value("order-2026"))
                uow.commit()
        return taken

    with ThreadPoolExecutor(8) as pool:
        values = [v for chunk in pool.map(lambda _: take(), range(8)) for v in chunk]
    assert sorted(values) == list(range(1, 41))


def _seed_plant(application: Application) -> None:
    with application.ctx.uow() as uow:
        uow.catalogue.add(
            CatalogueVersion.imported(
                family_code="TABLE",
                previous=0,
                label="1",
                name="Table",
                document=catalogue_text("TABLE"),
                format=CatalogueFormat.YAML,
                actor="t",
                at=AT,
            )
        )
        uow.commit()


def test_concurrent_retries_with_one_idempotency_key_create_one_order(
    application: Application,
) -> None:
    add_customer(application, "C-HOTEL-ALPINA")
    _seed_plant(application)
    spec = demo_specs()["TABLE"][0]
    cmd = orders.CreateOrder("C-HOTEL-ALPINA", (LineInput("TABLE", 1, spec),))
    barrier = threading.Barrier(6)

    def create(_: int) -> orders.CreatedOrder:
        barrier.wait()
        return orders.create_order(application.ctx, SALES, cmd, idempotency_key="retry-42")

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(create, range(6)))
    assert len({r.view.number for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert all(r.view == results[0].view for r in results)
    with application.ctx.uow() as uow:
        assert uow.orders.count(OrderFilter()) == 1


def test_revising_a_quote_rewrites_its_lines_in_place(application: Application) -> None:
    add_order(application, add_customer(application))
    with application.ctx.uow() as uow:
        order = uow.orders.get("SO-2026-0001")
        assert order is not None
        order.revise(
            lines=[LineInput("CABINET", 3, {"shelves": "2"})],  # the first line removed
            requested_date=order.requested_date,
            notes=None,
            actor="sales",
            at=AT,
        )
        uow.commit()
    with application.ctx.uow() as uow:
        order = uow.orders.get("SO-2026-0001")
        assert order is not None
        assert [(li.line_no, li.product_family, li.quantity, li.spec) for li in order.lines] == [
            (1, "CABINET", 3, {"shelves": "2"})
        ]
        order.revise(
            lines=[
                *(LineInput(li.product_family, li.quantity, li.spec) for li in order.lines),
                LineInput("TABLE", 1, {}),
            ],
            requested_date=order.requested_date,
            notes=None,
            actor="sales",
            at=AT,
        )
        uow.commit()
    with application.ctx.uow() as uow:
        order = uow.orders.get("SO-2026-0001")
        assert order is not None
        assert [li.line_no for li in order.lines] == [1, 2] and order.version == 3


def test_families_of_many_versions_come_from_one_checksum_read(application: Application) -> None:
    """The floor's queue reads the families of all its rows at once: only the versions
    asked for are answered (TABLE 2 exists, but only CABINET 2 is asked), unknown ones
    are None, and each parse is the catalogue's cached one."""
    with application.ctx.uow() as uow:
        for code, versions in (("TABLE", 2), ("CABINET", 1)):
            for version in range(1, versions + 1):
                uow.catalogue.add(
                    CatalogueVersion.imported(
                        family_code=code,
                        previous=version - 1,
                        label=str(version),
                        name=code.title(),
                        document=catalogue_text(code),
                        format=CatalogueFormat.YAML,
                        actor="t",
                        at=AT,
                    )
                )
        uow.commit()
    asked = [("TABLE", 1), ("CABINET", 2), ("CABINET", 1)]
    with application.ctx.uow() as uow:
        sums = uow.catalogue.checksums(asked)
        found = catalogue_service.families_at(uow, asked)
        one = catalogue_service.family_at(uow, "TABLE", 1)
    assert set(sums) == {("TABLE", 1), ("CABINET", 1)}
    assert sums[("TABLE", 1)] == (CatalogueFormat.YAML, catalogue_checksum(catalogue_text("TABLE")))
    assert found[("CABINET", 2)] is None
    table, cabinet = found[("TABLE", 1)], found[("CABINET", 1)]
    assert table is not None and cabinet is not None
    assert (table.code, cabinet.code) == ("TABLE", "CABINET")
    assert one is table  # the cached parse


def test_statistics_are_refreshed_after_a_bulk_load(application: Application) -> None:
    """`orderforge demo load` and a restore end with the planner's statistics up to date:
    PostgreSQL has analyzed the tables at once (autovacuum would wait a minute or more)."""
    add_order(application, add_customer(application))
    application.refresh_statistics()
    if application.engine.dialect.name != "postgresql":
        return  # PRAGMA optimize decides for itself what is worth analyzing
    with application.engine.connect() as connection:
        analyzed = connection.execute(
            sa.text(
                "SELECT last_analyze FROM pg_stat_user_tables "
                "WHERE relname = 'orders' AND schemaname = current_schema()"
            )
        ).scalar_one()
    assert analyzed is not None


def test_a_request_knows_its_user_from_one_read(application: Application) -> None:
    """Every request checks its session or token: the user comes in the same query, and a
    deactivated user is still refused."""
    ctx = application.ctx
    users.add_user(ctx, None, users.AddUser("reader", "sales", "a long enough password"))
    principal = users.authenticate(ctx, "reader", "a long enough password")
    session_id = credentials.start_session(ctx, principal)
    token = credentials.issue_token(ctx, "reader", "t").secret
    statements: list[str] = []

    def seen(_c: object, _cur: object, statement: str, *_a: object) -> None:
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    sa.event.listen(application.engine, "before_cursor_execute", seen)
    try:
        assert credentials.session_principal(ctx, session_id)[0].username == "reader"
        assert statements.count("SELECT") == 1
        statements.clear()
        assert credentials.principal_by_token(ctx, token).username == "reader"
        assert statements.count("SELECT") == 1
    finally:
        sa.event.remove(application.engine, "before_cursor_execute", seen)
    with ctx.uow() as uow:
        user = uow.users.get("reader")
        assert user is not None
        user.active = False
        uow.commit()
    with pytest.raises(AuthenticationFailed):
        credentials.session_principal(ctx, session_id)
    with pytest.raises(AuthenticationFailed):
        credentials.principal_by_token(ctx, token)
