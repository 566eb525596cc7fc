"""Work orders on the command line: `orderforge wo list|show` to read them, `orderforge wo
consume` to issue a lot to an operation, and `orderforge op start|pause|complete|problem`
to report from the floor (`--key` makes a report
safe to repeat). Refusals print a sentence and exit 1, like every command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals
from orderforge.production.domain import ReportKind
from orderforge.production.services import reports, travelers, units, work_orders
from orderforge.services import plant_time

wo_app = typer.Typer(
    help="Work orders: the work of each confirmed order line.", no_args_is_help=True
)
op_app = typer.Typer(
    help="Report an operation of a work order: start, pause, complete, problem.",
    no_args_is_help=True,
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Key = Annotated[
    str | None,
    typer.Option("--key", help="Idempotency key: repeating a report with it counts it once."),
]
Seq = Annotated[int, typer.Argument(help="Operation number (10, 20, 30...)")]


def _summary_table(rows: list[dict[str, Any]]) -> Table:
    table = Table()
    for column in ("work order", "order", "line", "rev", "status", "qty", "family", "done"):
        table.add_column(column)
    for w in rows:
        done = sum(1 for o in w["operations"] if o["status"] == "done")
        table.add_row(
            w["number"],
            w["order_number"],
            str(w["line_no"]),
            str(w["revision"]),
            w["status"].replace("_", " "),
            str(w["quantity"]),
            w["product_family"],
            f"{done}/{len(w['operations'])}",
        )
    return table


def _print_work_order(view: dict[str, Any]) -> None:
    out.print(
        escape(
            f"{view['number']} (revision {view['revision']}) for {view['order_number']} line "
            f"{view['line_no']}: {view['quantity']}x {view['product_family']}, "
            f"{view['status'].replace('_', ' ')}"
        )
    )
    table = Table(title="Operations")
    for column in ("op", "name", "work centres", "after", "status", "good", "scrap", "on"):
        table.add_column(column)
    for o in view["operations"]:
        table.add_row(
            str(o["seq"]),
            escape(o["name"]),
            ", ".join(o["work_centres"]),
            ", ".join(str(p) for p in o["predecessors"]) or "-",
            o["status"],
            str(o["good_quantity"]),
            str(o["scrap_quantity"]),
            o["work_centre"] or "-",
        )
    out.print(table)


@wo_app.command("list")
@refusals
def wo_list(
    order: Annotated[str | None, typer.Option("--order", help="Only this order's (SO-...)")] = None,
    limit: int = 50,
    as_user: AsUser = "admin",
    as_json: Json = False,
) -> None:
    """List work orders, newest first (an order's: every revision, superseded ones too)."""
    application = _app()
    rows = work_orders.list_work_orders(application.ctx, _actor(application, as_user), order, limit)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    out.print(_summary_table(rows))


@wo_app.command("show")
@refusals
def wo_show(number: str, as_user: AsUser = "admin", as_json: Json = False) -> None:
    """Show a work order: operations, materials and the floor's reports."""
    application = _app()
    view = work_orders.get_work_order(application.ctx, _actor(application, as_user), number)
    if as_json:
        print(json.dumps(view, indent=2))
        return
    _print_work_order(view)
    materials = Table(title="Materials")
    for column in ("item", "name", "quantity", "unit"):
        materials.add_column(column)
    for m in view["materials"]:
        materials.add_row(m["item_code"], escape(m["name"]), m["quantity"], m["unit"])
    out.print(materials)
    if view["reports"]:
        zone = plant_time.zone_of(application.ctx)
        table = Table(title=f"Reports (times in {zone.key})")
        for column in ("when", "who", "op", "report", "good", "scrap", "note"):
            table.add_column(column)
        for r in view["reports"]:
            table.add_row(
                plant_time.show(r["reported_at"], zone),
                r["actor"],
                str(r["seq"]),
                r["kind"],
                str(r["good"]),
                str(r["scrap"]),
                escape(r["note"]),
            )
        out.print(table)
    if view["serials"]:
        out.print("Serial numbers: " + ", ".join(x["serial"] for x in view["serials"]))


@wo_app.command("consume")
@refusals
def wo_consume(
    number: str,
    seq: Seq,
    lot: Annotated[str, typer.Option("--lot", help="Lot number (L-2026-00012)")],
    quantity: Annotated[str, typer.Option("--quantity", help="How much, in the item's unit")],
    key: Key = None,
    as_user: AsUser = "admin",
) -> None:
    """Issue a material lot to an operation of a work order (the lot's stock drops)."""
    application = _app()
    cmd = units.ConsumeLot(number, seq, lot, units.parse_quantity(quantity))
    outcome = units.consume_lot(application.ctx, _actor(application, as_user), cmd, key)
    v = outcome.view
    again = " (already recorded with this key; taken once)" if outcome.replayed else ""
    out.print(
        escape(
            f"Issued {v['quantity']} of lot {v['lot']} ({v['item_code']}) to {v['work_order']} "
            f"operation {v['seq']}.{again}"
        )
    )


@wo_app.command("traveler")
@refusals
def wo_traveler(
    number: str,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the PDF")],
    as_user: AsUser = "planner",
) -> None:
    """Print a work order's traveler as PDF: what to make, its operations with a QR code
    each (they open the operation on the operator screen), its materials."""
    application = _app()
    name, content = travelers.traveler_pdf(application.ctx, _actor(application, as_user), number)
    output.write_bytes(content)
    out.print(f"{name}: {len(content):,} bytes written to {output}.")


@wo_app.command("backfill")
@refusals
def wo_backfill(as_user: AsUser = "admin") -> None:
    """Make work orders for committed orders that have none (a database upgraded from a
    version without work orders); run once after `orderforge db upgrade`."""
    application = _app()
    made = work_orders.backfill_work_orders(application.ctx, _actor(application, as_user))
    out.print(f"{len(made)} work orders made" + (f": {', '.join(made)}." if made else "."))


def _say(as_user: str, cmd: reports.ReportOperation, key: str | None) -> None:
    application = _app()
    outcome = reports.report_operation(application.ctx, _actor(application, as_user), cmd, key)
    op = next(o for o in outcome.view["operations"] if o["seq"] == cmd.seq)
    again = " (already reported with this key; nothing counted twice)" if outcome.replayed else ""
    out.print(
        escape(
            f"{outcome.view['number']} operation {op['seq']} ({op['name']}) is {op['status']}; "
            f"work order {outcome.view['status'].replace('_', ' ')}.{again}"
        )
    )


@op_app.command("start")
@refusals
def op_start(
    number: str,
    seq: Seq,
    work_centre: Annotated[
        str | None, typer.Option("--work-centre", help="Where it runs, if not where planned")
    ] = None,
    note: str = "",
    key: Key = None,
    as_user: AsUser = "admin",
) -> None:
    """Start (or resume) an operation; its predecessors must be done."""
    _say(
        as_user,
        reports.ReportOperation(number, seq, ReportKind.START, note=note, work_centre=work_centre),
        key,
    )


@op_app.command("pause")
@refusals
def op_pause(
    number: str, seq: Seq, note: str = "", key: Key = None, as_user: AsUser = "admin"
) -> None:
    """Pause a running operation."""
    _say(as_user, reports.ReportOperation(number, seq, ReportKind.PAUSE, note=note), key)


@op_app.command("complete")
@refusals
def op_complete(
    number: str,
    seq: Seq,
    good: Annotated[int, typer.Option("--good", help="Units made good")],
    scrap: Annotated[int, typer.Option("--scrap", help="Units scrapped")] = 0,
    scrap_cause: Annotated[
        str, typer.Option("--scrap-cause", help="Defect cause code, required with --scrap")
    ] = "",
    note: str = "",
    key: Key = None,
    as_user: AsUser = "admin",
) -> None:
    """Complete a running operation with the good and scrapped quantities."""
    cmd = reports.ReportOperation(
        number, seq, ReportKind.COMPLETE, good=good, scrap=scrap, note=note, scrap_cause=scrap_cause
    )
    _say(as_user, cmd, key)


@op_app.command("problem")
@refusals
def op_problem(
    number: str,
    seq: Seq,
    note: Annotated[str, typer.Option("--note", help="What is wrong, in words")],
    key: Key = None,
    as_user: AsUser = "admin",
) -> None:
    """Note a problem at an operation (kept as a report; its status stays as it is)."""
    _say(as_user, reports.ReportOperation(number, seq, ReportKind.PROBLEM, note=note), key)
