"""Import ports: where batches are kept, and which order an external reference (the
customer's PO number) names. Customers, items and orders themselves are reached only
through their own contexts' use cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Protocol

from orderforge.imports.domain import ImportBatch, ImportKind
from orderforge.services.ports import RepositoryKey


class ImportBatchRepository(Protocol):
    def add(self, batch: ImportBatch) -> None:
        """Store a new batch (rows and preview) and set its id."""
        ...

    def get(self, batch_id: int) -> ImportBatch | None: ...

    def recent(self, kinds: Collection[ImportKind], limit: int) -> list[ImportBatch]:
        """The newest batches of these kinds first, for the import page."""
        ...

    def mark_applied(self, batch: ImportBatch) -> bool:
        """Store that `batch` was applied (by whom, when) unless it already was; whether
        this call did it. A second confirm racing the first finds it done."""
        ...


class OrderReferenceRepository(Protocol):
    """Orders by the customer's own reference: unique per customer, so a file's row
    finds the order it created before."""

    def order_for(self, customer_id: int, reference: str) -> str | None:
        """The order number the customer's reference names, if any."""
        ...

    def add(self, customer_id: int, reference: str, order_number: str, at: dt.datetime) -> None:
        """Raises DuplicateRecord when the customer's reference is taken already."""
        ...


IMPORT_BATCHES: RepositoryKey[ImportBatchRepository] = RepositoryKey("import_batches")
ORDER_REFERENCES: RepositoryKey[OrderReferenceRepository] = RepositoryKey("order_references")
