"""Backups and restores of the whole database, safe while the server runs.

SQLite goes through its online backup API: the copy is one consistent snapshot taken
page by page under SQLite's own locking, never a file copy that could catch a half
written page or miss the write-ahead log. A restore writes through the same API into the
live file, so a process that has it open sees either the old or the restored database.
PostgreSQL goes through its own tools (pg_dump / pg_restore, custom format), which must
be installed; a missing one is named.

After a restore the database is checked: SQLite's `PRAGMA integrity_check`, and that the
schema is at the newest migration of this code.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orderforge.adapters.db import migrate
from orderforge.adapters.db.engine import refresh_statistics

SQLITE_HEADER = b"SQLite format 3\x00"
#: Byte of the -shm file every open SQLite connection holds a shared lock on (the unix
#: VFS's "DMS" slot: 120 + 8): a lock we cannot take means another process has the
#: database open.
_SQLITE_SHM_DMS = 128


class BackupError(Exception):
    """Why a backup or restore was refused or failed, as a sentence for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    revision: str | None
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    revision: str | None
    head: str | None
    integrity: str
    seconds: float

    @property
    def schema_current(self) -> bool:
        return self.revision is not None and self.revision == self.head


def backup(engine: Engine, path: Path) -> BackupResult:
    """Write a consistent copy of the database to `path` (which must not exist)."""
    path = path.expanduser().resolve()
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new file name for the backup.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    started = time.perf_counter()
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if engine.dialect.name == "sqlite":
            revision = _sqlite_backup(_sqlite_file(engine), partial)
        elif engine.dialect.name == "postgresql":
            _tool("pg_dump")  # named before anything else is tried
            revision = migrate.current_revision(engine)
            _pg_dump(engine, partial)
        else:
            raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path, path.stat().st_size, revision, time.perf_counter() - started)


def restore(engine: Engine, source: Path, *, force: bool = False) -> RestoreResult:
    """Replace the database's content by the backup at `source`, then check it.

    Refuses while another process has the database open (a running server, a worker)
    unless `force`: their work since the backup would be lost without them knowing."""
    source = source.expanduser().resolve()
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    started = time.perf_counter()
    engine.dispose()  # our own pooled connections are not "someone else"
    if engine.dialect.name == "sqlite":
        target = _sqlite_file(engine)
        _check_sqlite_backup(source)
        if not force and _sqlite_in_use(target):
            raise BackupError(
                f"{target} is open in another process (a running server or worker?): stop "
                "it first, or pass --force to restore under it."
            )
        _sqlite_restore(source, target)
        integrity = sqlite_integrity(target)
    elif engine.dialect.name == "postgresql":
        _check_pg_backup(source)
        others = _pg_other_sessions(engine)
        if not force and others:
            raise BackupError(
                f"{others} other session(s) are connected to the database (a running "
                "server or worker?): stop them first, or pass --force to restore anyway."
            )
        _pg_restore(engine, source)
        integrity = _pg_reachable(engine)
    else:
        raise BackupError(f"Restores of {engine.dialect.name} databases are not supported.")
    engine.dispose()
    refresh_statistics(engine)
    revision = migrate.current_revision(engine)
    return RestoreResult(
        source, revision, migrate.shipped_head(), integrity, time.perf_counter() - started
    )


# --- SQLite --------------------------------------------------------------------------


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database).resolve()


def sqlite_integrity(path: Path) -> str:
    """'ok', or the first problems SQLite's integrity check found."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    return "; ".join(str(row[0]) for row in rows[:5])


def _sqlite_backup(database: Path, partial: Path) -> str | None:
    if not database.exists():
        raise BackupError(f"There is no database at {database} to back up.")
    source = sqlite3.connect(database, timeout=30)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        # A self-contained file: no -wal beside it to forget when it is copied off site.
        target.execute("PRAGMA journal_mode=DELETE")
        revision = _sqlite_revision(target)
    finally:
        target.close()
        source.close()
    integrity = sqlite_integrity(partial)
    if integrity != "ok":
        raise BackupError(f"The copy failed SQLite's integrity check: {integrity}")
    return revision


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _check_sqlite_backup(source: Path) -> None:
    with source.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{source} is not an SQLite database (not a backup of this one).")
    integrity = sqlite_integrity(source)
    if integrity != "ok":
        raise BackupError(f"The backup {source} is damaged: {integrity}")


def _sqlite_in_use(database: Path) -> bool:
    """Whether another process has the database open (see `_SQLITE_SHM_DMS`).

    POSIX locks belong to the process: closing our descriptor drops every lock this
    process holds on the file, so this runs only after our own connections are closed."""
    shm = database.with_name(database.name + "-shm")
    if not shm.exists():
        return False  # the last connection to close removes it
    fd = os.open(shm, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SQLITE_SHM_DMS)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, _SQLITE_SHM_DMS)
        return False
    finally:
        os.close(fd)


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(target, timeout=30)
    try:
        live.execute("PRAGMA busy_timeout=30000")
        backup_file.backup(live)
        live.execute("PRAGMA journal_mode=WAL")
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        live.close()
        backup_file.close()


# --- PostgreSQL ----------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed (or not on PATH); PostgreSQL backups need the "
            "PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client)."
        )
    return found


def _libpq(engine: Engine) -> tuple[str, dict[str, str], str | None]:
    """The URL for libpq tools (no SQLAlchemy driver, password in the environment, not
    on a command line others can read), and the schema a search_path option names."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    options = str(url.query.get("options", ""))
    schema = None
    if "search_path=" in options:
        schema = options.split("search_path=", 1)[1].split()[0].split(",")[0] or None
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env, schema


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    # the tool is found on PATH by name, the arguments are ours: no shell, no user text
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {' / '.join(detail[-3:]) or done.returncode}")


def _pg_dump(engine: Engine, partial: Path) -> None:
    url, env, schema = _libpq(engine)
    command = [_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={url}"]
    if schema:
        command.append(f"--schema={schema}")
    _run(command, env, "pg_dump")


def _check_pg_backup(source: Path) -> None:
    command = [_tool("pg_restore"), "--list", str(source)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{source} is not a pg_dump backup (custom format) pg_restore can read.")


def _pg_other_sessions(engine: Engine) -> int:
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )
    with engine.connect() as connection:
        count = int(connection.execute(query).scalar_one())
    engine.dispose()
    return count


def _pg_restore(engine: Engine, source: Path) -> None:
    url, env, _schema = _libpq(engine)
    command = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={url}",
        str(source),
    ]
    _run(command, env, "pg_restore")


def _pg_reachable(engine: Engine) -> str:
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    return "ok"
