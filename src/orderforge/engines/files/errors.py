"""The one refusal of the file checks.

Engines stay independent of orderforge.domain (import-linter's layers contract), so the
check raises its own error with the same shape as the domain's InvalidInput (a sentence
and the field it concerns); the use case that calls it translates one into the other.
"""

from __future__ import annotations


class UploadRefused(Exception):
    """A file that must not be kept; `message` is shown to people as is, `field` is
    "name" (the file's name) or "file" (its content or size)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
