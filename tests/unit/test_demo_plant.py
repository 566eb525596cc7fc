"""The demo plant is consistent master data and its orders replay through the real lifecycle."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from orderforge.demo.plant import (
    CALENDARS,
    COLOUR_CLASSES,
    CUSTOMERS,
    DEMO_USERS,
    PRODUCT_FAMILIES,
    WORK_CENTRES,
    DemoOrder,
    demo_orders,
)
from orderforge.domain.customer import Customer
from orderforge.domain.order import Order, OrderAction, OrderState
from orderforge.domain.permissions import Resource, is_allowed
from orderforge.domain.plant import ProductFamily
from orderforge.domain.user import Role

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
FAMILIES = {f.code: f for f in PRODUCT_FAMILIES}
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
    assert len(PRODUCT_FAMILIES) >= 3
    assert len(CUSTOMERS) >= 20
    assert len(CALENDARS) >= 3


def test_codes_are_unique() -> None:
    for codes in (
        [c.code for c in CALENDARS],
        [w.code for w in WORK_CENTRES],
        [f.code for f in PRODUCT_FAMILIES],
        CUSTOMER_CODES,
        [u[0] for u in DEMO_USERS],
    ):
        assert len(codes) == len(set(codes)), codes


def test_calendars_are_berlin_with_real_german_holidays() -> None:
    for year in (2026, 2027):
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
        for calendar in CALENDARS:
            assert calendar.timezone == "Europe/Berlin"
            if calendar.code == "DRYING":  # unattended curing runs through holidays
                assert calendar.holidays == []
                continue
            assert expected <= set(calendar.holidays), calendar.code
    two_shift = next(c for c in CALENDARS if c.code == "TWO-SHIFT")
    assert two_shift.working_minutes_per_week() == 5 * 2 * (8 * 60 - 30)


def test_work_centres_are_realistic() -> None:
    calendars = {c.code for c in CALENDARS}
    for wc in WORK_CENTRES:
        assert wc.calendar_code in calendars, wc.code
        assert wc.capacity >= 1
        assert float(wc.hourly_rate) > 0, wc.code
        assert re.fullmatch(r"\d+\.\d{2}", wc.hourly_rate), wc.hourly_rate
    assert not CENTRES["DRY-CURE"].interruptible
    assert CENTRES["ASSEMBLY"].capacity == 3


def test_changeover_matrices_name_only_known_colour_classes() -> None:
    painted = [wc for wc in WORK_CENTRES if wc.changeover_minutes]
    assert painted, "the paint booth has sequence-dependent changeovers"
    for wc in painted:
        assert set(wc.changeover_minutes) <= set(COLOUR_CLASSES), wc.code
        for row in wc.changeover_minutes.values():
            assert set(row) <= set(COLOUR_CLASSES), wc.code
            assert all(m >= 0 for m in row.values())
    paint = CENTRES["PAINT-BOOTH"].changeover_minutes
    assert paint["light"]["dark"] < paint["dark"]["light"]
    assert paint["white"]["black"] < paint["black"]["white"]
    assert all(paint[c]["ral-custom"] >= 45 for c in COLOUR_CLASSES)


@pytest.mark.parametrize("family", PRODUCT_FAMILIES, ids=lambda f: f.code)
def test_routing_is_a_dag_over_existing_codes(family: ProductFamily) -> None:
    assert 6 <= len(family.routing) <= 10
    seen: set[str] = set()
    for step in family.routing:
        assert step.code not in seen, f"duplicate step {step.code}"
        # Every predecessor is listed earlier, so the list is a topological order.
        assert set(step.after) <= seen, f"{step.code} after {step.after}"
        assert step.work_centres, step.code
        assert set(step.work_centres) <= set(CENTRES), step.code
        assert step.setup_minutes >= 0 and step.run_minutes_per_unit > 0
        seen.add(step.code)
    assert any(len(s.after) >= 2 for s in family.routing), "branches join at assembly"
    assert any(len(s.work_centres) >= 2 for s in family.routing), "some alternatives"


@pytest.mark.parametrize("family", PRODUCT_FAMILIES, ids=lambda f: f.code)
def test_paint_steps_use_a_colour_class_option(family: ProductFamily) -> None:
    options = {o.code: o for o in family.options}
    paint_steps = [s for s in family.routing if "PAINT-BOOTH" in s.work_centres]
    assert paint_steps
    for step in paint_steps:
        assert step.setup_class_option in options
        assert set(options[step.setup_class_option].choices) <= set(COLOUR_CLASSES)


@pytest.mark.parametrize("family", PRODUCT_FAMILIES, ids=lambda f: f.code)
def test_options_and_parameters_are_well_formed(family: ProductFamily) -> None:
    assert 4 <= len(family.options) <= 8
    assert 2 <= len(family.parameters) <= 4
    for option in family.options:
        assert len(option.choices) >= 2
        assert option.default is None or option.default in option.choices
    for param in family.parameters:
        assert param.unit in ("mm", "pcs")
        assert param.minimum < param.maximum and param.step > 0
        if param.default is not None:
            family.check_spec({param.code: f"{param.default:g}"}, "default")


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
def test_every_line_passes_check_spec_and_is_complete(seed: int) -> None:
    for n, demo in enumerate(demo_orders(seed=seed)):
        assert demo.customer_code in CUSTOMER_CODES
        assert 1 <= len(demo.lines) <= 3
        assert demo.requested_in_days > 0 and demo.created_days_ago >= 0
        for i, line in enumerate(demo.lines):
            family = FAMILIES[line.product_family]
            family.check_spec(line.spec, f"order[{n}].lines[{i}]")
            expected = {o.code for o in family.options} | {p.code for p in family.parameters}
            assert set(line.spec) == expected
            assert line.quantity >= 1


@pytest.mark.parametrize("seed", [2026, 1, 99])
def test_every_path_replays_with_allowed_roles(seed: int) -> None:
    for n, demo in enumerate(demo_orders(seed=seed)):
        for action, role, reason in demo.path:
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
