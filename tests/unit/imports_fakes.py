"""In-memory stand-ins for the imports room's ports."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Collection

from orderforge.imports.domain import BatchStatus, ImportBatch, ImportKind


class FakeImportBatches:
    """Keeps copies, as a database would: a batch changes only through `mark_applied`."""

    def __init__(self) -> None:
        self.rows: dict[int, ImportBatch] = {}
        self.seen: list[ImportBatch] = []
        self._ids = itertools.count(1)

    def _copy(self, batch: ImportBatch) -> ImportBatch:
        found = copy.deepcopy(batch)
        found.pending_events = []
        return found

    def add(self, batch: ImportBatch) -> None:
        batch.id = next(self._ids)
        self.rows[batch.id] = self._copy(batch)
        self.seen.append(batch)

    def get(self, batch_id: int) -> ImportBatch | None:
        found = self.rows.get(batch_id)
        if found is None:
            return None
        batch = self._copy(found)
        self.seen.append(batch)
        return batch

    def recent(self, kinds: Collection[ImportKind], limit: int) -> list[ImportBatch]:
        newest = sorted(self.rows.values(), key=lambda b: -(b.id or 0))
        return [self._copy(b) for b in newest if b.kind in kinds][:limit]

    def mark_applied(self, batch: ImportBatch) -> bool:
        stored = self.rows.get(batch.id or 0)
        if stored is None or stored.status is not BatchStatus.PREVIEWED:
            return False
        stored.status = BatchStatus.APPLIED
        stored.applied_by, stored.applied_at = batch.applied_by, batch.applied_at
        return True


class FakeOrderReferences:
    def __init__(self) -> None:
        self.rows: dict[tuple[int, str], str] = {}

    def order_for(self, customer_id: int, reference: str) -> str | None:
        return self.rows.get((customer_id, reference))

    def add(self, customer_id: int, reference: str, order_number: str, at: dt.datetime) -> None:
        if (customer_id, reference) in self.rows:
            raise AssertionError("the unique index would refuse this reference")
        self.rows[(customer_id, reference)] = order_number
