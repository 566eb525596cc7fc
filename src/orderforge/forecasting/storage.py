"""Forecasting storage: its recorded runs (migration 0028_forecasts_simulations), kept
whole as JSON (a result is what the run found when it ran, never recomputed), and the
demand history read in a few queries over orders, order events and work orders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import ContextStorage
from orderforge.adapters.db.runs import SqlRunRepository, runs_table
from orderforge.adapters.db.tables import customers, events, order_lines, orders
from orderforge.domain.order import OrderState
from orderforge.forecasting.ports import (
    DEMAND_HISTORY,
    FORECAST_RUNS,
    LineRecord,
    MaterialUse,
    OrderRecord,
    WorkDone,
)
from orderforge.production.domain import WorkOrderKind, WorkOrderStatus
from orderforge.production.storage import (
    work_order_materials,
    work_order_operations,
    work_orders,
)

forecast_runs = runs_table("forecast_runs")

_CHUNK = 500
#: the order events that say when a quote was won or lost
_WON, _LOST, _DELIVERED = "order_confirm", "order_cancel", "order_confirm_delivery"


def _price(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


class SqlDemandHistory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def orders(self, since: dt.datetime) -> list[OrderRecord]:
        o, c = orders, customers
        heads = self.session.execute(
            sa.select(
                o.c.id,
                o.c.number,
                o.c.customer_id,
                c.c.code,
                o.c.state,
                o.c.created_at,
                o.c.promise_date,
            )
            .join(c, c.c.id == o.c.customer_id)
            .where(o.c.created_at >= since)
            .order_by(o.c.created_at, o.c.id)
        ).all()
        numbers = [h.number for h in heads]
        won: dict[str, dt.datetime] = {}
        lost: dict[str, dt.datetime] = {}
        delivered: dict[str, dt.datetime] = {}
        lines: dict[int, list[LineRecord]] = {}
        for start in range(0, len(heads), _CHUNK):
            chunk = numbers[start : start + _CHUNK]
            for key, kind, at in self.session.execute(
                sa.select(events.c.aggregate_key, events.c.kind, events.c.occurred_at)
                .where(events.c.aggregate == "order", events.c.aggregate_key.in_(chunk))
                .where(events.c.kind.in_([_WON, _LOST, _DELIVERED]))
                .order_by(events.c.id)
            ):
                first = {_WON: won, _LOST: lost}.get(kind, delivered)
                first.setdefault(key, at)
            ids = [h.id for h in heads[start : start + _CHUNK]]
            for r in self.session.execute(
                sa.select(order_lines)
                .where(order_lines.c.order_id.in_(ids))
                .order_by(order_lines.c.order_id, order_lines.c.line_no)
            ):
                lines.setdefault(r.order_id, []).append(
                    LineRecord(r.product_family, r.quantity, dict(r.spec), _price(r.unit_price))
                )
        return [
            OrderRecord(
                number=h.number,
                customer_id=h.customer_id,
                customer=h.code,
                state=OrderState(h.state),
                created_at=h.created_at,
                confirmed_at=won.get(h.number),
                # a quote cancelled after it was confirmed was not lost as a quote
                lost_at=None if h.number in won else lost.get(h.number),
                promise_date=h.promise_date,
                lines=tuple(lines.get(h.id, ())),
                delivered_at=delivered.get(h.number),
            )
            for h in heads
        ]

    def materials(self, orders_: Collection[str]) -> list[MaterialUse]:
        w, m = work_orders, work_order_materials
        wanted = sorted(set(orders_))
        found: list[MaterialUse] = []
        for start in range(0, len(wanted), _CHUNK):
            rows = self.session.execute(
                sa.select(w.c.order_number, m.c.item_code, m.c.name, m.c.unit, m.c.quantity)
                .join(m, m.c.work_order_id == w.c.id)
                .where(w.c.order_number.in_(wanted[start : start + _CHUNK]))
                .where(w.c.kind == WorkOrderKind.PRODUCTION.value)
                .where(
                    w.c.status.not_in(
                        [WorkOrderStatus.SUPERSEDED.value, WorkOrderStatus.CANCELLED.value]
                    )
                )
                .order_by(w.c.order_number, m.c.id)
            )
            found += [
                MaterialUse(r.order_number, r.item_code, r.name, r.unit, Decimal(r.quantity) + 0)
                for r in rows
            ]
        return found

    def work(self, orders_: Collection[str]) -> list[WorkDone]:
        w, op = work_orders, work_order_operations
        wanted = sorted(set(orders_))
        found: list[WorkDone] = []
        for start in range(0, len(wanted), _CHUNK):
            rows = self.session.execute(
                sa.select(
                    w.c.order_number,
                    w.c.product_family,
                    w.c.quantity,
                    op.c.work_centre,
                    op.c.work_centres,
                    op.c.setup_minutes,
                    op.c.run_minutes_per_unit,
                    op.c.started_at,
                )
                .join(op, op.c.work_order_id == w.c.id)
                .where(w.c.order_number.in_(wanted[start : start + _CHUNK]))
                .where(w.c.kind == WorkOrderKind.PRODUCTION.value)
                .where(
                    w.c.status.not_in(
                        [WorkOrderStatus.SUPERSEDED.value, WorkOrderStatus.CANCELLED.value]
                    )
                )
                .order_by(w.c.order_number, op.c.id)
            )
            for r in rows:
                centre = r.work_centre or (list(r.work_centres) or ["?"])[0]
                minutes = float(r.setup_minutes) + float(r.run_minutes_per_unit) * r.quantity
                found.append(
                    WorkDone(
                        r.order_number, r.product_family, r.quantity, centre, minutes, r.started_at
                    )
                )
        return found


STORAGE = ContextStorage(
    name="forecasting",
    repositories={
        FORECAST_RUNS.name: lambda session: SqlRunRepository(session, forecast_runs),
        DEMAND_HISTORY.name: SqlDemandHistory,
    },
)
