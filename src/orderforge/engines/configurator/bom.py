"""`configure`: a valid spec -> the configured multi-level BOM and routing, as plain data.

The product module is exploded depth-first: each module use whose `when` holds becomes a
module instance with a path ("BASE/LEG"), its BOM lines and operations evaluated from the
spec. Everything is computed exactly (Fractions) and rounded once, at the output
(quantities to 4 decimals, minutes to 2), so the result is deterministic for a given
spec and catalogue version. Precedence is a DAG: within a module the `after` lists; across
modules, every sub-module's last operations come before its parent's first operations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from orderforge.engines.configurator.catalogue import Family, Module
from orderforge.engines.configurator.errors import ConfigurationError
from orderforge.engines.configurator.evaluator import EvaluationError, Formula, Value, decimal_of
from orderforge.engines.configurator.routing import RoutedOperation, route_module
from orderforge.engines.configurator.spec import environment, read_spec, with_defaults
from orderforge.engines.configurator.validity import check_spec, plain_spec

__all__ = ["BomItem", "BomNode", "Configuration", "RoutedOperation", "configure", "decimal_of"]

QUANTITY_PLACES = 4


@dataclass(frozen=True, slots=True)
class BomItem:
    """A component line: `quantity` per unit of the module (or per product in totals)."""

    component: str
    name: str
    quantity: Decimal
    unit: str
    unit_cost: Decimal


@dataclass(frozen=True)
class BomNode:
    """A module instance: `quantity` per unit of its parent, `total` per product."""

    path: str
    module: str
    name: str
    quantity: Decimal
    total: Decimal
    lines: tuple[BomItem, ...]
    children: tuple[BomNode, ...]


@dataclass(frozen=True)
class Configuration:
    """What one unit of the configured product is made of, and how it is made."""

    family: str
    version: str
    spec: dict[str, str | Decimal]
    computed: dict[str, Decimal | bool]
    bom: BomNode
    components: tuple[BomItem, ...]
    routing: tuple[RoutedOperation, ...]


def configure(family: Family, spec: Mapping[str, object]) -> Configuration:
    """Explode a valid spec; ConfigurationError if it is invalid or a formula fails."""
    validity = check_spec(family, spec)
    if not validity.valid:
        reasons = [c.message for c in validity.conflicts]
        if validity.missing:
            reasons.append(f"no value and no default for: {', '.join(validity.missing)}")
        raise ConfigurationError(
            f"{family.name}: the spec is not valid. " + " ".join(reasons), validity
        )
    full, _ = with_defaults(family, read_spec(family, spec))
    env, failed = environment(family, full)
    if failed:
        name, why = next(iter(failed.items()))
        raise ConfigurationError(f"computed value '{name}' cannot be computed: {why}")
    totals: dict[str, Fraction] = {}
    routing: list[RoutedOperation] = []
    explode = _Exploder(family, env, totals, routing).explode
    root, _ = explode(family.product, "", Fraction(1), Fraction(1))
    components = tuple(
        _item(family, code, totals[code]) for code in sorted(totals) if totals[code] != 0
    )
    computed: dict[str, Decimal | bool] = {}
    for item in family.computed:
        value = env[item.code]
        computed[item.code] = value if isinstance(value, bool) else decimal_of(_number(value), 6)
    return Configuration(
        family.code,
        family.version,
        plain_spec(family, full),
        computed,
        root,
        components,
        tuple(routing),
    )


def _number(value: Value) -> Fraction:
    assert isinstance(value, Fraction)
    return value


def _item(family: Family, code: str, quantity: Fraction) -> BomItem:
    component = family.component_by_code[code]
    return BomItem(
        code,
        component.name,
        decimal_of(quantity, QUANTITY_PLACES),
        component.unit,
        component.unit_cost,
    )


class _Exploder:
    def __init__(
        self,
        family: Family,
        env: Mapping[str, Value],
        totals: dict[str, Fraction],
        routing: list[RoutedOperation],
    ) -> None:
        self.family = family
        self.env = env
        self.totals = totals
        self.routing = routing

    def value(self, formula: Formula, where: str) -> Value:
        try:
            return formula.evaluate(self.env)
        except EvaluationError as error:
            raise ConfigurationError(f"{where}: {error}") from None

    def applies(self, when: Formula | None, where: str) -> bool:
        return when is None or self.value(when, f"{where}.when") is True

    def amount(self, formula: Formula, where: str) -> Fraction:
        found = _number(self.value(formula, where))
        if found < 0:
            raise ConfigurationError(f"{where}: `{formula.text}` is negative ({float(found):g})")
        return found

    def explode(
        self, module: Module, path: str, per_parent: Fraction, total: Fraction
    ) -> tuple[BomNode, tuple[str, ...]]:
        """The BOM node of one module instance and the keys of its last operations."""
        where = f"module '{module.code}'" if path else "product"
        children: list[BomNode] = []
        child_exits: list[str] = []
        for use in module.uses:
            place = f"{where}.uses '{use.name}'"
            if not self.applies(use.when, place):
                continue
            quantity = self.amount(use.quantity, f"{place}.quantity")
            if quantity == 0:
                continue
            child_path = f"{path}/{use.name}" if path else use.name
            child = self.family.module_by_code[use.module]
            node, exits = self.explode(child, child_path, quantity, total * quantity)
            children.append(node)
            child_exits += exits
        lines = self._lines(module, where, total)
        times: dict[str, tuple[Fraction, Fraction]] = {}
        for op in module.operations:
            place = f"{where}.operation '{op.code}'"
            if self.applies(op.when, place):
                setup = self.amount(op.setup_minutes, f"{place}.setup")
                times[op.code] = (setup, self.amount(op.run_minutes, f"{place}.run"))
        own = route_module(module, path, times, total, tuple(child_exits))
        self.routing.extend(own.operations)
        node = BomNode(
            path or module.code,
            module.code,
            module.name,
            decimal_of(per_parent, QUANTITY_PLACES),
            decimal_of(total, QUANTITY_PLACES),
            tuple(lines),
            tuple(children),
        )
        return node, own.exits if own.operations else tuple(child_exits)

    def _lines(self, module: Module, where: str, total: Fraction) -> list[BomItem]:
        lines: list[BomItem] = []
        for index, line in enumerate(module.bom):
            place = f"{where}.bom[{index}] ({line.component})"
            if not self.applies(line.when, place):
                continue
            quantity = self.amount(line.quantity, f"{place}.quantity")
            if quantity == 0:
                continue
            self.totals[line.component] = (
                self.totals.get(line.component, Fraction(0)) + quantity * total
            )
            lines.append(_item(self.family, line.component, quantity))
        return lines
