"""Shipping rules, pure and against in-memory ports: what a package may hold, partial
shipments and when the order is shipped and delivered, delivery dates, the shipment gate,
what a customer sees, and on-time delivery figures (months, orders without a promise)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderforge.adapters.security import HmacSealer
from orderforge.domain.customer import Customer
from orderforge.domain.errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from orderforge.domain.order import LineInput, Order, OrderAction, OrderState
from orderforge.domain.user import Role
from orderforge.services import orders
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.shipping import services
from orderforge.shipping.domain import (
    Carrier,
    DeliveredOrder,
    OnTimeBy,
    Shipment,
    ShipmentStatus,
    delivered_order,
    on_time,
    open_quantities,
    package_from,
)
from orderforge.shipping.ports import SHIPMENT_GATE
from tests.conftest import FixedClock
from tests.unit.fakes import FakeShipmentGate, FakeUnitOfWork, PlainHasher

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
DHL = Carrier("DHL-FREIGHT", "DHL Freight", "https://dhl.example/track?n={tracking}")
PLANNER = Principal(4, "planner", Role.PLANNER, "Planner")
SALES = Principal(2, "sales", Role.SALES, "Sales")
A = OrderAction
TO_READY = [
    A.CONFIRM,
    A.MARK_FEASIBLE,
    A.PLAN,
    A.SUBMIT_DESIGN,
    A.APPROVE_DESIGN,
    A.RELEASE,
    A.START_PRODUCTION,
    A.FINISH_PRODUCTION,
    A.PASS_INSPECTION,
]


def state(order: Order) -> OrderState:
    """The order's state now (a function, so mypy does not narrow it across commands)."""
    return order.state


def status(shipment: Shipment) -> ShipmentStatus:
    return shipment.status


def package(*contents: tuple[int, int], weight: Any = "12.5", **sides: Any) -> dict[str, Any]:
    return {
        "length_cm": sides.get("length_cm", "120"),
        "width_cm": sides.get("width_cm", "80"),
        "height_cm": sides.get("height_cm", "40"),
        "weight_kg": weight,
        "contents": [{"line": line, "quantity": q} for line, q in contents],
    }


def packed(open_lines: dict[int, int], *contents: tuple[int, int]) -> Shipment:
    return Shipment.pack(
        number="SHP-2026-0001",
        order_number="SO-2026-0001",
        packages=[package_from(package(*contents), 0)],
        open_lines=open_lines,
        actor="planner",
        at=T0,
    )


# -- packing rules ----------------------------------------------------------------------


def test_a_package_holds_at_most_what_is_left_of_each_line() -> None:
    s = packed({1: 3, 2: 1}, (1, 2), (2, 1))
    assert s.quantities() == {1: 2, 2: 1} and status(s) is ShipmentStatus.PACKING
    with pytest.raises(InvalidInput) as too_many:
        packed({1: 3}, (1, 2), (1, 2))  # two items of line 1 in one package: 4 > 3
    assert too_many.value.field == "packages[0].contents[1].quantity"
    assert "3 left to ship" in too_many.value.message
    with pytest.raises(InvalidInput) as unknown:
        packed({1: 3}, (7, 1))
    assert unknown.value.field == "packages[0].contents[0].line"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weight": "0"}, "packages[0].weight_kg"),
        ({"weight": "-3"}, "packages[0].weight_kg"),
        ({"weight": "5000.5"}, "packages[0].weight_kg"),
        ({"weight": "heavy"}, "packages[0].weight_kg"),
        ({"weight": "NaN"}, "packages[0].weight_kg"),
        ({"length_cm": "0"}, "packages[0].length_cm"),
        ({"height_cm": "1501"}, "packages[0].height_cm"),
        ({"width_cm": None}, "packages[0].width_cm"),
    ],
)
def test_weights_and_sizes_are_positive_and_bounded(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        package_from(package((1, 1), **change), 0)
    assert refused.value.field == field


def test_contents_are_whole_positive_quantities_of_lines() -> None:
    for contents, field in [
        ([], "packages[0].contents"),
        ([{"line": 1, "quantity": 0}], "packages[0].contents[0].quantity"),
        ([{"line": 1, "quantity": True}], "packages[0].contents[0].quantity"),
        ([{"line": "1", "quantity": 1}], "packages[0].contents[0].line"),
        (["1=2"], "packages[0].contents[0].line"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            package_from(package() | {"contents": contents}, 0)
        assert refused.value.field == field


def test_a_comma_is_a_decimal_point_and_measures_keep_two_decimals() -> None:
    p = package_from(package((1, 1), weight="68,5"), 0)
    assert p.weight_kg == Decimal("68.50")


@given(
    ordered=st.dictionaries(st.integers(1, 5), st.integers(1, 20), min_size=1, max_size=5),
    takes=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 20)), max_size=12),
)
def test_packing_never_holds_more_than_ordered(
    ordered: dict[int, int], takes: list[tuple[int, int]]
) -> None:
    """Whatever is attempted, the shipments that count hold no more than the order."""
    shipments: list[Shipment] = []
    for i, (line, quantity) in enumerate(takes):
        try:
            shipments.append(
                Shipment.pack(
                    number=f"SHP-2026-{i:04d}",
                    order_number="SO-2026-0001",
                    packages=[package_from(package((line, quantity)), 0)],
                    open_lines=open_quantities(ordered, shipments),
                    actor="planner",
                    at=T0,
                )
            )
        except InvalidInput:
            continue
        if i % 3 == 0:
            shipments[-1].cancel(actor="planner", at=T0, reason="repacked")
    left = open_quantities(ordered, shipments)
    assert all(0 <= left[line] <= ordered[line] for line in ordered)


