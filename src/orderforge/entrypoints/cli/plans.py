"""`orderforge plan ...` and `orderforge worker`: plans of the committed orders."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from orderforge.domain.errors import InvalidInput
from orderforge.domain.planning import DEFAULT_MIN_GAIN_MINUTES, DisruptionKind, RunOptions
from orderforge.entrypoints.cli.common import AsUser, _actor, _app, err, out, refusals
from orderforge.services import plan_runs, planning, plant_time, schedule

plan_app = typer.Typer(help="Finite-capacity plans of the committed orders.", no_args_is_help=True)
TimeLimit = Annotated[float, typer.Option(help="Seconds to improve the plan", min=0.5, max=600)]
Displace = Annotated[
    bool,
    typer.Option(
        "--displace/--no-displace",
        help="Let other orders' operations go to alternative work centres to make room "
        "(default: each keeps its unit)",
    ),
]
MinGain = Annotated[
    int,
    typer.Option(
        help="Move an operation of the current plan only when that gains the plan more than "
        "this many minutes (weighted lateness) beyond the minutes it moves",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _progress_bar(time_limit: float, quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    )


def _run_with_progress(
    application: Any,
    actor: Any,
    time_limit: float,
    quiet: bool,
    disruption: Any = None,
    options: RunOptions | None = None,
) -> dict[str, Any]:
    """Record the run, then execute it here in the foreground, the bar showing the
    objective (weighted tardiness) improving."""
    ctx = replace(application.ctx, jobs=None)
    run = plan_runs.request_run(ctx, actor, time_limit, disruption, options)
    with _progress_bar(time_limit, quiet) as progress:
        task = progress.add_task("Building the problem", total=time_limit)

        def on_progress(seconds: float, objective: int, bound: int) -> None:
            progress.update(
                task,
                completed=min(seconds, time_limit),
                description=f"Objective {objective} (bound {bound})",
            )

        return plan_runs.execute_run(ctx, run["id"], on_progress)


def _report(run: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(run, indent=2))
    elif run["status"] == "done":
        p = run["progress"]
        out.print(
            f"Plan version [bold]{run['plan_version']}[/bold] stored (run {run['id']}): "
            f"objective {p.get('objective')}, bound {p.get('bound')}, {p.get('seconds')} s."
        )
    if run["status"] != "done":
        error = run["error"] or {}
        err.print(f"[red]Error:[/red] {escape(error.get('title', 'the plan run failed'))}")
        for issue in error.get("issues", []):
            err.print(f"  - {escape(issue['where'])}: {escape(issue['message'])}")
        raise typer.Exit(1)


@plan_app.command("run")
@refusals
def plan_run(
    time_limit: TimeLimit = 10,
    as_user: AsUser = "admin",
    as_json: Json = False,
    if_none: Annotated[bool, typer.Option(help="Only if no plan is stored yet")] = False,
    displace: Displace = False,
    min_gain: MinGain = DEFAULT_MIN_GAIN_MINUTES,
) -> None:
    """Plan all planned/released/in-production orders on finite capacity and store the
    plan as a new version (earlier versions are kept); sets each order's planned dates.
    With a plan stored, new work takes the room it leaves and the rest stays unless
    moving it gains more than --min-gain minutes."""
    application = _app()
    if if_none and schedule.list_versions(application.ctx, _actor(application, as_user), 1):
        out.print("A plan is stored already; nothing run.")
        return
    options = RunOptions(displace, min_gain)
    run = _run_with_progress(
        application, _actor(application, as_user), time_limit, as_json, options=options
    )
    _report(run, as_json)
    if not as_json:
        detail = schedule.plan_detail(application.ctx, _actor(application, as_user))
        _print_plan(detail, plant_time.zone_of(application.ctx))


@plan_app.command("cancel")
@refusals
def plan_cancel(run_id: int, as_user: AsUser = "admin", as_json: Json = False) -> None:
    """Cancel a queued plan run (refused once a worker has taken it or it has ended)."""
    application = _app()
    run = plan_runs.cancel_run(application.ctx, _actor(application, as_user), run_id)
    if as_json:
        print(json.dumps(run, indent=2))
    else:
        out.print(f"Plan run {run['id']} cancelled; it will not run.")


@plan_app.command("retry")
@refusals
def plan_retry(
    run_id: int, as_user: AsUser = "admin", as_json: Json = False, quiet: bool = False
) -> None:
    """Retry a failed plan run: a new run with the same inputs (naming the failed one),
    carried out here in the foreground like `plan run`."""
    application = _app()
    ctx = replace(application.ctx, jobs=None)
    run = plan_runs.retry_run(ctx, _actor(application, as_user), run_id)
    if not as_json:
        err.print(f"Plan run {run['id']} retries run {run_id}.")
    with _progress_bar(run["time_limit"], quiet or as_json) as progress:
        task = progress.add_task("Building the problem", total=run["time_limit"])

        def on_progress(seconds: float, objective: int, bound: int) -> None:
            progress.update(
                task, completed=seconds, description=f"Objective {objective} (bound {bound})"
            )

        done = plan_runs.execute_run(ctx, run["id"], on_progress)
    _report(done, as_json)


def _when(text: str | None, field: str) -> dt.datetime | None:
    """A typed time; without an offset the use case reads it as plant time."""
    return plant_time.parse_moment(text, field) if text else None


@plan_app.command("replan")
@refusals
def plan_replan(
    reason: Annotated[str, typer.Option(help="What happened (kept with the plan)")],
    machine_down: Annotated[
        str | None, typer.Option(help="Work centre (or unit, CNC#2) down")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Down from (ISO; no offset: plant time)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Down until (ISO; no offset: plant time)")
    ] = None,
    overrun: Annotated[str | None, typer.Option(help="Operation key that takes longer")] = None,
    extra_minutes: Annotated[int | None, typer.Option(help="How much longer")] = None,
    rush: Annotated[str | None, typer.Option(help="Order number to rush")] = None,
    cancelled: Annotated[str | None, typer.Option(help="Order number cancelled")] = None,
    time_limit: TimeLimit = 5,
    as_user: AsUser = "admin",
    as_json: Json = False,
    displace: Displace = False,
    min_gain: MinGain = DEFAULT_MIN_GAIN_MINUTES,
) -> None:
    """Repair the current plan after one event, keeping running work and pins: a machine
    down for a period, an operation taking longer, a rush order, a cancelled order.
    Only what the event touches moves (and what depends on it), unless --displace."""
    options = RunOptions(displace, min_gain)
    given = [x for x in (machine_down, overrun, rush, cancelled) if x]
    if len(given) != 1:
        raise InvalidInput(
            "Give exactly one of --machine-down, --overrun, --rush, --cancelled.", field="event"
        )
    if machine_down:
        centre, _, unit = machine_down.partition("#")
        disruption = plan_runs.Disruption(
            DisruptionKind.MACHINE_DOWN,
            reason,
            work_centre=centre,
            resource=machine_down if unit else None,
            start=_when(start, "from"),
            end=_when(end, "to"),
        )
    elif overrun:
        disruption = plan_runs.Disruption(
            DisruptionKind.OPERATION_OVERRUN, reason, operation=overrun, extra_minutes=extra_minutes
        )
    elif rush:
        disruption = plan_runs.Disruption(DisruptionKind.RUSH_ORDER, reason, order=rush)
    else:
        disruption = plan_runs.Disruption(DisruptionKind.ORDER_CANCELLED, reason, order=cancelled)
    application = _app()
    actor = _actor(application, as_user)
    run = _run_with_progress(application, actor, time_limit, as_json, disruption, options)
    trigger = run.get("trigger") or {}
    if not as_json and trigger.get("start"):
        zone = plant_time.zone_of(application.ctx)
        out.print(
            f"{trigger['resource'] or trigger['work_centre']} down from "
            f"{plant_time.show(trigger['start'], zone)} to "
            f"{plant_time.show(trigger['end'], zone, with_zone=True)}."
        )
    _report(run, as_json)


@plan_app.command("show")
@refusals
def plan_show(
    version: Annotated[int | None, typer.Argument(help="Plan version (default: current)")] = None,
    as_user: AsUser = "admin",
    as_json: Json = False,
) -> None:
    """Show a stored plan: each order's planned dates, lateness and what binds it."""
    application = _app()
    detail = schedule.plan_detail(application.ctx, _actor(application, as_user), version)
    if as_json:
        print(json.dumps(detail, indent=2))
        return
    _print_plan(detail, plant_time.zone_of(application.ctx))


