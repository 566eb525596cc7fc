"""Engineering change use cases (requests, impact, decisions) and their views."""

from __future__ import annotations

from orderforge.change.services.requests import (
    Decision,
    LineRequest,
    RequestChange,
    affected_orders,
    change_document,
    change_mockup,
    customer_decision,
    decide_change,
    get_change,
    open_changes,
    order_changes,
    refresh_impact,
    request_change,
    verify_change,
    withdraw_change,
)

__all__ = [
    "Decision",
    "LineRequest",
    "RequestChange",
    "affected_orders",
    "change_document",
    "change_mockup",
    "customer_decision",
    "decide_change",
    "get_change",
    "open_changes",
    "order_changes",
    "refresh_impact",
    "request_change",
    "verify_change",
    "withdraw_change",
]
