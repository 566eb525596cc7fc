"""Promising storage: reservations and alerts on the shared metadata (ADR 0001).

Plain rows, written with SQLAlchemy Core: a reservation is released, never deleted, and
an alert is resolved, never deleted, so the order's promise history stays auditable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import ContextStorage, inserted_id
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import JSONType, UTCDateTime
from orderforge.promising.domain import PlacedStep, PromiseAlert, Reservation
from orderforge.promising.ports import PROMISES
from orderforge.services.ports import PLAN_RESERVATIONS, ReservedOperation

promise_reservations = sa.Table(
    "promise_reservations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_number", sa.String(30), nullable=False, index=True),
    sa.Column("promise_date", sa.Date, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("released_at", UTCDateTime, nullable=True, index=True),
    #: the steps as the promise placed them: key, name, work centre, unit, start, end
    sa.Column("steps", JSONType, nullable=False),
)

promise_alerts = sa.Table(
    "promise_alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_number", sa.String(30), nullable=False, index=True),
    sa.Column("promise_date", sa.Date, nullable=False),
    sa.Column("planned_date", sa.Date, nullable=False),
    sa.Column("plan_version", sa.Integer, nullable=False),
    sa.Column("raised_at", UTCDateTime, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("resolved_at", UTCDateTime, nullable=True, index=True),
)


def _step(data: dict[str, Any]) -> PlacedStep:
    return PlacedStep(
        key=data["key"],
        name=data["name"],
        work_centre=data["work_centre"],
        resource=data["resource"],
        start=dt.datetime.fromisoformat(data["start"]),
        end=dt.datetime.fromisoformat(data["end"]),
    )


def _step_row(step: PlacedStep) -> dict[str, Any]:
    return {
        "key": step.key,
        "name": step.name,
        "work_centre": step.work_centre,
        "resource": step.resource,
        "start": step.start.isoformat(),
        "end": step.end.isoformat(),
    }


class SqlPromiseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_reservation(self, reservation: Reservation) -> None:
        result = self.session.execute(
            promise_reservations.insert().values(
                order_number=reservation.order_number,
                promise_date=reservation.promise_date,
                created_at=reservation.created_at,
                released_at=reservation.released_at,
                steps=[_step_row(s) for s in reservation.steps],
            )
        )
        reservation.id = inserted_id(result)

    def active_reservations(self) -> list[Reservation]:
        r = promise_reservations.c
        rows = self.session.execute(
            sa.select(promise_reservations).where(r.released_at.is_(None)).order_by(r.id)
        )
        return [
            Reservation(
                order_number=row.order_number,
                promise_date=row.promise_date,
                created_at=row.created_at,
                steps=[_step(s) for s in row.steps],
                released_at=row.released_at,
                id=row.id,
            )
            for row in rows
        ]

    def release(self, order_numbers: Collection[str], at: dt.datetime) -> int:
        if not order_numbers:
            return 0
        r = promise_reservations.c
        result = self.session.execute(
            promise_reservations.update()
            .where(r.order_number.in_(list(order_numbers)), r.released_at.is_(None))
            .values(released_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def reservation_stamp(self) -> tuple[int, int]:
        r = promise_reservations.c
        count, highest = self.session.execute(
            sa.select(sa.func.count(r.id), sa.func.coalesce(sa.func.max(r.id), 0)).where(
                r.released_at.is_(None)
            )
        ).one()
        return int(count), int(highest)

    def add_alert(self, alert: PromiseAlert) -> None:
        result = self.session.execute(
            promise_alerts.insert().values(
                order_number=alert.order_number,
                promise_date=alert.promise_date,
                planned_date=alert.planned_date,
                plan_version=alert.plan_version,
                raised_at=alert.raised_at,
                reason=alert.reason,
                resolved_at=alert.resolved_at,
            )
        )
        alert.id = inserted_id(result)

    def open_alerts(self, order_numbers: Collection[str] | None = None) -> list[PromiseAlert]:
        a = promise_alerts.c
        stmt = sa.select(promise_alerts).where(a.resolved_at.is_(None))
        if order_numbers is not None:
            if not order_numbers:
                return []
            stmt = stmt.where(a.order_number.in_(list(order_numbers)))
        rows = self.session.execute(stmt.order_by(a.raised_at.desc(), a.id.desc()))
        return [
            PromiseAlert(
                order_number=row.order_number,
                promise_date=row.promise_date,
                planned_date=row.planned_date,
                plan_version=row.plan_version,
                raised_at=row.raised_at,
                reason=row.reason,
                resolved_at=row.resolved_at,
                id=row.id,
            )
            for row in rows
        ]

    def resolve_alerts(self, order_numbers: Collection[str], at: dt.datetime) -> int:
        if not order_numbers:
            return 0
        a = promise_alerts.c
        result = self.session.execute(
            promise_alerts.update()
            .where(a.order_number.in_(list(order_numbers)), a.resolved_at.is_(None))
            .values(resolved_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class SqlPlanReservations:
    """Planning's PlanReservations port (PLAN_RESERVATIONS): the steps of the promises
    still held (no plan version has their order yet), under the plan's operation keys."""

    def __init__(self, session: Session) -> None:
        self.repo = SqlPromiseRepository(session)

    def for_orders(self, order_numbers: Collection[str]) -> list[ReservedOperation]:
        wanted = set(order_numbers)
        return [
            ReservedOperation(f"{r.order_number}/{s.key}", s.resource, s.start, s.end)
            for r in self.repo.active_reservations()
            if r.order_number in wanted
            for s in r.steps
        ]


STORAGE = ContextStorage(
    name="promising",
    repositories={
        PROMISES.name: SqlPromiseRepository,
        PLAN_RESERVATIONS.name: SqlPlanReservations,
    },
)
