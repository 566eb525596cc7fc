"""Mail ports: what the use cases need from storage and from the SMTP server."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from orderforge.mail.domain import Attempt, Mail, MailStatus, Progress
from orderforge.services.ports import RepositoryKey


class MailRepository(Protocol):
    def add(self, mail: Mail) -> bool:
        """Queue a mail unless this event already has one for this address; whether it
        was added (a redone fan-out queues nothing twice)."""
        ...

    def next_due(self, now: dt.datetime, skip: set[int]) -> Mail | None:
        """One pending or held mail whose time has come (not in `skip`), locked until
        the transaction ends; on PostgreSQL rows locked by another worker are skipped."""
        ...

    def claim(self, mail_id: int, until: dt.datetime) -> None:
        """Make a mail due only at `until`: the worker sending it now holds it without
        keeping a transaction (or SQLite's write lock) open while the server talks."""
        ...

    def record_attempt(self, mail: Mail, attempt: Attempt) -> None:
        """Log the attempt and store the mail's new status, next time and note."""
        ...

    def hold_due(self, now: dt.datetime, note: str) -> int:
        """Mark every pending mail whose time has come as held with `note`; how many."""
        ...

    def mails(self, order: str | None, status: MailStatus | None, limit: int) -> list[Mail]:
        """The log, newest first, with every attempt."""
        ...

    def get(self, mail_id: int) -> Mail | None:
        """One mail with every attempt."""
        ...

    def log_page(self, progress: Progress | None, before: int | None, limit: int) -> list[Mail]:
        """Up to `limit` mails older than the mail `before` (all when None), newest
        first, only those whose delivery stands at `progress` when given."""
        ...

    def progress_counts(self) -> dict[Progress, int]:
        """How many mails stand at each progress (a missing one: none)."""
        ...


@dataclass(frozen=True)
class OutgoingMail:
    sender: str
    to_address: str
    to_name: str
    subject: str
    body: str
    message_id: str
    #: the outbox event the mail tells of (an X-OrderForge-Event header)
    event_id: str = ""


@dataclass(frozen=True)
class SendResult:
    #: the server's reply code when it gave one
    smtp_code: int | None
    #: None: the server took the mail
    error: str | None
    #: refused for good (5xx on recipient or content): not worth retrying
    permanent: bool = False


class MailTransport(Protocol):
    def send(self, mail: OutgoingMail) -> SendResult:
        """Hand one mail to the server; never raises (a server that is down is an
        attempt to log, not a crash of the worker)."""
        ...


MAIL: RepositoryKey[MailRepository] = RepositoryKey("mail")
