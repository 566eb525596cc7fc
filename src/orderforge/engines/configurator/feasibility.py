"""The load-time checks that need the solver: rules solvable, a product exists, defaults fit.

A catalogue whose rules exclude every product, or whose defaults already break a rule,
would only fail later in front of a customer; both are refused at load with the minimal
set of rules (and defaults) responsible.
"""

from __future__ import annotations

from orderforge.engines.configurator.catalogue import Family
from orderforge.engines.configurator.conflicts import find_conflicts
from orderforge.engines.configurator.errors import Issue
from orderforge.engines.configurator.family_model import Assignment, FamilyModel
from orderforge.engines.configurator.solving import family_state, fixed_model, run, solution_of

__all__ = ["check_family"]


def check_family(family: Family) -> list[Issue]:
    """Issues found by the solver; [] when the family is usable."""
    model = FamilyModel(family)
    if model.issues:
        return model.issues
    state = family_state(family, model)
    solver = run(fixed_model(state, {}))
    if solver is None:
        return [Issue("rules", c.message) for c in find_conflicts(family, {})]
    state.remember(model.read(solution_of(solver)))
    defaults = _defaults(family)
    if defaults and run(fixed_model(state, defaults)) is None:
        conflicts = find_conflicts(family, defaults)
        return [Issue("defaults", f"the defaults break the rules. {c.message}") for c in conflicts]
    return []


def _defaults(family: Family) -> Assignment:
    found: Assignment = {}
    for option in family.options:
        if option.default is not None:
            found[option.code] = option.default
    for parameter in family.parameters:
        if parameter.default is not None:
            index = parameter.index_of(parameter.default)
            if index is not None:
                found[parameter.code] = index
    return found
