"""The syntax tree of formulas: a closed set of node types, nothing else can be built.

Every node carries `pos`, the column where its text starts, so errors found after parsing
(unknown names, wrong types) still point at the right place.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "Arith",
    "Call",
    "Compare",
    "Flag",
    "Logic",
    "Member",
    "Name",
    "Neg",
    "Node",
    "Not",
    "Num",
    "Text",
    "children",
]


@dataclass(frozen=True, slots=True)
class Num:
    value: Fraction
    pos: int


@dataclass(frozen=True, slots=True)
class Text:
    value: str
    pos: int


@dataclass(frozen=True, slots=True)
class Flag:
    value: bool
    pos: int


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Arith:
    """A binary + - * / between numbers."""

    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Compare:
    """One comparison; `op` is one of = != < <= > >= ("==" is read as "=")."""

    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Member:
    """`item in [a, b]` or `item not in [a, b]`."""

    item: Node
    options: tuple[Node, ...]
    negated: bool
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Logic:
    """`and` / `or` over two or more operands."""

    op: str
    operands: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    pos: int


Node = Num | Text | Flag | Name | Neg | Arith | Compare | Member | Call | Logic | Not


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-formulas of a node."""
    if isinstance(node, Neg | Not):
        return (node.operand,)
    if isinstance(node, Arith | Compare):
        return (node.left, node.right)
    if isinstance(node, Member):
        return (node.item, *node.options)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Logic):
        return node.operands
    return ()
