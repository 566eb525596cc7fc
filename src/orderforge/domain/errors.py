"""Domain errors.

Every refusal carries a sentence a person understands, because the same error travels
unchanged to the API (as a problem body), the CLI (as its exit message) and the web
page (as a flash).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every business refusal; `message` is shown to people as is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist (or must not be seen by the asker)."""


class IllegalTransition(DomainError):
    """A lifecycle command is not allowed from the order's current state or its guard failed."""


class InvalidInput(DomainError):
    """Input broke a business rule; `field` names the offending field."""


class PermissionDenied(DomainError):
    """The acting user's role does not allow this action."""


class ConcurrencyConflict(DomainError):
    """Someone else changed the record since it was read (stale version)."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class IdempotencyMismatch(DomainError):
    """An idempotency key was reused with a different request body."""


class AuthenticationFailed(DomainError):
    """Credentials are missing, wrong or revoked."""


class TooManyAttempts(DomainError):
    """Too many failed attempts (sign-in, token creation, signature re-entry) for an
    account or from one client; `retry_after` is how many seconds until the next try."""

    def __init__(self, message: str, *, retry_after: int, reason: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        #: "account_locked" or "client_rate_limited": which limit refused the attempt
        self.reason = reason
