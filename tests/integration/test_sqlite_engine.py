"""The embedded SQLite engine: durable commits, and reads that never wait for a writer
while writes still queue for the lock (docs/operations.md, docs/benchmarks.md)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orderforge.adapters.db import migrate
from orderforge.adapters.db.engine import create_db_engine, is_read_only, read_only


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = create_db_engine(f"sqlite:///{tmp_path / 'engine.db'}")
    migrate.upgrade(made, "0001")
    yield made
    made.dispose()


@pytest.fixture
def write_lock(engine: Engine) -> Iterator[sqlite3.Connection]:
    """Another connection holding SQLite's write lock until the test releases it."""
    holder = sqlite3.connect(
        str(engine.url.database), isolation_level=None, timeout=0, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def test_commits_are_synced_in_wal_mode(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_the_synchronous_setting_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous"):
        create_db_engine(f"sqlite:///{tmp_path / 'x.db'}", synchronous="SOMETIMES")  # type: ignore[arg-type]


def test_read_only_is_scoped(engine: Engine) -> None:
    assert not is_read_only()
    with read_only():
        assert is_read_only()
        with read_only():
            assert is_read_only()
        assert is_read_only()
    assert not is_read_only()


def test_a_read_only_transaction_does_not_wait_for_the_writer(
    engine: Engine, write_lock: sqlite3.Connection
) -> None:
    started = time.perf_counter()
    with read_only(), engine.begin() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
    assert time.perf_counter() - started < 5


def test_a_writing_transaction_queues_until_the_writer_is_done(
    engine: Engine, write_lock: sqlite3.Connection
) -> None:
    threading.Timer(0.5, lambda: write_lock.execute("ROLLBACK")).start()
    started = time.perf_counter()
    with engine.begin() as connection:  # BEGIN IMMEDIATE: waits on the busy timeout
        waited = time.perf_counter() - started
        connection.execute(sa.text("UPDATE alembic_version SET version_num = version_num"))
    assert waited >= 0.4
