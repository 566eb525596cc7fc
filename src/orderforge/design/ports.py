"""Design ports: where revisions and their signatures are kept."""

from __future__ import annotations

from typing import Protocol

from orderforge.design.domain import DesignRevision
from orderforge.services.ports import RepositoryKey


class DesignRepository(Protocol):
    def add(self, revision: DesignRevision) -> None: ...

    def for_order(self, order_number: str) -> list[DesignRevision]:
        """Every revision of every line of the order, by line then letter."""
        ...

    def get(self, order_number: str, line_no: int, letter: str) -> DesignRevision | None: ...

    def save(self, revision: DesignRevision) -> None:
        """Store a revision's new state and its new signatures (a signature, once stored,
        is never changed); raises ConcurrencyConflict when someone else changed it."""
        ...


DESIGNS: RepositoryKey[DesignRepository] = RepositoryKey("designs")
