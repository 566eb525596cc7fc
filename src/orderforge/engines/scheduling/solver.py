"""solve(): check, dispatch, then improve with the strongest backend the size allows.

Order of work: input check -> dispatching heuristic (a feasible plan within about a second)
-> one of: iterated local search (one machine), a monolithic CP-SAT model hinted with the
best plan, or LNS over slices -> result with bounds and critical chains. The best plan is
kept across all stages, so a short time limit still returns the heuristic's plan.
"""

from __future__ import annotations

import dataclasses
import threading
import time

from ortools.sat.python import cp_model

from orderforge.engines.scheduling.analysis import headline_bound, trivial_bounds
from orderforge.engines.scheduling.cpsat_model import (
    ModelBuilder,
    SubModel,
    make_solver,
    read_plan,
)
from orderforge.engines.scheduling.dispatching import best_dispatch, left_shift
from orderforge.engines.scheduling.indexed import IndexedProblem, index_problem
from orderforge.engines.scheduling.input_check import InvalidProblemError, check_problem
from orderforge.engines.scheduling.neighbourhood import search, time_cap
from orderforge.engines.scheduling.plan import Plan, evaluate, has_due_dates, headline, score
from orderforge.engines.scheduling.problem import ProblemData, Secondary, SolverSettings
from orderforge.engines.scheduling.result import (
    ProgressCallback,
    Result,
    job_outcomes,
    to_schedule,
)
from orderforge.engines.scheduling.single_machine import SequencingJob, sequence_jobs
from orderforge.engines.scheduling.tabu import TabuSearch
from orderforge.engines.scheduling.tabu import applies as tabu_applies

CIRCUIT_NODES_LIMIT = 120  # per resource; a bigger circuit is left to LNS slices
#: Calendar windows an interruptible operation may span, summed over the model: beyond this
#: the working-time element constraints of one monolithic model take longer to presolve than
#: any time limit a planner waits, so CP-SAT only sees neighbourhoods (LNS).
ELEMENT_LIMIT = 20_000
#: On makespan problems small enough for one CP-SAT model the tabu search leads for a share
#: of the time that grows with size (RELAY_MIN_SHARE up to all of it at RELAY_FULL_OPERATIONS):
#: on a few hundred operations CP-SAT's own neighbourhood search gains more per CPU second,
#: on thousands the tabu search does. CP-SAT then takes over with all workers, hinted with
#: the best plan (a good hint speeds its search; a dispatching one slows it).
RELAY_MIN_SHARE = 0.1
RELAY_FULL_OPERATIONS = 2000
#: The single-machine search keeps n x n arrays of 64-bit costs: beyond this many jobs they
#: would crowd memory, and the general path takes over.
SEQUENCING_LIMIT = 3000


class Incumbent:
    """The best plan so far; reports every improvement to the progress callback."""

    def __init__(
        self, ix: IndexedProblem, started: float, on_progress: ProgressCallback | None
    ) -> None:
        self.ix = ix
        self.started = started
        self.on_progress = on_progress
        self.plan: Plan | None = None
        self.key: tuple[int, int] | None = None
        self.backend = "heuristic"
        self.bound = headline_bound(ix, trivial_bounds(ix))
        self.lock = threading.Lock()  # searches running side by side offer plans

    def offer(self, plan: Plan, backend: str) -> bool:
        key = score(self.ix, evaluate(self.ix, plan))
        with self.lock:
            if self.key is not None and key >= self.key:
                return False
            self.plan, self.key, self.backend = plan, key, backend
            self.report()
            return True

    def raise_bound(self, bound: int) -> None:
        with self.lock:
            if bound > self.bound:
                self.bound = bound
                self.report()

    @property
    def closed(self) -> bool:
        """The best plan meets the bound: nothing left to find."""
        return self.key is not None and self.headline <= self.bound

    @property
    def headline(self) -> int:
        assert self.key is not None
        return headline(self.ix, self.key)

    def report(self) -> None:
        if self.on_progress is not None and self.key is not None:
            self.on_progress(time.monotonic() - self.started, self.headline, self.bound)


