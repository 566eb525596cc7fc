"""Quality charts over HTTP: a characteristic's control chart and capability, first-pass
yield per work centre, scrap by cause. Read-only; staff who may view quality."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.quality import charts
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(tags=["quality"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Code = Annotated[str, Query(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]
_DATE = r"^\d{4}-\d{2}-\d{2}$"
From = Annotated[
    str | None, Query(alias="from", max_length=10, pattern=_DATE, description="First day")
]
To = Annotated[str | None, Query(alias="to", max_length=10, pattern=_DATE, description="Last day")]


@router.get(
    "/quality/charts/control",
    summary="A measured characteristic's control chart and capability (Cp, Cpk)",
)
def control_chart(
    family: Code, operation: Code, characteristic: Code, ctx: Ctx, me: Me
) -> dict[str, Any]:
    return charts.control_chart(ctx, me, family, operation, characteristic)


@router.get("/quality/first-pass-yield", summary="First-pass yield per work centre")
def first_pass_yield(
    ctx: Ctx,
    me: Me,
    first: From = None,
    last: To = None,
) -> dict[str, Any]:
    """Over the days from `from` to `to` (inclusive; by default the last 90 days)."""
    return charts.first_pass_yield_report(ctx, me, first, last)


@router.get("/quality/scrap-pareto", summary="Scrapped units by cause, largest first")
def scrap_pareto(
    ctx: Ctx,
    me: Me,
    first: From = None,
    last: To = None,
) -> dict[str, Any]:
    """Over the days from `from` to `to` (inclusive; by default the last 90 days)."""
    return charts.scrap_pareto_report(ctx, me, first, last)
