"""The platform's outbox table read for dispatch (services/outbox.py), registered like
a room's storage so consumers reach it through the unit of work."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db import tables as t
from orderforge.adapters.db.context_storage import ContextStorage
from orderforge.domain.events import OutboxEvent
from orderforge.services.outbox import OUTBOX


def outbox_event(row: Any) -> OutboxEvent:
    return OutboxEvent(
        id=row.id,
        event_id=row.event_id,
        kind=row.kind,
        aggregate=row.aggregate,
        aggregate_key=row.aggregate_key,
        actor=row.actor,
        occurred_at=row.occurred_at,
        data=dict(row.data),
    )


class SqlOutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def undispatched(self, limit: int) -> list[OutboxEvent]:
        o = t.outbox.c
        stmt = sa.select(t.outbox).where(o.dispatched_at.is_(None)).order_by(o.id).limit(limit)
        # Only PostgreSQL has row locks to skip; SQLite serialises writers anyway.
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return [outbox_event(row) for row in self.session.execute(stmt)]

    def mark_dispatched(self, outbox_ids: list[int], at: dt.datetime) -> None:
        if outbox_ids:
            self.session.execute(
                t.outbox.update().where(t.outbox.c.id.in_(outbox_ids)).values(dispatched_at=at)
            )

    def get(self, outbox_ids: set[int]) -> dict[int, OutboxEvent]:
        if not outbox_ids:
            return {}
        rows = self.session.execute(sa.select(t.outbox).where(t.outbox.c.id.in_(outbox_ids)))
        return {row.id: outbox_event(row) for row in rows}


STORAGE = ContextStorage(name="outbox", repositories={OUTBOX.name: SqlOutboxRepository})