def solve(
    problem: ProblemData,
    settings: SolverSettings | None = None,
    on_progress: ProgressCallback | None = None,
) -> Result:
    """Schedule `problem`; raises InvalidProblemError listing every input problem."""
    started = time.monotonic()
    settings = settings or SolverSettings()
    issues = check_problem(problem)
    if issues:
        raise InvalidProblemError(issues)
    ix = index_problem(problem)
    # keep time to build the result (left shift, critical chains) inside the limit
    reserve = min(0.1 * settings.time_limit, 0.02 + 3e-5 * ix.n_ops)
    deadline = started + settings.time_limit - reserve
    inc = Incumbent(ix, started, on_progress)
    inc.offer(best_dispatch(ix, min(1.0, 0.1 * settings.time_limit)), "heuristic")
    proven = _single_level(ix) and inc.headline <= inc.bound
    if settings.backend != "heuristic" and not proven:
        proven = _improve(ix, inc, settings, deadline)
    assert inc.plan is not None
    if ix.problem.objective.stability_weight == 0 or not ix.reference:
        compact = left_shift(ix, inc.plan)
        compact_key = score(ix, evaluate(ix, compact))
        if compact_key <= score(ix, evaluate(ix, inc.plan)):
            # the reported objective is the plan's as returned (a left shift can gain)
            inc.plan, inc.key = compact, compact_key
    values = evaluate(ix, inc.plan)
    return Result(
        schedule=to_schedule(ix, inc.plan),
        objective=inc.headline,
        values=values,
        lower_bound=min(inc.bound, inc.headline),
        optimal=proven or (_single_level(ix) and inc.headline <= inc.bound),
        seconds=time.monotonic() - started,
        backend=inc.backend,
        jobs=job_outcomes(ix, inc.plan),
    )


def _single_level(ix: IndexedProblem) -> bool:
    """True when the headline value is the whole objective, so headline == bound proves it."""
    obj = ix.problem.objective
    if not obj.lexicographic or not has_due_dates(ix):
        return True
    return obj.secondary == Secondary.NONE and (obj.stability_weight == 0 or not ix.reference)


def _improve(ix: IndexedProblem, inc: Incumbent, settings: SolverSettings, deadline: float) -> bool:
    """Run the improving backend; returns True if optimality was proven."""
    assert inc.plan is not None
    sequencing = _sequencing(ix) if settings.backend == "auto" else None
    if sequencing is not None:
        _sequence(ix, inc, settings, deadline, sequencing)
        return False
    if settings.backend == "auto" and tabu_applies(ix):
        return _hybrid(ix, inc, settings, deadline)
    movable = ix.n_ops - len(ix.frozen)
    cap = time_cap(ix, inc.plan)
    if settings.backend == "cpsat" or (
        movable <= settings.max_monolithic_operations
        and _circuits_fit(ix)
        and _element_load(ix, cap) <= ELEMENT_LIMIT
    ):
        return _monolithic(ix, inc, settings, deadline)
    search(ix, inc.plan, settings, deadline, lambda plan: inc.offer(plan, "lns"), cap)
    return False


def _element_load(ix: IndexedProblem, cap: int) -> int:
    load = 0
    for o in range(ix.n_ops):
        if o in ix.frozen:
            continue
        for r, _ in ix.modes[o]:
            cal = ix.calendars[r]
            if ix.interruptible[r] and not cal.continuous:
                load += len(cal.windows(0, cap))
    return load


def _circuits_fit(ix: IndexedProblem) -> bool:
    counts = [0] * len(ix.res_keys)
    for modes in ix.modes:
        for r, _ in modes:
            counts[r] += 1
    return all(ix.setup[r] is None or counts[r] <= CIRCUIT_NODES_LIMIT for r in range(len(counts)))


class _Progress(cp_model.CpSolverSolutionCallback):
    """Feeds each CP-SAT solution (and its bound) to the incumbent as it is found."""

    def __init__(self, inc: Incumbent, sub: SubModel) -> None:
        super().__init__()
        self.inc = inc
        self.sub = sub

    def on_solution_callback(self) -> None:
        assert self.inc.plan is not None
        plan = self.inc.plan.copy()
        read_plan(self, self.sub, plan)  # type: ignore[arg-type]
        self.inc.offer(plan, "cpsat")
        self.inc.raise_bound(self.sub.headline(self.best_objective_bound))


