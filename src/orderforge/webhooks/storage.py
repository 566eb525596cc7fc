"""Webhook tables and the repository over them (plain SQLAlchemy Core: the domain
objects are small and read whole). The outbox itself is the platform's table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db import tables as t
from orderforge.adapters.db.context_storage import ContextStorage, inserted_id
from orderforge.adapters.db.outbox import outbox_event
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import JSONType, UTCDateTime
from orderforge.webhooks.domain import (
    Attempt,
    Delivery,
    DeliveryStatus,
    Progress,
    Subscription,
)
from orderforge.webhooks.ports import WEBHOOKS

webhook_subscriptions = sa.Table(
    "webhook_subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("event_types", JSONType, nullable=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_by", sa.String(60), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("deactivated_at", UTCDateTime, nullable=True),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "subscription_id",
        sa.Integer,
        sa.ForeignKey("webhook_subscriptions.id"),
        nullable=False,
    ),
    sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id"), nullable=False),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=True, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint(
        "subscription_id", "event_id", name="uq_webhook_deliveries_subscription_id"
    ),
)

webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "delivery_id",
        sa.Integer,
        sa.ForeignKey("webhook_deliveries.id"),
        nullable=False,
        index=True,
    ),
    sa.Column("attempted_at", UTCDateTime, nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("error", sa.String(500), nullable=True),
    sa.Column("duration_ms", sa.Integer, nullable=False),
)


def _subscription(row: Any) -> Subscription:
    return Subscription(
        url=row.url,
        event_types=tuple(row.event_types),
        description=row.description,
        secret=row.secret,
        created_by=row.created_by,
        created_at=row.created_at,
        active=row.active,
        deactivated_at=row.deactivated_at,
        id=row.id,
    )


def _standing_at(progress: Progress) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of deliveries at `progress`: a pending delivery is retrying
    once it has an attempt, queued before."""
    d = webhook_deliveries.c
    if progress not in (Progress.QUEUED, Progress.RETRYING):
        return [d.status == progress.value]
    tried = sa.exists().where(webhook_attempts.c.delivery_id == d.id)
    return [
        d.status == DeliveryStatus.PENDING.value,
        tried if progress is Progress.RETRYING else ~tried,
    ]


class SqlWebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _skip_locked(self) -> bool:
        """Only PostgreSQL has row locks to skip; SQLite serialises writers anyway."""
        return self.session.get_bind().dialect.name == "postgresql"

    def add(self, subscription: Subscription) -> None:
        result = self.session.execute(
            webhook_subscriptions.insert().values(
                url=subscription.url,
                event_types=list(subscription.event_types),
                description=subscription.description,
                secret=subscription.secret,
                active=subscription.active,
                created_by=subscription.created_by,
                created_at=subscription.created_at,
                deactivated_at=subscription.deactivated_at,
            )
        )
        subscription.id = inserted_id(result)

    def get(self, subscription_id: int) -> Subscription | None:
        s = webhook_subscriptions.c
        row = self.session.execute(
            sa.select(webhook_subscriptions).where(s.id == subscription_id)
        ).first()
        return None if row is None else _subscription(row)

    def subscriptions(self) -> list[Subscription]:
        rows = self.session.execute(
            sa.select(webhook_subscriptions).order_by(webhook_subscriptions.c.id)
        )
        return [_subscription(row) for row in rows]

    def save(self, subscription: Subscription) -> None:
        s = webhook_subscriptions.c
        self.session.execute(
            webhook_subscriptions.update()
            .where(s.id == subscription.id)
            .values(
                active=subscription.active,
                deactivated_at=subscription.deactivated_at,
                secret=subscription.secret,
            )
        )

    def add_delivery(self, delivery: Delivery) -> bool:
        d = webhook_deliveries.c
        exists = self.session.execute(
            sa.select(d.id).where(
                d.subscription_id == delivery.subscription_id,
                d.event_id == delivery.event.event_id,
            )
        ).first()
        if exists is not None:
            return False
        result = self.session.execute(
            webhook_deliveries.insert().values(
                subscription_id=delivery.subscription_id,
                outbox_id=delivery.event.id,
                event_id=delivery.event.event_id,
                status=delivery.status.value,
                next_attempt_at=delivery.next_attempt_at,
                created_at=delivery.created_at,
            )
        )
        delivery.id = inserted_id(result)
        return True

    def next_due(self, now: dt.datetime, skip: set[int]) -> Delivery | None:
        d = webhook_deliveries.c
        stmt = (
            sa.select(webhook_deliveries)
            .where(
                d.status == DeliveryStatus.PENDING.value,
                d.next_attempt_at <= now,
            )
            .order_by(d.next_attempt_at, d.id)
            .limit(1)
        )
        if skip:
            stmt = stmt.where(d.id.not_in(sorted(skip)))
        if self._skip_locked:
            stmt = stmt.with_for_update(skip_locked=True)
        row = self.session.execute(stmt).first()
        if row is None:
            return None
        return self._loaded([row])[0]

    def _loaded(self, rows: list[Any]) -> list[Delivery]:
        """Deliveries with their event and attempts, in the order of `rows`."""
        if not rows:
            return []
        events = {
            r.id: outbox_event(r)
            for r in self.session.execute(
                sa.select(t.outbox).where(t.outbox.c.id.in_({row.outbox_id for row in rows}))
            )
        }
        a = webhook_attempts.c
        attempts: dict[int, list[Attempt]] = {}
        for r in self.session.execute(
            sa.select(webhook_attempts)
            .where(a.delivery_id.in_([row.id for row in rows]))
            .order_by(a.id)
        ):
            attempts.setdefault(r.delivery_id, []).append(
                Attempt(r.attempted_at, r.status_code, r.error, r.duration_ms)
            )
        return [
            Delivery(
                subscription_id=row.subscription_id,
                event=events[row.outbox_id],
                status=DeliveryStatus(row.status),
                next_attempt_at=row.next_attempt_at,
                created_at=row.created_at,
                attempts=attempts.get(row.id, []),
                id=row.id,
            )
            for row in rows
        ]

    def claim(self, delivery_id: int, until: dt.datetime) -> None:
        self.session.execute(
            webhook_deliveries.update()
            .where(webhook_deliveries.c.id == delivery_id)
            .values(next_attempt_at=until)
        )

    def record_attempt(self, delivery: Delivery, attempt: Attempt) -> None:
        self.session.execute(
            webhook_attempts.insert().values(
                delivery_id=delivery.id,
                attempted_at=attempt.attempted_at,
                status_code=attempt.status_code,
                error=attempt.error,
                duration_ms=attempt.duration_ms,
            )
        )
        self.session.execute(
            webhook_deliveries.update()
            .where(webhook_deliveries.c.id == delivery.id)
            .values(status=delivery.status.value, next_attempt_at=delivery.next_attempt_at)
        )

    def deliveries(self, subscription_id: int, limit: int) -> list[Delivery]:
        d = webhook_deliveries.c
        rows = list(
            self.session.execute(
                sa.select(webhook_deliveries)
                .where(d.subscription_id == subscription_id)
                .order_by(d.id.desc())
                .limit(limit)
            )
        )
        return self._loaded(rows)

    def get_delivery(self, delivery_id: int) -> Delivery | None:
        row = self.session.execute(
            sa.select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
        ).first()
        return None if row is None else self._loaded([row])[0]

    def delivery_page(
        self, subscription_id: int | None, progress: Progress | None, before: int | None, limit: int
    ) -> list[Delivery]:
        d = webhook_deliveries.c
        stmt = sa.select(webhook_deliveries).order_by(d.id.desc()).limit(limit)
        if subscription_id is not None:
            stmt = stmt.where(d.subscription_id == subscription_id)
        if before is not None:
            stmt = stmt.where(d.id < before)
        if progress is not None:
            stmt = stmt.where(*_standing_at(progress))
        return self._loaded(list(self.session.execute(stmt)))

    def progress_counts(self, subscription_id: int | None) -> dict[Progress, int]:
        d = webhook_deliveries.c
        mine = [] if subscription_id is None else [d.subscription_id == subscription_id]
        counts: dict[Progress, int] = {}
        for status, count in self.session.execute(
            sa.select(d.status, sa.func.count()).where(*mine).group_by(d.status)
        ):
            if status != DeliveryStatus.PENDING.value:
                counts[Progress(status)] = int(count)
        for progress in (Progress.QUEUED, Progress.RETRYING):
            found = self.session.execute(
                sa.select(sa.func.count())
                .select_from(webhook_deliveries)
                .where(*mine, *_standing_at(progress))
            ).scalar_one()
            if found:
                counts[progress] = int(found)
        return counts


STORAGE = ContextStorage(name="webhooks", repositories={WEBHOOKS.name: SqlWebhookRepository})
