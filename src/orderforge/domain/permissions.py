"""Who may do what: the role x resource x action matrix, as data in one place.

Entrypoints never decide permissions themselves; services ask `is_allowed`. The API
tests generate one test per cell of this matrix, so a change here is a visible,
tested change of policy.
"""

from __future__ import annotations

from enum import StrEnum

from orderforge.domain.errors import PermissionDenied
from orderforge.domain.order import OrderAction
from orderforge.domain.user import Role


class Resource(StrEnum):
    ORDER = "order"
    CUSTOMER = "customer"
    USER = "user"
    PLANT = "plant"
    CATALOGUE = "catalogue"
    SCHEDULE = "schedule"
    #: Production: work orders and the floor's reports on their operations.
    WORK_ORDER = "work_order"
    #: Materials: stock, suppliers, purchase orders and receipts, MRP runs and proposals.
    MATERIALS = "materials"
    #: Webhook subscriptions and their delivery logs: VIEW reads them, EDIT adds,
    #: deactivates and sends a test event. Administrators only: a subscription sends
    #: every chosen event, customers' included, to an outside address.
    WEBHOOK = "webhook"
    #: Design revisions of order lines: VIEW reads them (a customer its own orders'),
    #: PROPOSE draws a new revision, SIGN approves one with an electronic signature and
    #: DECIDE rejects one, PROTOTYPE makes a prototype work order of the current revision
    #: (engineers); the capacity a role signs in is the design context's rule.
    DESIGN = "design"
    #: The order conversation: VIEW reads an order's thread, POST writes a public
    #: message, POST_INTERNAL an internal note (never shown to the customer). Which
    #: orders is the order's own scoping (a customer: its own orders only).
    CONVERSATION = "conversation"
    #: The e-mail log (every mail queued from the outbox, its recipient, status and
    #: attempts). Administrators only: it names every person's address.
    MAIL = "mail"
    #: Engineering changes of confirmed orders (ECR -> ECO): VIEW reads them (a customer
    #: its own, without costs), REQUEST asks for one (and withdraws one's own), DECIDE
    #: approves with an electronic signature or rejects, ACCEPT gives the customer's answer
    #: to the new date and price (sales only for customers without a portal user).
    CHANGE = "change"
    #: Files of records brought in at once with a preview (orderforge.imports): the
    #: actions are the kinds of record, so who may import what follows who enters it by
    #: hand (sales: customers and orders; planners: items).
    IMPORT = "import"
    #: Quality: VIEW reads inspection plans, inspections and NCRs, RECORD records results
    #: at an operation and raises an NCR, DECIDE accepts failed work as is (a signed
    #: decision) and decides, cancels and closes NCRs, EDIT puts inspection plans in force
    #: and keeps the defect causes.
    QUALITY = "quality"
    #: Traceability: VIEW follows a unit back to its lots, operations, inspections and
    #: signatures, a lot forward to every unit and customer, and reads device history
    #: records. Staff only: a forward trace names every customer that got a lot.
    TRACE = "trace"
    #: Shipments: VIEW reads them (a customer its own orders', without staff notes),
    #: PACK packs and cancels one being packed, SHIP hands one to the carrier, CONFIRM
    #: confirms a delivery. The order's SHIP and CONFIRM_DELIVERY follow from them.
    SHIPMENT = "shipment"
    #: Demand forecasts: VIEW reads them (staff who plan capacity, buy or sell: a forecast
    #: shows every family's volumes and the quotes' chances), RUN asks for a new one.
    FORECAST = "forecast"
    #: Simulation studies of the current plan (each open order's chance of meeting its
    #: promise): VIEW reads them, RUN asks for one. Staff only, never customers: a study
    #: lays bare the plan's internals and other customers' orders.
    SIMULATION = "simulation"
    #: Customers' ratings of delivered orders: VIEW reads an order's rating and comment
    #: (a customer its own orders'), RATE gives one: the order's own customer only, once
    #: it is delivered (the use case checks both).
    FEEDBACK = "feedback"
    #: The product insight report per family (ratings and comments of every customer, NCR
    #: causes, needs-engineering reasons, proposed catalogue changes): VIEW reads it.
    #: Staff who shape the catalogue or answer for quality; never a customer.
    INSIGHT = "insight"


