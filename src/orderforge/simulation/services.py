"""Confidence studies of the current plan: how likely each open order is to meet its
promise, as recorded runs (the platform's `RunBook`).

A study replays the current plan version many times on a simulated floor whose operation
times stray as the floor's own history says (see study.py), and keeps, per order, the
share of replications that finished by the end of the promise day and the dates met at
50, 80 and 95 %. It is a recorded run because thousands of replications take minutes: the
API and the page queue it for a worker, the CLI runs it in the foreground with a bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import RUN, VIEW, Resource, require
from orderforge.domain.runs import RecordedRun, RunStatus
from orderforge.engines.simulation import (
    JobConfidence,
    Replication,
    SimulationInputError,
    replicate,
    summarise,
)
from orderforge.services import runs
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.simulation.ports import SIMULATION_RUNS
from orderforge.simulation.study import Study, build_study, no_plan

#: The kind of recorded run a confidence study is.
PLAN_CONFIDENCE = "plan_confidence"
#: Confidence levels every study reports (the page shows the 80 % date).
LEVELS = (0.5, 0.8, 0.95)
MAX_REPLICATIONS = 5000
#: Replications between two progress reports (and the unit a worker could take alone).
BATCH = 50
#: The spread of operation times at a work centre with too little history of its own.
DEFAULT_CV = 0.15
MAX_CV = 3.0


@dataclass(frozen=True)
class StudyParams:
    """What a study is asked with. `default_cv` and `learn` fix the spread: `learn=False`
    with `default_cv=0` replays the plan exactly (the deterministic check of a study)."""

    replications: int = 200
    seed: int = 1
    hold_to_plan: bool = True
    default_cv: float = DEFAULT_CV
    learn: bool = True

    @classmethod
    def of(cls, params: dict[str, Any]) -> StudyParams:
        """Checked parameters; InvalidInput naming the field otherwise."""
        known = set(cls.__dataclass_fields__)
        for name in params:
            if name not in known:
                raise InvalidInput(f"{name!r} is not a parameter of a study.", field=name)
        got = cls(**{k: v for k, v in params.items() if v is not None})
        _integer(got.replications, "replications", 1, MAX_REPLICATIONS)
        _integer(got.seed, "seed", 0, 2**63 - 1)
        for name in ("hold_to_plan", "learn"):
            if not isinstance(getattr(got, name), bool):
                raise InvalidInput(f"{name} must be true or false.", field=name)
        cv = got.default_cv
        if isinstance(cv, bool) or not isinstance(cv, int | float) or not math.isfinite(cv):
            raise InvalidInput("default_cv must be a number.", field="default_cv")
        if not 0 <= cv <= MAX_CV:
            raise InvalidInput(
                f"default_cv must lie between 0 and {MAX_CV:g}, got {cv}.", field="default_cv"
            )
        return got

    def as_dict(self) -> dict[str, Any]:
        return {
            "replications": self.replications,
            "seed": self.seed,
            "hold_to_plan": self.hold_to_plan,
            "default_cv": self.default_cv,
            "learn": self.learn,
        }


def _integer(value: object, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be a whole number.", field=name)
    if not low <= value <= high:
        raise InvalidInput(f"{name} must lie between {low} and {high}, got {value}.", field=name)


def _work(ctx: ServiceContext, run: RecordedRun, progress: runs.Progress) -> dict[str, Any]:
    params = StudyParams.of(run.params)
    start = ctx.clock.now().replace(second=0, microsecond=0)
    with ctx.uow() as uow:
        try:
            study = build_study(uow, start, params.default_cv, params.learn, params.hold_to_plan)
        except SimulationInputError as exc:
            raise RuntimeError(f"the current plan cannot be replayed: {exc}") from exc
    progress(0.02)
    seeds = range(params.seed, params.seed + params.replications)
    replications: list[Replication] = []
    for first in range(0, len(seeds), BATCH):
        replications += replicate(study.model, seeds[first : first + BATCH])
        progress(0.02 + 0.96 * len(replications) / len(seeds))
    return result_of(study, params, replications)


BOOK = runs.RunBook(job="simulation_run", key=SIMULATION_RUNS, noun="Simulation study", work=_work)
JOBS = (BOOK.job_kind(),)


def result_of(study: Study, params: StudyParams, replications: list[Replication]) -> dict[str, Any]:
    """The JSON a study keeps: per order, the plant's load, and what it assumed."""
    confidences = summarise(study.model, replications, LEVELS)
    return {
        "plan_version": study.version,
        "start": study.start.isoformat(),
        "replications": len(replications),
        "seed": params.seed,
        "hold_to_plan": params.hold_to_plan,
        "levels": list(LEVELS),
        "orders": [_order_entry(study, c) for c in confidences],
        "kpis": _kpis(study, replications),
        "variability": [
            {
                "work_centre": s.work_centre,
                "cv": s.cv,
                "mean_ratio": s.mean_ratio,
                "actuals": s.actuals,
                "source": s.source,
            }
            for s in study.spreads
        ],
        "defaulted": [s.work_centre for s in study.spreads if s.source == "default"],
        "left_out": study.left_out,
    }


