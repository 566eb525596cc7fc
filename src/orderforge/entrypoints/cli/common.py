"""What every command shares: the console, refusals as exit codes, the app, the actor."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from orderforge.bootstrap import Application, build
from orderforge.config import ConfigError
from orderforge.domain.errors import DomainError, NotFound
from orderforge.domain.user import Role
from orderforge.services import users
from orderforge.services.ports import Principal

out = Console()
err = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")
AsUser = Annotated[
    str,
    typer.Option(
        "--as", envvar="ORDERFORGE_USER", help="Act as this user (their role's permissions apply)."
    ),
]


def refusals(func: Callable[P, R]) -> Callable[P, R]:
    """Turn business refusals into a sentence on stderr and exit code 1 (2 for config)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            where = escape(f" [{exc.field}]") if exc.field else ""
            err.print(f"[red]Error{where}:[/red] {escape(exc.message)}", highlight=False)
            raise typer.Exit(1) from None
        except ConfigError as exc:
            err.print(f"[red]Configuration error:[/red] {escape(str(exc))}", highlight=False)
            raise typer.Exit(2) from None

    return wrapper


def _app() -> Application:
    application = build()
    if not application.schema_is_current():
        application.upgrade_schema()
    return application


def _actor(application: Application, username: str) -> Principal:
    with application.ctx.uow() as uow:
        user = uow.users.get(username.strip().lower())
        if user is None:
            raise NotFound(
                f"There is no user '{username}'. Create one with `orderforge user add`, "
                "or name another with --as."
            )
        return users.principal_of(user)


#: Who sets up a fresh installation at the command line, before any user exists.
LOCAL_ADMIN = Principal(
    user_id=0, username="local-admin", role=Role.ADMIN, display_name="Local administrator"
)


def _setup_actor(application: Application, username: str) -> Principal:
    """The named user; on a database with no users yet, the local administrator (the
    one who runs the commands that set up the plant: `plant import`, `catalog import`)."""
    with application.ctx.uow() as uow:
        if not uow.users.list():
            return LOCAL_ADMIN
    return _actor(application, username)


def with_bar(
    description: str, work: Callable[[Callable[[float], None]], dict[str, Any]], *, hidden: bool
) -> dict[str, Any]:
    """Long work in the foreground (a recorded run carried out here) with a progress bar
    on stderr, fed the share done; `hidden` for --json and --quiet."""
    with Progress(
        TextColumn(description),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f} %"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=hidden,
    ) as progress:
        task = progress.add_task(description, total=1.0)
        return work(lambda share: progress.update(task, completed=share))
