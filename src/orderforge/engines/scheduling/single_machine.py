"""Iterated local search for one machine, no setups, no releases (the SMWT family).

On a single machine a sequence is the whole decision, and pairwise-interchange plus
insertion descent with random kicks finds optimal weighted-tardiness sequences in a
fraction of the time CP-SAT needs to even approach them; CP-SAT's disjunctive reasoning
gains nothing there. Costs per job are `tardy_weight * w * max(0, C - d) + flow_weight * C`
so the same search serves lexicographic or weighted objectives.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SequencingJob:
    duration: int
    weight: int
    due: int


class _State:
    """A sequence with completions and per-position costs kept up to date."""

    def __init__(self, jobs: Sequence[SequencingJob], coef: tuple[int, int], seq: list[int]):
        self.p = [j.duration for j in jobs]
        self.tw = [coef[0] * j.weight for j in jobs]
        self.d = [j.due for j in jobs]
        self.fw = coef[1]
        self.seq = list(seq)
        self.cost = [0] * len(seq)
        self.done = [0] * len(seq)
        self.total = 0
        self.refresh(0)

    def job_cost(self, j: int, t: int) -> int:
        late = t - self.d[j]
        return (self.tw[j] * late if late > 0 else 0) + self.fw * t

    def refresh(self, first: int) -> None:
        t = self.done[first - 1] if first > 0 else 0
        for pos in range(first, len(self.seq)):
            j = self.seq[pos]
            t += self.p[j]
            self.done[pos] = t
            self.cost[pos] = self.job_cost(j, t)
        self.total = sum(self.cost)

    def delta(self, new_segment: list[int], first: int) -> int:
        """Cost change if positions first..first+len-1 are replaced by `new_segment`."""
        t = self.done[first - 1] if first > 0 else 0
        change = 0
        p, tw, d, fw = self.p, self.tw, self.d, self.fw
        for offset, j in enumerate(new_segment):
            t += p[j]
            late = t - d[j]
            change += (tw[j] * late if late > 0 else 0) + fw * t - self.cost[first + offset]
        return change


def _descend(state: _State) -> None:
    """First-improvement descent over swaps and insertions until a local optimum."""
    n = len(state.seq)
    improved = True
    while improved:
        improved = False
        for i in range(n - 1):
            for k in range(i + 1, n):
                seq = state.seq
                moves = (
                    [seq[k], *seq[i + 1 : k], seq[i]],
                    [*seq[i + 1 : k + 1], seq[i]],
                    [seq[k], *seq[i:k]],
                )
                for segment in moves:
                    if state.delta(segment, i) < 0:
                        state.seq[i : k + 1] = segment
                        state.refresh(i)
                        improved = True
                        break


def _starts(jobs: Sequence[SequencingJob]) -> list[list[int]]:
    """Constructive seeds: EDD, WSPT and apparent-tardiness-cost orders."""
    n = len(jobs)
    order = list(range(n))
    edd = sorted(order, key=lambda j: (jobs[j].due, jobs[j].duration))
    wspt = sorted(order, key=lambda j: jobs[j].duration / max(jobs[j].weight, 1e-9))
    seeds = [edd, wspt]
    pbar = max(1.0, sum(j.duration for j in jobs) / max(n, 1))
    for k in (0.5, 2.0):
        seq, t, left = [], 0, set(order)
        while left:
            best = max(left, key=lambda j: _atc(jobs[j], t, k * pbar))
            left.remove(best)
            seq.append(best)
            t += jobs[best].duration
        seeds.append(seq)
    return seeds


def _atc(job: SequencingJob, t: int, scale: float) -> float:
    slack = max(0.0, job.due - job.duration - t)
    return (job.weight + 1e-9) / job.duration * math.exp(-slack / scale)


def sequence_jobs(
    jobs: Sequence[SequencingJob],
    coef: tuple[int, int],
    deadline: float,
    seed: int,
    on_improve: Callable[[list[int], int], None],
) -> list[int]:
    """Iterated local search until `deadline` (time.monotonic); returns the best sequence."""
    rng = random.Random(seed)
    best_seq: list[int] = []
    best = math.inf
    for start in _starts(jobs):
        state = _State(jobs, coef, start)
        _descend(state)
        if state.total < best:
            best, best_seq = state.total, list(state.seq)
            on_improve(best_seq, state.total)
    current = _State(jobs, coef, best_seq)
    n = len(jobs)
    while n > 2 and time.monotonic() < deadline and best > 0:
        trial = _State(jobs, coef, current.seq)
        for _ in range(rng.randint(2, max(2, n // 8))):
            a, b = rng.sample(range(n), 2)
            trial.seq[a], trial.seq[b] = trial.seq[b], trial.seq[a]
        trial.refresh(0)
        _descend(trial)
        if trial.total < best:
            best, best_seq = trial.total, list(trial.seq)
            on_improve(best_seq, trial.total)
        if trial.total <= current.total or rng.random() < 0.05:
            current = trial
        elif rng.random() < 0.1:
            current = _State(jobs, coef, best_seq)
    return best_seq
