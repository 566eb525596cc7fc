"""The demo's open engineering changes: every demo order left waiting for a change decision
gets the change record it waits for, asked for by sales with the reason its timeline
gives, its new spec configured and priced, and its impact computed as the plant stands
after loading, so the engineers' queue has something real to decide."""

from __future__ import annotations

from orderforge.change.domain import EngineeringChange, LineChange, Origin
from orderforge.change.ports import CHANGES
from orderforge.change.services.impact import analyse
from orderforge.demo.catalogue import demo_specs
from orderforge.domain.errors import InvalidInput
from orderforge.domain.order import LineInput, Order, OrderState
from orderforge.domain.signatures import Signer
from orderforge.domain.user import Role
from orderforge.services.context import ServiceContext
from orderforge.services.orders import configure_lines
from orderforge.services.ports import OrderFilter, UnitOfWork


def load_changes(ctx: ServiceContext, uow: UnitOfWork) -> int:
    """One open change per order waiting for a change decision; returns how many."""
    sales = next(u for u in uow.users.list() if u.role is Role.SALES)
    assert sales.id is not None
    requester = Signer(sales.id, sales.username, sales.display_name, sales.role.value)
    made = 0
    waiting = uow.orders.list(OrderFilter(state=OrderState.CHANGE_REQUESTED, limit=10_000))
    for order in sorted(waiting, key=lambda o: o.number):
        line_change = _line_change(uow, order)
        if line_change is None:
            continue
        customer = uow.customers.get_by_id(order.customer_id)
        group = customer.price_group or None if customer is not None else None
        at = order.updated_at
        year = at.year
        number = f"ECR-{year}-{uow.sequences.next_value(f'engineering-change-{year}'):04d}"
        change = EngineeringChange.request(
            number=number,
            order_number=order.number,
            order_state=(order.changed_from or OrderState.CONFIRMED).value,
            origin=Origin.SALES,
            reason=_reason(uow, order),
            lines=[line_change],
            impact=analyse(ctx, uow, order, [line_change], group),
            requester=requester,
            at=at,
        )
        uow.repository(CHANGES).add(change)
        made += 1
    return made


def _reason(uow: UnitOfWork, order: Order) -> str:
    events = [e for e in uow.events.for_aggregate("order", order.number)]
    asked = [e for e in events if e.kind == "order_request_change"]
    reason = str(asked[-1].data.get("reason", "")) if asked else ""
    return reason or "The customer asks for a different finish."


def _line_change(uow: UnitOfWork, order: Order) -> LineChange | None:
    """Line 1 with one option as another demo customer chose it (the first such spec
    the configurator accepts), else one unit more."""
    line = order.lines[0]
    customer = uow.customers.get_by_id(order.customer_id)
    candidates: list[tuple[dict[str, str], int]] = []
    for other in demo_specs().get(line.product_family, []):
        for key, value in other.items():
            if key in line.spec and line.spec[key] != value and not value[:1].isdigit():
                candidates.append(({**line.spec, key: value}, line.quantity))
    candidates.append((dict(line.spec), line.quantity + 1))
    for spec, quantity in candidates:
        try:
            (new,) = configure_lines(
                uow, (LineInput(line.product_family, quantity, spec),), customer
            )
        except InvalidInput:
            continue
        change = LineChange(
            line_no=line.line_no,
            product_family=line.product_family,
            old_spec=dict(line.spec),
            new_spec=dict(new.spec),
            old_quantity=line.quantity,
            new_quantity=new.quantity,
            old_unit_price=line.unit_price,
            new_unit_price=new.unit_price,
            old_catalogue_version=line.catalogue_version,
            new_catalogue_version=new.catalogue_version,
        )
        if change.changed:
            return change
    return None
