"""Static types of formulas, checked once when a family is loaded.

A catalogue is read by people long before any order is configured, so a formula that
compares a length with text, names an option that does not exist or tests a choice
that the option does not have must fail at load, with the column, not in the middle of a
quote. Three kinds are enough: numbers, truth values and text (an option's choice).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from orderforge.engines.configurator.expression import (
    Arith,
    Call,
    Compare,
    ExpressionError,
    Flag,
    Logic,
    Member,
    Name,
    Neg,
    Node,
    Num,
    Text,
)

__all__ = ["Kind", "ValueType", "check_types"]


class Kind(StrEnum):
    NUMBER = "number"
    BOOL = "truth value"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class ValueType:
    """The type of a value; an option's value also knows its option and choices."""

    kind: Kind
    option: str | None = None
    choices: tuple[str, ...] = ()


NUMBER = ValueType(Kind.NUMBER)
BOOL = ValueType(Kind.BOOL)
TEXT = ValueType(Kind.TEXT)
MAX_ROUND_DIGITS = 9


def check_types(node: Node, names: Mapping[str, ValueType], text: str) -> ValueType:
    """Return the formula's type or raise ExpressionError pointing at the offending part."""
    return _Checker(names, text).type_of(node)


class _Checker:
    def __init__(self, names: Mapping[str, ValueType], text: str) -> None:
        self.names = names
        self.text = text

    def fail(self, message: str, node: Node) -> ExpressionError:
        return ExpressionError(message, self.text, node.pos)

    def type_of(self, node: Node) -> ValueType:
        if isinstance(node, Num):
            return NUMBER
        if isinstance(node, Text):
            return TEXT
        if isinstance(node, Flag):
            return BOOL
        if isinstance(node, Name):
            return self._name(node)
        if isinstance(node, Neg | Arith | Call):
            return self._numeric(node)
        if isinstance(node, Compare):
            return self._compare(node)
        if isinstance(node, Member):
            return self._member(node)
        operands = node.operands if isinstance(node, Logic) else (node.operand,)
        for operand in operands:
            self.expect(operand, Kind.BOOL, f"'{_word(node)}' needs truth values on both sides")
        return BOOL

    def expect(self, node: Node, kind: Kind, why: str) -> ValueType:
        found = self.type_of(node)
        if found.kind is not kind:
            raise self.fail(f"{why}, but this is a {_what(found)}", node)
        return found

    def _name(self, node: Name) -> ValueType:
        found = self.names.get(node.name)
        if found is not None:
            return found
        close = difflib.get_close_matches(node.name, list(self.names), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise self.fail(f"unknown name '{node.name}'{hint}", node)

    def _numeric(self, node: Neg | Arith | Call) -> ValueType:
        if isinstance(node, Neg):
            self.expect(node.operand, Kind.NUMBER, "'-' needs a number")
        elif isinstance(node, Arith):
            why = f"'{node.op}' needs numbers on both sides"
            self.expect(node.left, Kind.NUMBER, why)
            self.expect(node.right, Kind.NUMBER, why)
        else:
            for arg in node.args:
                self.expect(arg, Kind.NUMBER, f"{node.function}() works on numbers")
            if node.function == "round" and len(node.args) == 2:
                digits = node.args[1]
                if not (
                    isinstance(digits, Num)
                    and digits.value.denominator == 1
                    and 0 <= digits.value <= MAX_ROUND_DIGITS
                ):
                    raise self.fail(
                        f"round()'s digits must be a whole number 0 to {MAX_ROUND_DIGITS}", digits
                    )
        return NUMBER

    def _compare(self, node: Compare) -> ValueType:
        left = self.type_of(node.left)
        right = self.type_of(node.right)
        if left.kind is not right.kind:
            raise self.fail(f"cannot compare a {_what(left)} with a {_what(right)}", node)
        if left.kind is not Kind.NUMBER and node.op not in ("=", "!="):
            raise self.fail(
                f"'{node.op}' compares numbers only; use = or != for choices and truth values",
                node,
            )
        self._check_choice(left, node.right)
        self._check_choice(right, node.left)
        return BOOL

    def _member(self, node: Member) -> ValueType:
        item = self.type_of(node.item)
        if item.kind is Kind.BOOL:
            raise self.fail("'in' works on numbers and choices, not truth values", node.item)
        for option in node.options:
            found = self.type_of(option)
            if found.kind is not item.kind:
                wanted = "numbers" if item.kind is Kind.NUMBER else "choices"
                raise self.fail(f"this list must hold {wanted}, not a {_what(found)}", option)
            self._check_choice(item, option)
        return BOOL

    def _check_choice(self, option_type: ValueType, other: Node) -> None:
        """A text literal compared with an option must be one of its choices (typos!)."""
        if option_type.option is None or not isinstance(other, Text):
            return
        if other.value not in option_type.choices:
            close = difflib.get_close_matches(other.value, option_type.choices, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise self.fail(f"'{other.value}' is not a choice of {option_type.option}{hint}", other)


def _what(value_type: ValueType) -> str:
    if value_type.option is not None:
        return f"choice of {value_type.option}"
    return str(value_type.kind)


def _word(node: Node) -> str:
    return node.op if isinstance(node, Logic) else "not"
