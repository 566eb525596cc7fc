"""The Forecast page: per product family a chart of the weeks behind and the weeks ahead
(80 and 95 % bands, the open quotes' weighted units on top), the options and long-lead
materials in a table, and what the quotes' conversion model learned. The figures are in
tables too (for people who read, and for tests); static/forecast_charts.js draws the
charts from JSON data blocks (no inline script). A new run is asked for with a form and
returns at once: a worker fits the models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from orderforge.domain.errors import DomainError, NotFound
from orderforge.domain.permissions import VIEW, Resource, is_allowed
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
from orderforge.forecasting import dashboard, services
from orderforge.services.money import money
from orderforge.simulation import services as simulation

router = APIRouter(prefix="/forecasts", include_in_schema=False)
#: weeks of history a family's chart shows before the forecast
SHOWN_WEEKS = 26


def _week(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d %b")


def _chart(series: dict[str, Any]) -> dict[str, Any]:
    """What the chart script needs for one family (numbers rounded for the page)."""
    past = series["history"][-SHOWN_WEEKS:]
    ahead = series["forecast"]
    return {
        "key": series["key"],
        "label": series["label"],
        "weeks": [_week(w["week"]) for w in past] + [_week(w["week"]) for w in ahead],
        "actual": [round(w["value"], 1) for w in past] + [None] * len(ahead),
        "point": [None] * len(past) + [round(w["point"], 1) for w in ahead],
        "total": [None] * len(past) + [round(w["total"], 1) for w in ahead],
        "lower_80": [None] * len(past) + [round(w["lower_80"], 1) for w in ahead],
        "upper_80": [None] * len(past) + [round(w["upper_80"], 1) for w in ahead],
        "lower_95": [None] * len(past) + [round(w["lower_95"], 1) for w in ahead],
        "upper_95": [None] * len(past) + [round(w["upper_95"], 1) for w in ahead],
    }


def _summary(series: dict[str, Any]) -> dict[str, Any]:
    weeks = series["forecast"]
    mase, base = series["accuracy"]["mase"], series["baseline"]["mase"]
    return {
        **series,
        "next_total": sum(w["total"] for w in weeks),
        "low_80": sum(w["lower_80"] for w in weeks),
        "high_80": sum(w["upper_80"] + w["from_quotes"] for w in weeks),
        "from_quotes": sum(w["from_quotes"] for w in weeks),
        "versus": (
            f"Better than the baseline (error {mase:.2f} against {base:.2f})"
            if series["beats_baseline"] and mase is not None and base is not None
            else "No model beat the baseline: its forecast is used"
        ),
        "weeks_view": [
            {
                "week": _week(w["week"]),
                "point": w["point"],
                "from_quotes": w["from_quotes"],
                "low": w["lower_80"],
                "high": w["upper_80"],
            }
            for w in weeks
        ],
    }


@router.get("")
def forecast_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    runs = services.list_forecasts(ctx, me, 5)
    try:
        latest: dict[str, Any] | None = services.latest_forecast(ctx, me)
    except NotFound:
        latest = None
    result = latest["result"] if latest else None
    families = [_summary(s) for s in result["series"] if s["kind"] == "family"] if result else []
    return render(
        request,
        "forecasting/index.html",
        me=me,
        runs=runs,
        pending=[r for r in runs if r["status"] in ("queued", "running")],
        latest=latest,
        result=result,
        families=families,
        options=[_summary(s) for s in result["series"] if s["kind"] == "option"] if result else [],
        materials=(
            [_summary(s) for s in result["series"] if s["kind"] == "material"] if result else []
        ),
        charts=[_chart(s) for s in result["series"] if s["kind"] == "family"] if result else [],
        quotes=result["quotes"] if result else None,
        week=_week,
        money=lambda amount, currency: money(Decimal(amount), currency),
    )


@router.post("", response_model=None)
def ask_for_forecast(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    form = posted_form(request, form)
    try:
        horizon = int(form_text(form, "horizon_weeks") or "8")
        history = int(form_text(form, "history_weeks") or "104")
    except ValueError:
        flash(request, "Nothing was asked for: weeks are whole numbers.", "error")
        return redirect("/forecasts")
    try:
        run = services.request_forecast(ctx, me, horizon, history)
    except DomainError as exc:
        where = f"{exc.field}: " if exc.field else ""
        flash(request, f"Nothing was asked for. {where}{exc.message}", "error")
        return redirect("/forecasts")
    if run["status"] == "queued":
        flash(request, f"Forecast run {run['id']} queued: a worker fits the models.", "success")
    else:
        flash(request, f"Forecast run {run['id']} {run['status_label'].lower()}.", "success")
    return redirect("/forecasts")


@router.post("/{run_id}/buy-ahead/{item_code}", response_model=None)
def buy_ahead(
    request: Request, form: Posted, ctx: Ctx, me: User, run_id: int, item_code: str
) -> Response:
    posted_form(request, form)
    try:
        order = services.buy_ahead(ctx, me, run_id, item_code)
    except DomainError as exc:
        flash(request, f"Nothing was ordered. {exc.message}", "error")
        return redirect("/forecasts#buy-ahead")
    flash(
        request,
        f"Draft purchase order {order['number']} made for {item_code}: place it on the "
        "Materials page.",
        "success",
    )
    return redirect("/forecasts#buy-ahead")


dashboard_router = APIRouter(include_in_schema=False)


@dashboard_router.get("/dashboard")
def dashboard_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    view = dashboard.dashboard(ctx, me)
    # the simulation room sits above this one: the page (a face over every room) asks it
    latest = (
        simulation.latest_what_if(ctx, me)
        if is_allowed(me.role, Resource.SIMULATION, VIEW)
        else None
    )
    view["what_if"] = (
        {"run": latest["id"], "rows": latest["result"]["rows"]}
        if latest and latest["result"]
        else None
    )
    return render(request, "forecasting/dashboard.html", me=me, d=view, week=_week)
