"""Mail use cases: queue a mail per (event, address) for the outbox events that carry
`notify`, deliver what is due to the configured SMTP server at least once, and show
administrators the log."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from orderforge.domain.errors import InvalidInput, NotFound
from orderforge.domain.events import OutboxEvent
from orderforge.domain.permissions import VIEW, Resource, require
from orderforge.mail.domain import (
    NO_SMTP,
    Attempt,
    CustomerContact,
    Mail,
    MailStatus,
    Notify,
    Person,
    Progress,
    is_internal,
    message_id,
    order_of,
    resolve,
)
from orderforge.mail.ports import MAIL, MailTransport, OutgoingMail
from orderforge.mail.rendering import render, subject
from orderforge.services import outbox
from orderforge.services.context import OutboxConsumer, ServiceContext
from orderforge.services.ports import Principal, UnitOfWork

log = logging.getLogger(__name__)

#: Mails sent per pass: bounded so one pass never runs for long.
MAILS_PER_PASS = 200
#: How long a worker holds a mail it is sending (longer than the SMTP timeout).
CLAIM = dt.timedelta(minutes=2)
MAX_LIST = 1000
#: Mails on one page of the log.
PAGE_SIZE = 50


@dataclass(frozen=True)
class MailConfig:
    """What every mail carries from the settings: who it is from, where links point."""

    sender: str
    public_url: str

    @property
    def domain(self) -> str:
        """The sender's domain, for Message-IDs."""
        address = self.sender.rsplit("<", 1)[-1].rstrip(">").strip()
        return address.rsplit("@", 1)[-1] if "@" in address else "orderforge"


@dataclass(frozen=True)
class MailCounts:
    """What one pass did: outbox rows fanned out, mails queued, people who should have
    been told but have no address, and mails sent, retrying, failed or held."""

    dispatched: int = 0
    queued: int = 0
    no_address: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0


