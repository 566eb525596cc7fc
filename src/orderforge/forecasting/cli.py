"""Forecasts on the command line: `orderforge forecast run` (fits the models here, with a
progress bar), `orderforge forecast show [RUN]` and `orderforge forecast list`. Refusals
print a sentence and exit 1, like every command."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.entrypoints.cli.common import AsUser, _actor, _app, err, out, refusals, with_bar
from orderforge.forecasting import services

forecast_app = typer.Typer(
    help="Demand forecasts per product family, option and long-lead material.",
    no_args_is_help=True,
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
KINDS = ("family", "option", "material")


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value else "0"


def _print(run: dict[str, Any], kind: str | None) -> None:
    result = run["result"]
    if result is None:
        out.print(f"Forecast run {run['id']} is {run['status_label'].lower()}.")
        if run["error"]:
            out.print(escape(run["error"]))
        return
    h = result["history"]
    out.print(
        f"Forecast run {run['id']}: {result['horizon_weeks']} weeks ahead, learned from "
        f"{h['orders']} orders confirmed {h['from']} to {h['to']} ({h['weeks']} weeks)."
    )
    for wanted in [kind] if kind else list(KINDS):
        rows = [s for s in result["series"] if s["kind"] == wanted]
        if not rows:
            continue
        table = Table(title=f"By {wanted}")
        for column in ("series", "pattern", "model", "vs baseline", "next weeks", "80 % range"):
            table.add_column(column)
        for s in rows:
            weeks = s["forecast"]
            total = sum(w["total"] for w in weeks)
            low = sum(w["lower_80"] for w in weeks)
            high = sum(w["upper_80"] for w in weeks) + sum(w["from_quotes"] for w in weeks)
            mase, base = s["accuracy"]["mase"], s["baseline"]["mase"]
            versus = (
                f"better (MASE {mase:.2f} vs {base:.2f})"
                if s["beats_baseline"] and mase is not None and base is not None
                else "baseline kept"
            )
            table.add_row(
                escape(s["label"]),
                s["pattern"].replace("_", " "),
                escape(s["model"]),
                versus,
                f"{_number(total)} {escape(s['unit'])}",
                f"{_number(low)}-{_number(high)}",
            )
        out.print(table)
    if kind is None and result.get("capacity"):
        _print_capacity(result["capacity"])
    if kind is None:
        _print_buying(result)
    quotes = result["quotes"]
    if "error" in quotes:
        out.print(f"Quote conversion not learned: {escape(quotes['error'])}")
        return
    c = quotes["calibration"]
    out.print(
        f"Quote conversion learned from {quotes['decided']} decided quotes "
        f"({quotes['won_share']:.0%} won); out of sample Brier {c['brier']:.3f} "
        f"(always guessing the share: {c['reference_brier']:.3f})."
    )
    if quotes["open"]:
        table = Table(title="Open quotes")
        for column in ("quote", "customer", "family", "age (days)", "chance"):
            table.add_column(column)
        for q in sorted(quotes["open"], key=lambda q: -q["probability"]):
            table.add_row(
                q["number"],
                escape(q["customer"]),
                escape(q["family"]),
                str(q["age_days"]),
                f"{q['probability']:.0%}",
            )
        out.print(table)


def _print_capacity(capacity: dict[str, Any]) -> None:
    centres = capacity["work_centres"]
    if not centres:
        return
    table = Table(title="Capacity load (plan + forecast, share of the hours the centre has)")
    table.add_column("work centre")
    for w in centres[0]["weeks"]:
        table.add_column(w["week"][5:])
    for c in centres:
        cells = []
        for w in c["weeks"]:
            text = "closed" if w["load"] is None else f"{w['load']:.0%}"
            cells.append(f"[bold red]{text} over[/]" if w["overloaded"] else text)
        table.add_row(escape(c["name"]), *cells)
    out.print(table)


def _print_buying(result: dict[str, Any]) -> None:
    """What to buy before the orders come, and the common modules it was judged on."""
    if result.get("buy_ahead"):
        table = Table(title="Buy ahead (long-lead, over the supplier's lead time)")
        for column in ("material", "from", "lead time", "forecast (high)", "free", "buy", "risk"):
            table.add_column(column)
        for b in result["buy_ahead"]:
            unit = escape(b["unit"])
            buying = b["quantity"] != "0"
            table.add_row(
                escape(b["label"]),
                escape(b.get("basis", "its own history")),
                f"{b['lead_time_days']} days",
                f"{b['forecast']} ({b['forecast_high']}) {unit}",
                f"{b['free']} {unit}",
                f"{b['quantity']} {unit} from {escape(b['supplier'])}" if buying else "nothing",
                f"{b['leftover']} {unit} left, {b['leftover_cost']} {b['currency']}"
                if buying
                else "-",
            )
        out.print(table)
    modules = result.get("common_modules") or []
    if modules:
        budget = result["material_budget_days"]
        table = Table(title=f"Common modules (an order's work starts ~{budget} days after it)")
        for column in ("module", "used by", "per unit", "supplier lead time", "bought"):
            table.add_column(column)
        for m in modules:
            lead = m["lead_time_days"]
            table.add_row(
                escape(m["label"]),
                ", ".join(f"{escape(f['name'])} ({f['share']:.0%})" for f in m["families"]),
                ", ".join(f"{_number(f['per_unit'])} {escape(m['unit'])}" for f in m["families"]),
                "no regular offer" if lead is None else f"{lead} days",
                "ahead, from the families' forecast" if m["long_lead"] else "with the orders",
            )
        out.print(table)


@forecast_app.command("run")
@refusals
def forecast_run(
    horizon: Annotated[int, typer.Option(help="Weeks ahead (1-26)")] = 8,
    history: Annotated[int, typer.Option(help="Weeks of history to learn from (26-260)")] = 104,
    kind: Annotated[str | None, typer.Option(help="family, option or material")] = None,
    as_user: AsUser = "planner",
    as_json: Json = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Fit a model per series (chosen by backtest) and forecast the coming weeks."""
    application = _app()
    actor = _actor(application, as_user)
    _check_kind(kind)
    run = with_bar(
        "Fitting the models",
        lambda bar: services.run_forecast(application.ctx, actor, horizon, history, bar),
        hidden=quiet or as_json,
    )
    if as_json:
        print(json.dumps(run, indent=2))
    else:
        _print(run, kind)
    if run["status"] != "done":
        raise typer.Exit(1)


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        err.print(f"--kind is one of {', '.join(KINDS)}, not {escape(kind)!r}.")
        raise typer.Exit(1)


