"""The numeric half of the family's CP-SAT model: variables and exact arithmetic.

One Boolean per option choice, one integer per parameter (its grid index).

Numbers are exact: every numeric formula becomes an integer linear expression `e` and a
positive integer `scale` with value = e / scale, so `length * width / 1e6 <= 2.5` is
decided on integers with no rounding, exactly as the Fraction evaluator decides it.
Parameters are grid indices k (value = minimum + step * k). Truth values and rules are
added by `FamilyModel` in `family_model.py`.

Not supported inside rules (refused at load, with the rule named): division by anything
but a constant. Multiply instead: `length <= 2 * width`, not `length / width <= 2`.
"""

from __future__ import annotations

import math
from fractions import Fraction

from ortools.sat.python import cp_model
from ortools.sat.python import cp_model_helper as cmh

from orderforge.engines.configurator.catalogue import Family
from orderforge.engines.configurator.expression import Arith, Call, Name, Neg, Node, Num
from orderforge.engines.configurator.value_types import Kind

__all__ = ["Literal", "NumericModel", "Scaled", "Unsupported"]

Literal = cmh.Literal
LIMIT = 2**53


class Unsupported(Exception):
    """A formula the solver model cannot represent exactly."""


class Scaled:
    """An exact number: (sum coef * var + const) / scale, with scale > 0."""

    __slots__ = ("const", "scale", "terms")

    def __init__(self, terms: dict[int, int], const: int, scale: int) -> None:
        self.terms = {var: coef for var, coef in terms.items() if coef}
        self.const = const
        self.scale = scale

    def times(self, factor: int) -> Scaled:
        return Scaled(
            {v: c * factor for v, c in self.terms.items()}, self.const * factor, self.scale
        )

    def rescaled(self, scale: int) -> Scaled:
        """The same number over a multiple of the current scale."""
        factor = scale // self.scale
        return Scaled({v: c * factor for v, c in self.terms.items()}, self.const * factor, scale)


