"""Tabu search on the disjunctive graph: the makespan workhorse for job shops.

CP-SAT on two cores closes small job shops but stalls on large ones (hundreds to
thousands of operations), and a dispatching plan used as its hint can even slow it down.
A tabu search over machine sequences reaches good plans in seconds whatever the size:
each step looks only at the critical path, moves one operation to the front or the back
of its critical block (the N5 swaps of Nowicki & Smutnicki are the shortest such moves),
and estimates each move in O(block) from heads and tails, as Balas & Vazacopoulos do.
Flexible shops add one move: an operation of the critical path goes to another of its
machines, at the position its heads and tails suggest.

Scope (`applies`): makespan is the whole objective, calendars are continuous, no
changeovers, nothing frozen and no reference plan. Release dates and general precedence
graphs (assemblies) are fine. Anything else goes to CP-SAT / LNS only.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

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
        and all(cal.continuous for cal in ix.calendars)
        and all(s is None for s in ix.setup)
        and ix.n_ops > 1
    )


@dataclass(slots=True)
class _Move:
    machine: int
    lo: int  # first position of the machine sequence that changes
    new: list[int]  # the ops of positions lo..lo+len(new)-1, in their new order
    op: int  # the operation that moved
    forward: bool  # True: `op` moved later than the others of the segment
    target: int = -1  # reassignment: the op's new machine (the segment is on it)
    estimate: int = 0


class DisjunctiveGraph:
    """Machine sequences plus job precedences; heads, tails and the critical path."""

    def __init__(self, ix: IndexedProblem, plan: Plan) -> None:
        self.ix = ix
        n = ix.n_ops
        self.n = n
        self.jp = ix.preds
        self.js = ix.succs
        self.rel = ix.release
        self.durations = [dict(m) for m in ix.modes]
        self.res = list(plan.resource)
        self.dur = [self.durations[o][plan.resource[o]] for o in range(n)]
        self.seq: list[list[int]] = [[] for _ in ix.res_keys]
        for o in sorted(range(n), key=lambda x: (plan.start[x], plan.end[x], x)):
            self.seq[self.res[o]].append(o)
        self.mp = [-1] * n
        self.ms = [-1] * n
        self.pos = [0] * n
        for r in range(len(self.seq)):
            self._relink(r)
        self.head = [0] * n
        self.tail = [0] * n
        self.order: list[int] = []
        self.makespan = 0

    def _relink(self, r: int) -> None:
        seq, mp, ms, pos = self.seq[r], self.mp, self.ms, self.pos
        prev = -1
        for i, o in enumerate(seq):
            pos[o] = i
            mp[o] = prev
            if prev >= 0:
                ms[prev] = o
            prev = o
        if prev >= 0:
            ms[prev] = -1

    def evaluate(self) -> bool:
        """Heads, tails and makespan; False if the sequences contain a cycle."""
        n, jp, js, mp, ms, dur = self.n, self.jp, self.js, self.mp, self.ms, self.dur
        indeg = [len(jp[o]) + (mp[o] >= 0) for o in range(n)]
        head = list(self.rel)
        order = [o for o in range(n) if indeg[o] == 0]
        for o in order:
            e = head[o] + dur[o]
            for s in js[o]:
                if head[s] < e:
                    head[s] = e
                indeg[s] -= 1
                if not indeg[s]:
                    order.append(s)
            s = ms[o]
            if s >= 0:
                if head[s] < e:
                    head[s] = e
                indeg[s] -= 1
                if not indeg[s]:
                    order.append(s)
        if len(order) < n:
            return False
        tail = [0] * n
        for o in reversed(order):
            t = tail[o] + dur[o]
            for p in jp[o]:
                if tail[p] < t:
                    tail[p] = t
            p = mp[o]
            if p >= 0 and tail[p] < t:
                tail[p] = t
        self.head, self.tail, self.order = head, tail, order
        self.makespan = max(head[o] + dur[o] for o in range(n))
        return True

    def critical_path(self, rng: random.Random) -> list[int]:
        head, dur, mp, jp = self.head, self.dur, self.mp, self.jp
        ends = [o for o in range(self.n) if head[o] + dur[o] == self.makespan]
        o = rng.choice(ends)
        path = [o]
        while True:
            h = head[o]
            options = [p for p in jp[o] if head[p] + dur[p] == h]
            m = mp[o]
            if m >= 0 and head[m] + dur[m] == h:
                options.append(m)
            if not options:
                break
            o = rng.choice(options)
            path.append(o)
        path.reverse()
        return path

    def blocks(self, path: list[int]) -> list[list[int]]:
        """Maximal runs of the path that are consecutive on one machine."""
        out: list[list[int]] = [[path[0]]]
        for a, b in pairwise(path):
            if self.ms[a] == b:
                out[-1].append(b)
            else:
                out.append([b])
        return out

    def job_head(self, o: int, placed: dict[int, int]) -> int:
        h = self.rel[o]
        head, dur = self.head, self.dur
        for p in self.jp[o]:
            e = placed[p] if p in placed else head[p] + dur[p]
            if e > h:
                h = e
        return h

    def estimate(self, mv: _Move) -> int:
        """Longest path through the changed segment, other heads and tails as they are."""
        seq = self.seq[mv.machine]
        head, tail, dur = self.head, self.tail, self.dur
        before = seq[mv.lo - 1] if mv.lo > 0 else -1
        end = mv.lo + len(mv.new) - (1 if mv.target >= 0 else 0)
        after = seq[end] if end < len(seq) else -1
        t = head[before] + dur[before] if before >= 0 else 0
        placed: dict[int, int] = {}
        heads = []
        for x in mv.new:
            d = self.durations[x][mv.machine]
            h = max(self.job_head(x, placed), t)
            heads.append(h)
            t = h + d
            placed[x] = t
        t = tail[after] + dur[after] if after >= 0 else 0
        best = 0
        done: dict[int, int] = {}
        for x, h in zip(reversed(mv.new), reversed(heads), strict=True):
            d = self.durations[x][mv.machine]
            q = t
            for s in self.js[x]:
                v = done[s] if s in done else tail[s] + dur[s]
                if v > q:
                    q = v
            if h + d + q > best:
                best = h + d + q
            t = q + d
            done[x] = t
        return best

    def apply(self, mv: _Move) -> None:
        if mv.target >= 0:
            old = self.res[mv.op]
            self.seq[old].remove(mv.op)
            self._relink(old)
            self.ms[mv.op] = self.mp[mv.op] = -1
            self.res[mv.op] = mv.target
            self.dur[mv.op] = self.durations[mv.op][mv.target]
            seq = self.seq[mv.target]
            seq[mv.lo : mv.lo + len(mv.new) - 1] = mv.new
        else:
            seq = self.seq[mv.machine]
            seq[mv.lo : mv.lo + len(mv.new)] = mv.new
        self._relink(mv.machine)

    def snapshot(self) -> tuple[list[list[int]], list[int]]:
        return [list(s) for s in self.seq], list(self.res)

    def restore(self, snap: tuple[list[list[int]], list[int]]) -> None:
        seqs, res = snap
        self.seq = [list(s) for s in seqs]
        self.res = list(res)
        self.dur = [self.durations[o][res[o]] for o in range(self.n)]
        for r in range(len(self.seq)):
            self._relink(r)
        self.evaluate()

    def plan(self) -> Plan:
        return Plan(
            list(self.res),
            list(self.head),
            [h + d for h, d in zip(self.head, self.dur, strict=True)],
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
            if not self.iteration % 64 and (time.monotonic() >= deadline or stop()):
                break
            mv = self._choose(best)
            if mv is None or not self._step(mv):
                stale = PATIENCE
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
                self._perturb()
                stale = 0
        g.restore(best_snap)
        return g.plan()

    def _step(self, mv: _Move) -> bool:
        g = self.g
        snap_machines = {mv.machine} | ({g.res[mv.op]} if mv.target >= 0 else set())
        saved = {r: list(g.seq[r]) for r in snap_machines}
        saved_res = g.res[mv.op]
        self._remember(mv)
        g.apply(mv)
        if g.evaluate():
            return True
        for r, s in saved.items():
            g.seq[r] = s
        g.res[mv.op] = saved_res
        g.dur[mv.op] = g.durations[mv.op][saved_res]
        for r in saved:
            g._relink(r)
        g.evaluate()
        return False

    def _remember(self, mv: _Move) -> None:
        """Forbid undoing the move: the pairs it reversed may not come back for a while."""
        until = self.iteration + self.rng.randint(*self.tenure)
        u = mv.op
        others = [x for x in mv.new if x != u]
        if mv.target >= 0:
            self.tabu[(u, -1 - self.g.res[u])] = until
            return
        for x in others:
            self.tabu[(x, u) if not mv.forward else (u, x)] = until

    def _is_tabu(self, mv: _Move) -> bool:
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

    def _choose(self, best: int) -> _Move | None:
        g, rng = self.g, self.rng
        path = g.critical_path(rng)
        blocks = g.blocks(path)
        candidates = list(self._block_moves(blocks))
        if self.flexible:
            candidates += self._reassignments(path)
        chosen: _Move | None = None
        fallback: _Move | None = None
        ties = 0
        for mv in candidates:
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

    def _block_moves(self, blocks: list[list[int]]) -> Iterator[_Move]:
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
                    yield _Move(r, lo, [u, *block[:i]], u, False)
            for i in range(k - 1):  # block[i] to the back
                if ends_path and i > 0:
                    continue
                u = block[i]
                if self._may_move_after(u, block[-1], block[i + 1 :]):
                    yield _Move(r, lo + i, [*block[i + 1 :], u], u, True)

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

    def _reassignments(self, path: list[int]) -> list[_Move]:
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
                    if at < len(seq) and not self._may_move_before(u, seq[at], []):
                        break  # every later position is after this operation too
                    if at > 0 and not self._may_move_after(u, seq[at - 1], []):
                        continue
                    out.append(_Move(r, at, [u], u, False, target=r))
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
            mv = _Move(r, g.pos[a], [b, a], b, False)
            self._step(mv)
