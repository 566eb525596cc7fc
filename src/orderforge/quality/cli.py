"""`orderforge quality`: put inspection plans in force, show and record an operation's
inspection, accept failed work as is (user id and password asked again), keep the defect
causes, an order's final inspection; `orderforge ncr`: nonconformance reports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml  # type: ignore[import-untyped]
from rich.markup import escape
from rich.table import Table

from orderforge.domain.errors import InvalidInput
from orderforge.entrypoints.cli.common import AsUser, _actor, _app, out, refusals
from orderforge.quality import chart_cli, finals, ncr_services, services
from orderforge.quality.ncr_domain import ReworkStep

quality_app = typer.Typer(help="Inspections at operations and their plans.", no_args_is_help=True)
_MEASURED = re.compile(r"^([A-Za-z0-9_-]{1,40})=(-?[0-9.]+)\s*([A-Za-zµ%°/0-9]*)$")


def _show(view: dict[str, Any]) -> None:
    out.print(
        f"[b]{view['work_order']} operation {view['seq']}[/b]: {escape(view['plan']['name'])} — "
        f"{escape(view['status_label'])} ({view['units_to_inspect']} unit(s) to inspect)"
    )
    table = Table()
    for column in ("characteristic", "limits", "results (unit: value, verdict, by)"):
        table.add_column(column)
    for c in view["plan"]["characteristics"]:
        results = [
            f"{r['unit']}: "
            + (f"{r['value']} {r['value_unit']}, " if r["value"] is not None else "")
            + ("pass" if r["passed"] else "FAIL")
            + f", {r['inspector']}"
            + ("" if r["current"] else " (re-inspected)")
            for r in view["results"]
            if r["characteristic"] == c["code"]
        ]
        table.add_row(
            escape(c["name"]),
            c.get("limits_text", "pass / fail"),
            escape("\n".join(results)) or "-",
        )
    out.print(table)


@quality_app.command("plans")
@refusals
def quality_plans(
    file: Annotated[Path | None, typer.Argument(help="A plan file to put in force")] = None,
    as_user: AsUser = "quality",
) -> None:
    """The plans in force; with a FILE (YAML), put its plans in force first."""
    application = _app()
    actor = _actor(application, as_user)
    if file is not None:
        if not file.is_file():
            raise InvalidInput(f"There is no file {file}.", field="file")
        try:
            document = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise InvalidInput(f"{file} is not YAML: {exc}", field="file") from None
        done = services.put_plans_in_force(application.ctx, actor, document)
        out.print(
            f"{done['plans']} plans and {done['final_checklists']} final checklists read, "
            f"{done['changed']} put in force."
        )
    for plan in services.list_plans(application.ctx, actor):
        out.print(
            f"{plan['family']} / {plan['operation']}: {escape(plan['name'])} "
            f"({plan['sampling'].replace('_', ' ')}; "
            + ", ".join(c["code"] for c in plan["characteristics"])
            + ")"
        )


@quality_app.command("show")
@refusals
def quality_show(work_order: str, seq: int, as_user: AsUser = "quality") -> None:
    """An operation's inspection: limits for this work order, results, status."""
    application = _app()
    _show(services.get_inspection(application.ctx, _actor(application, as_user), work_order, seq))


@quality_app.command("record")
@refusals
def quality_record(
    work_order: str,
    seq: int,
    value: Annotated[
        list[str] | None, typer.Option("--value", help="code=number unit, e.g. flatness=0.3mm")
    ] = None,
    passed: Annotated[list[str] | None, typer.Option("--pass", help="A check that passed")] = None,
    failed: Annotated[list[str] | None, typer.Option("--fail", help="A check that failed")] = None,
    unit: Annotated[int, typer.Option(help="Which unit (1..quantity)")] = 1,
    note: Annotated[str, typer.Option(help="A note for the record")] = "",
    as_user: AsUser = "quality",
) -> None:
    """Record one unit's results; an out-of-tolerance value holds what follows."""
    values: dict[str, tuple[str, str]] = {}
    for item in value or []:
        match = _MEASURED.match(item.strip())
        if match is None:
            raise InvalidInput(f"Give a value as code=number unit, not {item!r}.", field="value")
        values[match.group(1)] = (match.group(2), match.group(3))
    checks = {code: True for code in passed or []} | {code: False for code in failed or []}
    application = _app()
    cmd = services.RecordResults(work_order, seq, unit, values, checks, note)
    _show(services.record_results(application.ctx, _actor(application, as_user), cmd))


@quality_app.command("accept")
@refusals
def quality_accept(
    work_order: str,
    seq: int,
    reason: Annotated[str, typer.Option(help="Why the work may be used as it is")],
    as_user: AsUser = "quality",
) -> None:
    """Accept failed work as it is: your user id and password are asked again."""
    application = _app()
    username = typer.prompt("User id")
    password = typer.prompt("Password", hide_input=True)
    cmd = services.AcceptAsIs(work_order, seq, reason, username, password, "cli")
    _show(services.accept_as_is(application.ctx, _actor(application, as_user), cmd))


