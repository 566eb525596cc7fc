"""Password hashing with argon2id (the PasswordHasher port) and the signatures' seal
(the Sealer port)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2PasswordHasher:
    def __init__(self, *, time_cost: int = 3, memory_cost: int = 65536) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)

    def hash(self, password: str) -> str:
        return str(self._hasher.hash(password))

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(password_hash, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


class HmacSealer:
    """HMAC-SHA256 with a key derived from the plant's secret key (never the key itself,
    so a seal reveals nothing about the session-signing key)."""

    def __init__(self, secret_key: Callable[[], str]) -> None:
        #: Read on first use: the key may live in a file under var/ made on demand.
        self._secret_key = secret_key
        self._key: bytes | None = None

    def seal(self, data: bytes) -> str:
        if self._key is None:
            self._key = hmac.new(
                self._secret_key().encode(), b"orderforge electronic signatures v1", hashlib.sha256
            ).digest()
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()

    def verify(self, data: bytes, seal: str) -> bool:
        return hmac.compare_digest(self.seal(data), seal)
