"""The demo plant is consistent master data and its orders replay through the real lifecycle."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orderforge.demo.plant import (
    COLOUR_CLASSES,
    CUSTOMERS,
    DEMO_USERS,
    FAMILY_CODES,
    DemoOrder,
    demo_orders,
    demo_plant_data,
)
from orderforge.domain.customer import Customer
from orderforge.domain.order import Order, OrderAction, OrderState
from orderforge.domain.permissions import FLOOR_ACTIONS, INSPECTION_ACTIONS, Resource, is_allowed
from orderforge.domain.user import Role

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
PLANT = demo_plant_data()
WORK_CENTRES = PLANT.work_centres
CENTRES = {w.code: w for w in WORK_CENTRES}
CUSTOMER_CODES = [c[0] for c in CUSTOMERS]
ORDERS = demo_orders()


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _replay(demo: DemoOrder, number: str = "SO-TEST") -> Order:
    order = Order.open_quote(
        number=number,
        customer_id=CUSTOMER_CODES.index(demo.customer_code) + 1,
        lines=list(demo.lines),
        requested_date=(T0 + dt.timedelta(days=demo.requested_in_days)).date(),
        notes=demo.notes,
        actor="sales",
        at=T0,
    )
    for i, (action, role, reason) in enumerate(demo.path, start=1):
        order.apply(action, actor=role.value, at=T0 + dt.timedelta(hours=i), reason=reason)
    return order


# -- plant master data -------------------------------------------------------------


def test_plant_has_enough_master_data() -> None:
    assert len(WORK_CENTRES) >= 8
    assert len(CUSTOMERS) >= 20
    assert len(PLANT.calendars) >= 3
    assert len(PLANT.items) >= 30
    assert PLANT.settings is not None and PLANT.settings.name == "Holzwerk Nordlicht"
    assert PLANT.settings.currency == "EUR"
    rule = PLANT.pricing.rule_for("TABLE")
    assert rule is not None and rule.margin == Decimal("0.30")


def test_codes_are_unique() -> None:
    for codes in (
        [c.code for c in PLANT.calendars],
        [w.code for w in WORK_CENTRES],
        [i.code for i in PLANT.items],
        CUSTOMER_CODES,
        [u[0] for u in DEMO_USERS],
    ):
        assert len(codes) == len(set(codes)), codes


def test_calendars_are_berlin_with_real_german_holidays() -> None:
    for year in (2026, 2027, 2031):  # any year: holidays are computed, not listed
        easter = _easter(year)
        expected = {
            dt.date(year, 1, 1),
            easter - dt.timedelta(days=2),
            easter + dt.timedelta(days=1),
            dt.date(year, 5, 1),
            easter + dt.timedelta(days=39),
            easter + dt.timedelta(days=50),
            dt.date(year, 10, 3),
            dt.date(year, 12, 25),
            dt.date(year, 12, 26),
        }
        for calendar in PLANT.calendars:
            assert calendar.timezone == "Europe/Berlin"
            closed = calendar.closed_days_between(dt.date(year, 1, 1), dt.date(year, 12, 31))
            if calendar.code == "DRYING":  # unattended curing runs through holidays
                assert closed == {}
                continue
            assert expected <= set(closed), calendar.code
    two_shift = next(c for c in PLANT.calendars if c.code == "TWO-SHIFT")
    assert two_shift.working_minutes_per_week() == 5 * 2 * (8 * 60 - 30)


def test_work_centres_are_realistic() -> None:
    calendars = {c.code for c in PLANT.calendars}
    for wc in WORK_CENTRES:
        assert wc.calendar_code in calendars, wc.code
        assert wc.capacity >= 1
        assert wc.hourly_rate > 0, wc.code
        assert wc.hourly_rate.as_tuple().exponent == -2, wc.hourly_rate
    assert not CENTRES["DRY-CURE"].interruptible
    assert CENTRES["DRY-CURE"].batch_capacity > 1
    assert CENTRES["ASSEMBLY"].capacity == 3


def test_changeover_matrices_name_only_known_colour_classes() -> None:
    painted = [wc for wc in WORK_CENTRES if wc.changeover_minutes]
    assert painted, "the paint booth has sequence-dependent changeovers"
    for wc in painted:
        assert wc.setup_attribute == "colour"
        assert set(wc.changeover_minutes) <= set(COLOUR_CLASSES), wc.code
        for row in wc.changeover_minutes.values():
            assert set(row) <= set(COLOUR_CLASSES), wc.code
            assert all(m >= 0 for m in row.values())
    paint = CENTRES["PAINT-BOOTH"].changeover_minutes
    assert paint["light"]["dark"] < paint["dark"]["light"]
    assert paint["white"]["black"] < paint["black"]["white"]
    assert all(paint[c]["ral-custom"] >= 45 for c in COLOUR_CLASSES)


def test_item_master_is_realistic() -> None:
    names = " ".join(i.name.lower() for i in PLANT.items)
    for kind in ("mdf", "plywood", "solid", "fabric", "leather", "foam", "hinge", "glass"):
        assert kind in names, kind
    lead_times = {i.lead_time_days for i in PLANT.items if i.status.value == "approved"}
    assert min(lead_times) <= 5 and max(lead_times) >= 21  # days to weeks
    costs = [i.cost for i in PLANT.items if i.status.value == "approved"]
    assert sum(c > 0 for c in costs) >= len(costs) - 1  # the customer's own fabric is free


def test_customers_are_valid_and_fictional() -> None:
    for code, name, email, country in CUSTOMERS:
        customer = Customer.register(
            code=code, name=name, email=email, country=country, actor="test", at=T0
        )
        assert customer.code == code
        assert email.endswith(".example"), email
    countries = [c[3] for c in CUSTOMERS]
    core = sum(1 for c in countries if c in {"DE", "AT", "CH", "NL", "DK"})
    assert core >= 0.8 * len(countries)


def test_demo_users_cover_every_role() -> None:
    staff = {u[2] for u in DEMO_USERS if u[2] is not Role.CUSTOMER}
    assert staff == set(Role) - {Role.CUSTOMER}
    for username, _name, role, customer in DEMO_USERS:
        assert (customer is not None) == (role is Role.CUSTOMER), username
        assert customer is None or customer in CUSTOMER_CODES
    assert sum(1 for u in DEMO_USERS if u[2] is Role.CUSTOMER) == 2


# -- demo orders ---------------------------------------------------------------


def test_enough_orders() -> None:
    assert len(ORDERS) >= 50


def test_orders_are_deterministic_per_seed() -> None:
    assert demo_orders() == ORDERS
    assert demo_orders(seed=2026, count=60) == ORDERS
    assert demo_orders(seed=7) == demo_orders(seed=7)
    assert demo_orders(seed=7) != ORDERS


@pytest.mark.parametrize("seed", [2026, 1, 99])
def test_every_line_names_a_demo_family(seed: int) -> None:
    for n, demo in enumerate(demo_orders(seed=seed)):
        assert demo.customer_code in CUSTOMER_CODES
        assert 1 <= len(demo.lines) <= 3
        assert demo.requested_in_days > 0 and demo.created_days_ago >= 0
        for line in demo.lines:
            assert line.product_family in FAMILY_CODES, n
            assert line.quantity >= 1


#: The order's design steps and the design permission that takes each.
DESIGN_STEPS = {
    OrderAction.SUBMIT_DESIGN: "propose",
    OrderAction.APPROVE_DESIGN: "sign",
    OrderAction.REJECT_DESIGN: "decide",
}


#: The order's change steps and the change permission that takes each.
CHANGE_STEPS = {
    OrderAction.REQUEST_CHANGE: "request",
    OrderAction.ACCEPT_CHANGE: "decide",
    OrderAction.DECLINE_CHANGE: "decide",
}
SHIPPING_STEPS = {OrderAction.SHIP: "ship", OrderAction.CONFIRM_DELIVERY: "confirm"}


#: The order steps that follow the floor: starting work is reported by operators and
#: planners, finishing by the operator who completes the last operation.
FLOOR_STEPS = FLOOR_ACTIONS


@pytest.mark.parametrize("seed", [2026, 1, 99])
def test_every_path_replays_with_allowed_roles(seed: int) -> None:
    for n, demo in enumerate(demo_orders(seed=seed)):
        for action, role, reason in demo.path:
            if action in DESIGN_STEPS:  # taken through the design revisions
                assert is_allowed(role, Resource.DESIGN, DESIGN_STEPS[action]), (action, role)
            elif action in CHANGE_STEPS:  # taken through engineering changes
                assert is_allowed(role, Resource.CHANGE, CHANGE_STEPS[action]), (action, role)
            elif action in FLOOR_STEPS:  # follows the floor's reports
                assert is_allowed(role, Resource.WORK_ORDER, "report"), (action, role)
            elif action in INSPECTION_ACTIONS:  # a final inspection's checklist
                assert is_allowed(role, Resource.QUALITY, "decide"), (action, role)
            elif action in SHIPPING_STEPS:  # taken through shipments
                allowed = is_allowed(role, Resource.SHIPMENT, SHIPPING_STEPS[action])
                assert allowed, (action, role)
            else:
                assert is_allowed(role, Resource.ORDER, action.value), (action, role)
            assert reason == reason.strip()
        order = _replay(demo, number=f"SO-{n:04d}")
        assert order.state is demo.final_state


def test_states_cover_the_whole_lifecycle() -> None:
    states = [_replay(demo).state for demo in ORDERS]
    assert set(states) == set(OrderState)
    assert states.count(OrderState.IN_PRODUCTION) > states.count(OrderState.REJECTED)
    assert states.count(OrderState.PLANNED) > states.count(OrderState.REJECTED)


@pytest.mark.parametrize("seed", [2026, 1, 99])
def test_timelines_are_interesting(seed: int) -> None:
    orders = demo_orders(seed=seed)
    actions = [a for demo in orders for a, _, _ in demo.path]
    for loop in (
        OrderAction.HOLD,
        OrderAction.RESUME,
        OrderAction.FAIL_INSPECTION,
        OrderAction.REJECT_DESIGN,
        OrderAction.REQUEST_CHANGE,
        OrderAction.ACCEPT_ENGINEERING,
        OrderAction.REVISE_QUOTE,
        OrderAction.ACCEPT_CHANGE,
        OrderAction.DECLINE_CHANGE,
    ):
        assert loop in actions, loop
    waiting = [_replay(d) for d in orders if d.final_state is OrderState.AWAITING_DESIGN_APPROVAL]
    approved = {o.design_approved_at is not None for o in waiting}
    assert approved == {True, False}
    ages = [d.created_days_ago for d in orders]
    assert ages == sorted(ages, reverse=True), "oldest first, so numbers follow age"


def test_small_counts_still_work() -> None:
    for count in (1, 5, 16, 17, 100):
        orders = demo_orders(count=count)
        assert len(orders) == count
        if count >= len(OrderState):
            assert {o.final_state for o in orders} == set(OrderState)
