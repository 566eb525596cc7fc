"""Running the feasibility review again, as an engineer expects from `order review`.

On a confirmed order the review decides (feasible, needs engineering, rejected). On an
order it already moved (feasible or needs engineering) it checks every line again
against today's rules, plant and components and reports what it finds, leaving the
state alone: the lifecycle has no way back to "confirmed", and an engineer acts on the
findings (accept engineering, reject, request a change). Later states are past review.
"""

from __future__ import annotations

from pydantic import BaseModel

from orderforge.domain.errors import IllegalTransition
from orderforge.domain.order import OrderAction, OrderState
from orderforge.domain.permissions import Resource, require
from orderforge.production.services import feasibility
from orderforge.services.access import load_visible
from orderforge.services.context import ServiceContext
from orderforge.services.orders import get_order
from orderforge.services.ports import Principal
from orderforge.services.views import OrderDetail

#: States the review may run on again (it decides only on confirmed orders).
REVIEWABLE = frozenset({OrderState.CONFIRMED, OrderState.FEASIBLE, OrderState.NEEDS_ENGINEERING})


class FindingView(BaseModel):
    line_no: int
    severity: str
    message: str


class ReviewResult(BaseModel):
    order: OrderDetail
    findings: list[FindingView]
    #: True when the review moved the order (it was confirmed); False for a re-check.
    applied: bool


def review(ctx: ServiceContext, actor: Principal, number: str) -> ReviewResult:
    with ctx.uow() as uow:
        order = load_visible(uow, actor, number)
        require(actor.role, Resource.ORDER, OrderAction.MARK_FEASIBLE.value)
        state = order.state
        if state not in REVIEWABLE:
            raise IllegalTransition(
                f"Order {order.number} is {state.label.lower()}: the feasibility review runs "
                "on confirmed, feasible or needs-engineering orders."
            )
        findings: list[feasibility.Finding] = []
        if state is not OrderState.CONFIRMED:
            findings = feasibility.findings_for(uow, order)
    if state is OrderState.CONFIRMED:
        outcome = feasibility.review_order(ctx, actor, number)
        return ReviewResult(
            order=get_order(ctx, actor, number),
            findings=[FindingView(**f) for f in outcome["findings"]],
            applied=True,
        )
    return ReviewResult(
        order=get_order(ctx, actor, number),
        findings=[FindingView(**f.view()) for f in findings],
        applied=False,
    )
