"""Webhooks over HTTP (administrators only): subscriptions, their delivery log, and a
test event. The secret appears once, in the answer to the POST that creates it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal
from orderforge.webhooks import services
from orderforge.webhooks.domain import MAX_URL

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]
Id = Annotated[int, Path(ge=1, le=2_147_483_647, description="The webhook's id")]
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WebhookIn(BaseModel):
    model_config = _STRICT
    url: str = Field(min_length=1, max_length=MAX_URL, examples=["https://erp.example.com/hooks"])
    event_types: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        min_length=1, max_length=100, examples=[["order_confirmed"], ["*"]]
    )
    description: str = Field(default="", max_length=services.MAX_DESCRIPTION)


class WebhookOut(BaseModel):
    id: int
    url: str
    event_types: list[str]
    description: str
    active: bool
    created_by: str
    created_at: dt.datetime
    deactivated_at: dt.datetime | None


class WebhookCreated(WebhookOut):
    secret: str = Field(description="whsec_...: shown only here; sign checks use it")


class AttemptOut(BaseModel):
    attempted_at: dt.datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    id: int
    event_id: str = Field(description="The webhook-id header: the same on every retry")
    type: str
    status: str = Field(description="pending, delivered or failed")
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    attempts: list[AttemptOut]


class Queued(BaseModel):
    queued: bool


@router.get("", response_model=list[WebhookOut], summary="List webhooks")
def list_webhooks(ctx: Ctx, me: Me) -> list[dict[str, Any]]:
    return [services.subscription_view(s) for s in services.list_webhooks(ctx, me)]


@router.post("", response_model=WebhookCreated, status_code=201, summary="Add a webhook")
def add_webhook(body: WebhookIn, ctx: Ctx, me: Me) -> dict[str, Any]:
    """Register a receiver; the answer carries its signing secret, shown only this once."""
    cmd = services.AddWebhook(body.url, tuple(body.event_types), body.description)
    sub = services.add_webhook(ctx, me, cmd)
    return {**services.subscription_view(sub), "secret": sub.secret}


@router.get("/{subscription_id}", response_model=WebhookOut, summary="A webhook")
def get_webhook(subscription_id: Id, ctx: Ctx, me: Me) -> dict[str, Any]:
    return services.subscription_view(services.get_webhook(ctx, me, subscription_id))


@router.post(
    "/{subscription_id}/deactivate", response_model=WebhookOut, summary="Deactivate a webhook"
)
def deactivate_webhook(subscription_id: Id, ctx: Ctx, me: Me) -> dict[str, Any]:
    """Stop sending; the webhook and its log stay for the audit."""
    return services.subscription_view(services.deactivate_webhook(ctx, me, subscription_id))


@router.post(
    "/{subscription_id}/rotate-secret",
    response_model=WebhookCreated,
    summary="Rotate a webhook's secret",
)
def rotate_secret(subscription_id: Id, ctx: Ctx, me: Me) -> dict[str, Any]:
    """A new signing secret, shown only in this answer; the old one stops signing now."""
    sub = services.rotate_secret(ctx, me, subscription_id)
    return {**services.subscription_view(sub), "secret": sub.secret}


@router.get(
    "/{subscription_id}/deliveries", response_model=list[DeliveryOut], summary="Delivery log"
)
def deliveries(
    subscription_id: Id,
    ctx: Ctx,
    me: Me,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """The newest deliveries with every attempt (answer code or error, duration)."""
    found = services.deliveries(ctx, me, subscription_id, limit)
    return [services.delivery_view(d) for d in found]


@router.post(
    "/{subscription_id}/test", response_model=Queued, status_code=202, summary="Send a test"
)
def send_test(subscription_id: Id, ctx: Ctx, me: Me) -> Queued:
    """Queue a `webhook_test` event for this webhook alone; the worker sends it."""
    services.send_test(ctx, me, subscription_id)
    return Queued(queued=True)
