"""A specification in words: option labels and values with units, never codes.

Stored specs are codes (`frame_wood: beech`); the customer, the quote and the order page
need "Frame wood: Beech". The labels come from the catalogue version the line was
configured with, so a later catalogue that renames a choice does not rewrite old quotes.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from orderforge.engines.configurator.catalogue import Family


def describe_spec(family: Family | None, spec: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) pairs in the catalogue's order of options and parameters; keys the
    catalogue does not know (or a line without catalogue) are shown as stored."""
    if family is None:
        return [(_humanise(k), v) for k, v in spec.items()]
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for option in family.options:
        if option.code in spec:
            labels = {c.code: c.label for c in option.choices}
            value = spec[option.code]
            out.append((option.label, labels.get(value, value)))
            seen.add(option.code)
    for parameter in family.parameters:
        if parameter.code in spec:
            out.append((parameter.label, _with_unit(spec[parameter.code], parameter.unit)))
            seen.add(parameter.code)
    out += [(_humanise(k), v) for k, v in spec.items() if k not in seen]
    return out


def spec_sentence(family: Family | None, spec: dict[str, str]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in describe_spec(family, spec))


def _with_unit(value: str, unit: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    text = format(number.normalize(), "f") if number == number.to_integral() else value
    return f"{text} {unit}".strip()


def _humanise(code: str) -> str:
    return code.replace("_", " ").capitalize()
