"""`orderforge user ...`: people who sign in and their API tokens, as the local
administrator (whoever can run commands on the server)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.entrypoints.cli.common import _app, out, refusals
from orderforge.services import credentials, users

user_app = typer.Typer(help="People who sign in, and their API tokens.", no_args_is_help=True)


@user_app.command("add")
@refusals
def user_add(
    username: str,
    role: Annotated[
        str, typer.Option(help="admin, sales, engineer, planner, operator, quality or customer")
    ],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, envvar="ORDERFORGE_NEW_PASSWORD"
        ),
    ],
    name: Annotated[str, typer.Option(help="Display name")] = "",
    customer: Annotated[str | None, typer.Option(help="Customer code (customer role)")] = None,
    email: Annotated[str, typer.Option(help="Where e-mail notifications go")] = "",
) -> None:
    """Create a user (as the local administrator)."""
    application = _app()
    view = users.add_user(
        application.ctx,
        None,
        users.AddUser(
            username=username,
            role=role,
            password=password,
            display_name=name,
            customer_code=customer,
            email=email,
        ),
    )
    out.print(f"User {view.username} ({view.role}) created.")


@user_app.command("email")
@refusals
def user_email(
    username: str,
    email: Annotated[str, typer.Argument(help="The address; '' stops e-mail to this user")],
) -> None:
    """Set (or clear) the address a user's e-mail notifications go to."""
    view = users.change_user(_app().ctx, None, users.UserChange(username=username, email=email))
    if view.email:
        out.print(f"E-mail for {view.username} goes to {escape(view.email)}.")
    else:
        out.print(f"{view.username} gets no e-mail now.")


@user_app.command("token")
@refusals
def user_token(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for")] = "cli",
    days: Annotated[
        int | None, typer.Option(help="Days until it expires (default 90)", min=1, max=366)
    ] = None,
) -> None:
    """Issue an API token for a user; it is printed once and never stored in clear."""
    application = _app()
    print(credentials.issue_token(application.ctx, username, name, days).secret)


@user_app.command("tokens")
@refusals
def user_tokens(username: Annotated[str | None, typer.Argument()] = None) -> None:
    """List API tokens (every user's, or one user's): never the secrets."""
    application = _app()
    table = Table("id", "user", "name", "created", "expires", "state")
    for token in credentials.list_tokens(application.ctx, None):
        if username and token.username != username.strip().lower():
            continue
        state = "revoked" if token.revoked_at else ("active" if token.active else "expired")
        expires = f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "never"
        table.add_row(
            str(token.id),
            token.username,
            token.name,
            f"{token.created_at:%Y-%m-%d}",
            expires,
            state,
        )
    out.print(table)


@user_app.command("revoke-token")
@refusals
def user_revoke_token(token_id: int) -> None:
    """Revoke an API token by its id (see `user tokens`): it is refused from now on."""
    credentials.revoke_token(_app().ctx, None, token_id)
    out.print(f"Token {token_id} revoked.")


@user_app.command("deactivate")
@refusals
def user_deactivate(username: str) -> None:
    """The user can no longer sign in; their sessions and tokens stop working."""
    users.change_user(_app().ctx, None, users.UserChange(username=username, active=False))
    out.print(f"User {username} deactivated: can no longer sign in; sessions and tokens ended.")


@user_app.command("activate")
@refusals
def user_activate(username: str) -> None:
    """Let a deactivated user sign in again (old tokens stay revoked)."""
    users.change_user(_app().ctx, None, users.UserChange(username=username, active=True))
    out.print(f"User {username} can sign in again.")
