"""Machine sequences as a disjunctive graph: heads, tails, critical paths, move estimates.

The tabu search (tabu.py) works on this form: a plan is a sequence per machine, times follow
from longest paths. Recomputing all heads and tails after each move is O(operations + arcs)
and fast enough in Python for thousands of operations; the estimate of a move is the
longest path through the changed segment with every other head and tail as it was
(Balas & Vazacopoulos), which ranks moves well at O(segment) each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import pairwise

from orderforge.engines.scheduling.indexed import IndexedProblem
from orderforge.engines.scheduling.plan import Plan


@dataclass(slots=True)
class Move:
    machine: int
    lo: int  # first position of the machine sequence that changes
    new: list[int]  # the ops of positions lo..lo+len(new)-1, in their new order
    op: int  # the operation that moved
    forward: bool  # True: `op` moved later than the others of the segment
    target: int = -1  # reassignment: the op's new machine (the segment is on it)
    estimate: int = 0


@dataclass(slots=True)
class Undo:
    sequences: dict[int, list[int]]  # machine -> its sequence before the move
    op: int
    resource: int


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
        rank = {o: i for i, o in enumerate(ix.topo)}  # ties (zero durations) follow precedence
        for o in sorted(range(n), key=lambda x: (plan.start[x], plan.end[x], rank[x])):
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

    def estimate(self, mv: Move) -> int:
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

    def apply(self, mv: Move) -> Undo:
        """Change the sequences; returns what `revert` needs to undo it."""
        old = self.res[mv.op]
        undo = Undo({r: list(self.seq[r]) for r in {mv.machine, old}}, mv.op, old)
        if mv.target >= 0:
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
        return undo

    def revert(self, undo: Undo) -> None:
        self.res[undo.op] = undo.resource
        self.dur[undo.op] = self.durations[undo.op][undo.resource]
        for r, seq in undo.sequences.items():
            self.seq[r] = seq
            self._relink(r)
        self.evaluate()

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
