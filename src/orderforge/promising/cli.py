"""`orderforge promise`: the delivery date the plant can keep for a configuration (or
an order), what binds it, and the faster alternatives. Nothing is stored."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.domain.errors import InvalidInput
from orderforge.domain.permissions import RUN, Resource, require
from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals
from orderforge.plant import services as plant_data
from orderforge.promising import services
from orderforge.services import money


@refusals
def promise(
    family: Annotated[
        str | None, typer.Argument(help="Product family code, e.g. CAB (or use --order)")
    ] = None,
    choices: Annotated[list[str] | None, typer.Argument(help="key=value picks")] = None,
    quantity: Annotated[int, typer.Option("--quantity", "-q", help="How many")] = 1,
    requested: Annotated[
        str | None, typer.Option("--requested", help="The customer's date, YYYY-MM-DD")
    ] = None,
    order: Annotated[
        str | None, typer.Option("--order", help="Promise an existing quote or order instead")
    ] = None,
    confidence: Annotated[
        float | None,
        typer.Option(
            "--confidence",
            help="Promise the date met with this confidence, 0.5-0.99 (0.9: nine times in "
            "ten), instead of the plan's own date",
        ),
    ] = None,
    as_user: AsUser = "admin",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """The earliest delivery date the plant can keep, against the current plan and every
    promise already made, with what binds it (work centre, material), the faster
    alternatives (overtime, express supplier, pushing other orders back) and how sure the
    plant is of it (the chance of keeping it, the dates at 50, 80 and 95 % confidence)."""
    application = _app()
    actor = _actor(application, as_user)
    if order is not None:
        if family is not None:
            raise InvalidInput("Give a family and picks, or --order, not both.", field="order")
        result = services.promise_order(
            application.ctx, actor, order, confidence=confidence, assess=True
        )
    else:
        if family is None:
            raise InvalidInput("Name a product family (or --order SO-...).", field="family")
        spec: dict[str, str] = {}
        for pick in choices or []:
            key, sep, value = pick.partition("=")
            if not sep or not key.strip():
                raise InvalidInput(f"'{pick}' is not key=value.", field="spec")
            spec[key.strip()] = value.strip()
        wanted = None
        if requested is not None:
            try:
                wanted = dt.date.fromisoformat(requested)
            except ValueError:
                raise InvalidInput(
                    f"'{requested}' is not a date (YYYY-MM-DD).", field="requested_date"
                ) from None
        result = services.promise_spec(
            application.ctx,
            actor,
            family,
            spec,
            quantity,
            wanted,
            confidence=confidence,
            assess=True,
        )
    view = services.promise_view(result, actor)
    if as_json:
        print(json.dumps(view, indent=2, default=str))
        return
    out.print(escape(str(view["summary"])))
    if result.date is None:
        raise typer.Exit(1)
    sure = view.get("confidence")
    if isinstance(sure, dict):
        out.print(escape(str(sure["summary"])))
    binding = list(result.binding)
    if binding and actor.customer_id is None:
        out.print("Bound by:")
        for c in binding:
            out.print(escape(f"  - {c.detail}"))
    if result.alternatives and actor.customer_id is None:
        with application.ctx.uow() as uow:
            settings = plant_data.plant_settings(uow)
        currency = settings.currency if settings is not None else "EUR"
        table = Table(title="Faster, at a price")
        for column in ("date", "how", "extra cost"):
            table.add_column(column)
        for a in result.alternatives:
            cost = "-" if a.extra_cost is None else money.money(a.extra_cost, currency)
            table.add_row(f"{a.date:%a %d %b %Y}", escape(a.detail), cost)
        out.print(table)


@refusals
def promise_watch(as_user: AsUser = "admin") -> None:
    """Look once at the floor's progress of every order on it: raise the promise-at-risk
    alert where late-running work now pushes the finish past the promise, clear it where
    the promise holds again. `orderforge serve` does this every few minutes by itself;
    run this from cron when the server runs elsewhere or to check at once."""
    application = _app()
    actor = _actor(application, as_user)
    require(actor.role, Resource.SCHEDULE, RUN)
    raised = services.watch_all(application.ctx)
    noun = "alert" if raised == 1 else "alerts"
    out.print(f"{raised} new promise-at-risk {noun}.")
    for alert in services.alerts(application.ctx, actor):
        out.print(
            escape(
                f"  {alert.order_number}: promised {alert.promise_date}, now "
                f"{alert.planned_date} ({alert.days_late} d late) — {alert.reason}"
            )
        )
