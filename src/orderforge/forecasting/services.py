"""Forecasting use cases: a forecast run reads the order and quote history, builds weekly
demand per product family, per option choice and per long-lead material, has the engine
choose and fit a model per series, and weighs the open quotes by their learned chance of
conversion.

Why demand is counted at confirmation: that is the week the plant learns of the work
(what capacity and long-lead buying must answer), and it exists for every won order,
delivered or not. Units, not orders: a dining set of eight chairs loads the plant eight
times. Open quotes are added in the week they are expected to be decided (the median time
won quotes took), weighted by their probability, because a quote is demand that may come.

A run is a recorded run (services/runs.py): the request returns at once, a worker fits
the models (tens of seconds for a plant's series), and the result is kept as it was.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from orderforge.domain.errors import IllegalTransition, InvalidInput, NotFound
from orderforge.domain.order import OrderState
from orderforge.domain.permissions import RUN, VIEW, Resource, require
from orderforge.domain.runs import RecordedRun
from orderforge.engines.configurator.catalogue import Family
from orderforge.engines.forecasting import (
    BacktestPlan,
    Calibration,
    ConversionModel,
    ForecastInputError,
    OpenQuote,
    QuoteOutcome,
    SeriesForecast,
    WeeklySeries,
    calibration,
    fit_conversion,
    forecast_series,
    weekly,
)
from orderforge.engines.materials import Offer, best_offer, order_quantity
from orderforge.forecasting.ports import (
    DEMAND_HISTORY,
    FORECAST_RUNS,
    MaterialUse,
    OrderRecord,
)
from orderforge.materials.domain import OPEN_STATUSES
from orderforge.materials.ports import MATERIALS
from orderforge.materials.services import purchasing, supply
from orderforge.plant import services as plant_data
from orderforge.services import plant_time, runs
from orderforge.services.catalogue import family_of
from orderforge.services.context import ServiceContext
from orderforge.services.planning import working_intervals
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.services.runs import Progress, RunBook

FORECAST_RUN = "forecast_run"
KIND = "demand"
LEVELS = (80, 95)
#: an option choice or a material becomes a series of its own only with this many orders
#: in the history: fewer is noise a model would chase
MIN_ORDERS = 8
#: a material is long-lead when no regular supplier delivers it between an order's
#: confirmation and the start of its work (see `_routing`); this many days when the history
#: does not tell
DEFAULT_LONG_LEAD_DAYS = 14
#: a bought item is a common module of a family when at least this share of the family's
#: orders used it: it does not hang on the customer's choices (it sits before the
#: decoupling point of the modular design), so the family's forecast is its forecast
COMMON_SHARE = 0.8
HORIZON_RANGE = (1, 26)
HISTORY_RANGE = (26, 260)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _check_params(horizon: Any, history: Any) -> dict[str, int]:
    for name, value, (low, high) in (
        ("horizon_weeks", horizon, HORIZON_RANGE),
        ("history_weeks", history, HISTORY_RANGE),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(
                f"{name} must be a whole number of weeks, {low} to {high}.", field=name
            )
    needed = BacktestPlan(horizon).weeks_needed
    if history < needed:
        raise InvalidInput(
            f"{history} weeks of history are too few for a {horizon}-week forecast and its "
            f"backtest: give at least {needed}.",
            field="history_weeks",
        )
    return {"horizon_weeks": horizon, "history_weeks": history}


# -- the work -------------------------------------------------------------------------


class _History:
    """The history of one run, bucketed into the plant's weeks."""

    def __init__(self, uow: UnitOfWork, now: dt.datetime, weeks: int) -> None:
        self.zone: ZoneInfo = plant_time.plant_zone(uow)
        self.today = now.astimezone(self.zone).date()
        #: the last whole week ends before this week's Monday
        self.end = _monday(self.today) - dt.timedelta(days=1)
        self.start = _monday(self.today) - dt.timedelta(weeks=weeks)
        since = dt.datetime.combine(self.start, dt.time(), self.zone) - dt.timedelta(days=366)
        self.orders = uow.repository(DEMAND_HISTORY).orders(since)
        self.families: dict[str, Family] = {}
        for entry in uow.catalogue.latest_all():
            self.families[entry.family_code] = family_of(entry)
        self.names = {e.family_code: e.name for e in uow.catalogue.latest_all()}

    def day(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()

    def won(self) -> list[OrderRecord]:
        """Orders confirmed inside the history's weeks."""
        return [
            o
            for o in self.orders
            if o.confirmed_at is not None and self.start <= self.day(o.confirmed_at) <= self.end
        ]

    def series(self, key: str, kind: str, events: Iterable[tuple[dt.date, float]]) -> WeeklySeries:
        return weekly(key, kind, events, self.start, self.end)


def _family_series(history: _History) -> tuple[list[WeeklySeries], dict[str, dict[str, str]]]:
    events: dict[str, list[tuple[dt.date, float]]] = defaultdict(list)
    for order in history.won():
        assert order.confirmed_at is not None
        for line in order.lines:
            events[line.family].append((history.day(order.confirmed_at), float(line.quantity)))
    known = set(history.families) | set(events)
    series = [history.series(code, "family", events.get(code, [])) for code in sorted(known)]
    labels = {code: {"label": history.names.get(code, code), "unit": "units"} for code in known}
    return series, labels


def _option_series(history: _History) -> tuple[list[WeeklySeries], dict[str, dict[str, str]]]:
    events: dict[str, list[tuple[dt.date, float]]] = defaultdict(list)
    orders: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, dict[str, str]] = {}
    for order in history.won():
        assert order.confirmed_at is not None
        for line in order.lines:
            family = history.families.get(line.family)
            if family is None:
                continue
            for option in family.options:
                choice = line.spec.get(option.code)
                if choice is None:
                    continue
                key = f"{line.family}/{option.code}={choice}"
                events[key].append((history.day(order.confirmed_at), float(line.quantity)))
                orders[key].add(order.number)
                if key not in labels:
                    choices = {c.code: c.label for c in option.choices}
                    name = history.names.get(line.family, line.family)
                    labels[key] = {
                        "label": f"{name}: {option.label} {choices.get(choice, choice)}",
                        "unit": "units",
                    }
    kept = sorted(k for k in events if len(orders[k]) >= MIN_ORDERS)
    return [history.series(k, "option", events[k]) for k in kept], {k: labels[k] for k in kept}


