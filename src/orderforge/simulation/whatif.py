"""What-if scenarios of this plant, side by side: add a shift, add a machine, more demand,
quote at another confidence or at a fixed lead time; compared on on-time delivery, quoted
and actual lead time, utilisation (and the bottleneck) and work in progress.

Why a model of the plant rather than the plan: a what-if asks about the coming months,
with orders not yet received. So the open-plant simulator (`engines.simulation.scenario`)
is given this plant as it is: its active work centres with their units and shift pattern
(the calendar's working hours a weekday, in 8-hour shifts; its working days a week), each
family's usual routing (the work centres its orders went through, in order, and the
minutes an order took there, from the work orders of the last year), and orders arriving
at each family's rate of the last 26 weeks. Quotes are made the way the plant would make
them (capable-to-promise at a confidence, the real insertion engine placing each order
into the committed load) and the floor's times vary around the routing. Every scenario
runs on the same seeds, so differences come from the change, not from luck.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

from orderforge.domain.errors import InvalidInput
from orderforge.domain.runs import RecordedRun
from orderforge.engines.simulation.quoting import (
    CapableToPromise,
    FixedLeadTime,
    QuotingPolicy,
    ScenarioInputError,
)
from orderforge.engines.simulation.scenario import (
    Family,
    PoissonArrivals,
    Scenario,
    Step,
    Supply,
    Variability,
    WorkCentre,
    compare,
    with_demand,
    with_machine,
    with_quoting,
    with_shift,
)
from orderforge.forecasting.ports import DEMAND_HISTORY
from orderforge.materials.services import supply as sourcing
from orderforge.plant import services as plant_data
from orderforge.services import floor_actuals, plant_time, runs
from orderforge.services.context import ServiceContext
from orderforge.services.ports import UnitOfWork
from orderforge.simulation.ports import SIMULATION_RUNS

WHAT_IF = "what_if"
#: weeks of orders the arrival rates are learned from; a year for the routings
RATE_WEEKS = 26
ROUTING_DAYS = 365
SHIFT_MINUTES = 8 * 60
LIMITS = {"weeks": (4, 104), "seeds": (1, 10), "warmup_weeks": (0, 26)}
KINDS = ("shift", "machine", "demand", "confidence", "fixed")
#: a work centre's breakdowns are learned from at least this many stoppages of its units
#: in the year: one stoppage says little about how often it fails
MIN_STOPPAGES = 2
#: a bought material an order waits for: no regular supplier delivers it within two weeks,
#: what a plant's stock and the MRP's lead on the work usually cover
LONG_LEAD_DAYS = 14


def _int(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    low, high = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be a whole number, {low} to {high}.", field=name)
    return value


def _share(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.5 <= value < 1:
        raise InvalidInput(f"{name} must be a share from 0.5 to 0.99.", field=name)
    return float(value)


def check_params(params: dict[str, Any]) -> dict[str, Any]:
    """The asked scenarios as text ("shift:CNC-5AX", "machine:PAINT-BOOTH", "demand:1.3",
    "confidence:0.8", "fixed:35"), checked for form here; names of work centres are
    checked against the plant when the run builds it."""
    allowed = {"scenarios", "weeks", "seeds", "warmup_weeks", "confidence", "cv", "supplier_cv"}
    unknown = set(params) - allowed
    if unknown:
        raise InvalidInput(f"Unknown parameter {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    scenarios = params.get("scenarios", [])
    if not isinstance(scenarios, list) or not 1 <= len(scenarios) <= 8:
        raise InvalidInput("Ask for 1 to 8 scenarios beside the base.", field="scenarios")
    for i, text in enumerate(scenarios):
        kind, _, value = str(text).partition(":")
        where = f"scenarios[{i}]"
        if kind not in KINDS or not value or len(str(text)) > 60 or "\x00" in str(text):
            raise InvalidInput(
                f"{str(text)[:60]!r}: a scenario is shift:CENTRE, machine:CENTRE, "
                "demand:FACTOR, confidence:SHARE or fixed:DAYS.",
                field=where,
            )
        try:
            number = float(value) if kind in ("demand", "confidence", "fixed") else None
        except ValueError:
            raise InvalidInput(f"{text!r}: {value!r} is not a number.", field=where) from None
        if kind == "demand" and number is not None and not 0 < number <= 5:
            raise InvalidInput(f"{text!r}: demand is a factor above 0, at most 5.", field=where)
        if kind == "confidence" and number is not None:
            _share(number, where)
        if (
            kind == "fixed"
            and number is not None
            and not (number.is_integer() and 0 <= number <= 365)
        ):
            raise InvalidInput(f"{text!r}: a fixed lead time is 0 to 365 whole days.", field=where)
    cv = params.get("cv", 0.3)
    if isinstance(cv, bool) or not isinstance(cv, int | float) or not 0 <= cv <= 2:
        raise InvalidInput("cv (the spread of operation times) is 0 to 2.", field="cv")
    supplier_cv = params.get("supplier_cv", 0.25)
    if (
        isinstance(supplier_cv, bool)
        or not isinstance(supplier_cv, int | float)
        or not 0 <= supplier_cv <= 2
    ):
        raise InvalidInput(
            "supplier_cv (the spread of suppliers' delivery times) is 0 to 2.",
            field="supplier_cv",
        )
    weeks = _int(params, "weeks", 26)
    # four weeks settle an empty plant; a short run keeps half of itself to count
    warmup = _int(params, "warmup_weeks", min(4, weeks // 2))
    if warmup >= weeks:
        raise InvalidInput("The warm-up must be shorter than the run.", field="warmup_weeks")
    return {
        "scenarios": [str(s) for s in scenarios],
        "weeks": weeks,
        "seeds": _int(params, "seeds", 3),
        "warmup_weeks": warmup,
        "confidence": _share(params.get("confidence", 0.9), "confidence"),
        "cv": float(cv),
        "supplier_cv": float(supplier_cv),
    }


def check_centres(uow: UnitOfWork, params: dict[str, Any]) -> None:
    """Work centres named by shift: and machine: scenarios exist and are active."""
    active = {c.code for c in plant_data.active_work_centres(uow)}
    for i, text in enumerate(params["scenarios"]):
        kind, _, value = text.partition(":")
        if kind in ("shift", "machine") and value.strip().upper() not in active:
            raise InvalidInput(
                f"{value.strip().upper()[:40]} is not an active work centre "
                f"({', '.join(sorted(active))}).",
                field=f"scenarios[{i}]",
            )


def _shifts(uow: UnitOfWork) -> dict[str, tuple[int, int]]:
    """Calendar code -> (8-hour shifts a working day, working days a week)."""
    found = {}
    for calendar in plant_data.calendars_by_code(uow).values():
        minutes: Counter[int] = Counter()
        for shift in calendar.shifts:
            for day in shift.weekdays:
                minutes[day] += shift.minutes()
        days = [d for d, m in minutes.items() if m > 0]
        busiest = max(minutes.values(), default=0)
        found[calendar.code] = (min(3, max(1, round(busiest / SHIFT_MINUTES))), len(days))
    return found


def plant_scenario(
    uow: UnitOfWork, now: dt.datetime, params: dict[str, Any]
) -> tuple[Scenario, dict[str, Any]]:
    """The base scenario from the plant's data, and what it was made of (in words)."""
    zone = plant_time.plant_zone(uow)
    since = now - dt.timedelta(days=ROUTING_DAYS)
    orders = [o for o in uow.repository(DEMAND_HISTORY).orders(since) if o.confirmed_at]
    recent = now - dt.timedelta(weeks=RATE_WEEKS)
    family_of = {o.number: o.lines[0].family for o in orders if o.lines}
    routes: dict[str, list[list[tuple[str, float]]]] = defaultdict(list)
    current: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for work in uow.repository(DEMAND_HISTORY).work(family_of):
        current[work.order_number].append((work.work_centre, work.minutes))
    for number, steps in current.items():
        routes[family_of[number]].append(steps)
    shifts = _shifts(uow)
    centres = {c.code: c for c in plant_data.active_work_centres(uow)}
    supplies = family_supplies(uow, family_of, params["supplier_cv"])
    families: list[Family] = []
    used: set[str] = set()
    for family, seen in sorted(routes.items()):
        usual = Counter(tuple(c for c, _ in steps) for steps in seen).most_common(1)[0][0]
        if any(c not in centres for c in usual):
            continue
        alike = [steps for steps in seen if tuple(c for c, _ in steps) == usual]
        minutes = [statistics.mean(s[i][1] for s in alike) for i in range(len(usual))]
        families.append(
            Family(
                family,
                [Step(c, max(m, 1.0)) for c, m in zip(usual, minutes, strict=True)],
                supply=supplies.get(family),
            )
        )
        used |= set(usual)
    if not families:
        raise InvalidInput(
            "The plant has no finished work of the last year to learn routings from: a "
            "what-if needs orders made before.",
            field="history",
        )
    names = {f.name for f in families}
    rates = Counter(
        family_of[o.number]
        for o in orders
        if o.number in family_of and o.confirmed_at and o.confirmed_at >= recent
    )
    arrivals = PoissonArrivals({f: rates.get(f, 0) / RATE_WEEKS for f in sorted(names)})
    resources = [
        WorkCentre(code, centres[code].capacity, *shifts.get(centres[code].calendar_code, (1, 5)))
        for code in sorted(used)
    ]
    variability, learned = centre_variability(uow, now, resources, params["cv"])
    scenario = Scenario(
        name="base",
        weeks=params["weeks"],
        arrivals=arrivals,
        families=families,
        resources=resources,
        quoting=CapableToPromise(params["confidence"]),
        variability=Variability(cv=params["cv"]),
        warmup_weeks=params["warmup_weeks"],
        centre_variability=variability,
    )
    made_of = {
        "families": {
            f.name: {
                "orders_per_week": round(arrivals.rate_per_week[f.name], 2),
                "route": [s.resource for s in f.steps],
                "hours": round(sum(s.minutes for s in f.steps) / 60, 1),
                "waits_for_material": None
                if f.supply is None
                else {
                    "share": round(f.supply.share, 3),
                    "days": round(f.supply.days, 1),
                    "cv": f.supply.cv,
                },
            }
            for f in families
        },
        "work_centres": {
            r.key: {
                "units": r.machines,
                "shifts": r.shifts_per_day,
                "days": r.days_per_week,
                **learned[r.key],
            }
            for r in resources
        },
        "today": now.astimezone(zone).date().isoformat(),
    }
    return scenario, made_of


