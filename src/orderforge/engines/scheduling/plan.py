"""A plan in solver form (one resource/start/end per operation index) and its objective values."""

from __future__ import annotations

from dataclasses import dataclass

from orderforge.engines.scheduling.indexed import IndexedProblem
from orderforge.engines.scheduling.problem import Secondary


@dataclass(slots=True)
class Plan:
    """Parallel arrays indexed by operation; -1 marks an operation not placed yet."""

    resource: list[int]
    start: list[int]
    end: list[int]

    @classmethod
    def empty(cls, n: int) -> Plan:
        return cls([-1] * n, [0] * n, [0] * n)

    def copy(self) -> Plan:
        return Plan(list(self.resource), list(self.start), list(self.end))


@dataclass(frozen=True, slots=True)
class ObjectiveValues:
    """Every objective component of one plan, whatever the objective selected."""

    weighted_tardiness: int
    makespan: int
    total_flow_time: int
    stability: int


def job_completions(ix: IndexedProblem, plan: Plan) -> list[int]:
    """Finish of each job: the end of its last operation."""
    done = [0] * len(ix.job_keys)
    for o, end in enumerate(plan.end):
        j = ix.op_job[o]
        done[j] = max(done[j], end)
    return done


def evaluate(ix: IndexedProblem, plan: Plan) -> ObjectiveValues:
    """Compute all components; stability counts only operations of the reference plan."""
    done = job_completions(ix, plan)
    twt = 0
    flow = 0
    for j, finish in enumerate(done):
        due = ix.job_due[j]
        if due is not None and finish > due:
            twt += ix.job_weight[j] * (finish - due)
        flow += finish - ix.job_release[j]
    penalty = ix.problem.objective.resource_change_penalty
    stability = 0
    move = ix.problem.objective.move_penalty
    for o, (r, s) in ix.reference.items():
        stability += abs(plan.start[o] - s) + (penalty if plan.resource[o] != r else 0)
        if move and (plan.start[o] != s or plan.resource[o] != r):
            stability += move
    return ObjectiveValues(twt, max(done, default=0), flow, stability)


def secondary_value(ix: IndexedProblem, values: ObjectiveValues) -> int:
    secondary = ix.problem.objective.secondary
    if secondary == Secondary.MAKESPAN:
        return values.makespan
    if secondary == Secondary.TOTAL_FLOW_TIME:
        return values.total_flow_time
    return 0


def has_due_dates(ix: IndexedProblem) -> bool:
    return any(d is not None for d in ix.job_due)


def score(ix: IndexedProblem, values: ObjectiveValues) -> tuple[int, int]:
    """Ranking key, smaller is better: (tardiness level, rest) or (weighted sum, 0)."""
    obj = ix.problem.objective
    rest = obj.secondary_weight * secondary_value(ix, values)
    rest += obj.stability_weight * values.stability
    if obj.lexicographic:
        return values.weighted_tardiness, rest
    return obj.tardiness_weight * values.weighted_tardiness + rest, 0


def headline(ix: IndexedProblem, key: tuple[int, int]) -> int:
    """The single number reported as `objective`: the first level that can be non-zero."""
    obj = ix.problem.objective
    if obj.lexicographic and not has_due_dates(ix):
        return key[1]
    return key[0]
