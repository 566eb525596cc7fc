"""Small helpers so each test states its instance in a few lines."""

from __future__ import annotations

from collections.abc import Sequence

from orderforge.engines.scheduling import (
    Job,
    Mode,
    Objective,
    Operation,
    ProblemData,
    Resource,
    Secondary,
    SolverSettings,
)

FAST = SolverSettings(time_limit=3.0, num_workers=2, random_seed=1)


def op(
    key: str,
    job: str,
    modes: dict[str, int],
    preds: Sequence[str] = (),
    setup_class: str | None = None,
) -> Operation:
    return Operation(
        key, job, tuple(Mode(r, d) for r, d in modes.items()), tuple(preds), setup_class
    )


def problem(
    jobs: Sequence[Job],
    ops: Sequence[Operation],
    resources: Sequence[Resource],
    horizon: int = 200,
    **extra: object,
) -> ProblemData:
    return ProblemData(tuple(jobs), tuple(ops), tuple(resources), horizon, **extra)  # type: ignore[arg-type]


def makespan_only() -> Objective:
    return Objective(secondary=Secondary.MAKESPAN)
