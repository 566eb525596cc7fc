"""Widening one valid product into many: which other values of one variable keep it valid.

Given a full valid assignment (a witness) and one option or parameter, every value that
can replace the witness's value without breaking a rule is possible too. For options this
is checked by evaluating the rules that read the option. For parameters the rules are
solved symbolically in the grid index k: with everything else fixed, most formulas are
affine in k (a + b*k), so `length <= 1800` or `length * width / 1e6 <= 2.5` becomes a range
of k at once instead of 221 checks. Formulas that are not affine in k (k*k, floor(k/3))
fall back to checking each remaining value. Results are exact (Fractions), and only ever
claim values for which a valid product has just been shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from orderforge.engines.configurator.catalogue import Family, Parameter
from orderforge.engines.configurator.evaluator import EvaluationError, Value, apply_function
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
from orderforge.engines.configurator.grid_set import GridSet

__all__ = ["other_choices", "other_values"]

#: Values checked one by one for a rule that is not affine in the parameter.
MAX_CHECKED = 20_000


class _NonAffine(Exception):
    """The formula is not affine in k; check value by value instead."""


class _Affine:
    """The number a + b * k (b != 0)."""

    __slots__ = ("a", "b")

    def __init__(self, a: Fraction, b: Fraction) -> None:
        self.a = a
        self.b = b


_Sym = Value | _Affine | GridSet


def other_choices(
    family: Family, env: dict[str, Value], option: str, choices: set[str]
) -> set[str]:
    """The choices among `choices` that keep every rule reading `option` true."""
    rules = family.rules_by_name.get(option, ())
    keep: set[str] = set()
    for choice in choices:
        trial = _changed(family, env, option, choice)
        if trial is not None and all(rule.condition.run(trial) for rule in rules):
            keep.add(choice)
    return keep


def other_values(family: Family, env: dict[str, Value], name: str, candidates: GridSet) -> GridSet:
    """The grid indices among `candidates` that keep every rule reading `name` true.

    Rules that are affine in the parameter are solved first, as ranges; the others are
    then checked value by value on what is left (at most MAX_CHECKED values, else the
    values are left to the solver: claiming nothing is always safe).
    """
    parameter = family.parameter_by_code[name]
    allowed = candidates
    pending = []
    for rule in family.rules_by_name.get(name, ()):
        if not allowed:
            return allowed
        try:
            allowed = allowed.intersection(
                _Solver(family, env, parameter).truth(rule.condition.tree)
            )
        except _NonAffine:
            pending.append(rule)
    for rule in pending:
        if len(allowed) > MAX_CHECKED:
            return GridSet()
        check = rule.condition.run
        allowed = GridSet.of(
            k
            for k in allowed
            if (t := _changed(family, env, name, parameter.fraction_at(k))) is not None and check(t)
        )
    return allowed


def _changed(
    family: Family, env: dict[str, Value], name: str, value: Value
) -> dict[str, Value] | None:
    """`env` with one value replaced and the computed values that read it recomputed."""
    trial = dict(env)
    trial[name] = value
    for computed in family.computed_depending_on[name]:
        try:
            trial[computed.code] = computed.formula.run(trial)
        except (ZeroDivisionError, KeyError, EvaluationError):
            trial.pop(computed.code, None)  # rules never read a formula that can fail
    return trial


class _Solver:
    """Symbolic evaluation in the grid index k of one parameter."""

    def __init__(self, family: Family, env: dict[str, Value], parameter: Parameter) -> None:
        self.env = env
        self.parameter = parameter
        self.last = parameter.count - 1
        depends = family.computed_depending_on[parameter.code]
        self.formulas = {c.code: c.formula.tree for c in depends}
        self.memo: dict[str, _Sym] = {}

    def truth(self, node: Node) -> GridSet:
        return self._as_set(self.value(node))

    def _as_set(self, value: _Sym) -> GridSet:
        if isinstance(value, GridSet):
            return value
        assert isinstance(value, bool)
        return GridSet.span(0, self.last) if value else GridSet()

    def value(self, node: Node) -> _Sym:
        if isinstance(node, Num | Text | Flag):
            return node.value
        if isinstance(node, Name):
            return self._name(node.name)
        if isinstance(node, Neg):
            return self._arith("-", Fraction(0), self.value(node.operand))
        if isinstance(node, Arith):
            return self._arith(node.op, self.value(node.left), self.value(node.right))
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Compare):
            return self._compare(node.op, self.value(node.left), self.value(node.right))
        if isinstance(node, Member):
            return self._member(node)
        if isinstance(node, Not):
            inner = self.value(node.operand)
            return (
                self._as_set(inner).complement((0, self.last))
                if isinstance(inner, GridSet)
                else not inner
            )
        return self._logic(node)

    def _name(self, name: str) -> _Sym:
        if name == self.parameter.code:
            return _Affine(Fraction(self.parameter.minimum), Fraction(self.parameter.step))
        if name in self.formulas:
            if name not in self.memo:
                self.memo[name] = self.value(self.formulas[name])
            return self.memo[name]
        return self.env[name]

    def _arith(self, op: str, left: _Sym, right: _Sym) -> _Sym:
        if isinstance(left, Fraction) and isinstance(right, Fraction):
            return _OPS[op](left, right)
        la, lb = _parts(left)
        ra, rb = _parts(right)
        if op in "+-":
            sign = 1 if op == "+" else -1
            return _affine(la + sign * ra, lb + sign * rb)
        if op == "*" and (lb == 0 or rb == 0):
            return _affine(la * ra, la * rb + lb * ra)
        if op == "/" and rb == 0:
            return _affine(la / ra, lb / ra)
        raise _NonAffine

    def _call(self, node: Call) -> _Sym:
        args = [self.value(arg) for arg in node.args]
        numbers = [arg for arg in args if isinstance(arg, Fraction)]
        if len(numbers) != len(args):
            raise _NonAffine
        return apply_function(node.function, numbers)

    def _compare(self, op: str, left: _Sym, right: _Sym) -> _Sym:
        if isinstance(left, GridSet | bool) and isinstance(right, GridSet | bool):
            a, b = self._as_set(left), self._as_set(right)
            both = a.intersection(b).union(a.union(b).complement((0, self.last)))
            return both if op == "=" else both.complement((0, self.last))
        if not isinstance(left, _Affine) and not isinstance(right, _Affine):
            return _CMP[op](left, right)
        la, lb = _parts(left)
        ra, rb = _parts(right)
        return self._solve(op, la - ra, lb - rb)

    def _solve(self, op: str, a: Fraction, b: Fraction) -> GridSet:
        """The k in [0, last] with a + b*k op 0."""
        if b == 0:
            return self._as_set(_CMP[op](a, Fraction(0)))
        if b < 0:
            a, b, op = -a, -b, _FLIP[op]
        t = -a / b  # a + b*k op 0  <=>  k op t
        low, high = 0, self.last
        if op == "<=":
            high = math.floor(t)
        elif op == "<":
            high = math.ceil(t) - 1
        elif op == ">=":
            low = math.ceil(t)
        elif op == ">":
            low = math.floor(t) + 1
        else:
            point = GridSet.span(int(t), int(t)) if t.denominator == 1 else GridSet()
            point = point.intersection(GridSet.span(0, self.last))
            return point if op == "=" else point.complement((0, self.last))
        return GridSet.span(max(low, 0), min(high, self.last))

    def _member(self, node: Member) -> _Sym:
        item = self.value(node.item)
        options = [self.value(option) for option in node.options]
        if isinstance(item, _Affine) and all(isinstance(o, Fraction) for o in options):
            found = GridSet()
            for option in options:
                found = found.union(self._as_set(self._compare("=", item, option)))
        elif not isinstance(item, _Affine | GridSet) and not any(
            isinstance(o, _Affine) for o in options
        ):
            return (item in options) != node.negated
        else:
            raise _NonAffine
        return found.complement((0, self.last)) if node.negated else found

    def _logic(self, node: Logic) -> _Sym:
        """and/or, stopping at the first operand that decides it for every k."""
        decisive = node.op == "or"  # True decides an "or", False an "and"
        sets: list[GridSet] = []
        for operand in node.operands:
            found = self.value(operand)
            if isinstance(found, bool):
                if found is decisive:
                    return decisive
                continue
            sets.append(self._as_set(found))
        if not sets:
            return not decisive
        result = sets[0]
        for other in sets[1:]:
            result = result.intersection(other) if node.op == "and" else result.union(other)
        return result


def _parts(value: _Sym) -> tuple[Fraction, Fraction]:
    if isinstance(value, _Affine):
        return value.a, value.b
    if isinstance(value, Fraction):
        return value, Fraction(0)
    raise _NonAffine


def _affine(a: Fraction, b: Fraction) -> _Sym:
    return a if b == 0 else _Affine(a, b)


_OPS: dict[str, Callable[[Fraction, Fraction], Fraction]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}
_CMP: dict[str, Callable[[object, object], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
}
_FLIP = {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "=": "=", "!=": "!="}
