"""The stored plan as people read it: versions, the schedule board, comparisons, pins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo

from orderforge.domain.errors import IllegalTransition, InvalidInput, NotFound
from orderforge.domain.order import Order
from orderforge.domain.permissions import PIN, REPORT, VIEW, require
from orderforge.domain.permissions import Resource as Res
from orderforge.domain.planning import PlannedOperation, PlanPin, PlanVersion
from orderforge.domain.text import check_text
from orderforge.plant import services as plant
from orderforge.production.domain import OperationStatus
from orderforge.production.progress import OperationProgress, OrderProgress
from orderforge.production.services import progress
from orderforge.production.services.work_orders import find_operation
from orderforge.services import planning, plant_time
from orderforge.services.context import ServiceContext
from orderforge.services.ports import OrderFilter, Principal, UnitOfWork

_STARTED = frozenset({OperationStatus.RUNNING, OperationStatus.PAUSED, OperationStatus.DONE})


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def version_view(v: PlanVersion) -> dict[str, Any]:
    out = asdict(v)
    for key in ("created_at", "horizon_start"):
        out[key] = _iso(out[key])
    out["moved"] = moved_text(v)
    return out


def moved_text(v: PlanVersion) -> str | None:
    """ "moved 3 of 473 operations since version 1": what the floor must be told, against
    what could have moved (versions stored before the "of" was kept show the count)."""
    if v.based_on is None:
        return None
    if v.comparable_operations == 0 and v.moved_operations > 0:
        return f"{v.moved_operations} moved since version {v.based_on}"
    noun = "operation" if v.comparable_operations == 1 else "operations"
    return (
        f"moved {v.moved_operations} of {v.comparable_operations} {noun} since version {v.based_on}"
    )


def operation_view(o: PlannedOperation) -> dict[str, Any]:
    out = asdict(o)
    out["start"], out["end"] = _iso(o.start), _iso(o.end)
    return out


def pin_view(p: PlanPin) -> dict[str, Any]:
    out = asdict(p)
    out["not_before"], out["created_at"] = _iso(p.not_before), _iso(p.created_at)
    return out


def _version_number(uow: UnitOfWork, number: int | None) -> int:
    if number is None:
        latest = uow.plans.latest_version_number()
        if latest is None:
            raise NotFound("There is no plan yet: run one first (orderforge plan run).")
        return latest
    if uow.plans.version(number) is None:
        raise NotFound(f"There is no plan version {number}.")
    return number


def list_versions(ctx: ServiceContext, actor: Principal, limit: int = 50) -> list[dict[str, Any]]:
    require(actor.role, Res.SCHEDULE, VIEW)
    with ctx.uow() as uow:
        return [version_view(v) for v in uow.plans.versions(limit)]


def plan_detail(ctx: ServiceContext, actor: Principal, number: int | None = None) -> dict[str, Any]:
    """One version (the current one if `number` is None) with its orders and operations."""
    require(actor.role, Res.SCHEDULE, VIEW)
    with ctx.uow() as uow:
        n = _version_number(uow, number)
        version = uow.plans.version(n)
        assert version is not None
        orders = uow.plans.planned_orders(n)
        return {
            **version_view(version),
            "current": n == uow.plans.latest_version_number(),
            "orders": [
                {
                    **asdict(o),
                    "planned_start": _iso(o.planned_start),
                    "planned_finish": _iso(o.planned_finish),
                    "due": _iso(o.due),
                }
                for o in orders
            ],
            "operations": [operation_view(o) for o in uow.plans.operations(n)],
        }


def compare(ctx: ServiceContext, actor: Principal, older: int, newer: int) -> dict[str, Any]:
    """What changed for each order between two versions (planned finish and lateness)."""
    require(actor.role, Res.SCHEDULE, VIEW)
    with ctx.uow() as uow:
        a = {o.order_number: o for o in uow.plans.planned_orders(_version_number(uow, older))}
        b = {o.order_number: o for o in uow.plans.planned_orders(_version_number(uow, newer))}
    rows = []
    for number in sorted(set(a) | set(b)):
        x, y = a.get(number), b.get(number)
        shift = (
            int((y.planned_finish - x.planned_finish).total_seconds() // 60) if x and y else None
        )
        rows.append(
            {
                "order": number,
                "finish_before": _iso(x.planned_finish) if x else None,
                "finish_after": _iso(y.planned_finish) if y else None,
                "finish_moved_minutes": shift,
                "tardiness_before": x.tardiness_minutes if x else None,
                "tardiness_after": y.tardiness_minutes if y else None,
            }
        )
    return {"older": older, "newer": newer, "orders": rows}


# -- pins -------------------------------------------------------------------------


def eligible_units(uow: UnitOfWork, operation: str) -> list[str]:
    """Units that may run `operation` ("SO-2026-0001/1/PAINT"), from its work order."""
    found = find_operation(uow, operation)
    if found is None:
        raise NotFound(f"There is no operation {operation!r} to plan.")
    centres = {w.code: w for w in plant.active_work_centres(uow)}
    return [
        u for w in found[1].work_centres if w in centres for u in planning.unit_keys(centres[w])
    ]


def units_for(ctx: ServiceContext, actor: Principal, operation: str) -> list[str]:
    """The units an operation may be pinned to (for pick lists)."""
    require(actor.role, Res.SCHEDULE, VIEW)
    with ctx.uow() as uow:
        return eligible_units(uow, operation.strip())


def add_pin(
    ctx: ServiceContext,
    actor: Principal,
    operation: str,
    resource: str,
    not_before: dt.datetime | None = None,
    note: str = "",
) -> dict[str, Any]:
    """Pin an operation to a unit (and not before a moment); replaces an earlier pin of it.

    Refused at once when the operation is already running or done on another unit, or
    started before `not_before`: such a pin could never hold."""
    require(actor.role, Res.SCHEDULE, PIN)
    note = check_text(note, "note").strip()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        if not_before is not None:  # without an offset it is plant time
            not_before = plant_time.resolve(uow, not_before, "not_before")
        units = eligible_units(uow, operation)
        if resource not in units:
            raise InvalidInput(
                f"{operation} cannot run on {resource!r}; it can run on {', '.join(units)}.",
                field="resource",
            )
        current = uow.plans.latest_version_number()
        planned = (
            next((o for o in uow.plans.operations(current) if o.key == operation), None)
            if current is not None
            else None
        )
        _refuse_moving_started_work(uow, operation, planned, resource, not_before)
        for old in uow.plans.pins():
            if old.operation == operation:
                uow.plans.remove_pin(old.id or 0, actor.username, now)
        pin = uow.plans.add_pin(
            PlanPin(None, operation, resource, not_before, actor.username, now, note)
        )
        uow.commit()
        return pin_view(pin)


def _refuse_moving_started_work(
    uow: UnitOfWork,
    operation: str,
    planned: PlannedOperation | None,
    resource: str,
    not_before: dt.datetime | None,
) -> None:
    """A pin cannot move an operation the floor has started or finished: it is frozen
    where it runs (by its reported status, not by the clock)."""
    found = find_operation(uow, operation)
    op = found[1] if found is not None else None
    if op is None or op.status not in _STARTED:
        return
    started = op.started_at or (planned.start if planned else None)
    unit = planned.resource if planned is not None else op.work_centre
    moved = planned is not None and planned.resource != resource
    if op.work_centre is not None and resource.split("#")[0] != op.work_centre:
        moved = True
    late = not_before is not None and started is not None and started < not_before
    if moved or late:
        zone = plant_time.plant_zone(uow)
        when = plant_time.show(started, zone, with_zone=True) if started else "an earlier time"
        raise IllegalTransition(
            f"{operation} already started on {unit} at {when}: it is frozen there and a "
            "pin cannot move it."
        )


def remove_pin(ctx: ServiceContext, actor: Principal, pin_id: int) -> None:
    require(actor.role, Res.SCHEDULE, PIN)
    with ctx.uow() as uow:
        if not uow.plans.remove_pin(pin_id, actor.username, ctx.clock.now()):
            raise NotFound(f"There is no active pin {pin_id}.")
        uow.commit()


def list_pins(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    require(actor.role, Res.SCHEDULE, VIEW)
    with ctx.uow() as uow:
        return [pin_view(p) for p in uow.plans.pins()]


def withdraw_downtime(ctx: ServiceContext, actor: Principal, downtime_id: int) -> None:
    """Take back a downtime (entered by mistake, repaired sooner): the next plan no
    longer avoids it; the record stays, marked withdrawn by whom and when."""
    require(actor.role, Res.SCHEDULE, REPORT)
    with ctx.uow() as uow:
        if not uow.plans.withdraw_downtime(downtime_id, actor.username, ctx.clock.now()):
            raise NotFound(f"There is no downtime {downtime_id} in force.")
        uow.commit()


def list_downtimes(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    require(actor.role, Res.SCHEDULE, VIEW)
    with ctx.uow() as uow:
        return [
            {
                **asdict(d),
                "start": _iso(d.start),
                "end": _iso(d.end),
                "recorded_at": _iso(d.recorded_at),
            }
            for d in uow.plans.downtimes(ctx.clock.now())
        ]


# -- the board --------------------------------------------------------------------


def board(ctx: ServiceContext, actor: Principal, number: int | None = None) -> dict[str, Any]:
    """Everything the schedule board draws: work centres with their units, operations,
    orders with state, due date and lateness (and why late), pins, downtimes, the last
    runs. Empty (version None) before the first plan."""
    require(actor.role, Res.SCHEDULE, VIEW)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        centres = [
            {"code": w.code, "name": w.name, "units": planning.unit_keys(w)}
            for w in plant.active_work_centres(uow)
        ]
        latest = uow.plans.latest_version_number()
        n = latest if number is None else _version_number(uow, number)
        version = uow.plans.version(n) if n is not None else None
        orders: list[dict[str, Any]] = []
        operations: list[dict[str, Any]] = []
        if n is not None:
            planned = uow.plans.planned_orders(n)
            # One query for every planned order's state and priority, not one per order.
            numbers = tuple(o.order_number for o in planned)
            found = uow.orders.list(OrderFilter(numbers=numbers, limit=max(len(numbers), 1)))
            by_number = {order.number: order for order in found}
            # Between plan runs the floor moves on: the current plan's orders carry their
            # projection (late-running operations push what follows), older versions not.
            floor = progress.order_progress(uow, numbers, now, n) if n == latest and numbers else {}
            zone = plant_time.plant_zone(uow) if floor else None
            for o in planned:
                order = by_number.get(o.order_number)
                orders.append(
                    {
                        "order": o.order_number,
                        "state": order.state.value if order else None,
                        "priority": order.priority if order else 1,
                        "planned_start": _iso(o.planned_start),
                        "planned_finish": _iso(o.planned_finish),
                        "due": _iso(o.due),
                        "tardiness_minutes": o.tardiness_minutes,
                        "late": o.tardiness_minutes > 0,
                        "late_reason": _late_reason(o.tardiness_minutes, o.binding, o.waits),
                        "binding": o.binding,
                        "waits": o.waits,
                        **_order_floor(floor.get(o.order_number), order, zone),
                    }
                )
            operations = [operation_view(o) for o in uow.plans.operations(n)]
            behind = {op.key: op for p in floor.values() for op in p.operations if op.planned_end}
            for view in operations:
                view["floor"] = _operation_floor(behind.get(view["key"]), zone)
        return {
            "now": now.isoformat(),
            "version": version_view(version) if version else None,
            "current": n == latest,
            "work_centres": centres,
            "orders": orders,
            "operations": operations,
            "pins": [pin_view(p) for p in uow.plans.pins()],
            "downtimes": [
                {
                    **asdict(d),
                    "start": _iso(d.start),
                    "end": _iso(d.end),
                    "recorded_at": _iso(d.recorded_at),
                }
                for d in uow.plans.downtimes(now)
            ],
            "runs": [
                {
                    "id": r.id,
                    "status": r.status.value,
                    "kind": r.kind.value,
                    "plan_version": r.plan_version,
                    "error": r.error,
                    "progress": r.progress,
                }
                for r in uow.plans.runs(5)
            ],
        }


def _order_floor(
    found: OrderProgress | None, order: Order | None, zone: ZoneInfo | None
) -> dict[str, Any]:
    """The order's projection from the floor: when it will now finish, and whether that
    breaks its promise (the same test as the promise-at-risk alert)."""
    if found is None or found.projected_finish is None or zone is None:
        return {
            "projected_finish": None,
            "floor_delay_minutes": 0,
            "floor_reason": None,
            "promise_at_risk": False,
        }
    delay = found.delay_minutes
    promise = order.promise_date if order is not None else None
    at_risk = promise is not None and found.projected_finish.astimezone(zone).date() > promise
    return {
        "projected_finish": _iso(found.projected_finish),
        "floor_delay_minutes": delay,
        "floor_reason": progress.late_reason(found, zone) if delay else None,
        "promise_at_risk": at_risk,
    }


def _operation_floor(found: OperationProgress | None, zone: ZoneInfo | None) -> dict[str, Any]:
    """What the floor did with a planned operation: its status, real times, and whether it
    is behind now (an overrun or a late start) or pushed later by one that is."""
    if found is None or zone is None:
        return {"status": None, "behind": None, "delay_minutes": 0}
    return {
        "status": found.status.value,
        "projected_start": _iso(found.projected_start),
        "projected_end": _iso(found.projected_end),
        "behind": found.behind.value if found.behind else None,
        "behind_text": progress.behind_words(found, zone),
        "delay_minutes": found.delay_minutes,
    }


def _late_reason(tardiness: int, binding: list[str], waits: Sequence[str] = ()) -> str | None:
    if tardiness <= 0:
        return None
    hours = tardiness / 60
    chain = " → ".join(binding) if binding else "its operations"
    waiting = "".join(f"{w}; " for w in waits)
    return f"{hours:.1f} h late, {waiting}bound by {chain}"
