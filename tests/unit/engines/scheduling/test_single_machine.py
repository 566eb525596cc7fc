"""The single-machine search: its move arithmetic and its answers, against brute force."""

from __future__ import annotations

import itertools
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.engines.scheduling.single_machine import (
    SequencingJob,
    _apply,
    _Costs,
    sequence_jobs,
)

job = st.builds(
    SequencingJob,
    duration=st.integers(1, 30),
    weight=st.integers(0, 10),
    due=st.integers(0, 120),
)
coefs = st.sampled_from([(1, 0), (3, 1), (1, 2)])


@settings(max_examples=150, deadline=None)
@given(st.lists(job, min_size=2, max_size=12), coefs, st.randoms(use_true_random=False))
def test_every_move_changes_the_cost_by_what_it_claims(
    jobs: list[SequencingJob], coef: tuple[int, int], rnd: object
) -> None:
    """The vectorised deltas (insertions both ways, interchanges) equal a recount."""
    costs = _Costs(jobs, coef)
    seq = list(range(len(jobs)))
    rnd.shuffle(seq)  # type: ignore[attr-defined]
    before = costs.total(seq)
    change, kind, a, b = costs.best_move(seq, swaps=True)
    if kind:
        _apply(seq, kind, a, b)
        assert sorted(seq) == list(range(len(jobs)))
        assert costs.total(seq) - before == change
    else:  # no improving move claimed: check that none exists
        for i, k in itertools.permutations(range(len(jobs)), 2):
            moved = list(seq)
            moved.insert(k, moved.pop(i))
            assert costs.total(moved) >= before
            swapped = list(seq)
            swapped[i], swapped[k] = swapped[k], swapped[i]
            assert costs.total(swapped) >= before


@settings(max_examples=40, deadline=None)
@given(st.lists(job, min_size=1, max_size=7), coefs)
def test_finds_the_brute_force_optimum(jobs: list[SequencingJob], coef: tuple[int, int]) -> None:
    costs = _Costs(jobs, coef)
    optimum = min(costs.total(list(p)) for p in itertools.permutations(range(len(jobs))))
    reported: list[int] = []
    best = sequence_jobs(jobs, coef, time.monotonic() + 0.3, 0, lambda _s, c: reported.append(c))
    assert sorted(best) == list(range(len(jobs)))
    assert costs.total(best) == optimum
    assert reported[-1] == optimum
