"""`orderforge db backup` / `db restore`: a demo database backed up, changed, restored,
and found as it was at backup time, with the integrity and migration checks passing."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from orderforge.adapters.db import backup as backups
from orderforge.adapters.db import migrate
from orderforge.adapters.db.engine import create_db_engine
from orderforge.bootstrap import Application, build
from orderforge.demo import load_demo
from orderforge.domain.customer import Customer
from orderforge.entrypoints.cli.main import app as cli_app
from tests.conftest import DEMO_PASSWORD, fast_hasher, make_settings


def _cli(url: str, var: Path, *args: str, code: int = 0) -> str:
    env = {"ORDERFORGE_DATABASE_URL": url, "ORDERFORGE_VAR_DIR": str(var), "COLUMNS": "200"}
    result = CliRunner().invoke(cli_app, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.output


def _snapshot(app: Application) -> dict[str, object]:
    with app.engine.connect() as connection:
        return {
            "customers": connection.execute(
                sa.text("SELECT code, name, version FROM customers ORDER BY code")
            ).all(),
            "orders": connection.execute(
                sa.text("SELECT number, state, version FROM orders ORDER BY number")
            ).all(),
            "events": connection.execute(sa.text("SELECT count(*) FROM events")).scalar_one(),
        }


def _change(app: Application) -> None:
    with app.ctx.uow() as uow:
        uow.customers.add(
            Customer.register(
                code="C-AFTER-BACKUP",
                name="Stored after the backup",
                email="",
                country="DE",
                actor="test",
                at=dt.datetime.now(dt.UTC),
            )
        )
        uow.commit()
    with app.engine.begin() as connection:
        connection.execute(sa.text("UPDATE customers SET name = 'Renamed', version = version + 1"))


@pytest.fixture
def demo_app(database_url: str, tmp_path: Path) -> Application:
    if database_url.startswith("postgresql") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed: PostgreSQL backups cannot be tested here")
    app = build(make_settings(database_url, tmp_path / "var"), hasher=fast_hasher())
    app.upgrade_schema()
    load_demo(app.ctx, DEMO_PASSWORD)
    return app


def test_restore_brings_back_the_database_as_backed_up(
    demo_app: Application, tmp_path: Path
) -> None:
    url = demo_app.engine.url.render_as_string(hide_password=False)
    at_backup = _snapshot(demo_app)
    target = tmp_path / "orderforge.backup"
    assert "Backed up" in _cli(url, tmp_path / "var", "db", "backup", str(target))
    assert target.stat().st_size > 0
    _change(demo_app)
    assert _snapshot(demo_app) != at_backup
    demo_app.close()
    # PostgreSQL: other tests' sessions may share the database; SQLite: nobody has it open.
    force = ["--force"] if demo_app.engine.dialect.name == "postgresql" else []
    output = _cli(url, tmp_path / "var", "db", "restore", str(target), *force)
    assert "Integrity check: ok." in output
    assert f"Schema is current ({migrate.shipped_head()})" in output
    assert _snapshot(demo_app) == at_backup
    if demo_app.engine.dialect.name == "sqlite":
        assert backups.sqlite_integrity(Path(str(demo_app.engine.url.database))) == "ok"
    assert migrate.current_revision(demo_app.engine) == migrate.shipped_head()
    demo_app.engine.dispose()


def test_a_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate.upgrade(engine, "0001")
    existing = tmp_path / "taken"
    existing.write_text("keep me")
    with pytest.raises(backups.BackupError, match="already exists"):
        backups.backup(engine, existing)
    assert existing.read_text() == "keep me"
    engine.dispose()


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate.upgrade(engine, "0001")
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(backups.BackupError, match="not an SQLite database"):
        backups.restore(engine, junk)
    with pytest.raises(backups.BackupError, match="no backup file"):
        backups.restore(engine, tmp_path / "missing")
    assert migrate.current_revision(engine) == "0001"  # untouched
    engine.dispose()


HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    connection = sqlite3.connect(sys.argv[1])
    connection.execute("SELECT count(*) FROM alembic_version").fetchall()
    print("open", flush=True)
    time.sleep(120)
    """
)


def test_restore_refuses_a_database_another_process_has_open(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite"
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    backup_file = tmp_path / "at-head.backup"
    backups.backup(engine, backup_file)
    engine.dispose()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        refused = _cli(url, tmp_path, "db", "restore", str(backup_file), code=1)
        assert "open in another process" in refused and "--force" in refused
        forced = _cli(url, tmp_path, "db", "restore", str(backup_file), "--force")
        assert "Integrity check: ok." in forced
    finally:
        holder.kill()
        holder.wait()
    # with the other process gone, no --force is needed
    assert "Schema is current" in _cli(url, tmp_path, "db", "restore", str(backup_file))


def test_restore_of_an_older_schema_says_to_upgrade(tmp_path: Path) -> None:
    old = create_db_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    migrate.upgrade(old, "0001")
    old_backup = tmp_path / "old.backup"
    assert backups.backup(old, old_backup).revision == "0001"
    old.dispose()
    url = f"sqlite:///{tmp_path / 'current.sqlite'}"
    current = create_db_engine(url)
    migrate.upgrade(current)
    current.dispose()
    output = _cli(url, tmp_path, "db", "restore", str(old_backup), code=1)
    assert "Integrity check: ok." in output
    assert "0001" in output and "orderforge db upgrade" in output


def test_postgres_backup_names_the_missing_tool(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    engine = create_db_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    with pytest.raises(backups.BackupError, match="pg_dump is not installed"):
        backups.backup(engine, tmp_path / "pg.backup")
    dump = tmp_path / "some.dump"
    dump.write_bytes(b"PGDMP")
    with pytest.raises(backups.BackupError, match="pg_restore is not installed"):
        backups.restore(engine, dump)
    assert not (tmp_path / "pg.backup").exists()