#: Non-lifecycle actions; lifecycle actions on orders are the OrderAction values.
VIEW = "view"
CREATE = "create"
EDIT = "edit"
#: Bring in a new catalogue version (CATALOGUE); viewing includes configuring and pricing.
IMPORT = "import"
#: SCHEDULE: run a plan or replan; pin an operation; report a disruption (breakdown, delay).
#: WORK_ORDER: report starts, pauses and completions of operations.
RUN = "run"
PIN = "pin"
REPORT = "report"
POST = "post"
POST_INTERNAL = "post_internal"
_ALL_CONVERSATION = frozenset({VIEW, POST, POST_INTERNAL})
_ALL_SCHEDULE = frozenset({VIEW, RUN, PIN, REPORT})
_WORK_ORDER_REPORT = frozenset({VIEW, REPORT})
_WORK_ORDER_VIEW = frozenset({VIEW})
#: MATERIALS: EDIT is buying and receiving (proposals, purchase orders, receipts, master
#: data); RUN is running the MRP.
_ALL_MATERIALS = frozenset({VIEW, EDIT, RUN})
_MATERIALS_VIEW = frozenset({VIEW})
PROPOSE = "propose"
SIGN = "sign"
DECIDE = "decide"
PROTOTYPE = "prototype"
_DESIGN_VIEW = frozenset({VIEW})
_DESIGN_APPROVER = frozenset({VIEW, SIGN, DECIDE})
REQUEST = "request"
ACCEPT = "accept"
_CHANGE_VIEW = frozenset({VIEW})
#: IMPORT: the kinds of record a file may bring in.
IMPORT_CUSTOMERS = "customers"
IMPORT_ITEMS = "items"
IMPORT_ORDERS = "orders"
_ALL_IMPORT = frozenset({IMPORT_CUSTOMERS, IMPORT_ITEMS, IMPORT_ORDERS})
#: CUSTOMER: EDIT changes a customer's name, address and terms (not its code).
_CUSTOMER_KEEPER = frozenset({VIEW, CREATE, EDIT})
RECORD = "record"
_QUALITY_VIEW = frozenset({VIEW})
_TRACE_VIEW = frozenset({VIEW})
PACK = "pack"
SHIP = "ship"
CONFIRM = "confirm"
_SHIPMENT_VIEW = frozenset({VIEW})
_ALL_SHIPMENT = frozenset({VIEW, PACK, SHIP, CONFIRM})
_FORECAST_VIEW = frozenset({VIEW})
_ALL_FORECAST = frozenset({VIEW, RUN})
_ALL_SIMULATION = frozenset({VIEW, RUN})
_SIMULATION_VIEW = frozenset({VIEW})
RATE = "rate"
_FEEDBACK_VIEW = frozenset({VIEW})
_INSIGHT_VIEW = frozenset({VIEW})

A = OrderAction

#: The order's design steps follow from its design revisions (the design context applies
#: them when a revision is proposed, signed or rejected); nobody takes them by hand.
DESIGN_ACTIONS = frozenset({A.SUBMIT_DESIGN, A.APPROVE_DESIGN, A.REJECT_DESIGN})
#: Likewise a change of a confirmed order follows its engineering change record (the change
#: context requests, applies or declines it), never a bare button.
CHANGE_ACTIONS = frozenset({A.REQUEST_CHANGE, A.ACCEPT_CHANGE, A.DECLINE_CHANGE})
#: Production follows the floor (the first operation started, the last one done) and
#: final inspection follows its checklist; a button would claim what nobody checked.
FLOOR_ACTIONS = frozenset({A.START_PRODUCTION, A.FINISH_PRODUCTION})
INSPECTION_ACTIONS = frozenset({A.PASS_INSPECTION, A.FAIL_INSPECTION})
#: And an order is shipped and delivered by its shipments (the shipping context applies
#: the steps when the last line has left, and when the last shipment has arrived).
SHIPPING_ACTIONS = frozenset({A.SHIP, A.CONFIRM_DELIVERY})
ROOM_ACTIONS = (
    DESIGN_ACTIONS | CHANGE_ACTIONS | FLOOR_ACTIONS | INSPECTION_ACTIONS | SHIPPING_ACTIONS
)
_ALL_ORDER = frozenset(
    {VIEW, CREATE, EDIT} | {a.value for a in OrderAction if a not in ROOM_ACTIONS}
)

