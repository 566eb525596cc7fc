"""Webhook use cases: manage subscriptions (administrators only), fan the outbox out to
them, and deliver what is due, signed the Standard Webhooks way, at least once."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any

from standardwebhooks.webhooks import Webhook

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.events import DomainEvent, OutboxEvent
from orderforge.domain.permissions import EDIT, VIEW, Resource, require
from orderforge.services import outbox
from orderforge.services.context import OutboxConsumer, ServiceContext
from orderforge.services.ports import Principal, UnitOfWork
from orderforge.webhooks.domain import (
    TEST_EVENT,
    Attempt,
    Delivery,
    DeliveryStatus,
    Progress,
    Subscription,
    check_event_types,
    check_url,
    new_secret,
    payload,
)
from orderforge.webhooks.ports import WEBHOOKS, Sender

#: Deliveries sent per pass: bounded so one pass never holds the database for long.
DELIVERIES_PER_PASS = 200
#: How long a worker holds a delivery it is sending (longer than the sender's timeout).
CLAIM = dt.timedelta(minutes=2)
MAX_DESCRIPTION = 200
#: Deliveries on one page of the log; the most one page may ask for.
PAGE_SIZE = 50
MAX_PAGE = 1000


@dataclass(frozen=True)
class AddWebhook:
    url: str
    event_types: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class DeliveryCounts:
    """What one pass did: events fanned out, deliveries made, retries scheduled, and
    deliveries given up."""

    dispatched: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def _audit(uow: UnitOfWork, me: Principal, sub: Subscription, kind: str, at: dt.datetime) -> None:
    uow.events.append(
        [
            DomainEvent(
                aggregate="webhook",
                aggregate_key=str(sub.id),
                kind=kind,
                actor=me.username,
                occurred_at=at,
                data={"url": sub.url, "event_types": list(sub.event_types)},
                actor_id=me.user_id or None,
            )
        ]
    )


def add_webhook(ctx: ServiceContext, me: Principal, cmd: AddWebhook) -> Subscription:
    """Register a receiver. The returned subscription carries its secret: the one time
    it is shown (lists and details leave it out)."""
    require(me.role, Resource.WEBHOOK, EDIT)
    description = cmd.description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"The description is longer than {MAX_DESCRIPTION} characters.", field="description"
        )
    now = ctx.clock.now()
    sub = Subscription(
        url=check_url(cmd.url),
        event_types=check_event_types(list(cmd.event_types)),
        description=description,
        secret=new_secret(),
        created_by=me.username,
        created_at=now,
    )
    with ctx.uow() as uow:
        uow.repository(WEBHOOKS).add(sub)
        _audit(uow, me, sub, "webhook_added", now)
        uow.commit()
    return sub


def list_webhooks(ctx: ServiceContext, me: Principal) -> list[Subscription]:
    require(me.role, Resource.WEBHOOK, VIEW)
    with ctx.uow() as uow:
        return uow.repository(WEBHOOKS).subscriptions()


def _get(uow: UnitOfWork, subscription_id: int) -> Subscription:
    sub = uow.repository(WEBHOOKS).get(subscription_id)
    if sub is None:
        raise NotFound(f"There is no webhook {subscription_id}.")
    return sub


def get_webhook(ctx: ServiceContext, me: Principal, subscription_id: int) -> Subscription:
    require(me.role, Resource.WEBHOOK, VIEW)
    with ctx.uow() as uow:
        return _get(uow, subscription_id)


def deactivate_webhook(ctx: ServiceContext, me: Principal, subscription_id: int) -> Subscription:
    """Stop sending to a receiver. The subscription and its log stay (audit); pending
    deliveries are given up on their next turn. Deactivating twice changes nothing."""
    require(me.role, Resource.WEBHOOK, EDIT)
    with ctx.uow() as uow:
        sub = _get(uow, subscription_id)
        if not sub.active:
            return sub
        now = ctx.clock.now()
        sub.active = False
        sub.deactivated_at = now
        uow.repository(WEBHOOKS).save(sub)
        _audit(uow, me, sub, "webhook_deactivated", now)
        uow.commit()
        return sub


def rotate_secret(ctx: ServiceContext, me: Principal, subscription_id: int) -> Subscription:
    """Give a webhook a new signing secret (shown once, in the answer); deliveries from
    now on are signed with it, retries of older events included."""
    require(me.role, Resource.WEBHOOK, EDIT)
    with ctx.uow() as uow:
        sub = _get(uow, subscription_id)
        if not sub.active:
            raise InvalidInput(
                "This webhook is deactivated; it has no use for a secret.", field="id"
            )
        sub.secret = new_secret()
        uow.repository(WEBHOOKS).save(sub)
        _audit(uow, me, sub, "webhook_secret_rotated", ctx.clock.now())
        uow.commit()
        return sub


def deliveries(
    ctx: ServiceContext, me: Principal, subscription_id: int, limit: int = 100
) -> list[Delivery]:
    """The delivery log of one subscription, newest first, with every attempt."""
    require(me.role, Resource.WEBHOOK, VIEW)
    with ctx.uow() as uow:
        _get(uow, subscription_id)
        return uow.repository(WEBHOOKS).deliveries(subscription_id, limit)


@dataclass(frozen=True)
class DeliveryLog:
    """One page of the delivery log: its deliveries (newest first), the filters it
    shows, where the next, older page starts (None: this is the last), how many
    deliveries stand at each progress, and the subscriptions by id (to name them)."""

    deliveries: list[Delivery]
    shown: Progress | None
    subscription_id: int | None
    older: int | None
    counts: dict[Progress, int]
    subscriptions: dict[int, Subscription]


def _progress(text: str | None) -> Progress | None:
    if not text or not text.strip():
        return None
    try:
        return Progress(text.strip().lower())
    except ValueError:
        names = ", ".join(p.value for p in Progress)
        raise InvalidInput(
            f"Unknown status '{text[:20]}'. Statuses: {names}.", field="status"
        ) from None


@dataclass(frozen=True)
class LogQuery:
    """Which page of the delivery log: a status word (queued, retrying, delivered,
    failed), one webhook's, older than a delivery's id, so many."""

    status: str | None = None
    subscription_id: int | None = None
    before: int | None = None
    size: int = PAGE_SIZE


def delivery_log(ctx: ServiceContext, me: Principal, query: LogQuery) -> DeliveryLog:
    """A page of the delivery log of every webhook (or one) for the administrators'
    pages: newest first, older pages by the id of the last delivery shown (a page stays
    put while new deliveries arrive), filtered by progress (queued and retrying told
    apart)."""
    require(me.role, Resource.WEBHOOK, VIEW)
    shown = _progress(query.status)
    before, size, subscription_id = query.before, query.size, query.subscription_id
    if before is not None and before < 1:
        raise InvalidInput("'before' is the id of a delivery, 1 or more.", field="before")
    if not 1 <= size <= MAX_PAGE:
        raise InvalidInput(f"The page size is between 1 and {MAX_PAGE}.", field="size")
    with ctx.uow() as uow:
        repo = uow.repository(WEBHOOKS)
        if subscription_id is not None:
            _get(uow, subscription_id)
        found = repo.delivery_page(subscription_id, shown, before, size + 1)
        counts = repo.progress_counts(subscription_id)
        subs = {s.id: s for s in repo.subscriptions() if s.id is not None}
    older = found[size - 1].id if len(found) > size else None
    return DeliveryLog(found[:size], shown, subscription_id, older, counts, subs)


def get_delivery(
    ctx: ServiceContext, me: Principal, delivery_id: int
) -> tuple[Delivery, Subscription]:
    """One delivery with every attempt, and the subscription it went to."""
    require(me.role, Resource.WEBHOOK, VIEW)
    with ctx.uow() as uow:
        found = uow.repository(WEBHOOKS).get_delivery(delivery_id)
        if found is None:
            raise NotFound(f"There is no webhook delivery {delivery_id}.")
        return found, _get(uow, found.subscription_id)


def send_test(ctx: ServiceContext, me: Principal, subscription_id: int) -> None:
    """Queue a `webhook_test` event for this subscription alone: it travels the same
    way as real events (outbox, dispatch, signed delivery, log)."""
    require(me.role, Resource.WEBHOOK, EDIT)
    with ctx.uow() as uow:
        sub = _get(uow, subscription_id)
        if not sub.active:
            raise InvalidInput("This webhook is deactivated; it receives nothing.", field="id")
        uow.events.append(
            [
                DomainEvent(
                    aggregate="webhook",
                    aggregate_key=str(sub.id),
                    kind=TEST_EVENT,
                    actor=me.username,
                    occurred_at=ctx.clock.now(),
                    data={"subscription_id": sub.id, "message": "A test event from OrderForge."},
                    actor_id=me.user_id or None,
                )
            ]
        )
        uow.commit()


def fan_out(
    ctx: ServiceContext, uow: UnitOfWork, events: list[OutboxEvent], now: dt.datetime
) -> dict[str, int]:
    """The outbox consumer: queue a delivery for each subscription that wants each
    event (the unique (subscription, event) pair keeps a redone batch from queueing
    twice)."""
    repo = uow.repository(WEBHOOKS)
    subscribers = [s for s in repo.subscriptions() if s.active and s.id is not None]
    queued = 0
    for event in events:
        for sub in subscribers:
            if sub.id is not None and sub.wants(event):
                queued += repo.add_delivery(
                    Delivery(
                        subscription_id=sub.id,
                        event=event,
                        status=DeliveryStatus.PENDING,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
    return {"webhook_deliveries": queued}


OUTBOX_CONSUMER: OutboxConsumer = fan_out


def dispatch(ctx: ServiceContext, now: dt.datetime) -> int:
    """Fan undispatched outbox rows out to every outbox consumer (webhooks among them;
    services/outbox.py); how many rows."""
    return outbox.dispatch(ctx, now).events


def signed_request(
    sub: Subscription, delivery: Delivery, now: dt.datetime
) -> tuple[str, dict[str, str]]:
    """The body and the Standard Webhooks headers for one attempt: the webhook-id is the
    event's id (the same on every retry, so receivers can deduplicate)."""
    body = json.dumps(payload(delivery.event), separators=(",", ":"), ensure_ascii=False)
    msg_id = delivery.event.event_id
    headers = {
        "content-type": "application/json",
        "user-agent": "OrderForge-Webhooks",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(sub.secret).sign(msg_id, now, body),
    }
    return body, headers


