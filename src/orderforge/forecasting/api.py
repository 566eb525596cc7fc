"""Demand forecasts over HTTP under /api/v1/forecasts: ask for a run (202: a worker fits
the models; poll the run), read runs and the latest result. Thin translation to the
forecasting use cases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.forecasting import services
from orderforge.forecasting.services import HISTORY_RANGE, HORIZON_RANGE
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(prefix="/forecasts", tags=["forecasts"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


class ForecastIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    horizon_weeks: int = Field(
        8, ge=HORIZON_RANGE[0], le=HORIZON_RANGE[1], description="Weeks ahead to forecast"
    )
    history_weeks: int = Field(
        104,
        ge=HISTORY_RANGE[0],
        le=HISTORY_RANGE[1],
        description="Weeks of order history the models learn from",
    )


class ForecastRunOut(BaseModel):
    id: int
    kind: str
    status: str = Field(description="queued, running, done, failed or cancelled")
    status_label: str
    params: dict[str, Any]
    requested_by: str
    requested_at: str
    started_at: str | None
    finished_at: str | None
    progress: float = Field(description="Share done, 0 to 1")
    result: dict[str, Any] | None = Field(
        description="Per series (family, option, long-lead material): the history, the "
        "model chosen by backtest, its accuracy beside the seasonal-naive baseline, the "
        "weekly forecast with 80 and 95 % intervals and the open quotes' weighted units; "
        "and the quote-conversion model's calibration with each open quote's probability"
    )
    error: str | None


def _accepted(response: Response, run: dict[str, Any]) -> dict[str, Any]:
    response.headers["Location"] = f"/api/v1/forecasts/{run['id']}"
    return run


@router.post(
    "",
    response_model=ForecastRunOut,
    status_code=202,
    summary="Queue a forecast run (a worker fits the models; poll the run)",
)
def request_forecast(
    ctx: Ctx, me: Me, response: Response, body: ForecastIn | None = None
) -> dict[str, Any]:
    body = body or ForecastIn()
    run = services.request_forecast(ctx, me, body.horizon_weeks, body.history_weeks)
    return _accepted(response, run)


@router.get("", response_model=list[ForecastRunOut], summary="Forecast runs, newest first")
def list_forecasts(
    ctx: Ctx, me: Me, limit: Annotated[int, Query(ge=1, le=200)] = 20
) -> list[dict[str, Any]]:
    return services.list_forecasts(ctx, me, limit)


@router.get("/latest", response_model=ForecastRunOut, summary="The newest finished forecast")
def latest_forecast(ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.latest_forecast(ctx, me)


@router.get("/{run_id}", response_model=ForecastRunOut)
def get_forecast(ctx: Ctx, me: Me, run_id: Id) -> dict[str, Any]:
    return services.get_forecast(ctx, me, run_id)


@router.post(
    "/{run_id}/cancel",
    response_model=ForecastRunOut,
    summary="Cancel a queued forecast run (409 with the reason once it runs or has ended)",
)
def cancel_forecast(ctx: Ctx, me: Me, run_id: Id) -> dict[str, Any]:
    return services.cancel_forecast(ctx, me, run_id)


@router.post(
    "/{run_id}/buy-ahead/{item_code}",
    status_code=201,
    summary="Make a draft purchase order from a forecast run's buy-ahead proposal for an item "
    "(purchasing places it; 409 when one was made since the run)",
)
def buy_ahead(
    ctx: Ctx,
    me: Me,
    run_id: Id,
    item_code: Annotated[str, Path(max_length=40, examples=["FABRIC-CAT3"])],
    response: Response,
) -> dict[str, Any]:
    order = services.buy_ahead(ctx, me, run_id, item_code)
    response.headers["Location"] = f"/api/v1/materials/purchase-orders/{order['number']}"
    return order
