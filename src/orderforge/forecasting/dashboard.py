"""The plant dashboard: how the plant is doing, in pictures.

Order intake against capacity (the planned hours of the work confirmed each week beside
the hours the plant had), quoted against actual lead time and on-time delivery per month
(from the orders' own events: confirmed, promised, delivered), work in progress by state,
the coming weeks' load per work centre with the bottleneck, first-pass yield per work
centre, and the latest forecast per family. Read live: each figure is a few queries over
what the plant recorded, so the page is never older than the data.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from typing import Any

from orderforge.domain.errors import DomainError, NotFound
from orderforge.domain.order import OrderState
from orderforge.domain.permissions import VIEW, Resource, is_allowed, require
from orderforge.forecasting import services
from orderforge.forecasting.ports import DEMAND_HISTORY, OrderRecord
from orderforge.plant import services as plant_data
from orderforge.quality import charts as quality_charts
from orderforge.services import plant_time
from orderforge.services.context import ServiceContext
from orderforge.services.planning import working_intervals
from orderforge.services.ports import Principal, UnitOfWork

#: weeks of intake and months of lead time / on-time the dashboard shows
INTAKE_WEEKS = 26
MONTHS = 12
LOAD_WEEKS = 4
WEEK = services.WEEK
#: orders the floor holds: released until they leave
WIP_STATES = (
    OrderState.RELEASED,
    OrderState.IN_PRODUCTION,
    OrderState.FINAL_INSPECTION,
    OrderState.READY_TO_SHIP,
)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _hours_available(uow: UnitOfWork, start: dt.datetime, weeks: int) -> list[float]:
    """Working hours of every active unit, per week from `start`."""
    calendars = plant_data.calendars_by_code(uow)
    totals = [0.0] * weeks
    for centre in plant_data.active_work_centres(uow):
        calendar = calendars.get(centre.calendar_code)
        if calendar is None:
            continue
        open_time = working_intervals(calendar, start, weeks * 7)
        for w in range(weeks):
            totals[w] += services.overlap(open_time, w * WEEK, (w + 1) * WEEK) * centre.capacity
    return [round(t / 60, 1) for t in totals]


def _intake(
    uow: UnitOfWork, orders: list[OrderRecord], first: dt.date, zone: Any
) -> dict[str, Any]:
    weeks = [first + dt.timedelta(weeks=i) for i in range(INTAKE_WEEKS)]
    index = {w: i for i, w in enumerate(weeks)}
    units = [0] * INTAKE_WEEKS
    week_of: dict[str, int] = {}
    for o in orders:
        if o.confirmed_at is None:
            continue
        i = index.get(_monday(o.confirmed_at.astimezone(zone).date()))
        if i is not None:
            units[i] += sum(line.quantity for line in o.lines)
            week_of[o.number] = i
    hours = [0.0] * INTAKE_WEEKS
    for work in uow.repository(DEMAND_HISTORY).work(week_of):
        hours[week_of[work.order_number]] += work.minutes / 60
    start = dt.datetime.combine(first, dt.time(), zone)
    return {
        "weeks": [w.isoformat() for w in weeks],
        "units": units,
        "hours": [round(h, 1) for h in hours],
        "available_hours": _hours_available(uow, start, INTAKE_WEEKS),
    }


def _months(today: dt.date) -> list[str]:
    year, month = today.year, today.month
    out = []
    for _ in range(MONTHS):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(out))


def _delivery(orders: list[OrderRecord], today: dt.date, zone: Any) -> dict[str, Any]:
    """Per month of delivery: median quoted and actual lead time (days from confirmation
    to the promise, and to delivery) and the share delivered by the promise."""
    months = _months(today)
    quoted: dict[str, list[int]] = defaultdict(list)
    actual: dict[str, list[int]] = defaultdict(list)
    on_time: dict[str, list[bool]] = defaultdict(list)
    for o in orders:
        if o.delivered_at is None or o.confirmed_at is None:
            continue
        delivered = o.delivered_at.astimezone(zone).date()
        confirmed = o.confirmed_at.astimezone(zone).date()
        month = f"{delivered:%Y-%m}"
        if month not in months:
            continue
        actual[month].append((delivered - confirmed).days)
        if o.promise_date is not None:
            quoted[month].append((o.promise_date - confirmed).days)
            on_time[month].append(delivered <= o.promise_date)

    def median(values: list[int]) -> float | None:
        return float(statistics.median(values)) if values else None

    return {
        "months": months,
        "quoted_days": [median(quoted[m]) for m in months],
        "actual_days": [median(actual[m]) for m in months],
        "on_time_percent": [
            round(100 * sum(on_time[m]) / len(on_time[m]), 1) if on_time[m] else None
            for m in months
        ],
        "delivered": [len(actual[m]) for m in months],
    }


def _load(uow: UnitOfWork, now: dt.datetime, zone: Any) -> dict[str, Any]:
    """The current plan's hours per work centre over the coming weeks against its hours."""
    first = _monday(now.astimezone(zone).date())
    start = dt.datetime.combine(first, dt.time(), zone)
    calendars = plant_data.calendars_by_code(uow)
    centres = [c for c in plant_data.active_work_centres(uow) if c.calendar_code in calendars]
    open_time = {
        c.code: working_intervals(calendars[c.calendar_code], start, LOAD_WEEKS * 7)
        for c in centres
    }
    booked: Counter[str] = Counter()
    version = uow.plans.latest_version_number()
    clip = int((now - start).total_seconds() // 60)
    if version is not None:
        for op in uow.plans.operations(version):
            if op.work_centre in open_time:
                lo = max(int((op.start - start).total_seconds() // 60), clip)
                hi = min(int((op.end - start).total_seconds() // 60), LOAD_WEEKS * WEEK)
                booked[op.work_centre] += services.overlap(open_time[op.work_centre], lo, hi)
    rows: list[dict[str, Any]] = []
    for c in centres:
        available = services.overlap(open_time[c.code], clip, LOAD_WEEKS * WEEK) * c.capacity
        rows.append(
            {
                "work_centre": c.code,
                "name": c.name,
                "booked_hours": round(booked[c.code] / 60, 1),
                "available_hours": round(available / 60, 1),
                "percent": round(100 * booked[c.code] / available, 1) if available else None,
            }
        )
    rows.sort(key=lambda r: -(r["percent"] or 0))
    return {
        "weeks": LOAD_WEEKS,
        "plan_version": version,
        "work_centres": rows,
        "bottleneck": rows[0] if rows and rows[0]["percent"] else None,
    }


def dashboard(ctx: ServiceContext, actor: Principal) -> dict[str, Any]:
    require(actor.role, Resource.FORECAST, VIEW)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        zone = plant_time.plant_zone(uow)
        today = now.astimezone(zone).date()
        first = _monday(today) - dt.timedelta(weeks=INTAKE_WEEKS)
        since = dt.datetime.combine(first, dt.time(), zone) - dt.timedelta(days=400)
        orders = uow.repository(DEMAND_HISTORY).orders(since)
        intake = _intake(uow, orders, first, zone)
        delivery = _delivery(orders, today, zone)
        load = _load(uow, now, zone)
        states = uow.orders.count_by_state()
    wip = [{"state": s.value, "label": s.label, "orders": states.get(s, 0)} for s in WIP_STATES]
    fpy = (
        quality_charts.first_pass_yield_report(ctx, actor)
        if is_allowed(actor.role, Resource.QUALITY, VIEW)
        else None
    )
    try:
        forecast: dict[str, Any] | None = services.latest_forecast(ctx, actor)
    except (NotFound, DomainError):
        forecast = None
    families = []
    if forecast and forecast["result"]:
        for s in forecast["result"]["series"]:
            if s["kind"] == "family":
                families.append(
                    {
                        "label": s["label"],
                        "weeks": [w["week"] for w in s["forecast"]],
                        "point": [round(w["total"], 1) for w in s["forecast"]],
                        "lower_80": [round(w["lower_80"], 1) for w in s["forecast"]],
                        "upper_80": [
                            round(w["upper_80"] + w["from_quotes"], 1) for w in s["forecast"]
                        ],
                    }
                )
    return {
        "today": today.isoformat(),
        "intake": intake,
        "delivery": delivery,
        "wip": wip,
        "load": load,
        "fpy": fpy,
        "forecast": {"run": forecast["id"], "families": families} if forecast else None,
    }
