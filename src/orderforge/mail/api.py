"""The mail log over HTTP (administrators only): every mail queued from the outbox,
its recipient, status and attempts. Never any SMTP setting."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from orderforge.entrypoints.api.deps import current_principal, get_ctx
from orderforge.entrypoints.api.schemas import PROBLEM_RESPONSES
from orderforge.mail import services
from orderforge.mail.domain import MailStatus
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(prefix="/mail", tags=["mail"], responses=PROBLEM_RESPONSES)
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Me = Annotated[Principal, Depends(current_principal)]


class MailAttemptOut(BaseModel):
    attempted_at: dt.datetime
    smtp_code: int | None
    error: str | None
    duration_ms: int


class MailOut(BaseModel):
    id: int
    event_id: str = Field(description="The outbox event the mail tells of")
    type: str = Field(description="The event's kind, e.g. order_message_posted")
    order: str | None
    to: str = Field(description="The address written to")
    recipient: str = Field(description="The username, or 'customer CODE'")
    audience: str = Field(description="staff or customer")
    subject: str
    status: str = Field(description="pending, held, sent or failed")
    note: str | None = Field(description="Why a mail waits, e.g. no SMTP server configured")
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    attempts: list[MailAttemptOut]


@router.get("", response_model=list[MailOut], summary="The mail log")
def mail_log(
    ctx: Ctx,
    me: Me,
    order: Annotated[str | None, Query(max_length=60, description="Only this order")] = None,
    status: Annotated[MailStatus | None, Query(description="Only this status")] = None,
    limit: Annotated[int, Query(ge=1, le=services.MAX_LIST)] = 100,
) -> list[dict[str, Any]]:
    """The newest mails first, with every attempt (the server's reply or the error)."""
    found = services.list_mail(ctx, me, order, status.value if status else None, limit)
    return [services.mail_view(m) for m in found]