def level_key(level: float) -> str:
    return f"p{round(level * 100)}"


def _order_entry(study: Study, job: JobConfidence) -> dict[str, Any]:
    facts = study.orders[job.job]
    return {
        "order": job.job,
        "customer": facts.customer,
        "promised": facts.due_date.isoformat() if facts.due_date else None,
        "promise_basis": facts.due_basis,
        "due": study.at(job.due).isoformat() if job.due is not None else None,
        "planned_finish": study.at(job.planned_finish).isoformat(),
        "on_time": job.on_time,
        "finish_at": {level_key(lv): study.at(m).isoformat() for lv, m in job.finish_at.items()},
        "mean_finish": study.at(job.mean_finish).isoformat(),
    }


def _kpis(study: Study, replications: list[Replication]) -> dict[str, Any]:
    """Utilisation per work centre pooled over its units and the replications (busy over
    available minutes), so a centre of three units reads like one of one."""
    busy: dict[str, int] = {}
    available: dict[str, int] = {}
    for rep in replications:
        for key, use in rep.resources.items():
            centre = study.centre_of.get(key, key)
            busy[centre] = busy.get(centre, 0) + use.busy
            available[centre] = available.get(centre, 0) + use.available
    n = len(replications)
    return {
        "utilisation": {
            c: round(busy[c] / available[c], 4) if available[c] else 0.0 for c in sorted(busy)
        },
        "mean_wip": round(sum(r.mean_wip for r in replications) / n, 3),
        "mean_makespan_hours": round(sum(r.makespan for r in replications) / n / 60, 2),
    }


# -- commands ---------------------------------------------------------------------


def _checked(ctx: ServiceContext, actor: Principal, params: dict[str, Any]) -> StudyParams:
    require(actor.role, Resource.SIMULATION, RUN)
    checked = StudyParams.of(params)
    with ctx.uow() as uow:
        if uow.plans.latest_version_number() is None:
            raise no_plan()
    return checked


def request_study(ctx: ServiceContext, actor: Principal, params: dict[str, Any]) -> dict[str, Any]:
    """Queue a study (API, page): the run is committed and handed to the job queue."""
    checked = _checked(ctx, actor, params)
    return runs.view(runs.request(BOOK, ctx, PLAN_CONFIDENCE, checked.as_dict(), actor.username))


def run_study(
    ctx: ServiceContext,
    actor: Principal,
    params: dict[str, Any],
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Record a study and carry it out here (the CLI, in the foreground)."""
    checked = _checked(ctx, actor, params)
    with ctx.uow() as uow:
        run = RecordedRun(
            PLAN_CONFIDENCE, checked.as_dict(), actor.username, ctx.clock.now(), noun=BOOK.noun
        )
        uow.repository(SIMULATION_RUNS).add(run)
        uow.commit()
    assert run.id is not None
    return runs.view(runs.execute(BOOK, ctx, run.id, on_progress))


def cancel_study(ctx: ServiceContext, actor: Principal, run_id: int) -> dict[str, Any]:
    require(actor.role, Resource.SIMULATION, RUN)
    return runs.view(runs.cancel(BOOK, ctx, run_id, actor.username))


# -- queries ----------------------------------------------------------------------


def get_run(ctx: ServiceContext, actor: Principal, run_id: int) -> dict[str, Any]:
    require(actor.role, Resource.SIMULATION, VIEW)
    return runs.view(runs.get(BOOK, ctx, run_id))


def list_runs(ctx: ServiceContext, actor: Principal, limit: int = 20) -> list[dict[str, Any]]:
    require(actor.role, Resource.SIMULATION, VIEW)
    return [runs.view(r) for r in runs.latest(BOOK, ctx, limit, PLAN_CONFIDENCE)]


def latest_result(ctx: ServiceContext, actor: Principal) -> dict[str, Any] | None:
    """The newest finished study's view, or None before the first one ends."""
    require(actor.role, Resource.SIMULATION, VIEW)
    done = next(
        (r for r in runs.latest(BOOK, ctx, 50, PLAN_CONFIDENCE) if r.status is RunStatus.DONE),
        None,
    )
    return runs.view(done) if done is not None else None


def order_confidence(
    ctx: ServiceContext, actor: Principal, order_number: str
) -> dict[str, Any] | None:
    """The latest finished study's entry for one order (with the study's id and when it
    ran), or None when no study has covered it."""
    require(actor.role, Resource.SIMULATION, VIEW)
    with ctx.uow() as uow:
        if uow.orders.get(order_number) is None:
            raise NotFound(f"There is no order {order_number}.")
    latest = latest_result(ctx, actor)
    if latest is None or latest["result"] is None:
        return None
    entry = next((o for o in latest["result"]["orders"] if o["order"] == order_number), None)
    if entry is None:
        return None
    return {
        **entry,
        "run_id": latest["id"],
        "studied_at": latest["finished_at"],
        "replications": latest["result"]["replications"],
        "plan_version": latest["result"]["plan_version"],
    }
