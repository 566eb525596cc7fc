"""`orderforge ship`: pack a shipment, send it with a carrier, confirm its delivery, list
shipments, print their papers, and on-time delivery figures."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals
from orderforge.shipping import services

ship_app = typer.Typer(
    help="Shipments: pack, send, confirm delivery, papers, on-time delivery.",
    no_args_is_help=True,
)
_PACKAGE = re.compile(
    r"^\s*([0-9.,]+)x([0-9.,]+)x([0-9.,]+)\s*:\s*([0-9.,]+)\s*(?:kg)?\s*:\s*(.+)$", re.I
)
_ITEM = re.compile(r"^\s*(\d{1,5})\s*=\s*(\d{1,6})\s*$")


def package_of(text: str, index: int) -> dict[str, Any]:
    """ "120x80x95:68.5:1=2,2=1" -> a package (cm, kg, line=quantity)."""
    match = _PACKAGE.match(text)
    if match is None:
        raise InvalidInput(
            f"Give a package as LxWxH:kg:line=quantity[,line=quantity], e.g. "
            f"120x80x95:68.5:1=2, not {text!r}.",
            field=f"packages[{index}]",
        )
    contents = []
    for item in match.group(5).split(","):
        found = _ITEM.match(item)
        if found is None:
            raise InvalidInput(
                f"Contents are line=quantity, not {item.strip()!r}.",
                field=f"packages[{index}].contents",
            )
        contents.append({"line": int(found.group(1)), "quantity": int(found.group(2))})
    return {
        "length_cm": match.group(1),
        "width_cm": match.group(2),
        "height_cm": match.group(3),
        "weight_kg": match.group(4),
        "contents": contents,
    }


def _show(view: dict[str, Any]) -> None:
    tracking = view["tracking_number"] or "-"
    out.print(
        f"[b]{view['number']}[/b] of {view['order_number']}: {view['status_label']} — "
        f"{view['package_count']} package(s), {view['gross_weight_text']}"
        + (f", {escape(view['carrier_name'])} {escape(tracking)}" if view["carrier"] else "")
        + (f", delivered {view['delivered_on']}" if view["delivered_on"] else "")
    )
    if view["tracking_url"]:
        out.print(f"  track: {view['tracking_url']}", highlight=False)
    for p in view["packages"]:
        contents = ", ".join(f"{c['quantity']} × line {c['line']}" for c in p["contents"])
        out.print(f"  package {p['number']}: {p['size_text']}, {p['weight_text']}: {contents}")


@ship_app.command("pack")
@refusals
def ship_pack(
    order: str,
    package: Annotated[
        list[str], typer.Option("--package", help="LxWxH:kg:line=qty[,line=qty] (cm, kg)")
    ],
    note: Annotated[str, typer.Option(help="A note for the plant (never shown to customers)")] = "",
    as_user: AsUser = "planner",
) -> None:
    """Pack a shipment of an order that is ready to ship (part of it is fine)."""
    packages = [package_of(text, i) for i, text in enumerate(package)]
    application = _app()
    cmd = services.PackShipment(order, packages, note)
    _show(services.pack(application.ctx, _actor(application, as_user), cmd))


@ship_app.command("send")
@refusals
def ship_send(
    shipment: str,
    carrier: Annotated[str, typer.Option(help="Carrier code (see `orderforge ship list`)")],
    tracking: Annotated[str, typer.Option(help="The carrier's tracking number")] = "",
    as_user: AsUser = "planner",
) -> None:
    """Hand a packed shipment to the carrier; the order is shipped once all of it is."""
    application = _app()
    cmd = services.ShipShipment(shipment, carrier, tracking)
    _show(services.ship(application.ctx, _actor(application, as_user), cmd))


@ship_app.command("deliver")
@refusals
def ship_deliver(
    shipment: str,
    received_by: Annotated[str, typer.Option("--received-by", help="Who received it")],
    on: Annotated[str, typer.Option(help="Delivery date, YYYY-MM-DD (default: today)")] = "",
    note: Annotated[str, typer.Option(help="A note for the plant")] = "",
    as_user: AsUser = "sales",
) -> None:
    """Confirm a shipment's delivery; the order is delivered once all its shipments are."""
    application = _app()
    try:
        day = dt.date.fromisoformat(on) if on else application.ctx.clock.now().date()
    except ValueError:
        raise InvalidInput(f"Give the date as YYYY-MM-DD, not {on!r}.", field="on") from None
    cmd = services.ConfirmDelivery(shipment, day, received_by, note)
    _show(services.confirm_delivery(application.ctx, _actor(application, as_user), cmd))


