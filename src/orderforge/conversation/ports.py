"""Conversation ports: where messages are kept. Users and orders are the platform's and
the orders context's (below this room), read through their own repositories; files go
to the platform's `FileStore`."""

from __future__ import annotations

from typing import Protocol

from orderforge.conversation.domain import Message
from orderforge.services.ports import RepositoryKey


class MessageRepository(Protocol):
    def add(self, message: Message) -> None:
        """Store a new message and its attachments and set its id; messages are
        never changed afterwards."""
        ...

    def for_order(self, order_number: str) -> list[Message]:
        """Every message of an order's thread, oldest first (internal ones included:
        the use cases decide who sees them)."""
        ...

    def get(self, message_id: int) -> Message | None: ...


MESSAGES: RepositoryKey[MessageRepository] = RepositoryKey("order_messages")