@forecast_app.command("show")
@refusals
def forecast_show(
    run_id: Annotated[int | None, typer.Argument(help="Run number (default: the latest)")] = None,
    kind: Annotated[str | None, typer.Option(help="family, option or material")] = None,
    as_user: AsUser = "planner",
    as_json: Json = False,
) -> None:
    """A forecast run's result: per series, the model, its accuracy and the coming weeks."""
    application = _app()
    actor = _actor(application, as_user)
    _check_kind(kind)
    run = (
        services.latest_forecast(application.ctx, actor)
        if run_id is None
        else services.get_forecast(application.ctx, actor, run_id)
    )
    if as_json:
        print(json.dumps(run, indent=2))
        return
    _print(run, kind)


@forecast_app.command("list")
@refusals
def forecast_list(as_user: AsUser = "planner", as_json: Json = False) -> None:
    """Forecast runs, newest first."""
    application = _app()
    runs = services.list_forecasts(application.ctx, _actor(application, as_user))
    if as_json:
        print(json.dumps(runs, indent=2))
        return
    table = Table()
    for column in ("run", "status", "asked by", "asked at", "weeks ahead", "history"):
        table.add_column(column)
    for r in runs:
        table.add_row(
            str(r["id"]),
            r["status_label"],
            escape(r["requested_by"]),
            r["requested_at"][:16].replace("T", " "),
            str(r["params"].get("horizon_weeks", "")),
            str(r["params"].get("history_weeks", "")),
        )
    out.print(table)
