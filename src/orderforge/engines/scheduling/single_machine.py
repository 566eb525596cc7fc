"""Iterated local search for one machine, no setups, no releases (the SMWT family).

On a single machine a sequence is the whole decision, and insertion plus interchange
descent with random kicks finds optimal weighted-tardiness sequences in a fraction of the
time CP-SAT needs to even approach them; CP-SAT's disjunctive reasoning gains nothing there.
Costs per job are `tardy_weight * w * max(0, C - d) + flow_weight * C`, so the same search
serves lexicographic or weighted objectives.

Every move of the neighbourhood is evaluated at once with NumPy: moving the job at position
i to position k shifts the jobs between by one constant, so all insertions cost O(n^2) array
work and all interchanges O(n^3) (built gap by gap, used up to `SWAP_LIMIT` jobs).
That is what lets a 100-job instance go through hundreds of descents in a few seconds,
where a loop over moves in Python manages a handful.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

#: above this many jobs the n^3 interchange array is skipped (insertions still run)
SWAP_LIMIT = 160
#: at most this many random interchanges make one kick (fewer on short sequences)
KICK_SWAPS = 8
Ints = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class SequencingJob:
    duration: int
    weight: int
    due: int


class _Costs:
    """Job data as arrays; `evaluate` gives the per-position costs of a sequence."""

    def __init__(self, jobs: Sequence[SequencingJob], coef: tuple[int, int]) -> None:
        self.p = np.array([j.duration for j in jobs], dtype=np.int64)
        self.tw = np.array([coef[0] * j.weight for j in jobs], dtype=np.int64)
        self.d = np.array([j.due for j in jobs], dtype=np.int64)
        self.fw = int(coef[1])
        n = len(jobs)
        idx = np.arange(n)
        self.swaps = n <= SWAP_LIMIT
        self.upper = idx[:, None] < idx[None, :]  # [i, k]: i < k

    def f(self, w: Ints, d: Ints, t: Ints) -> Ints:
        cost: Ints = w * np.maximum(0, t - d) + self.fw * t
        return cost

    def total(self, seq: list[int]) -> int:
        s = np.array(seq, dtype=np.intp)
        c = np.cumsum(self.p[s])
        return int(self.f(self.tw[s], self.d[s], c).sum())

    def _swaps(
        self, p: Ints, w: Ints, d: Ints, c: Ints, cost: Ints, before: Ints, lands: Ints
    ) -> Ints:
        """Change of every interchange [i, k], i < k: the jobs between move by p_k - p_i.

        Built gap by gap (k - i = g) on windows of the sequence, so only the n^3/6 cells
        that exist are computed."""
        n = len(p)
        big = np.iinfo(np.int64).max // 4
        out = np.full((n, n), big, dtype=np.int64)
        first = self.f(w[None, :], d[None, :], before[:, None] + p[None, :]) - cost[None, :]
        rows = np.arange(n)
        for g in range(1, n):
            i = rows[: n - g]
            k = i + g
            shift = p[k] - p[i]
            if g > 1:
                cw = sliding_window_view(c, g - 1)[1 : n - g + 1]
                ww = sliding_window_view(w, g - 1)[1 : n - g + 1]
                dw = sliding_window_view(d, g - 1)[1 : n - g + 1]
                kw = sliding_window_view(cost, g - 1)[1 : n - g + 1]
                middle = (self.f(ww, dw, cw + shift[:, None]) - kw).sum(axis=1)
            else:
                middle = 0
            out[i, k] = middle + first[i, k] + lands[i, k]
        return out

    def best_move(self, seq: list[int], swaps: bool) -> tuple[int, str, int, int]:
        """(change, kind, i, k) of the best insertion (and interchange) from `seq`."""
        s = np.array(seq, dtype=np.intp)
        p, w, d = self.p[s], self.tw[s], self.d[s]
        c = np.cumsum(p)
        cost = self.f(w, d, c)
        before = c - p  # completion of the position before each position
        big = np.iinfo(np.int64).max // 4
        # forward: position i to k > i; positions i+1..k finish p_i earlier; i ends at c_k
        shifted = self.f(w[None, :], d[None, :], c[None, :] - p[:, None]) - cost[None, :]
        lands = self.f(w[:, None], d[:, None], c[None, :]) - cost[:, None]
        forward = np.cumsum(np.where(self.upper, shifted, 0), axis=1) + lands
        forward = np.where(self.upper, forward, big)
        # backward: position k to i < k; positions i..k-1 finish p_k later; k ends at before_i + p_k
        later = self.f(w[None, :], d[None, :], c[None, :] + p[:, None]) - cost[None, :]
        later = np.where(self.upper.T, later, 0)  # [k, j]: j < k
        suffix = np.cumsum(later[:, ::-1], axis=1)[:, ::-1]  # [k, i]: sum over i <= j < k
        arrives = before[None, :] + p[:, None]  # [k, i]
        backward = suffix + self.f(w[:, None], d[:, None], arrives) - cost[:, None]
        backward = np.where(self.upper.T, backward, big)
        options = [(forward, "forward"), (backward, "backward")]
        if swaps and self.swaps:
            options.append((self._swaps(p, w, d, c, cost, before, lands), "swap"))
        best = (0, "", 0, 0)
        for matrix, kind in options:
            flat = int(np.argmin(matrix))
            a, b = divmod(flat, len(seq))
            value = int(matrix[a, b])
            if value < best[0]:
                best = (value, kind, a, b)
        return best


def _apply(seq: list[int], kind: str, a: int, b: int) -> None:
    if kind in ("forward", "backward"):  # the job at position a goes to position b
        seq.insert(b, seq.pop(a))
    else:
        seq[a], seq[b] = seq[b], seq[a]


def _descend(costs: _Costs, seq: list[int], total: int, deadline: float) -> int:
    """Best-improvement descent: insertions until none helps, then interchanges."""
    while time.monotonic() < deadline:
        change, kind, a, b = costs.best_move(seq, swaps=False)
        if change >= 0:
            if not costs.swaps:
                break
            change, kind, a, b = costs.best_move(seq, swaps=True)
            if change >= 0:
                break
        _apply(seq, kind, a, b)
        total += change
    return total


def _starts(jobs: Sequence[SequencingJob]) -> Iterator[list[int]]:
    """Constructive seeds: EDD, WSPT and apparent-tardiness-cost orders (two look-aheads).

    ATC picks, at each step, the waiting job with the highest `w/p * exp(-slack / scale)`;
    the priorities of all waiting jobs are one array expression, so a seed is O(n) steps of
    array work rather than O(n^2) in Python."""
    n = len(jobs)
    order = list(range(n))
    yield sorted(order, key=lambda j: (jobs[j].due, jobs[j].duration))
    yield sorted(order, key=lambda j: (jobs[j].duration / max(jobs[j].weight, 1e-9), j))
    p = np.array([max(j.duration, 1) for j in jobs], dtype=np.float64)
    w = np.array([j.weight for j in jobs], dtype=np.float64) + 1e-9
    d = np.array([j.due for j in jobs], dtype=np.float64)
    pbar = max(1.0, float(p.mean()))
    for k in (0.5, 2.0):
        waiting = np.ones(n, dtype=bool)
        seq, t = [], 0.0
        for _ in range(n):
            slack = np.maximum(0.0, d - p - t)
            # the log form cannot underflow to a tie at 0 the way exp() does
            priority = np.log(w / p) - slack / (k * pbar)
            best = int(np.argmax(np.where(waiting, priority, -np.inf)))
            waiting[best] = False
            seq.append(best)
            t += jobs[best].duration
        yield seq


def sequence_jobs(
    jobs: Sequence[SequencingJob],
    coef: tuple[int, int],
    deadline: float,
    seed: int,
    on_improve: Callable[[list[int], int], None],
) -> list[int]:
    """Iterated local search until `deadline` (time.monotonic); returns the best sequence."""
    rng = random.Random(seed)
    n = len(jobs)
    costs = _Costs(jobs, coef)
    if n < 2:
        on_improve(list(range(n)), costs.total(list(range(n))))
        return list(range(n))
    best_seq: list[int] = []
    best = math.inf
    for start in _starts(jobs):
        if best_seq and time.monotonic() >= deadline:
            break
        seq = list(start)
        total = _descend(costs, seq, costs.total(seq), deadline)
        if total < best:
            best, best_seq = total, list(seq)
            on_improve(best_seq, total)
    current, current_cost = list(best_seq), best
    while time.monotonic() < deadline and best > 0:
        trial = list(current)
        for _ in range(rng.randint(2, max(2, min(KICK_SWAPS, n // 5)))):
            a, b = rng.sample(range(n), 2)
            trial[a], trial[b] = trial[b], trial[a]
        total = _descend(costs, trial, costs.total(trial), deadline)
        if total < best:
            best, best_seq = total, list(trial)
            on_improve(best_seq, total)
        if total <= current_cost or rng.random() < 0.05:
            current, current_cost = trial, total
        elif rng.random() < 0.1:
            current, current_cost = list(best_seq), best
    return best_seq
