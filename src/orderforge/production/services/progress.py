"""Orders' floor progress against the current plan, for the board and the promise watch.

One reading for every caller (the schedule board, the promise-at-risk alert, the order
page): the current plan version's operations of these orders and their current work
orders, projected by `orderforge.production.progress`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from datetime import tzinfo
from typing import Any

from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.domain.planning import PlannedOperation
from orderforge.production.domain import OperationStatus, WorkOrder
from orderforge.production.ports import WORK_ORDERS
from orderforge.production.progress import Behind, OperationProgress, OrderProgress, project
from orderforge.services.access import load_visible
from orderforge.services.context import ServiceContext
from orderforge.services.plant_time import plant_zone
from orderforge.services.ports import Principal, UnitOfWork


def order_progress(
    uow: UnitOfWork, order_numbers: Collection[str], now: dt.datetime, version: int | None = None
) -> dict[str, OrderProgress]:
    """Progress of each order that the plan (`version`, the latest when None) includes;
    orders it does not include are left out (there is no plan to be behind)."""
    number = uow.plans.latest_version_number() if version is None else version
    if number is None or not order_numbers:
        return {}
    wanted = sorted(set(order_numbers))
    planned = uow.plans.operations(number, wanted)
    plans: dict[str, list[PlannedOperation]] = {}
    for p in planned:
        plans.setdefault(p.order_number, []).append(p)
    if not plans:
        return {}
    work: dict[str, list[WorkOrder]] = {n: [] for n in plans}
    for work_order in uow.repository(WORK_ORDERS).current_for(sorted(plans)):
        work[work_order.order_number].append(work_order)
    return {n: project(n, work[n], plans[n], now) for n in sorted(plans)}


def behind_words(op: OperationProgress, zone: tzinfo) -> str | None:
    """Why this operation is behind now, as a planner reads it; None when it is not."""
    if op.behind is None:
        return None
    late = _duration(op.behind_minutes)
    if op.behind is Behind.OVERRUNNING and op.planned_end is not None:
        doing = "paused" if op.status is OperationStatus.PAUSED else "still running"
        return f"{doing} {late} after its planned end ({_clock(op.planned_end, zone)})"
    if op.planned_start is not None:
        return f"not started {late} after its planned start ({_clock(op.planned_start, zone)})"
    return None  # pragma: no cover - behind is only set for planned operations


def late_reason(progress: OrderProgress, zone: tzinfo) -> str:
    """What makes the order late on the floor, for the alert and the board."""
    behind = progress.behind
    if behind:
        head = behind[0]
        said = f"{head.name} ({head.work_order}, operation {head.seq}) {behind_words(head, zone)}"
        more = len(behind) - 1
        return "running late on the floor: " + said + (f"; {more} more behind" if more else "")
    done_late = [
        o for o in progress.operations if o.status is OperationStatus.DONE and o.delay_minutes
    ]
    if done_late:
        worst = max(done_late, key=lambda o: o.delay_minutes)
        return (
            f"work finished later than planned: {worst.name} ({worst.work_order}, operation "
            f"{worst.seq}) ended {_duration(worst.delay_minutes)} after its planned end"
        )
    added = [
        o
        for o in progress.operations
        if o.planned_end is None and o.status is not OperationStatus.DONE
    ]
    if added:
        names = ", ".join(f"{o.name} ({o.work_order}, operation {o.seq})" for o in added[:3])
        return f"work added since the plan (rework): {names}"
    return "work started later than planned pushes the rest"


def _clock(moment: dt.datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _duration(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def progress_view(ctx: ServiceContext, actor: Principal, number: str) -> dict[str, Any]:
    """An order's floor progress against the current plan, for planners and sales: its
    projected finish and what is behind. The plan's internals are staff's: a customer is
    refused (the portal shows the promise and the order's state instead)."""
    require(actor.role, Resource.SCHEDULE, VIEW)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        found = order_progress(uow, [order.number], now).get(order.number)
        zone = plant_zone(uow)
        if found is None:
            return {
                "order_number": order.number,
                "planned": False,
                "summary": "not in the current plan",
                "promise_date": _day(order.promise_date),
                "planned_finish": None,
                "projected_finish": None,
                "delay_minutes": 0,
                "promise_at_risk": False,
                "reason": None,
                "operations": [],
            }
        at_risk = (
            order.promise_date is not None
            and found.projected_finish is not None
            and found.projected_finish.astimezone(zone).date() > order.promise_date
        )
        delay = found.delay_minutes
        summary = "on plan"
        if delay and found.projected_finish is not None:
            summary = (
                f"now expected to finish {_clock(found.projected_finish, zone)}, "
                f"{_duration(delay)} behind the plan: {late_reason(found, zone)}"
            )
        return {
            "order_number": order.number,
            "planned": True,
            "summary": summary,
            "promise_date": _day(order.promise_date),
            "planned_finish": _iso(found.planned_finish),
            "projected_finish": _iso(found.projected_finish),
            "delay_minutes": found.delay_minutes,
            "promise_at_risk": at_risk,
            "reason": late_reason(found, zone) if found.delay_minutes else None,
            "operations": [
                {
                    "work_order": o.work_order,
                    "seq": o.seq,
                    "name": o.name,
                    "status": o.status.value,
                    "planned_start": _iso(o.planned_start),
                    "planned_end": _iso(o.planned_end),
                    "projected_start": _iso(o.projected_start),
                    "projected_end": _iso(o.projected_end),
                    "delay_minutes": o.delay_minutes,
                    "behind": o.behind.value if o.behind else None,
                    "behind_text": behind_words(o, zone),
                }
                for o in sorted(found.operations, key=lambda o: (o.work_order, o.seq))
            ],
        }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None
