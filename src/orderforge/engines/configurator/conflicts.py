"""Explaining why a spec is impossible: a minimal set of choices and rules, in words.

CP-SAT is given one assumption literal per chosen value and per rule. When the spec is
infeasible it returns a sufficient subset (`sufficient_assumptions_for_infeasibility`);
that core is then shrunk by deletion until every remaining member is needed: drop one,
and a valid product exists. The result is subset-minimal (not necessarily the smallest
possible), and deterministic because members are tried in catalogue order. After one
conflict is found its choices are set aside and the search repeats, so a spec with two
independent problems gets both explained.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from orderforge.engines.configurator.catalogue import Family, Rule
from orderforge.engines.configurator.family_model import Assignment
from orderforge.engines.configurator.solving import family_state, feasible, new_solver
from orderforge.engines.configurator.spec import show_value

__all__ = ["Conflict", "SpecItem", "find_conflicts"]

MAX_CONFLICTS = 5


@dataclass(frozen=True, slots=True)
class SpecItem:
    """One value of a spec: `name` the option/parameter, `value` the choice or "2400 mm"."""

    name: str
    value: str
    label: str
    defaulted: bool = False


@dataclass(frozen=True, slots=True)
class Conflict:
    """Choices and rules that cannot all hold; removing any one of them would fix it."""

    message: str
    rules: tuple[str, ...]
    items: tuple[SpecItem, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The options and parameters involved."""
        return tuple(item.name for item in self.items)


# An assumption: (literal index, the spec item name or None, the rule or None).
_Member = tuple[int, str | None, Rule | None]


def find_conflicts(
    family: Family, spec: Assignment, defaulted: frozenset[str] = frozenset()
) -> list[Conflict]:
    """Minimal conflicts of `spec` with the rules; [] when the spec can be completed."""
    state = family_state(family)
    base = state.model
    clone = base.model.clone()
    pool: list[_Member] = []
    for name in _ordered(family, spec):
        value = spec[name]
        if name in base.choices:
            pool.append((base.choices[name][str(value)].index, name, None))
        else:
            chosen = clone.new_bool_var(f"spec:{name}")
            index_var = clone.get_int_var_from_proto_index(base.indices[name].index)
            clone.add(index_var == value).only_enforce_if(chosen)
            pool.append((chosen.index, name, None))
    pool += [(base.rule_literals[rule.id].index, None, rule) for rule in family.rules]
    conflicts: list[Conflict] = []
    while len(conflicts) < MAX_CONFLICTS:
        core = _core(clone, pool)
        if core is None:
            break
        core = _shrink(clone, core)
        conflicts.append(_describe(family, spec, core, defaulted))
        blamed = {member for member in core if member[1] is not None}
        if not blamed:
            break
        pool = [member for member in pool if member not in blamed]
    return conflicts


def _ordered(family: Family, spec: Assignment) -> list[str]:
    order = [*family.option_by_code, *family.parameter_by_code]
    return [name for name in order if name in spec]


def _core(clone: cp_model.CpModel, members: list[_Member]) -> list[_Member] | None:
    """A subset of `members` that is infeasible on its own, or None if all can hold."""
    clone.clear_assumptions()
    clone.add_assumptions([clone.get_bool_var_from_proto_index(abs(m[0])) for m in members])
    solver = new_solver()
    if feasible(solver, clone):
        return None
    found = set(solver.sufficient_assumptions_for_infeasibility())
    core = [member for member in members if member[0] in found]
    return core or list(members)


def _shrink(clone: cp_model.CpModel, core: list[_Member]) -> list[_Member]:
    """Deletion: drop each member whose removal keeps the rest infeasible."""
    needed: list[_Member] = []
    unknown = list(core)
    while unknown:
        member = unknown.pop(0)
        smaller = _core(clone, needed + unknown)
        if smaller is None:
            needed.append(member)
        else:
            kept = set(smaller)
            unknown = [m for m in unknown if m in kept]
    return needed


def _describe(
    family: Family, spec: Assignment, core: list[_Member], defaulted: frozenset[str]
) -> Conflict:
    items = tuple(_item(family, name, spec[name], name in defaulted) for _, name, _ in core if name)
    rules = [rule for _, _, rule in core if rule is not None]
    reasons = "; ".join(rule.message for rule in rules)
    labels = [item.label + (" (default)" if item.defaulted else "") for item in items]
    if not labels:
        ids = ", ".join(rule.id for rule in rules)
        message = f"The rules {ids} leave no valid product: {reasons}."
    elif len(labels) == 1:
        message = f"{_capital(labels[0])} is not possible: {reasons}."
    elif len(labels) == 2:
        message = f"{_capital(labels[0])} excludes {labels[1]}: {reasons}."
    else:
        listed = ", ".join(labels[:-1])
        message = f"{_capital(listed)} and {labels[-1]} cannot be combined: {reasons}."
    return Conflict(message, tuple(rule.id for rule in rules), items)


def _item(family: Family, name: str, value: str | int, defaulted: bool) -> SpecItem:
    shown = show_value(family, name, value)
    label = family.label(name)
    label = label[:1].lower() + label[1:]
    if name in family.option_by_code:
        return SpecItem(name, str(value), f"{shown} {label}", defaulted)
    return SpecItem(name, shown, f"{label} {shown}", defaulted)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
