"""Impact analysis of an engineering change, before anyone decides it.

What the deciders must see, computed from the stored facts and the same engines that
plan and promise: which operations are done and would be kept, reworked or scrapped
(production's `unchanged_steps` rule, the same one that carries progress over to the new
work order revision), which materials change and what of them is already reserved or on
order, the cost and price delta, the new promise date from the promising engine, and
what it does to other orders. Plain JSON-able data: it is stored on the change as the
record of what the decision was based on.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orderforge.change.domain import Fate, LineChange, fate
from orderforge.domain.errors import NotFound
from orderforge.domain.order import LineInput, Order
from orderforge.engines.configurator import Configuration, ConfigurationError, configure
from orderforge.engines.configurator.pricing import MarginRule, price
from orderforge.materials.ports import MATERIALS
from orderforge.plant import services as plant_data
from orderforge.plant.domain import WorkCentre
from orderforge.production.domain import (
    MaterialNeed,
    OperationStatus,
    PlannedStep,
    WorkOrder,
    unchanged_steps,
)
from orderforge.production.ports import WORK_ORDERS
from orderforge.production.services.work_orders import planned_work
from orderforge.promising.domain import AlternativeKind, Promise
from orderforge.promising.services import LineWork, capacity, default_supply, promise_work
from orderforge.services.catalogue import entry_for, family_of
from orderforge.services.context import ServiceContext
from orderforge.services.ports import UnitOfWork
from orderforge.services.spec_text import describe_spec

STARTED = frozenset({OperationStatus.RUNNING, OperationStatus.PAUSED, OperationStatus.DONE})
CENT = Decimal("0.01")


@dataclass(frozen=True)
class LineWorkPlan:
    """A line's work as the change would leave it: steps with their fates."""

    line_no: int
    quantity: int
    steps: list[PlannedStep]
    materials: list[MaterialNeed]
    #: routing keys whose progress carries over (started work that stands)
    kept: set[str]
    #: of those, the ones done: nothing is left to do of them
    done: set[str]
    #: the materials the line does not have yet (more, or new items)
    extra_materials: list[MaterialNeed]


def _configuration(
    uow: UnitOfWork, family: str, version: int | None, spec: dict[str, str]
) -> Configuration | None:
    try:
        return configure(family_of(entry_for(uow, family, version)), spec)
    except (ConfigurationError, NotFound):  # an old version gone or a spec it refuses
        return None


def _cost(
    uow: UnitOfWork, configuration: Configuration | None, family: str, group: str | None
) -> Decimal | None:
    if configuration is None:
        return None
    rates = {w.code: w.hourly_rate for w in plant_data.active_work_centres(uow)}
    rule = plant_data.pricing_policy(uow).rule_for(family, group)
    if rule is None:
        return None
    try:
        return price(configuration, rates, MarginRule(rule.margin, rule.step, rule.rounding)).cost
    except (KeyError, ValueError):
        return None


def extra_materials(old: WorkOrder | None, materials: list[MaterialNeed]) -> list[MaterialNeed]:
    """What of `materials` the line does not have yet: what it had is its own already
    (consumed, in stock for it or on order for it)."""
    had: dict[str, Decimal] = {}
    for m in old.materials if old is not None else []:
        had[m.item_code] = had.get(m.item_code, Decimal(0)) + m.quantity
    return [
        MaterialNeed(m.item_code, m.name, m.quantity - had.get(m.item_code, Decimal(0)), m.unit)
        for m in materials
        if m.quantity > had.get(m.item_code, Decimal(0))
    ]


def work_left(
    line_no: int,
    quantity: int,
    steps: list[PlannedStep],
    done: set[str],
    materials: list[MaterialNeed],
) -> LineWork:
    """What is left to do of a line: done steps drop out, and so do the waits for them."""
    return LineWork(
        line_no,
        quantity,
        tuple(
            PlannedStep(
                s.routing_key,
                s.name,
                s.work_centres,
                s.setup_minutes,
                s.run_minutes_per_unit,
                tuple(p for p in s.predecessors if p not in done),
                s.setup_class,
            )
            for s in steps
            if s.routing_key not in done
        ),
        tuple(materials),
    )


