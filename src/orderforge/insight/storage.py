"""Insight storage: the customers' ratings (migration 0029_order_feedback), append-only
like the order conversation (the database refuses UPDATE and DELETE: a new rating is a
new row), and the history the report reads in a few queries over orders, order events,
work orders and NCRs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import ContextStorage, inserted_id
from orderforge.adapters.db.tables import customers, events, metadata, order_lines, orders
from orderforge.adapters.db.types import UTCDateTime
from orderforge.domain.order import OrderState
from orderforge.insight.domain import Feedback
from orderforge.insight.ports import (
    FEEDBACK,
    INSIGHT_HISTORY,
    EngineeringCase,
    LineRecord,
    NcrRecord,
)
from orderforge.production.storage import work_orders
from orderforge.quality.ncr_storage import defect_causes, ncr_dispositions, ncrs

order_feedback = sa.Table(
    "order_feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_number", sa.String(30), nullable=False, index=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("given_by", sa.String(60), nullable=False),
    sa.Column("given_by_name", sa.String(200), nullable=False),
    sa.Column("given_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),
)

_CHUNK = 500
#: the order events that record a review that did not pass
_OUTCOMES = {"order_flag_needs_engineering": "needs_engineering", "order_reject": "infeasible"}


def _feedback(row: Any) -> Feedback:
    return Feedback(
        order_number=row.order_number,
        customer_id=row.customer_id,
        rating=row.rating,
        comment=row.comment,
        given_by=row.given_by,
        given_by_name=row.given_by_name,
        given_at=row.given_at,
        id=row.id,
    )


class SqlFeedbackRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, feedback: Feedback) -> None:
        result = self.session.execute(
            order_feedback.insert().values(
                order_number=feedback.order_number,
                customer_id=feedback.customer_id,
                rating=feedback.rating,
                comment=feedback.comment,
                given_by=feedback.given_by,
                given_by_name=feedback.given_by_name,
                given_at=feedback.given_at,
            )
        )
        feedback.id = inserted_id(result)

    def for_order(self, order_number: str) -> list[Feedback]:
        f = order_feedback.c
        rows = self.session.execute(
            sa.select(order_feedback).where(f.order_number == order_number).order_by(f.id)
        )
        return [_feedback(r) for r in rows]

    def latest(self, order_numbers: Collection[str]) -> dict[str, Feedback]:
        f = order_feedback.c
        wanted = sorted(set(order_numbers))
        found: dict[str, Feedback] = {}
        for start in range(0, len(wanted), _CHUNK):
            rows = self.session.execute(
                sa.select(order_feedback)
                .where(f.order_number.in_(wanted[start : start + _CHUNK]))
                .order_by(f.id)
            )
            for r in rows:  # by id: the newest of an order comes last and stays
                found[r.order_number] = _feedback(r)
        return found


class SqlInsightHistory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lines(self, since: dt.datetime, family: str | None = None) -> list[LineRecord]:
        o, c, li = orders.c, customers.c, order_lines.c
        query = (
            sa.select(
                o.number,
                c.code,
                o.state,
                o.created_at,
                li.product_family,
                li.quantity,
                li.spec,
            )
            .join(customers, c.id == o.customer_id)
            .join(order_lines, li.order_id == o.id)
            .where(o.created_at >= since)
            .order_by(o.created_at, o.id, li.line_no)
        )
        if family is not None:
            query = query.where(li.product_family == family)
        rows = self.session.execute(query).all()
        confirmed = self._confirmed(sorted({r.number for r in rows}))
        return [
            LineRecord(
                order_number=r.number,
                customer=r.code,
                state=OrderState(r.state),
                created_at=r.created_at,
                confirmed=r.number in confirmed,
                family=r.product_family,
                quantity=r.quantity,
                spec={str(k): str(v) for k, v in dict(r.spec).items()},
            )
            for r in rows
        ]

    def _confirmed(self, numbers: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(numbers), _CHUNK):
            found.update(
                self.session.scalars(
                    sa.select(events.c.aggregate_key)
                    .where(events.c.aggregate == "order")
                    .where(events.c.aggregate_key.in_(numbers[start : start + _CHUNK]))
                    .where(events.c.kind == "order_confirm")
                    .distinct()
                )
            )
        return found

    def engineering(self, order_numbers: Collection[str]) -> list[EngineeringCase]:
        wanted = sorted(set(order_numbers))
        found: list[EngineeringCase] = []
        for start in range(0, len(wanted), _CHUNK):
            rows = self.session.execute(
                sa.select(
                    events.c.aggregate_key,
                    events.c.kind,
                    events.c.actor,
                    events.c.occurred_at,
                    events.c.data,
                )
                .where(events.c.aggregate == "order")
                .where(events.c.aggregate_key.in_(wanted[start : start + _CHUNK]))
                .where(events.c.kind.in_(list(_OUTCOMES)))
                .order_by(events.c.id)
            )
            found += [
                EngineeringCase(
                    order_number=r.aggregate_key,
                    outcome=_OUTCOMES[r.kind],
                    reason=str((r.data or {}).get("reason") or ""),
                    actor=r.actor,
                    at=r.occurred_at,
                )
                for r in rows
            ]
        found.sort(key=lambda c: (c.at, c.order_number))
        return found

    def ncrs(self, since: dt.datetime, family: str | None = None) -> list[NcrRecord]:
        n, w, d, dc = ncrs.c, work_orders.c, ncr_dispositions.c, defect_causes.c
        query = (
            sa.select(
                n.number,
                w.order_number,
                w.product_family,
                n.cause,
                dc.label,
                n.quantity,
                n.raised_at,
                d.kind,
            )
            .join(work_orders, w.number == n.work_order)
            .join(defect_causes, dc.code == n.cause)
            .outerjoin(ncr_dispositions, d.ncr_id == n.id)
            .where(n.raised_at >= since)
            .where(n.status != "cancelled")
            .order_by(n.raised_at, n.id)
        )
        if family is not None:
            query = query.where(w.product_family == family)
        return [
            NcrRecord(
                number=r.number,
                order_number=r.order_number,
                family=r.product_family,
                cause=r.cause,
                cause_label=r.label,
                quantity=r.quantity,
                raised_at=r.raised_at,
                disposition=r.kind,
            )
            for r in self.session.execute(query)
        ]


STORAGE = ContextStorage(
    name="insight",
    repositories={
        FEEDBACK.name: SqlFeedbackRepository,
        INSIGHT_HISTORY.name: SqlInsightHistory,
    },
)
