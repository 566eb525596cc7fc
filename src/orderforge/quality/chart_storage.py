"""The charts' reads, in SQL: inspections by family (through production's work orders)
and the floor's completions from the event history (production's `operation_completed`
events, which keep the good and scrapped units, where the work ran and, once the floor
gives one, the scrap cause)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import ContextStorage
from orderforge.adapters.db.tables import events
from orderforge.production.domain import AGGREGATE as WORK_ORDER
from orderforge.production.storage import work_orders
from orderforge.quality.chart_ports import MAX_CHART_INSPECTIONS, MAX_COMPLETIONS, QUALITY_FACTS
from orderforge.quality.domain import Inspection
from orderforge.quality.storage import SqlQualityRepository, inspections
from orderforge.quality.yields import Completion

_CHUNK = 500


class SqlQualityFacts:
    def __init__(self, session: Session) -> None:
        self.session = session
        #: loads inspections the quality room's way (plan, results), tracking none of them
        self._quality = SqlQualityRepository(session)

    def inspections_of(self, family: str, operation: str) -> list[Inspection]:
        ids = (
            self.session.execute(
                sa.select(inspections.c.id)
                .join(work_orders, work_orders.c.number == inspections.c.work_order)
                .where(work_orders.c.product_family == family)
                .order_by(inspections.c.id.desc())
                .limit(MAX_CHART_INSPECTIONS)
            )
            .scalars()
            .all()
        )
        found: list[Inspection] = []
        for start in range(0, len(ids), _CHUNK):
            found += self._quality._load(inspections.c.id.in_(ids[start : start + _CHUNK]))
        return sorted(
            (i for i in found if i.plan.operation == operation),
            key=lambda i: i.id or 0,
        )

    def completions(self, since: dt.datetime, until: dt.datetime) -> list[Completion]:
        rows = self.session.execute(
            sa.select(events.c.aggregate_key, events.c.occurred_at, events.c.data)
            .where(events.c.aggregate == WORK_ORDER)
            .where(events.c.kind == "operation_completed")
            .where(events.c.occurred_at >= since)
            .where(events.c.occurred_at < until)
            .order_by(events.c.id)
            .limit(MAX_COMPLETIONS)
        ).all()
        return [c for row in rows if (c := _completion(row)) is not None]

    def inspections_for(self, work_orders: Collection[str]) -> list[Inspection]:
        numbers = sorted(set(work_orders))
        found: list[Inspection] = []
        for start in range(0, len(numbers), _CHUNK):
            found += self._quality._load(
                inspections.c.work_order.in_(numbers[start : start + _CHUNK])
            )
        return found


def _completion(row: Any) -> Completion | None:
    """The completed operation is the first of the event's changed operations."""
    data = dict(row.data)
    changes = data.get("changes") or []
    if not changes:
        return None
    op = changes[0]
    centre = op.get("work_centre") or (op.get("work_centres") or ["?"])[0]
    cause = data.get("scrap_cause")
    return Completion(
        work_order=row.aggregate_key,
        seq=int(op["seq"]),
        work_centre=str(centre),
        good=int(data.get("good", 0)),
        scrap=int(data.get("scrap", 0)),
        at=row.occurred_at,
        scrap_cause=str(cause) if cause else None,
    )


#: Registered as a room of its own in orderforge.contexts: no tables, one read port.
STORAGE = ContextStorage(name="quality_charts", repositories={QUALITY_FACTS.name: SqlQualityFacts})
