"""`orderforge change`: ask for an engineering change of an order, see its impact, decide it
(approval asks your user id and password again, never from the command line), record the
customer's answer, verify signatures, and list the orders a catalogue change reaches."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from orderforge.change import services
from orderforge.design.uploads import upload_limit
from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals

change_app = typer.Typer(
    help="Engineering changes of confirmed orders (ECR -> ECO).", no_args_is_help=True
)
Number = Annotated[str, typer.Argument(help="The order, e.g. SO-2026-0042")]
ChangeNo = Annotated[str, typer.Argument(help="The change, e.g. ECR-2026-0001")]


def _spec(pairs: list[str]) -> dict[str, str]:
    spec: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"Give options as name=value, not {pair!r}.", field="set")
        spec[key.strip()] = value.strip()
    return spec


def _show(view: dict[str, Any]) -> None:
    out.print(
        f"[b]{escape(view['number'])}[/b] of {escape(view['order_number'])}: "
        f"{escape(view['state_label'])}. Asked by {escape(view['requested_by'])} "
        f"({view['origin_label']}) at {view['requested_at']}: {escape(view['reason'])}"
    )
    for line in view["lines"]:
        out.print(f"  Line {line['line_no']} ({escape(line['family'])}):")
        for option in line["options"]:
            out.print(
                f"    {escape(option['option'])}: {escape(option['before'])} -> "
                f"{escape(option['after'])}"
            )
        q = line["quantity"]
        if q["before"] != q["after"]:
            out.print(f"    Quantity: {q['before']} -> {q['after']}")
    for design in view.get("designs", []):
        files = ", ".join(escape(f["name"]) for f in design["files"]) or "no documents"
        out.print(
            f"  Line {design['line_no']} new design revision (drawn for {design['drawn_for']}; "
            f"{escape(design['approval'])}): {files}"
        )
        if design["notes"]:
            out.print(f"    {escape(design['notes'])}")
    price, promise = view["price"], view["promise"]
    out.print(f"  Price: {price['before']} -> {price['after']} ({price['delta']})")
    out.print(f"  Delivery: {promise['before_label']} -> {promise['after_label']}")
    impact = view.get("impact")
    if impact is not None:
        cost = impact["cost"]
        out.print(
            f"  Cost: {cost['before']} -> {cost['after']} ({cost['delta']}); "
            f"work lost: {cost['lost_work']}"
        )
        for line in impact["lines"]:
            table = Table(title=f"Line {line['line_no']} operations ({line['work_order']})")
            for column in ("op", "operation", "work centre", "status", "fate"):
                table.add_column(column)
            for op in line["operations"]:
                table.add_row(
                    str(op["seq"] or "new"),
                    escape(op["name"]),
                    escape(op["work_centre"]),
                    op["status"],
                    op["fate_label"],
                )
            out.print(table)
            for m in line["materials"]:
                out.print(
                    f"    {escape(m['name'])}: {m['before']} -> {m['after']} {m['unit']} "
                    f"(reserved {m['reserved_from_stock']}, on order {m['on_order']})"
                )
        out.print(f"  Other orders: {escape(impact['others'].get('note', ''))}")
    for s in view["signatures"]:
        mark = "" if s["valid"] else " (DOES NOT VERIFY)"
        out.print(
            f"  Signed: {escape(s['printed_name'])}, {s['meaning_label']}, {s['signed_at']}{mark}"
        )
    if view["decision_comment"]:
        out.print(f"  Decision: {escape(view['decision_comment'])}")
    applied = view.get("applied")
    for made in (applied or {}).get("designs", []):
        how = (
            "approved by this change's signature"
            if made["approved_by_change"]
            else "awaiting its design approvals"
        )
        out.print(f"  Line {made['line_no']}: design revision {made['revision']}, {how}")
    if applied and applied.get("work_orders"):
        for wo in applied["work_orders"]:
            out.print(
                f"  Work order {wo['new']} revision {wo['revision']} replaces {wo['old']}; "
                f"carried over: {', '.join(map(str, wo['carried_over'])) or 'nothing'}"
            )


@change_app.command("request")
@refusals
def change_request(
    number: Number,
    line_no: Annotated[int, typer.Option("--line", help="The order line to change")],
    reason: Annotated[str, typer.Option(help="What should change and why")],
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="An option as name=value; repeat")
    ] = None,
    quantity: Annotated[int | None, typer.Option(help="A new quantity")] = None,
    document: Annotated[
        list[Path] | None,
        typer.Option(
            "--document", "-d", help="A document of the new design revision the change carries"
        ),
    ] = None,
    notes: Annotated[
        str | None, typer.Option(help="What the new design revision the change carries shows")
    ] = None,
    as_user: AsUser = "sales",
) -> None:
    """Ask for a change of one line (a new spec, a new design revision, or both); the
    impact is computed and shown."""
    application = _app()
    actor = _actor(application, as_user)
    limit = upload_limit(application.ctx)
    documents: list[tuple[str, bytes]] = []
    for path in document or []:
        if not path.is_file():
            raise InvalidInput(f"There is no file {path}.", field="document")
        with path.open("rb") as handle:
            # one byte over the limit is enough for the check to refuse it
            documents.append((path.name, handle.read(limit + 1)))
    spec: dict[str, str] | None = None
    if set_:
        with application.ctx.uow() as uow:
            order = uow.orders.get(number.strip().upper())
            current = next(
                (dict(li.spec) for li in (order.lines if order else []) if li.line_no == line_no),
                {},
            )
        spec = {**current, **_spec(set_)}
    line = services.LineRequest(
        line_no,
        spec,
        quantity,
        revise_design=notes is not None or bool(documents),
        design_notes=notes or "",
        documents=tuple(documents),
    )
    _show(
        services.request_change(
            application.ctx, actor, services.RequestChange(number, reason, (line,))
        )
    )


@change_app.command("show")
@refusals
def change_show(change: ChangeNo, as_user: AsUser = "admin") -> None:
    """A change with its impact, decision and signatures."""
    application = _app()
    _show(services.get_change(application.ctx, _actor(application, as_user), change))


@change_app.command("list")
@refusals
def change_list(
    number: Annotated[str | None, typer.Option("--order", help="Only this order's")] = None,
    as_user: AsUser = "admin",
) -> None:
    """Open changes (or every change of one order)."""
    application = _app()
    actor = _actor(application, as_user)
    changes = (
        services.order_changes(application.ctx, actor, number)["changes"]
        if number
        else services.open_changes(application.ctx, actor)
    )
    table = Table(title="Engineering changes")
    for column in ("change", "order", "state", "asked by", "price", "delivery"):
        table.add_column(column)
    for c in changes:
        table.add_row(
            c["number"],
            c["order_number"],
            c["state_label"],
            escape(c["requested_by"]),
            f"{c['price']['before']} -> {c['price']['after']}",
            f"{c['promise']['before_label']} -> {c['promise']['after_label']}",
        )
    out.print(table)


@change_app.command("approve")
@refusals
def change_approve(
    change: ChangeNo,
    comment: Annotated[str, typer.Option(help="A note for the record")] = "",
    meaning: Annotated[str, typer.Option(help="review, approval or responsibility")] = "approval",
    as_user: AsUser = "engineer",
) -> None:
    """Approve and apply a change: your user id and password are asked again."""
    application = _app()
    username = typer.prompt("User id")
    password = typer.prompt("Password", hide_input=True)
    cmd = services.Decision(change, True, comment, meaning, username, password, "cli")
    _show(services.decide_change(application.ctx, _actor(application, as_user), cmd))


@change_app.command("reject")
@refusals
def change_reject(
    change: ChangeNo,
    comment: Annotated[str, typer.Option(help="Why it is rejected")],
    as_user: AsUser = "engineer",
) -> None:
    application = _app()
    cmd = services.Decision(change, False, comment)
    _show(services.decide_change(application.ctx, _actor(application, as_user), cmd))


@change_app.command("withdraw")
@refusals
def change_withdraw(
    change: ChangeNo,
    comment: Annotated[str, typer.Option(help="Why")] = "",
    as_user: AsUser = "sales",
) -> None:
    application = _app()
    _show(services.withdraw_change(application.ctx, _actor(application, as_user), change, comment))


@change_app.command("answer")
@refusals
def change_answer(
    change: ChangeNo,
    accept: Annotated[bool, typer.Option("--accept/--decline", help="The customer's answer")],
    comment: Annotated[str, typer.Option(help="Needed when declining")] = "",
    as_user: AsUser = "sales",
) -> None:
    """Record the customer's answer to the new date and price."""
    application = _app()
    _show(
        services.customer_decision(
            application.ctx, _actor(application, as_user), change, accept, comment
        )
    )


