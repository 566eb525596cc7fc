"""Database engines: SQLite (embedded default) and PostgreSQL, configured for safety.

SQLite runs in WAL mode with `synchronous=FULL`: every commit syncs the write-ahead log
before it is acknowledged, so a power cut loses nothing that was reported as stored
(`NORMAL` in WAL mode only protects against corruption and may roll back the last
commits; docs/benchmarks.md has the cost measured). Writing transactions start with
`BEGIN IMMEDIATE`, so concurrent writers queue on the busy timeout instead of failing
half-way through a read-modify-write (SQLite cannot wait when a read transaction has to
become a write one). Transactions inside `read_only()` start with a plain (deferred)
`BEGIN` instead: WAL readers see a snapshot and never take, nor wait for, the write lock.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]

#: Set by `read_only()`; the context variable follows a request into the worker thread
#: that runs a synchronous endpoint (Starlette copies the context).
_READ_ONLY: ContextVar[bool] = ContextVar("orderforge_read_only", default=False)


@contextmanager
def read_only() -> Iterator[None]:
    """Transactions begun inside only read: on SQLite they start deferred, so they never
    take the write lock. A write inside one still works while nobody else writes; under
    contention SQLite refuses it at once ("database is locked") rather than lose an
    update, so only wrap work that does not write (GET requests, reports)."""
    token = _READ_ONLY.set(True)
    try:
        yield
    finally:
        _READ_ONLY.reset(token)


@contextmanager
def writable() -> Iterator[None]:
    """A transaction that writes inside a read-only request (a session marked seen
    while a page is viewed): it begins IMMEDIATE, as every write must."""
    token = _READ_ONLY.set(False)
    try:
        yield
    finally:
        _READ_ONLY.reset(token)


def is_read_only() -> bool:
    return _READ_ONLY.get()


def refresh_statistics(engine: Engine) -> None:
    """Bring the query planner's statistics up to date after a bulk load (the demo with
    its history, a restore). PostgreSQL's autovacuum would analyze the new rows only
    after a minute or more, and until then plans its queries for empty tables; SQLite's
    `PRAGMA optimize` analyzes what looks worth it."""
    statement = "ANALYZE" if engine.dialect.name == "postgresql" else "PRAGMA optimize"
    with engine.begin() as connection:
        connection.execute(sa.text(statement))


def create_db_engine(url: str, *, synchronous: Synchronous = "FULL", **kwargs: Any) -> Engine:
    """`synchronous` applies to SQLite only (benchmarks compare settings with it)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, synchronous, **kwargs)
    return sa.create_engine(parsed, pool_pre_ping=True, future=True, **kwargs)


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only (0600) before SQLite opens
    it; SQLite gives its -wal and -shm files the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_engine(url: sa.URL, synchronous: Synchronous, **kwargs: Any) -> Engine:
    if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")
    if url.database and url.database != ":memory:":
        _create_private(Path(url.database))
    engine = sa.create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if _READ_ONLY.get() else "BEGIN IMMEDIATE")

    return engine
