"""Exact evaluation of parsed formulas: the ground truth of what a rule means.

Numbers are `Fraction`s, so `length / 3 * 3 = length` holds exactly and the CP-SAT
model (which scales everything to integers) and this evaluator can never disagree about
rounding. Each tree is compiled once into nested closures, which is several times faster
than walking the tree on every call; the domain search calls rules thousands of times.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from orderforge.engines.configurator.expression import (
    Arith,
    Call,
    Compare,
    Flag,
    Logic,
    Member,
    Name,
    Neg,
    Node,
    Not,
    Num,
    Text,
)
from orderforge.engines.configurator.value_types import Kind

__all__ = [
    "Env",
    "EvaluationError",
    "Formula",
    "Value",
    "apply_function",
    "compile_node",
    "decimal_of",
    "round_half_up",
]

Value = Fraction | str | bool
Env = Mapping[str, Value]
Compiled = Callable[[Env], Value]
_HALF = Fraction(1, 2)


class EvaluationError(ValueError):
    """A formula that cannot be computed for these values (division by zero)."""


@dataclass(frozen=True, eq=False)
class Formula:
    """A checked formula: its source text, tree, type and the names it reads."""

    text: str
    tree: Node
    kind: Kind
    names: frozenset[str]
    run: Compiled = field(repr=False)

    def evaluate(self, env: Env) -> Value:
        """Value of the formula for `env`; raises EvaluationError naming the formula."""
        try:
            return self.run(env)
        except ZeroDivisionError:
            raise EvaluationError(f"`{self.text}` divides by zero for these values") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Formula) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def decimal_of(value: Fraction, places: int) -> Decimal:
    """Round half up to `places` decimals; no trailing zeros, no exponent notation."""
    result = Decimal(math.floor(value * 10**places + _HALF)).scaleb(-places).normalize()
    exponent = result.as_tuple().exponent
    return result.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else result


def round_half_up(value: Fraction, digits: int = 0) -> Fraction:
    """Round halves towards +infinity: the same rule the CP-SAT model encodes."""
    scale = 10**digits
    return Fraction(math.floor(value * scale + _HALF), scale)


def compile_node(node: Node) -> Compiled:
    """Turn a (type-checked) tree into a closure reading its names from an Env."""
    if isinstance(node, Num | Text | Flag):
        constant: Value = node.value
        return lambda env: constant
    if isinstance(node, Name):
        key = node.name
        return lambda env: env[key]
    if isinstance(node, Neg):
        inner = compile_node(node.operand)
        return lambda env: -_num(inner(env))
    if isinstance(node, Arith):
        return _arith(node)
    if isinstance(node, Compare):
        return _compare(node)
    if isinstance(node, Member):
        return _member(node)
    if isinstance(node, Call):
        return _call(node)
    if isinstance(node, Logic):
        return _logic(node)
    assert isinstance(node, Not)
    operand = compile_node(node.operand)
    return lambda env: not operand(env)


def _num(value: Value) -> Fraction:
    assert isinstance(value, Fraction), value
    return value


def _arith(node: Arith) -> Compiled:
    left, right = compile_node(node.left), compile_node(node.right)
    if node.op == "+":
        return lambda env: _num(left(env)) + _num(right(env))
    if node.op == "-":
        return lambda env: _num(left(env)) - _num(right(env))
    if node.op == "*":
        return lambda env: _num(left(env)) * _num(right(env))
    return lambda env: _num(left(env)) / _num(right(env))


def _compare(node: Compare) -> Compiled:
    left, right = compile_node(node.left), compile_node(node.right)
    op = node.op
    if op == "=":
        return lambda env: left(env) == right(env)
    if op == "!=":
        return lambda env: left(env) != right(env)
    if op == "<":
        return lambda env: _num(left(env)) < _num(right(env))
    if op == "<=":
        return lambda env: _num(left(env)) <= _num(right(env))
    if op == ">":
        return lambda env: _num(left(env)) > _num(right(env))
    return lambda env: _num(left(env)) >= _num(right(env))


def _member(node: Member) -> Compiled:
    item = compile_node(node.item)
    options = [compile_node(option) for option in node.options]
    if all(isinstance(option, Num | Text) for option in node.options):
        fixed = frozenset(option(dict()) for option in options)
        if node.negated:
            return lambda env: item(env) not in fixed
        return lambda env: item(env) in fixed
    negated = node.negated

    def member(env: Env) -> Value:
        value = item(env)
        return any(option(env) == value for option in options) != negated

    return member


def apply_function(name: str, args: list[Fraction]) -> Fraction:
    """min, max, ceil, floor, abs, round(x[, digits]) on exact numbers."""
    if name == "min":
        return min(args)
    if name == "max":
        return max(args)
    if name == "ceil":
        return Fraction(math.ceil(args[0]))
    if name == "floor":
        return Fraction(math.floor(args[0]))
    if name == "abs":
        return abs(args[0])
    return round_half_up(args[0], int(args[1]) if len(args) == 2 else 0)


def _call(node: Call) -> Compiled:
    args = [compile_node(arg) for arg in node.args]
    name = node.function
    return lambda env: apply_function(name, [_num(arg(env)) for arg in args])


def _logic(node: Logic) -> Compiled:
    operands = [compile_node(operand) for operand in node.operands]
    if node.op == "and":
        return lambda env: all(operand(env) for operand in operands)
    return lambda env: any(operand(env) for operand in operands)
