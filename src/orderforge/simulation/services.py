"""Confidence studies of the current plan: how likely each open order is to meet its
promise, as recorded runs (the platform's `RunBook`).

A study replays the current plan version many times on a simulated floor whose operation
times stray as the floor's own history says (see study.py), and keeps, per order, the
share of replications that finished by the end of the promise day and the dates met at
50, 80 and 95 %. It is a recorded run because thousands of replications take minutes: the
API and the page queue it for a worker, the CLI runs it in the foreground with a bar.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import RUN, VIEW, Resource, require
from orderforge.domain.runs import RecordedRun, RunStatus
from orderforge.engines.simulation import (
    JobConfidence,
    SimulationInputError,
    replicate,
    summarise,
)
from orderforge.plant import services as plant_data
from orderforge.promising.domain import level_key
from orderforge.services import floor_actuals, runs
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.simulation import whatif
from orderforge.simulation.ports import SIMULATION_RUNS
from orderforge.simulation.study import Outcome, Study, build_study, fingerprint, no_plan

#: The kind of recorded run a confidence study is, and of the batches a large one is
#: split into (see `_fan_out`).
PLAN_CONFIDENCE = "plan_confidence"
PLAN_CONFIDENCE_BATCH = "plan_confidence_batch"
#: Confidence levels every study reports (the page shows the 80 % date).
LEVELS = (0.5, 0.8, 0.95)
MAX_REPLICATIONS = 5000
#: Replications between two progress reports.
BATCH = 50
#: A study of more replications than this is split into batches of this many seeds that
#: the job queue's workers share.
FANOUT_BATCH = 250
#: How long a study waits between looks at batches other workers are running.
POLL_SECONDS = 0.5
#: The spread of operation times at a work centre with too little history of its own
#: (one number for the study and the confidence beside a quote).
DEFAULT_CV = floor_actuals.DEFAULT_CV
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
    study = _build(ctx, ctx.clock.now().replace(second=0, microsecond=0), params)
    progress(0.02)
    if ctx.jobs is not None and params.replications > FANOUT_BATCH:
        outcomes = _fan_out(ctx, run, study, params, progress)
    else:
        seeds = range(params.seed, params.seed + params.replications)
        outcomes = _replicate(study, seeds, lambda share: progress(0.02 + 0.96 * share))
    return result_of(study, params, outcomes)


def _build(ctx: ServiceContext, start: dt.datetime, params: StudyParams) -> Study:
    with ctx.uow() as uow:
        try:
            return build_study(uow, start, params.default_cv, params.learn, params.hold_to_plan)
        except SimulationInputError as exc:
            raise RuntimeError(f"the current plan cannot be replayed: {exc}") from exc


def _replicate(study: Study, seeds: range, report: runs.Progress) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for first in range(0, len(seeds), BATCH):
        outcomes += [Outcome.of(r) for r in replicate(study.model, seeds[first : first + BATCH])]
        report(len(outcomes) / len(seeds))
    return outcomes


def _fan_out(
    ctx: ServiceContext,
    run: RecordedRun,
    study: Study,
    params: StudyParams,
    progress: runs.Progress,
) -> list[Outcome]:
    """Split a large study into batch runs of FANOUT_BATCH seeds that the job queue's
    workers share, and merge what they found (seeds are independent, so the merged
    summary is the one-process summary).

    The study waits for its batches itself, and takes any batch no worker has taken yet
    (`execute` claims a run only while it is queued): with one worker, or all workers
    busy, it simply runs them all, so waiting can never deadlock the queue. A batch that
    finds the plant changed since the study was built (another plan, a floor report)
    fails, and so does the study: merging replays of two different plants would be wrong.
    """
    assert ctx.jobs is not None and run.id is not None
    digest = fingerprint(study)
    end = params.seed + params.replications
    ids: list[int] = []
    with ctx.uow() as uow:
        repo = uow.repository(SIMULATION_RUNS)
        for first in range(params.seed, end, FANOUT_BATCH):
            batch_params = {
                **params.as_dict(),
                "replications": min(FANOUT_BATCH, end - first),
                "parent": run.id,
                "first_seed": first,
                "start": study.start.isoformat(),
                "plan_version": study.version,
                "fingerprint": digest,
            }
            batch = RecordedRun(
                PLAN_CONFIDENCE_BATCH, batch_params, run.requested_by, ctx.clock.now()
            )
            repo.add(batch)
            assert batch.id is not None
            ids.append(batch.id)
        uow.commit()
    for batch_id in ids:  # after the commit, so a worker finds them
        ctx.jobs.submit(BATCH_BOOK.job, batch_id)
    ended: dict[int, RecordedRun] = {}
    while len(ended) < len(ids):
        for batch_id in ids:
            if batch_id not in ended:
                found = runs.execute(BATCH_BOOK, ctx, batch_id)  # here, unless taken
                if found.ended:
                    ended[batch_id] = found
        progress(0.02 + 0.96 * len(ended) / len(ids))
        if len(ended) < len(ids):
            time.sleep(POLL_SECONDS)  # others' workers are on the rest
    outcomes: list[Outcome] = []
    for batch_id in ids:
        batch = ended[batch_id]
        if batch.status is not RunStatus.DONE or batch.result is None:
            raise RuntimeError(f"{batch.name} {batch.status.value}: {batch.error}")
        outcomes += [Outcome.from_json(o) for o in batch.result["outcomes"]]
    return outcomes


def _batch_work(ctx: ServiceContext, run: RecordedRun, progress: runs.Progress) -> dict[str, Any]:
    """One batch of a fanned-out study: the same study rebuilt from the same start, its
    seeds replayed, the outcomes kept for the study to merge."""
    fields = StudyParams.__dataclass_fields__
    params = StudyParams.of({k: v for k, v in run.params.items() if k in fields})
    study = _build(ctx, dt.datetime.fromisoformat(run.params["start"]), params)
    if (
        study.version != run.params["plan_version"]
        or fingerprint(study) != run.params["fingerprint"]
    ):
        raise RuntimeError(
            "the plan or the floor changed while the study ran, so this batch would replay "
            "another plant; run the study again"
        )
    first = int(run.params["first_seed"])
    outcomes = _replicate(study, range(first, first + params.replications), progress)
    return {"outcomes": [o.as_json() for o in outcomes]}


BOOK = runs.RunBook(job="simulation_run", key=SIMULATION_RUNS, noun="Simulation study", work=_work)
BATCH_BOOK = runs.RunBook(
    job="simulation_batch", key=SIMULATION_RUNS, noun="Simulation batch", work=_batch_work
)
JOBS = (BOOK.job_kind(), BATCH_BOOK.job_kind(), whatif.WHAT_IF_BOOK.job_kind())


def result_of(study: Study, params: StudyParams, outcomes: list[Outcome]) -> dict[str, Any]:
    """The JSON a study keeps: per order, the plant's load, and what it assumed."""
    confidences = summarise(study.model, [o.as_replication() for o in outcomes], LEVELS)
    return {
        "plan_version": study.version,
        "start": study.start.isoformat(),
        "replications": len(outcomes),
        "seed": params.seed,
        "hold_to_plan": params.hold_to_plan,
        "levels": list(LEVELS),
        "orders": [_order_entry(study, c) for c in confidences],
        "kpis": _kpis(study, outcomes),
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


def _kpis(study: Study, outcomes: list[Outcome]) -> dict[str, Any]:
    """Utilisation per work centre pooled over its units and the replications (busy over
    available minutes), so a centre of three units reads like one of one."""
    busy: dict[str, int] = {}
    available: dict[str, int] = {}
    for outcome in outcomes:
        for key, minutes in outcome.busy.items():
            centre = study.centre_of.get(key, key)
            busy[centre] = busy.get(centre, 0) + minutes
            available[centre] = available.get(centre, 0) + outcome.available.get(key, 0)
    n = len(outcomes)
    return {
        "utilisation": {
            c: round(busy[c] / available[c], 4) if available[c] else 0.0 for c in sorted(busy)
        },
        "mean_wip": round(sum(o.mean_wip for o in outcomes) / n, 3),
        "mean_makespan_hours": round(sum(o.makespan for o in outcomes) / n / 60, 2),
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
    run = runs.run_here(BOOK, ctx, PLAN_CONFIDENCE, checked.as_dict(), actor.username, on_progress)
    return runs.view(run)


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
        (r for r in runs.latest(BOOK, ctx, 20, PLAN_CONFIDENCE) if r.status is RunStatus.DONE),
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


# -- what-if scenarios --------------------------------------------------------------------


def request_what_if(
    ctx: ServiceContext, actor: Principal, params: dict[str, Any]
) -> dict[str, Any]:
    """Queue a what-if comparison (the base plant and the asked changes, same seeds)."""
    require(actor.role, Resource.SIMULATION, RUN)
    checked = whatif.check_params(params)
    with ctx.uow() as uow:
        whatif.check_centres(uow, checked)
    return runs.view(
        runs.request(whatif.WHAT_IF_BOOK, ctx, whatif.WHAT_IF, checked, actor.username)
    )


def run_what_if(
    ctx: ServiceContext,
    actor: Principal,
    params: dict[str, Any],
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Record a what-if comparison and carry it out here (the CLI, in the foreground)."""
    require(actor.role, Resource.SIMULATION, RUN)
    checked = whatif.check_params(params)
    with ctx.uow() as uow:
        whatif.check_centres(uow, checked)
    run = runs.run_here(
        whatif.WHAT_IF_BOOK, ctx, whatif.WHAT_IF, checked, actor.username, on_progress
    )
    return runs.view(run)


def latest_what_if(ctx: ServiceContext, actor: Principal) -> dict[str, Any] | None:
    """The newest finished what-if comparison, or None."""
    require(actor.role, Resource.SIMULATION, VIEW)
    found = runs.latest(whatif.WHAT_IF_BOOK, ctx, 20, whatif.WHAT_IF)
    done = next((r for r in found if r.status is RunStatus.DONE), None)
    return runs.view(done) if done is not None else None


def what_if_runs(ctx: ServiceContext, actor: Principal, limit: int = 20) -> list[dict[str, Any]]:
    require(actor.role, Resource.SIMULATION, VIEW)
    return [runs.view(r) for r in runs.latest(whatif.WHAT_IF_BOOK, ctx, limit, whatif.WHAT_IF)]


def active_centres(ctx: ServiceContext) -> list[Any]:
    """The work centres a what-if may add a shift or a unit to (for the page's form)."""
    with ctx.uow() as uow:
        return list(plant_data.active_work_centres(uow))
