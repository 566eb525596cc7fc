"""What is still possible after a partial spec: exact domains, so no choice is a dead end.

A value is offered only when a full valid product with that value has been seen (a
witness), and withheld only when CP-SAT has proven that none exists. The search:

1. Earlier witnesses that agree with the spec are re-used; earlier proofs of impossible
   values are re-used for specs that extend the spec they were proven for.
2. Every witness supports one value of every variable at once, and is widened by
   `sweep.py`: the other values of each variable that keep the same product valid.
3. While values remain undecided, one CP-SAT call asks for a product using at least one of
   them (a single clause over all undecided values of all variables). Each answer decides
   at least one value; "infeasible" decides all the rest at once as impossible.

So the answer is exact both ways: every offered value completes to a valid spec, and every
completable value is offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ortools.sat.python import cp_model

from orderforge.engines.configurator.catalogue import Family
from orderforge.engines.configurator.conflicts import Conflict, find_conflicts
from orderforge.engines.configurator.family_model import Assignment
from orderforge.engines.configurator.grid_set import GridSet
from orderforge.engines.configurator.solving import (
    FamilyState,
    family_state,
    fixed_model,
    solution_of,
    solve,
)
from orderforge.engines.configurator.spec import environment, read_spec
from orderforge.engines.configurator.sweep import other_choices, other_values

__all__ = ["Domains", "ParameterDomain", "ValueRange", "remaining_domains"]

#: Earlier witnesses widened by sweeping before the solver is asked.
SWEPT_WITNESSES = 8


@dataclass(frozen=True, slots=True)
class ValueRange:
    """minimum, minimum + step, ..., maximum (all possible)."""

    minimum: Decimal
    maximum: Decimal
    step: Decimal


@dataclass(frozen=True, slots=True)
class ParameterDomain:
    """The still-possible values of a parameter: a union of stepped ranges."""

    unit: str
    ranges: tuple[ValueRange, ...]

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, Decimal | int):
            return False
        number = Decimal(value)
        return any(
            r.minimum <= number <= r.maximum and (number - r.minimum) % r.step == 0
            for r in self.ranges
        )


@dataclass(frozen=True)
class Domains:
    """Per option the possible choice codes (catalogue order), per parameter its ranges.

    `consistent` is False when the partial spec itself cannot be completed; then every
    domain is empty and `conflicts` says why.
    """

    options: dict[str, tuple[str, ...]]
    parameters: dict[str, ParameterDomain]
    consistent: bool
    conflicts: tuple[Conflict, ...] = ()


def remaining_domains(family: Family, partial_spec: Mapping[str, object]) -> Domains:
    """Exact remaining domains of every option and parameter given `partial_spec`."""
    fixed = read_spec(family, partial_spec)
    search = _Search(family, fixed)
    search.run()
    return search.result()


class _Search:
    def __init__(self, family: Family, fixed: Assignment) -> None:
        self.family = family
        self.fixed = fixed
        self.state: FamilyState = family_state(family)
        dead_choices, dead_values = self.state.known_dead(fixed)
        self.open_choices = {
            o.code: set(o.codes) - dead_choices.get(o.code, frozenset())
            for o in family.options
            if o.code not in fixed
        }
        self.found_choices: dict[str, set[str]] = {name: set() for name in self.open_choices}
        self.open_values = {
            p.code: GridSet.span(0, p.count - 1).without(dead_values.get(p.code, GridSet()))
            for p in family.parameters
            if p.code not in fixed
        }
        self.found_values = {name: GridSet() for name in self.open_values}
        self.proven_dead: dict[str, GridSet] = {}
        self.witnessed = False

    def undecided(self) -> bool:
        return any(self.open_choices.values()) or any(self.open_values.values())

    def run(self) -> None:
        earlier = self.state.matching(self.fixed)
        for witness in earlier:
            self._mark(witness)
        for witness in earlier[:SWEPT_WITNESSES]:
            if not self.undecided():
                break
            self._widen(witness)
        model: cp_model.CpModel | None = None
        while self.undecided() or not self.witnessed:
            model = model or fixed_model(self.state, self.fixed)
            focus = self._focus() if self.witnessed else None
            model.clear_assumptions()
            model.clear_objective()  # type: ignore[no-untyped-call]
            if focus is not None:
                model.add_assumptions([self._push(model, *focus)])
            elif self.witnessed:
                model.add_assumptions([self._ask_for_undecided(model)])
            outcome = solve(model)
            if outcome is None:
                if focus is None:
                    break  # every undecided value is impossible
                self._dead(focus[0], self.open_values[focus[0]])
                continue
            solver, optimal = outcome
            witness = self.state.model.read(solution_of(solver))
            self.state.remember(witness)
            self._mark(witness)
            self._widen(witness)
            if focus is not None and optimal:
                self._beyond(focus, witness[focus[0]])
        if self.witnessed:
            self._record_dead()

    def _record_dead(self) -> None:
        """What is still undecided at the end was proven impossible; keep it for later."""
        choices = {n: frozenset(v) for n, v in self.open_choices.items() if v}
        values: dict[str, GridSet] = {}
        for name, open_values in self.open_values.items():
            gone = open_values.union(self.proven_dead.get(name, GridSet()))
            if gone:
                values[name] = gone
        self.state.remember_dead(self.fixed, (choices, values))

    def _focus(self) -> tuple[str, bool] | None:
        """The parameter with most undecided values beyond its possible ones, and the side.

        Pushing it as far as it goes (an optimal solve) both finds a witness at the far end,
        which the sweep widens back towards the middle, and proves every undecided value
        past the optimum impossible.
        """
        best: tuple[int, str, bool] | None = None
        for name, values in self.open_values.items():
            found = self.found_values[name]
            if not values or not found:
                continue
            low, high = found.bounds()
            above = len(values.intersection(GridSet.span(high + 1, values.bounds()[1])))
            below = len(values.intersection(GridSet.span(values.bounds()[0], low - 1)))
            for count, upward in ((above, True), (below, False)):
                if count and (best is None or count > best[0]):
                    best = (count, name, upward)
        return None if best is None else (best[1], best[2])

    def _push(self, model: cp_model.CpModel, name: str, upward: bool) -> cp_model.IntVar:
        """Ask for an undecided value of `name`, as high (or low) as possible.

        Like every per-iteration part, it is switched on by a fresh literal passed as the
        only assumption, so one model serves the whole query without cloning.
        """
        index = model.get_int_var_from_proto_index(self.state.model.indices[name].index)
        domain = cp_model.Domain.from_intervals([list(r) for r in self.open_values[name].ranges])
        switch = model.new_bool_var(f"push:{name}")
        model.add_linear_expression_in_domain(index, domain).only_enforce_if(switch)
        if upward:
            model.maximize(index)
        else:
            model.minimize(index)
        return switch

    def _beyond(self, focus: tuple[str, bool], reached: str | int) -> None:
        """After an optimal push, undecided values past the optimum are impossible."""
        name, upward = focus
        assert isinstance(reached, int)
        values = self.open_values[name]
        low, high = values.bounds()
        past = GridSet.span(reached + 1, high) if upward else GridSet.span(low, reached - 1)
        self._dead(name, values.intersection(past))

    def _dead(self, name: str, values: GridSet) -> None:
        self.open_values[name] = self.open_values[name].without(values)
        self.proven_dead[name] = self.proven_dead.get(name, GridSet()).union(values)

    def _mark(self, witness: Assignment) -> None:
        """The witness's own values are possible."""
        self.witnessed = True
        for name, choices in self.open_choices.items():
            value = str(witness[name])
            if value in choices:
                choices.discard(value)
                self.found_choices[name].add(value)
        for name, values in self.open_values.items():
            index = witness[name]
            assert isinstance(index, int)
            if index in values:
                point = GridSet.span(index, index)
                self.open_values[name] = values.without(point)
                self.found_values[name] = self.found_values[name].union(point)

    def _widen(self, witness: Assignment) -> None:
        """Values that can replace the witness's value, one variable at a time."""
        env, _ = environment(self.family, witness)
        for name, choices in self.open_choices.items():
            if choices:
                good = other_choices(self.family, env, name, choices)
                choices -= good
                self.found_choices[name] |= good
        for name, values in self.open_values.items():
            if values:
                good_values = other_values(self.family, env, name, values)
                self.open_values[name] = values.without(good_values)
                self.found_values[name] = self.found_values[name].union(good_values)

    def _ask_for_undecided(self, model: cp_model.CpModel) -> cp_model.IntVar:
        """Require at least one undecided value: the answer decides one, or all are dead."""
        base = self.state.model
        lits = [
            model.get_bool_var_from_proto_index(base.choices[name][choice].index)
            for name, choices in self.open_choices.items()
            for choice in sorted(choices)
        ]
        for name, values in self.open_values.items():
            if values:
                inside = model.new_bool_var(f"open:{name}")
                index = model.get_int_var_from_proto_index(base.indices[name].index)
                domain = cp_model.Domain.from_intervals([list(r) for r in values.ranges])
                model.add_linear_expression_in_domain(index, domain).only_enforce_if(inside)
                lits.append(inside)
        switch = model.new_bool_var("ask")
        model.add_bool_or(lits).only_enforce_if(switch)
        return switch

    def result(self) -> Domains:
        family = self.family
        if not self.witnessed:
            conflicts = tuple(find_conflicts(family, self.fixed))
            empty = {p.code: ParameterDomain(p.unit, ()) for p in family.parameters}
            return Domains({o.code: () for o in family.options}, empty, False, conflicts)
        options: dict[str, tuple[str, ...]] = {}
        for option in family.options:
            found = self.found_choices.get(option.code, {str(self.fixed.get(option.code))})
            options[option.code] = tuple(c for c in option.codes if c in found)
        parameters: dict[str, ParameterDomain] = {}
        for p in family.parameters:
            fixed = self.fixed.get(p.code)
            grid = (
                GridSet.span(int(fixed), int(fixed))
                if fixed is not None
                else self.found_values[p.code]
            )
            ranges = tuple(
                ValueRange(p.value_at(lo), p.value_at(hi), p.step) for lo, hi in grid.ranges
            )
            parameters[p.code] = ParameterDomain(p.unit, ranges)
        return Domains(options, parameters, True)