def family_supplies(
    uow: UnitOfWork, family_of: dict[str, str], supplier_cv: float
) -> dict[str, Supply]:
    """Each family's wait for bought material, from its orders of the last year: the
    share of them that used a long-lead material (no regular supplier within
    LONG_LEAD_DAYS) and the median of the longest such lead time an order had; the
    deliveries vary by `supplier_cv` around the promised days (the plant's purchase
    orders do not record late receipts yet, so the spread is the one asked for)."""
    lead = sourcing.regular_lead_times(uow)
    longest: dict[str, int] = {}
    used: set[str] = set()
    for use in uow.repository(DEMAND_HISTORY).materials(family_of):
        used.add(use.order_number)
        days = lead.get(use.item_code, 0)
        if days > LONG_LEAD_DAYS:
            longest[use.order_number] = max(days, longest.get(use.order_number, 0))
    orders: dict[str, int] = Counter(family_of[n] for n in used)
    waits: dict[str, list[int]] = defaultdict(list)
    for number, days in longest.items():
        waits[family_of[number]].append(days)
    return {
        family: Supply(
            days=float(statistics.median(days)),
            share=len(days) / orders[family],
            cv=supplier_cv,
        )
        for family, days in waits.items()
    }


def centre_variability(
    uow: UnitOfWork, now: dt.datetime, resources: list[WorkCentre], default_cv: float
) -> tuple[dict[str, Variability], dict[str, dict[str, Any]]]:
    """Each work centre's variability from the plant's own records, and what it was
    learned from (in figures, for the answer):

    - operation times: the spread and the mean of actual over planned minutes of its
      finished operations (`services.floor_actuals`, the same learning as the confidence
      study and the quote's), `default_cv` and no bias where it has too few;
    - breakdowns: its recorded downtimes of the last year (breakdowns and maintenance,
      each counted once per unit it stopped; downtimes still to come are plans, not
      failures seen). The mean time between them is the units' working hours over the
      stoppages, the repair time their mean length in working hours (clock hours times
      the centre's share of working hours in a week, as a stoppage over a weekend costs
      only its working hours).
    """
    since = now - dt.timedelta(days=ROUTING_DAYS)
    units = {r.key: r.machines for r in resources}
    spreads, _ = floor_actuals.learned_spreads(uow, set(units), default_cv, learn=True)
    spread_of = {s.work_centre: s for s in spreads}
    stoppages: dict[str, list[float]] = defaultdict(list)
    for down in uow.plans.downtimes(since):
        if down.work_centre not in units or down.start >= now:
            continue
        start, end = max(down.start, since), min(down.end, now)
        if end > start:
            hours = (end - start).total_seconds() / 3600
            stopped = 1 if down.resource else max(units[down.work_centre], 1)
            stoppages[down.work_centre] += [hours] * stopped
    found: dict[str, Variability] = {}
    said: dict[str, dict[str, Any]] = {}
    for r in resources:
        spread = spread_of[r.key]
        own = spread.source == "learned"
        v = Variability(cv=spread.cv, bias=spread.mean_ratio if own else 1.0)
        weekly = r.shifts_per_day * SHIFT_MINUTES / 60 * r.days_per_week
        seen = stoppages.get(r.key, [])
        if len(seen) >= MIN_STOPPAGES and r.machines > 0 and weekly > 0:
            share = weekly / (7 * 24)
            repair = statistics.fmean(seen) * share
            working = r.machines * weekly * ROUTING_DAYS / 7
            between = max(working - repair * len(seen), 1.0) / len(seen)
            v = replace(v, mtbf_hours=round(between, 1), mttr_hours=round(repair, 2))
        found[r.key] = v
        said[r.key] = {
            "cv": round(v.cv, 3),
            "bias": round(v.bias, 3),
            "times_from": "floor actuals" if own else "default spread",
            "actuals": spread.actuals,
            "stoppages": len(seen),
            "mtbf_hours": v.mtbf_hours,
            "mttr_hours": v.mttr_hours if v.mtbf_hours is not None else None,
        }
    return found, said


