"""The insight pages: `/insights` (every family's headline figures, with a period to
choose), `/insights/{family}` (one family's report: proposed catalogue changes first,
then the evidence), and the "Rating" section of the order page with the customer's form.

The order page includes `insight/_feedback.html` with one line; the partial asks
`order_feedback()` (a template global this module installs) for what the viewer may read,
as the conversation's partial does, so the order page's own code needs no change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import pass_context

from orderforge.domain.errors import DomainError, InvalidInput, NotFound
from orderforge.domain.permissions import VIEW, Resource, is_allowed
from orderforge.entrypoints.web.common import (
    Ctx,
    Posted,
    User,
    flash,
    form_text,
    posted_form,
    redirect,
    render,
    templates,
)
from orderforge.insight import services
from orderforge.insight.domain import MAX_COMMENT, RATING_WORDS
from orderforge.services import plant_time
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(include_in_schema=False)


@pass_context
def order_feedback(context: Any, number: str) -> dict[str, Any] | None:
    """What the order page's rating section shows the viewer (None: nothing, for a role
    that may not read ratings)."""
    request: Request = context["request"]
    me: Principal = context["me"]
    if not is_allowed(me.role, Resource.FEEDBACK, VIEW):
        return None
    ctx: ServiceContext = request.app.state.ctx
    zone = plant_time.zone_of(ctx)
    found = services.feedback_of(ctx, me, number)

    def local(view: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if view is None else {**view, "when": plant_time.show(view["given_at"], zone)}

    return {
        **found,
        "current": local(found["current"]),
        "earlier": [local(v) for v in found["earlier"]],
        "words": RATING_WORDS,
        "max_comment": MAX_COMMENT,
        "zone": zone.key,
    }


templates.env.globals["order_feedback"] = order_feedback


@router.post("/orders/{number}/feedback", response_model=None)
def rate_order(request: Request, form: Posted, ctx: Ctx, me: User, number: str) -> Response:
    back = f"/orders/{quote(number)}#feedback"
    form = posted_form(request, form)
    try:
        rating_text = form_text(form, "rating")
        if not rating_text.isdigit():
            raise InvalidInput("Choose a rating from 1 to 5.", field="rating")
        services.rate_order(
            ctx, me, number, int(rating_text), form_text(form, "comment", strip=False)
        )
    except NotFound:
        raise
    except DomainError as exc:
        flash(request, f"Not rated. {exc.message}", "error")
        return redirect(back)
    flash(request, "Thank you: your rating is recorded.", "success")
    return redirect(back)


def _since(request: Request) -> tuple[dt.date | None, str]:
    text = request.query_params.get("since", "").strip()
    if not text:
        return None, ""
    try:
        return dt.date.fromisoformat(text), text
    except ValueError:
        raise InvalidInput(
            f"since must be a day (YYYY-MM-DD), not {text!r}.", field="since"
        ) from None


@router.get("/insights")
def insights_page(request: Request, ctx: Ctx, me: User) -> HTMLResponse:
    error = None
    try:
        since, text = _since(request)
        rows = services.family_reports(ctx, me, since)
    except InvalidInput as exc:
        error, text = exc.message, request.query_params.get("since", "")
        rows = services.family_reports(ctx, me, None)
    query = "" if error else _q(text)
    return render(
        request, "insight/index.html", me=me, rows=rows, since=text, error=error, query=query
    )


def _q(since: str) -> str:
    return f"?since={quote(since)}" if since and since.strip() else ""


@router.get("/insights/{family}")
def family_page(request: Request, ctx: Ctx, me: User, family: str) -> HTMLResponse:
    error = None
    try:
        since, text = _since(request)
        report = services.family_report(ctx, me, family, since)
    except InvalidInput as exc:
        error, text = exc.message, request.query_params.get("since", "")
        report = services.family_report(ctx, me, family, None)
    query = "" if error else _q(text)
    return render(
        request, "insight/family.html", me=me, r=report, since=text, error=error, query=query
    )