PERMISSIONS: dict[Role, dict[Resource, frozenset[str]]] = {
    Role.ADMIN: {
        Resource.ORDER: _ALL_ORDER,
        Resource.CUSTOMER: _CUSTOMER_KEEPER,
        Resource.USER: frozenset({VIEW, CREATE, EDIT}),
        Resource.PLANT: frozenset({VIEW, EDIT}),
        Resource.CATALOGUE: frozenset({VIEW, IMPORT}),
        Resource.SCHEDULE: _ALL_SCHEDULE,
        Resource.WORK_ORDER: _WORK_ORDER_REPORT,
        Resource.MATERIALS: _ALL_MATERIALS,
        Resource.CONVERSATION: _ALL_CONVERSATION,
        Resource.WEBHOOK: frozenset({VIEW, EDIT}),
        Resource.DESIGN: _DESIGN_VIEW,
        Resource.MAIL: frozenset({VIEW}),
        Resource.CHANGE: _CHANGE_VIEW,
        Resource.IMPORT: _ALL_IMPORT,
        Resource.QUALITY: frozenset({VIEW, EDIT}),
        Resource.TRACE: _TRACE_VIEW,
        Resource.SHIPMENT: _ALL_SHIPMENT,
        Resource.FORECAST: _ALL_FORECAST,
        Resource.SIMULATION: _ALL_SIMULATION,
        Resource.FEEDBACK: _FEEDBACK_VIEW,
        Resource.INSIGHT: _INSIGHT_VIEW,
    },
    Role.SALES: {
        Resource.ORDER: frozenset(
            {
                VIEW,
                CREATE,
                EDIT,
                A.CONFIRM,
                A.REVISE_QUOTE,
                A.CANCEL,
                A.HOLD,
                A.RESUME,
            }
        ),
        Resource.CUSTOMER: _CUSTOMER_KEEPER,
        Resource.PLANT: frozenset({VIEW}),
        Resource.CATALOGUE: frozenset({VIEW}),
        Resource.SCHEDULE: frozenset({VIEW}),
        Resource.WORK_ORDER: _WORK_ORDER_VIEW,
        Resource.MATERIALS: _MATERIALS_VIEW,
        Resource.DESIGN: _DESIGN_APPROVER,
        Resource.CONVERSATION: _ALL_CONVERSATION,
        Resource.CHANGE: frozenset({VIEW, REQUEST, ACCEPT}),
        Resource.IMPORT: frozenset({IMPORT_CUSTOMERS, IMPORT_ORDERS}),
        Resource.QUALITY: _QUALITY_VIEW,
        Resource.TRACE: _TRACE_VIEW,
        Resource.SHIPMENT: frozenset({VIEW, CONFIRM}),
        Resource.FORECAST: _FORECAST_VIEW,
        # sales quote dates, so they may ask how likely the plan meets them
        Resource.SIMULATION: _ALL_SIMULATION,
        Resource.FEEDBACK: _FEEDBACK_VIEW,
        Resource.INSIGHT: _INSIGHT_VIEW,
    },
    Role.ENGINEER: {
        Resource.ORDER: frozenset(
            {
                VIEW,
                A.MARK_FEASIBLE,
                A.FLAG_NEEDS_ENGINEERING,
                A.ACCEPT_ENGINEERING,
                A.REJECT,
            }
        ),
        Resource.CUSTOMER: frozenset({VIEW}),
        Resource.PLANT: frozenset({VIEW}),
        Resource.CATALOGUE: frozenset({VIEW, IMPORT}),
        Resource.SCHEDULE: frozenset({VIEW}),
        Resource.WORK_ORDER: _WORK_ORDER_VIEW,
        Resource.MATERIALS: _MATERIALS_VIEW,
        Resource.DESIGN: frozenset({VIEW, PROPOSE, SIGN, DECIDE, PROTOTYPE}),
        Resource.CONVERSATION: _ALL_CONVERSATION,
        Resource.CHANGE: frozenset({VIEW, REQUEST, DECIDE}),
        Resource.QUALITY: _QUALITY_VIEW,
        Resource.TRACE: _TRACE_VIEW,
        Resource.SHIPMENT: _SHIPMENT_VIEW,
        Resource.FORECAST: _FORECAST_VIEW,
        Resource.FEEDBACK: _FEEDBACK_VIEW,
        Resource.INSIGHT: _INSIGHT_VIEW,
    },
    Role.PLANNER: {
        Resource.ORDER: frozenset(
            {
                VIEW,
                A.PLAN,
                A.RELEASE,
                A.HOLD,
                A.RESUME,
            }
        ),
        Resource.CUSTOMER: frozenset({VIEW}),
        Resource.PLANT: frozenset({VIEW}),
        Resource.CATALOGUE: frozenset({VIEW}),
        Resource.SCHEDULE: _ALL_SCHEDULE,
        Resource.WORK_ORDER: _WORK_ORDER_REPORT,
        Resource.MATERIALS: frozenset({VIEW, RUN}),
        Resource.DESIGN: _DESIGN_VIEW,
        Resource.CONVERSATION: _ALL_CONVERSATION,
        Resource.CHANGE: frozenset({VIEW, REQUEST}),
        Resource.IMPORT: frozenset({IMPORT_ITEMS}),
        Resource.QUALITY: _QUALITY_VIEW,
        Resource.TRACE: _TRACE_VIEW,
        Resource.SHIPMENT: _ALL_SHIPMENT,
        Resource.FORECAST: _ALL_FORECAST,
        Resource.SIMULATION: _ALL_SIMULATION,
        Resource.FEEDBACK: _FEEDBACK_VIEW,
        Resource.INSIGHT: _INSIGHT_VIEW,
    },
    Role.OPERATOR: {
        Resource.ORDER: frozenset({VIEW}),
        Resource.PLANT: frozenset({VIEW}),
        Resource.CATALOGUE: frozenset({VIEW}),
        Resource.SCHEDULE: frozenset({VIEW, REPORT}),
        Resource.WORK_ORDER: _WORK_ORDER_REPORT,
        # The floor sees what material is there and what is coming; goods-in is buying.
        Resource.MATERIALS: _MATERIALS_VIEW,
        Resource.DESIGN: _DESIGN_VIEW,
        Resource.CONVERSATION: _ALL_CONVERSATION,
        Resource.CHANGE: _CHANGE_VIEW,
        Resource.QUALITY: frozenset({VIEW, RECORD}),
        Resource.SHIPMENT: _SHIPMENT_VIEW,
        Resource.FEEDBACK: _FEEDBACK_VIEW,
    },
    Role.QUALITY: {
        Resource.ORDER: frozenset({VIEW, A.HOLD}),
        Resource.CUSTOMER: frozenset({VIEW}),
        Resource.PLANT: frozenset({VIEW}),
        Resource.CATALOGUE: frozenset({VIEW}),
        Resource.SCHEDULE: frozenset({VIEW}),
        Resource.WORK_ORDER: _WORK_ORDER_VIEW,
        Resource.MATERIALS: _MATERIALS_VIEW,
        Resource.DESIGN: _DESIGN_APPROVER,
        Resource.CONVERSATION: _ALL_CONVERSATION,
        Resource.CHANGE: _CHANGE_VIEW,
        Resource.QUALITY: frozenset({VIEW, RECORD, DECIDE, EDIT}),
        Resource.TRACE: _TRACE_VIEW,
        Resource.SHIPMENT: _SHIPMENT_VIEW,
        Resource.FEEDBACK: _FEEDBACK_VIEW,
        Resource.INSIGHT: _INSIGHT_VIEW,
    },
    Role.PURCHASING: {
        Resource.ORDER: frozenset({VIEW}),
        Resource.CUSTOMER: frozenset({VIEW}),
        Resource.PLANT: frozenset({VIEW}),
        Resource.CATALOGUE: frozenset({VIEW}),
        Resource.SCHEDULE: frozenset({VIEW}),
        Resource.WORK_ORDER: _WORK_ORDER_VIEW,
        Resource.MATERIALS: _ALL_MATERIALS,
        Resource.DESIGN: _DESIGN_VIEW,
        Resource.CONVERSATION: _ALL_CONVERSATION,
        Resource.CHANGE: _CHANGE_VIEW,
        Resource.QUALITY: _QUALITY_VIEW,
        Resource.TRACE: _TRACE_VIEW,
        Resource.SHIPMENT: _SHIPMENT_VIEW,
        Resource.FORECAST: _ALL_FORECAST,
        Resource.SIMULATION: _SIMULATION_VIEW,
        Resource.FEEDBACK: _FEEDBACK_VIEW,
    },
    # A customer sees only its own records; the scoping is enforced by the services.
    Role.CUSTOMER: {
        Resource.ORDER: frozenset({VIEW, A.CONFIRM}),
        Resource.CUSTOMER: frozenset({VIEW}),
        Resource.CATALOGUE: frozenset({VIEW}),
        Resource.DESIGN: _DESIGN_APPROVER,
        Resource.CONVERSATION: frozenset({VIEW, POST}),
        Resource.CHANGE: frozenset({VIEW, REQUEST, ACCEPT}),
        Resource.SHIPMENT: _SHIPMENT_VIEW,
        Resource.FEEDBACK: frozenset({VIEW, RATE}),
    },
}


