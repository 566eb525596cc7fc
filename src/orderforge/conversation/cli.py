"""`orderforge order message` and `orderforge order messages`: post to an order's
conversation and read it, as a named user (`--as`, like every order command)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.conversation import services
from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals
from orderforge.services import plant_time


@refusals
def message(
    number: Annotated[str, typer.Argument(help="The order, e.g. SO-2026-0042")],
    body: Annotated[str, typer.Argument(help="The message; @name or @role mentions")],
    internal: Annotated[
        bool, typer.Option("--internal", help="An internal note: never shown to the customer")
    ] = False,
    attach: Annotated[
        list[Path] | None, typer.Option("--attach", help="A file to attach; repeat (at most 5)")
    ] = None,
    as_user: AsUser = "admin",
) -> None:
    """Post a message on an order's conversation (its e-mails go out with the outbox)."""
    application = _app()
    uploads = tuple(services.Upload(p.name, p.read_bytes()) for p in attach or [])
    cmd = services.PostMessage(number, body, internal, uploads)
    posted = services.post_message(application.ctx, _actor(application, as_user), cmd)
    kind = "Internal note" if posted.internal else "Message"
    out.print(f"{kind} {posted.id} posted on {posted.order_number}.")


@refusals
def messages(
    number: Annotated[str, typer.Argument(help="The order, e.g. SO-2026-0042")],
    as_user: AsUser = "admin",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """An order's conversation, oldest first, as the user may read it."""
    application = _app()
    found = services.list_messages(application.ctx, _actor(application, as_user), number)
    if as_json:
        print(json.dumps([services.message_view(m) for m in found], indent=2, default=str))
        return
    zone = plant_time.zone_of(application.ctx)
    table = Table(title=f"Conversation on {number.upper()} (times in {zone.key})")
    for column in ("when", "who", "", "message", "files"):
        table.add_column(column)
    for m in found:
        table.add_row(
            plant_time.show(m.posted_at, zone),
            escape(f"{m.author.display_name} ({services.role_words(m.author.role)})"),
            "internal" if m.internal else "",
            escape(m.body),
            escape(", ".join(a.name for a in m.attachments)),
        )
    out.print(table)