def _print_plan(detail: dict[str, Any], zone: ZoneInfo) -> None:
    table = Table(
        title=f"Plan version {detail['number']} ({detail['reason']}): "
        f"{detail['operation_count']} operations, {detail['late_orders']} late orders; "
        + (f"{detail['moved']}; " if detail["moved"] else "")
        + f"times in {zone.key}"
    )
    for column in ("order", "planned start", "planned finish", "due", "late (h)", "bound by"):
        table.add_column(column)
    for row in detail["orders"]:
        table.add_row(
            row["order_number"],
            plant_time.show(row["planned_start"], zone),
            plant_time.show(row["planned_finish"], zone),
            (row["due"] or "-")[:10],
            f"{row['tardiness_minutes'] / 60:.1f}",
            "; ".join([*row["waits"], *row["binding"]]),
        )
    out.print(table)
    for skipped in detail["skipped"]:
        out.print(f"[yellow]Not planned:[/yellow] {escape(skipped)}")


@plan_app.command("versions")
@refusals
def plan_versions(as_user: AsUser = "admin", as_json: Json = False) -> None:
    """List stored plan versions, newest first."""
    application = _app()
    rows = schedule.list_versions(application.ctx, _actor(application, as_user))
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    zone = plant_time.zone_of(application.ctx)
    table = Table(title=f"Plan versions (times in {zone.key})")
    for column in ("version", "made", "by", "reason", "late orders", "moved", "objective"):
        table.add_column(column)
    for v in rows:
        table.add_row(
            str(v["number"]),
            plant_time.show(v["created_at"], zone),
            v["created_by"],
            v["reason"],
            str(v["late_orders"]),
            f"{v['moved_operations']} of {v['comparable_operations']}"
            if v["comparable_operations"]
            else str(v["moved_operations"]),
            str(v["objective"]),
        )
    out.print(table)


