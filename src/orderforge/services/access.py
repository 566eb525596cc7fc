"""Who may see which order: shared by every use case that loads one."""

from __future__ import annotations

from orderforge.domain.errors import NotFound
from orderforge.domain.order import Order
from orderforge.domain.user import Role
from orderforge.services.ports import Principal, UnitOfWork


def load_visible(uow: UnitOfWork, actor: Principal, number: str) -> Order:
    """Fetch an order the actor may see; others' orders look like missing ones (404)."""
    order = uow.orders.get(number.strip().upper())
    if order is None or (actor.role is Role.CUSTOMER and order.customer_id != actor.customer_id):
        raise NotFound(f"There is no order {number}.")
    return order


def has_portal_user(uow: UnitOfWork, order: Order) -> bool:
    """Whether the order's customer has an active portal user: then the customer gives
    their own answers (signatures, acceptances) and sales does not give them for it."""
    return any(
        u.active and u.role is Role.CUSTOMER and u.customer_id == order.customer_id
        for u in uow.users.list()
    )