# -- shipping and delivery ----------------------------------------------------------------


def test_ship_then_confirm_with_dates_that_make_sense() -> None:
    s = packed({1: 1}, (1, 1))
    with pytest.raises(IllegalTransition):
        s.confirm_delivery(delivered_on=T0.date(), received_by="A", remark="", actor="x", at=T0)
    with pytest.raises(InvalidInput) as no_tracking:
        s.ship(carrier=DHL, tracking_number="", actor="planner", at=T0)
    assert no_tracking.value.field == "tracking_number" and status(s) is ShipmentStatus.PACKING
    s.ship(carrier=DHL, tracking_number="JD0146", actor="planner", at=T0)
    assert DHL.link(s.tracking_number) == "https://dhl.example/track?n=JD0146"
    later = T0 + dt.timedelta(days=3)
    for day, field in [
        (T0.date() - dt.timedelta(days=1), "delivered_on"),  # before it left
        (later.date() + dt.timedelta(days=1), "delivered_on"),  # in the future
    ]:
        with pytest.raises(InvalidInput) as refused:
            s.confirm_delivery(delivered_on=day, received_by="A", remark="", actor="x", at=later)
        assert refused.value.field == field
    with pytest.raises(InvalidInput) as nobody:
        s.confirm_delivery(
            delivered_on=later.date(), received_by=" ", remark="", actor="x", at=later
        )
    assert nobody.value.field == "received_by" and status(s) is ShipmentStatus.SHIPPED
    s.confirm_delivery(
        delivered_on=later.date(), received_by="Anna", remark="", actor="x", at=later
    )
    assert status(s) is ShipmentStatus.DELIVERED
    with pytest.raises(IllegalTransition):
        s.cancel(actor="planner", at=later, reason="too late")


def test_own_truck_needs_no_tracking_number_and_spaces_are_refused() -> None:
    s = packed({1: 1}, (1, 1))
    with pytest.raises(InvalidInput):
        s.ship(carrier=DHL, tracking_number="JD 0146", actor="planner", at=T0)
    s.ship(carrier=Carrier("OWN-TRUCK", "Own truck"), tracking_number="", actor="p", at=T0)
    assert status(s) is ShipmentStatus.SHIPPED


# -- use cases against in-memory ports ------------------------------------------------------


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def ctx(uow: FakeUnitOfWork, clock: FixedClock) -> ServiceContext:
    return ServiceContext(
        uow=uow, clock=clock, hasher=PlainHasher(), sealer=HmacSealer(lambda: "unit-tests")
    )


def ready_order(uow: FakeUnitOfWork, customer_code: str = "C-ONE", **quantities: int) -> Order:
    customer = uow.customers.get(customer_code)
    if customer is None:
        customer = Customer.register(
            code=customer_code,
            name=f"Customer {customer_code}",
            email="x@example.com",
            country="DE",
            actor="sales",
            at=T0,
            address="Hafenstraße 1\n24937 Flensburg",
        )
        uow.customers.add(customer)
    assert customer.id is not None
    lines = [LineInput("TABLE", q, {"wood": "oak"}) for q in (quantities or {"a": 2}).values()]
    order = Order.open_quote(
        number=f"SO-2026-{len(uow.orders.rows) + 1:04d}",
        customer_id=customer.id,
        lines=lines,
        requested_date=None,
        notes="",
        actor="sales",
        at=T0 - dt.timedelta(days=30),
    )
    for action in TO_READY:
        order.apply(action, actor="admin", at=T0 - dt.timedelta(days=1))
    uow.orders.add(order)
    return order


