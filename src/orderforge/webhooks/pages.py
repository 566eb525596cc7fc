"""Webhook pages for administrators: the subscriptions (add, deactivate, rotate the
secret, send a test event) and the delivery log of all of them, newest first, with how
each delivery stands (queued, retrying and when next, delivered, failed), a filter by
that and by webhook, paging, and a page per delivery with every attempt.

Forms post and redirect, like every page, except the two that make a secret (add,
rotate): their answer is the page that shows it, once, marked not to be stored, so the
secret never travels in a cookie (flash messages live in the session cookie) or a URL.
The use cases refuse everyone but administrators. Works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from orderforge.domain.errors import DomainError, InvalidInput, NotFound
from orderforge.entrypoints.web.common import (
    Ctx,
    Posted,
    User,
    flash,
    form_text,
    posted_form,
    redirect,
    render,
)
from orderforge.services import plant_time
from orderforge.services.ports import Principal
from orderforge.webhooks import services
from orderforge.webhooks.domain import ALL_EVENTS, MAX_URL, Delivery, Progress, Subscription

router = APIRouter(prefix="/webhooks", include_in_schema=False)
#: Deliveries on one page of the log, and on a webhook's own page (the log has the rest).
PAGE = services.PAGE_SIZE
RECENT = 10

#: What each progress is called on the page, and what it means.
WORDS: dict[Progress, tuple[str, str]] = {
    Progress.QUEUED: ("Queued", "waiting for its first attempt"),
    Progress.RETRYING: ("Retrying", "the receiver did not answer 2xx yet; tried again later"),
    Progress.DELIVERED: ("Delivered", "the receiver answered 2xx"),
    Progress.FAILED: ("Failed", "given up: every retry failed, or the webhook was deactivated"),
}
BLANK = {"url": "", "event_types": ALL_EVENTS, "description": ""}

Show = Callable[[dt.datetime | None], str]


def _clock(ctx: Ctx) -> tuple[Show, str]:
    """Times as the plant's wall clock shows them, and the zone's name to say so."""
    zone = plant_time.zone_of(ctx)
    return (lambda moment: plant_time.show(moment, zone)), zone.key


#: Ids are 32-bit integers in the database: a larger number names nothing.
MAX_ID = 2_147_483_647


def _id(text: str | None, what: str, field: str) -> int | None:
    """An id typed into the address bar: a whole number, or a sentence naming it."""
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit() or len(text.strip()) > 10 or int(text) > MAX_ID:
        raise InvalidInput(f"'{text[:20]}' is not the id of a {what}.", field=field)
    return int(text.strip())


def _path_id(text: str, what: str) -> int:
    """An id in a path: anything but a whole number names nothing (404)."""
    if not text.strip().isdigit() or len(text.strip()) > 10 or int(text) > MAX_ID:
        raise NotFound(f"There is no {what} '{text[:20]}'.")
    return int(text.strip())


def _subscription(sub: Subscription, show: Show) -> dict[str, Any]:
    return {
        **services.subscription_view(sub),
        "events": ", ".join("every event" if e == ALL_EVENTS else e for e in sub.event_types),
        "created": show(sub.created_at),
        "deactivated": show(sub.deactivated_at) if sub.deactivated_at else None,
    }


def _delivery(delivery: Delivery, show: Show, subs: dict[int, Subscription]) -> dict[str, Any]:
    last = delivery.attempts[-1] if delivery.attempts else None
    sub = subs.get(delivery.subscription_id)
    return {
        "id": delivery.id,
        "progress": delivery.progress.value,
        "progress_word": WORDS[delivery.progress][0],
        "next_attempt": show(delivery.next_attempt_at) if delivery.next_attempt_at else None,
        "subscription_id": delivery.subscription_id,
        "url": sub.url if sub else "",
        "kind": delivery.event.kind,
        "event_id": delivery.event.event_id,
        "about": f"{delivery.event.aggregate} {delivery.event.aggregate_key}",
        "created": show(delivery.created_at),
        "attempt_count": len(delivery.attempts),
        "last_error": None if last is None else _answer(last.status_code, last.error),
        "last_ok": last is not None and last.succeeded,
        "attempts": [
            {
                "when": show(a.attempted_at),
                "answer": _answer(a.status_code, a.error),
                "ok": a.succeeded,
                "ms": a.duration_ms,
            }
            for a in delivery.attempts
        ],
    }


def _answer(code: int | None, error: str | None) -> str:
    """What the receiver said, in words: 'HTTP 503: ...', or the error alone."""
    if code is None:
        return error or "no answer"
    return f"HTTP {code}" + (f": {error}" if error else "")


# -- subscriptions ------------------------------------------------------------------


def _list(
    request: Request,
    ctx: Ctx,
    me: Principal,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    show, zone = _clock(ctx)
    subs = services.list_webhooks(ctx, me)
    return render(
        request,
        "webhooks/list.html",
        status=status,
        me=me,
        active=[_subscription(s, show) for s in subs if s.active],
        inactive=[_subscription(s, show) for s in subs if not s.active],
        values=values,
        errors=errors,
        max_url=MAX_URL,
        max_description=services.MAX_DESCRIPTION,
        zone=zone,
    )


@router.get("")
def webhooks_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    return _list(request, ctx, me, BLANK, {})


def _secret_page(
    request: Request, ctx: Ctx, me: Principal, sub: Subscription, new: bool
) -> Response:
    """The one page that shows a secret: never cached, never stored in the session."""
    show, _zone = _clock(ctx)
    response = render(
        request,
        "webhooks/secret.html",
        me=me,
        sub=_subscription(sub, show),
        secret=sub.secret,
        new=new,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("", response_model=None)
def webhook_add(request: Request, form: Posted, ctx: Ctx, me: User) -> Response:
    form = posted_form(request, form)
    values = {k: form_text(form, k) for k in ("url", "event_types", "description")}
    kinds = tuple(k for k in re.split(r"[\s,]+", values["event_types"]) if k)
    try:
        sub = services.add_webhook(
            ctx, me, services.AddWebhook(values["url"], kinds, values["description"])
        )
    except InvalidInput as exc:
        where = f"{exc.field}: " if exc.field else ""
        flash(request, f"Nothing was saved. {where}{exc.message}", "error")
        return _list(request, ctx, me, values, {exc.field or "": exc.message}, status=422)
    return _secret_page(request, ctx, me, sub, new=True)


# -- the delivery log (before /{id}: "deliveries" is not an id) ---------------------


@router.get("/deliveries")
def delivery_log(
    request: Request,
    ctx: Ctx,
    me: User,
    status: str | None = None,
    webhook: str | None = None,
    before: str | None = None,
) -> HTMLResponse:
    query = services.LogQuery(
        status=status,
        subscription_id=_id(webhook, "webhook", "webhook"),
        before=_id(before, "delivery", "before"),
        size=PAGE,
    )
    page = services.delivery_log(ctx, me, query)
    show, zone = _clock(ctx)
    keep: dict[str, str | int] = {}
    if page.shown is not None:
        keep["status"] = page.shown.value
    if page.subscription_id is not None:
        keep["webhook"] = page.subscription_id
    only_webhook = {"webhook": page.subscription_id} if page.subscription_id else {}
    return render(
        request,
        "webhooks/log.html",
        me=me,
        deliveries=[_delivery(d, show, page.subscriptions) for d in page.deliveries],
        shown=page.shown.value if page.shown else "",
        webhook=page.subscription_id,
        webhooks=[_subscription(s, show) for s in page.subscriptions.values()],
        filters=[
            {
                "value": p.value,
                "word": WORDS[p][0],
                "means": WORDS[p][1],
                "count": page.counts.get(p, 0),
                "href": "/webhooks/deliveries?" + urlencode({**only_webhook, "status": p.value}),
            }
            for p in Progress
        ],
        all_href="/webhooks/deliveries" + (f"?{urlencode(only_webhook)}" if only_webhook else ""),
        total=sum(page.counts.values()),
        older=None
        if page.older is None
        else "/webhooks/deliveries?" + urlencode({**keep, "before": page.older}),
        first_page=query.before is None,
        newest="/webhooks/deliveries" + (f"?{urlencode(keep)}" if keep else ""),
        zone=zone,
    )


@router.get("/deliveries/{delivery_id}")
def delivery_page(request: Request, ctx: Ctx, me: User, delivery_id: str) -> HTMLResponse:
    found, sub = services.get_delivery(ctx, me, _path_id(delivery_id, "webhook delivery"))
    show, zone = _clock(ctx)
    assert sub.id is not None
    return render(
        request,
        "webhooks/delivery.html",
        me=me,
        delivery=_delivery(found, show, {sub.id: sub}),
        sub=_subscription(sub, show),
        means=WORDS[found.progress][1],
        zone=zone,
    )


# -- one subscription ---------------------------------------------------------------


@router.get("/{subscription_id}")
def webhook_page(request: Request, ctx: Ctx, me: User, subscription_id: str) -> HTMLResponse:
    number = _path_id(subscription_id, "webhook")
    sub = services.get_webhook(ctx, me, number)
    page = services.delivery_log(ctx, me, services.LogQuery(subscription_id=number, size=RECENT))
    show, zone = _clock(ctx)
    return render(
        request,
        "webhooks/webhook.html",
        me=me,
        sub=_subscription(sub, show),
        deliveries=[_delivery(d, show, page.subscriptions) for d in page.deliveries],
        webhook=number,
        shown="",
        more=page.older is not None,
        counts={p.value: page.counts.get(p, 0) for p in Progress},
        words={p.value: WORDS[p][0] for p in Progress},
        zone=zone,
    )


def _refused(request: Request, exc: DomainError, back: str) -> Response:
    where = f"{exc.field}: " if exc.field else ""
    flash(request, f"Nothing was changed. {where}{exc.message}", "error")
    return redirect(back)


@router.post("/{subscription_id}/deactivate", response_model=None)
def webhook_deactivate(
    request: Request, form: Posted, ctx: Ctx, me: User, subscription_id: str
) -> Response:
    posted_form(request, form)
    number = _path_id(subscription_id, "webhook")
    was = services.get_webhook(ctx, me, number)
    services.deactivate_webhook(ctx, me, number)
    message = (
        f"Webhook {number} deactivated: nothing more is sent to it; its log stays."
        if was.active
        else f"Webhook {number} was already deactivated."
    )
    flash(request, message, "success")
    return redirect(f"/webhooks/{number}")


@router.post("/{subscription_id}/rotate-secret", response_model=None)
def webhook_rotate(
    request: Request, form: Posted, ctx: Ctx, me: User, subscription_id: str
) -> Response:
    posted_form(request, form)
    number = _path_id(subscription_id, "webhook")
    try:
        sub = services.rotate_secret(ctx, me, number)
    except InvalidInput as exc:
        return _refused(request, exc, f"/webhooks/{number}")
    return _secret_page(request, ctx, me, sub, new=False)


@router.post("/{subscription_id}/test", response_model=None)
def webhook_test(
    request: Request, form: Posted, ctx: Ctx, me: User, subscription_id: str
) -> Response:
    posted_form(request, form)
    number = _path_id(subscription_id, "webhook")
    try:
        services.send_test(ctx, me, number)
    except InvalidInput as exc:
        return _refused(request, exc, f"/webhooks/{number}")
    flash(
        request,
        "Test event queued: the worker sends it within seconds; it appears in the log below.",
        "success",
    )
    return redirect(f"/webhooks/{number}")