def actions_of(resource: Resource) -> list[str]:
    """Every action that exists on a resource, for building the full matrix."""
    if resource is Resource.ORDER:  # the rooms' steps too: they exist, nobody takes them
        return sorted(_ALL_ORDER | {a.value for a in ROOM_ACTIONS})
    if resource is Resource.PLANT:
        return [VIEW, EDIT]
    if resource is Resource.CATALOGUE:
        return [VIEW, IMPORT]
    if resource is Resource.SCHEDULE:
        return sorted(_ALL_SCHEDULE)
    if resource is Resource.WORK_ORDER:
        return sorted(_WORK_ORDER_REPORT)
    if resource is Resource.MATERIALS:
        return sorted(_ALL_MATERIALS)
    if resource is Resource.WEBHOOK:
        return [VIEW, EDIT]
    if resource is Resource.DESIGN:
        return [VIEW, PROPOSE, SIGN, DECIDE, PROTOTYPE]
    if resource is Resource.CONVERSATION:
        return sorted(_ALL_CONVERSATION)
    if resource is Resource.MAIL:
        return [VIEW]
    if resource is Resource.CHANGE:
        return [VIEW, REQUEST, DECIDE, ACCEPT]
    if resource is Resource.IMPORT:
        return sorted(_ALL_IMPORT)
    if resource is Resource.QUALITY:
        return [VIEW, RECORD, DECIDE, EDIT]
    if resource is Resource.TRACE:
        return [VIEW]
    if resource is Resource.SHIPMENT:
        return [VIEW, PACK, SHIP, CONFIRM]
    if resource is Resource.FORECAST:
        return [VIEW, RUN]
    if resource is Resource.SIMULATION:
        return sorted(_ALL_SIMULATION)
    if resource is Resource.FEEDBACK:
        return [VIEW, RATE]
    if resource is Resource.INSIGHT:
        return [VIEW]
    # USER and CUSTOMER
    return [VIEW, CREATE, EDIT]


def is_allowed(role: Role, resource: Resource, action: str) -> bool:
    return action in PERMISSIONS.get(role, {}).get(resource, frozenset())


def require(role: Role, resource: Resource, action: str) -> None:
    if not is_allowed(role, resource, action):
        what = action.replace("_", " ")
        raise PermissionDenied(f"Your role ({role.value}) may not {what} {resource.value}s.")
