"""Checks a ProblemData before solving, so bad input fails with sentences, not a solver trace.

All problems are collected (not just the first) because a planner fixing master data wants
the whole list at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from orderforge.engines.scheduling.calendar import WorkingTime
from orderforge.engines.scheduling.problem import Mode, Operation, ProblemData, Resource


@dataclass(frozen=True, slots=True)
class InputIssue:
    """One thing wrong with the input: `where` names the offending item (operation, ...)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class InvalidProblemError(ValueError):
    """Raised by solve() when the problem cannot be scheduled as given; carries every issue."""

    def __init__(self, issues: list[InputIssue]) -> None:
        self.issues = issues
        lines = "\n".join(f"- {issue}" for issue in issues)
        super().__init__(f"The scheduling problem has {len(issues)} problem(s):\n{lines}")


def check_problem(problem: ProblemData) -> list[InputIssue]:
    """Return every issue found; an empty list means solve() can proceed."""
    issues: list[InputIssue] = []
    if problem.horizon <= 0:
        issues.append(InputIssue("horizon", f"must be positive, got {problem.horizon}"))
    issues += _duplicates("job", (j.key for j in problem.jobs))
    issues += _duplicates("operation", (o.key for o in problem.operations))
    issues += _duplicates("resource", (r.key for r in problem.resources))
    issues += _check_jobs(problem)
    issues += _check_resources(problem)
    issues += _check_operations(problem)
    issues += _check_cycles(problem.operations)
    issues += _check_frozen(problem)
    issues += _check_pins(problem)
    known_ops = {o.key for o in problem.operations}
    for ref in problem.reference:
        if ref.operation not in known_ops:
            issues.append(
                InputIssue(f"reference plan {ref.operation!r}", "names an unknown operation")
            )
    return issues


def _duplicates(kind: str, keys: Iterable[str]) -> list[InputIssue]:
    counts = Counter(keys)
    return [InputIssue(f"{kind} {k!r}", f"appears {n} times") for k, n in counts.items() if n > 1]


def _check_jobs(problem: ProblemData) -> list[InputIssue]:
    issues = []
    for job in problem.jobs:
        if job.release < 0:
            issues.append(InputIssue(f"job {job.key!r}", f"release {job.release} is negative"))
        if job.weight < 0:
            issues.append(InputIssue(f"job {job.key!r}", f"weight {job.weight} is negative"))
    return issues


def _check_resources(problem: ProblemData) -> list[InputIssue]:
    issues = []
    for res in problem.resources:
        where = f"resource {res.key!r}"
        for start, end in res.calendar or ():
            if end <= start:
                issues.append(InputIssue(where, f"calendar interval [{start}, {end}) is empty"))
        for pair, minutes in res.setup_times.items():
            if minutes < 0:
                issues.append(InputIssue(where, f"setup {pair} is negative ({minutes})"))
        if res.default_setup < 0:
            issues.append(InputIssue(where, "default setup is negative"))
    return issues


def _check_operations(problem: ProblemData) -> list[InputIssue]:
    jobs = {j.key for j in problem.jobs}
    resources = {r.key: (r, WorkingTime(r.calendar, problem.horizon)) for r in problem.resources}
    ops = {o.key for o in problem.operations}
    issues: list[InputIssue] = []
    for op in problem.operations:
        where = f"operation {op.key!r}"
        if op.job not in jobs:
            issues.append(InputIssue(where, f"belongs to unknown job {op.job!r}"))
        if op.release < 0:
            issues.append(InputIssue(where, f"release {op.release} is negative"))
        issues += [
            InputIssue(where, f"has unknown predecessor {p!r}")
            for p in op.predecessors
            if p not in ops
        ]
        if not op.modes:
            issues.append(InputIssue(where, "has no eligible resource"))
            continue
        issues += _check_modes(op, resources, problem.horizon)
    return issues


