"""Tabu search on the disjunctive graph: the makespan workhorse for job shops.

CP-SAT on two cores closes small job shops but stalls on large ones (hundreds to
thousands of operations), and a dispatching plan used as its hint can even slow it down.
A tabu search over machine sequences reaches good plans in seconds whatever the size:
each step looks only at the critical path, moves one operation to the front or the back
of its critical block (the N5 swaps of Nowicki & Smutnicki are the shortest such moves),
and estimates each move in O(block) from heads and tails, as Balas & Vazacopoulos do.
Flexible shops add one move: an operation of the critical path goes to another of its
machines, at the position its heads and tails suggest.

Scope (`applies`): makespan is the whole objective, every resource always open, no
changeovers, nothing frozen and no reference plan. Release dates and general precedence
graphs (assemblies) are fine. Anything else goes to CP-SAT / LNS only.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from itertools import pairwise

from orderforge.engines.scheduling.disjunctive import DisjunctiveGraph, Move
from orderforge.engines.scheduling.indexed import IndexedProblem
from orderforge.engines.scheduling.plan import Plan, has_due_dates
from orderforge.engines.scheduling.problem import Secondary

#: iterations without a new best before the search goes back to an elite plan, perturbed
PATIENCE = 5000
ELITE = 8
#: insertion positions tried on each other machine when an operation is reassigned
REASSIGN_POSITIONS = 4


def applies(ix: IndexedProblem) -> bool:
    """True when a plan's quality is its makespan and time is plain arithmetic."""
    obj = ix.problem.objective
    return (
        not has_due_dates(ix)
        and obj.secondary == Secondary.MAKESPAN
        and not ix.frozen
        and not ix.reference
        and all(cal.always_open for cal in ix.calendars)
        and all(s is None for s in ix.setup)
        and ix.n_ops > 1
    )