def _show_final(view: dict[str, Any]) -> None:
    out.print(f"[b]{view['order_number']}[/b]: {view['state_label']}")
    for f in view["facts"]:
        mark = "[green]yes[/green]" if f["passed"] else "[red]no[/red]"
        said = f" — {escape(f['note'])}" if f["note"] else ""
        out.print(f"  {mark} {escape(f['text'])}{said}")
    if view["can_record"]:
        out.print("Checklist (answer with --pass CODE or --fail CODE=what is wrong):")
        for item in view["items"]:
            out.print(f"  {item['code']}: {escape(item['text'])}")
    for a in view["attempts"]:
        failed = [f for f in a["findings"] if not f["passed"]]
        out.print(
            f"Attempt {a['attempt']}: {a['verdict']} by {a['inspector']} "
            f"{a['inspected_at'][:16].replace('T', ' ')} UTC"
            + "".join(f"\n  fail: {escape(f['text'])} {escape(f['note'])}" for f in failed)
        )


@quality_app.command("final")
@refusals
def quality_final(
    order: str,
    passed: Annotated[
        list[str] | None, typer.Option("--pass", help="A checklist item that passed")
    ] = None,
    failed: Annotated[
        list[str] | None,
        typer.Option("--fail", help="A failed item with what is wrong: CODE=note"),
    ] = None,
    all_pass: Annotated[
        bool, typer.Option("--all-pass", help="Every checklist item passed")
    ] = False,
    again: Annotated[
        bool, typer.Option("--again", help="Present the order again after a failed attempt")
    ] = False,
    note: Annotated[str, typer.Option(help="A note for the record")] = "",
    as_user: AsUser = "quality",
) -> None:
    """An order's final inspection; with verdicts, record an attempt (passed: ready to
    ship; failed: back to production)."""
    application = _app()
    actor = _actor(application, as_user)
    if again:
        _show_final(finals.present_again(application.ctx, actor, order))
        return
    if not (passed or failed or all_pass):
        _show_final(finals.final_inspection(application.ctx, actor, order))
        return
    answers: dict[str, tuple[bool, str]] = {}
    if all_pass:
        view = finals.final_inspection(application.ctx, actor, order)
        answers = {item["code"]: (True, "") for item in view["items"]}
    for code in passed or []:
        answers[code.strip()] = (True, "")
    for item in failed or []:
        code, sep, said = item.partition("=")
        if not sep or not said.strip():
            raise InvalidInput(
                f"Give a failed item as CODE=what is wrong, not {item!r}.", field="fail"
            )
        answers[code.strip()] = (False, said.strip())
    cmd = finals.RecordFinal(order, answers, note)
    _show_final(finals.record_final(application.ctx, actor, cmd))


quality_app.command("chart")(chart_cli.quality_chart)
quality_app.command("fpy")(chart_cli.quality_fpy)
quality_app.command("pareto")(chart_cli.quality_pareto)
# -- defect causes and NCRs -------------------------------------------------------------

ncr_app = typer.Typer(
    help="Nonconformance reports: raise, decide (disposition), verify and close.",
    no_args_is_help=True,
)
_STEP = re.compile(r"^([A-Za-z0-9_-]{1,40}):([0-9]{1,5}):(.{1,200})$")


@quality_app.command("causes")
@refusals
def quality_causes(
    file: Annotated[
        Path | None, typer.Argument(help="A cause file (YAML) to add or change")
    ] = None,
    as_user: AsUser = "quality",
) -> None:
    """The defect causes scrap and NCRs are reported with; with a FILE, change them first."""
    application = _app()
    actor = _actor(application, as_user)
    if file is not None:
        if not file.is_file():
            raise InvalidInput(f"There is no file {file}.", field="file")
        try:
            document = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise InvalidInput(f"{file} is not YAML: {exc}", field="file") from None
        done = ncr_services.put_causes(application.ctx, actor, document)
        out.print(f"{done['causes']} causes read, {done['changed']} changed.")
    for cause in ncr_services.list_causes(application.ctx, actor):
        retired = "" if cause["active"] else " (retired)"
        out.print(f"{cause['code']}: {escape(cause['label'])}{retired}")


def _show_ncr(view: dict[str, Any]) -> None:
    out.print(
        f"[b]{view['number']}[/b] {view['work_order']} operation {view['seq']}: "
        f"{view['quantity']} unit(s) — {escape(view['status_label'])}"
    )
    out.print(f"  Defect: {escape(view['description'])}")
    out.print(
        f"  Cause: {escape(view['cause_label'])} · found: {view['origin_label']}"
        + (f" · lot {escape(view['lot'])}" if view["lot"] else "")
    )
    out.print(f"  Raised by {view['raised_by']} at {view['raised_at']}")
    d = view["disposition"]
    if d is not None:
        out.print(
            f"  Disposition: {d['label']} by {d['decided_by']} at {d['decided_at']}: "
            f"{escape(d['note'])}"
        )
        if d["operations"]:
            out.print("  Operations added: " + ", ".join(str(s) for s in d["operations"]))
        if d["returned"]:
            r = d["returned"]
            out.print(
                f"  Returned: {r['quantity']} of lot {escape(r['lot'])} to "
                f"{escape(r['supplier'])}, debit note {escape(r['debit_note'])}"
            )
        if d["signature"]:
            out.print(f"  Signed by {escape(d['signature']['printed_name'])}")
    for item in view["outstanding"]:
        out.print(f"  [yellow]To verify:[/yellow] {escape(item)}")
    if view["closure_note"]:
        out.print(f"  {view['status']} by {view['closed_by']}: {escape(view['closure_note'])}")


