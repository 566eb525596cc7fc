"""`orderforge design`: an order's design revisions, proposing one with its documents,
signing it (user id and password asked again, never taken from the command line) and
verifying its signatures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.design import services
from orderforge.design.uploads import upload_limit
from orderforge.design.views import DesignView, RevisionView
from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals

design_app = typer.Typer(
    help="Design revisions and their electronic signatures.", no_args_is_help=True
)
Number = Annotated[str, typer.Argument(help="The order, e.g. SO-2026-0042")]
LineNo = Annotated[int, typer.Argument(help="The order line's number")]
Letter = Annotated[str, typer.Argument(help="The revision, e.g. B")]


def _from_change(revision: RevisionView) -> str:
    """Where a revision without signatures of its own stands (a change may bring it)."""
    if revision.change_number is None:
        return "-"
    if revision.approved_by_change:
        return f"approved by the signature of {revision.change_number}"
    return f"came with {revision.change_number}"


def _show(view: DesignView) -> None:
    approved = "approved" if view.design_approved else "not approved"
    out.print(f"[b]{escape(view.number)}[/b]: design {approved}.")
    for blocker in view.blockers:
        out.print(f"  release waits for: {escape(blocker)}")
    for line in view.lines:
        table = Table(title=f"Line {line.line_no}: {line.quantity} × {escape(line.family_name)}")
        for column in ("rev", "state", "proposed", "files", "signatures", "awaiting"):
            table.add_column(column)
        for r in line.revisions:
            table.add_row(
                r.letter
                + (" (current)" if r.current else "")
                + (f"\nwith {r.change_number}" if r.change_number else ""),
                r.state_label,
                f"{r.proposed_at:%Y-%m-%d %H:%M} UTC by {escape(r.author_name)}",
                escape(", ".join(f.name for f in r.files)) or "-",
                "\n".join(
                    f"{s.capacity}: {escape(s.printed_name)}, {s.meaning}, {s.signed_at_text}"
                    + ("" if s.verified else " (DOES NOT VERIFY)")
                    for s in r.signatures
                )
                or _from_change(r),
                ", ".join(r.missing) if r.state == "proposed" else "-",
            )
        out.print(table)
        if line.prototype is not None:
            out.print(f"  prototype: {escape(line.prototype.words)}.")


@design_app.command("show")
@refusals
def design_show(number: Number, as_user: AsUser = "admin") -> None:
    """Every line's revisions, their signatures and what release waits for."""
    application = _app()
    _show(services.order_design(application.ctx, _actor(application, as_user), number))


@design_app.command("propose")
@refusals
def design_propose(
    number: Number,
    line_no: LineNo,
    notes: Annotated[str, typer.Option(help="What the revision shows or changes")] = "",
    file: Annotated[
        list[Path] | None, typer.Option("--file", "-f", help="A document to attach; repeat")
    ] = None,
    as_user: AsUser = "engineer",
) -> None:
    """Propose the next revision of a line's design, drawn from its spec."""
    application = _app()
    limit = upload_limit(application.ctx)
    files: list[tuple[str, bytes]] = []
    for path in file or []:
        if not path.is_file():
            raise InvalidInput(f"There is no file {path}.", field="file")
        with path.open("rb") as handle:
            files.append((path.name, handle.read(limit + 1)))
    cmd = services.ProposeRevision(number, line_no, notes, tuple(files))
    view = services.propose_revision(application.ctx, _actor(application, as_user), cmd)
    line = next(li for li in view.lines if li.line_no == line_no)
    out.print(f"Revision {line.revisions[-1].letter} of {view.number} line {line_no} proposed.")


@design_app.command("prototype")
@refusals
def design_prototype(number: Number, line_no: LineNo, as_user: AsUser = "engineer") -> None:
    """Make a prototype work order of the line's current revision (one unit); release
    waits until it passes its inspection."""
    application = _app()
    view = services.make_prototype(application.ctx, _actor(application, as_user), number, line_no)
    line = next(li for li in view.lines if li.line_no == line_no)
    made = line.prototype.work_order if line.prototype is not None else "?"
    out.print(f"Prototype {made} of {view.number} line {line_no} made.")


@design_app.command("sign")
@refusals
def design_sign(
    number: Number,
    line_no: LineNo,
    letter: Letter,
    meaning: Annotated[str, typer.Option(help="review, approval or responsibility")] = "approval",
    as_user: AsUser = "admin",
) -> None:
    """Sign a revision: your user id and password are asked again (21 CFR 11.200)."""
    application = _app()
    username = typer.prompt("User id")
    password = typer.prompt("Password", hide_input=True)
    cmd = services.SignRevision(number, line_no, letter, meaning, username, password, "cli")
    view = services.sign_revision(application.ctx, _actor(application, as_user), cmd)
    out.print(f"Revision {letter.upper()} of {view.number} line {line_no} signed.")
    if view.design_approved:
        out.print("The design of the order is approved.")


@design_app.command("reject")
@refusals
def design_reject(
    number: Number,
    line_no: LineNo,
    letter: Letter,
    comment: Annotated[str, typer.Option(help="What must change")],
    as_user: AsUser = "admin",
) -> None:
    """Send a revision back with what must change."""
    application = _app()
    cmd = services.RejectRevision(number, line_no, letter, comment)
    view = services.reject_revision(application.ctx, _actor(application, as_user), cmd)
    out.print(f"Revision {letter.upper()} of {view.number} line {line_no} rejected.")


@design_app.command("verify")
@refusals
def design_verify(
    number: Number, line_no: LineNo, letter: Letter, as_user: AsUser = "admin"
) -> None:
    """Check a revision's signatures against what is stored now (exit 1 if any fails)."""
    application = _app()
    check = services.verify_revision(
        application.ctx, _actor(application, as_user), number, line_no, letter
    )
    out.print(f"{check.record}: content hash {check.content_hash}, {check.signatures} signatures.")
    if check.valid:
        out.print("Every signature verifies.")
        return
    for problem in check.problems:
        out.print(f"[red]{escape(problem)}[/red]")
    raise typer.Exit(1)
