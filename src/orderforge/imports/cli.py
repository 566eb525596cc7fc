"""`orderforge import customers|items|orders FILE [--apply]`: print the preview of a
CSV or Excel file as a table; with --apply, and only when the preview has no errors,
apply it. Errors exit with code 1 and a sentence; the table names each by row and
column."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.entrypoints.cli.common import AsUser, _actor, _app, err, out, refusals
from orderforge.imports import services
from orderforge.imports.domain import Action, ImportBatch, ImportKind

import_app = typer.Typer(
    help="Customers, items and orders from CSV or Excel (.xlsx), previewed first.",
    no_args_is_help=True,
)
FileArg = Annotated[
    Path, typer.Argument(help="A .csv (UTF-8) or .xlsx file; its first row names the columns")
]
ApplyOpt = Annotated[
    bool, typer.Option("--apply", help="Apply the file when its preview has no errors")
]
_STYLE = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.UNCHANGED: "dim",
    Action.ERROR: "red",
}


def _table(batch: ImportBatch) -> Table:
    table = Table(title=f"Import {batch.id}: {batch.kind.value} from {escape(batch.file_name)}")
    for column in ("row", "key", "outcome", "details"):
        table.add_column(column)
    for o in batch.outcomes:
        details = "; ".join(
            [c.describe() for c in o.changes]
            + [f"{p.column or 'row'}: {p.message}" for p in o.problems]
        )
        if o.target:
            details = f"{o.target}: {details}" if details else o.target
        style = _STYLE[o.action]
        table.add_row(
            str(o.row), escape(o.key), f"[{style}]{o.action.value}[/{style}]", escape(details)
        )
    return table


def _run(kind: ImportKind, file: Path, apply: bool, as_user: str) -> None:
    application = _app()
    me = _actor(application, as_user)
    try:
        data = file.read_bytes()
    except OSError as exc:
        err.print(f"[red]Error [file]:[/red] cannot read {escape(str(file))}: {exc.strerror}.")
        raise typer.Exit(1) from None
    batch = services.upload(application.ctx, me, services.Upload(kind.value, file.name, data))
    out.print(_table(batch))
    counts = batch.counts()
    summary = ", ".join(f"{n} {a}" for a, n in counts.items() if n)
    if counts[Action.ERROR.value]:
        err.print(
            f"[red]Error:[/red] import {batch.id} has {counts['error']} row(s) with errors "
            f"({escape(summary)}); nothing was applied. Correct the file and run again.",
            highlight=False,
        )
        raise typer.Exit(1)
    if not apply:
        out.print(f"Preview only ({summary or 'no rows'}). Run again with --apply to apply it.")
        return
    applied = services.confirm(application.ctx, me, batch.id or 0)
    out.print(f"Import {applied.id} applied: {summary or 'no rows'}.")


@import_app.command("customers")
@refusals
def customers(file: FileArg, apply: ApplyOpt = False, as_user: AsUser = "admin") -> None:
    """Customers by code: code, name, email, country, address, price_group."""
    _run(ImportKind.CUSTOMERS, file, apply, as_user)


@import_app.command("items")
@refusals
def items(file: FileArg, apply: ApplyOpt = False, as_user: AsUser = "admin") -> None:
    """Items by code: code, name, unit, status, lead_time_days, cost."""
    _run(ImportKind.ITEMS, file, apply, as_user)


@import_app.command("orders")
@refusals
def orders(file: FileArg, apply: ApplyOpt = False, as_user: AsUser = "admin") -> None:
    """Quotes by the customer's reference: external_ref, customer, product_family,
    quantity, requested_date, notes and one spec.OPTION column per option
    (spec.wood, spec.length...)."""
    _run(ImportKind.ORDERS, file, apply, as_user)
