"""Final inspection use cases: what an order's final inspection checks, recording an
attempt (which moves the order on: ready to ship, or back to production), and presenting
an order again after a failed attempt was put right.

The facts come from the records at the moment of the attempt, so the attempt keeps what
was true then: a work order reworked after it does not rewrite a passed attempt. Only
quality decides (QUALITY decide); everyone on the staff who may see quality may read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orderforge.domain.errors import IllegalTransition, NotFound
from orderforge.domain.order import Order, OrderAction, OrderState
from orderforge.domain.permissions import DECIDE, VIEW, Resource, is_allowed, require
from orderforge.production.domain import OperationStatus, WorkOrder, WorkOrderStatus
from orderforge.production.services.work_orders import current_work_orders
from orderforge.quality.domain import InspectionStatus
from orderforge.quality.final import (
    DESIGN_APPROVED,
    INSPECTIONS_PASSED,
    WORK_DONE,
    FinalInspection,
    Finding,
    items_for,
    judge,
)
from orderforge.quality.ports import FINAL_INSPECTIONS, QUALITY
from orderforge.services.context import ServiceContext, publish
from orderforge.services.ports import Principal, UnitOfWork

_DONE_INSPECTION = (InspectionStatus.PASSED, InspectionStatus.ACCEPTED_AS_IS)


@dataclass(frozen=True)
class RecordFinal:
    order_number: str
    #: item code -> (passed, note); a failed item needs its note
    answers: dict[str, tuple[bool, str]]
    note: str = ""


def _order(uow: UnitOfWork, number: str) -> Order:
    order = uow.orders.get(number.strip().upper())
    if order is None:
        raise NotFound(f"There is no order {number}.")
    return order


def _work_done(work: list[WorkOrder]) -> Finding:
    short: list[str] = []
    for wo in work:
        if wo.status is not WorkOrderStatus.DONE:
            left = [o for o in wo.operations if o.status is not OperationStatus.DONE]
            short.append(
                f"{wo.number} has {len(left)} operation{'s' if len(left) != 1 else ''} not done"
            )
            continue
        ends = [o for o in wo.operations if not any(o.seq in p.predecessors for p in wo.operations)]
        good = min((o.good_quantity for o in ends), default=0)
        if good < wo.quantity:
            short.append(f"{wo.number} made {good} good of {wo.quantity}")
    if not work:
        short.append("the order has no work orders")
    return Finding(
        WORK_DONE,
        "Every work order done with its quantity good",
        not short,
        "; ".join(short),
        fact=True,
    )


def _inspections_passed(uow: UnitOfWork, work: list[WorkOrder]) -> Finding:
    repo = uow.repository(QUALITY)
    planned = {(p.family, p.operation) for p in repo.plans()}
    short: list[str] = []
    for wo in work:
        for op in wo.operations:
            if (wo.product_family, op.code) not in planned:
                continue
            found = repo.inspection(wo.number, op.seq)
            status = found.status if found is not None else InspectionStatus.OPEN
            if status not in _DONE_INSPECTION:
                short.append(f"{wo.number} operation {op.seq} ({op.name}): {status.label.lower()}")
    return Finding(
        INSPECTIONS_PASSED,
        "Every inspection at the operations passed or accepted as is",
        not short,
        "; ".join(short),
        fact=True,
    )


def facts(uow: UnitOfWork, order: Order) -> list[Finding]:
    """The items the plant's records answer, as they stand now."""
    work = current_work_orders(uow, order.number)
    return [
        _work_done(work),
        _inspections_passed(uow, work),
        Finding(
            DESIGN_APPROVED,
            "Design approved by the customer",
            order.design_approved_at is not None,
            "" if order.design_approved_at is not None else "no approved design on record",
            fact=True,
        ),
    ]


def _items(uow: UnitOfWork, order: Order) -> list[Any]:
    families = list(dict.fromkeys(line.product_family for line in order.lines))
    return items_for(families, uow.repository(FINAL_INSPECTIONS).checklists())