def _hybrid(ix: IndexedProblem, inc: Incumbent, settings: SolverSettings, deadline: float) -> bool:
    """Tabu search in this thread, CP-SAT on the other workers beside it, then CP-SAT alone.

    The tabu search finds good makespans fast at any size; CP-SAT (its own model, no hint:
    a dispatching hint only slows it down) raises the lower bound, proves small instances
    optimal and sometimes finds a better plan, which the tabu search picks up when it next
    restarts. Whichever closes the gap first stops the other. After the tabu search's share
    of the time CP-SAT takes over with every worker, hinted with the best plan; a problem
    too big for one model leaves the whole time to the tabu search.
    """
    assert inc.plan is not None
    fits = ix.n_ops <= settings.max_monolithic_operations
    share = min(1.0, max(RELAY_MIN_SHARE, ix.n_ops / RELAY_FULL_OPERATIONS)) if fits else 1.0
    ts_deadline = time.monotonic() + share * (deadline - time.monotonic())
    search = TabuSearch(ix, inc.plan, settings.random_seed)
    proven = threading.Event()
    beside = None
    build_seconds = 0.0
    if settings.num_workers > 1 and fits:
        built = time.monotonic()
        sub = ModelBuilder(ix, None, range(ix.n_ops), (0, ix.horizon)).build()
        build_seconds = time.monotonic() - built
        solver = make_solver(
            dataclasses.replace(settings, num_workers=settings.num_workers - 1),
            ts_deadline - time.monotonic(),
        )
        beside = threading.Thread(target=_solve_beside, args=(solver, sub, inc, proven))
        beside.start()
    try:
        search.run(
            ts_deadline,
            lambda plan: inc.offer(plan, "tabu"),
            stop=lambda: proven.is_set() or inc.closed,
            outside=lambda: inc.plan,
        )
    finally:
        while beside is not None and beside.is_alive():
            solver.stop_search()  # a no-op until its solve() has started: repeat
            beside.join(0.05)
    left = deadline - time.monotonic()
    if fits and not inc.closed and not proven.is_set() and left > 2 * build_seconds + 0.5:
        return _monolithic(ix, inc, settings, deadline)
    return proven.is_set() or inc.closed


def _solve_beside(
    solver: cp_model.CpSolver, sub: SubModel, inc: Incumbent, proven: threading.Event
) -> None:
    status = solver.solve(sub.model, _Progress(inc, sub))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        inc.raise_bound(sub.headline(solver.best_objective_bound))
    if status == cp_model.OPTIMAL:
        proven.set()


def _monolithic(
    ix: IndexedProblem, inc: Incumbent, settings: SolverSettings, deadline: float
) -> bool:
    assert inc.plan is not None
    movable = [o for o in range(ix.n_ops) if o not in ix.frozen]
    hint = inc.plan if settings.use_hint else None
    sub = ModelBuilder(ix, hint, movable, (0, ix.horizon)).build()
    solver = make_solver(settings, deadline - time.monotonic())
    status = solver.solve(sub.model, _Progress(inc, sub))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    inc.raise_bound(sub.headline(solver.best_objective_bound))
    return bool(status == cp_model.OPTIMAL)


def _sequencing(ix: IndexedProblem) -> tuple[list[SequencingJob], tuple[int, int]] | None:
    """The problem as jobs to sequence on one machine, with the cost coefficients, or None.

    It applies to one always-open resource, one operation per job, nothing but release 0
    and due dates: makespan is then constant (no idle time is ever useful), so only the
    order matters. Not beyond `SEQUENCING_LIMIT` jobs (n x n arrays), nor when the costs
    could overflow the search's 64-bit arithmetic.
    """
    obj = ix.problem.objective
    if not (
        len(ix.res_keys) == 1
        and 1 <= ix.n_ops <= SEQUENCING_LIMIT
        and all(len(ops) == 1 for ops in ix.job_ops)
        and not ix.frozen
        and not ix.reference
        and not ix.problem.pins
        and all(not p for p in ix.preds)
        and all(r == 0 for r in ix.release)
        and ix.setup[0] is None
        and ix.calendars[0].always_open
        and obj.secondary != Secondary.MAKESPAN
    ):
        return None
    jobs = [
        SequencingJob(ix.modes[o][0][1], ix.job_weight[ix.op_job[o]], _due(ix, o))
        for o in range(ix.n_ops)
    ]
    total = sum(j.duration for j in jobs)
    flow = 1 if obj.secondary == Secondary.TOTAL_FLOW_TIME else 0
    if obj.lexicographic:
        coef = (flow * total * len(jobs) + 1, flow)
    else:
        coef = (obj.tardiness_weight, obj.secondary_weight * flow)
    worst = (coef[0] * max(j.weight for j in jobs) + coef[1]) * total * len(jobs)
    return (jobs, coef) if worst < 2**62 else None


def _sequence(
    ix: IndexedProblem,
    inc: Incumbent,
    settings: SolverSettings,
    deadline: float,
    sequencing: tuple[list[SequencingJob], tuple[int, int]],
) -> None:
    jobs, coef = sequencing

    def offer(sequence: list[int], _cost: int) -> None:
        plan = Plan.empty(ix.n_ops)
        t = 0
        for o in sequence:
            plan.resource[o], plan.start[o], plan.end[o] = 0, t, t + jobs[o].duration
            t += jobs[o].duration
        inc.offer(plan, "local_search")

    sequence_jobs(jobs, coef, deadline, settings.random_seed, offer)


def _due(ix: IndexedProblem, o: int) -> int:
    due = ix.job_due[ix.op_job[o]]
    return ix.horizon * 4 if due is None else due
