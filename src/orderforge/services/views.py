"""Read models: plain JSON-ready dicts built from domain objects.

Views are what callers receive and what an idempotent replay returns byte for byte,
so they are built once here rather than by each entrypoint.
"""

from __future__ import annotations

from typing import Any

from orderforge.domain.customer import Customer
from orderforge.domain.events import StoredEvent
from orderforge.domain.order import Order
from orderforge.domain.user import User


def order_view(order: Order, customer: Customer) -> dict[str, Any]:
    return {
        "number": order.number,
        "customer": {"code": customer.code, "name": customer.name},
        "state": order.state.value,
        "state_label": order.state.label,
        "requested_date": order.requested_date.isoformat() if order.requested_date else None,
        "promise_date": order.promise_date.isoformat() if order.promise_date else None,
        "notes": order.notes,
        "held_from": order.held_from.value if order.held_from else None,
        "changed_from": order.changed_from.value if order.changed_from else None,
        "design_approved_at": (
            order.design_approved_at.isoformat() if order.design_approved_at else None
        ),
        "lines": [line.snapshot() for line in order.lines],
        "priority": order.priority,
        "planned_start": order.planned_start.isoformat() if order.planned_start else None,
        "planned_finish": order.planned_finish.isoformat() if order.planned_finish else None,
        "plan_version": order.plan_version,
        "created_at": order.created_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
        "version": order.version,
    }


def customer_view(customer: Customer) -> dict[str, Any]:
    return {
        "code": customer.code,
        "name": customer.name,
        "email": customer.email,
        "country": customer.country,
        "created_at": customer.created_at.isoformat(),
    }


def user_view(user: User, customer_code: str | None) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "customer": customer_code,
        "active": user.active,
        "created_at": user.created_at.isoformat(),
    }


def event_view(event: StoredEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "actor": event.actor,
        "occurred_at": event.occurred_at.isoformat(),
        "action": event.data.get("action"),
        "reason": event.data.get("reason", ""),
        "changes": event.data.get("changes", {}),
    }
