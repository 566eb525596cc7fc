"""Quantities typed by people: "1800", 1800, "1800 mm", "180 cm" or "1.8 m".

Lengths (mm, cm, m), masses (g, kg) and durations (min, h) convert exactly within their
dimension, because a customer who types "1.8 m" for a table measured in millimetres means
1800 mm. Any other unit must match the parameter's unit exactly. Conversion is exact
(Decimal times a power of ten or sixty), so no value drifts off its step by rounding.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

__all__ = ["QuantityError", "convert", "read_quantity"]

_FACTORS: Final[dict[str, tuple[str, Decimal]]] = {
    "mm": ("length", Decimal(1)),
    "cm": ("length", Decimal(10)),
    "m": ("length", Decimal(1000)),
    "g": ("mass", Decimal(1)),
    "kg": ("mass", Decimal(1000)),
    "min": ("time", Decimal(1)),
    "h": ("time", Decimal(60)),
}
_QUANTITY = re.compile(
    r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([^\s\d.+-]\S*)?\s*$"
)


class QuantityError(ValueError):
    """The text is not a number, or its unit does not fit."""


def convert(value: Decimal, unit: str, target: str) -> Decimal:
    """Convert between units of one dimension; raises QuantityError otherwise."""
    if unit == target:
        return value
    source, wanted = _FACTORS.get(unit), _FACTORS.get(target)
    if source is None or wanted is None or source[0] != wanted[0]:
        raise QuantityError(f"is in {unit}, which does not convert to {target}")
    return value * source[1] / wanted[1]


def read_quantity(raw: object, unit: str) -> Decimal:
    """Read a number with an optional unit and return it in `unit`."""
    if isinstance(raw, bool):
        raise QuantityError("must be a number, not true/false")
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
        given = unit
    elif isinstance(raw, float):
        number = Decimal(repr(raw))
        given = unit
    elif isinstance(raw, str):
        match = _QUANTITY.match(raw)
        if match is None:
            raise QuantityError(f"'{raw}' is not a number (with an optional unit)")
        try:
            number = Decimal(match.group(1))
        except InvalidOperation:
            raise QuantityError(f"'{raw}' is not a number") from None
        given = match.group(2) or unit
    else:
        raise QuantityError(f"must be a number, not {type(raw).__name__}")
    if not number.is_finite():
        raise QuantityError("must be a finite number")
    return convert(number, given, unit)
