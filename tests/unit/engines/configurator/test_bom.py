"""Configured BOM, routing and cost of the example table, checked by hand."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import pytest

from orderforge.engines.configurator import (
    Configuration,
    ConfigurationError,
    Family,
    MarginRule,
    PricingError,
    configure,
    price,
)
from orderforge.engines.configurator.examples import load_example

BOARDROOM = {
    "length": "2600",
    "cable_management": "cable-tray-and-box",
    "edge_profile": "knife-edge",
}
RATES = {
    "SAW-BEAM": "72.00",
    "CNC-5AX": "118.00",
    "CNC-NEST": "94.00",
    "EDGE-BAND": "78.00",
    "SAND-WIDE": "64.00",
    "SAND-HAND": "54.00",
    "PRESS-VEN": "76.00",
    "SOLID-MACH": "69.00",
    "PAINT-BOOTH": "92.00",
    "DRY-CURE": "16.00",
    "ASSEMBLY": "58.00",
    "QC-FINAL": "66.00",
    "PACKING": "46.00",
}


@pytest.fixture(scope="module")
def boardroom(table: Family) -> Configuration:
    return configure(table, BOARDROOM)


def totals(configuration: Configuration) -> dict[str, Decimal]:
    return {item.component: item.quantity for item in configuration.components}


def test_component_totals(boardroom: Configuration) -> None:
    # area = 2.6 * 0.9 = 2.34 m2, edge = 2 * (2.6 + 0.9) = 7 m, 2600 mm > 2400: centre legs
    assert totals(boardroom) == {
        "MDF-25": Decimal("2.5272"),  # 2.34 * 1.08
        "VENEER-OAK": Decimal("2.925"),  # 2.34 * 1.25
        "VENEER-BALANCE": Decimal("2.574"),
        "EDGE-OAK": Decimal("7.7"),
        "LEG-BLANK": Decimal(6),  # 4 legs + 2 centre legs
        "LEVELLER": Decimal(6),
        "RAIL-OAK": Decimal("6.3"),
        "FITTINGS": Decimal(1),
        "CABLE-TRAY": Decimal(3),  # ceil(2600 / 1200)
        "POWER-BOX": Decimal(1),
        "OIL-HARDWAX": Decimal("0.3808"),  # 2.34 * 0.12 + 0.1
        "CRATE": Decimal(1),
    }
    assert boardroom.computed == {
        "area": Decimal("2.34"),
        "perimeter": Decimal(7),
        "long_table": True,
        "veneered": True,
    }


def test_multi_level_bom(boardroom: Configuration) -> None:
    root = boardroom.bom
    assert [child.path for child in root.children] == ["TOP", "LEG-BASE", "CABLES"]
    top = root.children[0]
    assert [child.path for child in top.children] == ["TOP/PANEL", "TOP/EDGE-STRIPS"]
    base = root.children[1]
    legs, centre = base.children
    assert (legs.path, legs.quantity, legs.total) == ("LEG-BASE/LEGS", Decimal(4), Decimal(4))
    assert (centre.path, centre.quantity) == ("LEG-BASE/CENTRE-LEGS", Decimal(2))
    assert [line.component for line in legs.lines] == ["LEG-BLANK", "LEVELLER"]
    assert legs.lines[0].quantity == 1  # per leg; the total is in components


def test_routing_times_scale_with_module_units(boardroom: Configuration) -> None:
    ops = {op.key: op for op in boardroom.routing}
    machining = ops["LEG-BASE/LEGS/MACH"]
    assert machining.units == 4
    assert machining.setup_minutes == 30  # once
    assert machining.run_minutes == Decimal("45.6")  # (4 + 740 / 100) per leg * 4 legs
    assert ops["TOP/KNIFE"].run_minutes == 28  # knife edge chosen: 7 m * 4
    assert ops["CURE"].run_minutes == 240


def test_precedence_is_a_dag_with_sub_modules_first(boardroom: Configuration) -> None:
    ops = {op.key: op for op in boardroom.routing}
    position = {key: index for index, key in enumerate(ops)}
    for op in boardroom.routing:
        for before in op.predecessors:
            assert position[before] < position[op.key]  # listed in a topological order
    reach = {key: set(op.predecessors) for key, op in ops.items()}
    for key in ops:  # transitive closure
        for other in ops:
            if key in reach[other]:
                reach[other] |= reach[key]
    for a in ops.values():
        for b in ops.values():
            if a.module_path != b.module_path and a.module_path.startswith(
                (b.module_path + "/") if b.module_path else ""
            ):
                assert a.key in reach[b.key], f"{a.key} should precede {b.key}"
    assert ops["LEG-BASE/FRAME"].predecessors == (
        "LEG-BASE/CENTRE-LEGS/TAPER",
        "LEG-BASE/LEGS/TAPER",
    )
    assert ops["FINISH"].predecessors == ("LEG-BASE/FRAME", "TOP/SAND")


def test_left_out_operations_pass_their_predecessors_on(table: Family) -> None:
    spec = {
        "top_material": "hpl-white",
        "finish": "factory",
        "colour": "white",
        "cable_management": "grommet",
    }
    ops = {op.key: op for op in configure(table, spec).routing}
    assert "FINISH" not in ops and "CURE" not in ops
    assert ops["FIT-CABLES"].predecessors == ("LEG-BASE/FRAME", "TOP/SAND")
    assert ops["TOP/SAND"].predecessors == ("TOP/DRILL",)
    assert ops["TOP/DRILL"].predecessors == ("TOP/CNC",)  # KNIFE left out


def test_glass_table(table: Family) -> None:
    spec = {
        "top_material": "glass",
        "core": "none",
        "finish": "factory",
        "leg_style": "steel-u-frame",
        "length": 1600,
        "width": 900,
    }
    configuration = configure(table, spec)
    assert totals(configuration) == {
        "GLASS-12": Decimal("1.44"),
        "GLASS-PAD": Decimal(6),
        "STEEL-U-FRAME": Decimal(2),
        "LEVELLER": Decimal(4),
        "CRATE": Decimal(1),
    }
    assert [op.key for op in configuration.routing] == [
        "GLASS-TOP/INSPECT",
        "STEEL-BASE/INSPECT",
        "ASSY",
        "QC",
        "PACK",
    ]


def test_same_spec_same_result_even_from_a_fresh_catalogue(
    table: Family, boardroom: Configuration
) -> None:
    assert configure(table, BOARDROOM) == boardroom
    assert configure(load_example(), dict(reversed(list(BOARDROOM.items())))) == boardroom


def test_an_invalid_spec_is_not_configured(table: Family) -> None:
    with pytest.raises(ConfigurationError, match="glass tops go up to 1800 mm") as caught:
        configure(table, {"top_material": "glass", "length": 2400})
    assert caught.value.validity is not None


def test_a_negative_quantity_names_the_line(tiny: Callable[..., Family]) -> None:
    family = tiny(product={"bom": [{"component": "BOARD", "quantity": "1 - metres"}]})
    with pytest.raises(ConfigurationError, match=r"product.bom\[0\] \(BOARD\).quantity"):
        configure(family, {"length": 2000})


def test_a_formula_dividing_by_zero_names_itself(tiny: Callable[..., Family]) -> None:
    family = tiny(
        computed=[
            {"code": "metres", "formula": "length / 1000"},
            {"code": "odd", "formula": "1 / (length - 1800)"},
        ],
    )
    with pytest.raises(ConfigurationError, match="odd"):
        configure(family, {"length": 1800})


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_cost_roll_up_and_price(boardroom: Configuration) -> None:
    costing = price(boardroom, RATES, MarginRule(Decimal("0.35"), Decimal("5")))
    mdf = next(line for line in costing.materials if line.component == "MDF-25")
    assert mdf.cost == Decimal("35.89")  # 2.5272 m2 * 14.20
    cure = next(line for line in costing.labour if line.operation == "CURE")
    assert (cure.work_centre, cure.minutes) == ("DRY-CURE", Decimal(240))
    assert cure.cost == Decimal("64.00")
    legs = next(line for line in costing.labour if line.operation == "LEG-BASE/LEGS/MACH")
    assert legs.work_centre == "SOLID-MACH"  # preferred centre
    assert legs.cost == cents(Decimal("75.6") * 69 / 60)
    expected_material = sum(
        (cents(item.quantity * item.unit_cost) for item in boardroom.components), Decimal(0)
    )
    assert costing.material_cost == expected_material
    assert costing.cost == costing.material_cost + costing.labour_cost
    assert costing.price == math.ceil(costing.cost / Decimal("0.65") / 5) * 5
    assert costing.price % 5 == 0 and costing.price >= costing.cost / Decimal("0.65")


@pytest.mark.parametrize(("rounding", "expected"), [("up", 110), ("down", 100), ("nearest", 100)])
def test_price_rounding(tiny: Callable[..., Family], rounding: str, expected: int) -> None:
    family = tiny()  # 1.8 m of board at 10/m = 18.00, 15 minutes at 240/h = 60.00
    costing = price(
        configure(family, {}), {"SAW": "240"}, MarginRule(Decimal("0.25"), Decimal(10), rounding)
    )
    assert costing.cost == Decimal("78.00")  # price before rounding: 104.00
    assert costing.price == expected


def test_pricing_errors(boardroom: Configuration) -> None:
    with pytest.raises(PricingError, match="no hourly rate for work centre DRY-CURE"):
        price(
            boardroom, {k: v for k, v in RATES.items() if k != "DRY-CURE"}, MarginRule(Decimal(0))
        )
    with pytest.raises(PricingError, match="margin"):
        price(boardroom, RATES, MarginRule(Decimal(1)))
    with pytest.raises(PricingError, match="hourly rate of SAW-BEAM"):
        price(boardroom, {**RATES, "SAW-BEAM": "cheap"}, MarginRule(Decimal("0.3")))
