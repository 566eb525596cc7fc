"""`orderforge db`: the schema, backups and restores (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from orderforge.adapters.db import backup as backups
from orderforge.adapters.db import migrate
from orderforge.bootstrap import build
from orderforge.entrypoints.cli.common import err, out, refusals

db_app = typer.Typer(
    help="The database: schema upgrades, backups and restores.", no_args_is_help=True
)


def _refuse(exc: backups.BackupError) -> typer.Exit:
    err.print(f"[red]Error:[/red] {escape(str(exc))}", highlight=False)
    return typer.Exit(1)


@db_app.command("upgrade")
@refusals
def db_upgrade() -> None:
    """Bring the schema to the newest migration (safe to run repeatedly)."""
    application = build()
    application.upgrade_schema()
    out.print(f"Database schema is current: {application.engine.url.render_as_string()}")


@db_app.command("status")
@refusals
def db_status() -> None:
    """Show which database is used and whether its schema is current."""
    application = build()
    current = migrate.current_revision(application.engine)
    head = migrate.head_revision(application.engine)
    out.print(f"Database: {application.engine.url.render_as_string()}")
    out.print(f"Schema revision: {current or 'none'} (newest: {head})")


@db_app.command("backup")
@refusals
def db_backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write (must not exist).")],
) -> None:
    """Write a consistent backup of the database while the server may keep running
    (SQLite: its online backup API; PostgreSQL: pg_dump, custom format)."""
    application = build()
    try:
        result = backups.backup(application.engine, path)
    except backups.BackupError as exc:
        raise _refuse(exc) from None
    finally:
        application.engine.dispose()
    out.print(
        f"Backed up {application.engine.url.render_as_string()} to {result.path} "
        f"({result.size / 1e6:.1f} MB, schema {result.revision or 'none'}, "
        f"{result.seconds:.1f} s)."
    )


@db_app.command("restore")
@refusals
def db_restore(
    path: Annotated[Path, typer.Argument(help="A backup written by `orderforge db backup`.")],
    force: Annotated[
        bool,
        typer.Option("--force", help="Restore even while another process (a server) has it open."),
    ] = False,
) -> None:
    """Replace the database by a backup, then check its integrity and schema version.

    Everything stored since the backup is lost; refused while a server or worker has
    the database open, unless --force."""
    application = build()
    try:
        result = backups.restore(application.engine, path, force=force)
    except backups.BackupError as exc:
        raise _refuse(exc) from None
    finally:
        application.engine.dispose()
    out.print(f"Restored {application.engine.url.render_as_string()} from {result.source}.")
    if result.integrity != "ok":
        err.print(f"[red]Integrity check failed:[/red] {escape(result.integrity)}")
        raise typer.Exit(1)
    out.print("Integrity check: ok.")
    if not result.schema_current:
        err.print(
            f"[red]The restored schema is at {result.revision or 'no revision'}, this version "
            f"needs {result.head}:[/red] run `orderforge db upgrade` before serving."
        )
        raise typer.Exit(1)
    out.print(f"Schema is current ({result.revision}).")