def pack(ctx: ServiceContext, number: str, *contents: tuple[int, int]) -> str:
    view = services.pack(ctx, PLANNER, services.PackShipment(number, [package(*contents)]))
    return str(view["number"])


def ship(ctx: ServiceContext, shipment: str) -> dict[str, Any]:
    return services.ship(ctx, PLANNER, services.ShipShipment(shipment, "DHL-FREIGHT", "JD01"))


def deliver(ctx: ServiceContext, shipment: str, on: dt.date = T0.date()) -> dict[str, Any]:
    cmd = services.ConfirmDelivery(shipment, on, "Anna Huber", "box 2 dented")
    return services.confirm_delivery(ctx, SALES, cmd)


def test_partial_shipments_ship_the_order_with_the_last_and_deliver_it_with_the_last(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    order = ready_order(uow, a=3, b=1)
    first = pack(ctx, order.number, (1, 2))
    assert first.startswith("SHP-2026-")
    ship(ctx, first)
    assert state(order) is OrderState.READY_TO_SHIP  # line 1 has one more, line 2 all
    deliver(ctx, first)
    assert state(order) is OrderState.READY_TO_SHIP
    second = pack(ctx, order.number, (1, 1), (2, 1))
    view = services.order_shipping(ctx, PLANNER, order.number)
    assert [li["left_to_pack"] for li in view["lines"]] == [0, 0]
    assert not view["can_pack"]
    with pytest.raises(InvalidInput):  # nothing is left to pack
        pack(ctx, order.number, (1, 1))
    ship(ctx, second)
    assert state(order) is OrderState.SHIPPED
    deliver(ctx, second)
    assert state(order) is OrderState.DELIVERED
    kinds = [e.kind for e in uow.events.rows if e.aggregate == "order"][-2:]
    assert kinds == ["order_ship", "order_confirm_delivery"]


def test_a_cancelled_shipment_frees_its_quantities(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    order = ready_order(uow, a=2)
    first = pack(ctx, order.number, (1, 2))
    with pytest.raises(InvalidInput):
        pack(ctx, order.number, (1, 1))
    services.cancel(ctx, PLANNER, first, "Wrong crate.")
    with pytest.raises(IllegalTransition):
        ship(ctx, first)
    ship(ctx, pack(ctx, order.number, (1, 2)))
    assert state(order) is OrderState.SHIPPED


def test_packing_waits_for_ready_to_ship_and_the_gate_holds_shipping(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    order = ready_order(uow)
    gate = uow.repository(SHIPMENT_GATE)
    assert isinstance(gate, FakeShipmentGate)
    shipment = pack(ctx, order.number, (1, 2))
    gate.held[order.number] = ["The device history record of line 1 is not signed."]
    with pytest.raises(IllegalTransition) as held:
        ship(ctx, shipment)
    assert "device history record" in held.value.message
    assert state(order) is OrderState.READY_TO_SHIP
    gate.held.clear()
    ship(ctx, shipment)
    with pytest.raises(IllegalTransition):  # shipped: nothing more to pack
        pack(ctx, order.number, (1, 1))


def test_the_order_buttons_are_refused_with_the_way_to_the_shipping_page(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    order = ready_order(uow)
    admin = Principal(1, "admin", Role.ADMIN, "Admin")
    with pytest.raises(PermissionDenied) as refused:
        orders.advance_order(ctx, admin, order.number, "ship")
    assert f"/orders/{order.number}/shipping" in refused.value.message
    assert state(order) is OrderState.READY_TO_SHIP


def test_a_customer_sees_its_own_shipments_without_the_plants_notes(
    ctx: ServiceContext, uow: FakeUnitOfWork
) -> None:
    mine = ready_order(uow, "C-MINE")
    theirs = ready_order(uow, "C-THEIRS")
    ship(ctx, pack(ctx, mine.number, (1, 2)))
    other = pack(ctx, theirs.number, (1, 1))
    customer = uow.customers.get("C-MINE")
    assert customer is not None and customer.id is not None
    me = Principal(9, "portal", Role.CUSTOMER, "Portal", customer_id=customer.id)
    [seen] = services.list_shipments(ctx, me)
    assert seen["order_number"] == mine.number and seen["tracking_url"]
    assert "packing_note" not in seen and "delivery_remark" not in seen
    assert "packed_by" not in seen
    with pytest.raises(NotFound):
        services.get_shipment(ctx, me, other)
    with pytest.raises(PermissionDenied):
        services.ship(ctx, me, services.ShipShipment(other, "DHL-FREIGHT", "X"))


# -- on-time delivery -----------------------------------------------------------------------


def delivered(
    number: str,
    on: str,
    promise: str | None,
    customer: str = "Alpina",
    families: tuple[str, ...] = ("Table",),
) -> DeliveredOrder:
    return DeliveredOrder(
        number,
        customer,
        families,
        dt.date.fromisoformat(on),
        dt.date.fromisoformat(promise) if promise else None,
    )


def test_on_time_counts_promised_orders_and_keeps_unpromised_apart() -> None:
    orders_ = [
        delivered("SO-1", "2026-10-30", "2026-10-30"),  # on the day: on time
        delivered("SO-2", "2026-11-01", "2026-10-31"),  # a day late
        delivered("SO-3", "2026-11-03", "2026-11-10", customer="Seehof"),
        delivered("SO-4", "2026-11-04", None, customer="Seehof"),
        delivered("SO-5", "2026-12-01", "2026-12-02", families=("Table", "Couch")),
    ]
    by_month = {r.key: r for r in on_time(orders_, OnTimeBy.MONTH)}
    assert list(by_month) == ["2026-10", "2026-11", "2026-12"]
    assert (by_month["2026-10"].promised, by_month["2026-10"].on_time) == (1, 1)
    nov = by_month["2026-11"]
    assert (nov.promised, nov.on_time, nov.late, nov.unpromised) == (2, 1, 1, 1)
    assert nov.percent == Decimal("50.0")
    by_customer = {r.key: r for r in on_time(orders_, OnTimeBy.CUSTOMER)}
    assert by_customer["Seehof"].percent == Decimal("100.0")
    assert by_customer["Seehof"].unpromised == 1
    assert by_customer["Alpina"].percent == Decimal("66.7")
    by_family = {r.key: r for r in on_time(orders_, OnTimeBy.FAMILY)}
    assert by_family["Couch"].promised == 1 and by_family["Table"].promised == 4
    only_unpromised = on_time([delivered("SO-9", "2026-11-04", None)], OnTimeBy.MONTH)
    assert only_unpromised[0].percent is None


def test_an_order_is_delivered_on_its_last_shipments_day() -> None:
    a = packed({1: 2}, (1, 1))
    b = packed({1: 1}, (1, 1))
    for s, day in ((a, 2), (b, 6)):
        s.ship(carrier=DHL, tracking_number="T1", actor="p", at=T0)
        at = T0 + dt.timedelta(days=10)
        if s is a:
            assert delivered_order("SO-1", "C", ["Table"], [a, b], None) is None
        s.confirm_delivery(
            delivered_on=(T0 + dt.timedelta(days=day)).date(),
            received_by="A",
            remark="",
            actor="x",
            at=at,
        )
    found = delivered_order("SO-1", "C", ["Table"], [a, b], dt.date(2026, 11, 25))
    assert found is not None and found.delivered_on == dt.date(2026, 11, 26)
    assert found.on_time is False


def test_on_time_figures_over_the_use_case(
    ctx: ServiceContext, uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    early, late, unpromised = (ready_order(uow) for _ in range(3))
    early.promise_date = dt.date(2026, 11, 25)
    late.promise_date = dt.date(2026, 11, 19)
    for order in (early, late, unpromised):
        shipment = pack(ctx, order.number, (1, 2))
        ship(ctx, shipment)
        deliver(ctx, shipment, on=T0.date())
    figures = services.on_time_delivery(ctx, PLANNER, "month")
    assert figures["total"] == {
        "orders": 2,
        "on_time": 1,
        "late": 1,
        "percent": "50.0",
        "without_promise": 1,
    }
    assert figures["rows"][0]["key"] == "2026-11"
    with pytest.raises(InvalidInput) as refused:
        services.on_time_delivery(ctx, PLANNER, "week")
    assert refused.value.field == "by"
