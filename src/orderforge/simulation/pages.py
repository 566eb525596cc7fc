"""The Simulation page: the latest confidence study as a table in words (each open
order's chance of meeting its promise, riskiest first, below 80 % highlighted), the list
of studies with their progress, and a form that queues a new one (it returns at once: a
worker runs the study). Staff who may view studies; works without JavaScript."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from orderforge.domain.errors import DomainError, InvalidInput
from orderforge.entrypoints.web.common import (
    Ctx,
    Posted,
    User,
    flash,
    form_text,
    posted_form,
    redirect,
    render,
)
from orderforge.services import plant_time
from orderforge.simulation import services

router = APIRouter(prefix="/simulations", include_in_schema=False)
#: Below this chance an order is highlighted: the 80 % date is the one sales quote.
AT_RISK = 0.8


def _rows(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    if result is None:
        return []
    rows = []
    for entry in result["orders"]:
        share = entry["on_time"]
        rows.append(
            {
                **entry,
                "percent": None if share is None else round(share * 100),
                "at_risk": share is not None and share < AT_RISK,
            }
        )
    return sorted(rows, key=lambda r: (2.0 if r["on_time"] is None else r["on_time"], r["order"]))


@router.get("")
def simulations_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    runs = services.list_runs(ctx, me, 10)
    latest = services.latest_result(ctx, me)
    zone = plant_time.zone_of(ctx)

    def day(iso: str | None) -> str:
        if not iso:
            return "-"
        if len(iso) == 10:
            return dt.date.fromisoformat(iso).strftime("%d %b %Y")
        return dt.datetime.fromisoformat(iso).astimezone(zone).strftime("%d %b %Y")

    result = latest["result"] if latest else None
    return render(
        request,
        "simulation/index.html",
        me=me,
        runs=runs,
        latest=latest,
        result=result,
        rows=_rows(result),
        day=day,
        defaults={"replications": 200, "seed": 1},
        max_replications=services.MAX_REPLICATIONS,
        what_if=services.latest_what_if(ctx, me),
        centres=[c.code for c in services.active_centres(ctx)],
    )


def _whole(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number.", field=name) from None


@router.post("", response_model=None)
def request_study(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    form = posted_form(request, form)
    try:
        params = {
            "replications": _whole(form_text(form, "replications") or "200", "replications"),
            "seed": _whole(form_text(form, "seed") or "1", "seed"),
        }
        run = services.request_study(ctx, me, params)
    except DomainError as exc:
        where = f"{exc.field}: " if exc.field else ""
        flash(request, f"No study was queued. {where}{exc.message}", "error")
        return redirect("/simulations")
    if run["status"] == "queued":
        flash(
            request,
            f"Simulation study {run['id']} queued: a worker runs it; reload to follow it.",
            "success",
        )
    else:
        flash(request, f"Simulation study {run['id']} {run['status']}.", "success")
    return redirect("/simulations")


@router.post("/{run_id}/cancel", response_model=None)
def cancel_study(request: Request, form: Posted, ctx: Ctx, me: User, run_id: int) -> Response:
    posted_form(request, form)
    try:
        run = services.cancel_study(ctx, me, run_id)
    except DomainError as exc:
        flash(request, f"Nothing was changed. {exc.message}", "error")
        return redirect("/simulations")
    flash(request, f"Simulation study {run['id']} cancelled; it will not run.", "success")
    return redirect("/simulations")


@router.post("/what-if", response_model=None)
def request_what_if(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    """The form's ticks become scenarios: a shift more or a unit more at the chosen work
    centre, demand up by the chosen share, quoting at another confidence."""
    form = posted_form(request, form)
    scenarios = []
    centre = form_text(form, "centre")
    if form_text(form, "shift") and centre:
        scenarios.append(f"shift:{centre}")
    if form_text(form, "machine") and centre:
        scenarios.append(f"machine:{centre}")
    try:
        if form_text(form, "demand"):
            scenarios.append(f"demand:{1 + _whole(form_text(form, 'demand'), 'demand') / 100}")
        if form_text(form, "confidence"):
            share = _whole(form_text(form, "confidence"), "confidence") / 100
            scenarios.append(f"confidence:{share}")
        run = services.request_what_if(ctx, me, {"scenarios": scenarios})
    except DomainError as exc:
        where = f"{exc.field}: " if exc.field else ""
        flash(request, f"Nothing was queued. {where}{exc.message}", "error")
        return redirect("/simulations#what-if")
    flash(request, f"What-if run {run['id']} queued: reload to see it when it is done.", "success")
    return redirect("/simulations#what-if")