def stored_work_left(work_order: WorkOrder, materials: list[MaterialNeed]) -> LineWork:
    done = {o.routing_key for o in work_order.operations if o.status is OperationStatus.DONE}
    return work_left(
        work_order.line_no, work_order.quantity, work_order.planned_steps(), done, materials
    )


def line_plan(
    uow: UnitOfWork,
    change: LineChange,
    current: WorkOrder | None,
    centres: Mapping[str, WorkCentre],
) -> LineWorkPlan:
    """The new routing and materials of a changed line and what of the old work stays."""
    configuration = _configuration(
        uow, change.product_family, change.new_catalogue_version, change.new_spec
    )
    if configuration is None:
        raise ValueError(f"line {change.line_no} cannot be configured as changed")
    steps, materials = planned_work(configuration, change.new_spec, change.new_quantity, centres)
    kept: set[str] = set()
    done: set[str] = set()
    if current is not None:
        same = unchanged_steps(current, steps, materials, change.new_quantity)
        kept = same & {o.routing_key for o in current.operations if o.status in STARTED}
        done = same & {
            o.routing_key for o in current.operations if o.status is OperationStatus.DONE
        }
    return LineWorkPlan(
        change.line_no,
        change.new_quantity,
        steps,
        materials,
        kept,
        done,
        extra_materials(current, materials),
    )


def order_work(
    order: Order, plans: Mapping[int, LineWorkPlan], current: Mapping[int, WorkOrder]
) -> list[LineWork]:
    """The order's work still to do if the change were made (the promise's input)."""
    work: list[LineWork] = []
    for line in order.lines:
        plan = plans.get(line.line_no)
        if plan is not None:
            work.append(
                work_left(plan.line_no, plan.quantity, plan.steps, plan.done, plan.extra_materials)
            )
        elif line.line_no in current:
            work.append(stored_work_left(current[line.line_no], []))
    return [w for w in work if w.steps]


def analyse(
    ctx: ServiceContext,
    uow: UnitOfWork,
    order: Order,
    changes: list[LineChange],
    price_group: str | None,
) -> dict[str, Any]:
    """The impact of `changes` on `order` as the plant stands now."""
    now = ctx.clock.now()
    centres = {w.code: w for w in plant_data.active_work_centres(uow)}
    with uow.repository(WORK_ORDERS).deferred_writes():
        current = {w.line_no: w for w in uow.repository(WORK_ORDERS).current_for([order.number])}
    pegs = uow.repository(MATERIALS).pegs(orders=[order.number])
    settings = plant_data.plant_settings(uow)
    currency = settings.currency if settings is not None else ""
    plans: dict[int, LineWorkPlan] = {}
    lines: list[dict[str, Any]] = []
    cost_before = cost_after = lost = Decimal(0)
    costs_known = True
    for change in changes:
        old_wo = current.get(change.line_no)
        plan = line_plan(uow, change, old_wo, centres)
        plans[change.line_no] = plan
        family = _family(uow, change)
        old_cost = _cost(
            uow,
            _configuration(
                uow, change.product_family, change.old_catalogue_version, change.old_spec
            ),
            change.product_family,
            price_group,
        )
        new_cost = _cost(
            uow,
            _configuration(
                uow, change.product_family, change.new_catalogue_version, change.new_spec
            ),
            change.product_family,
            price_group,
        )
        if old_cost is None or new_cost is None:
            costs_known = False
        else:
            cost_before += old_cost * change.old_quantity
            cost_after += new_cost * change.new_quantity
        operations, line_lost = _operations(old_wo, plan, centres)
        lost += line_lost
        lines.append(
            {
                "line_no": change.line_no,
                "family": family,
                "work_order": (
                    f"{old_wo.number} revision {old_wo.revision}" if old_wo is not None else None
                ),
                "options": _option_diff(uow, change),
                "quantity": {"before": change.old_quantity, "after": change.new_quantity},
                "operations": operations,
                "materials": _materials(old_wo, plan, pegs, change.line_no),
            }
        )
    work = order_work(order, plans, current)
    promise = _promise(ctx, uow, order, work, now)
    before_total = _total([(line.unit_price, line.quantity) for line in order.lines])
    changed = {c.line_no: c for c in changes}
    after_total = _total(
        [
            (changed[line.line_no].new_unit_price, changed[line.line_no].new_quantity)
            if line.line_no in changed
            else (line.unit_price, line.quantity)
            for line in order.lines
        ]
    )
    return {
        "computed_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "plan_version": promise.plan_version,
        "currency": currency,
        "lines": lines,
        "cost": {
            "before": str(cost_before.quantize(CENT)) if costs_known else None,
            "after": str(cost_after.quantize(CENT)) if costs_known else None,
            "delta": str((cost_after - cost_before).quantize(CENT)) if costs_known else None,
            "lost_work": str(lost.quantize(CENT)),
        },
        "price": {
            "before": str(before_total) if before_total is not None else None,
            "after": str(after_total) if after_total is not None else None,
            "delta": (
                str(after_total - before_total)
                if before_total is not None and after_total is not None
                else None
            ),
        },
        "promise": {
            "before": order.promise_date.isoformat() if order.promise_date else None,
            "after": promise.commit_date.isoformat() if promise.commit_date else None,
            "cannot": promise.cannot,
            "summary": promise.summary(),
        },
        "others": _others(order, promise),
    }


