"""Domain events: the facts an audit needs.

Aggregates collect them in `pending_events`; the unit of work writes them in the same
transaction as the change, into an append-only table, so the history can never
disagree with the state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DomainEvent:
    aggregate: str
    aggregate_key: str
    kind: str
    actor: str
    occurred_at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)
    #: The acting user's id; when None the event log finds it from `actor` (a username)
    actor_id: int | None = None


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back from the history, with its storage id."""

    id: int
    aggregate: str
    aggregate_key: str
    kind: str
    actor: str
    occurred_at: dt.datetime
    data: dict[str, Any]
    actor_id: int | None = None


@dataclass(frozen=True)
class OutboxEvent:
    """A row of the platform's outbox, as the consumers that carry events outside
    (webhooks, e-mail) read it: `event_id` is the id they deduplicate on."""

    id: int
    event_id: str
    kind: str
    aggregate: str
    aggregate_key: str
    actor: str
    occurred_at: dt.datetime
    data: dict[str, Any]


def notify(
    *,
    users: list[str] | None = None,
    roles: list[str] | None = None,
    customer: bool = False,
    exclude: str = "",
) -> dict[str, Any]:
    """Who the mail room tells of an event, carried in its data as `notify` (the rooms'
    e-mail contract): these users and every user of these roles, the order's customer
    when `customer`, never `exclude` (the person who acted)."""
    return {
        "users": [u for u in users or [] if u != exclude],
        "roles": list(roles or []),
        "customer": customer,
        "exclude": [exclude] if exclude else [],
    }
