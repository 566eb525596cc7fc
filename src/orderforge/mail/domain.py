"""E-mail notifications: pure rules. Who is told of an event (the `notify` contract
between rooms), the rule that internal content never reaches a customer, and when a
mail the SMTP server did not take is tried again.

The contract, carried in an event's `data` by the room that raises it:

    "notify": {"users": [...], "roles": [...], "customer": true|false, "exclude": [...]}

plus `"order": "SO-..."` when the event concerns an order, and `"internal": true` when
its content is for staff only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orderforge.domain.events import OutboxEvent

#: Waits after each failed attempt: the first try is immediate, then these; after the
#: last one fails the mail is given up as failed.
BACKOFF: tuple[dt.timedelta, ...] = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
    dt.timedelta(hours=12),
)
#: The note on a mail held because no server is configured (ORDERFORGE_SMTP_HOST).
NO_SMTP = "not sent: no SMTP server configured"
CUSTOMER_ROLE = "customer"


class MailStatus(StrEnum):
    #: due to be sent (first try or a retry)
    PENDING = "pending"
    #: waiting for an SMTP server to be configured; never lost
    HELD = "held"
    SENT = "sent"
    FAILED = "failed"


class Progress(StrEnum):
    """How a mail's delivery stands, as the log shows it. The stored `pending` is told
    apart into queued (not tried yet) and retrying (tried, refused for now, waiting for
    its next attempt): to an administrator the second is a problem to look at, the
    first is not."""

    QUEUED = "queued"
    RETRYING = "retrying"
    HELD = "held"
    SENT = "sent"
    FAILED = "failed"


def progress_of(status: MailStatus, tried: bool) -> Progress:
    """The log's word for a stored status and whether any attempt was made."""
    if status is MailStatus.PENDING:
        return Progress.RETRYING if tried else Progress.QUEUED
    return Progress(status.value)


class Audience(StrEnum):
    """Whom a mail is written for: staff may read internal content, customers never."""

    STAFF = "staff"
    CUSTOMER = "customer"


def _names(raw: object) -> tuple[str, ...]:
    """A list of names from event data, lenient: anything but strings is ignored (a
    malformed event is not worth stopping every outbox consumer for)."""
    if not isinstance(raw, list | tuple):
        return ()
    return tuple(dict.fromkeys(n.strip().lower() for n in raw if isinstance(n, str) and n.strip()))


@dataclass(frozen=True)
class Notify:
    users: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    customer: bool = False
    exclude: frozenset[str] = frozenset()

    @staticmethod
    def of(data: Mapping[str, Any]) -> Notify | None:
        """The event's `notify`, or None when it asks for no mail."""
        raw = data.get("notify")
        if not isinstance(raw, dict):
            return None
        return Notify(
            users=_names(raw.get("users")),
            roles=_names(raw.get("roles")),
            customer=raw.get("customer") is True,
            exclude=frozenset(_names(raw.get("exclude"))),
        )


def is_internal(data: Mapping[str, Any]) -> bool:
    """Staff-only content. Anything but an explicit false counts as internal when the key
    is there: a mistake must err towards not telling the customer."""
    return "internal" in data and data["internal"] is not False


def order_of(event: OutboxEvent) -> str | None:
    """The order an event concerns: its `order`, else the key of an order event."""
    number = event.data.get("order")
    if isinstance(number, str) and number.strip():
        return number.strip()[:60]
    if event.aggregate == "order":
        return event.aggregate_key
    return None


@dataclass(frozen=True)
class Person:
    """A user as recipient resolution sees them."""

    username: str
    display_name: str
    role: str
    email: str
    active: bool
    customer_id: int | None = None


@dataclass(frozen=True)
class CustomerContact:
    """The customer of the order an event concerns."""

    id: int
    code: str
    name: str
    email: str


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str
    audience: Audience
    #: the username, or "customer <code>" for the customer record's own address
    who: str


@dataclass(frozen=True)
class Resolution:
    recipients: tuple[Recipient, ...]
    #: people who should be told but have no address (counted, named in the log)
    no_address: tuple[str, ...] = ()


