"""The whole family as one CP-SAT model: truth-valued formulas and rules on top of numbers.

Every truth-valued sub-formula becomes a literal that is *equivalent* to it (full
reification), so a rule can be used both ways: asserted by the domain search and switched
off by the conflict explainer. Each rule has an enforcement literal r (r => rule holds):
the domain search fixes every r true, the explainer passes them as assumptions so CP-SAT
can point at the rules of a conflict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from ortools.sat.python import cp_model

from orderforge.engines.configurator.catalogue import Family
from orderforge.engines.configurator.constraint_model import (
    Literal,
    NumericModel,
    Scaled,
    Unsupported,
)
from orderforge.engines.configurator.errors import Issue
from orderforge.engines.configurator.expression import (
    Compare,
    Flag,
    Logic,
    Member,
    Name,
    Node,
    Not,
    Text,
)
from orderforge.engines.configurator.value_types import Kind

__all__ = ["Assignment", "FamilyModel"]

#: A full or partial assignment: option code -> choice code, parameter code -> grid index.
Assignment = dict[str, str | int]


class FamilyModel(NumericModel):
    """Variables, exact arithmetic, reified truth values and one literal per rule."""

    def __init__(self, family: Family) -> None:
        super().__init__(family)
        self.rule_literals: dict[str, cp_model.IntVar] = {}
        self.issues: list[Issue] = []
        self._kinds = {c.code: c.formula.kind for c in family.computed}
        for rule in family.rules:
            enforce = self.model.new_bool_var(f"rule:{rule.id}")
            self.rule_literals[rule.id] = enforce
            try:
                self.model.add_implication(enforce, self.boolean(rule.condition.tree))
            except Unsupported as problem:
                self.issues.append(Issue(f"rule '{rule.id}'", f"cannot be solved for: {problem}"))

    def read(self, solution: Sequence[int]) -> Assignment:
        """The option choices and parameter indices of a solver response's solution."""
        found: Assignment = {}
        for option, lits in self.choices.items():
            found[option] = next(code for code, lit in lits.items() if solution[lit.index])
        for parameter, var in self.indices.items():
            found[parameter] = int(solution[var.index])
        return found

    def _fixed(self, lit: Literal) -> bool | None:
        if lit.index == self.true.index:
            return True
        if lit.index == (~self.true).index:
            return False
        return None

    def boolean(self, node: Node) -> Literal:
        if isinstance(node, Flag):
            return self.constant(node.value)
        if isinstance(node, Name):
            found = self._computed_value(node.name)
            assert not isinstance(found, Scaled)
            return found
        if isinstance(node, Not):
            return ~self.boolean(node.operand)
        if isinstance(node, Logic):
            lits = [self.boolean(operand) for operand in node.operands]
            return self.all_of(lits) if node.op == "and" else ~self.all_of([~lit for lit in lits])
        if isinstance(node, Compare):
            if node.op in ("=", "!="):
                equal = self._equal(node.left, node.right)
                return equal if node.op == "=" else ~equal
            return self._order(node)
        if isinstance(node, Member):
            found = self._member(node)
            return ~found if node.negated else found
        raise Unsupported(f"a truth value was expected at column {node.pos + 1}")

    def all_of(self, lits: list[Literal]) -> Literal:
        """A literal equivalent to the conjunction, folding constants."""
        kept: list[Literal] = []
        for lit in lits:
            fixed = self._fixed(lit)
            if fixed is False:
                return self.constant(False)
            if fixed is None:
                kept.append(lit)
        if not kept:
            return self.constant(True)
        if len(kept) == 1:
            return kept[0]
        both = self.model.new_bool_var("and")
        self.model.add_bool_and(kept).only_enforce_if(both)
        self.model.add_bool_or([~lit for lit in kept]).only_enforce_if(~both)
        return both

    def _kind(self, node: Node) -> Kind:
        if isinstance(node, Text):
            return Kind.TEXT
        if isinstance(node, Flag | Compare | Member | Logic | Not):
            return Kind.BOOL
        if isinstance(node, Name):
            if node.name in self.choices:
                return Kind.TEXT
            return self._kinds.get(node.name, Kind.NUMBER)
        return Kind.NUMBER

    def _equal(self, left: Node, right: Node) -> Literal:
        kind = self._kind(left)
        if kind is Kind.NUMBER:
            return self._compare_numbers("=", left, right)
        if kind is Kind.BOOL:
            a, b = self.boolean(left), self.boolean(right)
            same = self.model.new_bool_var("same")
            self.model.add(a == b).only_enforce_if(same)
            self.model.add(a != b).only_enforce_if(~same)
            return same
        return self._equal_text(left, right)

    def _equal_text(self, left: Node, right: Node) -> Literal:
        if isinstance(left, Text) and isinstance(right, Text):
            return self.constant(left.value == right.value)
        if isinstance(left, Text):
            left, right = right, left
        assert isinstance(left, Name)
        mine = self.choices[left.name]
        if isinstance(right, Text):
            return mine.get(right.value, self.constant(False))
        assert isinstance(right, Name)
        theirs = self.choices[right.name]
        pairs = [self.all_of([mine[code], theirs[code]]) for code in mine if code in theirs]
        return ~self.all_of([~pair for pair in pairs])

    def _order(self, node: Compare) -> Literal:
        return self._compare_numbers(node.op, node.left, node.right)

    def _compare_numbers(self, op: str, left: Node, right: Node) -> Literal:
        """Reify (left - right) op 0 on integers; scales are positive so signs survive."""
        a, b = self.number(left), self.number(right)
        scale = math.lcm(a.scale, b.scale)
        x, y = a.rescaled(scale), b.rescaled(scale)
        terms = dict(x.terms)
        for var, coef in y.terms.items():
            terms[var] = terms.get(var, 0) - coef
        diff = Scaled(terms, x.const - y.const, scale)
        low, high = self.bounds_of(diff)
        holds, fails = _bands(op, low, high)
        if holds is None or fails is None:
            return self.constant(holds is not None)
        lit = self.model.new_bool_var(op)
        expr = self.expr(diff)
        self.model.add_linear_expression_in_domain(expr, holds).only_enforce_if(lit)
        self.model.add_linear_expression_in_domain(expr, fails).only_enforce_if(~lit)
        return lit

    def _member(self, node: Member) -> Literal:
        if self._kind(node.item) is Kind.NUMBER and all(self._is_constant(o) for o in node.options):
            return self._member_constants(node)
        return ~self.all_of([~self._equal(node.item, option) for option in node.options])

    def _is_constant(self, node: Node) -> bool:
        scaled = self.number(node)
        return not scaled.terms

    def _member_constants(self, node: Member) -> Literal:
        item = self.number(node.item)
        wanted: set[int] = set()
        for option in node.options:
            constant = self.number(option)
            value = Fraction(constant.const, constant.scale) * item.scale
            if value.denominator == 1:
                wanted.add(int(value))
        low, high = self.bounds_of(item)
        inside = sorted(v for v in wanted if low <= v <= high)
        if not inside:
            return self.constant(False)
        lit = self.model.new_bool_var("in")
        domain = cp_model.Domain.from_values(inside)
        self.model.add_linear_expression_in_domain(self.expr(item), domain).only_enforce_if(lit)
        outside = domain.complement()
        self.model.add_linear_expression_in_domain(self.expr(item), outside).only_enforce_if(~lit)
        return lit


def _bands(op: str, low: int, high: int) -> tuple[cp_model.Domain | None, cp_model.Domain | None]:
    """Domains of d where `d op 0` holds / fails, within [low, high]; None when empty."""
    bound = cp_model.Domain(low, high)
    if op in ("=", "!="):
        zero = cp_model.Domain(0, 0)
        inside, outside = bound.intersection_with(zero), bound.intersection_with(zero.complement())
        holds, fails = (inside, outside) if op == "=" else (outside, inside)
    else:
        limits = {"<=": (low, 0), "<": (low, -1), ">=": (0, high), ">": (1, high)}
        lo, hi = limits[op]
        yes = cp_model.Domain(lo, hi) if lo <= hi else cp_model.Domain.from_values([])
        holds = bound.intersection_with(yes)
        fails = bound.intersection_with(yes.complement())
    return (None if holds.is_empty() else holds), (None if fails.is_empty() else fails)
