"""Mail tables and the repository over them (plain SQLAlchemy Core, like webhooks'). The
event each mail tells of is read back from the platform's outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db import tables as t
from orderforge.adapters.db.context_storage import ContextStorage, inserted_id
from orderforge.adapters.db.outbox import outbox_event
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import UTCDateTime
from orderforge.mail.domain import Attempt, Audience, Mail, MailStatus, Progress
from orderforge.mail.ports import MAIL

mail_messages = sa.Table(
    "mail_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id"), nullable=False),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("order_number", sa.String(60), nullable=True, index=True),
    sa.Column("address", sa.String(254), nullable=False),
    sa.Column("recipient", sa.String(200), nullable=False),
    sa.Column("audience", sa.String(10), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=True, index=True),
    sa.Column("note", sa.String(500), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime, nullable=True),
    sa.UniqueConstraint("event_id", "address", name="uq_mail_messages_event_id"),
)

mail_attempts = sa.Table(
    "mail_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("mail_id", sa.Integer, sa.ForeignKey("mail_messages.id"), nullable=False, index=True),
    sa.Column("attempted_at", UTCDateTime, nullable=False),
    sa.Column("smtp_code", sa.Integer, nullable=True),
    sa.Column("error", sa.String(500), nullable=True),
    sa.Column("duration_ms", sa.Integer, nullable=False),
)

_DUE = (MailStatus.PENDING.value, MailStatus.HELD.value)


def _standing_at(progress: Progress) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of mails at `progress`: a pending mail is retrying once it has
    an attempt, queued before."""
    m = mail_messages.c
    if progress not in (Progress.QUEUED, Progress.RETRYING):
        return [m.status == progress.value]
    tried = sa.exists().where(mail_attempts.c.mail_id == m.id)
    return [
        m.status == MailStatus.PENDING.value,
        tried if progress is Progress.RETRYING else ~tried,
    ]


class SqlMailRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _skip_locked(self) -> bool:
        """Only PostgreSQL has row locks to skip; SQLite serialises writers anyway."""
        return self.session.get_bind().dialect.name == "postgresql"

    def add(self, mail: Mail) -> bool:
        m = mail_messages.c
        exists = self.session.execute(
            sa.select(m.id).where(m.event_id == mail.event.event_id, m.address == mail.address)
        ).first()
        if exists is not None:
            return False
        result = self.session.execute(
            mail_messages.insert().values(
                outbox_id=mail.event.id,
                event_id=mail.event.event_id,
                order_number=mail.order,
                address=mail.address,
                recipient=mail.recipient[:200],
                audience=mail.audience.value,
                status=mail.status.value,
                next_attempt_at=mail.next_attempt_at,
                note=mail.note,
                created_at=mail.created_at,
            )
        )
        mail.id = inserted_id(result)
        return True

    def next_due(self, now: dt.datetime, skip: set[int]) -> Mail | None:
        m = mail_messages.c
        stmt = (
            sa.select(mail_messages)
            .where(m.status.in_(_DUE), m.next_attempt_at <= now)
            .order_by(m.next_attempt_at, m.id)
            .limit(1)
        )
        if skip:
            stmt = stmt.where(m.id.not_in(sorted(skip)))
        if self._skip_locked:
            stmt = stmt.with_for_update(skip_locked=True)
        row = self.session.execute(stmt).first()
        return None if row is None else self._loaded([row])[0]

    def claim(self, mail_id: int, until: dt.datetime) -> None:
        self.session.execute(
            mail_messages.update()
            .where(mail_messages.c.id == mail_id)
            .values(next_attempt_at=until)
        )

    def record_attempt(self, mail: Mail, attempt: Attempt) -> None:
        self.session.execute(
            mail_attempts.insert().values(
                mail_id=mail.id,
                attempted_at=attempt.attempted_at,
                smtp_code=attempt.smtp_code,
                error=None if attempt.error is None else attempt.error[:500],
                duration_ms=attempt.duration_ms,
            )
        )
        self.session.execute(
            mail_messages.update()
            .where(mail_messages.c.id == mail.id)
            .values(
                status=mail.status.value,
                next_attempt_at=mail.next_attempt_at,
                note=mail.note,
                sent_at=mail.sent_at,
            )
        )

    def hold_due(self, now: dt.datetime, note: str) -> int:
        m = mail_messages.c
        result = self.session.execute(
            mail_messages.update()
            .where(m.status == MailStatus.PENDING.value, m.next_attempt_at <= now)
            .values(status=MailStatus.HELD.value, note=note)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def mails(self, order: str | None, status: MailStatus | None, limit: int) -> list[Mail]:
        m = mail_messages.c
        stmt = sa.select(mail_messages).order_by(m.id.desc()).limit(limit)
        if order is not None:
            stmt = stmt.where(m.order_number == order)
        if status is not None:
            stmt = stmt.where(m.status == status.value)
        return self._loaded(list(self.session.execute(stmt)))

    def get(self, mail_id: int) -> Mail | None:
        row = self.session.execute(
            sa.select(mail_messages).where(mail_messages.c.id == mail_id)
        ).first()
        return None if row is None else self._loaded([row])[0]

    def log_page(self, progress: Progress | None, before: int | None, limit: int) -> list[Mail]:
        m = mail_messages.c
        stmt = sa.select(mail_messages).order_by(m.id.desc()).limit(limit)
        if before is not None:
            stmt = stmt.where(m.id < before)
        if progress is not None:
            stmt = stmt.where(*_standing_at(progress))
        return self._loaded(list(self.session.execute(stmt)))

    def progress_counts(self) -> dict[Progress, int]:
        m = mail_messages.c
        counts: dict[Progress, int] = {}
        for status, count in self.session.execute(
            sa.select(m.status, sa.func.count()).group_by(m.status)
        ):
            if status != MailStatus.PENDING.value:
                counts[Progress(status)] = int(count)
        for progress in (Progress.QUEUED, Progress.RETRYING):
            found = self.session.execute(
                sa.select(sa.func.count()).select_from(mail_messages).where(*_standing_at(progress))
            ).scalar_one()
            if found:
                counts[progress] = int(found)
        return counts

    def _loaded(self, rows: list[Any]) -> list[Mail]:
        """Mails with their event and attempts, in the order of `rows`."""
        if not rows:
            return []
        events = {
            r.id: outbox_event(r)
            for r in self.session.execute(
                sa.select(t.outbox).where(t.outbox.c.id.in_({row.outbox_id for row in rows}))
            )
        }
        a = mail_attempts.c
        attempts: dict[int, list[Attempt]] = {}
        for r in self.session.execute(
            sa.select(mail_attempts).where(a.mail_id.in_([row.id for row in rows])).order_by(a.id)
        ):
            attempts.setdefault(r.mail_id, []).append(
                Attempt(r.attempted_at, r.smtp_code, r.error, r.duration_ms)
            )
        return [
            Mail(
                event=events[row.outbox_id],
                address=row.address,
                recipient=row.recipient,
                audience=Audience(row.audience),
                status=MailStatus(row.status),
                next_attempt_at=row.next_attempt_at,
                created_at=row.created_at,
                order=row.order_number,
                note=row.note,
                sent_at=row.sent_at,
                attempts=attempts.get(row.id, []),
                id=row.id,
            )
            for row in rows
        ]


STORAGE = ContextStorage(name="mail", repositories={MAIL.name: SqlMailRepository})
