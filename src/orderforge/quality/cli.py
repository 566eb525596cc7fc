"""`orderforge quality`: put inspection plans in force, show and record an operation's
inspection, accept failed work as is (user id and password asked again), and an order's
final inspection."""

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
from orderforge.quality import chart_cli, finals, services

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
