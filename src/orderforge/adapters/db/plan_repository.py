"""Storage of plan runs, plan versions, pins and disruptions (the PlanRepository port).

Plan versions are written once, in bulk, with Core inserts: a plant plan has thousands of
operations and nothing ever updates them, so the ORM's change tracking would only cost.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db import tables as t
from orderforge.domain.planning import (
    Downtime,
    OperationDelay,
    PlannedOperation,
    PlannedOrder,
    PlanPin,
    PlanRun,
    PlanVersion,
    RunStatus,
)


def _row(obj: Any, **extra: Any) -> dict[str, Any]:
    return {**dataclasses.asdict(obj), **extra}


class SqlPlanRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- runs ----------------------------------------------------------------

    def add_run(self, run: PlanRun) -> None:
        self.session.add(run)
        self.session.flush()

    def run(self, run_id: int, lock: bool = False) -> PlanRun | None:
        if lock:  # SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers itself
            return self.session.get(PlanRun, run_id, with_for_update=True, populate_existing=True)
        return self.session.get(PlanRun, run_id)

    def runs(self, limit: int = 20, status: RunStatus | None = None) -> list[PlanRun]:
        stmt = sa.select(PlanRun).order_by(t.plan_runs.c.id.desc()).limit(limit)
        if status is not None:
            stmt = stmt.where(t.plan_runs.c.status == status)
        return list(self.session.scalars(stmt))

    # -- versions ------------------------------------------------------------

    def add_version(
        self,
        version: PlanVersion,
        operations: Iterable[PlannedOperation],
        orders: Iterable[PlannedOrder],
    ) -> None:
        self.session.execute(sa.insert(t.plan_versions), [_row(version)])
        ops = [_row(op, plan_version=version.number) for op in operations]
        if ops:
            self.session.execute(sa.insert(t.planned_operations), ops)
        rows = [_row(o, plan_version=version.number) for o in orders]
        if rows:
            self.session.execute(sa.insert(t.planned_orders), rows)

    def latest_version_number(self) -> int | None:
        number: int | None = self.session.scalar(sa.select(sa.func.max(t.plan_versions.c.number)))
        return number

    def version(self, number: int) -> PlanVersion | None:
        row = self.session.execute(
            sa.select(t.plan_versions).where(t.plan_versions.c.number == number)
        ).one_or_none()
        return None if row is None else PlanVersion(**row._asdict())

    def versions(self, limit: int = 50) -> list[PlanVersion]:
        rows = self.session.execute(
            sa.select(t.plan_versions).order_by(t.plan_versions.c.number.desc()).limit(limit)
        )
        return [PlanVersion(**r._asdict()) for r in rows]

    def operations(
        self, number: int, orders: Collection[str] | None = None
    ) -> list[PlannedOperation]:
        c = t.planned_operations.c
        query = sa.select(t.planned_operations).where(c.plan_version == number)
        if orders is not None:
            query = query.where(c.order_number.in_(list(orders)))
        rows = self.session.execute(query.order_by(c.resource, c.start, c.key))
        out = []
        for r in rows:
            values = r._asdict()
            values.pop("plan_version")
            out.append(PlannedOperation(**values))
        return out

    def planned_orders(self, number: int) -> list[PlannedOrder]:
        c = t.planned_orders.c
        rows = self.session.execute(
            sa.select(t.planned_orders).where(c.plan_version == number).order_by(c.order_number)
        )
        out = []
        for r in rows:
            values = r._asdict()
            values.pop("plan_version")
            out.append(PlannedOrder(**values))
        return out

    def set_planned_dates(self, number: int, orders: Iterable[PlannedOrder]) -> None:
        """Copy a version's dates onto the orders; orders no longer planned lose theirs.

        A Core update on purpose: planned dates are the planner's output, not an edit of
        the order, so they neither bump the order's version (ETag) nor its history."""
        c = t.orders.c
        planned = list(orders)
        self.session.execute(
            sa.update(t.orders)
            .where(c.plan_version.is_not(None))
            .values(planned_start=None, planned_finish=None, plan_version=None)
        )
        if planned:
            self.session.execute(
                sa.update(t.orders)
                .where(c.number == sa.bindparam("o_number"))
                .values(
                    planned_start=sa.bindparam("start"),
                    planned_finish=sa.bindparam("finish"),
                    plan_version=number,
                )
                .execution_options(synchronize_session=False),
                [
                    {
                        "o_number": o.order_number,
                        "start": o.planned_start,
                        "finish": o.planned_finish,
                    }
                    for o in planned
                ],
            )

    # -- pins ----------------------------------------------------------------

    def add_pin(self, pin: PlanPin) -> PlanPin:
        values = _row(pin)
        values.pop("id")
        new_id = self.session.execute(
            sa.insert(t.plan_pins).values(**values).returning(t.plan_pins.c.id)
        ).scalar_one()
        return dataclasses.replace(pin, id=new_id)

    def pins(self) -> list[PlanPin]:
        c = t.plan_pins.c
        rows = self.session.execute(
            sa.select(
                c.id, c.operation, c.resource, c.not_before, c.created_by, c.created_at, c.note
            )
            .where(c.removed_at.is_(None))
            .order_by(c.id)
        )
        return [PlanPin(**r._asdict()) for r in rows]

    def remove_pin(self, pin_id: int, by: str, at: dt.datetime) -> bool:
        c = t.plan_pins.c
        result = self.session.execute(
            sa.update(t.plan_pins)
            .where(c.id == pin_id, c.removed_at.is_(None))
            .values(removed_by=by, removed_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # -- disruptions ---------------------------------------------------------

    def add_downtime(self, downtime: Downtime) -> Downtime:
        values = _row(downtime)
        values.pop("id")
        new_id = self.session.execute(
            sa.insert(t.downtimes).values(**values).returning(t.downtimes.c.id)
        ).scalar_one()
        return dataclasses.replace(downtime, id=new_id)

    def downtimes(self, ending_after: dt.datetime) -> list[Downtime]:
        c = t.downtimes.c
        fields = [col for col in t.downtimes.c if col.name not in ("withdrawn_by", "withdrawn_at")]
        rows = self.session.execute(
            sa.select(*fields)
            .where(c.end > ending_after, c.withdrawn_at.is_(None))
            .order_by(c.start, c.id)
        )
        return [Downtime(**r._asdict()) for r in rows]

    def withdraw_downtime(self, downtime_id: int, by: str, at: dt.datetime) -> bool:
        c = t.downtimes.c
        result = self.session.execute(
            sa.update(t.downtimes)
            .where(c.id == downtime_id, c.withdrawn_at.is_(None))
            .values(withdrawn_by=by, withdrawn_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def add_delay(self, delay: OperationDelay) -> OperationDelay:
        values = _row(delay)
        values.pop("id")
        new_id = self.session.execute(
            sa.insert(t.operation_delays).values(**values).returning(t.operation_delays.c.id)
        ).scalar_one()
        return dataclasses.replace(delay, id=new_id)

    def delays(self) -> list[OperationDelay]:
        rows = self.session.execute(sa.select(t.operation_delays).order_by(t.operation_delays.c.id))
        return [OperationDelay(**r._asdict()) for r in rows]
