"""The "Conversation" section of the order page and the form that posts to it.

The order page includes `conversation/_thread.html` with one line; the partial asks
`conversation_thread()` (a template global this module installs) for the thread as
the signed-in user may read it, so the order page's own code needs no change. Works
without JavaScript; a refused message comes back as a flash, nothing stored.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from jinja2 import pass_context
from starlette.datastructures import UploadFile

from orderforge.conversation import services
from orderforge.conversation.domain import MAX_ATTACHMENTS, MAX_BODY
from orderforge.domain.errors import DomainError, NotFound
from orderforge.domain.permissions import POST, POST_INTERNAL, Resource, is_allowed
from orderforge.entrypoints.web.common import Ctx, User, check_csrf, flash, redirect, templates
from orderforge.services import plant_time
from orderforge.services.context import ServiceContext
from orderforge.services.ports import Principal

router = APIRouter(include_in_schema=False)


@pass_context
def conversation_thread(context: Any, number: str) -> dict[str, Any]:
    """What the partial shows: the messages the viewer may read (oldest first, the
    newest last, next to the form) with local times, and which form fields it gets."""
    request: Request = context["request"]
    me: Principal = context["me"]
    ctx: ServiceContext = request.app.state.ctx
    zone = plant_time.zone_of(ctx)
    found = services.list_messages(ctx, me, number)
    return {
        "messages": [
            {
                **services.message_view(m),
                "when": plant_time.show(m.posted_at, zone),
                "role_words": services.role_words(m.author.role),
            }
            for m in found
        ],
        "zone": zone.key,
        "can_post": is_allowed(me.role, Resource.CONVERSATION, POST),
        "can_internal": is_allowed(me.role, Resource.CONVERSATION, POST_INTERNAL),
        "max_body": MAX_BODY,
        "max_files": MAX_ATTACHMENTS,
        "accept": ",".join(f".{e}" for e in sorted(services.MEDIA_TYPES)),
    }


templates.env.globals["conversation_thread"] = conversation_thread


@router.post("/orders/{number}/messages", response_model=None)
async def post_message(request: Request, ctx: Ctx, me: User, number: str) -> Response:
    back = f"/orders/{quote(number)}#conversation"
    async with request.form(max_files=50, max_fields=50) as form:
        token, body = form.get("csrf"), form.get("body")
        uploads = [
            services.Upload(item.filename or "", await item.read(services.MAX_ATTACHMENT_BYTES + 1))
            for item in form.getlist("files")
            if isinstance(item, UploadFile) and item.filename
        ]
        internal = form.get("internal") == "on"
    try:
        check_csrf(request, token if isinstance(token, str) else "")
        cmd = services.PostMessage(
            number, body if isinstance(body, str) else "", internal, tuple(uploads)
        )
        posted = await run_in_threadpool(services.post_message, ctx, me, cmd)
    except NotFound:
        raise
    except DomainError as exc:
        flash(request, exc.message, "error")
        return redirect(back)
    flash(request, "Internal note posted." if posted.internal else "Message posted.", "success")
    return redirect(back)
