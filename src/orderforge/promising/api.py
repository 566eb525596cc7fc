"""Capable-to-promise over HTTP: the date the plant can keep for a configuration or an
order (for staff, with the chance of keeping it and the dates at 50, 80 and 95 %
confidence; `confidence` promises the date at a chosen one), and open alerts on promises
the plan no longer keeps. Quoting stores nothing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from orderforge.adapters.db.engine import read_only
from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.promising import services
from orderforge.promising.domain import MAX_CONFIDENCE, MIN_CONFIDENCE
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(tags=["promising"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PromiseRequest(BaseModel):
    model_config = _STRICT
    family: str = Field(min_length=1, max_length=40, examples=["CAB"])
    spec: dict[Annotated[str, Field(max_length=60)], Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=200
    )
    quantity: int = Field(default=1, ge=1, le=10_000)
    requested_date: dt.date | None = None
    confidence: float | None = Field(
        default=None,
        ge=MIN_CONFIDENCE,
        le=MAX_CONFIDENCE,
        description="Promise the date met with this confidence (0.8: four times in five) "
        "instead of the plan's own date; staff only (implies with_confidence)",
        examples=[0.9],
    )
    with_confidence: bool = Field(
        default=False,
        description="Add the chance of keeping the date and the dates at 50/80/95 % "
        "confidence (staff; a few hundred ms more: the quote is replayed by the simulator)",
    )


class ConstraintOut(BaseModel):
    kind: str = Field(description="work_centre, material, calendar or routing")
    subject: str
    detail: str


class AlternativeOut(BaseModel):
    kind: str = Field(description="overtime, express_supplier or push_back")
    date: dt.date
    detail: str
    extra_cost: str | None = Field(description="Decimal as text, in the plant's currency")
    orders: list[str]


class MaterialOut(BaseModel):
    item_code: str
    quantity: str
    available_at: dt.datetime | None
    source: str
    cannot_source: str | None


class StepOut(BaseModel):
    name: str
    work_centre: str
    resource: str
    start: dt.datetime
    end: dt.datetime


class CentreBasisOut(BaseModel):
    work_centre: str
    actuals: int = Field(description="Finished operations of the floor's recent history")
    source: str = Field(description="learned (from those actuals) or default (too few)")


class ConfidenceOut(BaseModel):
    asked: float | None = Field(description="The confidence asked for, if any")
    chance: float = Field(description="Share of replays that met promise_date (0 to 1)")
    dates: dict[str, dt.date] = Field(
        description="The date met at each confidence: p50, p80, p95 (and the one asked for); "
        "never before the plan's own date"
    )
    replications: int
    seed: int
    basis: str = Field(description="learned, partly default spread or default spread")
    actuals: int = Field(description="Finished operations the spreads were learned from")
    work_centres: list[CentreBasisOut]
    summary: str


class PromiseOut(BaseModel):
    date: dt.date | None = Field(description="Earliest delivery date; null if none")
    promise_date: dt.date | None = Field(
        description="The date to promise: the requested date when it can be kept"
    )
    requested_date: dt.date | None
    requested_met: bool | None
    days_late: int | None
    summary: str
    cannot: str | None
    binding: list[ConstraintOut] = Field(description="What fixes the date, most delaying first")
    alternatives: list[AlternativeOut]
    materials: list[MaterialOut]
    steps: list[StepOut]
    plan_version: int | None
    confidence: ConfidenceOut | None = Field(
        default=None,
        description="How sure the plant is of the date (staff only; null for customers)",
    )


class AlertOut(BaseModel):
    order_number: str
    promise_date: dt.date
    planned_date: dt.date = Field(description="The new best date, from the plan")
    days_late: int
    plan_version: int
    raised_at: dt.datetime
    reason: str


@router.post("/promise", response_model=PromiseOut, summary="Promise a configuration")
def promise_configuration(body: PromiseRequest, ctx: Ctx, me: Me) -> dict[str, object]:
    """The earliest delivery date the plant can keep for one configured product, with what
    binds it and the faster alternatives. Nothing is stored."""
    # a question, not a change: on SQLite it must not queue behind writers
    with read_only():
        promise = services.promise_spec(
            ctx,
            me,
            body.family,
            dict(body.spec),
            body.quantity,
            body.requested_date,
            confidence=body.confidence,
            assess=body.with_confidence,
        )
    return services.promise_view(promise, me)


@router.get("/orders/{number}/promise", response_model=PromiseOut, summary="Promise for an order")
def promise_for_order(
    number: Annotated[str, Path(max_length=30)],
    ctx: Ctx,
    me: Me,
    confidence: Annotated[
        float | None,
        Query(ge=MIN_CONFIDENCE, le=MAX_CONFIDENCE, description="See POST /promise"),
    ] = None,
    with_confidence: Annotated[bool, Query(description="See POST /promise")] = False,
) -> dict[str, object]:
    """What the plant can promise for a quote or an order as it stands now."""
    found = services.promise_order(ctx, me, number, confidence=confidence, assess=with_confidence)
    return services.promise_view(found, me)


@router.get("/promise-alerts", response_model=list[AlertOut], summary="Promises at risk")
def promise_alerts(
    ctx: Ctx, me: Me, order: Annotated[str | None, Query(max_length=30)] = None
) -> list[AlertOut]:
    return [
        AlertOut(
            order_number=a.order_number,
            promise_date=a.promise_date,
            planned_date=a.planned_date,
            days_late=a.days_late,
            plan_version=a.plan_version,
            raised_at=a.raised_at,
            reason=a.reason,
        )
        for a in services.alerts(ctx, me, order)
    ]
