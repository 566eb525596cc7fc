"""Change ports: where engineering changes and their signatures are kept."""

from __future__ import annotations

from typing import Protocol

from orderforge.change.domain import EngineeringChange
from orderforge.services.ports import RepositoryKey


class ChangeRepository(Protocol):
    def add(self, change: EngineeringChange) -> None: ...

    def get(self, number: str) -> EngineeringChange | None: ...

    def for_order(self, order_number: str) -> list[EngineeringChange]:
        """The order's changes, oldest first."""
        ...

    def open_changes(self) -> list[EngineeringChange]:
        """Changes waiting for a decision or for the customer's answer, oldest first."""
        ...

    def save(self, change: EngineeringChange) -> None:
        """Store a change's new state and its new signatures (a signature, once stored,
        is never changed); raises ConcurrencyConflict when someone else changed it."""
        ...


CHANGES: RepositoryKey[ChangeRepository] = RepositoryKey("changes")