@plan_app.command("pin")
@refusals
def plan_pin(
    operation: Annotated[str, typer.Argument(help="Operation key, e.g. SO-2026-0001/1/paint")],
    unit: Annotated[str, typer.Argument(help="Unit to run it on, e.g. PAINT or CNC#2")],
    not_before: Annotated[str | None, typer.Option(help="Not before (ISO date-time)")] = None,
    note: str = "",
    as_user: AsUser = "admin",
) -> None:
    """Pin an operation to a unit (and not before a moment); the next plan keeps it."""
    application = _app()
    pin = schedule.add_pin(
        application.ctx,
        _actor(application, as_user),
        operation,
        unit,
        _when(not_before, "not_before"),
        note,
    )
    after = ""
    if pin["not_before"]:
        zone = plant_time.zone_of(application.ctx)
        after = f" not before {plant_time.show(pin['not_before'], zone, with_zone=True)}"
    out.print(f"Pinned {pin['operation']} to {pin['resource']}{after} (pin {pin['id']}).")


@plan_app.command("unpin")
@refusals
def plan_unpin(pin_id: int, as_user: AsUser = "admin") -> None:
    """Remove a pin (it stays in the history)."""
    application = _app()
    schedule.remove_pin(application.ctx, _actor(application, as_user), pin_id)
    out.print(f"Pin {pin_id} removed.")


@refusals
def worker(
    burst: Annotated[
        bool, typer.Option(help="Stop when no job is left instead of waiting")
    ] = False,
) -> None:
    """Run recorded jobs (plan runs, MRP runs) queued by the web and API (PostgreSQL; start
    as many as you like, on any machine that reaches the database). On SQLite,
    `orderforge serve` runs them itself. Logs JSON lines on stderr, one per job taken."""
    from orderforge.entrypoints.api.observability import configure_logging, log_level_from_env

    log_level = log_level_from_env()  # a bad setting refuses before anything starts
    application = _app()
    if application.settings.job_backend != "procrastinate":
        raise InvalidInput(
            "orderforge worker needs the PostgreSQL job queue (ORDERFORGE_DATABASE_URL="
            "postgresql+psycopg://...); with SQLite, `orderforge serve` runs jobs itself.",
            field="ORDERFORGE_JOBS",
        )
    from orderforge.adapters.jobs.procrastinate_queue import run_worker

    err.print("Worker waiting for plan and MRP runs (Ctrl+C to stop).")
    configure_logging(log_level)
    run_worker(
        application.settings.database_url,
        application.run_job,
        application.interrupt_job,  # first, fail the runs of workers that died
        wait=not burst,
    )


@plan_app.command("preview")
@refusals
def plan_preview(
    time_limit: Annotated[float, typer.Option(help="Seconds to improve the plan", min=0.1)] = 10,
    as_user: AsUser = "admin",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Plan planned/released/in-production orders on the plant's calendars and show each
    order's planned finish and what binds it. Nothing is stored yet."""
    application = _app()
    actor = _actor(application, as_user)
    with Progress(console=err, transient=True, disable=as_json) as progress:
        task = progress.add_task("Planning", total=time_limit)

        def on_progress(seconds: float, objective: int, bound: int) -> None:
            progress.update(
                task,
                completed=min(seconds, time_limit),
                description=f"Weighted tardiness {objective} (bound {bound})",
            )

        result = planning.preview_plan(application.ctx, actor, time_limit, on_progress)
    if as_json:
        print(json.dumps(result, indent=2))
        return
    zone = plant_time.zone_of(application.ctx)
    table = Table(
        title=f"Plan from {plant_time.show(result['start'], zone, with_zone=True)}: "
        f"{result['operations']} operations, {result['late_orders']} late orders"
    )
    for column in ("order", "planned finish", "due", "late (h)", "bound by"):
        table.add_column(column)
    for row in result["orders"]:
        table.add_row(
            row["order"],
            plant_time.show(row["planned_finish"], zone),
            (row["due"] or "-")[:10],
            f"{row['tardiness_minutes'] / 60:.1f}",
            "; ".join(row["binding"]),
        )
    out.print(table)
    for skipped in result["skipped"]:
        out.print(f"[yellow]Not planned:[/yellow] {escape(skipped)}")