class TabuSearch:
    """One search; `run` improves until the deadline and reports each new best plan."""

    def __init__(self, ix: IndexedProblem, plan: Plan, seed: int) -> None:
        self.g = DisjunctiveGraph(ix, plan)
        if not self.g.evaluate():
            raise ValueError("the starting plan's machine sequences contain a cycle")
        self.rng = random.Random(seed)
        self.tabu: dict[tuple[int, int], int] = {}
        self.iteration = 0
        n_jobs = max(1, len(ix.job_keys))
        n_res = max(1, len(ix.res_keys))
        base = 10 + n_jobs // n_res
        self.tenure = (max(2, base - 2), base + 2)
        self.flexible = any(len(m) > 1 for m in ix.modes)
        self.failed: set[tuple[int, int, int, tuple[int, ...]]] = set()
        self.optimal = False

    def run(
        self,
        deadline: float,
        offer: Callable[[Plan], object],
        stop: Callable[[], bool] = lambda: False,
        outside: Callable[[], Plan | None] = lambda: None,
    ) -> Plan:
        """Search until `deadline` or `stop()`; `outside()` may hand in a better plan found
        by another search (CP-SAT running beside), which joins the elite on a restart."""
        g, rng = self.g, self.rng
        best = g.makespan
        best_snap = g.snapshot()
        elite: list[tuple[int, tuple[list[list[int]], list[int]]]] = [(best, best_snap)]
        stale = 0
        while True:
            self.iteration += 1
            if time.monotonic() >= deadline or stop():
                break
            mv = self._choose(best)
            if mv is None and self.optimal:
                break
            if mv is None:
                stale = PATIENCE  # no move can be made from here: restart
            elif not self._step(mv):
                stale += 1  # it would close a cycle; now tabu, so another move comes next
            elif g.makespan < best:
                best, best_snap, stale = g.makespan, g.snapshot(), 0
                offer(g.plan())
                elite = sorted([*elite, (best, best_snap)], key=lambda e: e[0])[:ELITE]
            else:
                stale += 1
            if stale >= PATIENCE:
                foreign = outside()
                if foreign is not None:
                    other = DisjunctiveGraph(self.g.ix, foreign)
                    if other.evaluate() and other.makespan < best:
                        best, best_snap = other.makespan, other.snapshot()
                        elite = sorted([*elite, (best, best_snap)], key=lambda e: e[0])[:ELITE]
                g.restore(rng.choice(elite)[1])
                self.tabu.clear()
                self.failed.clear()
                self._perturb()
                stale = 0
        g.restore(best_snap)
        return g.plan()

    def _step(self, mv: Move) -> bool:
        """Make the move (and remember it as tabu); undo it if it closed a cycle."""
        g = self.g
        undo = g.apply(mv)
        if g.evaluate():
            self._remember(mv, undo.resource)
            self.failed.clear()
            return True
        g.revert(undo)
        # the plan is unchanged, so the same candidates come back: never this one again
        self.failed.add((mv.op, mv.machine, mv.lo, tuple(mv.new)))
        return False

    def _remember(self, mv: Move, left: int) -> None:
        """Forbid undoing the move: the pairs it reversed may not come back for a while (a
        reassigned operation may not go back to the machine it `left`)."""
        until = self.iteration + self.rng.randint(*self.tenure)
        u = mv.op
        others = [x for x in mv.new if x != u]
        if mv.target >= 0:
            self.tabu[(u, -1 - left)] = until
            return
        for x in others:
            self.tabu[(x, u) if not mv.forward else (u, x)] = until

    def _is_tabu(self, mv: Move) -> bool:
        u, it = mv.op, self.iteration
        if mv.target >= 0:
            return self.tabu.get((u, -1 - mv.target), 0) > it
        for x in mv.new:
            if x == u:
                continue
            key = (x, u) if mv.forward else (u, x)
            if self.tabu.get(key, 0) > it:
                return True
        return False

    def _choose(self, best: int) -> Move | None:
        g, rng = self.g, self.rng
        path = g.critical_path(rng)
        blocks = g.blocks(path)
        # a critical path of one-operation blocks is a chain of job precedences from a
        # release: no sequence can be shorter, and without alternatives nothing else can move
        self.optimal = not self.flexible and all(len(b) == 1 for b in blocks)
        candidates = list(self._block_moves(blocks))
        if self.flexible:
            candidates += self._reassignments(path)
        chosen: Move | None = None
        fallback: Move | None = None
        ties = 0
        for mv in candidates:
            if self.failed and (mv.op, mv.machine, mv.lo, tuple(mv.new)) in self.failed:
                continue
            mv.estimate = g.estimate(mv)
            if self._is_tabu(mv) and mv.estimate >= best:
                if fallback is None or rng.random() < 0.5:
                    fallback = mv
                continue
            if chosen is None or mv.estimate < chosen.estimate:
                chosen, ties = mv, 1
            elif mv.estimate == chosen.estimate:
                ties += 1
                if rng.random() * ties < 1:
                    chosen = mv
        return chosen or fallback

    def _block_moves(self, blocks: list[list[int]]) -> Iterator[Move]:
        """Moves of one operation to the front or the back of its critical block.

        Reordering the first block of a path that starts at 0 cannot shorten it unless its
        last operation changes; likewise the last block unless its first one changes, so
        those moves are skipped (the N5 argument, extended to insertions)."""
        g = self.g
        last = len(blocks) - 1
        for b, block in enumerate(blocks):
            k = len(block)
            if k < 2:
                continue
            r = g.res[block[0]]
            lo = g.pos[block[0]]
            starts_path = b == 0 and g.head[block[0]] == 0
            ends_path = b == last and g.tail[block[-1]] == 0
            for i in range(1, k):  # block[i] to the front
                if starts_path and i < k - 1:
                    continue
                u = block[i]
                if self._may_move_before(u, block[0], block[:i]):
                    yield Move(r, lo, [u, *block[:i]], u, False)
            for i in range(k - 1):  # block[i] to the back
                if ends_path and i > 0:
                    continue
                u = block[i]
                if self._may_move_after(u, block[-1], block[i + 1 :]):
                    yield Move(r, lo + i, [*block[i + 1 :], u], u, True)

    def _may_move_before(self, u: int, v: int, segment: list[int]) -> bool:
        g = self.g
        limit = g.head[v] + g.dur[v]
        inside = set(segment)
        return all(p not in inside and g.head[p] < limit for p in g.jp[u])

    def _may_move_after(self, u: int, w: int, segment: list[int]) -> bool:
        g = self.g
        limit = g.tail[w] + g.dur[w]
        inside = set(segment)
        return all(s not in inside and g.tail[s] < limit for s in g.js[u])

    def _reassignments(self, path: list[int]) -> list[Move]:
        """Each critical operation with alternatives, onto each other machine: at the first
        position whose operation ends after the job lets it start, and the few after it
        (the estimate picks), skipping positions that would close a cycle."""
        g = self.g
        out = []
        for u in path:
            if len(g.durations[u]) < 2:
                continue
            ready = g.job_head(u, {})
            for r in g.durations[u]:
                if r == g.res[u]:
                    continue
                seq = g.seq[r]
                i = 0
                while i < len(seq) and g.head[seq[i]] + g.dur[seq[i]] <= ready:
                    i += 1
                for at in range(i, min(len(seq), i + REASSIGN_POSITIONS - 1) + 1):
                    if at < len(seq) and not self._may_move_before(u, seq[at], [seq[at]]):
                        break  # every later position is after this operation too
                    if at > 0 and not self._may_move_after(u, seq[at - 1], [seq[at - 1]]):
                        continue
                    out.append(Move(r, at, [u], u, False, target=r))
        return out

    def _perturb(self) -> None:
        """A few random feasible swaps on the critical path, to leave a basin."""
        g, rng = self.g, self.rng
        for _ in range(rng.randint(2, 6)):
            path = g.critical_path(rng)
            pairs = [(a, b) for a, b in pairwise(path) if g.ms[a] == b]
            if not pairs:
                return
            a, b = rng.choice(pairs)
            r = g.res[a]
            mv = Move(r, g.pos[a], [b, a], b, False)
            self._step(mv)
