"""Import tables and their repositories (plain SQLAlchemy Core): a batch is one row
holding its file's rows and its preview as JSON, read and written whole; the customers'
external references are a small unique index onto orders."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import ContextStorage, TrackingRepository, inserted_id
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import JSONType, UTCDateTime
from orderforge.imports.domain import (
    BatchStatus,
    ImportBatch,
    ImportKind,
    Row,
    outcome_data,
    outcome_of,
)
from orderforge.imports.ports import IMPORT_BATCHES, ORDER_REFERENCES
from orderforge.services.ports import DuplicateRecord

import_batches = sa.Table(
    "import_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("file_name", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("error_count", sa.Integer, nullable=False),
    #: [{"number": 2, "cells": {"code": ..., ...}}, ...]: the file as read
    sa.Column("rows", JSONType, nullable=False),
    #: the preview: one outcome per row (domain.outcome_data)
    sa.Column("outcomes", JSONType, nullable=False),
    sa.Column("uploaded_by", sa.String(60), nullable=False),
    sa.Column("uploaded_at", UTCDateTime, nullable=False, index=True),
    sa.Column("applied_by", sa.String(60), nullable=True),
    sa.Column("applied_at", UTCDateTime, nullable=True),
)

import_order_references = sa.Table(
    "import_order_references",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
    #: the customer's own reference for the order (its PO number)
    sa.Column("external_ref", sa.String(60), nullable=False),
    sa.Column("order_number", sa.String(30), nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("customer_id", "external_ref"),
)


def _batch(row: Any) -> ImportBatch:
    return ImportBatch(
        kind=ImportKind(row.kind),
        file_name=row.file_name,
        rows=[Row(int(r["number"]), dict(r["cells"])) for r in row.rows],
        outcomes=[outcome_of(o) for o in row.outcomes],
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
        status=BatchStatus(row.status),
        applied_by=row.applied_by,
        applied_at=row.applied_at,
        id=row.id,
    )


class SqlImportBatchRepository(TrackingRepository[ImportBatch]):
    """Batches are tracked, so the `import_applied` event reaches the event log."""

    def add(self, batch: ImportBatch) -> None:
        result = self.session.execute(
            import_batches.insert().values(
                kind=batch.kind.value,
                file_name=batch.file_name,
                status=batch.status.value,
                row_count=len(batch.rows),
                error_count=len(batch.problems),
                rows=[{"number": r.number, "cells": r.cells} for r in batch.rows],
                outcomes=[outcome_data(o) for o in batch.outcomes],
                uploaded_by=batch.uploaded_by,
                uploaded_at=batch.uploaded_at,
                applied_by=batch.applied_by,
                applied_at=batch.applied_at,
            )
        )
        batch.id = inserted_id(result)
        self._track(batch)

    def get(self, batch_id: int) -> ImportBatch | None:
        row = self.session.execute(
            sa.select(import_batches).where(import_batches.c.id == batch_id)
        ).first()
        return self._track(_batch(row)) if row is not None else None

    def recent(self, kinds: Collection[ImportKind], limit: int) -> list[ImportBatch]:
        c = import_batches.c
        rows = self.session.execute(
            sa.select(import_batches)
            .where(c.kind.in_([k.value for k in kinds]))
            .order_by(c.id.desc())
            .limit(limit)
        )
        return self._track_all([_batch(r) for r in rows])

    def mark_applied(self, batch: ImportBatch) -> bool:
        c = import_batches.c
        result = self.session.execute(
            import_batches.update()
            .where(c.id == batch.id, c.status == BatchStatus.PREVIEWED.value)
            .values(
                status=BatchStatus.APPLIED.value,
                applied_by=batch.applied_by,
                applied_at=batch.applied_at,
            )
        )
        return bool(getattr(result, "rowcount", 0) == 1)


class SqlOrderReferenceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def order_for(self, customer_id: int, reference: str) -> str | None:
        c = import_order_references.c
        found = self.session.execute(
            sa.select(c.order_number).where(
                c.customer_id == customer_id, c.external_ref == reference
            )
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def add(self, customer_id: int, reference: str, order_number: str, at: Any) -> None:
        try:
            self.session.execute(
                import_order_references.insert().values(
                    customer_id=customer_id,
                    external_ref=reference,
                    order_number=order_number,
                    created_at=at,
                )
            )
        except IntegrityError as exc:  # a concurrent import took the reference first
            raise DuplicateRecord(str(exc.orig)) from exc


STORAGE = ContextStorage(
    name="imports",
    repositories={
        IMPORT_BATCHES.name: SqlImportBatchRepository,
        ORDER_REFERENCES.name: SqlOrderReferenceRepository,
    },
)
