"""Plant plans over HTTP: runs are recorded jobs (202 + a run to poll), never solved here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.plan_schemas import (
    ComparisonOut,
    DowntimeOut,
    PinIn,
    PinOut,
    PlanOut,
    ReplanIn,
    RunIn,
    RunOut,
    VersionOut,
)
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.services import plan_runs, schedule
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(prefix="/plans", tags=["planning"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Version = Annotated[int, Query(ge=1, le=1_000_000_000)]
Id = Annotated[int, Path(ge=1, le=2_000_000_000)]


def _accepted(response: Response, run: dict[str, Any]) -> dict[str, Any]:
    response.headers["Location"] = f"/api/v1/plans/runs/{run['id']}"
    return run


@router.post(
    "/runs", response_model=RunOut, status_code=status.HTTP_202_ACCEPTED, summary="Queue a plan run"
)
def start_run(ctx: Ctx, me: Me, body: RunIn, response: Response) -> dict[str, Any]:
    return _accepted(
        response, plan_runs.request_run(ctx, me, body.time_limit, options=body.options())
    )


@router.post(
    "/replan",
    response_model=RunOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Record an event (machine down, overrun, rush, cancellation) and queue a replan",
)
def replan(ctx: Ctx, me: Me, body: ReplanIn, response: Response) -> dict[str, Any]:
    run = plan_runs.request_run(ctx, me, body.time_limit, body.disruption(), body.options())
    return _accepted(response, run)


@router.get("/runs", response_model=list[RunOut], summary="Recent plan runs, newest first")
def runs(ctx: Ctx, me: Me, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[dict[str, Any]]:
    return plan_runs.list_runs(ctx, me, limit)


@router.get(
    "/runs/{run_id}",
    response_model=RunOut,
    summary="A plan run: status, progress, error, resulting version",
)
def run(ctx: Ctx, me: Me, run_id: Id) -> dict[str, Any]:
    return plan_runs.get_run(ctx, me, run_id)


@router.post(
    "/runs/{run_id}/cancel",
    response_model=RunOut,
    summary="Cancel a queued plan run (409 with the reason once it runs or has ended)",
)
def cancel_run(ctx: Ctx, me: Me, run_id: Id) -> dict[str, Any]:
    return plan_runs.cancel_run(ctx, me, run_id)


@router.post(
    "/runs/{run_id}/retry",
    response_model=RunOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Retry a failed plan run: a new queued run with its inputs, naming it",
)
def retry_run(ctx: Ctx, me: Me, run_id: Id, response: Response) -> dict[str, Any]:
    return _accepted(response, plan_runs.retry_run(ctx, me, run_id))


@router.get("", response_model=list[VersionOut], summary="Stored plan versions, newest first")
def versions(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return schedule.list_versions(ctx, me)


@router.get(
    "/current", response_model=PlanOut, summary="The current plan with its orders and operations"
)
def current(ctx: Ctx, me: Me) -> dict[str, Any]:
    return schedule.plan_detail(ctx, me)


@router.get(
    "/compare",
    response_model=ComparisonOut,
    summary="How each order's planned finish moved between two versions",
)
def compare(ctx: Ctx, me: Me, older: Version, newer: Version) -> dict[str, Any]:
    return schedule.compare(ctx, me, older, newer)


@router.get("/pins", response_model=list[PinOut], summary="Active pins")
def pins(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return schedule.list_pins(ctx, me)


@router.post(
    "/pins",
    response_model=PinOut,
    status_code=status.HTTP_201_CREATED,
    summary="Pin an operation to a unit",
)
def add_pin(ctx: Ctx, me: Me, body: PinIn) -> dict[str, Any]:
    return schedule.add_pin(ctx, me, body.operation, body.resource, body.not_before, body.note)


@router.delete(
    "/pins/{pin_id}",
    response_class=Response,
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a pin",
)
def remove_pin(ctx: Ctx, me: Me, pin_id: Id) -> Response:
    schedule.remove_pin(ctx, me, pin_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/downtimes", response_model=list[DowntimeOut], summary="Downtimes not yet over")
def downtimes(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return schedule.list_downtimes(ctx, me)


@router.delete(
    "/downtimes/{downtime_id}",
    response_class=Response,
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw a downtime (the next plan no longer avoids it)",
)
def withdraw_downtime(ctx: Ctx, me: Me, downtime_id: Id) -> Response:
    schedule.withdraw_downtime(ctx, me, downtime_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{number}",
    response_model=PlanOut,
    summary="One stored plan version with its orders and operations",
)
def version(ctx: Ctx, me: Me, number: Id) -> dict[str, Any]:
    return schedule.plan_detail(ctx, me, number)
