"""Webhook subscriptions and deliveries: pure rules (which URL is acceptable, which event
goes to whom, when a failed delivery is tried again)."""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from orderforge.domain.errors import InvalidInput
from orderforge.domain.events import OutboxEvent

#: Waits after each failed attempt (the Standard Webhooks schedule): the first try is
#: immediate, then these; after the last one fails the delivery is given up as failed.
BACKOFF: tuple[dt.timedelta, ...] = (
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
)
MAX_URL = 2000
ALL_EVENTS = "*"
#: The kind of the event `POST /webhooks/{id}/test` queues; it goes to that one
#: subscription only, whatever it listens to.
TEST_EVENT = "webhook_test"
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Progress(StrEnum):
    """How a delivery stands, as the log shows it. The stored `pending` is told apart
    into queued (not tried yet) and retrying (the receiver failed, the next attempt is
    waiting): the second is what an administrator looks for."""

    QUEUED = "queued"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    FAILED = "failed"


def progress_of(status: DeliveryStatus, tried: bool) -> Progress:
    """The log's word for a stored status and whether any attempt was made."""
    if status is DeliveryStatus.PENDING:
        return Progress.RETRYING if tried else Progress.QUEUED
    return Progress(status.value)


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: whsec_ + base64 of 32 random
    bytes. Made here, never chosen by a person, so it is never weak."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def check_url(url: str) -> str:
    """Where a webhook may point: http(s) with a host, no credentials in it (they would
    show in every delivery log), not absurdly long."""
    url = url.strip()
    if not url:
        raise InvalidInput("Give the URL the events are posted to.", field="url")
    if len(url) > MAX_URL:
        raise InvalidInput(f"The URL is longer than {MAX_URL} characters.", field="url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        raise InvalidInput(f"'{url[:80]}' is not a URL.", field="url") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("The URL must start with http:// or https://.", field="url")
    if not host:
        raise InvalidInput("The URL names no host.", field="url")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "The URL must not carry a user name or password; receivers check the "
            "signature instead.",
            field="url",
        )
    if any(c.isspace() for c in url):
        raise InvalidInput("The URL must not contain spaces.", field="url")
    return url


def check_event_types(kinds: list[str]) -> tuple[str, ...]:
    """Event kinds a subscription listens to: ["*"] for all, or named kinds."""
    cleaned = tuple(dict.fromkeys(k.strip() for k in kinds))
    if not cleaned:
        raise InvalidInput("Name at least one event type, or '*' for all.", field="event_types")
    if ALL_EVENTS in cleaned and len(cleaned) > 1:
        raise InvalidInput("'*' already means every event type.", field="event_types")
    for kind in cleaned:
        if kind != ALL_EVENTS and not _KIND.match(kind):
            raise InvalidInput(
                f"'{kind[:60]}' is not an event type (lower case, e.g. order_confirmed).",
                field="event_types",
            )
    return cleaned


@dataclass
class Subscription:
    url: str
    event_types: tuple[str, ...]
    description: str
    secret: str
    created_by: str
    created_at: dt.datetime
    active: bool = True
    deactivated_at: dt.datetime | None = None
    id: int | None = None

    def wants(self, event: OutboxEvent) -> bool:
        """Whether this event goes to this subscription: of a kind it listens to, and
        not older than the subscription (a new receiver gets no backlog of history). A
        test event goes only to the subscription it was queued for."""
        if not self.active or event.occurred_at < self.created_at:
            return False
        if event.kind == TEST_EVENT:
            return event.data.get("subscription_id") == self.id
        return ALL_EVENTS in self.event_types or event.kind in self.event_types


@dataclass(frozen=True)
class Attempt:
    attempted_at: dt.datetime
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class Delivery:
    """One event on its way to one subscription, and every try so far."""

    subscription_id: int
    event: OutboxEvent
    status: DeliveryStatus
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    attempts: list[Attempt] = field(default_factory=list)
    id: int | None = None

    @property
    def progress(self) -> Progress:
        return progress_of(self.status, bool(self.attempts))

    def record(self, attempt: Attempt) -> None:
        """Count a try: 2xx delivers; otherwise wait the next step of BACKOFF, or give
        up once the schedule is spent."""
        self.attempts.append(attempt)
        if attempt.succeeded:
            self.status = DeliveryStatus.DELIVERED
            self.next_attempt_at = None
            return
        failures = len(self.attempts)
        if failures > len(BACKOFF):
            self.status = DeliveryStatus.FAILED
            self.next_attempt_at = None
            return
        self.next_attempt_at = attempt.attempted_at + BACKOFF[failures - 1]

    def abandon(self, attempt: Attempt) -> None:
        """Give up without sending (the subscription was deactivated meanwhile)."""
        self.attempts.append(attempt)
        self.status = DeliveryStatus.FAILED
        self.next_attempt_at = None


def payload(event: OutboxEvent) -> dict[str, Any]:
    """The JSON body receivers get: the Standard Webhooks envelope around the event."""
    return {
        "type": event.kind,
        "timestamp": event.occurred_at.isoformat(),
        "data": {
            "aggregate": event.aggregate,
            "aggregate_key": event.aggregate_key,
            "actor": event.actor,
            "details": event.data,
        },
    }
