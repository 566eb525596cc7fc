"""CP-SAT model of a (sub)problem: some operations free, the rest fixed where they are.

The same builder serves the monolithic model (everything free) and every LNS neighbourhood
(the operations of a time window free, the rest fixed), so there is one formulation to trust.
Alternatives are optional intervals; sequence-dependent setups use a circuit per resource
(only where a setup matrix exists); interruptible calendars use the working-time identity
explained in calendar.py, with element constraints over the candidate working intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from orderforge.engines.scheduling.indexed import IndexedProblem
from orderforge.engines.scheduling.plan import Plan, has_due_dates
from orderforge.engines.scheduling.problem import Secondary, SolverSettings

Var = Any  # ortools is untyped; this alias keeps signatures readable


@dataclass(slots=True)
class ModeVars:
    resource: int
    presence: Var
    start: Var
    end: Var
    interval: Var


@dataclass(slots=True)
class SubModel:
    """A built model plus what is needed to read a plan back and scale its objective."""

    model: cp_model.CpModel
    free: list[int]
    starts: dict[int, Var] = field(default_factory=dict)
    ends: dict[int, Var] = field(default_factory=dict)
    modes: dict[int, list[ModeVars]] = field(default_factory=dict)
    tardiness_scale: int = 1
    scaled: bool = False

    def headline(self, value: float) -> int:
        """Map a solver objective (or bound) back to the reported headline value."""
        v = round(value)
        return v // self.tardiness_scale if self.scaled else v


class ModelBuilder:
    """Builds a SubModel; `current` supplies fixed positions and the hint."""

    def __init__(
        self, ix: IndexedProblem, current: Plan | None, free: Sequence[int], window: tuple[int, int]
    ) -> None:
        self.ix = ix
        self.current = current
        self.free = [o for o in free if o not in ix.frozen]
        self.free_set = set(self.free)
        self.lo, self.hi = window
        self.sub = SubModel(cp_model.CpModel(), self.free)
        self.m = self.sub.model
        self.resources_with_history: set[int] = set()
        self.fixed_cache: list[tuple[int, int, int, int]] | None = None

    def fixed_position(self, o: int) -> tuple[int, int, int]:
        if o in self.ix.frozen:
            return self.ix.frozen[o]
        assert self.current is not None, "non-free operations need a current plan"
        return self.current.resource[o], self.current.start[o], self.current.end[o]

    def build(self) -> SubModel:
        for o in self.free:
            self._add_operation(o)
        for o in self.free:
            for p in self.ix.preds[o]:
                if p in self.free_set:
                    self.m.add(self.sub.ends[p] <= self.sub.starts[o])
        self._add_resources()
        self._add_objective()
        if self.current is not None:
            self._add_hint(self.current)
        return self.sub

    def _bounds(self, o: int) -> tuple[int, int]:
        est = max(self.ix.release[o], self.lo)
        lft = self.hi
        for p in self.ix.preds[o]:
            if p not in self.free_set:
                est = max(est, self.fixed_position(p)[2])
        for s in self.ix.succs[o]:
            if s not in self.free_set:
                lft = min(lft, self.fixed_position(s)[1])
        return est, lft

    def _add_operation(self, o: int) -> None:
        est, lft = self._bounds(o)
        start = self.m.new_int_var(est, max(est, lft), f"s{o}")
        end = self.m.new_int_var(est, max(est, lft), f"e{o}")
        self.sub.starts[o], self.sub.ends[o] = start, end
        options = self.ix.modes[o]
        modes: list[ModeVars] = []
        for r, duration in options:
            single = len(options) == 1
            mv = self._mode(o, r, duration, (start, end, est, lft), single)
            if mv is not None:
                modes.append(mv)
        if not modes:
            self.m.add_bool_or([])  # no room in this window: the neighbourhood is infeasible
            return
        if len(modes) == 1:
            self.m.add(modes[0].presence == 1)
        else:
            self.m.add_exactly_one(mv.presence for mv in modes)
        for mv in modes:
            if mv.start is not start:
                self.m.add(start == mv.start).only_enforce_if(mv.presence)
                self.m.add(end == mv.end).only_enforce_if(mv.presence)
        self.sub.modes[o] = modes

    def _mode(
        self, o: int, r: int, duration: int, op: tuple[Var, Var, int, int], single: bool
    ) -> ModeVars | None:
        """Optional interval on the operation's own start/end (shared by all its modes, which
        propagates far better than per-mode copies); interruptible calendars need their own."""
        start, end, est, lft = op
        cal = self.ix.calendars[r]
        windows = cal.windows(est, lft)
        presence = self.m.new_constant(1) if single else self.m.new_bool_var(f"x{o}_{r}")
        if self.ix.interruptible[r] and len(windows) > 1:
            return self._interruptible_mode(o, r, duration, (est, lft), windows, presence)
        spans = []
        for k in windows:
            a, b = max(cal.starts[k], est), min(cal.ends[k], lft) - duration
            if a <= b:
                spans.append([a, b])
        if not spans:
            return None
        if len(spans) > 1 or spans[0] != [est, lft - duration]:
            domain = cp_model.Domain.from_intervals(spans)
            self.m.add_linear_expression_in_domain(start, domain).only_enforce_if(presence)
        if single:
            interval = self.m.new_interval_var(start, duration, end, f"i{o}_{r}")
        else:
            interval = self.m.new_optional_interval_var(start, duration, end, presence, f"i{o}_{r}")
        return ModeVars(r, presence, start, end, interval)

    def _interruptible_mode(
        self,
        o: int,
        r: int,
        duration: int,
        bounds: tuple[int, int],
        windows: list[int],
        presence: Var,
    ) -> ModeVars | None:
        cal = self.ix.calendars[r]
        est, lft = bounds
        first = cal.earliest(est, duration, True)
        if first is None or first[1] > lft:
            return None
        starts = [cal.starts[k] for k in windows]
        ends = [cal.ends[k] for k in windows]
        gaps = [cal.gap_before[k] for k in windows]
        n = len(windows) - 1
        k_s, k_e = self.m.new_int_var(0, n, f"ks{o}_{r}"), self.m.new_int_var(0, n, f"ke{o}_{r}")
        start = self.m.new_int_var(est, lft, f"s{o}_{r}")
        end = self.m.new_int_var(est, lft, f"e{o}_{r}")
        size = self.m.new_int_var(duration, max(duration, lft - est), f"d{o}_{r}")
        values = {}
        for name, index, table in (
            ("as", k_s, starts), ("bs", k_s, ends), ("gs", k_s, gaps),
            ("ae", k_e, starts), ("be", k_e, ends), ("ge", k_e, gaps),
        ):  # fmt: skip
            values[name] = self.m.new_int_var(min(table), max(table), f"{name}{o}_{r}")
            self.m.add_element(index, table, values[name])
        self.m.add(k_s <= k_e)
        self.m.add(start >= values["as"])
        self.m.add(start + 1 <= values["bs"])
        self.m.add(end >= values["ae"] + 1)
        self.m.add(end <= values["be"])
        self.m.add(end - values["ge"] == start - values["gs"] + duration)
        interval = self.m.new_optional_interval_var(start, size, end, presence, f"i{o}_{r}")
        return ModeVars(r, presence, start, end, interval)

    def _add_resources(self) -> None:
        by_res: dict[int, list[tuple[int, ModeVars]]] = {}
        for o in self.free:
            for mv in self.sub.modes.get(o, []):
                by_res.setdefault(mv.resource, []).append((o, mv))
        fixed_by_res = self._fixed_neighbours(set(by_res))
        for r, entries in by_res.items():
            fixed = fixed_by_res.get(r, [])
            intervals = [mv.interval for _, mv in entries]
            intervals += [
                self.m.new_fixed_size_interval_var(s, e - s, f"f{o}") for o, s, e in fixed
            ]
            self.m.add_no_overlap(intervals)
            if self.ix.setup[r] is not None:
                self._add_circuit(r, entries, fixed)

    def _fixed_neighbours(self, resources: set[int]) -> dict[int, list[tuple[int, int, int]]]:
        """Fixed operations on the touched resources that a free one could collide with."""
        out: dict[int, list[tuple[int, int, int]]] = {}
        for o, r, s, e in self._fixed_positions():
            if r not in resources:
                continue
            margin = self.ix.max_setup[r]
            if e > self.lo - margin and s < self.hi + margin:
                out.setdefault(r, []).append((o, s, e))
            elif e <= self.lo - margin:
                self.resources_with_history.add(r)
        return out

    def _fixed_positions(self) -> list[tuple[int, int, int, int]]:
        """(operation, resource, start, end) of every operation that is not free."""
        if self.fixed_cache is not None:
            return self.fixed_cache
        self.fixed_cache = [(o, r, s, e) for o, (r, s, e) in self.ix.frozen.items()]
        if self.current is not None:
            res, start, end = self.current.resource, self.current.start, self.current.end
            free, skip = self.free_set, self.ix.frozen
            self.fixed_cache += [
                (o, res[o], start[o], end[o])
                for o in range(self.ix.n_ops)
                if o not in free and o not in skip
            ]
        return self.fixed_cache

    def _add_circuit(
        self, r: int, entries: list[tuple[int, ModeVars]], fixed: list[tuple[int, int, int]]
    ) -> None:
        """Successor literals per pair; a chosen arc forces the changeover gap."""
        nodes: list[tuple[int, Var, Var, Var | None]] = [
            (o, mv.start, mv.end, mv.presence) for o, mv in entries
        ]
        nodes += [(o, s, e, None) for o, s, e in fixed]
        first_is_first = r not in self.resources_with_history
        arcs: list[tuple[int, int, Var]] = []
        for i, (o, start, end, presence) in enumerate(nodes, start=1):
            is_first = self.m.new_bool_var("")
            arcs += [(0, i, is_first), (i, 0, self.m.new_bool_var(""))]
            if presence is not None:
                arcs.append((i, i, ~presence))
            if first_is_first:
                self.m.add(start >= self.ix.setup_time(r, -1, o)).only_enforce_if(is_first)
            for k, (o2, start2, _, presence2) in enumerate(nodes, start=1):
                gap = self.ix.setup_time(r, o, o2)
                both_fixed = presence is None and presence2 is None
                if k == i or (both_fixed and start2 < end + gap):
                    continue
                lit = self.m.new_bool_var("")
                arcs.append((i, k, lit))
                if not both_fixed:
                    self.m.add(start2 >= end + gap).only_enforce_if(lit)
        if all(n[3] is not None for n in nodes):
            arcs.append((0, 0, self.m.new_bool_var("")))
        self.m.add_circuit(arcs)

    def _add_objective(self) -> None:
        ix, obj = self.ix, self.ix.problem.objective
        jobs = sorted({ix.op_job[o] for o in self.free})
        done = self._job_completions(jobs)
        lateness = []
        for j in jobs:
            due = ix.job_due[j]
            if due is not None and ix.job_weight[j] > 0:
                late = self.m.new_int_var(0, max(0, self.hi - due), f"t{j}")
                self.m.add(late >= done[j] - due)
                lateness.append(ix.job_weight[j] * late)
        twt = sum(lateness)
        rest, rest_ub = self._secondary(jobs, done)
        stab, stab_ub = self._stability()
        rest = obj.secondary_weight * rest + obj.stability_weight * stab
        rest_ub = obj.secondary_weight * rest_ub + obj.stability_weight * stab_ub
        if obj.lexicographic and has_due_dates(ix):
            self.sub.tardiness_scale = rest_ub + 1
            self.sub.scaled = True
            self.m.minimize(self.sub.tardiness_scale * twt + rest)
        elif obj.lexicographic:
            self.m.minimize(rest)
        else:
            self.m.minimize(obj.tardiness_weight * twt + rest)

    def _job_completions(self, jobs: list[int]) -> dict[int, Var]:
        done: dict[int, Var] = {}
        for j in jobs:
            fixed_end = max(
                (self.fixed_position(o)[2] for o in self.ix.job_ops[j] if o not in self.free_set),
                default=0,
            )
            var = self.m.new_int_var(max(fixed_end, 0), max(self.hi, fixed_end), f"c{j}")
            for o in self.ix.job_ops[j]:
                if o in self.free_set and not any(
                    s in self.free_set and self.ix.op_job[s] == j for s in self.ix.succs[o]
                ):
                    self.m.add(var >= self.sub.ends[o])
            done[j] = var
        return done

    def _secondary(self, jobs: list[int], done: dict[int, Var]) -> tuple[Any, int]:
        secondary = self.ix.problem.objective.secondary
        if secondary == Secondary.MAKESPAN:
            fixed = [e for _, _, _, e in self._fixed_positions()]
            span = self.m.new_int_var(0, max([self.hi, *fixed]), "makespan")
            self.m.add_max_equality(span, [*(done[j] for j in jobs), max(fixed, default=0)])
            return span, max([self.hi, *fixed])
        if secondary == Secondary.TOTAL_FLOW_TIME:
            flow = sum(done[j] - self.ix.job_release[j] for j in jobs)
            return flow, sum(max(self.hi, 0) for _ in jobs)
        return 0, 0

    def _stability(self) -> tuple[Any, int]:
        ix = self.ix
        if ix.problem.objective.stability_weight == 0 or not ix.reference:
            return 0, 0
        penalty = ix.problem.objective.resource_change_penalty
        terms: list[Any] = []
        bound = 0
        for o in self.free:
            if o not in ix.reference or o not in self.sub.modes:
                continue
            r, s = ix.reference[o]
            dev = self.m.new_int_var(0, ix.horizon, f"dev{o}")
            self.m.add_abs_equality(dev, self.sub.starts[o] - s)
            terms.append(dev)
            same = [mv.presence for mv in self.sub.modes[o] if mv.resource == r]
            terms.append(penalty * (1 - same[0]) if same else penalty)
            bound += ix.horizon + penalty
            move = ix.problem.objective.move_penalty
            if move:
                moved = self.m.new_bool_var(f"mv{o}")
                self.m.add(self.sub.starts[o] == s).only_enforce_if(~moved)
                if same:
                    self.m.add_implication(~moved, same[0])
                else:
                    self.m.add(moved == 1)
                terms.append(move * moved)
                bound += move
        return sum(terms), bound

    def _add_hint(self, plan: Plan) -> None:
        for o in self.free:
            if o not in self.sub.modes:
                continue
            self.m.add_hint(self.sub.starts[o], plan.start[o])
            self.m.add_hint(self.sub.ends[o], plan.end[o])
            if len(self.sub.modes[o]) > 1:
                for mv in self.sub.modes[o]:
                    self.m.add_hint(mv.presence, mv.resource == plan.resource[o])


def make_solver(
    settings: SolverSettings, seconds: float, seed_offset: int = 0
) -> cp_model.CpSolver:
    """A CP-SAT solver with the run's explicit settings.

    Strong disjunctive propagation costs a little per node but closes machine sequences much
    faster; on the Lawrence job shops it was consistently better at a 10 s limit.
    """
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    solver.parameters.num_workers = settings.num_workers
    solver.parameters.random_seed = settings.random_seed + seed_offset
    solver.parameters.log_search_progress = settings.log_search
    solver.parameters.use_strong_propagation_in_disjunctive = True
    return solver


def read_plan(solver: cp_model.CpSolver, sub: SubModel, into: Plan) -> None:
    """Copy the free operations' positions from a solved model into `into`."""
    for o in sub.free:
        if o not in sub.modes:
            continue
        into.start[o] = solver.value(sub.starts[o])
        into.end[o] = solver.value(sub.ends[o])
        into.resource[o] = next(
            mv.resource for mv in sub.modes[o] if solver.boolean_value(mv.presence)
        )
