"""Rating a delivered order without a database: the domain's refusals (each naming the
field), and the use cases' rules of who rates which order, with nothing stored on a
refusal and the earlier rating kept when a new one replaces it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderforge import demo
from orderforge.adapters.security import HmacSealer
from orderforge.domain.errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from orderforge.domain.order import LineInput, Order, OrderState
from orderforge.domain.user import Role
from orderforge.insight import domain, services
from orderforge.insight.domain import MAX_COMMENT
from orderforge.insight.ports import FEEDBACK
from orderforge.services import orders
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from tests.conftest import FixedClock
from tests.unit.fakes import FakeUnitOfWork, PlainHasher
from tests.unit.insight_fakes import FakeFeedback

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def _order(state: OrderState) -> Order:
    order = Order.open_quote(
        number="SO-2026-0001",
        customer_id=1,
        lines=[LineInput("TABLE", 1, {"wood": "oak"})],
        requested_date=None,
        notes="",
        actor="sales",
        at=T0,
    )
    order.state = state
    return order


@given(st.one_of(st.integers().filter(lambda r: not 1 <= r <= 5), st.booleans(), st.text()))
def test_a_rating_outside_one_to_five_is_refused_naming_rating(rating: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        domain.give(_order(OrderState.DELIVERED), rating, "", by="f", by_name="F", at=T0)
    assert refused.value.field == "rating"


@given(st.integers(1, 5), st.text(max_size=MAX_COMMENT).filter(lambda t: "\x00" not in t))
def test_a_delivered_order_takes_any_rating_and_comment(rating: int, comment: str) -> None:
    given_ = domain.give(_order(OrderState.DELIVERED), rating, comment, by="f", by_name="F", at=T0)
    assert given_.rating == rating and given_.comment == comment.strip()


@pytest.mark.parametrize(
    ("comment", "why"),
    [("x" * (MAX_COMMENT + 1), "at most 2000"), ("a\x00b", "NUL")],
)
def test_bad_comments_are_refused_naming_comment(comment: str, why: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        domain.give(_order(OrderState.DELIVERED), 5, comment, by="f", by_name="F", at=T0)
    assert refused.value.field == "comment" and why in refused.value.message


@pytest.mark.parametrize("state", sorted(set(OrderState) - {OrderState.DELIVERED}))
def test_only_a_delivered_order_is_rated(state: OrderState) -> None:
    with pytest.raises(IllegalTransition) as refused:
        domain.give(_order(state), 5, "", by="f", by_name="F", at=T0)
    assert refused.value.field == "order" and "once it is delivered" in refused.value.message


# -- use cases -----------------------------------------------------------------------

ADMIN = Principal(1, "admin", Role.ADMIN, "Ole Andersen")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def ctx(uow: FakeUnitOfWork) -> ServiceContext:
    context = ServiceContext(
        uow=uow, clock=FixedClock(), hasher=PlainHasher(), sealer=HmacSealer(lambda: "unit")
    )
    demo.load_demo(context, "orderforge-demo", count=5)
    return context


def _principal(uow: FakeUnitOfWork, username: str) -> Principal:
    user = uow.users.get(username)
    assert user is not None and user.id is not None
    return Principal(user.id, user.username, user.role, user.display_name, user.customer_id)


def _delivered(ctx: ServiceContext, uow: FakeUnitOfWork, customer: str) -> str:
    cmd = orders.CreateOrder(customer, (LineInput("TABLE", 1, {"wood": "oak"}),))
    number = orders.create_order(ctx, ADMIN, cmd).view.number
    order = uow.orders.get(number)
    assert order is not None
    order.state = OrderState.DELIVERED  # the lifecycle has its own tests
    return number


def _stored(uow: FakeUnitOfWork) -> FakeFeedback:
    repo = uow.repository(FEEDBACK)
    assert isinstance(repo, FakeFeedback)
    return repo


def test_the_customer_rates_again_and_the_first_stays(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    number = _delivered(ctx, uow, "C-HOTEL-ALPINA")
    franz = _principal(uow, "alpina")
    services.rate_order(ctx, franz, number, 3, "ok")
    view = services.rate_order(ctx, franz, number, 5, "better after the fix")
    assert view["current"]["rating"] == 5 and view["earlier"][0]["rating"] == 3
    assert [f.rating for f in _stored(uow).rows] == [3, 5]
    assert services.feedback_of(ctx, _principal(uow, "sales"), number)["can_rate"] is False


def test_nobody_else_rates_and_nothing_is_stored(ctx: ServiceContext, uow: FakeUnitOfWork) -> None:
    number = _delivered(ctx, uow, "C-HOTEL-ALPINA")
    with pytest.raises(NotFound):
        services.rate_order(ctx, _principal(uow, "studio-berg"), number, 5, "")
    with pytest.raises(NotFound):
        services.feedback_of(ctx, _principal(uow, "studio-berg"), number)
    for staff in ("admin", "sales", "quality"):
        with pytest.raises(PermissionDenied):
            services.rate_order(ctx, _principal(uow, staff), number, 5, "")
    assert _stored(uow).rows == []
