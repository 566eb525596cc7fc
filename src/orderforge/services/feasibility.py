"""Feasibility review: can the plant build each line of a confirmed order as specified?

Three checks per line, each finding in words a salesperson or engineer can act on:
the rules of the catalogue version the line was configured with; the plant's
capability (every operation needs a work centre that exists and whose physical
limits take the product's dimensions); and the components (unknown or new ones need
engineering, blocked ones make the line infeasible). The outcome moves the order:
feasible, needs engineering (to the engineers' queue) or rejected (back to sales).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from orderforge.domain.errors import IllegalTransition
from orderforge.domain.order import Order, OrderAction, OrderLine, OrderState
from orderforge.domain.permissions import Resource, require
from orderforge.engines.configurator import check_spec, configure
from orderforge.engines.configurator.routing import RoutedOperation
from orderforge.plant import services as plant_data
from orderforge.plant.domain import Component, ComponentStatus, WorkCentre
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


def review_line(uow: UnitOfWork, plant: Plant, line: OrderLine) -> list[Finding]:
    def finding(severity: Severity, message: str) -> Finding:
        return Finding(line.line_no, severity, f"Line {line.line_no}: {message}")

    if line.catalogue_version is None:
        return [
            finding(
                Severity.ENGINEERING,
                f"{line.product_family} was not configured "
                "with a catalogue; an engineer must check the spec by hand.",
            )
        ]
    entry = uow.catalogue.get(line.product_family, line.catalogue_version)
    if entry is None:
        return [
            finding(
                Severity.ENGINEERING,
                f"catalogue version {line.catalogue_version} of {line.product_family} is missing.",
            )
        ]
    family = family_of(entry)
    validity = check_spec(family, line.spec)
    if not validity.valid:
        return [finding(Severity.INFEASIBLE, explain_invalid(validity))]
    configuration = configure(family, validity.spec)
    findings = [
        finding(Severity.ENGINEERING, message)
        for op in configuration.routing
        if (message := _capability(plant, op, line.spec)) is not None
    ]
    for item in configuration.components:
        known = plant.components.get(item.component)
        if known is None:
            findings.append(
                finding(
                    Severity.ENGINEERING,
                    f"component {item.component} ({item.name}) is unknown to the plant.",
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


def _capability(plant: Plant, op: RoutedOperation, spec: dict[str, str]) -> str | None:
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


def review_in(uow: UnitOfWork, order: Order, ctx: ServiceContext) -> list[Finding]:
    """Review a confirmed order's lines and move it by the outcome (caller commits)."""
    plant = _plant(uow)
    findings = [f for line in order.lines for f in review_line(uow, plant, line)]
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
