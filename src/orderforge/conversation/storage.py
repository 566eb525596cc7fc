"""Message tables and the repository over them (plain SQLAlchemy Core: messages are
small, read whole and never change). Both tables are append-only: the migration adds
triggers that refuse UPDATE and DELETE, as on the work-order reports."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import ContextStorage, inserted_id
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import JSONType, UTCDateTime
from orderforge.conversation.domain import Attachment, Mentions, Message, Person
from orderforge.conversation.ports import MESSAGES
from orderforge.domain.user import Role

order_messages = sa.Table(
    "order_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_number", sa.String(30), nullable=False, index=True),
    sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("author_username", sa.String(60), nullable=False),
    sa.Column("author_name", sa.String(200), nullable=False),
    sa.Column("author_role", sa.String(20), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("internal", sa.Boolean, nullable=False),
    #: {"users": [...], "roles": [...]}
    sa.Column("mentions", JSONType, nullable=False),
    sa.Column("posted_at", UTCDateTime, nullable=False),
)

order_message_attachments = sa.Table(
    "order_message_attachments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "message_id", sa.Integer, sa.ForeignKey("order_messages.id"), nullable=False, index=True
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.UniqueConstraint("message_id", "position", name="uq_order_message_attachments_message_id"),
)


def _message(row: Any, attachments: list[Attachment]) -> Message:
    return Message(
        order_number=row.order_number,
        author=Person(row.author_id, row.author_username, row.author_name, Role(row.author_role)),
        body=row.body,
        internal=row.internal,
        mentions=Mentions(
            users=tuple(row.mentions.get("users", [])),
            roles=tuple(Role(r) for r in row.mentions.get("roles", [])),
        ),
        attachments=tuple(attachments),
        posted_at=row.posted_at,
        id=row.id,
    )


class SqlMessageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, message: Message) -> None:
        result = self.session.execute(
            order_messages.insert().values(
                order_number=message.order_number,
                author_id=message.author.user_id,
                author_username=message.author.username,
                author_name=message.author.display_name,
                author_role=message.author.role.value,
                body=message.body,
                internal=message.internal,
                mentions={
                    "users": list(message.mentions.users),
                    "roles": [r.value for r in message.mentions.roles],
                },
                posted_at=message.posted_at,
            )
        )
        message.id = inserted_id(result)
        if message.attachments:
            self.session.execute(
                order_message_attachments.insert(),
                [
                    {
                        "message_id": message.id,
                        "position": i,
                        "name": a.name,
                        "sha256": a.sha256,
                        "size": a.size,
                        "media_type": a.media_type,
                    }
                    for i, a in enumerate(message.attachments)
                ],
            )

    def _loaded(self, rows: list[Any]) -> list[Message]:
        if not rows:
            return []
        a = order_message_attachments.c
        files: dict[int, list[Attachment]] = {}
        for r in self.session.execute(
            sa.select(order_message_attachments)
            .where(a.message_id.in_([row.id for row in rows]))
            .order_by(a.message_id, a.position)
        ):
            files.setdefault(r.message_id, []).append(
                Attachment(r.name, r.sha256, r.size, r.media_type)
            )
        return [_message(row, files.get(row.id, [])) for row in rows]

    def for_order(self, order_number: str) -> list[Message]:
        m = order_messages.c
        rows = list(
            self.session.execute(
                sa.select(order_messages).where(m.order_number == order_number).order_by(m.id)
            )
        )
        return self._loaded(rows)

    def get(self, message_id: int) -> Message | None:
        rows = list(
            self.session.execute(sa.select(order_messages).where(order_messages.c.id == message_id))
        )
        found = self._loaded(rows)
        return found[0] if found else None


STORAGE = ContextStorage(name="conversation", repositories={MESSAGES.name: SqlMessageRepository})
