"""The formula language of product families: a fixed grammar, parsed here, never `eval`.

Catalogue authors write conditions and quantities ("top = 'glass' and length > 1800",
"length * width / 1e6"). Those strings come from data files, so they are parsed by this
small recursive-descent parser into a closed set of node types; anything outside the
grammar (attribute access, indexing, unknown functions, lambdas...) is a parse error with
the column where it went wrong. Evaluation lives in `evaluator.py`, type checking in
`value_types.py`, the CP-SAT translation in `constraint_model.py`.

Grammar (lowest precedence first)::

    expression  := disjunction
    disjunction := conjunction ("or" conjunction)*
    conjunction := negation ("and" negation)*
    negation    := "not" negation | comparison
    comparison  := sum [("=" | "==" | "!=" | "<" | "<=" | ">" | ">=") sum
                        | ["not"] "in" "[" [expression ("," expression)*] "]"]
    sum         := product (("+" | "-") product)*
    product     := unary (("*" | "/") unary)*
    unary       := ("-" | "+") unary | atom
    atom        := NUMBER | STRING | "true" | "false" | NAME
                 | FUNCTION "(" expression ("," expression)* ")" | "(" expression ")"
    FUNCTION    := min | max | round | ceil | floor | abs
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Final

from orderforge.engines.configurator.syntax import (
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
    children,
)

__all__ = [
    "FUNCTIONS",
    "KEYWORDS",
    "Arith",
    "Call",
    "Compare",
    "ExpressionError",
    "Flag",
    "Logic",
    "Member",
    "Name",
    "Neg",
    "Node",
    "Not",
    "Num",
    "Text",
    "names_in",
    "parse",
]

#: Function name -> (fewest, most) arguments; None means no upper limit.
FUNCTIONS: Final[dict[str, tuple[int, int | None]]] = {
    "min": (2, None),
    "max": (2, None),
    "round": (1, 2),
    "ceil": (1, 1),
    "floor": (1, 1),
    "abs": (1, 1),
}
KEYWORDS: Final = frozenset({"and", "or", "not", "in", "true", "false"})
MAX_LENGTH: Final = 2000
MAX_DEPTH: Final = 60
MAX_EXPONENT: Final = 30
MAX_TREE_DEPTH: Final = 120


class ExpressionError(ValueError):
    """A formula that does not parse, or does not fit the family, with its column."""

    def __init__(self, message: str, text: str, position: int) -> None:
        self.message = message
        self.text = text
        self.position = position
        super().__init__(f"{message} (column {position + 1} of `{text}`)")


_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>==|!=|<=|>=|[-+*/()\[\],<>=])
    """,
    re.VERBOSE,
)
_COMPARISONS: Final = {"=", "==", "!=", "<", "<=", ">", ">="}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, string, name, keyword, op, end
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ExpressionError(_bad_character(text, pos), text, pos)
        kind = match.lastgroup or ""
        if kind != "space":
            word = match.group()
            if kind == "name" and word in KEYWORDS:
                kind = "keyword"
            tokens.append(_Token(kind, word, pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _bad_character(text: str, pos: int) -> str:
    char = text[pos]
    if char == ".":
        return "'.' is not allowed: no attribute access, and numbers need a digit before '.'"
    if char in "'\"":
        return f"the text starting with {char} is never closed"
    return f"the character {char!r} is not part of the formula language"


def parse(text: str) -> Node:
    """Parse a formula; raises ExpressionError with the column of the first problem."""
    if not isinstance(text, str):
        raise ExpressionError("a formula must be text", str(text), 0)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"a formula may be at most {MAX_LENGTH} characters", text[:40], 0)
    if not text.strip():
        raise ExpressionError("the formula is empty", text, 0)
    parser = _Parser(text, _tokenize(text))
    node = parser.expression()
    token = parser.peek()
    if token.kind != "end":
        raise ExpressionError(f"unexpected {_describe(token)}", text, token.pos)
    if _depth(node) > MAX_TREE_DEPTH:
        raise ExpressionError(
            f"the formula has too many parts in a row (more than {MAX_TREE_DEPTH}); "
            "split it into computed values",
            text,
            0,
        )
    return node


def _depth(node: Node) -> int:
    """Height of the tree, measured without recursion (evaluators recurse over it)."""
    deepest = 0
    stack: list[tuple[Node, int]] = [(node, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(item))
    return deepest


def _describe(token: _Token) -> str:
    return "end of formula" if token.kind == "end" else f"'{token.text}'"


class _Parser:
    """Recursive descent over the token list; one method per grammar rule."""

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, *words: str) -> _Token | None:
        token = self.peek()
        if token.kind in ("op", "keyword") and token.text in words:
            self.index += 1
            return token
        return None

    def expect(self, word: str, context: str) -> _Token:
        token = self.accept(word)
        if token is None:
            found = self.peek()
            raise ExpressionError(
                f"expected '{word}' {context}, found {_describe(found)}", self.text, found.pos
            )
        return token

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("the formula is nested too deeply", self.text, self.peek().pos)
        node = self._binary_logic("or", self._conjunction)
        self.depth -= 1
        return node

    def _conjunction(self) -> Node:
        return self._binary_logic("and", self._negation)

    def _binary_logic(self, word: str, parse_operand: Callable[[], Node]) -> Node:
        first = parse_operand()
        operands = [first]
        while self.accept(word):
            operands.append(parse_operand())
        return first if len(operands) == 1 else Logic(word, tuple(operands), first.pos)

    def _negation(self) -> Node:
        token = self.peek()
        if token.kind == "keyword" and token.text == "not":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError("the formula is nested too deeply", self.text, token.pos)
            node = Not(self._negation(), token.pos)
            self.depth -= 1
            return node
        return self._comparison()

    def _comparison(self) -> Node:
        left = self._sum()
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARISONS:
            self.take()
            op = "=" if token.text == "==" else token.text
            node: Node = Compare(op, left, self._sum(), token.pos)
        elif token.kind == "keyword" and token.text in ("in", "not"):
            node = self._membership(left)
        else:
            return left
        after = self.peek()
        if after.kind == "op" and after.text in _COMPARISONS:
            raise ExpressionError(
                "comparisons cannot be chained; join them with 'and'", self.text, after.pos
            )
        return node

    def _membership(self, item: Node) -> Node:
        negated = self.accept("not") is not None
        start = self.expect("in", "after 'not' in a comparison" if negated else "")
        self.expect("[", "to open the list after 'in'")
        options: list[Node] = []
        if not self.accept("]"):
            options.append(self.expression())
            while self.accept(","):
                options.append(self.expression())
            self.expect("]", "to close the list")
        if not options:
            raise ExpressionError("the list after 'in' is empty", self.text, start.pos)
        return Member(item, tuple(options), negated, start.pos)

    def _sum(self) -> Node:
        node = self._product()
        while (token := self.accept("+", "-")) is not None:
            node = Arith(token.text, node, self._product(), token.pos)
        return node

    def _product(self) -> Node:
        node = self._unary()
        while (token := self.accept("*", "/")) is not None:
            node = Arith(token.text, node, self._unary(), token.pos)
        return node

    def _unary(self) -> Node:
        token = self.accept("-", "+")
        if token is None:
            return self._atom()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("the formula is nested too deeply", self.text, token.pos)
        operand = self._unary()
        self.depth -= 1
        return Neg(operand, token.pos) if token.text == "-" else operand

    def _atom(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Num(_number(token, self.text), token.pos)
        if token.kind == "string":
            return Text(token.text[1:-1], token.pos)
        if token.kind == "keyword" and token.text in ("true", "false"):
            return Flag(token.text == "true", token.pos)
        if token.kind == "name":
            if self.peek().text == "(" and self.peek().kind == "op":
                return self._call(token)
            return Name(token.text, token.pos)
        if token.kind == "op" and token.text == "(":
            node = self.expression()
            self.expect(")", "to close the parenthesis")
            return node
        raise ExpressionError(f"unexpected {_describe(token)}", self.text, token.pos)

    def _call(self, name: _Token) -> Node:
        if name.text not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise ExpressionError(
                f"unknown function '{name.text}'; the functions are {known}", self.text, name.pos
            )
        self.take()  # "("
        args = [self.expression()]
        while self.accept(","):
            args.append(self.expression())
        self.expect(")", f"to close the call of {name.text}")
        fewest, most = FUNCTIONS[name.text]
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = f"{fewest}" if fewest == most else f"{fewest} or more"
            if most is not None and most != fewest:
                wanted = f"{fewest} to {most}"
            raise ExpressionError(
                f"{name.text}() takes {wanted} arguments, got {len(args)}", self.text, name.pos
            )
        return Call(name.text, tuple(args), name.pos)


def _number(token: _Token, text: str) -> Fraction:
    try:
        value = Decimal(token.text)
    except (InvalidOperation, ValueError):
        raise ExpressionError(f"'{token.text}' is not a usable number", text, token.pos) from None
    if value and abs(value.adjusted()) > MAX_EXPONENT:
        raise ExpressionError(
            f"'{token.text}' is out of range: numbers go from 1e-{MAX_EXPONENT} "
            f"to 1e{MAX_EXPONENT}",
            text,
            token.pos,
        )
    return Fraction(value)


def names_in(node: Node) -> set[str]:
    """Every variable name the formula reads (function names excluded)."""
    found: set[str] = set()
    stack: list[Node] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Name):
            found.add(item.name)
        stack.extend(children(item))
    return found
