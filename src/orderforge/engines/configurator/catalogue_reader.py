"""Field-level reading of catalogue data, collecting every issue with its place.

Catalogue data arrives as plain dicts and lists (from YAML or JSON). Each helper here
reads one field, records an Issue naming the place when the field is missing or wrong,
and returns None so the caller can carry on and report the other problems too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from orderforge.engines.configurator.errors import Issue
from orderforge.engines.configurator.evaluator import Formula, compile_node
from orderforge.engines.configurator.expression import (
    FUNCTIONS,
    KEYWORDS,
    ExpressionError,
    names_in,
    parse,
)
from orderforge.engines.configurator.units import QuantityError, read_quantity
from orderforge.engines.configurator.value_types import Kind, ValueType, check_types

__all__ = ["CatalogueReader", "Data"]

Data = Mapping[str, object]
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CODE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


class CatalogueReader:
    """Reads fields, remembers issues; `names` types the names formulas may use."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.names: dict[str, ValueType] = {}

    def add(self, where: str, message: str) -> None:
        self.issues.append(Issue(where, message))

    def mapping(self, raw: object, where: str) -> Data | None:
        if isinstance(raw, Mapping) and all(isinstance(key, str) for key in raw):
            return raw
        self.add(where, f"must be a mapping of fields, not {_kind(raw)}")
        return None

    def items(self, raw: object, where: str) -> Sequence[object]:
        """A list field; a missing field is an empty list."""
        if raw is None:
            return ()
        if isinstance(raw, list | tuple):
            return raw
        self.add(where, f"must be a list, not {_kind(raw)}")
        return ()

    def known_keys(self, data: Data, allowed: Iterable[str], where: str) -> None:
        """Refuse unknown fields: a typo such as 'maximum' must not be silently ignored."""
        allowed_set = set(allowed)
        for key in data:
            if key not in allowed_set:
                self.add(where, f"unknown field '{key}'; fields are {', '.join(sorted(allowed))}")

    def text(self, data: Data, key: str, where: str, default: str | None = None) -> str | None:
        raw = data.get(key)
        if raw is None:
            if default is None:
                self.add(where, f"'{key}' is missing")
            return default
        if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
            self.add(f"{where}.{key}", f"must be text, not {_kind(raw)}")
            return None
        value = str(raw).strip()
        if not value:
            self.add(f"{where}.{key}", "must not be empty")
            return None
        return value

    def code(self, data: Data, key: str, where: str, *, identifier: bool = False) -> str | None:
        """A code people and files refer to; identifiers are also names in formulas."""
        value = self.text(data, key, where)
        if value is None:
            return None
        if identifier:
            if not _IDENTIFIER.match(value) or value in KEYWORDS or value in FUNCTIONS:
                self.add(
                    f"{where}.{key}",
                    f"'{value}' must be a name usable in formulas: letters, digits and _, "
                    "not starting with a digit, and not a keyword or function name",
                )
                return None
        elif not _CODE.match(value):
            self.add(f"{where}.{key}", f"'{value}' may hold only letters, digits, _ . and -")
            return None
        return value

    def quantity(self, raw: object, unit: str, where: str) -> Decimal | None:
        try:
            return read_quantity(raw, unit)
        except QuantityError as error:
            self.add(where, str(error))
            return None

    def duplicates(self, codes: Iterable[tuple[str, str]], what: str) -> None:
        """Report each code given more than once; `codes` are (code, where) pairs."""
        seen: dict[str, str] = {}
        for code, where in codes:
            if code in seen:
                self.add(where, f"{what} '{code}' is defined twice (first at {seen[code]})")
            else:
                seen[code] = where

    def formula(self, raw: object, where: str, *kinds: Kind) -> Formula | None:
        """Parse and type-check a formula field; numbers and true/false count as formulas."""
        if isinstance(raw, bool):
            text = "true" if raw else "false"
        elif isinstance(raw, int | float | Decimal):
            text = str(raw)
        elif isinstance(raw, str):
            text = raw
        else:
            self.add(where, f"must be a formula, not {_kind(raw)}")
            return None
        try:
            tree = parse(text)
            found = check_types(tree, self.names, text)
        except ExpressionError as error:
            self.add(where, str(error))
            return None
        if found.kind not in kinds:
            wanted = " or ".join(str(kind) for kind in kinds)
            self.add(where, f"`{text}` gives a {found.kind}, but a {wanted} is needed here")
            return None
        return Formula(text, tree, found.kind, frozenset(names_in(tree)), compile_node(tree))


def _kind(raw: object) -> str:
    if raw is None:
        return "nothing"
    if isinstance(raw, bool):
        return "true/false"
    if isinstance(raw, Mapping):
        return "a mapping"
    if isinstance(raw, list | tuple):
        return "a list"
    if isinstance(raw, str):
        return f"the text '{raw}'"
    return f"{type(raw).__name__} {raw!r}"
