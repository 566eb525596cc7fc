"""The platform's outbox, read by the consumers that carry events outside (webhooks,
e-mail): one dispatch pass for all of them.

Every domain event is written to the outbox in the transaction that stores it (the
event log does that), so a rolled-back change sends nothing. A pass takes a batch of
undispatched rows, hands it to every registered consumer (each queues what it will
send, keyed so a redo queues nothing twice) and marks the rows dispatched, all in one
transaction: a crash redoes the batch for everyone, and no consumer ever misses a row
because another one marked it first.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from orderforge.domain.events import OutboxEvent
from orderforge.services.context import ServiceContext
from orderforge.services.ports import RepositoryKey

#: Rows fanned out per transaction: bounded so one pass never holds the database long.
BATCH = 500


class OutboxRepository(Protocol):
    def undispatched(self, limit: int) -> list[OutboxEvent]:
        """Rows not yet fanned out, oldest first; on PostgreSQL locked for this
        transaction and skipped by other dispatchers."""
        ...

    def mark_dispatched(self, outbox_ids: list[int], at: dt.datetime) -> None: ...

    def get(self, outbox_ids: set[int]) -> dict[int, OutboxEvent]:
        """The rows with these ids (consumers keep the outbox id beside what they
        queued and read the event back from it)."""
        ...


OUTBOX: RepositoryKey[OutboxRepository] = RepositoryKey("outbox")


@dataclass(frozen=True)
class DispatchCounts:
    events: int = 0
    #: what the consumers reported, summed (e.g. recipients without an address)
    notes: Counter[str] = field(default_factory=Counter)


def dispatch(ctx: ServiceContext, now: dt.datetime) -> DispatchCounts:
    """Fan every undispatched row out to every consumer, batch by batch."""
    total = 0
    notes: Counter[str] = Counter()
    while True:
        with ctx.uow() as uow:
            repo = uow.repository(OUTBOX)
            events = repo.undispatched(BATCH)
            if not events:
                return DispatchCounts(total, notes)
            for consume in ctx.outbox_consumers:
                notes.update(consume(ctx, uow, events, now))
            repo.mark_dispatched([e.id for e in events], now)
            uow.commit()
            total += len(events)