def _quoted_lead_days(history: _History) -> int:
    """The lead time the plant quotes (median days from confirmation to the promise)."""
    days = [
        (o.promise_date - history.day(o.confirmed_at)).days
        for o in history.won()
        if o.promise_date is not None and o.confirmed_at is not None
    ]
    days = [d for d in days if d > 0]
    return int(statistics.median(days)) if days else DEFAULT_LONG_LEAD_DAYS


def _material_series(
    history: _History, uses: list[MaterialUse], offers: dict[str, int], budget_days: int
) -> tuple[list[WeeklySeries], dict[str, dict[str, str]]]:
    """Series of the long-lead materials: those no regular supplier delivers within
    `budget_days` (the usual days from confirmation to the start of the work)."""
    long_lead = {item for item, days in offers.items() if days > budget_days}
    won = {o.number: o for o in history.won()}
    events: dict[str, list[tuple[dt.date, float]]] = defaultdict(list)
    orders: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, dict[str, str]] = {}
    for use in uses:
        if use.item_code not in long_lead or use.order_number not in won:
            continue
        confirmed = won[use.order_number].confirmed_at
        assert confirmed is not None
        events[use.item_code].append((history.day(confirmed), float(use.quantity)))
        orders[use.item_code].add(use.order_number)
        labels[use.item_code] = {
            "label": f"{use.name} ({use.item_code})",
            "unit": use.unit,
            "lead_time_days": str(offers[use.item_code]),
        }
    kept = sorted(k for k in events if len(orders[k]) >= MIN_ORDERS)
    return [history.series(k, "material", events[k]) for k in kept], {k: labels[k] for k in kept}


@dataclass(frozen=True)
class ModuleUse:
    """How a family uses a common module: the share of its orders that used it and the
    quantity per unit of the family (over all its orders, so it is what a forecast unit
    of the family will need on average)."""

    family: str
    share: float
    per_unit: float


