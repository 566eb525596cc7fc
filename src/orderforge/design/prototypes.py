"""The prototypes on the design page: where each line's prototype stands (quality judges
it by its inspection and answers the PROTOTYPE_GATE port), what release waits for, and
whether an engineer may make one now.

A customer sees that a prototype is awaited, not the shop's work orders and their
inspections: those are the plant's internals.
"""

from __future__ import annotations

import dataclasses

from orderforge.design.views import DesignView, PrototypeView
from orderforge.domain.order import Order, OrderState
from orderforge.domain.permissions import PROTOTYPE, Resource, is_allowed
from orderforge.domain.prototypes import PrototypeState
from orderforge.domain.user import Role
from orderforge.services.ports import PROTOTYPE_GATE, Principal, UnitOfWork

#: Order states in which a prototype may be made: once the design has a revision and
#: until the order is released (after that, the prototype would prove nothing release
#: waits for; a change goes through an engineering change).
MAKEABLE: frozenset[OrderState] = frozenset(
    {OrderState.PLANNED, OrderState.AWAITING_DESIGN_APPROVAL}
)


def states(uow: UnitOfWork, order: Order) -> dict[int, PrototypeState]:
    """Each line's prototype state, by line; empty when no quality context is wired."""
    try:
        gate = uow.repository(PROTOTYPE_GATE)
    except LookupError:
        return {}
    return {s.line_no: s for s in gate.prototypes(order)}


def with_prototypes(
    view: DesignView, order: Order, actor: Principal, found: dict[int, PrototypeState]
) -> DesignView:
    """The design view with each line's prototype and what release waits for."""
    staff = actor.role is not Role.CUSTOMER
    may_make = is_allowed(actor.role, Resource.DESIGN, PROTOTYPE) and order.state in MAKEABLE
    lines = []
    blockers = list(view.blockers)
    for line in view.lines:
        state = found.get(line.line_no)
        if state is None or not state.required:
            lines.append(line)
            continue
        if state.missing is not None:
            blockers.append(
                _capital(state.missing)
                if staff
                else f"Line {line.line_no}: a prototype must pass its inspection first."
            )
        shown = (
            PrototypeView(
                work_order=state.work_order,
                design_revision=state.design_revision,
                passed=state.passed,
                words=_capital(state.words),
                can_make=may_make and state.can_make,
            )
            if staff
            else None
        )
        lines.append(dataclasses.replace(line, prototype=shown))
    return dataclasses.replace(view, lines=tuple(lines), blockers=tuple(blockers))


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
