"""The fast backend: priority rules + serial schedule generation with gap insertion.

Operations are taken in a static priority order (ATC, minimum slack, most work remaining)
as soon as their predecessors are placed, and each one goes into the earliest gap of the
resource that finishes it first, honouring calendars and sequence-dependent setups on both
sides of the gap. One pass is O(n log n) plus the gaps scanned, which keeps a plant of
12,000 operations around a second; several rules are tried while time allows.
"""

from __future__ import annotations

import heapq
import math
import time
from bisect import bisect_right

from orderforge.engines.scheduling.indexed import IndexedProblem
from orderforge.engines.scheduling.plan import Plan, evaluate, score

RULES = ("atc", "min_slack", "most_work_remaining", "reference")


class NoFeasiblePlanError(RuntimeError):
    """The horizon (calendars) is too short to place every operation."""

    def __init__(self, message: str, operation: str = "") -> None:
        super().__init__(message)
        self.operation = operation  # the first operation that did not fit


class Timeline:
    """Busy intervals of one resource, sorted by start."""

    __slots__ = ("ends", "ops", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.ops: list[int] = []

    def add(self, start: int, end: int, op: int) -> None:
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        self.ops.insert(i, op)

    def remove(self, op: int) -> None:
        if op in self.ops:
            i = self.ops.index(op)
            del self.starts[i], self.ends[i], self.ops[i]

    def overlap_end(self, start: int, end: int) -> int | None:
        """End of the latest interval overlapping [start, end), or None if it is free."""
        i = bisect_right(self.starts, end - 1)
        found = None
        for k in range(i - 1, -1, -1):
            if self.ends[k] > start:
                found = max(found or 0, self.ends[k])
            elif self.ends[k] <= start and self.starts[k] < start - 1440 * 30:
                break  # intervals are short; nothing this early reaches `start`
        return found


def earliest_slot(
    ix: IndexedProblem, line: Timeline, r: int, o: int, ready: int, duration: int
) -> tuple[int, int] | None:
    """Earliest (start, end) of operation o on resource r in a gap of `line`."""
    cal, interruptible = ix.calendars[r], ix.interruptible[r]
    starts, ends, ops = line.starts, line.ends, line.ops
    n = len(starts)
    i = bisect_right(ends, ready - ix.max_setup[r])
    while i <= n:
        prev_end = ends[i - 1] if i > 0 else 0
        if i < n and starts[i] - max(prev_end, ready) < duration:
            i += 1  # too short even before setups and breaks
            continue
        prev = ops[i - 1] if i > 0 else -1
        lo = max(ready, prev_end + ix.setup_time(r, prev, o))
        slot = cal.earliest(lo, duration, interruptible)
        if slot is None:
            return None
        if i == n or slot[1] + ix.setup_time(r, o, ops[i]) <= starts[i]:
            return slot
        i += 1
    return None


def priorities(ix: IndexedProblem, rule: str) -> list[float]:
    """Static priority per operation, smaller first."""
    mins = [min(d for _, d in m) for m in ix.modes]
    head = [0] * ix.n_ops
    for o in ix.topo:
        head[o] = max([ix.release[o], *(head[p] + mins[p] for p in ix.preds[o])])
    tail = [0] * ix.n_ops
    for o in reversed(ix.topo):
        tail[o] = mins[o] + max((tail[s] for s in ix.succs[o]), default=0)
    far = ix.horizon
    if rule.startswith("reference"):
        # a repair: the reference plan is laid down first, new work then takes the room
        # left (placed earlier, it would take reference slots and push everything after)
        return [
            float(ix.reference[o][1]) if o in ix.reference else far + head[o]
            for o in range(ix.n_ops)
        ]
    if rule == "most_work_remaining":
        return [head[o] - 2.0 * tail[o] for o in range(ix.n_ops)]
    prios: list[float] = []
    pbar = max(1.0, sum(mins) / max(1, ix.n_ops))
    for o in range(ix.n_ops):
        j = ix.op_job[o]
        due = ix.job_due[j]
        slack = (far if due is None else due) - tail[o] - head[o]
        weight = max(ix.job_weight[j], 0) if due is not None else 0
        if rule == "atc":
            urgency = (weight + 1e-3) / mins[o] * math.exp(-max(0.0, slack) / (2.0 * pbar))
            prios.append(head[o] - pbar * 50.0 * urgency)
        else:
            prios.append(slack / max(weight, 1e-3) + head[o] * 1e-3)
    return prios


def dispatch(ix: IndexedProblem, rule: str) -> Plan:
    """One serial-generation pass with the given rule; raises if the horizon is too short."""
    prio = priorities(ix, rule)
    plan = Plan.empty(ix.n_ops)
    lines = [Timeline() for _ in ix.res_keys]
    ready = [0] * ix.n_ops
    waiting = [len(p) for p in ix.preds]
    heap: list[tuple[float, int]] = []

    def release_successors(o: int) -> None:
        for s in ix.succs[o]:
            ready[s] = max(ready[s], plan.end[o])
            waiting[s] -= 1
            if waiting[s] == 0 and s not in ix.frozen:
                heapq.heappush(heap, (prio[s], s))

    for o, (r, s, e) in ix.frozen.items():
        plan.resource[o], plan.start[o], plan.end[o] = r, s, e
        lines[r].add(s, e, o)
    for o in ix.frozen:
        release_successors(o)
    for o in range(ix.n_ops):
        if not ix.preds[o] and o not in ix.frozen:
            heapq.heappush(heap, (prio[o], o))
    keep_reference = rule.startswith("reference")
    reserved = _reservations(ix) if rule == "reference_reserved" else None
    while heap:
        key, o = heapq.heappop(heap)
        earliest = max(ready[o], ix.release[o])
        if keep_reference and o in ix.reference:
            earliest = max(earliest, ix.reference[o][1])
            if earliest > key:
                # its reference slot is gone (a breakdown or a late predecessor): place it
                # when the plan reaches that time, after the operations that still fit
                # their own slots there, instead of letting it take one of theirs
                heapq.heappush(heap, (earliest + 0.5, o))
                continue
        _place(ix, lines, plan, o, earliest, reserved)
        release_successors(o)
    return plan


def _reservations(ix: IndexedProblem) -> list[Timeline]:
    """The reference slots of operations not placed yet, per resource: an operation that
    lost its own slot avoids them where it can, so one late operation does not push work
    that could have stayed put."""
    reserved = [Timeline() for _ in ix.res_keys]
    index = {key: o for o, key in enumerate(ix.op_keys)}
    for entry in ix.problem.reference:
        o = index.get(entry.operation)
        if o is not None and o in ix.reference and o not in ix.frozen:
            reserved[ix.reference[o][0]].add(entry.start, entry.end, o)
    return reserved


def _slot_avoiding(
    ix: IndexedProblem, line: Timeline, reserved: Timeline, r: int, o: int, ready: int, d: int
) -> tuple[int, int] | None:
    """Earliest slot that also keeps clear of others' reservations (at most a few tries,
    then the plain earliest slot: reservations are a wish, not a constraint)."""
    first = earliest_slot(ix, line, r, o, ready, d)
    if first is None:
        return None
    slot: tuple[int, int] | None = first
    for _ in range(20):
        if slot is None:
            return first
        blocked = reserved.overlap_end(slot[0], slot[1])
        if blocked is None:
            return slot
        slot = earliest_slot(ix, line, r, o, max(blocked, slot[0] + 1), d)
    return first


def _place(
    ix: IndexedProblem,
    lines: list[Timeline],
    plan: Plan,
    o: int,
    ready: int,
    reserved: list[Timeline] | None = None,
) -> None:
    """Put o where it finishes first; an operation that can keep its reference slot keeps it,
    because in a replan every voluntary move cascades into other moves."""
    best: tuple[int, int, int, int, int] | None = None
    ref = ix.reference.get(o)
    penalty = ix.problem.objective.resource_change_penalty
    if reserved is not None and ref is not None:
        reserved[ref[0]].remove(o)
    for r, duration in ix.modes[o]:
        slot = earliest_slot(ix, lines[r], r, o, ready, duration)
        if slot is None:
            continue
        if reserved is not None and (ref is None or (r, slot[0]) != ref):
            slot = _slot_avoiding(ix, lines[r], reserved[r], r, o, ready, duration) or slot
        moved = 0 if ref is None or ref[0] == r else penalty
        kept = 0 if ref is not None and ref == (r, slot[0]) else 1
        cand = (kept, slot[1] + moved, slot[1], slot[0], r)
        if best is None or cand < best:
            best = cand
    if best is None:
        raise NoFeasiblePlanError(
            f"operation {ix.op_keys[o]!r} cannot be placed before the horizon "
            f"({ix.horizon}) on any eligible resource",
            ix.op_keys[o],
        )
    _, _, end, start, r = best
    plan.resource[o], plan.start[o], plan.end[o] = r, start, end
    lines[r].add(start, end, o)


def best_dispatch(ix: IndexedProblem, budget: float) -> Plan:
    """Try the rules in turn within `budget` seconds (the first always runs); keep the best."""
    deadline = time.monotonic() + budget
    best: Plan | None = None
    best_key: tuple[int, int] | None = None
    rules = [r for r in RULES if r != "reference" or ix.reference]
    if ix.reference:
        rules.insert(0, rules.pop())
        if ix.problem.objective.stability_weight > 0:
            # a repair, not a fresh plan: another rule's plan may score better by
            # reshuffling everything, which is exactly what a replan must not do; the
            # improving search still trades moves against lateness by the objective
            # two repairs: a late operation takes the first free time (work it meets
            # moves on), or waits for time nobody else's slot needs (it alone moves);
            # on a fully booked resource the second cascades lateness instead, so
            # the objective chooses
            rules = ["reference", "reference_reserved"]
    for rule in rules:
        started = time.monotonic()
        plan = dispatch(ix, rule)
        key = score(ix, evaluate(ix, plan))
        if best_key is None or key < best_key:
            best, best_key = plan, key
        if time.monotonic() + (time.monotonic() - started) > deadline:
            break
    assert best is not None
    return best


def left_shift(ix: IndexedProblem, plan: Plan) -> Plan:
    """Start every operation as early as its sequence allows (same resource order).

    CP-SAT returns any optimal timing, often with needless idle; a planner (and the critical
    chain) reads a compact plan far better. Regular objectives can only improve.
    """
    shifted = plan.copy()
    last: dict[int, int] = {}
    for o in sorted(range(ix.n_ops), key=lambda x: (plan.start[x], plan.end[x])):
        r = plan.resource[o]
        if o not in ix.frozen:
            ready = max([ix.release[o], *(shifted.end[p] for p in ix.preds[o])])
            prev = last.get(r, -1)
            if prev >= 0 or ix.initial_class[r] >= 0:
                ready = max(
                    ready, (shifted.end[prev] if prev >= 0 else 0) + ix.setup_time(r, prev, o)
                )
            duration = dict(ix.modes[o])[r]
            slot = ix.calendars[r].earliest(ready, duration, ix.interruptible[r])
            if slot is not None and slot[0] <= plan.start[o]:
                shifted.start[o], shifted.end[o] = slot
        last[r] = o
    return shifted
