"""Cost roll-up and price of a configuration: materials + minutes x hourly rates + margin.

Money is Decimal throughout. Each line is rounded to cents (half up) and totals are the
sums of the printed lines, so a quote adds up when a person checks it. Labour is costed
on each operation's preferred (first) work centre; rates are input data (they change
more often than catalogues), given per work centre per hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from orderforge.engines.configurator.bom import Configuration

__all__ = ["Costing", "LabourCost", "MarginRule", "MaterialCost", "PricingError", "price"]

CENT = Decimal("0.01")
_MODES = {"up": ROUND_CEILING, "down": ROUND_FLOOR, "nearest": ROUND_HALF_UP}


class PricingError(ValueError):
    """A missing or bad rate, or a margin rule that cannot produce a price."""


@dataclass(frozen=True, slots=True)
class MarginRule:
    """price = cost / (1 - margin), rounded to a multiple of `step` ("up", "down", "nearest")."""

    margin: Decimal
    step: Decimal = Decimal("1")
    rounding: str = "up"


@dataclass(frozen=True, slots=True)
class MaterialCost:
    component: str
    quantity: Decimal
    unit: str
    unit_cost: Decimal
    cost: Decimal


@dataclass(frozen=True, slots=True)
class LabourCost:
    operation: str
    work_centre: str
    minutes: Decimal
    hourly_rate: Decimal
    cost: Decimal


@dataclass(frozen=True)
class Costing:
    """The cost lines, their sums and the price after the margin rule."""

    materials: tuple[MaterialCost, ...]
    labour: tuple[LabourCost, ...]
    material_cost: Decimal
    labour_cost: Decimal
    cost: Decimal
    price: Decimal
    margin: Decimal


def price(
    configuration: Configuration, rates: Mapping[str, object], margin_rule: MarginRule
) -> Costing:
    """Roll up material and labour cost and apply the margin rule."""
    _check_rule(margin_rule)
    materials = tuple(
        MaterialCost(
            item.component,
            item.quantity,
            item.unit,
            item.unit_cost,
            (item.quantity * item.unit_cost).quantize(CENT, ROUND_HALF_UP),
        )
        for item in configuration.components
    )
    labour: list[LabourCost] = []
    for op in configuration.routing:
        centre = op.work_centres[0]
        rate = _rate(rates, centre, op.key)
        minutes = op.setup_minutes + op.run_minutes
        cost = (minutes * rate / 60).quantize(CENT, ROUND_HALF_UP)
        labour.append(LabourCost(op.key, centre, minutes, rate, cost))
    material_cost = sum((m.cost for m in materials), Decimal(0))
    labour_cost = sum((line.cost for line in labour), Decimal(0))
    cost = material_cost + labour_cost
    raw = cost / (1 - margin_rule.margin)
    steps = (raw / margin_rule.step).quantize(Decimal(1), _MODES[margin_rule.rounding])
    return Costing(
        materials,
        tuple(labour),
        material_cost,
        labour_cost,
        cost,
        steps * margin_rule.step,
        margin_rule.margin,
    )


def _check_rule(rule: MarginRule) -> None:
    if not isinstance(rule.margin, Decimal) or not Decimal(0) <= rule.margin < 1:
        raise PricingError(
            f"margin must be a Decimal from 0 up to (not including) 1, not {rule.margin!r}"
        )
    if not isinstance(rule.step, Decimal) or rule.step <= 0:
        raise PricingError(f"the price step must be a positive Decimal, not {rule.step!r}")
    if rule.rounding not in _MODES:
        raise PricingError(f"rounding must be one of {', '.join(_MODES)}, not {rule.rounding!r}")


def _rate(rates: Mapping[str, object], centre: str, operation: str) -> Decimal:
    if centre not in rates:
        raise PricingError(f"no hourly rate for work centre {centre} (needed by {operation})")
    raw = rates[centre]
    try:
        rate = Decimal(str(raw)) if isinstance(raw, str | int | Decimal) else None
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate < 0:
        raise PricingError(f"hourly rate of {centre} must be a non-negative amount, not {raw!r}")
    return rate