class NumericModel:
    """Variables of the family and exact numeric formulas over them."""

    def __init__(self, family: Family) -> None:
        self.family = family
        self.model = cp_model.CpModel()
        self.variables: list[cp_model.IntVar] = []
        self.bounds: list[tuple[int, int]] = []
        self.choices: dict[str, dict[str, cp_model.IntVar]] = {}
        self.indices: dict[str, cp_model.IntVar] = {}
        self.positions: dict[str, int] = {}
        self.true = self.model.new_constant(1)
        self._computed: dict[str, Scaled | Literal] = {}
        self._formulas = {c.code: c.formula for c in family.computed}
        self._declare()

    def _new_int(self, low: int, high: int, name: str) -> cp_model.IntVar:
        if max(abs(low), abs(high)) > LIMIT:
            raise Unsupported("numbers grow too large for the solver")
        var = self.model.new_int_var(low, high, name)
        self.variables.append(var)
        self.bounds.append((low, high))
        return var

    def _declare(self) -> None:
        for option in self.family.options:
            lits = {code: self._new_int(0, 1, f"{option.code}={code}") for code in option.codes}
            self.choices[option.code] = lits
            self.model.add_exactly_one(lits.values())
        for parameter in self.family.parameters:
            self.positions[parameter.code] = len(self.variables)
            self.indices[parameter.code] = self._new_int(0, parameter.count - 1, parameter.code)

    def boolean(self, node: Node) -> Literal:
        """A literal equivalent to the truth-valued formula (see FamilyModel)."""
        raise NotImplementedError

    # -- numbers -------------------------------------------------------------------

    def bounds_of(self, value: Scaled) -> tuple[int, int]:
        low = high = value.const
        for var, coef in value.terms.items():
            a, b = self.bounds[var]
            low += min(coef * a, coef * b)
            high += max(coef * a, coef * b)
        return low, high

    def expr(self, value: Scaled) -> cp_model.LinearExprT:
        if not value.terms:
            return value.const
        variables = [self.variables[var] for var in value.terms]
        return cmh.LinearExpr.weighted_sum(variables, list(value.terms.values())) + value.const

    def _var_of(self, value: Scaled, name: str) -> Scaled:
        """The numerator as one fresh variable (for products, min/max, rounding)."""
        if len(value.terms) == 1 and value.const == 0 and next(iter(value.terms.values())) == 1:
            return value
        low, high = self.bounds_of(value)
        var = self._new_int(low, high, name)
        self.model.add(var == self.expr(value))
        return Scaled({len(self.variables) - 1: 1}, 0, value.scale)

    def number(self, node: Node) -> Scaled:
        if isinstance(node, Num):
            return Scaled({}, node.value.numerator, node.value.denominator)
        if isinstance(node, Name):
            return self._number_name(node.name)
        if isinstance(node, Neg):
            return self.number(node.operand).times(-1)
        if isinstance(node, Arith):
            return self._arith(node)
        if isinstance(node, Call):
            return self._call(node)
        raise Unsupported(f"a number was expected at column {node.pos + 1}")

    def _number_name(self, name: str) -> Scaled:
        if name in self._formulas:
            found = self._computed_value(name)
            assert isinstance(found, Scaled)
            return found
        parameter = self.family.parameter_by_code[name]
        low, step = Fraction(parameter.minimum), Fraction(parameter.step)
        scale = math.lcm(low.denominator, step.denominator)
        return Scaled({self.positions[name]: int(step * scale)}, int(low * scale), scale)

    def _computed_value(self, name: str) -> Scaled | Literal:
        if name not in self._computed:
            formula = self._formulas[name]
            if formula.kind is Kind.NUMBER:
                self._computed[name] = self.number(formula.tree)
            else:
                self._computed[name] = self.boolean(formula.tree)
        return self._computed[name]

    def _arith(self, node: Arith) -> Scaled:
        left, right = self.number(node.left), self.number(node.right)
        if node.op in "+-":
            scale = math.lcm(left.scale, right.scale)
            a, b = left.rescaled(scale), right.rescaled(scale)
            sign = 1 if node.op == "+" else -1
            terms = dict(a.terms)
            for var, coef in b.terms.items():
                terms[var] = terms.get(var, 0) + sign * coef
            return Scaled(terms, a.const + sign * b.const, scale)
        if node.op == "/":
            if right.terms:
                raise Unsupported("division by a value that depends on the spec; multiply instead")
            if right.const == 0:
                raise Unsupported("division by zero")
            sign = 1 if right.const > 0 else -1
            result = left.times(right.scale * sign)
            return Scaled(result.terms, result.const, left.scale * abs(right.const))
        if not left.terms or not right.terms:
            constant, other = (left, right) if not left.terms else (right, left)
            scaled = other.times(constant.const)
            return Scaled(scaled.terms, scaled.const, other.scale * constant.scale)
        return self._product(left, right)

    def _product(self, left: Scaled, right: Scaled) -> Scaled:
        a, b = self._var_of(left, "factor"), self._var_of(right, "factor")
        (la, ha), (lb, hb) = self.bounds_of(a), self.bounds_of(b)
        corners = (la * lb, la * hb, ha * lb, ha * hb)
        product = self._new_int(min(corners), max(corners), "product")
        self.model.add_multiplication_equality(product, [self.expr(a), self.expr(b)])
        return Scaled({len(self.variables) - 1: 1}, 0, a.scale * b.scale)

    def _call(self, node: Call) -> Scaled:
        args = [self.number(arg) for arg in node.args]
        if node.function in ("min", "max"):
            scale = math.lcm(*(arg.scale for arg in args))
            aligned = [arg.rescaled(scale) for arg in args]
            ranges = [self.bounds_of(arg) for arg in aligned]
            pick = min if node.function == "min" else max
            low, high = pick(r[0] for r in ranges), pick(r[1] for r in ranges)
            target = self._new_int(low, high, node.function)
            exprs = [self.expr(arg) for arg in aligned]
            if node.function == "min":
                self.model.add_min_equality(target, exprs)
            else:
                self.model.add_max_equality(target, exprs)
            return Scaled({len(self.variables) - 1: 1}, 0, scale)
        value = args[0]
        if node.function == "abs":
            low, high = self.bounds_of(value)
            target = self._new_int(0, max(abs(low), abs(high)), "abs")
            self.model.add_abs_equality(target, self.expr(value))
            return Scaled({len(self.variables) - 1: 1}, 0, value.scale)
        if node.function == "round":
            digits = 10 ** int(args[1].const) if len(args) == 2 else 1
            shifted = Scaled(
                value.times(2 * digits).terms,
                value.const * 2 * digits + value.scale,
                2 * value.scale,
            )
            rounded = self._floor(shifted)
            return Scaled(rounded.terms, rounded.const, digits)
        return self._floor(value) if node.function == "floor" else self._ceil(value)

    def _floor(self, value: Scaled) -> Scaled:
        """q = floor(e / s) as s*q <= e <= s*q + s - 1."""
        if value.scale == 1:
            return value
        low, high = self.bounds_of(value)
        quotient = self._new_int(low // value.scale, high // value.scale, "floor")
        self.model.add(value.scale * quotient <= self.expr(value))
        self.model.add(self.expr(value) <= value.scale * quotient + value.scale - 1)
        return Scaled({len(self.variables) - 1: 1}, 0, 1)

    def _ceil(self, value: Scaled) -> Scaled:
        return self._floor(value.times(-1)).times(-1)

    def constant(self, truth: bool) -> Literal:
        return self.true if truth else ~self.true