@ship_app.command("cancel")
@refusals
def ship_cancel(
    shipment: str,
    reason: Annotated[str, typer.Option(help="Why it is not sent")],
    as_user: AsUser = "planner",
) -> None:
    """Cancel a shipment still being packed; its quantities may be packed again."""
    application = _app()
    _show(services.cancel(application.ctx, _actor(application, as_user), shipment, reason))


@ship_app.command("list")
@refusals
def ship_list(
    order: Annotated[str, typer.Option(help="Only this order's shipments")] = "",
    status: Annotated[str, typer.Option(help="packing, shipped, delivered or cancelled")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    as_user: AsUser = "planner",
) -> None:
    """The newest shipments (or one order's), and the carriers to ship with."""
    application = _app()
    actor = _actor(application, as_user)
    if order:
        found = services.order_shipping(application.ctx, actor, order)["shipments"]
        found = [s for s in found if not status or s["status"] == status]
    else:
        found = services.list_shipments(application.ctx, actor, status or None)
    if as_json:
        out.print_json(json.dumps(found))
        return
    table = Table()
    for column in ("shipment", "order", "status", "packages", "carrier", "tracking", "delivered"):
        table.add_column(column)
    for s in found:
        table.add_row(
            s["number"],
            s["order_number"],
            s["status_label"],
            f"{s['package_count']} ({s['gross_weight_text']})",
            escape(s["carrier_name"] or "-"),
            escape(s["tracking_number"] or "-"),
            s["delivered_on"] or "-",
        )
    out.print(table)
    carriers = services.list_carriers(application.ctx, actor)
    out.print("Carriers: " + ", ".join(f"{c['code']} ({escape(c['name'])})" for c in carriers))


@ship_app.command("on-time")
@refusals
def ship_on_time(
    by: Annotated[str, typer.Option(help="customer, family or month")] = "month",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    as_user: AsUser = "planner",
) -> None:
    """On-time delivery: orders delivered on or before their promise date."""
    application = _app()
    figures = services.on_time_delivery(application.ctx, _actor(application, as_user), by)
    if as_json:
        out.print_json(json.dumps(figures))
        return
    table = Table(title=f"On-time delivery by {figures['by']}")
    for column in ("", "orders", "on time", "late", "on time %", "without promise"):
        table.add_column(column)
    for r in [*figures["rows"], {"key": "All", **figures["total"]}]:
        table.add_row(
            escape(r["key"]),
            str(r["orders"]),
            str(r["on_time"]),
            str(r["late"]),
            f"{r['percent']} %" if r["percent"] is not None else "-",
            str(r["without_promise"]),
        )
    out.print(table)


@ship_app.command("papers")
@refusals
def ship_papers(
    shipment: str,
    packing_list: Annotated[
        bool, typer.Option("--packing-list", help="The packing list, not the delivery note")
    ] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write")] = None,
    as_user: AsUser = "planner",
) -> None:
    """Write a shipment's delivery note (or packing list) as PDF."""
    application = _app()
    actor = _actor(application, as_user)
    make = services.packing_list_pdf if packing_list else services.delivery_note_pdf
    name, content = make(application.ctx, actor, shipment)
    target = output or Path(name)
    target.write_bytes(content)
    what = "Packing list" if packing_list else "Delivery note"
    out.print(f"{what} of {shipment.strip().upper()} written to {target}")
