"""`orderforge mail`: read the mail log, and run one delivery pass by hand (for cron,
when no server process runs the worker)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals
from orderforge.mail import services
from orderforge.mail.sender import config_from, transport_from

mail_app = typer.Typer(help="E-mail notifications: the log and delivery.", no_args_is_help=True)


@mail_app.command("list")
@refusals
def mail_list(
    order: Annotated[str | None, typer.Option(help="Only this order, e.g. SO-2026-0042")] = None,
    status: Annotated[
        str | None, typer.Option(help="Only this status: pending, held, sent or failed")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=services.MAX_LIST)] = 50,
    as_user: AsUser = "admin",
) -> None:
    """The newest mails first: to whom, about what, and how their delivery went."""
    application = _app()
    found = services.list_mail(application.ctx, _actor(application, as_user), order, status, limit)
    table = Table(title="Mail")
    for column in ("id", "order", "to", "subject", "status", "attempts", "last answer"):
        table.add_column(column)
    for m in found:
        view = services.mail_view(m)
        last = m.attempts[-1] if m.attempts else None
        answer = m.note or ("-" if last is None else str(last.error or last.smtp_code))
        table.add_row(
            str(m.id),
            m.order or "-",
            escape(m.address),
            escape(view["subject"]),
            m.status.value,
            str(len(m.attempts)),
            escape(answer),
        )
    out.print(table)


@mail_app.command("deliver")
@refusals
def mail_deliver() -> None:
    """One delivery pass now: queue mails for new events, send what is due (the server
    does this every few seconds by itself)."""
    application = _app()
    ctx = application.ctx
    transport = transport_from(application.settings)
    counts = services.deliver_due(
        ctx, ctx.clock.now(), transport, config_from(application.settings)
    )
    out.print(
        f"{counts.dispatched} event(s) read; {counts.queued} mail(s) queued, "
        f"{counts.no_address} person(s) without an address; {counts.sent} sent, "
        f"{counts.retrying} to retry, {counts.failed} failed."
    )
    if transport is None:
        out.print(
            f"No SMTP server configured (ORDERFORGE_SMTP_HOST): {counts.held} mail(s) "
            "held until one is."
        )