def _family(uow: UnitOfWork, change: LineChange) -> str:
    try:
        return family_of(entry_for(uow, change.product_family, change.new_catalogue_version)).name
    except NotFound:  # a name is only a label; the code will do
        return change.product_family


def _option_diff(uow: UnitOfWork, change: LineChange) -> list[dict[str, str]]:
    try:
        family = family_of(entry_for(uow, change.product_family, change.new_catalogue_version))
    except NotFound:  # shown as stored when the catalogue is gone
        family = None
    before = dict(describe_spec(family, change.old_spec))
    after = dict(describe_spec(family, change.new_spec))
    return [
        {"option": label, "before": before.get(label, "—"), "after": after.get(label, "—")}
        for label in list(dict.fromkeys([*after, *before]))
        if before.get(label) != after.get(label)
    ]


def _operations(
    old: WorkOrder | None, plan: LineWorkPlan, centres: Mapping[str, WorkCentre]
) -> tuple[list[dict[str, Any]], Decimal]:
    """Every operation, old and new, with its fate; and the cost of the work lost."""
    new_keys = {s.routing_key: s for s in plan.steps}
    out: list[dict[str, Any]] = []
    lost = Decimal(0)
    seen: set[str] = set()
    if old is not None:
        for op in old.operations:
            seen.add(op.routing_key)
            started = op.status in STARTED
            what = fate(started, op.routing_key in new_keys, op.routing_key in plan.kept)
            centre = centres.get(op.work_centre or op.work_centres[0])
            minutes = math.ceil(op.minutes(old.quantity)) if started else 0
            if what in (Fate.REWORK, Fate.SCRAP) and centre is not None:
                lost += (Decimal(minutes) * centre.hourly_rate / 60).quantize(CENT)
            out.append(
                {
                    "seq": op.seq,
                    "name": op.name,
                    "work_centre": centre.name if centre is not None else op.work_centres[0],
                    "status": op.status.value,
                    "fate": what.value,
                    "fate_label": what.label,
                    "minutes_done": minutes,
                }
            )
    for step in plan.steps:
        if step.routing_key in seen:
            continue
        centre = centres.get(step.work_centres[0])
        out.append(
            {
                "seq": None,
                "name": step.name,
                "work_centre": centre.name if centre is not None else step.work_centres[0],
                "status": "new",
                "fate": Fate.ADD.value,
                "fate_label": Fate.ADD.label,
                "minutes_done": 0,
            }
        )
    return out, lost


