"""Quality charts (use cases, read-only): a control chart with capability per measured
characteristic, first-pass yield per work centre, and scrap by cause (Pareto).

A characteristic whose nominal is a spec parameter (a top's length is what the customer
ordered) is charted as the deviation from that nominal, so work orders of different sizes
share one chart; a fixed nominal is charted as measured. Each unit counts with its first
measurement: a re-inspection after rework measures the rework, not the process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.plant.ports import PLANT
from orderforge.quality.chart_ports import QUALITY_FACTS
from orderforge.quality.domain import Characteristic, Inspection, InspectionPlan, Sampling
from orderforge.quality.ports import QUALITY
from orderforge.quality.spc import (
    CONSTANTS,
    MIN_CAPABILITY_RESULTS,
    Capability,
    ControlChart,
    capability,
    chart_for,
)
from orderforge.quality.yields import failed_first_units, first_pass_yield, scrap_pareto
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

DEFAULT_PERIOD_DAYS = 90
MAX_PERIOD_DAYS = 366 * 5
FPY_DEFINITION = (
    "First-pass yield = units that passed at the first attempt ÷ units that entered. For "
    "each operation completed at the work centre in the period, the units that entered "
    "are the good and scrapped units reported at its completion; those that passed at the "
    "first attempt are the good units less those whose first inspection there failed "
    "(reworked or accepted as is)."
)


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), dt.UTC)

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), dt.UTC)

    def view(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def period(first: str | None, last: str | None, today: dt.date) -> Period:
    """The days from `first` to `last` inclusive (ISO dates); by default the last
    DEFAULT_PERIOD_DAYS days up to today."""

    def day(text: str | None, name: str, default: dt.date) -> dt.date:
        if text is None or not text.strip():
            return default
        try:
            return dt.date.fromisoformat(text.strip()[:10])
        except ValueError:
            raise InvalidInput(
                f"{name} is a date like 2026-03-31, not {text!r}.", field=name
            ) from None

    end = day(last, "to", today)
    start = day(first, "from", end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1))
    if start > end:
        raise InvalidInput("The period starts after it ends: swap from and to.", field="from")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"A period spans at most {MAX_PERIOD_DAYS} days.", field="from")
    return Period(start, end)


def _r(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def _is_number(text: str) -> bool:
    try:
        Decimal(text or "0")
    except ArithmeticError:
        return False
    return True


# -- control chart ---------------------------------------------------------------------


def chart_choices(ctx: ServiceContext, actor: Principal) -> list[dict[str, Any]]:
    """The plans with something measured: what the chart page lets people pick."""
    require(actor.role, Resource.QUALITY, VIEW)
    with ctx.uow() as uow:
        plans = uow.repository(QUALITY).plans()
    return [
        {
            "family": p.family,
            "operation": p.operation,
            "name": p.name,
            "characteristics": [
                {"code": c.code, "name": c.name, "unit": c.unit}
                for c in p.characteristics
                if c.measured
            ],
        }
        for p in plans
        if any(c.measured for c in p.characteristics)
    ]


def _measurements(
    inspections: list[Inspection], c: Characteristic
) -> tuple[list[dict[str, Any]], list[int]]:
    """Each unit's first measurement, oldest inspection first; and how many each
    inspection gave (the subgroups)."""
    deviation = not _is_number(c.nominal)
    points: list[dict[str, Any]] = []
    sizes: list[int] = []
    for inspection in inspections:
        seen: set[int] = set()
        nominal, _, _ = c.limits(inspection.spec)
        taken = 0
        for r in inspection.results:
            if r.characteristic != c.code or r.value is None or r.unit_serial in seen:
                continue
            seen.add(r.unit_serial)
            value = r.value - nominal if deviation else r.value
            points.append(
                {
                    "label": f"{inspection.work_order} unit {r.unit_serial}",
                    "work_order": inspection.work_order,
                    "unit": r.unit_serial,
                    "value": float(value),
                    "recorded_at": r.recorded_at.astimezone(dt.UTC).isoformat(timespec="minutes"),
                }
            )
            taken += 1
        if taken:
            sizes.append(taken)
    return points, sizes


def _subgroups(
    plan: InspectionPlan, points: list[dict[str, Any]], sizes: list[int]
) -> tuple[list[dict[str, Any]], list[int]]:
    """Lot samples of the plan's size make subgroups (an X̄-R chart); a lot with another
    count is left out of a subgrouped chart. Otherwise every point stands alone."""
    n = plan.sample_size
    if plan.sampling is not Sampling.PER_LOT or n not in CONSTANTS:
        return points, [1] * len(points)
    kept: list[dict[str, Any]] = []
    at = 0
    for size in sizes:
        if size == n:
            kept += points[at : at + size]
        at += size
    return (kept, [n] * (len(kept) // n)) if len(kept) >= 2 * n else (points, [1] * len(points))


def _capability_view(cap: Capability) -> dict[str, Any]:
    text = (
        (f"Cp {cap.cp:.2f}, " if cap.cp is not None else "")
        + f"Cpk {cap.cpk:.2f} (n = {cap.n}, σ {cap.sigma_method})"
        if cap.cpk is not None
        else cap.reason
    )
    return {
        "n": cap.n,
        "minimum": MIN_CAPABILITY_RESULTS,
        "cp": _r(cap.cp, 3),
        "cpk": _r(cap.cpk, 3),
        "sigma": _r(cap.sigma, 6),
        "sigma_method": cap.sigma_method,
        "shown": cap.shown,
        "text": text,
    }


def _chart_view(chart: ControlChart | None) -> dict[str, Any] | None:
    if chart is None:
        return None
    return {
        "kind": chart.kind,
        "kind_label": (
            "Individuals and moving range (I-MR)"
            if chart.kind == "individuals"
            else f"Subgroup means and ranges (X̄-R, n = {chart.subgroup_size})"
        ),
        "subgroup_size": chart.subgroup_size,
        "points": [_r(p) for p in chart.points],
        "limits": {
            "centre": _r(chart.limits.centre),
            "upper": _r(chart.limits.upper),
            "lower": _r(chart.limits.lower),
        },
        "ranges": [_r(r) for r in chart.ranges],
        "range_limits": {
            "centre": _r(chart.range_limits.centre),
            "upper": _r(chart.range_limits.upper),
            "lower": _r(chart.range_limits.lower),
        },
        "beyond_limits": list(chart.beyond_limits),
        "runs": list(chart.runs),
    }


def control_chart(
    ctx: ServiceContext, actor: Principal, family: str, operation: str, characteristic: str
) -> dict[str, Any]:
    """The control chart and capability of one measured characteristic of a plan."""
    require(actor.role, Resource.QUALITY, VIEW)
    family, operation, code = family.strip().upper(), operation.strip(), characteristic.strip()
    with ctx.uow() as uow:
        plan = next(
            (
                p
                for p in uow.repository(QUALITY).plans()
                if p.family == family and p.operation == operation
            ),
            None,
        )
        if plan is None:
            raise NotFound(f"There is no inspection plan for operation {operation} of {family}.")
        c = next((x for x in plan.characteristics if x.code == code), None)
        if c is None or not c.measured:
            known = ", ".join(x.code for x in plan.characteristics if x.measured)
            raise InvalidInput(
                f"{plan.name} measures {known}; {code!r} is not one of them.",
                field="characteristic",
            )
        inspections = uow.repository(QUALITY_FACTS).inspections_of(family, operation)
    points, sizes = _measurements(inspections, c)
    points, sizes = _subgroups(plan, points, sizes)
    values = [p["value"] for p in points]
    chart = chart_for(values, sizes)
    deviation = not _is_number(c.nominal)
    offset = Decimal(0) if deviation else Decimal(c.nominal or "0")
    lower = float(offset + c.lower) if c.lower is not None else None
    upper = float(offset + c.upper) if c.upper is not None else None
    cap = capability(
        values,
        lower,
        upper,
        chart.sigma_within if chart else None,
        chart.sigma_method if chart else "",
    )
    beyond_spec = sum(
        1 for v in values if (lower is not None and v < lower) or (upper is not None and v > upper)
    )
    return {
        "family": plan.family,
        "operation": plan.operation,
        "plan": plan.name,
        "characteristic": {"code": c.code, "name": c.name, "unit": c.unit},
        "plotted": (
            f"deviation from the ordered {c.nominal} ({c.unit})"
            if deviation
            else f"measured value ({c.unit})"
        ),
        "measurements": points,
        "spec": {"lower": lower, "upper": upper},
        "beyond_spec": beyond_spec,
        "chart": _chart_view(chart),
        "capability": _capability_view(cap),
    }


# -- yield and scrap -------------------------------------------------------------------


def first_pass_yield_report(
    ctx: ServiceContext, actor: Principal, first: str | None = None, last: str | None = None
) -> dict[str, Any]:
    """First-pass yield per work centre over a period (see FPY_DEFINITION)."""
    require(actor.role, Resource.QUALITY, VIEW)
    days = period(first, last, ctx.clock.now().date())
    with ctx.uow() as uow:
        facts = uow.repository(QUALITY_FACTS)
        completions = facts.completions(days.since, days.until)
        failed = {
            (i.work_order, i.seq): failed_first_units(i)
            for i in facts.inspections_for({c.work_order for c in completions})
        }
        names = {w.code: w.name for w in uow.repository(PLANT).work_centres()}
    rows = first_pass_yield(completions, failed)
    entered = sum(r.entered for r in rows)
    passed = sum(r.first_pass for r in rows)
    return {
        **days.view(),
        "definition": FPY_DEFINITION,
        "work_centres": [
            {
                "work_centre": r.work_centre,
                "name": names.get(r.work_centre, r.work_centre),
                "entered": r.entered,
                "first_pass": r.first_pass,
                "scrapped": r.scrapped,
                "reworked": r.reworked,
                "fpy_percent": _r(100 * r.fpy, 1) if r.fpy is not None else None,
            }
            for r in rows
        ],
        "total": {
            "entered": entered,
            "first_pass": passed,
            "fpy_percent": _r(100 * passed / entered, 1) if entered else None,
        },
    }


def scrap_pareto_report(
    ctx: ServiceContext, actor: Principal, first: str | None = None, last: str | None = None
) -> dict[str, Any]:
    """Scrapped units by cause over a period, largest first, with the cumulative share."""
    require(actor.role, Resource.QUALITY, VIEW)
    days = period(first, last, ctx.clock.now().date())
    with ctx.uow() as uow:
        completions = uow.repository(QUALITY_FACTS).completions(days.since, days.until)
    bars = scrap_pareto(completions)
    return {
        **days.view(),
        "total": sum(b.quantity for b in bars),
        "causes": [
            {
                "cause": b.cause,
                "quantity": b.quantity,
                "cumulative_percent": _r(b.cumulative_percent, 1),
            }
            for b in bars
        ],
    }
