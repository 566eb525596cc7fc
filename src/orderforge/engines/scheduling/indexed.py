"""The solver-side view of a problem: integer indices instead of string keys.

Both backends work on this form because list lookups are what make a 12,000-operation
dispatching pass fit in a second of Python. validate() deliberately does not use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orderforge.engines.scheduling.calendar import WorkingTime
from orderforge.engines.scheduling.problem import ProblemData, Resource

NO_CLASS = -1


@dataclass(slots=True)
class IndexedProblem:
    """Arrays indexed by operation (o), resource (r) and job (j)."""

    problem: ProblemData
    op_keys: list[str]
    res_keys: list[str]
    job_keys: list[str]
    op_job: list[int]
    modes: list[list[tuple[int, int]]]
    preds: list[list[int]]
    succs: list[list[int]]
    release: list[int]
    op_class: list[int]
    calendars: list[WorkingTime]
    interruptible: list[bool]
    setup: list[list[list[int]] | None]
    max_setup: list[int]
    initial_class: list[int]
    job_ops: list[list[int]]
    job_release: list[int]
    job_due: list[int | None]
    job_weight: list[int]
    frozen: dict[int, tuple[int, int, int]]
    reference: dict[int, tuple[int, int]]
    topo: list[int] = field(default_factory=list)

    @property
    def n_ops(self) -> int:
        return len(self.op_keys)

    @property
    def horizon(self) -> int:
        return self.problem.horizon

    def setup_time(self, r: int, before: int, after: int) -> int:
        """Changeover on resource r from operation `before` (or -1: initial state) to `after`."""
        matrix = self.setup[r]
        if matrix is None:
            return 0
        c_from = self.initial_class[r] if before < 0 else self.op_class[before]
        c_to = self.op_class[after]
        if c_from == NO_CLASS or c_to == NO_CLASS:
            return 0
        return matrix[c_from][c_to]

    def sinks(self, j: int) -> list[int]:
        """Operations of job j that no other operation of the same job waits for."""
        ops = self.job_ops[j]
        return [o for o in ops if all(self.op_job[s] != j for s in self.succs[o])]


def index_problem(problem: ProblemData) -> IndexedProblem:
    """Compile a checked problem; modes that can never fit the calendar are dropped."""
    op_keys = [o.key for o in problem.operations]
    res_keys = [r.key for r in problem.resources]
    job_keys = [j.key for j in problem.jobs]
    op_idx = {k: i for i, k in enumerate(op_keys)}
    res_idx = {k: i for i, k in enumerate(res_keys)}
    job_idx = {k: i for i, k in enumerate(job_keys)}
    classes = _class_names(problem)
    calendars = [WorkingTime(r.calendar, problem.horizon) for r in problem.resources]
    pins = {p.operation: p for p in problem.pins}
    ix = IndexedProblem(
        problem=problem,
        op_keys=op_keys,
        res_keys=res_keys,
        job_keys=job_keys,
        op_job=[job_idx[o.job] for o in problem.operations],
        modes=[],
        preds=[[op_idx[p] for p in o.predecessors] for o in problem.operations],
        succs=[[] for _ in op_keys],
        release=[],
        op_class=[classes.get(o.setup_class, NO_CLASS) for o in problem.operations],
        calendars=calendars,
        interruptible=[r.interruptible for r in problem.resources],
        setup=[_setup_matrix(r, classes) for r in problem.resources],
        max_setup=[],
        initial_class=[classes.get(r.initial_setup_class, NO_CLASS) for r in problem.resources],
        job_ops=[[] for _ in job_keys],
        job_release=[j.release for j in problem.jobs],
        job_due=[j.due for j in problem.jobs],
        job_weight=[j.weight for j in problem.jobs],
        frozen={op_idx[f.operation]: (res_idx[f.resource], f.start, f.end) for f in problem.frozen},
        reference={
            op_idx[s.operation]: (res_idx[s.resource], s.start)
            for s in problem.reference
            if s.resource in res_idx
        },
    )
    ix.max_setup = [max((max(row) for row in m), default=0) if m else 0 for m in ix.setup]
    for o, op in enumerate(problem.operations):
        ix.job_ops[ix.op_job[o]].append(o)
        for p in ix.preds[o]:
            ix.succs[p].append(o)
        pin = pins.get(op.key)
        release = max(ix.job_release[ix.op_job[o]], op.release)
        modes = [(res_idx[m.resource], m.duration) for m in op.modes]
        if pin is not None:
            modes = [m for m in modes if res_keys[m[0]] == pin.resource]
            release = max(release, pin.not_before or 0)
        usable = [
            (r, d)
            for r, d in modes
            if calendars[r].earliest(release, d, ix.interruptible[r]) is not None
        ]
        ix.modes.append(usable or modes)
        ix.release.append(release)
    if problem.objective.keep_reference_resource:
        _hold_reference_units(ix)
    ix.topo = _topological_order(ix.preds, ix.succs)
    return ix


def _hold_reference_units(ix: IndexedProblem) -> None:
    """Keep each reference operation whose slot is still open to its reference unit.

    "Open" means the unit's calendar lets it start there with the same working time and
    no frozen operation overlaps it; an operation whose slot closed (a breakdown, work
    that overran) keeps every eligible unit, because it must go somewhere."""
    frozen_on: dict[int, list[tuple[int, int]]] = {}
    for r, s, e in ix.frozen.values():
        frozen_on.setdefault(r, []).append((s, e))
    for o, (r, start) in ix.reference.items():
        if o in ix.frozen or len(ix.modes[o]) < 2:
            continue
        duration = next((d for m, d in ix.modes[o] if m == r), None)
        if duration is None or start < ix.release[o]:
            continue
        slot = ix.calendars[r].earliest(start, duration, ix.interruptible[r])
        if slot is None or slot[0] != start:
            continue
        if any(s < slot[1] and start < e for s, e in frozen_on.get(r, ())):
            continue
        ix.modes[o] = [(r, duration)]


def _class_names(problem: ProblemData) -> dict[str | None, int]:
    names: set[str] = {o.setup_class for o in problem.operations if o.setup_class is not None}
    for res in problem.resources:
        for a, b in res.setup_times:
            names.update((a, b))
        if res.initial_setup_class is not None:
            names.add(res.initial_setup_class)
    return {name: i for i, name in enumerate(sorted(names))}


def _setup_matrix(res: Resource, classes: dict[str | None, int]) -> list[list[int]] | None:
    """Dense class-by-class matrix, or None when the resource never needs a changeover."""
    if not res.setup_times and res.default_setup == 0:
        return None
    n = len(classes)
    matrix = [[0 if a == b else res.default_setup for b in range(n)] for a in range(n)]
    for (a, b), minutes in res.setup_times.items():
        matrix[classes[a]][classes[b]] = minutes
    if all(v == 0 for row in matrix for v in row):
        return None
    return matrix


def _topological_order(preds: list[list[int]], succs: list[list[int]]) -> list[int]:
    indeg = [len(p) for p in preds]
    order = [o for o, d in enumerate(indeg) if d == 0]
    for o in order:
        for s in succs[o]:
            indeg[s] -= 1
            if indeg[s] == 0:
                order.append(s)
    return order
