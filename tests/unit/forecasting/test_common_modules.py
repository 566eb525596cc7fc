"""Common modules: the bought parts that nearly every order of a family uses, whatever
its options. Their demand is the family's forecast times the quantity per unit, and a
long-lead one is bought ahead from it (the decoupling point of a modular design)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from orderforge.domain.order import OrderState
from orderforge.forecasting.ports import LineRecord, MaterialUse, OrderRecord
from orderforge.forecasting.services import (
    COMMON_SHARE,
    MIN_ORDERS,
    ModuleUse,
    _module_view,
    common_modules,
)

AT = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


def order(number: str, *lines: tuple[str, int]) -> OrderRecord:
    return OrderRecord(
        number=number,
        customer_id=1,
        customer="C",
        state=OrderState.DELIVERED,
        created_at=AT,
        confirmed_at=AT,
        lost_at=None,
        promise_date=None,
        lines=tuple(LineRecord(family, quantity, {}, None) for family, quantity in lines),
    )


def use(number: str, item: str, quantity: str) -> MaterialUse:
    return MaterialUse(number, item, f"Item {item}", "pcs", Decimal(quantity))


def test_an_item_in_nearly_every_order_of_a_family_is_its_common_module() -> None:
    orders = [order(f"T{i}", ("TABLE", 2)) for i in range(10)]
    uses = [use(f"T{i}", "FRAME", "2") for i in range(9)]  # 9 of 10 orders: 90 %
    uses += [use(f"T{i}", "GLASS", "2") for i in range(3)]  # an option: 30 %
    found = common_modules(orders, uses)
    # 18 frames over 20 table units: 0.9 per unit, the average a forecast unit needs
    assert found == {"FRAME": [ModuleUse("TABLE", 0.9, 0.9)]}


def test_a_family_with_too_few_orders_teaches_nothing() -> None:
    orders = [order(f"T{i}", ("TABLE", 1)) for i in range(MIN_ORDERS - 1)]
    uses = [use(o.number, "FRAME", "1") for o in orders]
    assert common_modules(orders, uses) == {}


def test_orders_mixing_families_are_left_out_and_modules_can_be_shared() -> None:
    orders = [order(f"T{i}", ("TABLE", 1)) for i in range(8)]
    orders += [order(f"C{i}", ("CABINET", 1)) for i in range(8)]
    orders += [order("MIX", ("TABLE", 1), ("CABINET", 5))]
    uses = [use(o.number, "SCREWS", "4") for o in orders]
    found = common_modules(orders, uses)
    assert found == {"SCREWS": [ModuleUse("CABINET", 1.0, 4.0), ModuleUse("TABLE", 1.0, 4.0)]}


@given(
    st.integers(min_value=MIN_ORDERS, max_value=40),
    st.data(),
)
def test_common_means_used_by_at_least_the_share(orders_count: int, data: Any) -> None:
    used = data.draw(st.integers(min_value=0, max_value=orders_count))
    orders = [order(f"T{i}", ("TABLE", 1)) for i in range(orders_count)]
    uses = [use(f"T{i}", "PART", "1") for i in range(used)]
    found = common_modules(orders, uses)
    assert ("PART" in found) == (used / orders_count >= COMMON_SHARE)


def family_view(key: str, label: str, weeks: list[tuple[float, float, float]]) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "forecast": [
            {
                "week": f"2026-12-{7 + 7 * i:02d}",
                "point": point,
                "from_quotes": quotes,
                "total": point + quotes,
                "upper_80": upper,
            }
            for i, (point, upper, quotes) in enumerate(weeks)
        ],
    }


def test_the_module_forecast_is_its_families_units_times_the_quantity_per_unit() -> None:
    families = {
        "TABLE": family_view("TABLE", "Tables", [(4.0, 6.0, 1.0), (2.0, 5.0, 0.0)]),
        "CABINET": family_view("CABINET", "Cabinets", [(10.0, 14.0, 0.0), (10.0, 14.0, 0.0)]),
    }
    used = [ModuleUse("TABLE", 1.0, 2.0), ModuleUse("CABINET", 0.9, 0.5)]
    view = _module_view("LEG", used, families, {"LEG": ("Oak leg", "pcs")}, 30, 26)
    assert view["label"] == "Oak leg (LEG)" and view["unit"] == "pcs"
    assert view["long_lead"] is True  # 30 days of supplier lead, 26 from order to work
    first, second = view["forecast"]
    # open quotes count as demand: (4 + 1) x 2 + 10 x 0.5
    assert (first["point"], first["upper_80"]) == (15.0, (6.0 + 1.0) * 2 + 14.0 * 0.5)
    assert (second["point"], second["upper_80"]) == (9.0, 17.0)
    assert [f["name"] for f in view["families"]] == ["Tables", "Cabinets"]


def test_a_module_that_arrives_in_time_is_not_long_lead() -> None:
    families = {"TABLE": family_view("TABLE", "Tables", [(1.0, 2.0, 0.0)])}
    view = _module_view("LEG", [ModuleUse("TABLE", 1.0, 1.0)], families, {}, 10, 26)
    assert view["long_lead"] is False
    unknown = _module_view("LEG", [ModuleUse("TABLE", 1.0, 1.0)], families, {}, None, 26)
    assert unknown["long_lead"] is False  # no offer: nothing to buy it from
