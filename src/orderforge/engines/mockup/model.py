"""What a mock-up is drawn from: the configured product in words and numbers.

Plain data, so the engine never needs the catalogue: the caller (a service) looks up the
labels and units once and hands them over with the chosen codes. The codes decide the
shapes (a `tapered` leg is drawn tapered); the labels are what the customer reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

#: Length units the drawing understands, in millimetres; a length in another unit (or
#: none) is drawn as if it were millimetres and labelled as given.
MM_PER_UNIT: dict[str, Decimal] = {
    "mm": Decimal(1),
    "cm": Decimal(10),
    "dm": Decimal(100),
    "m": Decimal(1000),
    "in": Decimal("25.4"),
}


@dataclass(frozen=True)
class Choice:
    """One chosen option: `code` as stored, `label` the choice in words, `option_label`
    what the option is called ("Wood species")."""

    code: str
    label: str
    option_label: str


@dataclass(frozen=True)
class Measure:
    """One parameter: its value, unit ("mm", "pcs") and name in words."""

    value: Decimal
    unit: str
    label: str


@dataclass(frozen=True)
class MockupInput:
    """A configured product: family code and name, the options and parameters by code
    (in the order the legend lists them) and the quantity ordered."""

    family: str
    family_name: str
    options: Mapping[str, Choice] = field(default_factory=dict)
    parameters: Mapping[str, Measure] = field(default_factory=dict)
    quantity: int = 1


class Spec:
    """Read access to a `MockupInput` the way a family drawing needs it: codes with a
    fallback, lengths in millimetres, counts as whole numbers."""

    def __init__(self, source: MockupInput) -> None:
        self.source = source

    def code(self, option: str, default: str = "") -> str:
        choice = self.source.options.get(option)
        return choice.code if choice is not None else default

    def choice(self, option: str) -> Choice | None:
        return self.source.options.get(option)

    def has(self, *names: str) -> bool:
        return all(self.mm(name) is not None for name in names)

    def mm(self, name: str) -> float | None:
        """A length parameter in millimetres; None when absent or not a positive number."""
        measure = self.source.parameters.get(name)
        if measure is None or not measure.value.is_finite() or measure.value <= 0:
            return None
        factor = MM_PER_UNIT.get(measure.unit.strip().lower(), Decimal(1))
        return float(measure.value * factor)

    def length(self, name: str, default: float) -> float:
        found = self.mm(name)
        return default if found is None else found

    def count(self, name: str, default: int = 0, limit: int = 50) -> int:
        """A count parameter (shelves, drawers), clamped to 0..limit."""
        measure = self.source.parameters.get(name)
        if measure is None or not measure.value.is_finite():
            return default
        return max(0, min(limit, int(measure.value)))
