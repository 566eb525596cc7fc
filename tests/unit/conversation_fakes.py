"""In-memory stand-ins for the conversation's ports and the platform's file store."""

from __future__ import annotations

import copy
import hashlib
import itertools
from pathlib import Path

from orderforge.conversation.domain import Message
from orderforge.conversation.ports import MessageRepository
from orderforge.services.ports import FileStore, StoredBlob


class FakeMessages:
    """Append-only like the tables: `add` stores a copy, nothing changes it later."""

    def __init__(self) -> None:
        self.rows: list[Message] = []
        self._ids = itertools.count(1)

    def add(self, message: Message) -> None:
        message.id = next(self._ids)
        stored = copy.copy(message)
        stored.pending_events = []
        self.rows.append(stored)

    def for_order(self, order_number: str) -> list[Message]:
        return [m for m in self.rows if m.order_number == order_number]

    def get(self, message_id: int) -> Message | None:
        return next((m for m in self.rows if m.id == message_id), None)


class FakeFileStore:
    """Bytes by SHA-256 in a dict; `puts` counts every call (a refused post makes none)."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.puts = 0

    def put(self, data: bytes) -> StoredBlob:
        self.puts += 1
        digest = hashlib.sha256(data).hexdigest()
        self.blobs.setdefault(digest, data)
        return StoredBlob(digest, len(data))

    def get(self, sha256: str) -> bytes:
        return self.blobs[sha256]

    def exists(self, sha256: str) -> bool:
        return sha256 in self.blobs


class DirectoryFileStore:
    """Files in a folder, named by digest (the API and integration tests' store until the
    files room's disk adapter is merged)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes) -> StoredBlob:
        digest = hashlib.sha256(data).hexdigest()
        path = self.root / digest
        if not path.exists():
            path.write_bytes(data)
        return StoredBlob(digest, len(data))

    def get(self, sha256: str) -> bytes:
        path = self.root / sha256
        if not path.is_file():
            raise KeyError(sha256)
        return path.read_bytes()

    def exists(self, sha256: str) -> bool:
        return (self.root / sha256).is_file()

    def count(self) -> int:
        return sum(1 for _ in self.root.iterdir())


_messages: type[MessageRepository] = FakeMessages
_memory: type[FileStore] = FakeFileStore
_directory: type[FileStore] = DirectoryFileStore
