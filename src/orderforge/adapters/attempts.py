"""Failed-attempt limits (the AttemptLimiter port) on the `limits` library.

Each kind of attempt (sign-in, signature re-entry) has tiers per key name, for example
an account may fail 5 times a minute, 20 times an hour and 100 times a day: a guesser
is locked out for a minute, then for the rest of the hour, then for the rest of the
day, which is the backoff. Moving windows, so a lockout ends exactly when the oldest
failure in it is old enough. Storage is in memory by default (one process) and Redis
when configured (`redis://...`, several processes share the counts).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

#: kind -> key name -> limits, as `limits` writes them ("5/minute;20/hour")
Policy = Mapping[str, Mapping[str, str]]

DEFAULT_POLICY: dict[str, dict[str, str]] = {
    "sign_in": {"account": "5/minute;20/hour;100/day", "client": "30/minute;300/hour"},
    # Re-entering one's password to sign (21 CFR 11.200/11.300): a signed-in session that
    # guesses is stopped sooner than a sign-in page.
    "signature": {"account": "3/minute;10/hour;30/day", "client": "30/minute;300/hour"},
}


class LimitsAttemptLimiter:
    def __init__(self, policy: Policy | None = None, storage_url: str = "memory://") -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        self._items: dict[str, dict[str, list[RateLimitItem]]] = {
            kind: {key: parse_many(spec) for key, spec in tiers.items()}
            for kind, tiers in (policy or DEFAULT_POLICY).items()
        }

    def _tiers(self, kind: str, keys: Mapping[str, str]) -> list[tuple[str, str, RateLimitItem]]:
        tiers = self._items.get(kind, {})
        return [
            (name, value, item)
            for name, value in keys.items()
            for item in tiers.get(name, [])
            if value
        ]

    def retry_after(self, kind: str, keys: Mapping[str, str]) -> tuple[str, int] | None:
        worst: tuple[str, int] | None = None
        for name, value, item in self._tiers(kind, keys):
            if self._limiter.test(item, kind, name, value):
                continue
            stats = self._limiter.get_window_stats(item, kind, name, value)
            wait = max(1, math.ceil(stats.reset_time - time.time()))
            if worst is None or wait > worst[1]:
                worst = (name, wait)
        return worst

    def failed(self, kind: str, keys: Mapping[str, str]) -> None:
        for name, value, item in self._tiers(kind, keys):
            self._limiter.hit(item, kind, name, value)

    def succeeded(self, kind: str, keys: Mapping[str, str]) -> None:
        """A right password clears its account's count (not the client's: one address
        guessing many accounts stays limited however often it also signs in)."""
        for name, value, item in self._tiers(kind, keys):
            if name == "account":
                self._limiter.clear(item, kind, name, value)