def common_modules(
    orders: Iterable[OrderRecord], uses: Iterable[MaterialUse]
) -> dict[str, list[ModuleUse]]:
    """Item -> the families it is a common module of (used by >= COMMON_SHARE of the
    family's orders, learned from at least MIN_ORDERS of them). Only orders of one
    family count: an order mixing families does not say which line used the item."""
    family_of: dict[str, str] = {}
    orders_of: dict[str, int] = defaultdict(int)
    units: dict[str, int] = defaultdict(int)
    for order in orders:
        families = {line.family for line in order.lines}
        if len(families) != 1:
            continue
        family = families.pop()
        family_of[order.number] = family
        orders_of[family] += 1
        units[family] += sum(line.quantity for line in order.lines)
    used_by: dict[tuple[str, str], set[str]] = defaultdict(set)
    quantity: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for use in uses:
        owner = family_of.get(use.order_number)
        if owner is None:
            continue
        used_by[(owner, use.item_code)].add(use.order_number)
        quantity[(owner, use.item_code)] += use.quantity
    found: dict[str, list[ModuleUse]] = defaultdict(list)
    for (family, item), numbers in sorted(used_by.items()):
        share = len(numbers) / orders_of[family]
        if orders_of[family] >= MIN_ORDERS and share >= COMMON_SHARE and units[family] > 0:
            per_unit = float(quantity[(family, item)]) / units[family]
            found[item].append(ModuleUse(family, round(share, 4), round(per_unit, 4)))
    return dict(found)


def _module_view(
    item: str,
    used: list[ModuleUse],
    families: dict[str, dict[str, Any]],
    names: dict[str, tuple[str, str]],
    lead_days: int | None,
    budget_days: int,
) -> dict[str, Any]:
    """A common module with its demand from its families' forecasts: per week, the sum
    of each family's units (forecast and open quotes) times its quantity per unit. The
    high side adds the families' upper 80 % bounds, which assumes their surprises come
    together: cautious, as a buy-ahead should be."""
    weeks: dict[str, dict[str, Any]] = {}
    for use in used:
        forecast = families.get(use.family)
        if forecast is None:
            continue
        for w in forecast["forecast"]:
            row = weeks.setdefault(w["week"], {"week": w["week"], "point": 0.0, "upper_80": 0.0})
            row["point"] += use.per_unit * w["total"]
            row["upper_80"] += use.per_unit * (w.get("upper_80", w["point"]) + w["from_quotes"])
    name, unit = names.get(item, (item, ""))
    return {
        "key": item,
        "item_code": item,
        "label": f"{name} ({item})",
        "unit": unit,
        "lead_time_days": lead_days,
        "long_lead": lead_days is not None and lead_days > budget_days,
        "families": [
            {
                "family": u.family,
                "name": families[u.family]["label"] if u.family in families else u.family,
                "share": u.share,
                "per_unit": u.per_unit,
            }
            for u in used
        ],
        "forecast": [weeks[k] for k in sorted(weeks)],
    }


def _customer_orders(orders: list[OrderRecord]) -> dict[str, int]:
    """Order number -> how many orders its customer had confirmed before it was quoted."""
    confirmed: dict[int, list[dt.datetime]] = defaultdict(list)
    for o in orders:
        if o.confirmed_at is not None:
            confirmed[o.customer_id].append(o.confirmed_at)
    return {
        o.number: sum(1 for at in confirmed[o.customer_id] if at < o.created_at) for o in orders
    }


def _family_of(order: OrderRecord) -> str:
    """The quote's family: the one with the most units (a quote is won or lost whole)."""
    units: dict[str, int] = defaultdict(int)
    for line in order.lines:
        units[line.family] += line.quantity
    return max(sorted(units), key=lambda f: units[f]) if units else "?"


#: an open quote is scored as it stands at its age: the model learns from every decided
#: quote as it stood at each week of its life (age 0, 7, 14... before its answer)
SNAPSHOT_DAYS = 7


