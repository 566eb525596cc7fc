"""`orderforge quality chart|fpy|pareto`: the quality charts' figures as tables (the
commands are registered on `orderforge quality` by quality.cli)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals
from orderforge.quality import charts

From = Annotated[str | None, typer.Option("--from", help="First day, e.g. 2026-01-01")]
To = Annotated[str | None, typer.Option("--to", help="Last day (default: today)")]


def _num(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:g}{unit}"


@refusals
def quality_chart(
    family: str, operation: str, characteristic: str, as_user: AsUser = "quality"
) -> None:
    """A measured characteristic's control chart (limits, signals) and capability."""
    application = _app()
    view = charts.control_chart(
        application.ctx, _actor(application, as_user), family, operation, characteristic
    )
    c = view["characteristic"]
    out.print(f"[b]{escape(view['plan'])}: {escape(c['name'])}[/b] — {view['plotted']}")
    chart = view["chart"]
    if chart is None:
        out.print("Fewer than two measurements: no chart yet.")
    else:
        limits = chart["limits"]
        out.print(
            f"{chart['kind_label']}: centre {limits['centre']:g}, UCL {limits['upper']:g}, "
            f"LCL {limits['lower']:g}; {len(chart['beyond_limits'])} point(s) outside the "
            f"control limits, {len(chart['runs'])} in a run of 8 on one side."
        )
    spec = view["spec"]
    out.print(
        f"Tolerance {_num(spec['lower'])} to {_num(spec['upper'])} {c['unit']}; "
        f"{view['beyond_spec']} of {len(view['measurements'])} out of tolerance."
    )
    out.print(f"Capability: {view['capability']['text']}")


@refusals
def quality_fpy(first: From = None, last: To = None, as_user: AsUser = "quality") -> None:
    """First-pass yield per work centre over a period (default: the last 90 days)."""
    application = _app()
    view = charts.first_pass_yield_report(
        application.ctx, _actor(application, as_user), first, last
    )
    table = Table(title=f"First-pass yield {view['from']} to {view['to']}")
    for column in ("work centre", "entered", "passed first time", "scrapped", "reworked", "FPY"):
        table.add_column(column, justify="left" if column == "work centre" else "right")
    for row in view["work_centres"]:
        table.add_row(
            escape(row["name"]),
            str(row["entered"]),
            str(row["first_pass"]),
            str(row["scrapped"]),
            str(row["reworked"]),
            _num(row["fpy_percent"], " %"),
        )
    total = view["total"]
    table.add_row(
        "[b]all[/b]", str(total["entered"]), str(total["first_pass"]), "", "",
        _num(total["fpy_percent"], " %"),
    )  # fmt: skip
    out.print(table)
    out.print(view["definition"])


@refusals
def quality_pareto(first: From = None, last: To = None, as_user: AsUser = "quality") -> None:
    """Scrapped units by cause over a period, largest first, with the cumulative share."""
    application = _app()
    view = charts.scrap_pareto_report(application.ctx, _actor(application, as_user), first, last)
    if not view["causes"]:
        out.print(f"No scrap reported from {view['from']} to {view['to']}.")
        return
    table = Table(title=f"Scrap by cause {view['from']} to {view['to']} ({view['total']} units)")
    for column in ("cause", "units", "cumulative"):
        table.add_column(column, justify="left" if column == "cause" else "right")
    for row in view["causes"]:
        table.add_row(
            escape(row["cause"]), str(row["quantity"]), _num(row["cumulative_percent"], " %")
        )
    out.print(table)
