"""Simulation on the command line: `orderforge simulate confidence` runs a study of the
current plan in the foreground (with a progress bar) and prints each open order's chance
of meeting its promise; `orderforge simulate runs` lists the studies. Refusals print a
sentence and exit 1, like every command."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from orderforge.entrypoints.cli.common import AsUser, _actor, _app, err, out, refusals, with_bar
from orderforge.services import plant_time
from orderforge.simulation import services

simulate_app = typer.Typer(
    help="Simulation studies of the current plan: each order's chance of meeting its promise.",
    no_args_is_help=True,
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@simulate_app.command("confidence")
@refusals
def confidence(
    replications: Annotated[
        int, typer.Option(help="How many times the plan is replayed (1 to 5000)")
    ] = 200,
    seed: Annotated[int, typer.Option(help="First random seed; the same seed repeats")] = 1,
    as_user: AsUser = "planner",
    as_json: Json = False,
) -> None:
    """Replay the current plan many times with the floor's own spread of operation times
    and print how likely each open order is to be finished by its promise date."""
    application = _app()
    actor = _actor(application, as_user)
    params = {"replications": replications, "seed": seed}
    run = with_bar(
        "Simulating",
        lambda bar: services.run_study(application.ctx, actor, params, bar),
        hidden=as_json,
    )
    if as_json:
        print(json.dumps(run, indent=2))
        return
    if run["status"] != "done":
        err.print(f"Simulation study {run['id']} {run['status']}: {run['error']}")
        raise typer.Exit(1)
    _print_result(run, plant_time.zone_of(application.ctx))


def _print_result(run: dict[str, Any], zone: ZoneInfo) -> None:
    result = run["result"]
    table = Table(title=f"Simulation study {run['id']} of plan version {result['plan_version']}")
    for column in ("Order", "Customer", "Promised", "P(on time)", "50 %", "80 %", "95 %"):
        table.add_column(column, justify="right" if column.startswith("P") else "left")
    for entry in sorted(result["orders"], key=_riskiest_first):
        promised = entry["promised"] or "-"
        if entry["promise_basis"] == "requested":
            promised += " (requested)"
        table.add_row(
            entry["order"],
            entry["customer"],
            promised,
            _percent(entry["on_time"]),
            *(_day(entry["finish_at"][k], zone) for k in ("p50", "p80", "p95")),
        )
    out.print(table)
    defaulted = ", ".join(result["defaulted"]) or "none"
    out.print(
        f"{result['replications']} replications from seed {result['seed']}; work centres "
        f"without enough history of their own (default spread): {defaulted}."
    )
    if result["left_out"]:
        out.print(
            "Not in the current plan (run a plan to include them): " + ", ".join(result["left_out"])
        )


def _riskiest_first(entry: dict[str, Any]) -> tuple[float, str]:
    on_time = entry["on_time"]
    return (2.0 if on_time is None else on_time, entry["order"])


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f} %"


def _day(iso: str, zone: ZoneInfo) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(zone).strftime("%d %b %Y")


@simulate_app.command("runs")
@refusals
def runs(
    limit: Annotated[int, typer.Option(help="How many, newest first")] = 20,
    as_user: AsUser = "planner",
    as_json: Json = False,
) -> None:
    """The latest simulation studies with their state and progress."""
    application = _app()
    found = services.list_runs(application.ctx, _actor(application, as_user), limit)
    if as_json:
        print(json.dumps(found, indent=2))
        return
    table = Table(title="Simulation studies")
    for column in ("Id", "Status", "Progress", "Replications", "Asked by", "Asked at"):
        table.add_column(column)
    for run in found:
        table.add_row(
            str(run["id"]),
            run["status_label"],
            f"{run['progress'] * 100:.0f} %",
            str(run["params"].get("replications", "")),
            run["requested_by"],
            run["requested_at"][:16].replace("T", " "),
        )
    out.print(table)


@simulate_app.command("what-if")
@refusals
def what_if(
    scenario: Annotated[
        list[str],
        typer.Option(
            "--scenario",
            "-s",
            help="shift:CENTRE, machine:CENTRE, demand:FACTOR (1.3 = +30 %), "
            "confidence:SHARE (quote at 0.8) or fixed:DAYS; give it once per scenario",
        ),
    ],
    weeks: Annotated[int, typer.Option(help="Simulated weeks (4 to 104)")] = 26,
    seeds: Annotated[int, typer.Option(help="Replications, the same for every scenario")] = 3,
    confidence: Annotated[
        float, typer.Option(help="The base quotes at this confidence (0.5 to 0.99)")
    ] = 0.9,
    warmup: Annotated[
        int | None,
        typer.Option(
            "--warmup-weeks",
            help="First weeks not counted, while the empty plant fills (default 4, at most "
            "half the run)",
        ),
    ] = None,
    as_user: AsUser = "planner",
    as_json: Json = False,
) -> None:
    """This plant as it is against the changes asked for, side by side on the same orders:
    on-time delivery, quoted and actual lead time, the bottleneck, work in progress."""
    application = _app()
    actor = _actor(application, as_user)
    params: dict[str, object] = {
        "scenarios": scenario,
        "weeks": weeks,
        "seeds": seeds,
        "confidence": confidence,
    }
    if warmup is not None:
        params["warmup_weeks"] = warmup
    run = with_bar(
        "Simulating the scenarios",
        lambda bar: services.run_what_if(application.ctx, actor, params, bar),
        hidden=as_json,
    )
    if as_json:
        print(json.dumps(run, indent=2))
        return
    if run["status"] != "done":
        err.print(f"What-if run {run['id']} {run['status']}: {run['error']}")
        raise typer.Exit(1)
    result = run["result"]
    table = Table(
        title=f"What if (run {run['id']}): {result['params']['weeks']} weeks, "
        f"{len(result['seeds'])} seeds each, the same orders for every scenario"
    )
    for column in (
        "scenario",
        "on time",
        "quoted lead (days)",
        "actual lead (days)",
        "bottleneck",
        "its load",
        "WIP (orders)",
    ):
        table.add_column(column)
    for row in result["rows"]:
        table.add_row(
            row["scenario"],
            f"{row['on_time_percent']:.1f} %",
            f"{row['quoted_lead_days']:.1f}",
            f"{row['actual_lead_days']:.1f}",
            row["bottleneck"],
            f"{row['utilisation'].get(row['bottleneck'], 0):.0%}",
            f"{row['mean_wip']:.1f}",
        )
    out.print(table)
    centres = result["plant"].get("work_centres", {})
    if centres and "times_from" in next(iter(centres.values())):
        table = Table(title="How each work centre varies in the model (the plant's records)")
        for column in ("work centre", "operation times", "breakdowns"):
            table.add_column(column)
        for code, c in sorted(centres.items()):
            times = (
                f"{c['bias']:.0%} of planned, spread {c['cv']:.0%} ({c['actuals']} actuals)"
                if c["times_from"] == "floor actuals"
                else f"spread {c['cv']:.0%} assumed ({c['actuals']} actuals)"
            )
            breaks = (
                f"every {c['mtbf_hours']:.0f} h, {c['mttr_hours']:.1f} h to repair"
                if c["mtbf_hours"]
                else "none modelled"
            )
            table.add_row(code, times, f"{breaks} ({c['stoppages']} stoppages)")
        out.print(table)
    waiting = {
        name: f["waits_for_material"]
        for name, f in sorted(result["plant"].get("families", {}).items())
        if f.get("waits_for_material")
    }
    if waiting:
        out.print(
            "Orders wait for bought material: "
            + "; ".join(
                f"{name} ({w['share']:.0%} of its orders, {w['days']:.0f} days promised)"
                for name, w in waiting.items()
            )
            + f". Deliveries spread {next(iter(waiting.values()))['cv']:.0%} around the promise."
        )
