"""`orderforge webhooks`: list, add and deactivate receivers, read their delivery log,
and run one delivery pass by hand."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals
from orderforge.webhooks import services
from orderforge.webhooks.sender import HttpSender

webhooks_app = typer.Typer(
    help="Webhooks: signed event deliveries to other systems.", no_args_is_help=True
)


@webhooks_app.command("list")
@refusals
def webhooks_list(as_user: AsUser = "admin") -> None:
    """Every webhook, active or not (deactivated ones stay for the audit)."""
    application = _app()
    subs = services.list_webhooks(application.ctx, _actor(application, as_user))
    table = Table(title="Webhooks")
    for column in ("id", "url", "events", "active", "description"):
        table.add_column(column)
    for s in subs:
        table.add_row(
            str(s.id),
            escape(s.url),
            escape(", ".join(s.event_types)),
            "yes" if s.active else "no",
            escape(s.description),
        )
    out.print(table)


@webhooks_app.command("add")
@refusals
def webhooks_add(
    url: Annotated[str, typer.Argument(help="Where events are POSTed (http or https)")],
    event: Annotated[
        list[str] | None,
        typer.Option("--event", "-e", help="An event type to send; repeat; '*' for all"),
    ] = None,
    description: Annotated[str, typer.Option(help="What the receiver is")] = "",
    as_user: AsUser = "admin",
) -> None:
    """Register a receiver; prints its signing secret, the only time it is shown."""
    application = _app()
    cmd = services.AddWebhook(url, tuple(event or ()), description)
    sub = services.add_webhook(application.ctx, _actor(application, as_user), cmd)
    out.print(f"Webhook {sub.id} added for {escape(', '.join(sub.event_types))}.")
    out.print("Signing secret (shown once, keep it with the receiver):")
    print(sub.secret)


@webhooks_app.command("deactivate")
@refusals
def webhooks_deactivate(
    subscription_id: Annotated[int, typer.Argument(metavar="ID")], as_user: AsUser = "admin"
) -> None:
    """Stop sending to a receiver (its log stays)."""
    application = _app()
    services.deactivate_webhook(application.ctx, _actor(application, as_user), subscription_id)
    out.print(f"Webhook {subscription_id} deactivated.")


@webhooks_app.command("rotate")
@refusals
def webhooks_rotate(
    subscription_id: Annotated[int, typer.Argument(metavar="ID")], as_user: AsUser = "admin"
) -> None:
    """Give a webhook a new signing secret; prints it, the only time it is shown."""
    application = _app()
    sub = services.rotate_secret(application.ctx, _actor(application, as_user), subscription_id)
    out.print(f"Webhook {subscription_id} has a new signing secret (shown once):")
    print(sub.secret)


@webhooks_app.command("deliveries")
@refusals
def webhooks_deliveries(
    subscription_id: Annotated[int, typer.Argument(metavar="ID")],
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_user: AsUser = "admin",
) -> None:
    """The delivery log of one webhook, newest first: every attempt and its answer."""
    application = _app()
    found = services.deliveries(
        application.ctx, _actor(application, as_user), subscription_id, limit
    )
    table = Table(title=f"Deliveries of webhook {subscription_id}")
    for column in ("id", "event", "type", "status", "attempts", "last answer", "next try"):
        table.add_column(column)
    for d in found:
        last = d.attempts[-1] if d.attempts else None
        answer = "-" if last is None else str(last.status_code or last.error)
        table.add_row(
            str(d.id),
            d.event.event_id,
            escape(d.event.kind),
            d.status.value,
            str(len(d.attempts)),
            escape(answer),
            "-" if d.next_attempt_at is None else f"{d.next_attempt_at:%Y-%m-%d %H:%M:%S}",
        )
    out.print(table)


@webhooks_app.command("deliver")
@refusals
def webhooks_deliver() -> None:
    """One delivery pass now: fan out new events, send what is due (the server does
    this every few seconds by itself)."""
    application = _app()
    ctx = application.ctx
    counts = services.deliver_due(ctx, ctx.clock.now(), HttpSender())
    out.print(
        f"{counts.dispatched} event(s) fanned out; {counts.delivered} delivered, "
        f"{counts.retrying} to retry, {counts.failed} failed."
    )
