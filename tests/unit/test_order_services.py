"""Order use cases against in-memory ports: permissions, scoping, idempotency, versions."""

from __future__ import annotations

import datetime as dt

import pytest

from orderforge import demo
from orderforge.adapters.security import HmacSealer
from orderforge.domain.errors import (
    ConcurrencyConflict,
    IdempotencyMismatch,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from orderforge.domain.order import LineInput
from orderforge.domain.user import Role
from orderforge.services import orders
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import FixedClock
from tests.unit.fakes import FakeUnitOfWork, PlainHasher

ADMIN = Principal(1, "admin", Role.ADMIN, "Admin")
SALES = Principal(2, "sales", Role.SALES, "Sales")
OPERATOR = Principal(3, "operator", Role.OPERATOR, "Operator")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def ctx(uow: FakeUnitOfWork) -> ServiceContext:
    context = ServiceContext(
        uow=uow, clock=FixedClock(), hasher=PlainHasher(), sealer=HmacSealer(lambda: "unit-tests")
    )
    demo.load_demo(context, "orderforge-demo", count=20)
    return context


def table_order(customer: str = "C-HOTEL-ALPINA", quantity: int = 2) -> orders.CreateOrder:
    return orders.CreateOrder(
        customer_code=customer,
        lines=(LineInput("TABLE", quantity, {"wood": "oak"}),),
        requested_date=dt.date(2027, 2, 1),
    )


def test_numbers_are_readable_and_consecutive(ctx: ServiceContext) -> None:
    first = orders.create_order(ctx, SALES, table_order()).view.number
    second = orders.create_order(ctx, SALES, table_order()).view.number
    year, n = first.split("-")[1:]
    assert second == f"SO-{year}-{int(n) + 1:04d}"


def test_operator_cannot_open_a_quote(ctx: ServiceContext, uow: FakeUnitOfWork) -> None:
    before = len(uow.orders.rows)
    with pytest.raises(PermissionDenied):
        orders.create_order(ctx, OPERATOR, table_order())
    assert len(uow.orders.rows) == before


def test_idempotent_create_replays_and_refuses_a_different_body(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    first = orders.create_order(ctx, SALES, table_order(), idempotency_key="k-1")
    again = orders.create_order(ctx, SALES, table_order(), idempotency_key="k-1")
    assert again.replayed and again.view == first.view
    count = len(uow.orders.rows)
    with pytest.raises(IdempotencyMismatch):
        orders.create_order(ctx, SALES, table_order(quantity=3), idempotency_key="k-1")
    assert len(uow.orders.rows) == count
    # Keys belong to the caller: another user's identical key is a new request.
    other = orders.create_order(ctx, ADMIN, table_order(), idempotency_key="k-1")
    assert other.view.number != first.view.number


def test_customer_sees_only_own_orders(ctx: ServiceContext, uow: FakeUnitOfWork) -> None:
    alpina = uow.customers.get("C-HOTEL-ALPINA")
    assert alpina is not None and alpina.id is not None
    me = Principal(9, "alpina", Role.CUSTOMER, "Alpina", customer_id=alpina.id)
    mine = orders.create_order(ctx, SALES, table_order()).view.number
    theirs = orders.create_order(ctx, SALES, table_order("C-ARCH-BERG")).view.number
    listed = orders.list_orders(ctx, me, orders.OrderQuery())
    assert {o.customer.code for o in listed} == {"C-HOTEL-ALPINA"}
    assert orders.get_order(ctx, me, mine).number == mine
    with pytest.raises(NotFound):
        orders.get_order(ctx, me, theirs)
    with pytest.raises(NotFound):
        orders.advance_order(ctx, me, theirs, "confirm")


def test_stale_version_is_refused_and_changes_nothing(ctx: ServiceContext) -> None:
    number = orders.create_order(ctx, SALES, table_order()).view.number
    orders.advance_order(ctx, SALES, number, "confirm", expected_version=1)
    with pytest.raises(ConcurrencyConflict, match="changed by someone else"):
        orders.advance_order(ctx, SALES, number, "cancel", reason="x", expected_version=0)
    assert orders.get_order(ctx, SALES, number).state == "confirmed"


@pytest.mark.parametrize(
    ("spec", "field", "message"),
    [
        ({"wood": "plastic"}, "lines[0].spec.wood", "not a choice"),
        ({"colour_of_moon": "x"}, "lines[0].spec.colour_of_moon", "has no option"),
        ({"length": "99999"}, "lines[0].spec.length", "not offered"),
        ({"length": "1805.5"}, "lines[0].spec.length", "steps"),
        ({"length": "long"}, "lines[0].spec.length", "not a number"),
    ],
)
def test_specs_are_checked_against_the_family(
    ctx: ServiceContext, spec: dict[str, str], field: str, message: str
) -> None:
    cmd = orders.CreateOrder(customer_code="C-HOTEL-ALPINA", lines=(LineInput("TABLE", 1, spec),))
    with pytest.raises(InvalidInput, match=message) as refused:
        orders.create_order(ctx, SALES, cmd)
    assert refused.value.field == field


def test_unknown_family_and_customer_are_named(ctx: ServiceContext) -> None:
    with pytest.raises(InvalidInput) as refused:
        orders.create_order(
            ctx, SALES, orders.CreateOrder("C-HOTEL-ALPINA", (LineInput("SPACESHIP", 1, {}),))
        )
    assert refused.value.field == "lines[0].product_family"
    with pytest.raises(InvalidInput) as refused:
        orders.create_order(ctx, SALES, table_order(customer="C-NOBODY"))
    assert refused.value.field == "customer"


def test_available_actions_combine_role_and_state(ctx: ServiceContext) -> None:
    number = orders.create_order(ctx, SALES, table_order()).view.number
    assert orders.available_actions(ctx, SALES, number) == ["confirm", "cancel"]
    assert orders.available_actions(ctx, OPERATOR, number) == []


def test_state_counters_count_only_a_customers_own_orders(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    alpina = uow.customers.get("C-HOTEL-ALPINA")
    assert alpina is not None and alpina.id is not None
    me = Principal(9, "alpina", Role.CUSTOMER, "Alpina", customer_id=alpina.id)
    orders.create_order(ctx, SALES, table_order())
    orders.create_order(ctx, SALES, table_order("C-ARCH-BERG"))
    own = [o for o in uow.orders.rows.values() if o.customer_id == alpina.id]
    counts = orders.count_orders(ctx, me)
    assert sum(counts.values()) == len(own)
    assert sum(orders.count_orders(ctx, ADMIN).values()) == len(uow.orders.rows)
