"""Reading a specification typed by a person or sent by another system.

Options take a choice code; parameters take a number with an optional unit ("1800",
1800, "1800 mm", "1.8 m"), converted exactly to the parameter's unit and then required to
lie on its grid. Every problem is reported at once, naming the option and the value.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from orderforge.engines.configurator.catalogue import Family, Parameter
from orderforge.engines.configurator.errors import Issue, SpecError
from orderforge.engines.configurator.evaluator import EvaluationError, Value
from orderforge.engines.configurator.family_model import Assignment
from orderforge.engines.configurator.units import QuantityError, read_quantity

__all__ = ["environment", "read_spec", "show_value", "with_defaults"]


def read_spec(family: Family, raw: Mapping[str, object]) -> Assignment:
    """Options -> choice code, parameters -> grid index; None or "" means not chosen."""
    if not isinstance(raw, Mapping):
        raise SpecError([Issue("spec", "must be a mapping of option -> value")], family.name)
    issues: list[Issue] = []
    found: Assignment = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        where = f"spec.{key}"
        if key in family.option_by_code:
            option = family.option_by_code[key]
            plain = isinstance(value, str | int) and not isinstance(value, bool)
            if plain and str(value) in option.codes:  # 5 from JSON means the choice "5"
                found[key] = str(value)
                continue
            close = difflib.get_close_matches(str(value), option.codes, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            allowed = ", ".join(option.codes)
            issues.append(
                Issue(
                    where,
                    f"'{value}' is not a choice of {option.label}{hint}; choose one of: {allowed}",
                )
            )
        elif key in family.parameter_by_code:
            index = _grid_index(family.parameter_by_code[key], value, where, issues)
            if index is not None:
                found[key] = index
        else:
            issues.append(Issue(where, _unknown(family, str(key))))
    if issues:
        raise SpecError(issues, family.name)
    return found


def _unknown(family: Family, key: str) -> str:
    if any(c.code == key for c in family.computed):
        return f"'{key}' is computed from the spec, not chosen"
    known = [*family.option_by_code, *family.parameter_by_code]
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{family.name} has no option or parameter '{key}'{hint}; it has: {', '.join(known)}"


def _grid_index(parameter: Parameter, value: object, where: str, issues: list[Issue]) -> int | None:
    try:
        number = read_quantity(value, parameter.unit)
    except QuantityError as error:
        issues.append(Issue(where, f"{parameter.label}: {value!r} {error}"))
        return None
    index = parameter.index_of(number)
    if index is None:
        grid = (
            f"{parameter.show(parameter.minimum)} to {parameter.show(parameter.maximum)} "
            f"in steps of {parameter.show(parameter.step)}"
        )
        issues.append(
            Issue(where, f"{parameter.label} {parameter.show(number)} is not offered: {grid}")
        )
    return index


def with_defaults(family: Family, chosen: Assignment) -> tuple[Assignment, tuple[str, ...]]:
    """The spec with catalogue defaults filled in, and the names still missing."""
    full = dict(chosen)
    missing: list[str] = []
    for option in family.options:
        if option.code not in full:
            if option.default is None:
                missing.append(option.code)
            else:
                full[option.code] = option.default
    for parameter in family.parameters:
        if parameter.code not in full:
            index = None if parameter.default is None else parameter.index_of(parameter.default)
            if index is None:
                missing.append(parameter.code)
            else:
                full[parameter.code] = index
    return full, tuple(missing)


def environment(family: Family, full: Assignment) -> tuple[dict[str, Value], dict[str, str]]:
    """Values of every name formulas may read, and computed values that failed (why)."""
    env: dict[str, Value] = {}
    for code, value in full.items():
        if code in family.parameter_by_code:
            assert isinstance(value, int)
            env[code] = family.parameter_by_code[code].fraction_at(value)
        else:
            env[code] = str(value)
    failed: dict[str, str] = {}
    for computed in family.computed:
        if computed.formula.names & failed.keys():
            failed[computed.code] = (
                f"needs {', '.join(sorted(computed.formula.names & failed.keys()))}"
            )
            continue
        try:
            env[computed.code] = computed.formula.evaluate(env)
        except EvaluationError as error:
            failed[computed.code] = str(error)
    return env, failed


def show_value(family: Family, name: str, value: str | int) -> str:
    """A spec value as people read it: a choice label or "2400 mm"."""
    if name in family.option_by_code:
        return family.option_by_code[name].label_of(str(value))
    parameter = family.parameter_by_code[name]
    assert isinstance(value, int)
    return parameter.show(parameter.value_at(value))
