"""Which fields of an order, a line, a timeline or a configuration each role may see.

One table decides it, so the API, the web pages and the CLI show a customer the same
thing: its orders, their lines and prices and promise dates, never how the plant plans,
costs or builds them. Hidden fields are left out of a read model (absent, not null).

What counts as an internal (staff) note:
- the order's ``notes`` are shared: the customer may write them when opening a quote and
  sees them; staff must not put internal remarks there;
- the ``reason`` given on a timeline step is internal unless the viewer wrote it: a
  customer sees its own reasons (e.g. why it rejected a design), not the ones staff or
  the automatic review recorded;
- pin notes and downtime reasons belong to the schedule, which customers cannot open;
- an event whose data says ``"internal": true`` (an internal note on the order's
  conversation) is staff-only, whatever its kind;
- the plant's own steps (review findings, holds, inspections) reach a customer only as
  the change of state they caused, by "the plant": not which check failed nor who
  recorded it (``STAFF_ACTIONS``).
"""

from __future__ import annotations

from enum import StrEnum

from orderforge.domain.user import Role


class FieldGroup(StrEnum):
    #: priority, planned_start, planned_finish, plan_version
    PLANNING = "planning"
    #: material cost, labour cost, cost and margin of a configuration (the price is public)
    COSTING = "costing"
    #: the configured bill of materials and routing
    ENGINEERING = "engineering"
    #: reasons recorded by others on timeline steps, internal events (re-prioritising)
    STAFF_NOTES = "staff_notes"


_EVERYTHING = frozenset(FieldGroup)

#: Role -> the field groups it sees. Fields outside every group are visible to all.
VISIBLE: dict[Role, frozenset[FieldGroup]] = {
    Role.ADMIN: _EVERYTHING,
    Role.SALES: _EVERYTHING,
    Role.ENGINEER: _EVERYTHING,
    Role.PLANNER: _EVERYTHING,
    Role.OPERATOR: _EVERYTHING,
    Role.QUALITY: _EVERYTHING,
    Role.PURCHASING: _EVERYTHING,
    Role.CUSTOMER: frozenset(),
}

#: The order fields each group hides.
ORDER_FIELDS: dict[FieldGroup, tuple[str, ...]] = {
    FieldGroup.PLANNING: ("priority", "planned_start", "planned_finish", "plan_version"),
}

#: The configuration fields each group hides (costing fields live under ``costing``).
CONFIGURATION_FIELDS: dict[FieldGroup, tuple[str, ...]] = {
    FieldGroup.COSTING: ("material_cost", "labour_cost", "cost", "margin"),
    FieldGroup.ENGINEERING: ("bom", "routing"),
}

#: The fields of a promise (the delivery date the plant can keep) each group hides. The
#: date itself is the customer's; how sure the plant is of it is not: the chance and the
#: dates at each confidence come from replaying the plan's internals, and a customer told
#: "80 %" hears a hedge, not a date.
PROMISE_FIELDS: dict[FieldGroup, tuple[str, ...]] = {
    FieldGroup.PLANNING: ("confidence", "plan_version"),
}

#: Timeline events that only staff see.
INTERNAL_EVENT_KINDS = frozenset({"order_prioritised"})

#: Lifecycle steps that are the plant's internal business: a customer's timeline shows
#: them as "state changed" by the plant, with the state before and after and nothing
#: else (not the action, not who, not why).
STAFF_ACTIONS = frozenset(
    {
        "mark_feasible",
        "flag_needs_engineering",
        "accept_engineering",
        "hold",
        "resume",
        "pass_inspection",
        "fail_inspection",
    }
)
#: The name a customer sees for the plant's internal steps.
PLANT_ACTOR = "plant"


def is_internal_event(kind: str, data: dict[str, object]) -> bool:
    """Whether only staff may see this event on a timeline at all."""
    return kind in INTERNAL_EVENT_KINDS or data.get("internal") is True


def sees(role: Role, group: FieldGroup) -> bool:
    return group in VISIBLE.get(role, frozenset())


def hidden_order_fields(role: Role) -> frozenset[str]:
    return frozenset(f for g, names in ORDER_FIELDS.items() if not sees(role, g) for f in names)


def hidden_promise_fields(role: Role) -> frozenset[str]:
    return frozenset(f for g, names in PROMISE_FIELDS.items() if not sees(role, g) for f in names)


def hidden_configuration_fields(role: Role) -> frozenset[str]:
    return frozenset(
        f for g, names in CONFIGURATION_FIELDS.items() if not sees(role, g) for f in names
    )
