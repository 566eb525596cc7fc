"""The product insight report on the command line: `orderforge insight families` (every
family's headline figures) and `orderforge insight family TABLE` (one family's report as
Rich tables). An unknown family or a bad --since prints a sentence and exits 1."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals
from orderforge.insight import services

insight_app = typer.Typer(
    help="What the orders teach: ratings, NCR causes, choices and catalogue changes per family.",
    no_args_is_help=True,
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
Since = Annotated[
    str | None,
    typer.Option(help="First day of the period, YYYY-MM-DD (default: twelve months ago)"),
]


def _day(since: str | None) -> dt.date | None:
    if since is None:
        return None
    try:
        return dt.date.fromisoformat(since.strip())
    except ValueError:
        raise InvalidInput(
            f"--since must be a day written YYYY-MM-DD, not {since!r}.", field="since"
        ) from None


def _average(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} of 5"


@insight_app.command("families")
@refusals
def families(since: Since = None, as_user: AsUser = "engineer", as_json: Json = False) -> None:
    """Every product family's headline figures for the period."""
    application = _app()
    rows = services.family_reports(application.ctx, _actor(application, as_user), _day(since))
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title=f"Product families since {rows[0]['since']}" if rows else None)
    for column in ("family", "orders", "delivered", "rating", "NCRs", "engineering", "changes"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            f"{escape(r['name'])} ({escape(r['family'])})",
            str(r["orders"]),
            str(r["delivered"]),
            f"{_average(r['average_rating'])} ({r['ratings']})",
            str(r["ncrs"]),
            str(r["engineering"]),
            str(r["changes"]),
        )
    out.print(table)


@insight_app.command("family")
@refusals
def family(
    code: Annotated[str, typer.Argument(help="The family's code, e.g. TABLE")],
    since: Since = None,
    as_user: AsUser = "engineer",
    as_json: Json = False,
) -> None:
    """One family's insight report: ratings, NCR causes, options and parameters chosen,
    needs-engineering reasons and the catalogue changes worth making next."""
    application = _app()
    actor = _actor(application, as_user)
    report = services.family_report(application.ctx, actor, code, _day(since))
    if as_json:
        print(json.dumps(report, indent=2))
        return
    _print(report)


def _print(r: dict[str, Any]) -> None:
    o, ratings = r["orders"], r["ratings"]
    out.print(
        f"[bold]{escape(r['name'])}[/] ({escape(r['family'])}) since {r['since']}: "
        f"{o['requested']} orders asked for, {o['confirmed']} confirmed, "
        f"{o['delivered']} delivered; rated {ratings['count']} times, average "
        f"{_average(ratings['average'])}."
    )
    _changes(r["changes"])
    _ratings(ratings)
    _ncrs(r["ncrs"])
    _options(r["options"])
    _parameters(r["parameters"])
    _engineering(r["engineering"])


def _changes(changes: list[dict[str, str]]) -> None:
    if not changes:
        out.print("No catalogue change proposed: no rule found enough evidence.")
        return
    table = Table(title="Catalogue changes worth making next")
    table.add_column("proposal")
    table.add_column("evidence")
    for c in changes:
        table.add_row(escape(c["title"]), escape(c["evidence"]))
    out.print(table)


def _ratings(ratings: dict[str, Any]) -> None:
    if not ratings["count"]:
        return
    table = Table(title="Ratings")
    table.add_column("rating")
    table.add_column("orders", justify="right")
    for d in ratings["distribution"]:
        table.add_row(f"{d['rating']} {d['words']}", str(d["count"]))
    out.print(table)
    if ratings["latest_comments"]:
        table = Table(title="Latest comments")
        for column in ("order", "rating", "comment", "by"):
            table.add_column(column)
        for c in ratings["latest_comments"]:
            table.add_row(c["order"], str(c["rating"]), escape(c["comment"]), escape(c["given_by"]))
        out.print(table)


def _ncrs(ncrs: dict[str, Any]) -> None:
    if not ncrs["count"]:
        return
    table = Table(title=f"NCRs by cause ({ncrs['count']}, {ncrs['units']} units)")
    for column in ("cause", "NCRs", "units", "reworked"):
        table.add_column(column)
    for c in ncrs["causes"]:
        table.add_row(escape(c["label"]), str(c["ncrs"]), str(c["units"]), str(c["reworked"]))
    out.print(table)


def _options(options: list[dict[str, Any]]) -> None:
    table = Table(title="Options chosen (share of the ordered lines)")
    for column in ("option", "choice", "lines", "share"):
        table.add_column(column)
    for option in options:
        for i, c in enumerate(option["choices"]):
            table.add_row(
                escape(option["label"]) if i == 0 else "",
                escape(c["label"]),
                str(c["lines"]),
                f"{c['share'] * 100:.0f} %",
            )
    out.print(table)


def _parameters(parameters: list[dict[str, Any]]) -> None:
    table = Table(title="Parameters ordered")
    for column in ("parameter", "values", "minimum", "median", "maximum", "catalogue"):
        table.add_column(column)
    for p in parameters:
        table.add_row(
            escape(p["label"]),
            str(p["values"]),
            escape(p["minimum"] or "–"),
            escape(p["median"] or "–"),
            escape(p["maximum"] or "–"),
            escape(p["range"]),
        )
    out.print(table)


def _engineering(cases: list[dict[str, Any]]) -> None:
    if not cases:
        return
    table = Table(title="Needs engineering or infeasible")
    for column in ("order", "outcome", "now", "reason"):
        table.add_column(column)
    for c in cases:
        table.add_row(c["order"], c["outcome_label"], c["state_label"], escape(c["reason"]))
    out.print(table)
