"""What solve() hands back: the plan, how good it is, and why each order finishes when it does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from orderforge.engines.scheduling.analysis import ChainLink, critical_chains
from orderforge.engines.scheduling.indexed import IndexedProblem
from orderforge.engines.scheduling.plan import ObjectiveValues, Plan, job_completions
from orderforge.engines.scheduling.problem import ScheduledOperation

ProgressCallback = Callable[[float, int, int], None]
"""on_progress(seconds since start, best objective so far, best lower bound so far)."""


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """Planned finish of one job against its due date, with the chain that fixes the finish."""

    job: str
    finish: int
    due: int | None
    lateness: int | None
    tardiness: int
    critical_chain: tuple[ChainLink, ...]


@dataclass(frozen=True, slots=True)
class Result:
    """The best plan found.

    `objective` is the headline value (total weighted tardiness when lexicographic and some job
    has a due date, otherwise the scalar objective); `lower_bound` bounds that same value and
    `optimal` is true only when the whole objective is proven optimal.
    """

    schedule: dict[str, ScheduledOperation]
    objective: int
    values: ObjectiveValues
    lower_bound: int
    optimal: bool
    seconds: float
    backend: str
    jobs: dict[str, JobOutcome] = field(default_factory=dict)


def to_schedule(ix: IndexedProblem, plan: Plan) -> dict[str, ScheduledOperation]:
    return {
        key: ScheduledOperation(key, ix.res_keys[plan.resource[o]], plan.start[o], plan.end[o])
        for o, key in enumerate(ix.op_keys)
    }


def job_outcomes(ix: IndexedProblem, plan: Plan) -> dict[str, JobOutcome]:
    """Per job: finish, lateness against the due date and the binding chain."""
    finishes = job_completions(ix, plan)
    chains = critical_chains(ix, plan)
    out: dict[str, JobOutcome] = {}
    for j, key in enumerate(ix.job_keys):
        due = ix.job_due[j]
        lateness = None if due is None else finishes[j] - due
        out[key] = JobOutcome(
            job=key,
            finish=finishes[j],
            due=due,
            lateness=lateness,
            tardiness=max(0, lateness or 0),
            critical_chain=tuple(chains[j]),
        )
    return out