def _check_modes(
    op: Operation, resources: dict[str, tuple[Resource, WorkingTime]], horizon: int
) -> list[InputIssue]:
    where = f"operation {op.key!r}"
    issues: list[InputIssue] = []
    reasons: list[str] = []
    for mode in op.modes:
        if mode.resource not in resources:
            issues.append(InputIssue(where, f"names unknown resource {mode.resource!r}"))
        elif mode.duration <= 0:
            issues.append(
                InputIssue(where, f"duration on {mode.resource!r} must be > 0, got {mode.duration}")
            )
        else:
            # from minute 0, not the release: work released too late for the horizon is a
            # horizon too short (NoFeasiblePlanError, so callers can plan further ahead)
            reason = _mode_impossible(mode, *resources[mode.resource], horizon)
            if reason:
                reasons.append(reason)
    listed = [m.resource for m in op.modes]
    for twice in sorted({r for r in listed if listed.count(r) > 1}):
        issues.append(InputIssue(where, f"lists resource {twice!r} more than once"))
    if not issues and len(reasons) == len(op.modes):
        issues += [InputIssue(where, reason) for reason in reasons]
    return issues


def _mode_impossible(mode: Mode, res: Resource, working: WorkingTime, horizon: int) -> str | None:
    """Why this mode can never run before the horizon, or None if it can."""
    if working.total == 0:
        return f"resource {res.key!r} has no working time before the horizon ({horizon})"
    if working.earliest(0, mode.duration, res.interruptible) is None:
        kind = "in total" if res.interruptible else "in one uninterrupted working interval"
        return (
            f"needs {mode.duration} min on {res.key!r} but the calendar has not that much "
            f"working time {kind} before the horizon ({horizon})"
        )
    return None


def _check_cycles(operations: Iterable[Operation]) -> list[InputIssue]:
    """Find one precedence cycle by depth-first search and name its operations in order."""
    preds = {o.key: [p for p in o.predecessors] for o in operations}
    state: dict[str, int] = {}
    for root in preds:
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = []
        while stack:
            node, i = stack.pop()
            if i == 0:
                state[node] = 1
                path.append(node)
            nexts = [p for p in preds[node] if p in preds]
            if i < len(nexts):
                stack.append((node, i + 1))
                nxt = nexts[i]
                if state.get(nxt) == 1:
                    cycle = [*path[path.index(nxt) :], nxt]
                    return [InputIssue("precedence", "cycle " + " <- ".join(cycle))]
                if nxt not in state:
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
    return []


def _check_frozen(problem: ProblemData) -> list[InputIssue]:
    ops = {o.key: o for o in problem.operations}
    resources = {r.key for r in problem.resources}
    frozen = {f.operation for f in problem.frozen}
    issues = _duplicates("frozen operation", (f.operation for f in problem.frozen))
    for f in problem.frozen:
        where = f"frozen operation {f.operation!r}"
        if f.operation not in ops:
            issues.append(InputIssue(where, "is not a known operation"))
            continue
        if f.resource not in resources:
            issues.append(InputIssue(where, f"is on unknown resource {f.resource!r}"))
        if f.end <= f.start:
            issues.append(InputIssue(where, f"ends ({f.end}) before it starts ({f.start})"))
        issues += [
            InputIssue(where, f"has predecessor {p!r} that is not frozen")
            for p in ops[f.operation].predecessors
            if p not in frozen
        ]
    return issues


def _check_pins(problem: ProblemData) -> list[InputIssue]:
    ops = {o.key: o for o in problem.operations}
    frozen = {f.operation: f for f in problem.frozen}
    issues = _duplicates("pin of operation", (p.operation for p in problem.pins))
    for pin in problem.pins:
        where = f"pin of operation {pin.operation!r}"
        op = ops.get(pin.operation)
        if op is None:
            issues.append(InputIssue(where, "names an unknown operation"))
            continue
        if pin.resource not in {m.resource for m in op.modes}:
            issues.append(InputIssue(where, f"resource {pin.resource!r} is not eligible"))
        fixed = frozen.get(pin.operation)
        if fixed is not None and (
            fixed.resource != pin.resource
            or (pin.not_before is not None and fixed.start < pin.not_before)
        ):
            issues.append(
                InputIssue(
                    where,
                    f"conflicts with the frozen operation on {fixed.resource!r} "
                    f"starting at {fixed.start}",
                )
            )
    return issues
