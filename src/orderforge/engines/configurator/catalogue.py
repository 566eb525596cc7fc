"""A product family as loaded and checked: options, parameters, rules, modules.

These dataclasses are only ever built by `load_family` (see `loader.py`), which refuses
anything inconsistent, so code that receives a `Family` can trust every reference in it:
each rule names existing options, each module use an existing module, the module graph is
acyclic and at least one valid product exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cached_property

from orderforge.engines.configurator.evaluator import Formula

__all__ = [
    "BomLine",
    "Choice",
    "Component",
    "Computed",
    "Family",
    "Module",
    "ModuleUse",
    "OperationTemplate",
    "Option",
    "Parameter",
    "Rule",
    "RuleKind",
    "WorkCentre",
]


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class Option:
    """A finite choice, e.g. the top material; `default` is a choice code or None."""

    code: str
    label: str
    choices: tuple[Choice, ...]
    default: str | None = None

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(choice.code for choice in self.choices)

    def label_of(self, code: str) -> str:
        return next(choice.label for choice in self.choices if choice.code == code)


@dataclass(frozen=True)
class Parameter:
    """A number with a unit on a grid: minimum, minimum + step, ..., maximum.

    The solver works with the grid index k (value = minimum + k * step), so a parameter
    is an integer variable 0..count-1 however fine its step.
    """

    code: str
    label: str
    unit: str
    minimum: Decimal
    maximum: Decimal
    step: Decimal
    default: Decimal | None = None

    @property
    def count(self) -> int:
        """How many values the grid has."""
        return int((self.maximum - self.minimum) / self.step) + 1

    def value_at(self, index: int) -> Decimal:
        return self.minimum + self.step * index

    def fraction_at(self, index: int) -> Fraction:
        return Fraction(self.minimum) + Fraction(self.step) * index

    def index_of(self, value: Decimal) -> int | None:
        """The grid index of `value`, or None if it is off the grid or out of range."""
        if not self.minimum <= value <= self.maximum:
            return None
        steps = (value - self.minimum) / self.step
        return int(steps) if steps == steps.to_integral_value() else None

    def show(self, value: Decimal) -> str:
        """A value as people read it: "2400 mm"."""
        text = format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
        return f"{text} {self.unit}".strip()


@dataclass(frozen=True)
class Computed:
    """A named formula of the spec (area = length * width / 1e6), usable everywhere."""

    code: str
    label: str
    unit: str
    formula: Formula


class RuleKind(StrEnum):
    CONSTRAINT = "constraint"
    REQUIRES = "requires"
    EXCLUDES = "excludes"
    RANGE = "range"


@dataclass(frozen=True)
class Rule:
    """A configuration rule; `condition` is what must hold, `message` says why in words.

    `names` are the options and parameters the rule depends on, through computed values
    too, so the domain search knows which rules a change can break.
    """

    id: str
    kind: RuleKind
    condition: Formula
    message: str
    names: frozenset[str]


@dataclass(frozen=True, slots=True)
class Component:
    """A purchased or stocked item with its unit and cost per unit (money as Decimal)."""

    code: str
    name: str
    unit: str
    unit_cost: Decimal


@dataclass(frozen=True, slots=True)
class WorkCentre:
    code: str
    name: str


@dataclass(frozen=True)
class BomLine:
    """`quantity` of `component` per unit of the module, if `when` holds."""

    component: str
    quantity: Formula
    when: Formula | None = None


@dataclass(frozen=True)
class OperationTemplate:
    """One routing step of a module: setup once, run per unit of the module.

    `work_centres` lists eligible centres, preferred first; `after` names operations of
    the same module that must finish first.
    """

    code: str
    name: str
    work_centres: tuple[str, ...]
    setup_minutes: Formula
    run_minutes: Formula
    after: tuple[str, ...] = ()
    when: Formula | None = None


@dataclass(frozen=True)
class ModuleUse:
    """A sub-module inside a module: `quantity` units of `module`, if `when` holds."""

    name: str
    module: str
    quantity: Formula
    when: Formula | None = None


@dataclass(frozen=True)
class Module:
    """A reusable sub-assembly: its own BOM lines, operations and sub-modules."""

    code: str
    name: str
    bom: tuple[BomLine, ...] = ()
    operations: tuple[OperationTemplate, ...] = ()
    uses: tuple[ModuleUse, ...] = ()


@dataclass(frozen=True, eq=False)
class Family:
    """A loaded product family; compared by identity because it is large and immutable.

    `product` is the root module (final assembly); `modules` the library it draws from.
    """

    code: str
    name: str
    version: str
    description: str
    options: tuple[Option, ...]
    parameters: tuple[Parameter, ...]
    computed: tuple[Computed, ...]
    rules: tuple[Rule, ...]
    components: tuple[Component, ...]
    work_centres: tuple[WorkCentre, ...]
    modules: tuple[Module, ...]
    product: Module
    #: Who must approve a design revision of this product before it is made, from the
    #: catalogue's `design.approvals` (customer, engineering, quality). A regulated product
    #: asks for all three; most ask the customer only.
    design_approvals: tuple[str, ...] = ("customer",)
    #: Whether a prototype work order must pass its inspection before an order of this
    #: product is released (`design.prototype`): what a machine builder or a medical
    #: device maker asks before building the customer's units.
    prototype_required: bool = False

    @cached_property
    def option_by_code(self) -> dict[str, Option]:
        return {option.code: option for option in self.options}

    @cached_property
    def parameter_by_code(self) -> dict[str, Parameter]:
        return {parameter.code: parameter for parameter in self.parameters}

    @cached_property
    def module_by_code(self) -> dict[str, Module]:
        return {module.code: module for module in self.modules}

    @cached_property
    def component_by_code(self) -> dict[str, Component]:
        return {component.code: component for component in self.components}

    @cached_property
    def rules_by_name(self) -> dict[str, tuple[Rule, ...]]:
        """Option/parameter code -> the rules that read it (directly or via computed)."""
        found: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for name in rule.names:
                found.setdefault(name, []).append(rule)
        return {name: tuple(rules) for name, rules in found.items()}

    @cached_property
    def computed_depending_on(self) -> dict[str, tuple[Computed, ...]]:
        """Option/parameter code -> computed values that read it, in evaluation order."""
        reads: dict[str, set[str]] = {}
        for item in self.computed:  # in dependency order
            names: set[str] = set()
            for name in item.formula.names:
                names |= reads.get(name, {name})
            reads[item.code] = names
        return {
            name: tuple(c for c in self.computed if name in reads[c.code])
            for name in (*self.option_by_code, *self.parameter_by_code)
        }

    def label(self, name: str) -> str:
        """Label of an option or parameter, for messages."""
        if name in self.option_by_code:
            return self.option_by_code[name].label
        return self.parameter_by_code[name].label
