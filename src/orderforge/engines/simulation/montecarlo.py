"""Many replications, and what they say: how likely each job is on time, the date it makes
at a chosen confidence, and the plant's load.

Every replication is a pure function of (model, seed), so a batch can be split over any
number of workers (each gets some seeds) and the lists concatenated: the summary of the
merged list is the same as if one process had run every seed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from orderforge.engines.simulation.errors import SimulationInputError
from orderforge.engines.simulation.execute import Replication, run
from orderforge.engines.simulation.model import SimulationModel


@dataclass(frozen=True, slots=True)
class JobConfidence:
    """How one job fares over the replications.

    `on_time` is the share of replications finishing by the due minute (None: no due date);
    `finish_at[level]` the earliest minute by which at least that share finished, i.e. the
    date to quote at that confidence.
    """

    job: str
    due: int | None
    planned_finish: int
    on_time: float | None
    mean_finish: float
    finish_at: Mapping[float, int]
    replications: int


@dataclass(frozen=True, slots=True)
class PlantKpis:
    """Plant load over the replications: busy over available minutes per resource (pooled
    over all replications), the share of calendar time spent under repair, mean WIP in jobs
    and the mean makespan."""

    utilisation: Mapping[str, float]
    downtime: Mapping[str, float]
    mean_wip: float
    mean_makespan: float
    replications: int


def replicate(model: SimulationModel, seeds: Sequence[int]) -> list[Replication]:
    """One replication per seed, independent of each other and of the order they run in."""
    return [run(model, seed) for seed in seeds]


def summarise(
    model: SimulationModel,
    replications: Sequence[Replication],
    levels: Sequence[float] = (0.5, 0.8, 0.95),
) -> list[JobConfidence]:
    """Per job of the plan (jobs without operations have nothing to finish and are left
    out), in the problem's job order."""
    _check_replications(replications)
    for level in levels:
        _check_level(level)
    for rep in replications:
        if rep.finish.keys() != model.planned_finish.keys() - _idle_jobs(model):
            raise SimulationInputError(
                "replications",
                f"the replication of seed {rep.seed} is not of this model's plan (other jobs)",
            )
    out = []
    for job, ops in model.jobs.items():
        if not ops:
            continue
        finishes = sorted(r.finish[job] for r in replications)
        due = model.due[job]
        on_time = None if due is None else sum(f <= due for f in finishes) / len(finishes)
        out.append(
            JobConfidence(
                job=job,
                due=due,
                planned_finish=model.planned_finish[job],
                on_time=on_time,
                mean_finish=sum(finishes) / len(finishes),
                finish_at={level: _quantile(finishes, level) for level in levels},
                replications=len(finishes),
            )
        )
    return out


def date_for_confidence(replications: Sequence[Replication], job: str, level: float) -> int:
    """The earliest finish minute that at least `level` of the replications meet, so sales
    can quote a date at a confidence they choose (0.8: four times in five)."""
    _check_replications(replications)
    _check_level(level)
    if job not in replications[0].finish:
        raise SimulationInputError("job", f"{job!r} has no operations in the simulated plan")
    return _quantile(sorted(r.finish[job] for r in replications), level)


def plant_kpis(replications: Sequence[Replication]) -> PlantKpis:
    _check_replications(replications)
    busy: dict[str, int] = {}
    down: dict[str, int] = {}
    available: dict[str, int] = {}
    for rep in replications:
        for key, use in rep.resources.items():
            busy[key] = busy.get(key, 0) + use.busy
            down[key] = down.get(key, 0) + use.down
            available[key] = available.get(key, 0) + use.available
    n = len(replications)
    return PlantKpis(
        utilisation={k: busy[k] / available[k] if available[k] else 0.0 for k in busy},
        downtime={k: down[k] / available[k] if available[k] else 0.0 for k in down},
        mean_wip=sum(r.mean_wip for r in replications) / n,
        mean_makespan=sum(r.makespan for r in replications) / n,
        replications=n,
    )


def _idle_jobs(model: SimulationModel) -> set[str]:
    return {job for job, ops in model.jobs.items() if not ops}


def _quantile(ordered: Sequence[int], level: float) -> int:
    """Empirical quantile by the inverted distribution function: the smallest value whose
    share of values at or below it reaches `level` (no interpolation, so the quoted minute
    is one that actually happened)."""
    index = math.ceil(level * len(ordered) - 1e-9) - 1
    return ordered[max(0, index)]


def _check_replications(replications: Sequence[Replication]) -> None:
    if not replications:
        raise SimulationInputError("replications", "at least one replication is needed")


def _check_level(level: float) -> None:
    if not 0 < level <= 1:
        raise SimulationInputError("level", f"a confidence must lie in (0, 1], got {level}")