def _variant(base: Scenario, text: str, index: int) -> Scenario:
    kind, _, value = text.partition(":")
    where = f"scenarios[{index}]"
    known = {r.key for r in base.resources}
    if kind in ("shift", "machine"):
        code = value.strip().upper()
        if code not in known:
            raise InvalidInput(
                f"{code[:40]} is not a work centre the plant's routings use "
                f"({', '.join(sorted(known))}).",
                field=where,
            )
        if kind == "shift":
            return with_shift(base, code, f"+1 shift at {code}")
        return with_machine(base, code, f"+1 unit at {code}")
    if kind == "demand":
        factor = float(value)
        return with_demand(base, factor, f"demand {factor - 1:+.0%}")
    policy: QuotingPolicy
    if kind == "confidence":
        policy = CapableToPromise(float(value))
        return with_quoting(base, policy, f"quote at {float(value):.0%} confidence")
    policy = FixedLeadTime(int(float(value)))
    return with_quoting(base, policy, f"fixed lead time {int(float(value))} days")


def what_if_work(ctx: ServiceContext, run: RecordedRun, progress: runs.Progress) -> dict[str, Any]:
    params = check_params(run.params)
    with ctx.uow() as uow:
        base, made_of = plant_scenario(uow, ctx.clock.now(), params)
    scenarios = [base] + [_variant(base, s, i) for i, s in enumerate(params["scenarios"])]
    seeds = list(range(1, params["seeds"] + 1))
    rows = []
    try:
        for i, scenario in enumerate(scenarios):
            [row] = compare([scenario], seeds)
            rows.append(
                {
                    "scenario": row.scenario,
                    "on_time_percent": round(row.on_time_pct, 1),
                    "quoted_lead_days": round(row.mean_quoted_lead_days, 2),
                    "actual_lead_days": round(row.mean_actual_lead_days, 2),
                    "utilisation": {k: round(v, 3) for k, v in sorted(row.utilisation.items())},
                    "bottleneck": row.bottleneck,
                    "mean_wip": round(row.mean_wip, 1),
                }
            )
            progress((i + 1) / len(scenarios))
    except ScenarioInputError as exc:
        raise InvalidInput(f"{exc.field}: {exc.reason}", field=exc.field) from None
    return {"params": params, "plant": made_of, "seeds": seeds, "rows": rows}


WHAT_IF_BOOK = runs.RunBook(
    job="simulation_what_if", key=SIMULATION_RUNS, noun="What-if run", work=what_if_work
)
