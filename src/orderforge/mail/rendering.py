"""What a notification says: a subject and a plain-text body per kind of event, with a
link to the order. Pure: the event, the reader and the base URL in, text out.

Only named fields of an event are ever written into a mail, never the event's data as
a whole, so costs, margins or staff notes that an event may carry cannot leak into a
customer's mail; an internal event is written for staff only (the resolution never
sends it to a customer, and the text says it is internal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from orderforge.domain.events import OutboxEvent
from orderforge.mail.domain import Audience, is_internal, order_of

MAX_SUBJECT = 200
SIGNATURE = "\n-- \nOrderForge. You get this mail because you take part in this order."


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def _text(value: object, limit: int = 20_000) -> str:
    """A field as text; anything that is not a string or a number is left out."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value)[:limit]


def _line(value: object) -> str:
    """Text for a subject or a one-line field: no line breaks (a header must stay one
    header) and no runs of spaces."""
    return " ".join(_text(value, 500).split())


def _items(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [_line(v) for v in value if _line(v)]


def order_url(public_url: str, order: str | None) -> str | None:
    return None if order is None else f"{public_url.rstrip('/')}/orders/{quote(order)}"


def _where(event: OutboxEvent) -> str:
    order = order_of(event)
    return f"[{order}] " if order else ""


def _upper(text: str) -> str:
    """The first letter a capital, the rest as it is (a revision letter stays "B")."""
    return text[:1].upper() + text[1:]


def _line_rev(data: dict[str, Any]) -> str:
    revision = _line(data.get("revision"))
    line_no = _line(data.get("line_no"))
    text = f"design revision {revision}" if revision else "a design revision"
    return f"{text} of line {line_no}" if line_no else text


def _message(event: OutboxEvent, audience: Audience) -> tuple[str, str]:
    data = event.data
    author = _line(data.get("author")) or event.actor
    role = _line(data.get("author_role"))
    who = f"{author} ({role})" if role and audience is Audience.STAFF else author
    internal = is_internal(data) and audience is Audience.STAFF
    what = "Internal note" if internal else "New message"
    lines = [f"{who} wrote{' (internal, staff only)' if internal else ''}:", ""]
    lines += [_text(data.get("body")).strip(), ""]
    attachments = _items(data.get("attachments"))
    if attachments:
        lines.append("Attached: " + ", ".join(attachments))
    return f"{what} from {author}", "\n".join(lines)


def _proposed(event: OutboxEvent, audience: Audience) -> tuple[str, str]:
    data = event.data
    awaiting = _items(data.get("awaiting"))
    lines = [f"{_line(data.get('author')) or event.actor} proposed {_line_rev(data)}."]
    if awaiting:
        lines += ["", "Awaiting:", *(f"  - {a}" for a in awaiting)]
    return f"{_upper(_line_rev(data))} awaits approval", "\n".join(lines)


def _signed(event: OutboxEvent, audience: Audience) -> tuple[str, str]:
    data = event.data
    signer = _line(data.get("signer")) or _line(data.get("author")) or event.actor
    meaning = _line(data.get("meaning"))
    body = f"{signer} signed {_line_rev(data)}" + (f", meaning: {meaning}." if meaning else ".")
    return f"{_upper(_line_rev(data))} signed by {signer}", body


def _rejected(event: OutboxEvent, audience: Audience) -> tuple[str, str]:
    data = event.data
    author = _line(data.get("author")) or event.actor
    comment = _text(data.get("comment")).strip()
    body = f"{author} rejected {_line_rev(data)}."
    if comment:
        body += f"\n\nComment:\n{comment}"
    return f"{_upper(_line_rev(data))} rejected", body


def _approved(event: OutboxEvent, audience: Audience) -> tuple[str, str]:
    data = event.data
    line_no = _line(data.get("line_no"))
    revision = _line(data.get("revision"))
    what = f"The design of line {line_no}" if line_no else "The design"
    rev = f" (revision {revision})" if revision else ""
    return f"{what} is approved{rev}", f"{what} is approved{rev}: it may go into production."


def _day(value: object) -> str:
    text = _line(value)
    try:
        return dt.date.fromisoformat(text).strftime("%a %d %b %Y")
    except ValueError:
        return text or "not yet known"


def _change(event: OutboxEvent, audience: Audience) -> tuple[str, str]:
    """An engineering change's news: what happened to it, and for the customer who must
    answer, the new delivery date (never the plant's reasons, costs or work orders)."""
    data = event.data
    number = _line(event.aggregate_key)
    what = {
        "change_requested": "asked for",
        "change_approved": "approved",
        "change_rejected": "rejected",
        "change_withdrawn": "withdrawn",
        "change_accepted_by_customer": "accepted by the customer",
        "change_declined_by_customer": "declined by the customer",
    }.get(event.kind, "updated")
    lines = [f"Engineering change {number} was {what} by {event.actor}."]
    reason = _text(data.get("reason") or data.get("comment")).strip()
    if reason:
        lines += ["", reason]
    if event.kind == "change_approved":
        applied = data.get("applied") or {}
        promise = applied.get("promise") or {} if isinstance(applied, dict) else {}
        lines += ["", f"Delivery date now: {_day(promise.get('after'))}."]
        if audience is Audience.CUSTOMER:
            lines += [
                "",
                "Please accept the new date and price, or tell us why not, on the order's "
                "changes page.",
            ]
    return f"Change {number} {what}", "\n".join(lines)


def _generic(event: OutboxEvent, audience: Audience) -> tuple[str, str]:
    """Any other kind: what happened, in words, and where to read it; no data."""
    what = event.kind.replace("_", " ").strip().capitalize() or "News"
    order = order_of(event)
    body = f"{what} on order {order}." if order else f"{what}."
    return what, body + "\nOpen OrderForge to read the details."


KINDS: dict[str, Callable[[OutboxEvent, Audience], tuple[str, str]]] = {
    "order_message_posted": _message,
    "design_revision_proposed": _proposed,
    "design_revision_signed": _signed,
    "design_revision_rejected": _rejected,
    "design_approved": _approved,
    "change_requested": _change,
    "change_approved": _change,
    "change_rejected": _change,
    "change_withdrawn": _change,
    "change_accepted_by_customer": _change,
    "change_declined_by_customer": _change,
}


def subject(event: OutboxEvent, audience: Audience) -> str:
    text, _ = KINDS.get(event.kind, _generic)(event, audience)
    return _line(_where(event) + text)[:MAX_SUBJECT]


def render(event: OutboxEvent, audience: Audience, public_url: str, name: str = "") -> Rendered:
    """The mail for one reader of one event."""
    text, body = KINDS.get(event.kind, _generic)(event, audience)
    greeting = f"Hello {_line(name)},\n\n" if _line(name) else ""
    link = order_url(public_url, order_of(event))
    tail = f"\n\nOpen the order: {link}" if link else ""
    return Rendered(
        subject=_line(_where(event) + text)[:MAX_SUBJECT],
        body=f"{greeting}{body.rstrip()}{tail}\n{SIGNATURE}\n",
    )
