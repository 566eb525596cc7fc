"""`orderforge trace unit|lot|dhr`: follow a unit back to its lots, operations and
signatures, a lot forward to every unit and customer, and print or save a regulated
unit's device history record. Refusals print a sentence and exit 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals
from orderforge.trace import services

trace_app = typer.Typer(
    help="Traceability: units back to lots, lots forward to customers, device history records.",
    no_args_is_help=True,
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _unit_tables(view: dict[str, Any]) -> None:
    order = view["order"]
    customer = order["customer"]["name"] if order["customer"] else "-"
    out.print(
        escape(
            f"{view['serial']}: {view['product']}, unit {view['unit_no']} of "
            f"{view['work_order']['number']}, order {order['number']} line {order['line_no']} "
            f"for {customer}"
        )
    )
    table = Table(title="Operations and lots")
    for column in ("op", "name", "centre", "by", "finished", "good", "scrap", "lots", "inspection"):
        table.add_column(column)
    for o in view["operations"]:
        table.add_row(
            str(o["seq"]),
            escape(o["name"]),
            o["work_centre"] or "-",
            o["completed_by"] or o["started_by"] or "-",
            (o["finished_at"] or "-")[:16].replace("T", " "),
            str(o["good"]),
            str(o["scrap"]),
            escape(", ".join(f"{x['lot']} ({x['quantity']})" for x in o["lots"])) or "-",
            escape(o["inspection"]["status_label"]) if o["inspection"] else "-",
        )
    out.print(table)
    if view["design"]:
        d = view["design"]
        names = ", ".join(f"{s['printed_name']} ({s['capacity']})" for s in d["signatures"])
        out.print(
            escape(
                f"Design revision {d['revision']}: {d['state_label']}; "
                f"signed by {names or 'nobody'}"
            )
        )


@trace_app.command("unit")
@refusals
def trace_unit(serial: str, as_user: AsUser = "quality", as_json: Json = False) -> None:
    """Trace a unit back: work order, operations, lots, inspections, signatures."""
    application = _app()
    view = services.trace_unit(application.ctx, _actor(application, as_user), serial)
    if as_json:
        print(json.dumps(view, indent=2))
        return
    _unit_tables(view)


@trace_app.command("lot")
@refusals
def trace_lot(lot: str, as_user: AsUser = "quality", as_json: Json = False) -> None:
    """Trace a lot forward: where it went, which units and which customers got it."""
    application = _app()
    view = services.trace_lot(application.ctx, _actor(application, as_user), lot)
    if as_json:
        print(json.dumps(view, indent=2))
        return
    out.print(
        escape(
            f"Lot {view['lot']} ({view.get('item_code', '-')}): {view['quantity_received']} "
            f"received {(view.get('received_at') or '-')[:10]} from "
            f"{view.get('supplier') or '-'} ({view.get('po_number') or 'no PO'}), "
            f"{view['quantity_used']} used, {view.get('quantity_left', '-')} left"
        )
    )
    table = Table(title="Units that got it")
    for column in ("serial", "work order", "order", "line", "customer"):
        table.add_column(column)
    for u in view["units"]:
        table.add_row(
            u["serial"],
            u["work_order"],
            u["order_number"],
            str(u["line_no"]),
            escape(u["customer"]["name"]) if u["customer"] else "-",
        )
    out.print(table)
    for c in view["consumptions"]:
        out.print(escape(f"{c['quantity']} to {c['work_order']} op {c['seq']} by {c['by']}"))


@trace_app.command("dhr")
@refusals
def trace_dhr(
    serial: str,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the record as PDF here")] = None,
    as_user: AsUser = "quality",
) -> None:
    """A regulated unit's device history record: complete, or what is missing."""
    application = _app()
    actor = _actor(application, as_user)
    if pdf is not None:
        _, content = services.device_history_pdf(application.ctx, actor, serial)
        pdf.write_bytes(content)
        out.print(escape(f"Wrote {pdf} ({len(content)} bytes)."))
        return
    record = services.device_history_record(application.ctx, actor, serial)
    if record["complete"]:
        out.print(escape(f"The device history record of {record['serial']} is complete."))
        return
    out.print(escape(f"The device history record of {record['serial']} is not complete:"))
    for gap in record["missing"]:
        out.print(escape(f"  - {gap}"))
