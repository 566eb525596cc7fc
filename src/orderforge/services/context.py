"""What every use case needs, bundled so signatures stay short and tests swap it whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from orderforge.domain.events import DomainEvent, OutboxEvent
from orderforge.services.ports import (
    AttemptLimiter,
    Clock,
    DocumentRenderer,
    FileStore,
    JobQueue,
    PasswordHasher,
    Sealer,
    UnitOfWork,
    UnitOfWorkFactory,
)

#: Reacts to a domain event inside the transaction that raised it (ADR 0001): how a
#: context higher up (production) learns what happened lower down (an order confirmed)
#: without the lower one importing it.
EventHandler = Callable[["ServiceContext", UnitOfWork, DomainEvent], None]

#: Takes a batch of outbox rows in the transaction that marks them dispatched and queues
#: what it will send (webhook deliveries, e-mails); returns counts worth reporting
#: (e.g. {"mail_no_address": 2}). Must not raise on an event it cannot use: one bad
#: event would otherwise hold every consumer's batch.
OutboxConsumer = Callable[
    ["ServiceContext", UnitOfWork, list[OutboxEvent], dt.datetime], Mapping[str, int]
]


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class SecurityPolicy:
    """How long credentials live; the settings ORDERFORGE_SESSION_IDLE_HOURS,
    ORDERFORGE_SESSION_MAX_DAYS and ORDERFORGE_TOKEN_DAYS fill it."""

    session_idle: dt.timedelta = dt.timedelta(hours=8)
    session_absolute: dt.timedelta = dt.timedelta(days=7)
    token_default_days: int = 90
    token_max_days: int = 366


@dataclass(frozen=True)
class ServiceContext:
    uow: UnitOfWorkFactory
    clock: Clock
    hasher: PasswordHasher
    #: Draws customer documents (quote, confirmation); None where no document adapter
    #: is wired (unit tests).
    documents: DocumentRenderer | None = None
    #: Review every line automatically when an order is confirmed (the plant's setting;
    #: off, engineers decide by hand or run the review themselves).
    review_on_confirm: bool = False
    #: Where plan runs asked for from the web or API go; None runs them in the caller
    #: (CLI, tests).
    jobs: JobQueue | None = None
    #: event kind -> handlers, wired by the composition root from `orderforge.contexts`
    handlers: Mapping[str, tuple[EventHandler, ...]] = field(default_factory=dict)
    #: Limits failed sign-ins (and, coming, signature re-entries); None: no limit (unit
    #: tests of other use cases)
    attempts: AttemptLimiter | None = None
    security: SecurityPolicy = field(default_factory=SecurityPolicy)
    #: Keeps uploaded files by content (design documents, attachments); None where no
    #: store is wired (unit tests of other use cases).
    files: FileStore | None = None
    #: Seals electronic signatures with the plant's secret; None where none is wired.
    sealer: Sealer | None = None
    #: The largest upload a use case accepts, passed to the upload check
    #: (ORDERFORGE_MAX_UPLOAD_MB).
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Who takes the outbox's rows (webhooks, mail), wired from `orderforge.contexts`:
    #: one dispatch pass hands each batch to all of them, so no consumer can mark a row
    #: dispatched before the others have seen it.
    outbox_consumers: tuple[OutboxConsumer, ...] = ()
    #: Where the plant's people reach this server (ORDERFORGE_BASE_URL, else host and
    #: port): links printed on paper (a traveler's QR codes) must work from a phone.
    public_url: str = "http://127.0.0.1:8000"


def publish(ctx: ServiceContext, uow: UnitOfWork, events: list[DomainEvent]) -> None:
    """Hand each event to its handlers, in order, in the same unit of work: they commit
    or roll back together with the command that raised the events."""
    for event in list(events):
        for handler in ctx.handlers.get(event.kind, ()):
            handler(ctx, uow, event)