@change_app.command("verify")
@refusals
def change_verify(change: ChangeNo, as_user: AsUser = "admin") -> None:
    """Check a change's signatures against what is stored now (exit 1 if any fails)."""
    application = _app()
    check = services.verify_change(application.ctx, _actor(application, as_user), change)
    out.print(f"{check['number']}: content hash {check['content_hash']}.")
    for s in check["signatures"]:
        ok = s["content_matches"] and s["seal_valid"]
        out.print(f"  {escape(s['printed_name'])}, {s['meaning']}: {'verifies' if ok else 'FAILS'}")
    if not check["valid"]:
        raise typer.Exit(1)
    out.print("Every signature verifies.")


@change_app.command("affected")
@refusals
def change_affected(
    family: Annotated[str, typer.Argument(help="The product family")],
    module: Annotated[str | None, typer.Option(help="A module that is redesigned")] = None,
    option: Annotated[str | None, typer.Option(help="An option that changes")] = None,
    value: Annotated[str | None, typer.Option(help="Only lines with this value")] = None,
    as_user: AsUser = "engineer",
) -> None:
    """The open orders and quotes a catalogue change would reach."""
    application = _app()
    found = services.affected_orders(
        application.ctx, _actor(application, as_user), family, module, option, value
    )
    table = Table(title=f"{found['family_name']}: {found['count']} orders reached")
    for column in ("order", "customer", "state", "line", "promised", "work started"):
        table.add_column(column)
    for f in found["orders"]:
        table.add_row(
            f["order_number"],
            escape(f["customer"]),
            f["state_label"],
            str(f["line_no"]),
            f["promise_date"] or "-",
            "yes" if f["work_started"] else "no",
        )
    out.print(table)
