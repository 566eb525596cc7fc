"""What a planner asks after solving: how good could it be, and why does this order finish then.

Trivial lower bounds ignore calendars and setups (they only ever delay work, so the bounds
stay valid). The critical chain walks back from a job's last operation through whichever
predecessor or resource predecessor leaves no slack, so "late because of X on Y" has a cause.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from orderforge.engines.scheduling.indexed import IndexedProblem
from orderforge.engines.scheduling.plan import ObjectiveValues, Plan, has_due_dates
from orderforge.engines.scheduling.problem import Secondary

MAX_CHAIN = 60


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One operation of a critical chain and what fixed its start.

    `reason`: "release", "pin", "frozen", "precedence" (waits for the previous link),
    "resource" (waits for the previous link on the same resource, setup included),
    "calendar" (the previous link ends in closed time), or "slack" (nothing binds it).
    """

    operation: str
    resource: str
    start: int
    end: int
    reason: str


def trivial_bounds(ix: IndexedProblem) -> ObjectiveValues:
    """Longest path, busiest resource and total work bounds for each objective component."""
    mins = [min(d for _, d in m) for m in ix.modes]
    head = [0] * ix.n_ops
    for o in ix.topo:
        if o in ix.frozen:
            head[o] = ix.frozen[o][1]
            mins[o] = ix.frozen[o][2] - ix.frozen[o][1]
            continue
        head[o] = max([ix.release[o], *(head[p] + mins[p] for p in ix.preds[o])])
    tail = [0] * ix.n_ops
    for o in reversed(ix.topo):
        tail[o] = mins[o] + max((tail[s] for s in ix.succs[o]), default=0)
    finish = [max((head[o] + mins[o] for o in ops), default=0) for ops in ix.job_ops]
    makespan = max([0, *(head[o] + tail[o] for o in range(ix.n_ops))])
    makespan = max(makespan, _resource_bound(ix, head, tail, mins))
    twt = 0
    for j, f in enumerate(finish):
        due = ix.job_due[j]
        if due is not None and f > due:
            twt += ix.job_weight[j] * (f - due)
    flow = sum(f - r for f, r in zip(finish, ix.job_release, strict=True))
    return ObjectiveValues(twt, makespan, flow, 0)


def _resource_bound(ix: IndexedProblem, head: list[int], tail: list[int], mins: list[int]) -> int:
    bound = -(-sum(mins) // max(1, len(ix.res_keys)))
    dedicated: dict[int, list[int]] = {}
    for o, modes in enumerate(ix.modes):
        if o in ix.frozen:
            dedicated.setdefault(ix.frozen[o][0], []).append(o)
        elif len({r for r, _ in modes}) == 1:
            dedicated.setdefault(modes[0][0], []).append(o)
    for ops in dedicated.values():
        load = sum(mins[o] for o in ops)
        first = min(head[o] for o in ops)
        last = min(tail[o] - mins[o] for o in ops)
        bound = max(bound, first + load + last)
    return bound


def headline_bound(ix: IndexedProblem, bounds: ObjectiveValues) -> int:
    """Lower bound of the headline objective (see plan.headline)."""
    obj = ix.problem.objective
    sec = {
        Secondary.MAKESPAN: bounds.makespan,
        Secondary.TOTAL_FLOW_TIME: bounds.total_flow_time,
        Secondary.NONE: 0,
    }[obj.secondary]
    if obj.lexicographic:
        return bounds.weighted_tardiness if has_due_dates(ix) else obj.secondary_weight * sec
    return obj.tardiness_weight * bounds.weighted_tardiness + obj.secondary_weight * sec


def critical_chains(ix: IndexedProblem, plan: Plan) -> list[list[ChainLink]]:
    """For each job (by index), the binding chain ending at its last operation, in time order.

    Chains share their tails, so each operation's binding is computed once; a chain stops
    after MAX_CHAIN links (the oldest causes matter least to a planner).
    """
    previous_on_resource = _resource_predecessors(ix, plan)
    memo: dict[int, tuple[ChainLink, int | None]] = {}

    def link(o: int) -> tuple[ChainLink, int | None]:
        if o not in memo:
            reason, nxt = _binding(ix, plan, o, previous_on_resource[o])
            res = ix.res_keys[plan.resource[o]]
            memo[o] = ChainLink(ix.op_keys[o], res, plan.start[o], plan.end[o], reason), nxt
        return memo[o]

    chains: list[list[ChainLink]] = []
    for ops in ix.job_ops:
        chain: list[ChainLink] = []
        current: int | None = max(ops, key=lambda x: plan.end[x]) if ops else None
        while current is not None and len(chain) < MAX_CHAIN:
            item, current = link(current)
            chain.append(item)
        chains.append(chain[::-1])
    return chains


def _resource_predecessors(ix: IndexedProblem, plan: Plan) -> list[int]:
    prev = [-1] * ix.n_ops
    per_res: dict[int, list[int]] = {}
    for o in range(ix.n_ops):
        per_res.setdefault(plan.resource[o], []).append(o)
    for ops in per_res.values():
        ops.sort(key=lambda x: (plan.start[x], plan.end[x]))
        for a, b in itertools.pairwise(ops):
            prev[b] = a
    return prev


def _binding(ix: IndexedProblem, plan: Plan, o: int, on_res: int) -> tuple[str, int | None]:
    """Why o starts when it does, and which operation to follow next (None: chain ends)."""
    if o in ix.frozen:
        return "frozen", None
    r, start = plan.resource[o], plan.start[o]
    candidates = [(plan.end[p], 1, "precedence", p) for p in ix.preds[o]]
    if on_res >= 0:
        candidates.append((plan.end[on_res] + ix.setup_time(r, on_res, o), 0, "resource", on_res))
    latest = max(candidates, default=None)
    release = ix.release[o]
    if latest is None or latest[0] <= release:
        if start == release:
            pin = next((p for p in ix.problem.pins if p.operation == ix.op_keys[o]), None)
            pinned = pin is not None and pin.not_before == release
            return ("pin" if pinned else "release"), None
        latest = None
    if latest is not None and latest[0] == start:
        return latest[2], latest[3]
    duration = dict(ix.modes[o]).get(r, plan.end[o] - start)
    ready = max(release, latest[0] if latest else release)
    slot = ix.calendars[r].earliest(ready, duration, ix.interruptible[r])
    if slot is not None and slot[0] == start:
        return "calendar", latest[3] if latest else None
    return "slack", None
