"""The e-mail log for administrators: every mail the outbox queued, newest first, with
how its delivery stands (queued, retrying and when next, held, sent, failed), a filter
by that and paging; a mail's page shows every attempt and the server's answer.

Read-only, like the API: the worker sends, nobody sends by hand here. The use cases
refuse everyone but administrators (the log names every person's address). Works
without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.entrypoints.web.common import Ctx, User, render
from orderforge.mail import services
from orderforge.mail.domain import Mail, Progress
from orderforge.mail.rendering import subject
from orderforge.services import plant_time

router = APIRouter(prefix="/mail", include_in_schema=False)
#: Mails on one page of the log.
PAGE = services.PAGE_SIZE

#: What each progress is called on the page, and what it means.
WORDS: dict[Progress, tuple[str, str]] = {
    Progress.QUEUED: ("Queued", "waiting for its first attempt"),
    Progress.RETRYING: ("Retrying", "the server did not take it yet; tried again later"),
    Progress.HELD: ("Held", "no SMTP server is configured; sent once one is"),
    Progress.SENT: ("Sent", "the server took it"),
    Progress.FAILED: ("Failed", "given up: refused for good, or every retry failed"),
}


#: Ids are 32-bit integers in the database: a larger number names no mail.
MAX_ID = 2_147_483_647


def _whole(text: str | None, field: str) -> int | None:
    """A mail's id typed into the address bar, or a sentence naming the field."""
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit() or len(text.strip()) > 10 or int(text) > MAX_ID:
        raise InvalidInput(f"'{text[:20]}' is not the id of a mail.", field=field)
    return int(text.strip())


Show = Callable[[dt.datetime | None], str]


def _clock(ctx: Ctx) -> tuple[Show, str]:
    """Times as the plant's wall clock shows them, and the zone's name to say so."""
    zone = plant_time.zone_of(ctx)
    return (lambda moment: plant_time.show(moment, zone)), zone.key


def _row(mail: Mail, show: Show) -> dict[str, Any]:
    """A mail as the pages show it: words, local times, the last answer."""
    last = mail.attempts[-1] if mail.attempts else None
    return {
        "id": mail.id,
        "progress": mail.progress.value,
        "progress_word": WORDS[mail.progress][0],
        "next_attempt": show(mail.next_attempt_at) if mail.next_attempt_at else None,
        "to": mail.address,
        "recipient": mail.recipient,
        "audience": mail.audience.value,
        "subject": subject(mail.event, mail.audience),
        "kind": mail.event.kind.replace("_", " "),
        "event_id": mail.event.event_id,
        "order": mail.order,
        "note": mail.note,
        "created": show(mail.created_at),
        "sent": show(mail.sent_at) if mail.sent_at else None,
        "attempt_count": len(mail.attempts),
        "last_error": None if last is None else last.error,
        "attempts": [
            {
                "when": show(a.attempted_at),
                "code": a.smtp_code,
                "error": a.error,
                "ms": a.duration_ms,
            }
            for a in mail.attempts
        ],
    }


@router.get("")
def mail_log(
    request: Request, ctx: Ctx, me: User, status: str | None = None, before: str | None = None
) -> HTMLResponse:
    page = services.mail_log(ctx, me, status, _whole(before, "before"), PAGE)
    show, zone = _clock(ctx)
    shown = page.shown.value if page.shown else ""
    keep = {"status": shown} if shown else {}
    older = None if page.older is None else "/mail?" + urlencode({**keep, "before": page.older})
    return render(
        request,
        "mail/log.html",
        me=me,
        mails=[_row(m, show) for m in page.mails],
        shown=shown,
        filters=[
            {
                "value": p.value,
                "word": WORDS[p][0],
                "means": WORDS[p][1],
                "count": page.counts.get(p, 0),
            }
            for p in Progress
        ],
        total=sum(page.counts.values()),
        older=older,
        first_page=before is None or not before.strip(),
        newest="/mail" + (f"?{urlencode(keep)}" if keep else ""),
        zone=zone,
    )


@router.get("/{mail_id}")
def mail_page(request: Request, ctx: Ctx, me: User, mail_id: str) -> HTMLResponse:
    number = mail_id.strip()
    if not number.isdigit() or len(number) > 10 or int(number) > MAX_ID:
        raise NotFound(f"There is no mail '{mail_id[:20]}'.")
    found = services.get_mail(ctx, me, int(number))
    show, zone = _clock(ctx)
    return render(
        request,
        "mail/mail.html",
        me=me,
        mail=_row(found, show),
        means=WORDS[found.progress][1],
        zone=zone,
    )
