"""Production use cases: work orders made on confirmation, floor reports, the feasibility
review; and the room's event handlers (`HANDLERS`, wired through orderforge.contexts)."""

from __future__ import annotations

from orderforge.production.services import feasibility, work_orders
from orderforge.services.context import EventHandler

#: Event kind -> handlers, run in the transaction of the command that raised the event.
#: On confirmation the work orders are made first, then reviewed from them.
HANDLERS: dict[str, tuple[EventHandler, ...]] = {
    "order_confirm": (work_orders.on_order_confirmed, feasibility.on_order_confirmed),
    "order_accept_change": (feasibility.on_order_confirmed,),
    "order_cancel": (work_orders.on_order_cancelled,),
}