def _materials(
    old: WorkOrder | None, plan: LineWorkPlan, pegs: list[Any], line_no: int
) -> list[dict[str, Any]]:
    before: dict[str, tuple[str, str, Decimal]] = {}
    if old is not None:
        for m in old.materials:
            name, unit, qty = before.get(m.item_code, (m.name, m.unit, Decimal(0)))
            before[m.item_code] = (name, unit, qty + m.quantity)
    after: dict[str, tuple[str, str, Decimal]] = {}
    for need in plan.materials:
        name, unit, qty = after.get(need.item_code, (need.name, need.unit, Decimal(0)))
        after[need.item_code] = (name, unit, qty + need.quantity)
    covered: dict[tuple[str, str], Decimal] = {}
    for peg in pegs:
        if peg.line_no == line_no and peg.source in ("stock", "purchase"):
            key = (peg.item_code, peg.source)
            covered[key] = covered.get(key, Decimal(0)) + peg.quantity
    out = []
    for code in sorted(set(before) | set(after)):
        name, unit, _ = before[code] if code in before else after[code]
        old_qty = before[code][2] if code in before else Decimal(0)
        new_qty = after[code][2] if code in after else Decimal(0)
        if old_qty == new_qty:
            continue
        out.append(
            {
                "item_code": code,
                "name": name,
                "unit": unit,
                "before": _plain(old_qty),
                "after": _plain(new_qty),
                "delta": _plain(new_qty - old_qty),
                "reserved_from_stock": _plain(covered.get((code, "stock"), Decimal(0))),
                "on_order": _plain(covered.get((code, "purchase"), Decimal(0))),
            }
        )
    return out


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def _total(lines: list[tuple[str | None, int]]) -> Decimal | None:
    if any(price is None for price, _ in lines):
        return None
    return sum((Decimal(p or 0) * q for p, q in lines), Decimal(0)).quantize(CENT)


def _promise(
    ctx: ServiceContext, uow: UnitOfWork, order: Order, work: list[LineWork], now: dt.datetime
) -> Promise:
    with uow.repository(WORK_ORDERS).deferred_writes():
        cap = capacity(ctx, uow, now)
        if not work:
            return Promise(
                date=None,
                finish=None,
                requested=order.requested_date,
                cannot="nothing is left to make",
                plan_version=cap.plan_version,
                computed_at=now,
            )
        return promise_work(uow, cap, now, work, order.requested_date, default_supply, order.number)


def _others(order: Order, promise: Promise) -> dict[str, Any]:
    """What the change does to other orders: the promising engine places the changed work
    in the time the plan leaves free, so no other order moves for the new date; keeping
    the old date when it is later would push the orders named here back."""
    before = order.promise_date
    after = promise.commit_date
    push = next((a for a in promise.alternatives if a.kind is AlternativeKind.PUSH_BACK), None)
    if before is not None and after is not None and after > before and push is not None:
        keeps = push.date <= before
        return {
            "moved": [],
            "to_keep_the_date": list(push.orders) if keeps else [],
            "note": (
                f"No other order moves for the new date. Keeping the promised {before:%d %b %Y} "
                f"would push back {', '.join(push.orders)}."
                if keeps
                else f"No other order moves for the new date. Even pushing others back "
                f"({', '.join(push.orders)}) would deliver only by {push.date:%d %b %Y}."
            ),
        }
    return {
        "moved": [],
        "to_keep_the_date": [],
        "note": "No other order moves: the changed work fits in the time the plan leaves free.",
    }


def new_line_inputs(changes: list[LineChange]) -> dict[int, LineInput]:
    return {
        c.line_no: LineInput(
            product_family=c.product_family,
            quantity=c.new_quantity,
            spec=dict(c.new_spec),
            catalogue_version=c.new_catalogue_version,
            unit_price=c.new_unit_price,
        )
        for c in changes
    }


def order_total(order: Order) -> str | None:
    """The order's total as the impact shows it (None when a line has no price)."""
    total = _total([(line.unit_price, line.quantity) for line in order.lines])
    return str(total) if total is not None else None


def plant_currency(uow: UnitOfWork) -> str:
    settings = plant_data.plant_settings(uow)
    return settings.currency if settings is not None else ""
