"""Feasibility review: can the plant build each line of a confirmed order as specified?

It reads the line's work order, made from the spec when the order was confirmed, so the
review and the plan judge the same operations and materials. Checks per line, each
finding in words a salesperson or engineer can act on: a line without a work order (no
catalogue, or a spec that breaks the catalogue's rules); the plant's capability (every
operation needs a work centre that exists and whose physical limits take the product's
dimensions); and the components (unknown or new ones need engineering, blocked ones make
the line infeasible). The outcome moves the order: feasible, needs engineering (to the
engineers' queue) or rejected (back to sales). Run by hand, or on confirmation as an
`order_confirm` handler when the plant asks for it (`ServiceContext.review_on_confirm`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition
from orderforge.domain.events import DomainEvent
from orderforge.domain.order import Order, OrderAction, OrderLine, OrderState
from orderforge.domain.permissions import Resource, require
from orderforge.engines.configurator import check_spec
from orderforge.plant import services as plant_data
from orderforge.plant.domain import Component, ComponentStatus, WorkCentre
from orderforge.production.domain import Operation, WorkOrder
from orderforge.production.ports import WORK_ORDERS
from orderforge.services.access import load_visible
from orderforge.services.catalogue import family_of
from orderforge.services.configuration import explain_invalid
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.services.views import order_view

REVIEWER = "feasibility-review"


class Severity(StrEnum):
    ENGINEERING = "needs_engineering"
    INFEASIBLE = "infeasible"


@dataclass(frozen=True)
class Finding:
    line_no: int
    severity: Severity
    message: str

    def view(self) -> dict[str, Any]:
        return {"line_no": self.line_no, "severity": self.severity.value, "message": self.message}


@dataclass(frozen=True)
class Plant:
    work_centres: dict[str, WorkCentre]
    components: dict[str, Component]


def review_line(
    uow: UnitOfWork, plant: Plant, line: OrderLine, work_order: WorkOrder | None
) -> list[Finding]:
    """Findings for one line, read from its work order (made when the order was
    confirmed); a line without one is explained from its catalogue rules."""

    def finding(severity: Severity, message: str) -> Finding:
        return Finding(line.line_no, severity, f"Line {line.line_no}: {message}")

    if work_order is None:
        return [finding(*_without_work_order(uow, line))]
    findings = [
        finding(Severity.ENGINEERING, message)
        for op in work_order.operations
        if (message := _capability(plant, op, work_order.spec)) is not None
    ]
    for item in work_order.materials:
        known = plant.components.get(item.item_code)
        if known is None:
            findings.append(
                finding(
                    Severity.ENGINEERING,
                    f"component {item.item_code} ({item.name}) is unknown to the plant.",
                )
            )
        elif known.status is ComponentStatus.NEW:
            findings.append(
                finding(
                    Severity.ENGINEERING,
                    f"{known.name} ({known.code}) is new "
                    f"to the plant: qualify a supplier (lead time about "
                    f"{known.lead_time_days} days).",
                )
            )
        elif known.status is ComponentStatus.BLOCKED:
            findings.append(
                finding(
                    Severity.INFEASIBLE,
                    f"{known.name} ({known.code}) is "
                    "blocked (discontinued); choose another option.",
                )
            )
    return findings


def _without_work_order(uow: UnitOfWork, line: OrderLine) -> tuple[Severity, str]:
    """Why a line has no work order: no catalogue, or its spec breaks the rules."""
    if line.catalogue_version is None:
        return (
            Severity.ENGINEERING,
            f"{line.product_family} was not configured "
            "with a catalogue; an engineer must check the spec by hand.",
        )
    entry = uow.catalogue.get(line.product_family, line.catalogue_version)
    if entry is None:
        return (
            Severity.ENGINEERING,
            f"catalogue version {line.catalogue_version} of {line.product_family} is missing.",
        )
    validity = check_spec(family_of(entry), line.spec)
    if not validity.valid:
        return Severity.INFEASIBLE, explain_invalid(validity)
    return (
        Severity.ENGINEERING,
        "its spec could not be configured into a work order; an engineer must check it.",
    )


def _capability(plant: Plant, op: Operation, spec: dict[str, str]) -> str | None:
    """None if some eligible work centre can take the product, else why none can."""
    refusals = []
    for code in op.work_centres:
        centre = plant.work_centres.get(code)
        if centre is None:
            refusals.append(f"{code} does not exist in this plant")
            continue
        over = [
            f"{name} up to {limit} mm, this needs {spec[name]}"
            for name, limit in centre.limits.items()
            if name in spec and _number(spec[name]) > limit
        ]
        if not over:
            return None
        refusals.append(f"{centre.name} ({code}) takes " + " and ".join(over))
    return f"'{op.name}' cannot be done in this plant: " + "; ".join(refusals) + "."


def _number(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        return Decimal(0)


def _plant(uow: UnitOfWork) -> Plant:
    return Plant(
        work_centres={w.code: w for w in plant_data.active_work_centres(uow)},
        components=plant_data.components_by_code(uow),
    )


def decide(order: Order, findings: list[Finding], ctx: ServiceContext) -> None:
    """Move a confirmed order by the findings, the reasons going into its timeline."""
    at = ctx.clock.now()
    if any(f.severity is Severity.INFEASIBLE for f in findings):
        reason = " ".join(f.message for f in findings if f.severity is Severity.INFEASIBLE)
        order.apply(OrderAction.REJECT, actor=REVIEWER, at=at, reason=reason[:2000])
    elif findings:
        reason = " ".join(f.message for f in findings)
        order.apply(OrderAction.FLAG_NEEDS_ENGINEERING, actor=REVIEWER, at=at, reason=reason[:2000])
    else:
        order.apply(
            OrderAction.MARK_FEASIBLE,
            actor=REVIEWER,
            at=at,
            reason="All lines pass the rules, the plant's capability and components.",
        )


def findings_for(uow: UnitOfWork, order: Order) -> list[Finding]:
    """Every line's findings against today's rules, plant and components; moves nothing."""
    plant = _plant(uow)
    current = {w.line_no: w for w in uow.repository(WORK_ORDERS).current_for([order.number])}
    return [
        f for line in order.lines for f in review_line(uow, plant, line, current.get(line.line_no))
    ]


def review_in(uow: UnitOfWork, order: Order, ctx: ServiceContext) -> list[Finding]:
    """Review a confirmed order's lines and move it by the outcome (caller commits)."""
    findings = findings_for(uow, order)
    decide(order, findings, ctx)
    return findings


def review_order(ctx: ServiceContext, actor: Principal, number: str) -> dict[str, Any]:
    """Run the automatic review on a confirmed order and apply its outcome."""
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        require(actor.role, Resource.ORDER, OrderAction.MARK_FEASIBLE.value)
        if order.state is not OrderState.CONFIRMED:
            raise IllegalTransition(
                f"Order {order.number} is {order.state.label.lower()}: the feasibility review "
                "runs on confirmed orders."
            )
        findings = review_in(uow, order, ctx)
        uow.commit()
        customer = uow.customers.get_by_id(order.customer_id)
        assert customer is not None
        return {"order": order_view(order, customer), "findings": [f.view() for f in findings]}


def on_order_confirmed(ctx: ServiceContext, uow: UnitOfWork, event: DomainEvent) -> None:
    """Review a just-confirmed order in the same transaction, after its work orders were
    made, so no confirmed order waits unchecked (when the plant asks for it)."""
    if not ctx.review_on_confirm:
        return
    with uow.repository(WORK_ORDERS).deferred_writes():
        order = uow.orders.get(event.aggregate_key)
        if order is not None and order.state is OrderState.CONFIRMED:
            review_in(uow, order, ctx)