def _attempt(sender: Sender, sub: Subscription, delivery: Delivery, now: dt.datetime) -> Attempt:
    if not sub.active:
        return Attempt(now, None, "The webhook was deactivated.", 0)
    body, headers = signed_request(sub, delivery, now)
    started = time.monotonic()
    response = sender.post(sub.url, body, headers)
    duration = int((time.monotonic() - started) * 1000)
    return Attempt(now, response.status_code, response.error, duration)


def deliver_due(ctx: ServiceContext, now: dt.datetime, sender: Sender) -> DeliveryCounts:
    """One pass of the worker: dispatch the outbox, then send every delivery whose time
    has come. Each is claimed first (its next attempt moved `CLAIM` ahead, in a short
    transaction; on PostgreSQL another worker skips the locked row meanwhile), sent with
    no transaction open, so a slow receiver never holds the database (on SQLite, its one
    write lock), then its outcome is stored. A worker that dies mid-send leaves the
    delivery due again when the claim runs out: at least once."""
    dispatched = dispatch(ctx, now)
    counts: dict[str, int] = {"delivered": 0, "retrying": 0, "failed": 0}
    seen: set[int] = set()
    for _ in range(DELIVERIES_PER_PASS):
        with ctx.uow() as uow:
            repo = uow.repository(WEBHOOKS)
            delivery = repo.next_due(now, seen)
            if delivery is None or delivery.id is None:
                break
            seen.add(delivery.id)
            sub = _get(uow, delivery.subscription_id)
            repo.claim(delivery.id, now + CLAIM)
            uow.commit()
        attempt = _attempt(sender, sub, delivery, now)
        if sub.active:
            delivery.record(attempt)
        else:
            delivery.abandon(attempt)
        with ctx.uow() as uow:
            uow.repository(WEBHOOKS).record_attempt(delivery, attempt)
            uow.commit()
        key = {
            DeliveryStatus.DELIVERED: "delivered",
            DeliveryStatus.FAILED: "failed",
            DeliveryStatus.PENDING: "retrying",
        }[delivery.status]
        counts[key] += 1
    return DeliveryCounts(dispatched=dispatched, **counts)


def subscription_view(sub: Subscription) -> dict[str, Any]:
    """A subscription as faces show it: never the secret."""
    return {
        "id": sub.id,
        "url": sub.url,
        "event_types": list(sub.event_types),
        "description": sub.description,
        "active": sub.active,
        "created_by": sub.created_by,
        "created_at": sub.created_at,
        "deactivated_at": sub.deactivated_at,
    }


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event_id": delivery.event.event_id,
        "type": delivery.event.kind,
        "status": delivery.status.value,
        "next_attempt_at": delivery.next_attempt_at,
        "created_at": delivery.created_at,
        "attempts": [
            {
                "attempted_at": a.attempted_at,
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in delivery.attempts
        ],
    }