def _attempt_view(attempt: FinalInspection) -> dict[str, Any]:
    return {
        "attempt": attempt.attempt,
        "passed": attempt.passed,
        "verdict": "Passed" if attempt.passed else "Failed",
        "inspector": attempt.inspector,
        "inspected_at": attempt.inspected_at.isoformat(),
        "note": attempt.note,
        "findings": [f.document() for f in attempt.findings],
    }


def _can_present_again(order: Order, attempts: list[FinalInspection], done: Finding) -> bool:
    return (
        order.state is OrderState.IN_PRODUCTION
        and bool(attempts)
        and not attempts[-1].passed
        and done.passed
    )


def _view(uow: UnitOfWork, actor: Principal, order: Order) -> dict[str, Any]:
    found = facts(uow, order)
    attempts = uow.repository(FINAL_INSPECTIONS).attempts(order.number)
    decides = is_allowed(actor.role, Resource.QUALITY, DECIDE)
    return {
        "order_number": order.number,
        "state": order.state.value,
        "state_label": order.state.label,
        "open": order.state is OrderState.FINAL_INSPECTION,
        "can_record": decides and order.state is OrderState.FINAL_INSPECTION,
        "can_present_again": decides and _can_present_again(order, attempts, found[0]),
        "facts": [f.document() for f in found],
        "items": [{"code": i.code, "text": i.text} for i in _items(uow, order)],
        "attempts": [_attempt_view(a) for a in attempts],
    }


def final_inspection(ctx: ServiceContext, actor: Principal, number: str) -> dict[str, Any]:
    require(actor.role, Resource.QUALITY, VIEW)
    with ctx.uow() as uow:
        return _view(uow, actor, _order(uow, number))


def record_final(ctx: ServiceContext, actor: Principal, cmd: RecordFinal) -> dict[str, Any]:
    """One attempt: passed, the order is ready to ship; failed, it goes back to
    production with the failed items as the reason (rework is done, then it is
    presented again)."""
    require(actor.role, Resource.QUALITY, DECIDE)
    at = ctx.clock.now()
    with ctx.uow() as uow:
        order = _order(uow, cmd.order_number)
        if order.state is not OrderState.FINAL_INSPECTION:
            raise IllegalTransition(
                f"Order {order.number} is {order.state.label.lower()}, not in final "
                "inspection: its work must be done first."
            )
        repo = uow.repository(FINAL_INSPECTIONS)
        attempt = judge(
            order.number,
            len(repo.attempts(order.number)) + 1,
            facts(uow, order),
            _items(uow, order),
            cmd.answers,
            inspector=actor.username,
            at=at,
            note=cmd.note,
        )
        repo.add(attempt)
        raised = len(order.pending_events)
        order.apply(
            OrderAction.PASS_INSPECTION if attempt.passed else OrderAction.FAIL_INSPECTION,
            actor=actor.username,
            at=at,
            reason=attempt.reason(),
        )
        publish(ctx, uow, order.pending_events[raised:])
        uow.commit()
    return final_inspection(ctx, actor, order.number)


def present_again(ctx: ServiceContext, actor: Principal, number: str) -> dict[str, Any]:
    """After a failed attempt, once what failed was put right (rework done on the floor
    or on the spot), the order goes back to final inspection."""
    require(actor.role, Resource.QUALITY, DECIDE)
    at = ctx.clock.now()
    with ctx.uow() as uow:
        order = _order(uow, number)
        attempts = uow.repository(FINAL_INSPECTIONS).attempts(order.number)
        done = facts(uow, order)[0]
        if not _can_present_again(order, attempts, done):
            why = (
                f"its work is not done ({done.note})"
                if not done.passed
                else "only an order in production after a failed final inspection is "
                f"presented again (it is {order.state.label.lower()})"
            )
            raise IllegalTransition(f"Order {order.number} cannot go to final inspection: {why}.")
        raised = len(order.pending_events)
        order.apply(
            OrderAction.FINISH_PRODUCTION,
            actor=actor.username,
            at=at,
            reason="Presented again for final inspection after rework.",
        )
        publish(ctx, uow, order.pending_events[raised:])
        uow.commit()
    return final_inspection(ctx, actor, order.number)
