"""`orderforge plant ...`: the plant file in and out, and a look at what is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.cli.common import AsUser, _app, _setup_actor, out, refusals
from orderforge.plant import services as plant

plant_app = typer.Typer(
    help="Plant master data: settings, calendars, work centres, items, pricing.",
    no_args_is_help=True,
)


@plant_app.command("import")
@refusals
def plant_import(
    file: Annotated[Path, typer.Argument(help="Plant file (YAML), e.g. plant.yaml")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list the changes")] = False,
    as_user: AsUser = "admin",
) -> None:
    """Import the plant file as one change: all of it, or (on any problem) none of it."""
    if not file.is_file():
        raise InvalidInput(f"There is no plant file at {file}.", field="file")
    application = _app()
    actor = _setup_actor(application, as_user)
    result = plant.import_plant(application.ctx, actor, file.read_text("utf-8"), dry_run)
    for change in result["changes"]:
        out.print(escape(f"- {change}"), highlight=False)
    if not result["changes"]:
        out.print("Nothing to change: the plant already matches the file.")
    elif dry_run:
        out.print(f"Dry run: {len(result['changes'])} change(s) would be made; nothing stored.")
    else:
        out.print(f"{len(result['changes'])} change(s) stored.")


@plant_app.command("export")
@refusals
def plant_export(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file")
    ] = None,
    as_user: AsUser = "admin",
) -> None:
    """Write the whole master data as a plant file (sorted, so two exports diff cleanly)."""
    application = _app()
    text = plant.export_plant(application.ctx, _setup_actor(application, as_user))
    if output is None:
        print(text, end="")
    else:
        output.write_text(text, "utf-8")
        out.print(f"Plant written to {output}.")


@plant_app.command("show")
@refusals
def plant_show(as_user: AsUser = "admin") -> None:
    """Work centres with their units, calendars and setup classes, as the planner uses them."""
    application = _app()
    view = plant.plant_overview(application.ctx, _setup_actor(application, as_user))
    settings = view["settings"]
    if settings:
        out.print(f"[bold]{escape(settings['name'])}[/bold] ({settings['currency']})")
    table = Table("Work centre", "Units", "Batch", "Calendar", "Setup class", "Rate / h", "Status")
    for w in view["work_centres"]:
        table.add_row(
            escape(f"{w['code']} {w['name']}"),
            str(w["units"]),
            str(w["batch_capacity"]),
            w["calendar"],
            w["setup_attribute"] or "-",
            w["hourly_rate"],
            w["status"],
        )
    out.print(table)
    out.print(
        f"{len(view['calendars'])} calendar(s), {len(view['items'])} item(s), "
        f"{len(view['pricing'])} pricing rule(s)."
    )
