"""Storage of recorded runs (services/runs.py): one table shape per room, plain rows.

Each room that has runs defines its table with `runs_table` in its storage module (so the
schema test and Alembic see it) and answers its RunRepository key with `SqlRunRepository`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orderforge.adapters.db.context_storage import inserted_id
from orderforge.adapters.db.tables import metadata
from orderforge.adapters.db.types import JSONType, UTCDateTime
from orderforge.domain.runs import RecordedRun, RunStatus


def runs_table(name: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(40), nullable=False, index=True),
        sa.Column("params", JSONType, nullable=False),
        sa.Column("requested_by", sa.String(60), nullable=False),
        sa.Column("requested_at", UTCDateTime, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=True),
        sa.Column("finished_at", UTCDateTime, nullable=True),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("result", JSONType, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )


def _run(r: Any) -> RecordedRun:
    return RecordedRun(
        kind=r.kind,
        params=dict(r.params),
        requested_by=r.requested_by,
        requested_at=r.requested_at,
        status=RunStatus(r.status),
        started_at=r.started_at,
        finished_at=r.finished_at,
        progress=r.progress,
        result=r.result,
        error=r.error,
        id=r.id,
    )


def _row(run: RecordedRun) -> dict[str, Any]:
    return {
        "kind": run.kind,
        "status": run.status.value,
        "params": run.params,
        "requested_by": run.requested_by,
        "requested_at": run.requested_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "progress": run.progress,
        "result": run.result,
        "error": run.error,
    }


class SqlRunRepository:
    def __init__(self, session: Session, table: sa.Table) -> None:
        self.session = session
        self.table = table

    def add(self, run: RecordedRun) -> None:
        run.id = inserted_id(self.session.execute(sa.insert(self.table).values(**_row(run))))

    def get(self, run_id: int, lock: bool = False) -> RecordedRun | None:
        stmt = sa.select(self.table).where(self.table.c.id == run_id)
        if lock:  # FOR UPDATE on PostgreSQL; SQLite serialises writers itself
            stmt = stmt.with_for_update()
        row = self.session.execute(stmt).one_or_none()
        return None if row is None else _run(row)

    def save(self, run: RecordedRun) -> None:
        t = self.table
        self.session.execute(sa.update(t).where(t.c.id == run.id).values(**_row(run)))

    def latest(self, limit: int = 20, kind: str | None = None) -> list[RecordedRun]:
        t = self.table
        stmt = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        if kind is not None:
            stmt = stmt.where(t.c.kind == kind)
        return [_run(r) for r in self.session.execute(stmt)]

    def set_progress(self, run_id: int, progress: float) -> None:
        t = self.table
        self.session.execute(sa.update(t).where(t.c.id == run_id).values(progress=progress))
