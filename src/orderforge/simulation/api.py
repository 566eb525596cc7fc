"""Simulation over HTTP: confidence studies of the current plan (queued, polled, cancelled)
and one order's chance of meeting its promise. Thin translation to the use cases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.simulation import services

router = APIRouter(tags=["simulation"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
OrderNumber = Annotated[str, Path(max_length=30, examples=["SO-2026-0042"])]


class StudyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    replications: int = Field(
        200,
        ge=1,
        le=services.MAX_REPLICATIONS,
        description="How many times the plan is replayed; more gives steadier figures",
    )
    seed: int = Field(
        1, ge=0, le=2**63 - 1, description="First random seed; the same seed repeats a study"
    )
    hold_to_plan: bool = Field(
        True, description="The floor starts no work before its planned start (as released)"
    )
    default_cv: float = Field(
        services.DEFAULT_CV,
        ge=0,
        le=services.MAX_CV,
        description="Spread of operation times at work centres with too little history "
        "(coefficient of variation of actual / planned minutes)",
    )
    learn: bool = Field(
        True,
        description="Draw operation times from each work centre's own history where it has "
        "enough; false uses default_cv everywhere (0 replays the plan exactly)",
    )


class RunOut(BaseModel):
    id: int
    kind: str = Field(description="plan_confidence")
    status: str = Field(description="queued, running, done, failed or cancelled")
    status_label: str
    params: dict[str, Any] = Field(description="What the study was asked with")
    requested_by: str
    requested_at: str
    started_at: str | None
    finished_at: str | None
    progress: float = Field(description="Share done, 0 to 1")
    result: dict[str, Any] | None = Field(
        description="When done: orders (per open order: on_time, the chance of finishing "
        "by the end of the promise day; finish_at p50/p80/p95; planned_finish; "
        "mean_finish), kpis, variability per work centre, replications, seed, plan_version"
    )
    error: str | None = Field(description="Why the study failed or was cancelled")


class ConfidenceOut(BaseModel):
    order: str
    customer: str
    promised: str | None = Field(description="The date on-time is measured against")
    promise_basis: str | None = Field(
        description="promise (the committed date) or requested (nothing promised yet)"
    )
    due: str | None = Field(description="End of that day in the plant's time zone")
    planned_finish: str = Field(description="When the plan finishes the order")
    on_time: float | None = Field(description="Chance of meeting the date, 0 to 1")
    finish_at: dict[str, str] = Field(
        description="Dates met in 50, 80 and 95 % of replications (p50, p80, p95)"
    )
    mean_finish: str
    run_id: int = Field(description="The study these figures come from")
    studied_at: str | None
    replications: int
    plan_version: int


@router.post(
    "/simulations/plan-confidence",
    response_model=RunOut,
    status_code=202,
    summary="Queue a study of the current plan: each open order's chance of meeting "
    "its promise (a worker runs it; poll the run)",
)
def request_study(ctx: Ctx, me: Me, body: StudyIn, response: Response) -> dict[str, Any]:
    run = services.request_study(ctx, me, body.model_dump())
    response.headers["Location"] = f"/api/v1/simulations/{run['id']}"
    return run


@router.get("/simulations", response_model=list[RunOut], summary="Studies, newest first")
def list_studies(
    ctx: Ctx, me: Me, limit: Annotated[int, Query(ge=1, le=200)] = 20
) -> list[dict[str, Any]]:
    return services.list_runs(ctx, me, limit)


@router.get("/simulations/{run_id}", response_model=RunOut, summary="One study")
def get_study(ctx: Ctx, me: Me, run_id: Id) -> dict[str, Any]:
    return services.get_run(ctx, me, run_id)


@router.post(
    "/simulations/{run_id}/cancel",
    response_model=RunOut,
    summary="Cancel a queued study (409 with the reason once it runs or has ended)",
)
def cancel_study(ctx: Ctx, me: Me, run_id: Id) -> dict[str, Any]:
    return services.cancel_study(ctx, me, run_id)


@router.get(
    "/orders/{number}/confidence",
    response_model=ConfidenceOut | None,
    summary="The order's chance of meeting its promise from the latest finished study "
    "(null when no study covered it)",
)
def order_confidence(ctx: Ctx, me: Me, number: OrderNumber) -> dict[str, Any] | None:
    return services.order_confidence(ctx, me, number)


class WhatIfIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenarios: list[str] = Field(
        min_length=1,
        max_length=8,
        description="Changes compared with the plant as it is: shift:CENTRE, "
        "machine:CENTRE, demand:FACTOR (1.3 = +30 %), confidence:SHARE, fixed:DAYS",
        examples=[["shift:UPHOLSTERY", "demand:1.3"]],
    )
    weeks: int = Field(26, ge=4, le=104, description="Simulated weeks")
    seeds: int = Field(3, ge=1, le=10, description="Replications, the same for every scenario")
    warmup_weeks: int = Field(4, ge=0, le=26, description="First weeks left out of the figures")
    confidence: float = Field(0.9, ge=0.5, le=0.99, description="The confidence the base quotes at")
    cv: float = Field(0.3, ge=0, le=2, description="Spread of operation times")


@router.post(
    "/simulations/what-if",
    response_model=RunOut,
    status_code=202,
    summary="Queue a what-if comparison of this plant: the changes asked for beside the "
    "plant as it is, on the same orders (a worker runs it; poll the run)",
)
def request_what_if(ctx: Ctx, me: Me, body: WhatIfIn, response: Response) -> dict[str, Any]:
    run = services.request_what_if(ctx, me, body.model_dump())
    response.headers["Location"] = f"/api/v1/simulations/{run['id']}"
    return run


@router.get(
    "/simulations/what-if/latest",
    response_model=RunOut | None,
    summary="The newest finished what-if comparison (null before the first)",
)
def latest_what_if(ctx: Ctx, me: Me) -> dict[str, Any] | None:
    return services.latest_what_if(ctx, me)
