"""`check_spec`: is a full spec valid, and if not, which choices and rules conflict.

The common case (a valid spec) is decided by the exact evaluator alone, with no solver;
only an invalid spec pays for the CP-SAT explanation of its minimal conflicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from orderforge.engines.configurator.catalogue import Family
from orderforge.engines.configurator.conflicts import Conflict, find_conflicts
from orderforge.engines.configurator.family_model import Assignment
from orderforge.engines.configurator.spec import environment, read_spec, with_defaults

__all__ = ["Validity", "check_spec", "plain_spec"]


@dataclass(frozen=True)
class Validity:
    """The verdict on a spec.

    `spec` is the spec as resolved (defaults filled in; parameters in their own unit),
    `missing` the options/parameters with neither a value nor a default, `violated` the
    ids of the rules the spec breaks, `conflicts` minimal explanations in plain words.
    """

    valid: bool
    spec: dict[str, str | Decimal]
    missing: tuple[str, ...] = ()
    violated: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    defaulted: tuple[str, ...] = ()


def check_spec(family: Family, spec: Mapping[str, object]) -> Validity:
    """Check a full spec (missing values take their defaults) against every rule."""
    chosen = read_spec(family, spec)
    full, missing = with_defaults(family, chosen)
    defaulted = tuple(name for name in full if name not in chosen)
    plain = plain_spec(family, full)
    if missing:
        return Validity(False, plain, missing=missing, defaulted=defaulted)
    env, _ = environment(family, full)
    violated = tuple(rule.id for rule in family.rules if not rule.condition.run(env))
    if not violated:
        return Validity(True, plain, defaulted=defaulted)
    conflicts = tuple(find_conflicts(family, full, frozenset(defaulted)))
    return Validity(False, plain, violated=violated, conflicts=conflicts, defaulted=defaulted)


def plain_spec(family: Family, full: Assignment) -> dict[str, str | Decimal]:
    """Choice codes and parameter values (Decimal, in the parameter's unit), catalogue order."""
    plain: dict[str, str | Decimal] = {}
    for option in family.options:
        if option.code in full:
            plain[option.code] = str(full[option.code])
    for parameter in family.parameters:
        index = full.get(parameter.code)
        if isinstance(index, int):
            plain[parameter.code] = parameter.value_at(index)
    return plain