def _chosen(notify: Notify, people: Sequence[Person]) -> list[Person]:
    by_name = {p.username: p for p in people}
    chosen = [by_name[name] for name in notify.users if name in by_name]
    roles = set(notify.roles)
    chosen += [p for p in people if p.role in roles]
    return chosen


def resolve(
    notify: Notify,
    *,
    internal: bool,
    people: Sequence[Person],
    customer: CustomerContact | None,
) -> Resolution:
    """The addresses to write to, each once. Inactive and excluded users are left out;
    customer users only ever for their own customer's order, and never for internal
    content (whatever `notify` says). The order's customer is its active customer
    users' addresses, or the customer record's address when none of them has one."""
    chosen = _chosen(notify, people)
    customer_users: list[Person] = []
    if customer is not None:
        customer_users = [
            p for p in people if p.role == CUSTOMER_ROLE and p.customer_id == customer.id
        ]
        if notify.customer:
            chosen += customer_users
    found: dict[str, Recipient] = {}
    missing: list[str] = []
    for person in dict.fromkeys(chosen):
        if not person.active or person.username in notify.exclude:
            continue
        if person.role == CUSTOMER_ROLE and (
            internal or customer is None or person.customer_id != customer.id
        ):
            continue
        if not person.email:
            missing.append(person.username)
            continue
        audience = Audience.CUSTOMER if person.role == CUSTOMER_ROLE else Audience.STAFF
        _add(found, Recipient(person.email, person.display_name, audience, person.username))
    reachable = any(p.active and p.email for p in customer_users)
    if notify.customer and not internal and customer is not None and not reachable:
        if customer.email:
            who = f"customer {customer.code}"
            _add(found, Recipient(customer.email, customer.name, Audience.CUSTOMER, who))
        else:
            missing.append(f"customer {customer.code}")
    return Resolution(tuple(found.values()), tuple(dict.fromkeys(missing)))


def _add(found: dict[str, Recipient], recipient: Recipient) -> None:
    """One mail per address; when a customer and a staff member share one, it is
    written for the customer (the safer reader)."""
    key = recipient.address.lower()
    if key not in found or recipient.audience is Audience.CUSTOMER:
        found[key] = recipient


def message_id(event_id: str, address: str, domain: str) -> str:
    """The Message-ID of the mail of one event to one address: the same on every retry,
    so a receiver that got it twice (at least once means that can happen) can drop
    the second. Short enough that the header is never folded."""
    key = f"{event_id}\n{address.strip().lower()}".encode()
    return f"<{hashlib.sha256(key).hexdigest()[:32]}@{domain or 'orderforge'}>"


@dataclass(frozen=True)
class Attempt:
    attempted_at: dt.datetime
    #: the server's reply code when it gave one
    smtp_code: int | None
    #: None: the server took the mail
    error: str | None
    duration_ms: int
    #: the server refused for good (a 5xx on the recipient or the content): no retry
    permanent: bool = False

    @property
    def succeeded(self) -> bool:
        return self.error is None


@dataclass
class Mail:
    """One event's notification to one address, and every try so far."""

    event: OutboxEvent
    address: str
    recipient: str
    audience: Audience
    status: MailStatus
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    order: str | None = None
    note: str | None = None
    sent_at: dt.datetime | None = None
    attempts: list[Attempt] = field(default_factory=list)
    id: int | None = None

    @property
    def progress(self) -> Progress:
        return progress_of(self.status, bool(self.attempts))

    def record(self, attempt: Attempt) -> None:
        """Count a try: taken is sent; a permanent refusal fails now; otherwise wait
        the next step of BACKOFF, or give up once the schedule is spent."""
        self.attempts.append(attempt)
        self.note = None
        if attempt.succeeded:
            self.status = MailStatus.SENT
            self.sent_at = attempt.attempted_at
            self.next_attempt_at = None
            return
        failures = sum(1 for a in self.attempts if not a.succeeded)
        if attempt.permanent or failures > len(BACKOFF):
            self.status = MailStatus.FAILED
            self.next_attempt_at = None
            return
        self.status = MailStatus.PENDING
        self.next_attempt_at = attempt.attempted_at + BACKOFF[failures - 1]
