"""Materials on the command line: `orderforge mrp run` (with a progress bar),
`orderforge po list|show|receive|reschedule`, and `orderforge stock [ITEM]`. Refusals print a
sentence and exit 1, like every command."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.cli.common import AsUser, _actor, _app, err, out, refusals
from orderforge.materials.services import mrp, purchasing, views

mrp_app = typer.Typer(help="Material requirements planning (MRP) runs.", no_args_is_help=True)
po_app = typer.Typer(help="Purchase orders: list, show, receive, reschedule.", no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@mrp_app.command("run")
@refusals
def mrp_run(
    as_user: AsUser = "purchasing",
    as_json: Json = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Net every committed order's materials against stock and open purchase orders
    and propose purchases for the rest (replacing the previous run's proposals)."""
    application = _app()
    actor = _actor(application, as_user)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet or as_json,
    ) as progress:
        task = progress.add_task("Starting", total=1.0)

        def on_progress(share: float, what: str) -> None:
            progress.update(task, completed=share, description=what)

        run = mrp.run_mrp(application.ctx, actor, on_progress)
    if as_json:
        print(json.dumps(run, indent=2))
        return
    c = run["counts"]
    out.print(
        f"MRP run {run['id']} {run['status']}: {c['requirements']} requirements of "
        f"{c['orders']} orders, covered in {c['from_stock']} parts from stock, "
        f"{c['from_purchases']} from purchase orders, {c['from_proposals']} to buy; "
        f"{c['missing']} cannot be sourced; "
        f"{c['proposals']} proposals ({c['late_proposals']} late)."
    )


@mrp_app.command("cancel")
@refusals
def mrp_cancel(run_id: int, as_user: AsUser = "purchasing", as_json: Json = False) -> None:
    """Cancel a queued MRP run (refused once a worker has taken it or it has ended)."""
    application = _app()
    run = mrp.cancel_run(application.ctx, _actor(application, as_user), run_id)
    if as_json:
        print(json.dumps(run, indent=2))
    else:
        out.print(f"MRP run {run['id']} cancelled; it will not run.")


@mrp_app.command("retry")
@refusals
def mrp_retry(run_id: int, as_user: AsUser = "purchasing", as_json: Json = False) -> None:
    """Retry a failed MRP run: a new run naming the failed one, carried out here."""
    application = _app()
    ctx = replace(application.ctx, jobs=None)  # the foreground, like `mrp run`
    run = mrp.retry_run(ctx, _actor(application, as_user), run_id)
    if as_json:
        print(json.dumps(run, indent=2))
        return
    out.print(f"MRP run {run['id']} (retrying run {run_id}) {run['status']}.")


def _po_table(rows: list[dict[str, Any]]) -> Table:
    table = Table()
    for column in ("purchase order", "supplier", "status", "order by", "lines", "open", "total"):
        table.add_column(column)
    for po in rows:
        open_lines = sum(1 for x in po["lines"] if Decimal(x["open_quantity"]) > 0)
        table.add_row(
            po["number"],
            escape(po["supplier"]),
            po["status_label"],
            po["order_by"],
            str(len(po["lines"])),
            str(open_lines),
            f"{po['total']} {po['currency']}",
        )
    return table


@po_app.command("list")
@refusals
def po_list(
    status: Annotated[str | None, typer.Option(help="Only this status (ordered, ...)")] = None,
    as_user: AsUser = "purchasing",
    as_json: Json = False,
) -> None:
    """Purchase orders, newest first."""
    application = _app()
    rows = views.purchase_orders(application.ctx, _actor(application, as_user), status)
    if as_json:
        print(json.dumps(rows, indent=2))
    else:
        out.print(_po_table(rows))


@po_app.command("show")
@refusals
def po_show(number: str, as_user: AsUser = "purchasing", as_json: Json = False) -> None:
    """A purchase order, its lines and the orders each line serves."""
    application = _app()
    view = views.purchase_order(application.ctx, _actor(application, as_user), number)
    if as_json:
        print(json.dumps(view, indent=2))
        return
    out.print(
        escape(
            f"{view['number']} to {view['supplier']}: {view['status_label']}, order by "
            f"{view['order_by']}, total {view['total']} {view['currency']}"
        )
    )
    table = Table()
    for column in ("line", "item", "qty", "received", "open", "expected", "serves"):
        table.add_column(column)
    for x in view["lines"]:
        serves = ", ".join(sorted({p["order_number"] for p in x["pegs"]})) or "-"
        table.add_row(
            str(x["line_no"]),
            x["item_code"],
            x["quantity"],
            x["received_quantity"],
            x["open_quantity"],
            x["expected_at"][:10],
            serves,
        )
    out.print(table)


@po_app.command("receive")
@refusals
def po_receive(
    number: str,
    line: int,
    quantity: str,
    lot: Annotated[str | None, typer.Option("--lot", help="Lot number (default: next)")] = None,
    location: Annotated[
        str | None, typer.Option("--location", help="Where it is put (default MAIN)")
    ] = None,
    as_user: AsUser = "purchasing",
) -> None:
    """Receive QUANTITY on LINE of purchase order NUMBER; creates a lot."""
    application = _app()
    try:
        amount = Decimal(quantity)
    except InvalidOperation:
        raise InvalidInput(
            f"quantity must be a number, not {quantity!r}.", field="quantity"
        ) from None
    received = purchasing.receive(
        application.ctx,
        _actor(application, as_user),
        purchasing.Receipt(number, line, amount, lot, location),
    )
    out.print(
        escape(
            f"Received {received['quantity']} {received['item_code']} as lot "
            f"{received['lot_number']} at {received['location']}."
        )
    )


@po_app.command("reschedule")
@refusals
def po_reschedule(
    number: str,
    line: int,
    expected_on: Annotated[str, typer.Argument(help="The new arrival date, YYYY-MM-DD")],
    as_user: AsUser = "purchasing",
) -> None:
    """Give LINE of purchase order NUMBER the supplier's new arrival date."""
    application = _app()
    try:
        when = dt.date.fromisoformat(expected_on)
    except ValueError:
        raise InvalidInput(
            f"expected_on must be a date like 2026-12-24, not {expected_on!r}.",
            field="expected_on",
        ) from None
    po = purchasing.reschedule(
        application.ctx, _actor(application, as_user), purchasing.Reschedule(number, line, when)
    )
    out.print(escape(f"{po['number']} line {line} now arrives on {when:%a %d %b %Y}."))


def stock(
    item: Annotated[str | None, typer.Argument(help="One item's stock and lots")] = None,
    as_user: AsUser = "purchasing",
    as_json: Json = False,
) -> None:
    """Stock per item: on hand, pegged to orders, free, on order."""
    application = _app()
    rows = views.stock(application.ctx, _actor(application, as_user), item)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table()
    for column in ("item", "name", "policy", "on hand", "pegged", "free", "on order", "lots"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["item_code"],
            escape(r["name"]),
            r["policy"].replace("_", "/"),
            f"{r['on_hand']} {r['unit']}",
            r["pegged"],
            r["free"],
            r["on_order"],
            ", ".join(
                [x["lot_number"] for x in r["lots"]]
                + [f"{x['lot_number']} ({x['hold_label'].lower()}, {x['ncr']})" for x in r["held"]]
            )
            or "-",
        )
    out.print(table)


stock_command = refusals(stock)