@ncr_app.command("list")
@refusals
def ncr_list(
    status: Annotated[
        str | None, typer.Option(help="open, dispositioned, closed, cancelled")
    ] = None,
    work_order: Annotated[str | None, typer.Option(help="Only this work order's")] = None,
    as_user: AsUser = "quality",
) -> None:
    """NCRs, open first."""
    application = _app()
    views = ncr_services.list_ncrs(
        application.ctx, _actor(application, as_user), status=status, work_order=work_order
    )
    table = Table()
    for column in ("NCR", "work order", "op", "qty", "cause", "status", "defect"):
        table.add_column(column)
    for v in views:
        table.add_row(
            v["number"],
            v["work_order"],
            str(v["seq"]),
            str(v["quantity"]),
            escape(v["cause_label"]),
            escape(v["status_label"]),
            escape(v["description"][:60]),
        )
    out.print(table if views else "No NCRs.")


@ncr_app.command("show")
@refusals
def ncr_show(number: str, as_user: AsUser = "quality") -> None:
    """An NCR, its disposition and what verification still misses."""
    application = _app()
    _show_ncr(ncr_services.get_ncr(application.ctx, _actor(application, as_user), number))


@ncr_app.command("raise")
@refusals
def ncr_raise(
    work_order: str,
    seq: int,
    quantity: Annotated[int, typer.Option(help="Units affected")],
    description: Annotated[str, typer.Option(help="What is wrong")],
    cause: Annotated[str, typer.Option(help="A defect cause code (orderforge quality causes)")],
    origin: Annotated[str, typer.Option(help="inspection, floor, material or other")] = "floor",
    lot: Annotated[str, typer.Option(help="Material lot number")] = "",
    as_user: AsUser = "quality",
) -> None:
    """Raise an NCR at an operation: the operations after it wait for the disposition."""
    application = _app()
    cmd = ncr_services.RaiseNcr(work_order, seq, quantity, description, cause, origin, lot)
    _show_ncr(ncr_services.raise_ncr(application.ctx, _actor(application, as_user), cmd))


@ncr_app.command("disposition")
@refusals
def ncr_disposition(
    number: str,
    kind: Annotated[str, typer.Argument(help="rework, scrap, use_as_is or return_to_supplier")],
    note: Annotated[str, typer.Option(help="Why")],
    step: Annotated[
        list[str] | None,
        typer.Option("--step", help="Rework step WORKCENTRE:MINUTES:instruction (repeatable)"),
    ] = None,
    supplier: Annotated[str, typer.Option(help="return_to_supplier: the supplier")] = "",
    debit_note: Annotated[str, typer.Option(help="return_to_supplier: debit note number")] = "",
    as_user: AsUser = "quality",
) -> None:
    """Decide the NCR (once); use_as_is asks your user id and password again."""
    steps = []
    for item in step or []:
        match = _STEP.match(item.strip())
        if match is None:
            raise InvalidInput(
                f"Give a rework step as WORKCENTRE:MINUTES:instruction, not {item[:80]!r}.",
                field="step",
            )
        steps.append(ReworkStep(match.group(1), int(match.group(2)), match.group(3)))
    username = password = ""
    if kind.strip().lower() == "use_as_is":
        username = typer.prompt("User id")
        password = typer.prompt("Password", hide_input=True)
    application = _app()
    cmd = ncr_services.Dispose(
        number, kind, note, steps, supplier, debit_note, username, password, "cli"
    )
    view = ncr_services.dispose(application.ctx, _actor(application, as_user), cmd)
    _show_ncr(view)
    if view.get("replan_run"):
        out.print(f"Replan {view['replan_run']} queued (orderforge plan runs).")


@ncr_app.command("close")
@refusals
def ncr_close(
    number: str,
    note: Annotated[str, typer.Option(help="What was verified")],
    as_user: AsUser = "quality",
) -> None:
    """Verify the disposition was carried out and close (a second person)."""
    application = _app()
    _show_ncr(ncr_services.close_ncr(application.ctx, _actor(application, as_user), number, note))


@ncr_app.command("cancel")
@refusals
def ncr_cancel(
    number: str,
    reason: Annotated[str, typer.Option(help="Why it was raised in error")],
    as_user: AsUser = "quality",
) -> None:
    """Cancel an open NCR raised in error (kept with the reason)."""
    application = _app()
    _show_ncr(
        ncr_services.cancel_ncr(application.ctx, _actor(application, as_user), number, reason)
    )
