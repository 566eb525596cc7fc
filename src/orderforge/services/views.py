"""Read models: typed views built from domain objects, cut to what the viewer may see.

Views are what callers receive and what an idempotent replay returns, so they are built
once here rather than by each entrypoint. Fields a role may not see
(`services.visibility`) are left unset; `plain()` drops unset fields, so a customer's
JSON has no `planned_finish` key at all rather than a null one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from orderforge.domain.customer import Customer
from orderforge.domain.events import StoredEvent
from orderforge.domain.order import Order
from orderforge.domain.user import Role, User
from orderforge.services.visibility import (
    PLANT_ACTOR,
    STAFF_ACTIONS,
    FieldGroup,
    hidden_order_fields,
    is_internal_event,
    sees,
)


class CustomerRef(BaseModel):
    code: str
    name: str


class LineView(BaseModel):
    line_no: int
    product_family: str
    quantity: int
    spec: dict[str, str]
    catalogue_version: int | None = None
    unit_price: str | None = None


class OrderSummary(BaseModel):
    """An order as a list shows it; planning fields only for roles that see them."""

    number: str
    customer: CustomerRef
    state: str
    state_label: str
    requested_date: dt.date | None
    promise_date: dt.date | None
    #: In the list too: the search matches it, so a hit shows why.
    notes: str = Field(description="Shared with the customer (never internal remarks)")
    lines: list[LineView]
    priority: int | None = Field(
        default=None, description="Weight of lateness in planning (1 normal, 10 rush); staff"
    )
    planned_start: dt.datetime | None = Field(
        default=None, description="From the current plan version; staff only"
    )
    planned_finish: dt.datetime | None = Field(default=None, description="Staff only")
    plan_version: int | None = Field(default=None, description="Staff only")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class OrderDetail(OrderSummary):
    """One order, with where a hold or a change request returns to and its approval."""

    held_from: str | None
    changed_from: str | None
    design_approved_at: dt.datetime | None


class OrderActions(BaseModel):
    number: str
    actions: list[str]


class TimelineEntry(BaseModel):
    id: int
    kind: str
    actor: str
    occurred_at: dt.datetime
    action: str | None
    reason: str | None = Field(default=None, description="Absent when it is a staff note")
    changes: dict[str, Any]


class CustomerView(BaseModel):
    code: str
    name: str
    email: str
    country: str
    #: Postal address lines, as printed on quotes and confirmations.
    address: list[str]
    #: Which pricing rule applies (empty: the family's or the plant's default).
    price_group: str
    created_at: dt.datetime


class UserView(BaseModel):
    username: str
    display_name: str
    role: str
    customer: str | None
    active: bool
    created_at: dt.datetime
    #: "" for none; user views go only to administrators and to the user themself
    email: str = ""


def plain(view: BaseModel) -> dict[str, Any]:
    """JSON-ready dict of a view without the fields its viewer may not see."""
    return view.model_dump(mode="json", exclude_unset=True)


def _order_fields(order: Order, customer: Customer, role: Role) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "number": order.number,
        "customer": CustomerRef(code=customer.code, name=customer.name),
        "state": order.state.value,
        "state_label": order.state.label,
        "requested_date": order.requested_date,
        "promise_date": order.promise_date,
        "notes": order.notes,
        "held_from": order.held_from.value if order.held_from else None,
        "changed_from": order.changed_from.value if order.changed_from else None,
        "design_approved_at": order.design_approved_at,
        "lines": [LineView(**line.snapshot()) for line in order.lines],
        "priority": order.priority,
        "planned_start": order.planned_start,
        "planned_finish": order.planned_finish,
        "plan_version": order.plan_version,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "version": order.version,
    }
    for name in hidden_order_fields(role):
        del fields[name]
    return fields


def order_summary(order: Order, customer: Customer, role: Role) -> OrderSummary:
    fields = _order_fields(order, customer, role)
    return OrderSummary(**{k: v for k, v in fields.items() if k in OrderSummary.model_fields})


def order_detail(order: Order, customer: Customer, role: Role) -> OrderDetail:
    return OrderDetail(**_order_fields(order, customer, role))


def order_view(order: Order, customer: Customer) -> dict[str, Any]:
    """The full staff view as a plain dict (for results that embed an order)."""
    return plain(order_detail(order, customer, Role.ADMIN))


def customer_view(customer: Customer) -> CustomerView:
    return CustomerView(
        code=customer.code,
        name=customer.name,
        email=customer.email,
        country=customer.country,
        address=customer.address.splitlines(),
        price_group=customer.price_group,
        created_at=customer.created_at,
    )


def user_view(user: User, customer_code: str | None) -> UserView:
    return UserView(
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        customer=customer_code,
        active=user.active,
        created_at=user.created_at,
        email=user.email,
    )


def timeline(events: list[StoredEvent], role: Role, viewer: str) -> list[TimelineEntry]:
    """The history as the viewer may read it: a customer gets neither internal events
    (re-prioritising, internal notes) nor others' reasons, and the plant's internal steps
    only as the change of state they made (`visibility.STAFF_ACTIONS`)."""
    staff = sees(role, FieldGroup.STAFF_NOTES)
    hidden = hidden_order_fields(role)
    entries = []
    for event in events:
        if not staff and is_internal_event(event.kind, event.data):
            continue
        fields: dict[str, Any] = {
            "id": event.id,
            "kind": event.kind,
            "actor": event.actor,
            "occurred_at": event.occurred_at,
            "action": event.data.get("action"),
            "changes": {k: v for k, v in event.data.get("changes", {}).items() if k not in hidden},
        }
        if not staff and fields["action"] in STAFF_ACTIONS:
            fields.update(
                kind="order_state_changed",
                actor=PLANT_ACTOR,
                action=None,
                changes={k: v for k, v in fields["changes"].items() if k == "state"},
            )
        elif staff or event.actor == viewer:
            fields["reason"] = event.data.get("reason", "")
        entries.append(TimelineEntry(**fields))
    return entries
