"""Webhooks ports: what the use cases need from storage and from the network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from orderforge.services.ports import RepositoryKey
from orderforge.webhooks.domain import Attempt, Delivery, Progress, Subscription


class WebhookRepository(Protocol):
    def add(self, subscription: Subscription) -> None: ...
    def get(self, subscription_id: int) -> Subscription | None: ...
    def subscriptions(self) -> list[Subscription]: ...
    def save(self, subscription: Subscription) -> None:
        """Store a subscription's active flag (the only thing that changes)."""
        ...

    def add_delivery(self, delivery: Delivery) -> bool:
        """Queue a delivery unless this event already has one for this subscription;
        whether it was added."""
        ...

    def next_due(self, now: dt.datetime, skip: set[int]) -> Delivery | None:
        """One pending delivery whose time has come (not in `skip`), locked until the
        transaction ends; on PostgreSQL rows locked by another worker are skipped."""
        ...

    def claim(self, delivery_id: int, until: dt.datetime) -> None:
        """Make a delivery due only at `until`: the worker sending it now holds it
        without keeping a transaction (or SQLite's write lock) open during the POST."""
        ...

    def record_attempt(self, delivery: Delivery, attempt: Attempt) -> None:
        """Log the attempt and store the delivery's new status and next time."""
        ...

    def deliveries(self, subscription_id: int, limit: int) -> list[Delivery]:
        """A subscription's deliveries with their attempts, newest first."""
        ...

    def get_delivery(self, delivery_id: int) -> Delivery | None:
        """One delivery with every attempt."""
        ...

    def delivery_page(
        self, subscription_id: int | None, progress: Progress | None, before: int | None, limit: int
    ) -> list[Delivery]:
        """Up to `limit` deliveries older than the delivery `before` (all when None),
        newest first; only one subscription's and only those at `progress` when given."""
        ...

    def progress_counts(self, subscription_id: int | None) -> dict[Progress, int]:
        """How many deliveries (of one subscription, when given) stand at each progress."""
        ...


@dataclass(frozen=True)
class Response:
    status_code: int | None
    error: str | None


class Sender(Protocol):
    def post(self, url: str, body: str, headers: Mapping[str, str]) -> Response:
        """POST the body; a status code, or an error sentence when none came back."""
        ...


WEBHOOKS: RepositoryKey[WebhookRepository] = RepositoryKey("webhooks")
