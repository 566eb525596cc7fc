"""The quality charts page: pick a plan's measured characteristic for its control chart
and capability; first-pass yield per work centre and scrap by cause over a period. The
figures are in tables too (for people who read, and for tests); the charts are drawn by
static/quality_charts.js from JSON data blocks (no inline script)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from orderforge.domain.errors import DomainError
from orderforge.entrypoints.web.common import Ctx, User, render
from orderforge.quality import charts

router = APIRouter(include_in_schema=False)


@router.get("/quality/charts")
def charts_page(
    request: Request,
    ctx: Ctx,
    me: User,
    family: str = "",
    operation: str = "",
    characteristic: str = "",
    pick: str = "",
    first: str = "",
    last: str = "",
) -> HTMLResponse:
    if pick.count("/") == 2:  # the picker's one select: FAMILY/OPERATION/characteristic
        family, operation, characteristic = pick.split("/")
    choices = charts.chart_choices(ctx, me)
    picked = next(
        (p for p in choices if p["family"] == family and p["operation"] == operation),
        choices[0] if choices else None,
    )
    code = characteristic[:40]
    if picked is not None and code not in {c["code"] for c in picked["characteristics"]}:
        code = picked["characteristics"][0]["code"]
    control: dict[str, Any] | None = None
    problem = ""
    try:
        if picked is not None:
            control = charts.control_chart(ctx, me, picked["family"], picked["operation"], code)
        fpy = charts.first_pass_yield_report(ctx, me, first[:10], last[:10])
        pareto = charts.scrap_pareto_report(ctx, me, first[:10], last[:10])
    except DomainError as exc:
        problem = exc.message
        fpy = charts.first_pass_yield_report(ctx, me)
        pareto = charts.scrap_pareto_report(ctx, me)
    return render(
        request,
        "quality/charts.html",
        me=me,
        choices=choices,
        picked=picked,
        code=code,
        control=control,
        fpy=fpy,
        pareto=pareto,
        problem=problem,
    )
