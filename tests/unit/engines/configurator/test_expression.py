"""The formula language: precedence, exact evaluation, and refusal of anything else."""

from __future__ import annotations

from fractions import Fraction

import pytest

from orderforge.engines.configurator.evaluator import Formula, compile_node
from orderforge.engines.configurator.expression import (
    Arith,
    Compare,
    ExpressionError,
    Logic,
    Member,
    Name,
    Not,
    Num,
    names_in,
    parse,
)
from orderforge.engines.configurator.value_types import Kind, ValueType, check_types

NAMES = {
    "length": ValueType(Kind.NUMBER),
    "width": ValueType(Kind.NUMBER),
    "big": ValueType(Kind.BOOL),
    "top": ValueType(Kind.TEXT, "top", ("oak", "glass")),
    "base": ValueType(Kind.TEXT, "base", ("legs", "oak")),
}


def value(text: str, **env: Fraction | str | bool | int) -> object:
    return compile_node(parse(text))({k: _exact(v) for k, v in env.items()})


def _exact(raw: Fraction | str | bool | int) -> Fraction | str | bool:
    return Fraction(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw


def test_multiplication_binds_tighter_than_addition() -> None:
    tree = parse("1 + 2 * 3")
    assert isinstance(tree, Arith) and tree.op == "+"
    assert value("1 + 2 * 3") == 7
    assert value("(1 + 2) * 3") == 9


def test_subtraction_and_division_associate_left() -> None:
    assert value("10 - 4 - 3") == 3
    assert value("24 / 4 / 2") == 3


def test_unary_minus_and_plus() -> None:
    assert value("-2 * -3") == 6
    assert value("+5 - -5") == 10


def test_and_binds_tighter_than_or_and_not_tighter_than_and() -> None:
    tree = parse("a or b and not c")
    assert isinstance(tree, Logic) and tree.op == "or"
    right = tree.operands[1]
    assert isinstance(right, Logic) and right.op == "and"
    assert isinstance(right.operands[1], Not)
    assert value("true or false and false") is True
    assert value("not true or true") is True


def test_comparison_binds_tighter_than_logic_and_looser_than_arithmetic() -> None:
    tree = parse("length * 2 <= 3000 and top = 'glass'")
    assert isinstance(tree, Logic)
    first = tree.operands[0]
    assert isinstance(first, Compare) and isinstance(first.left, Arith)
    assert value("length * 2 <= 3000 and top = 'glass'", length=1500, top="glass") is True


def test_double_equals_reads_as_equals() -> None:
    tree = parse("top == 'oak'")
    assert isinstance(tree, Compare) and tree.op == "="


def test_membership_and_negated_membership() -> None:
    tree = parse("top not in ['oak', 'glass']")
    assert isinstance(tree, Member) and tree.negated
    assert value("top in ['oak', 'glass']", top="oak") is True
    assert value("top not in ['oak', 'glass']", top="oak") is False
    assert value("length in [1, 2, 3]", length=2) is True


def test_numbers_are_exact_fractions() -> None:
    assert value("0.1 + 0.2 = 0.3") is True
    assert value("length / 3 * 3 = length", length=1810) is True
    assert value("1e6") == 1_000_000
    assert value("2.5E-1") == Fraction(1, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min(3, 1, 2)", 1),
        ("max(3, 1, 2)", 3),
        ("ceil(2.1)", 3),
        ("floor(-2.1)", -3),
        ("abs(-4)", 4),
        ("round(2.5)", 3),
        ("round(-2.5)", -2),
        ("round(1.25, 1)", Fraction(13, 10)),
    ],
)
def test_functions(text: str, expected: object) -> None:
    assert value(text) == expected


def test_names_in_lists_variables_not_functions() -> None:
    assert names_in(parse("max(length, width) > 2 and top = 'oak'")) == {"length", "width", "top"}


def _error(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("length.real", 7, "attribute access"),
        ("__import__('os')", 1, "unknown function '__import__'"),
        ("eval('1')", 1, "unknown function 'eval'"),
        ("length[0]", 7, "unexpected '['"),
        ("length ** 2", 9, "unexpected '*'"),
        ("lambda: 1", 7, "character ':'"),
        ("1 +", 4, "unexpected end of formula"),
        ("(1 + 2", 7, "expected ')'"),
        ("1 < 2 < 3", 7, "cannot be chained"),
        ("'open", 1, "never closed"),
        ("min(1)", 1, "min() takes 2 or more arguments"),
        ("round(1, 2, 3)", 1, "round() takes 1 to 2 arguments"),
        ("top in []", 5, "list after 'in' is empty"),
        ("length % 2", 8, "character '%'"),
        ("1e99", 1, "out of range"),
        ("", 1, "empty"),
    ],
)
def test_parse_errors_name_the_column(text: str, column: int, words: str) -> None:
    error = _error(text)
    assert error.position + 1 == column
    assert words in error.message
    assert f"column {column}" in str(error)


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    assert "nested too deeply" in _error("(" * 500 + "1" + ")" * 500).message
    assert "nested too deeply" in _error("-" * 500 + "1").message
    assert "nested too deeply" in _error("not " * 300 + "true").message
    assert "too many parts in a row" in _error(" + ".join(["1"] * 400)).message


def _type_error(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        check_types(parse(text), NAMES, text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("lenght > 2", "unknown name 'lenght'; did you mean 'length'?"),
        ("top = 'glas'", "'glas' is not a choice of top; did you mean 'glass'?"),
        ("top > 'oak'", "compares numbers only"),
        ("length = 'oak'", "cannot compare a number with a text"),
        ("top + 1", "'+' needs numbers on both sides"),
        ("length and big", "needs truth values"),
        ("big in [true]", "not truth values"),
        ("round(length, width)", "digits must be a whole number"),
        ("length in [1, 'a']", "must hold numbers"),
    ],
)
def test_type_errors(text: str, words: str) -> None:
    assert words in _type_error(text).message


def test_types_of_well_formed_formulas() -> None:
    assert check_types(parse("length * width / 1e6"), NAMES, "").kind is Kind.NUMBER
    assert check_types(parse("top = base"), NAMES, "").kind is Kind.BOOL
    assert check_types(parse("big or length > 2"), NAMES, "").kind is Kind.BOOL


def test_formula_reports_division_by_zero_by_name() -> None:
    tree = parse("length / (width - 700)")
    formula = Formula("length / (width - 700)", tree, Kind.NUMBER, frozenset(), compile_node(tree))
    with pytest.raises(ValueError, match="divides by zero"):
        formula.evaluate({"length": Fraction(1), "width": Fraction(700)})


def test_parser_builds_plain_nodes() -> None:
    tree = parse("length")
    assert tree == Name("length", 0)
    assert parse("2") == Num(Fraction(2), 0)