def _quotes(history: _History, now: dt.datetime) -> dict[str, Any]:
    """Learn conversion from decided quotes; score the open ones.

    Why snapshots: an open quote is known only by how long it has been open so far. Had
    the model learned from the age at the customer's answer, it would have learned that
    quotes answered fast were won (they are: yes comes sooner than no) and scored every
    young open quote as a likely win. So each decided quote is a row per week it stood
    open, with its eventual answer: the chance of a quote still open at that age."""
    prior = _customer_orders(history.orders)
    rows: list[QuoteOutcome] = []
    decision_days: list[int] = []
    quotes = won = 0
    for o in history.orders:
        ended = o.confirmed_at or o.lost_at
        if ended is None or not o.lines:
            continue
        age = max((ended - o.created_at).days, 0)
        quotes += 1
        won += o.confirmed_at is not None
        for at_age in range(0, max(age, 1), SNAPSHOT_DAYS):
            rows.append(
                QuoteOutcome(
                    _family_of(o),
                    float(o.value),
                    o.customer,
                    at_age,
                    o.confirmed_at is not None,
                    prior[o.number],
                )
            )
        if o.confirmed_at is not None:
            decision_days.append(age)
    open_ = [o for o in history.orders if o.state is OrderState.QUOTE and o.lines]
    answer: dict[str, Any] = {"decided": quotes, "open": []}
    try:
        model: ConversionModel = fit_conversion(rows)
        check: Calibration = calibration(rows, folds=min(5, max(2, len(rows) // 20)))
    except ForecastInputError as exc:
        answer["error"] = f"{exc.field}: {exc.reason}"
        return answer
    answer["won_share"] = won / quotes
    answer["calibration"] = {
        "brier": check.brier,
        "reference_brier": check.reference_brier,
        "calibration_error": check.calibration_error,
        "quotes": check.quotes,
        "folds": check.folds,
        "bins": [
            {
                "lower": b.lower,
                "upper": b.upper,
                "quotes": b.quotes,
                "predicted": b.mean_predicted,
                "observed": b.observed,
            }
            for b in check.bins
        ],
    }
    answer["decision_days"] = int(statistics.median(decision_days)) if decision_days else 7
    for o in open_:
        age = max((now - o.created_at).days, 0)
        quote = OpenQuote(_family_of(o), float(o.value), o.customer, age, prior[o.number])
        expected = history.day(o.created_at) + dt.timedelta(days=answer["decision_days"])
        answer["open"].append(
            {
                "number": o.number,
                "customer": o.customer,
                "family": quote.family,
                "value": str(o.value),
                "age_days": age,
                "probability": model.probability(quote),
                "expected_week": _monday(max(expected, history.today)).isoformat(),
                "units": {
                    f: sum(li.quantity for li in o.lines if li.family == f)
                    for f in sorted({li.family for li in o.lines})
                },
            }
        )
    return answer


def _forecast_view(
    f: SeriesForecast,
    series: WeeklySeries,
    labels: dict[str, str],
    from_quotes: dict[str, float],
) -> dict[str, Any]:
    def acc(a: Any) -> dict[str, Any]:
        return {
            "model": a.model,
            "mase": a.mase if a.mase != float("inf") else None,
            "bias": a.bias,
            "coverage": {str(level): share for level, share in a.coverage},
        }

    weeks = []
    for w in f.weeks:
        extra = from_quotes.get(w.week.isoformat(), 0.0)
        row: dict[str, Any] = {
            "week": w.week.isoformat(),
            "point": w.point,
            "from_quotes": extra,
            "total": w.point + extra,
        }
        for interval in w.intervals:
            row[f"lower_{interval.level}"] = interval.lower
            row[f"upper_{interval.level}"] = interval.upper
        weeks.append(row)
    return {
        "key": f.key,
        "kind": f.kind,
        **labels,
        "pattern": f.pattern.value,
        "model": f.model,
        "beats_baseline": f.beats_baseline,
        "accuracy": acc(f.accuracy),
        "baseline": acc(f.baseline),
        "notes": list(f.notes),
        "history": [
            {"week": series.week(i).isoformat(), "value": v} for i, v in enumerate(series.values)
        ],
        "forecast": weeks,
    }


WEEK = 7 * 24 * 60


def overlap(intervals: list[tuple[int, int]], lo: int, hi: int) -> int:
    return sum(max(0, min(b, hi) - max(a, lo)) for a, b in intervals)


def _routing(uow: UnitOfWork, history: _History) -> tuple[dict[str, dict[str, float]], int]:
    """Minutes per unit at each work centre, per family (from the work of the orders won
    in the history), and the median days from confirmation to the first start: the time
    there is to buy material after an order comes."""
    won = {o.number: o for o in history.won()}
    minutes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    units: dict[str, int] = defaultdict(int)
    seen: set[tuple[str, str]] = set()
    first_start: dict[str, dt.datetime] = {}
    for w in uow.repository(DEMAND_HISTORY).work(won):
        minutes[w.family][w.work_centre] += w.minutes
        if (w.order_number, w.family) not in seen:
            seen.add((w.order_number, w.family))
        if w.started_at is not None:
            known = first_start.get(w.order_number)
            first_start[w.order_number] = min(known, w.started_at) if known else w.started_at
    for order in won.values():
        for line in order.lines:
            if (order.number, line.family) in seen:
                units[line.family] += line.quantity
    per_unit = {
        family: {c: m / units[family] for c, m in centres.items()}
        for family, centres in minutes.items()
        if units[family]
    }
    delays = [
        (first_start[n] - o.confirmed_at).days
        for n, o in won.items()
        if n in first_start and o.confirmed_at is not None
    ]
    return per_unit, int(statistics.median(delays)) if delays else DEFAULT_LONG_LEAD_DAYS


def _capacity(
    uow: UnitOfWork,
    history: _History,
    now: dt.datetime,
    horizon: int,
    families: list[dict[str, Any]],
    routing: tuple[dict[str, dict[str, float]], int],
) -> dict[str, Any]:
    """Per work centre and coming week: the committed plan's working minutes, the
    forecast orders' (units x the family's typical routing, started the usual weeks after
    confirmation), and what the centre can give; weeks above capacity are flagged."""
    first = history.end + dt.timedelta(days=1)  # this week's Monday
    start = dt.datetime.combine(first, dt.time(), history.zone)
    days = horizon * 7
    per_unit, days_to_start = routing
    delay = days_to_start // 7
    calendars = plant_data.calendars_by_code(uow)
    centres = plant_data.active_work_centres(uow)
    open_time = {
        c.code: working_intervals(calendars[c.calendar_code], start, days)
        for c in centres
        if c.calendar_code in calendars
    }
    committed: dict[str, list[float]] = {c.code: [0.0] * horizon for c in centres}
    version = uow.plans.latest_version_number()
    if version is not None:
        clip = int((now - start).total_seconds() // 60)
        for op in uow.plans.operations(version):
            if op.work_centre not in open_time:
                continue
            lo = max(int((op.start - start).total_seconds() // 60), clip)
            hi = int((op.end - start).total_seconds() // 60)
            for w in range(horizon):
                got = overlap(open_time[op.work_centre], max(lo, w * WEEK), min(hi, (w + 1) * WEEK))
                committed[op.work_centre][w] += got
    available = {
        code: [overlap(t, w * WEEK, (w + 1) * WEEK) for w in range(horizon)]
        for code, t in open_time.items()
    }
    forecast: dict[str, list[float]] = {c.code: [0.0] * horizon for c in centres}
    for f in families:
        route = per_unit.get(f["key"], {})
        for i, week in enumerate(f["forecast"]):
            for centre, minutes in route.items():
                if centre not in available:
                    continue
                # work is not started in a week the centre is closed: the next open one
                w = i + delay
                while w < horizon and not available[centre][w]:
                    w += 1
                if w < horizon:
                    forecast[centre][w] += week["total"] * minutes
    rows = []
    for c in centres:
        if c.code not in open_time:
            continue
        weeks = []
        for w in range(horizon):
            hours = available[c.code][w] * c.capacity
            load = committed[c.code][w] + forecast[c.code][w]
            weeks.append(
                {
                    "week": (first + dt.timedelta(weeks=w)).isoformat(),
                    "committed_hours": round(committed[c.code][w] / 60, 1),
                    "forecast_hours": round(forecast[c.code][w] / 60, 1),
                    "available_hours": round(hours / 60, 1),
                    "load": round(load / hours, 3) if hours else None,
                    "overloaded": load > hours,
                }
            )
        rows.append({"work_centre": c.code, "name": c.name, "weeks": weeks})
    return {"start_delay_weeks": delay, "work_centres": rows}


def _plain(value: Decimal) -> str:
    """A quantity as people write it: 10, 2.5 (never 1E+1 or 2.5000)."""
    return format(value.normalize(), "f")


def _buy_ahead(
    uow: UnitOfWork, now: dt.datetime, materials: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Long-lead materials to buy before the orders come: over the supplier's lead time,
    the forecast's upper 80 % demand less what is free in stock and on order; rounded
    to the offer's minimum and packs. The risk is what would be left if demand came in
    at the forecast's middle: its quantity and what it cost."""
    repo = uow.repository(MATERIALS)
    items = [m["key"] for m in materials]
    if not items:
        return []
    stored = repo.offers(items)
    offers: dict[str, list[Offer]] = defaultdict(list)
    for o in stored:
        offers[o.item_code].append(supply.engine_offer(o))
    currency = {(o.supplier_code, o.item_code): o.currency for o in stored}
    pegged = repo.pegged(items)
    free: dict[str, Decimal] = defaultdict(Decimal)
    for lot in repo.lots(items):
        free[lot.item_code] += max(
            lot.quantity - pegged.get(lot.lot_number, Decimal(0)), Decimal(0)
        )
    for line in repo.open_lines(items):
        free[line.item_code] += max(
            line.open_quantity - pegged.get(line.ref, Decimal(0)), Decimal(0)
        )
    out = []
    for m in materials:
        offer = best_offer(offers.get(m["key"], []))
        if offer is None:
            continue
        weeks = m["forecast"][: max(1, math.ceil(offer.lead_time_days / 7))]
        middle = Decimal(str(round(sum(w["point"] for w in weeks), 4)))
        high = Decimal(str(round(sum(w["upper_80"] for w in weeks), 4)))
        short = (high - free[m["key"]]).quantize(Decimal("0.0001"), rounding=ROUND_CEILING)
        quantity = order_quantity(short, offer) if short > 0 else Decimal(0)
        leftover = max(quantity + free[m["key"]] - middle, Decimal(0)) if quantity else Decimal(0)
        out.append(
            {
                "item_code": m["key"],
                "label": m["label"],
                "unit": m["unit"],
                "basis": m.get("basis", "its own history"),
                "lead_time_days": offer.lead_time_days,
                "weeks": len(weeks),
                "forecast": _plain(middle),
                "forecast_high": _plain(high),
                "free": _plain(free[m["key"]]),
                "quantity": _plain(quantity),
                "supplier": offer.supplier,
                "unit_price": str(offer.unit_price),
                "currency": currency.get((offer.supplier, m["key"]), "EUR"),
                "order_by": now.date().isoformat(),
                "leftover": _plain(leftover.quantize(Decimal("0.01"))),
                "leftover_cost": str((leftover * offer.unit_price).quantize(Decimal("0.01"))),
            }
        )
    return out


def forecast_work(ctx: ServiceContext, run: RecordedRun, progress: Progress) -> dict[str, Any]:
    """The work of a forecast run (the job's handler calls it through the run book)."""
    params = _check_params(run.params.get("horizon_weeks"), run.params.get("history_weeks"))
    horizon, weeks = params["horizon_weeks"], params["history_weeks"]
    now = ctx.clock.now()
    with ctx.uow() as uow:
        history = _History(uow, now, weeks)
        families, family_labels = _family_series(history)
        options, option_labels = _option_series(history)
        quoted_days = _quoted_lead_days(history)
        routing = _routing(uow, history)
        budget = routing[1]
        lead_times = supply.regular_lead_times(uow)
        uses = uow.repository(DEMAND_HISTORY).materials({o.number for o in history.won()})
        materials, material_labels = _material_series(history, uses, lead_times, budget)
        modules = common_modules(history.won(), uses)
    progress(0.1)
    quotes = _quotes(history, now)
    progress(0.2)
    labels = {**family_labels, **option_labels, **material_labels}
    by_family: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for q in quotes["open"]:
        for family, units in q["units"].items():
            by_family[family][q["expected_week"]] += q["probability"] * units
    out: list[dict[str, Any]] = []
    groups = [families, options, materials]
    for i, group in enumerate(groups):
        if group:
            made = forecast_series(group, horizon, levels=LEVELS)
            for f, s in zip(made, group, strict=True):
                extra = by_family.get(f.key, {}) if f.kind == "family" else {}
                out.append(_forecast_view(f, s, labels[f.key], extra))
        progress(0.2 + 0.8 * (i + 1) / len(groups))
    families_out = [s for s in out if s["kind"] == "family"]
    names = {u.item_code: (u.name, u.unit) for u in uses}
    by_key = {f["key"]: f for f in families_out}
    module_views = [
        _module_view(item, used, by_key, names, lead_times.get(item), budget)
        for item, used in sorted(modules.items())
    ]
    for view in module_views:
        view["basis"] = "common module of " + ", ".join(f["name"] for f in view["families"])
    # a common module is bought from its families' forecasts, not from a series of its own
    to_buy = [s for s in out if s["kind"] == "material" and s["key"] not in modules]
    to_buy += [v for v in module_views if v["long_lead"]]
    with ctx.uow() as uow:
        capacity = _capacity(uow, history, now, horizon, families_out, routing)
        buy_ahead = _buy_ahead(uow, now, to_buy)
    return {
        "buy_ahead": buy_ahead,
        "common_modules": [
            {k: v for k, v in view.items() if k not in ("key", "forecast")} for view in module_views
        ],
        "generated_at": now.isoformat(),
        "capacity": capacity,
        "history": {
            "from": history.start.isoformat(),
            "to": history.end.isoformat(),
            "weeks": weeks,
            "orders": len(history.won()),
        },
        "horizon_weeks": horizon,
        "levels": list(LEVELS),
        "quoted_lead_days": quoted_days,
        "material_budget_days": budget,
        "series": out,
        "quotes": quotes,
    }


BOOK = RunBook(
    job=FORECAST_RUN,
    key=FORECAST_RUNS,
    noun="Forecast run",
    work=forecast_work,
    lock="forecasting",
)
JOBS = (BOOK.job_kind(),)


# -- use cases ----------------------------------------------------------------------


def request_forecast(
    ctx: ServiceContext, actor: Principal, horizon_weeks: int = 8, history_weeks: int = 104
) -> dict[str, Any]:
    """Queue a forecast run (or, with no job queue, run it here)."""
    require(actor.role, Resource.FORECAST, RUN)
    params = _check_params(horizon_weeks, history_weeks)
    return runs.view(runs.request(BOOK, ctx, KIND, params, actor.username))


def run_forecast(
    ctx: ServiceContext,
    actor: Principal,
    horizon_weeks: int = 8,
    history_weeks: int = 104,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Record a forecast run and carry it out here (the CLI, in the foreground)."""
    require(actor.role, Resource.FORECAST, RUN)
    params = _check_params(horizon_weeks, history_weeks)
    return runs.view(runs.run_here(BOOK, ctx, KIND, params, actor.username, on_progress))


def get_forecast(ctx: ServiceContext, actor: Principal, run_id: int) -> dict[str, Any]:
    require(actor.role, Resource.FORECAST, VIEW)
    return runs.view(runs.get(BOOK, ctx, run_id))


def latest_forecast(ctx: ServiceContext, actor: Principal) -> dict[str, Any]:
    """The newest run that finished (the one the pages show)."""
    require(actor.role, Resource.FORECAST, VIEW)
    for run in runs.latest(BOOK, ctx, 50):
        if run.result is not None:
            return runs.view(run)
    raise NotFound("No forecast has been made yet: run one first.")


def list_forecasts(ctx: ServiceContext, actor: Principal, limit: int = 20) -> list[dict[str, Any]]:
    require(actor.role, Resource.FORECAST, VIEW)
    return [runs.view(r) for r in runs.latest(BOOK, ctx, limit)]


def cancel_forecast(ctx: ServiceContext, actor: Principal, run_id: int) -> dict[str, Any]:
    require(actor.role, Resource.FORECAST, RUN)
    return runs.view(runs.cancel(BOOK, ctx, run_id, actor.username))


def buy_ahead(ctx: ServiceContext, actor: Principal, run_id: int, item_code: str) -> dict[str, Any]:
    """Turn a forecast run's buy-ahead proposal into a draft purchase order (purchasing
    places it). Refused when the run proposed nothing for the item, or when a purchase
    order for it was already made since the run (a second click, or another buyer)."""
    require(actor.role, Resource.FORECAST, VIEW)
    run = runs.get(BOOK, ctx, run_id)
    proposals = (run.result or {}).get("buy_ahead", [])
    code = item_code.strip().upper()
    proposal = next((p for p in proposals if p["item_code"] == code), None)
    if proposal is None or Decimal(proposal["quantity"]) <= 0:
        raise InvalidInput(
            f"Forecast run {run_id} proposes no buying ahead of {code[:40]}.", field="item_code"
        )
    with ctx.uow() as uow:
        for order in uow.repository(MATERIALS).purchase_orders(OPEN_STATUSES):
            made_since = run.finished_at is not None and order.created_at >= run.finished_at
            if made_since and any(li.item_code == code for li in order.lines):
                raise IllegalTransition(
                    f"{order.number} for {code} was made after this forecast: look at it, "
                    "or make a new forecast that counts it."
                )
    command = purchasing.NewPurchaseOrder(
        supplier=proposal["supplier"],
        lines=[purchasing.NewLine(code, Decimal(proposal["quantity"]))],
        place=False,
    )
    return purchasing.create_purchase_order(ctx, actor, command)
