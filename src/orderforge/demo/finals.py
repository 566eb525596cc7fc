"""The demo orders' final inspections: an attempt for each time the demo history passed
or failed an order, judged by the quality room's own rules from the records as the demo
floor left them, so a demo order that is ready to ship shows who passed it and on what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from orderforge.domain.order import Order, OrderAction
from orderforge.production.domain import OperationStatus
from orderforge.production.services.work_orders import current_work_orders
from orderforge.quality.domain import Inspection, InspectionStatus
from orderforge.quality.final import items_for, judge
from orderforge.quality.finals import facts
from orderforge.quality.ports import FINAL_INSPECTIONS, QUALITY
from orderforge.services.ports import UnitOfWork

_FINAL = (OrderAction.PASS_INSPECTION, OrderAction.FAIL_INSPECTION)


@dataclass
class DemoFinals:
    #: (action, when, who, reason) of the order being loaded
    steps: list[tuple[OrderAction, dt.datetime, str, str]] = field(default_factory=list)

    def follow(self, action: OrderAction, at: dt.datetime, actor: str, reason: str) -> None:
        if action in _FINAL:
            self.steps.append((action, at, actor, reason))

    def record(self, uow: UnitOfWork, order: Order) -> None:
        """Keep one attempt per step; a demo pass the records would not bear out is a
        mistake in the demo, and says so."""
        steps, self.steps = self.steps, []
        if not steps:
            return
        _inspect_operations(uow, order, steps[0][2], steps[0][1])
        repo = uow.repository(FINAL_INSPECTIONS)
        families = list(dict.fromkeys(line.product_family for line in order.lines))
        items = items_for(families, repo.checklists())
        found = facts(uow, order)
        for attempt, (action, at, actor, reason) in enumerate(steps, start=1):
            passed = action is OrderAction.PASS_INSPECTION
            answers = {i.code: (True, "") for i in items}
            if not passed:
                answers[items[0].code] = (False, reason or "Not as approved.")
            done = judge(order.number, attempt, found, items, answers, inspector=actor, at=at)
            if done.passed != passed:
                failing = "; ".join(f"{f.text}: {f.note}" for f in done.failed_items)
                raise AssertionError(
                    f"Demo order {order.number} passed final inspection against its "
                    f"records: {failing}"
                )
            repo.add(done)


def _inspect_operations(uow: UnitOfWork, order: Order, inspector: str, at: dt.datetime) -> None:
    """The operation inspections the demo floor's finished work had: every required unit
    found within its limits, recorded where none was (results already there stand)."""
    quality = uow.repository(QUALITY)
    plans = {(p.family, p.operation): p for p in quality.plans()}
    for wo in current_work_orders(uow, order.number):
        for op in wo.operations:
            plan = plans.get((wo.product_family, op.routing_key.rsplit("/", 1)[-1]))
            if plan is None or op.status is not OperationStatus.DONE:
                continue
            found = quality.inspection(wo.number, op.seq)
            if found is not None and found.status is not InspectionStatus.OPEN:
                continue
            inspection = found or Inspection(wo.number, op.seq, plan, wo.quantity, dict(wo.spec))
            when = min(at, op.finished_at or at)
            for unit in range(1, plan.required_units(wo.quantity) + 1):
                values = {
                    c.code: (str(c.limits(inspection.spec)[0]), c.unit)
                    for c in plan.characteristics
                    if c.measured
                }
                checks = {c.code: True for c in plan.characteristics if not c.measured}
                inspection.record(unit, values, checks, inspector=inspector, at=when)
            if found is None:
                quality.add(inspection)
            else:
                quality.save(inspection)