class _Directory:
    """Users and order customers, read once per batch of events."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._people: list[Person] | None = None
        self._customers: dict[str, CustomerContact | None] = {}

    def people(self) -> list[Person]:
        if self._people is None:
            self._people = [
                Person(u.username, u.display_name, u.role.value, u.email, u.active, u.customer_id)
                for u in self.uow.users.list()
            ]
        return self._people

    def customer(self, order_number: str | None) -> CustomerContact | None:
        if order_number is None:
            return None
        if order_number not in self._customers:
            order = self.uow.orders.get(order_number)
            found = None if order is None else self.uow.customers.get_by_id(order.customer_id)
            self._customers[order_number] = (
                None
                if found is None or found.id is None
                else CustomerContact(found.id, found.code, found.name, found.email)
            )
        return self._customers[order_number]


def fan_out(
    ctx: ServiceContext, uow: UnitOfWork, events: list[OutboxEvent], now: dt.datetime
) -> dict[str, int]:
    """The outbox consumer: one mail per (event, address) for events with `notify`."""
    repo = uow.repository(MAIL)
    directory = _Directory(uow)
    queued = missing = 0
    for event in events:
        notify = Notify.of(event.data)
        if notify is None:
            continue
        number = order_of(event)
        resolution = resolve(
            notify,
            internal=is_internal(event.data),
            people=directory.people(),
            customer=directory.customer(number),
        )
        if resolution.no_address:
            missing += len(resolution.no_address)
            log.info(
                "no e-mail address for %s: not told of %s %s",
                ", ".join(resolution.no_address),
                event.kind,
                event.event_id,
            )
        for recipient in resolution.recipients:
            mail = Mail(
                event=event,
                address=recipient.address,
                recipient=recipient.who,
                audience=recipient.audience,
                status=MailStatus.PENDING,
                next_attempt_at=now,
                created_at=now,
                order=number,
            )
            queued += repo.add(mail)
    return {"mail_queued": queued, "mail_no_address": missing}


OUTBOX_CONSUMER: OutboxConsumer = fan_out


def compose(mail: Mail, config: MailConfig, name: str = "") -> OutgoingMail:
    """The message for one attempt; the same on every retry."""
    rendered = render(mail.event, mail.audience, config.public_url, name)
    return OutgoingMail(
        sender=config.sender,
        to_address=mail.address,
        to_name=name,
        subject=rendered.subject,
        body=rendered.body,
        message_id=message_id(mail.event.event_id, mail.address, config.domain),
        event_id=mail.event.event_id,
    )


def _send(transport: MailTransport, mail: Mail, config: MailConfig, now: dt.datetime) -> Attempt:
    started = time.monotonic()
    result = transport.send(compose(mail, config))
    duration = int((time.monotonic() - started) * 1000)
    return Attempt(now, result.smtp_code, result.error, duration, result.permanent)


def deliver_due(
    ctx: ServiceContext, now: dt.datetime, transport: MailTransport | None, config: MailConfig
) -> MailCounts:
    """One pass of the worker: dispatch the outbox, then send every mail whose time has
    come. Each is claimed first (its next attempt moved `CLAIM` ahead, in a short
    transaction; on PostgreSQL another worker skips the locked row meanwhile), sent with
    no transaction open, then its outcome is stored: at least once. Without a server
    (`transport` None) due mails are held, never lost, until one is configured."""
    fanned = outbox.dispatch(ctx, now)
    base: dict[str, int] = {
        "dispatched": fanned.events,
        "queued": fanned.notes["mail_queued"],
        "no_address": fanned.notes["mail_no_address"],
    }
    if transport is None:
        with ctx.uow() as uow:
            held = uow.repository(MAIL).hold_due(now, NO_SMTP)
            uow.commit()
        return MailCounts(**base, held=held)
    counts: Counter[str] = Counter()
    seen: set[int] = set()
    for _ in range(MAILS_PER_PASS):
        with ctx.uow() as uow:
            repo = uow.repository(MAIL)
            mail = repo.next_due(now, seen)
            if mail is None or mail.id is None:
                break
            seen.add(mail.id)
            repo.claim(mail.id, now + CLAIM)
            uow.commit()
        attempt = _send(transport, mail, config, now)
        mail.record(attempt)
        with ctx.uow() as uow:
            uow.repository(MAIL).record_attempt(mail, attempt)
            uow.commit()
        key = {MailStatus.SENT: "sent", MailStatus.FAILED: "failed"}.get(mail.status, "retrying")
        counts[key] += 1
    return MailCounts(**base, **counts)


def list_mail(
    ctx: ServiceContext,
    me: Principal,
    order: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[Mail]:
    """The mail log, newest first, with every attempt (administrators only: it names
    everyone's address)."""
    require(me.role, Resource.MAIL, VIEW)
    wanted: MailStatus | None = None
    if status:
        try:
            wanted = MailStatus(status.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in MailStatus)
            raise InvalidInput(
                f"Unknown status '{status[:20]}'. Statuses: {names}.", field="status"
            ) from None
    if not 1 <= limit <= MAX_LIST:
        raise InvalidInput(f"The limit is between 1 and {MAX_LIST}.", field="limit")
    number = order.strip().upper() if order and order.strip() else None
    with ctx.uow() as uow:
        return uow.repository(MAIL).mails(number, wanted, limit)


@dataclass(frozen=True)
class MailLog:
    """One page of the mail log: its mails (newest first), the filter it shows, where
    the next, older page starts (None: this is the last) and how many mails stand at
    each progress in the whole log."""

    mails: list[Mail]
    shown: Progress | None
    older: int | None
    counts: dict[Progress, int]


def _progress(text: str | None) -> Progress | None:
    if not text or not text.strip():
        return None
    try:
        return Progress(text.strip().lower())
    except ValueError:
        names = ", ".join(p.value for p in Progress)
        raise InvalidInput(
            f"Unknown status '{text[:20]}'. Statuses: {names}.", field="status"
        ) from None


def mail_log(
    ctx: ServiceContext,
    me: Principal,
    status: str | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
) -> MailLog:
    """A page of the mail log for the administrators' pages: newest first, older pages
    by the id of the last mail shown (a page stays put while new mails arrive), and the
    filter by progress (queued and retrying told apart)."""
    require(me.role, Resource.MAIL, VIEW)
    shown = _progress(status)
    if before is not None and before < 1:
        raise InvalidInput("'before' is the id of a mail, 1 or more.", field="before")
    if not 1 <= size <= MAX_LIST:
        raise InvalidInput(f"The page size is between 1 and {MAX_LIST}.", field="size")
    with ctx.uow() as uow:
        repo = uow.repository(MAIL)
        found = repo.log_page(shown, before, size + 1)
        counts = repo.progress_counts()
    older = found[size - 1].id if len(found) > size else None
    return MailLog(found[:size], shown, older, counts)


def get_mail(ctx: ServiceContext, me: Principal, mail_id: int) -> Mail:
    """One mail with every attempt (administrators only)."""
    require(me.role, Resource.MAIL, VIEW)
    with ctx.uow() as uow:
        found = uow.repository(MAIL).get(mail_id)
    if found is None:
        raise NotFound(f"There is no mail {mail_id}.")
    return found


def mail_view(mail: Mail) -> dict[str, Any]:
    return {
        "id": mail.id,
        "event_id": mail.event.event_id,
        "type": mail.event.kind,
        "order": mail.order,
        "to": mail.address,
        "recipient": mail.recipient,
        "audience": mail.audience.value,
        "subject": subject(mail.event, mail.audience),
        "status": mail.status.value,
        "note": mail.note,
        "next_attempt_at": mail.next_attempt_at,
        "created_at": mail.created_at,
        "sent_at": mail.sent_at,
        "attempts": [
            {
                "attempted_at": a.attempted_at,
                "smtp_code": a.smtp_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in mail.attempts
        ],
    }
