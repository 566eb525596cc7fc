"""The `orderforge` command line: database, demo, server, users and orders.

Run in a folder, it uses that folder's ./var/ database unless ORDERFORGE_DATABASE_URL
names another. Every refusal exits non-zero with the sentence that says why.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from orderforge import demo
from orderforge.bootstrap import Application
from orderforge.change import cli as change_cli
from orderforge.config import Settings
from orderforge.conversation import cli as conversation_cli
from orderforge.demo.plant import DEMO_USERS
from orderforge.design import cli as design_cli
from orderforge.domain.documents import CustomerDocument, DocumentKind
from orderforge.domain.errors import InvalidInput
from orderforge.domain.order import LineInput
from orderforge.entrypoints.cli.common import (
    AsUser,
    _actor,
    _app,
    _setup_actor,
    err,
    out,
    refusals,
)
from orderforge.entrypoints.cli.db import db_app
from orderforge.entrypoints.cli.plans import plan_app, worker
from orderforge.entrypoints.cli.serving import serve_processes
from orderforge.entrypoints.cli.users import user_app
from orderforge.forecasting.cli import forecast_app
from orderforge.imports.cli import import_app
from orderforge.insight.cli import insight_app
from orderforge.mail import cli as mail_cli
from orderforge.mail.worker import MailWorker
from orderforge.materials import cli as materials_cli
from orderforge.plant.cli import plant_app
from orderforge.production import cli as production_cli
from orderforge.production.services import review
from orderforge.promising import cli as promising_cli
from orderforge.promising.worker import PromiseWatch
from orderforge.quality import cli as quality_cli
from orderforge.services import (
    catalogue,
    configuration,
    customers,
    documents,
    orders,
    plant_time,
)
from orderforge.services.views import plain
from orderforge.shipping import cli as shipping_cli
from orderforge.simulation import cli as simulation_cli
from orderforge.trace import cli as trace_cli
from orderforge.webhooks import cli as webhooks_cli
from orderforge.webhooks.worker import WebhookWorker

app = typer.Typer(
    help="OrderForge: Make-to-Order manufacturing from quote to delivery.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # markdown joins a docstring's wrapped lines into one paragraph, as a reader expects
    rich_markup_mode="markdown",
)
demo_app = typer.Typer(help="The demo plant (a custom furniture workshop).", no_args_is_help=True)
customer_app = typer.Typer(help="Customers.", no_args_is_help=True)
order_app = typer.Typer(help="Orders and their lifecycle.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(user_app, name="user")
app.add_typer(customer_app, name="customer")
catalog_app = typer.Typer(
    help="Product catalogues (families, rules, modules).", no_args_is_help=True
)
app.add_typer(order_app, name="order")
order_app.command("message")(conversation_cli.message)
order_app.command("messages")(conversation_cli.messages)
app.add_typer(catalog_app, name="catalog")
app.add_typer(plan_app, name="plan")
app.add_typer(plant_app, name="plant")
app.add_typer(production_cli.wo_app, name="wo")
app.add_typer(production_cli.op_app, name="op")
app.add_typer(materials_cli.mrp_app, name="mrp")
app.add_typer(materials_cli.po_app, name="po")
app.add_typer(simulation_cli.simulate_app, name="simulate")
app.command("stock")(materials_cli.stock_command)
app.command("promise")(promising_cli.promise)
app.command("promise-watch")(promising_cli.promise_watch)
app.command("worker")(worker)
app.add_typer(webhooks_cli.webhooks_app, name="webhooks")
app.add_typer(design_cli.design_app, name="design")
app.add_typer(change_cli.change_app, name="change")
app.add_typer(quality_cli.quality_app, name="quality")
app.add_typer(quality_cli.ncr_app, name="ncr")
app.add_typer(trace_cli.trace_app, name="trace")
app.add_typer(shipping_cli.ship_app, name="ship")
app.add_typer(forecast_app, name="forecast")
app.add_typer(insight_app, name="insight")
app.add_typer(mail_cli.mail_app, name="mail")
app.add_typer(import_app, name="import")


@demo_app.command("load")
@refusals
def demo_load(
    if_empty: Annotated[bool, typer.Option(help="Do nothing if data is already loaded.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the generated orders.")] = 2026,
    history_weeks: Annotated[
        int,
        typer.Option(
            help="Weeks of order, quote and floor history before today (0: none).", min=0, max=260
        ),
    ] = demo.DEMO_HISTORY_WEEKS,
) -> None:
    """Load the demo plant, customers, users and orders into an empty database."""
    application = _app()
    if if_empty and demo.is_loaded(application.ctx):
        out.print("Demo data already present; nothing loaded.")
        return
    with Progress(console=out) as progress:
        label = "Loading demo orders" + (" and history" if history_weeks else "")
        task = progress.add_task(label, total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = demo.load_demo(
            application.ctx,
            application.settings.demo_password,
            seed=seed,
            on_progress=on_progress,
            history_weeks=history_weeks,
        )
        # the planner's statistics, before the first request meets tables it thinks empty
        application.refresh_statistics()
    out.print(
        f"Loaded {summary.work_centres} work centres, {summary.families} product families, "
        f"{summary.customers} customers, {summary.users} users and {summary.orders} orders."
    )
    if summary.history is not None:
        h = summary.history
        out.print(
            f"History: {h.weeks} weeks, {h.quotes} quotes ({h.won} won and delivered, "
            f"{h.lost} lost, {h.open_quotes} open), {h.work_orders} work orders, "
            f"{h.operations} operations reported, {h.ncrs} NCRs."
        )
    _print_logins(application)


def _print_logins(application: Application) -> None:
    table = Table(title=f"Demo logins (password for all: {application.settings.demo_password})")
    table.add_column("username")
    table.add_column("role")
    for username, _name, role, customer_code in DEMO_USERS:
        table.add_row(username, role.value + (f" ({customer_code})" if customer_code else ""))
    out.print(table)


@app.command()
@refusals
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).", min=1, max=65535)] = None,
    workers: Annotated[
        int,
        typer.Option(
            help="Server processes (more than 1 needs PostgreSQL and a Redis URL in "
            "ORDERFORGE_RATE_LIMIT_STORAGE).",
            min=1,
            max=32,
        ),
    ] = 1,
) -> None:
    """Serve the web pages and the REST API (upgrades the schema first)."""
    import uvicorn

    from orderforge.entrypoints.api.app import create_app
    from orderforge.entrypoints.api.observability import configure_logging, log_level_from_env

    log_level = log_level_from_env()  # a bad setting refuses before anything starts
    application = _app()
    settings = application.settings
    if workers > 1:
        _check_several_processes(settings)
    bind_host = host or settings.host
    bind_port = port or settings.port
    web = create_app(
        application.ctx,
        secret_key=settings.resolved_secret_key(),
        secure_cookies=settings.cookies_secure,
        base_url=settings.base_url,  # unset: links are paths, whatever host and port
    )
    url = settings.base_url or f"http://{bind_host}:{bind_port}"
    resumed = application.start_inprocess_worker()
    out.print(f"[bold]OrderForge[/bold] on {url}  (API docs: {url}/docs)")
    if application.settings.job_backend == "procrastinate":
        out.print(
            "Plan and MRP runs go to the PostgreSQL job queue: start `orderforge worker` too."
        )
    elif resumed:
        out.print(f"Resuming {len(resumed)} queued run(s).")
    if demo.demo_logins_work(application.ctx, settings.demo_password):
        out.print(f"Demo login: admin / {settings.demo_password} (other roles: see README)")
    # JSON lines on stderr; our request log replaces uvicorn's access log (which has no
    # request id, user or route template).
    configure_logging(log_level)
    # one webhook worker, in this (supervising) process whatever the number of workers
    hooks = WebhookWorker(application.ctx, interval=settings.webhook_poll_seconds)
    hooks.start()
    mail = MailWorker(application.ctx, settings)
    mail.start()
    watch = PromiseWatch(application.ctx, interval=settings.promise_watch_seconds)
    watch.start()
    if not settings.smtp_host:
        out.print("No SMTP server configured (ORDERFORGE_SMTP_HOST): e-mail is held until one is.")
    try:
        if workers > 1:
            # each process builds its own application from the environment (the factory);
            # plan runs go to the PostgreSQL job queue, sign-in limits to the shared Redis
            # on a socket labelled TCP, so every connection has Nagle off (see serving.py)
            serve_processes(
                "orderforge.entrypoints.api.app:app_from_environment",
                workers=workers,
                host=bind_host,
                port=bind_port,
            )
        else:
            uvicorn.run(web, host=bind_host, port=bind_port, log_config=None, access_log=False)
    finally:
        hooks.stop()
        mail.stop()
        watch.stop()


def _check_several_processes(settings: Settings) -> None:
    """Several server processes need what they share to live outside them: SQLite has one
    writer and the in-process job queue would run a plan in every process; sign-in limits
    counted in memory would let an attacker N times the tries."""
    if settings.job_backend != "procrastinate":
        raise InvalidInput(
            "--workers above 1 needs PostgreSQL (ORDERFORGE_DATABASE_URL=postgresql+psycopg://"
            "...) so plan runs go to its job queue; the embedded SQLite serves one process.",
            field="workers",
        )
    if settings.rate_limit_storage.startswith("memory"):
        raise InvalidInput(
            "--workers above 1 needs the sign-in limits in a store the processes share: set "
            "ORDERFORGE_RATE_LIMIT_STORAGE=redis://127.0.0.1:6379/0 (or your Redis).",
            field="workers",
        )


@customer_app.command("add")
@refusals
def customer_add(
    code: str,
    name: str,
    email: str = "",
    country: str = "DE",
    address: Annotated[
        list[str] | None,
        typer.Option(help="One address line; repeat for each line (as on an envelope)."),
    ] = None,
    price_group: Annotated[
        str, typer.Option(help="Pricing group whose margin rule applies, e.g. TRADE.")
    ] = "",
    as_user: AsUser = "admin",
) -> None:
    """Register a customer."""
    application = _app()
    actor = _actor(application, as_user)
    cmd = customers.RegisterCustomer(
        code, name, email, country, "\n".join(address or []), price_group
    )
    view = customers.register_customer(application.ctx, actor, cmd)
    out.print(f"Customer {view.code} registered.")


def parse_line(text: str, index: int) -> LineInput:
    """FAMILY[:QTY][:key=value,key=value] -> a line, e.g. DINING-TABLE:2:wood=oak,length=1800."""
    parts = text.split(":", 2)
    family = parts[0].strip()
    field = f"lines[{index}]"
    quantity = 1
    if len(parts) > 1 and parts[1].strip():
        if not parts[1].strip().isdigit():
            raise InvalidInput(
                f"Line {index + 1}: quantity '{parts[1]}' is not a whole number.",
                field=f"{field}.quantity",
            )
        quantity = int(parts[1])
    spec: dict[str, str] = {}
    if len(parts) > 2 and parts[2].strip():
        for pair in parts[2].split(","):
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise InvalidInput(
                    f"Line {index + 1}: '{pair}' is not key=value.", field=f"{field}.spec"
                )
            spec[key.strip()] = value.strip()
    return LineInput(product_family=family, quantity=quantity, spec=spec)


@order_app.command("create")
@refusals
def order_create(
    customer: Annotated[str, typer.Option(help="Customer code")],
    line: Annotated[list[str], typer.Option(help="FAMILY[:QTY][:key=value,...] (repeatable)")],
    requested_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    notes: str = "",
    as_user: AsUser = "admin",
    as_json: Annotated[bool, typer.Option("--json", help="Print the order as JSON")] = False,
) -> None:
    """Open a quote for a customer."""
    application = _app()
    try:
        requested = dt.date.fromisoformat(requested_date) if requested_date else None
    except ValueError:
        raise InvalidInput(
            f"'{requested_date}' is not a date (YYYY-MM-DD).", field="requested_date"
        ) from None
    cmd = orders.CreateOrder(
        customer_code=customer,
        lines=tuple(parse_line(t, i) for i, t in enumerate(line)),
        requested_date=requested,
        notes=notes,
    )
    actor = _actor(application, as_user)
    view = orders.create_order(application.ctx, actor, cmd).view
    _print_order(plain(view), as_json, documents.offer(application.ctx, actor, view.number))


@order_app.command("list")
@refusals
def order_list(
    state: str | None = None,
    customer: str | None = None,
    limit: int = 50,
    as_user: AsUser = "admin",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List orders, newest activity first."""
    application = _app()
    query = orders.OrderQuery(state=state, customer_code=customer, limit=limit)
    listed = orders.list_orders(application.ctx, _actor(application, as_user), query)
    rows = [plain(o) for o in listed]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table()
    for column in ("order", "customer", "state", "requested", "lines"):
        table.add_column(column)
    for o in rows:
        table.add_row(
            o["number"],
            o["customer"]["name"],
            o["state_label"],
            o["requested_date"] or "-",
            ", ".join(f"{li['quantity']}x {li['product_family']}" for li in o["lines"]),
        )
    out.print(table)


@order_app.command("document")
@refusals
def order_document(
    number: str,
    confirmation: Annotated[
        bool, typer.Option("--confirmation", help="The order confirmation instead of the quote.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="PDF file to write.")
    ] = None,
    as_user: AsUser = "admin",
) -> None:
    """Write the order's quote (or, with --confirmation, its order confirmation) as a PDF,
    on the plant's letterhead."""
    application = _app()
    kind = DocumentKind.ORDER_CONFIRMATION if confirmation else DocumentKind.QUOTE
    pdf = documents.document_pdf(application.ctx, _actor(application, as_user), number, kind)
    target = output or Path(f"{kind.heading.replace(' ', '-')}-{number.strip().upper()}.pdf")
    target.write_bytes(pdf)
    out.print(f"{kind.heading} of {number.strip().upper()} written to {target}.")


@order_app.command("show")
@refusals
def order_show(
    number: str, as_user: AsUser = "admin", as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Show an order with its timeline."""
    application = _app()
    actor = _actor(application, as_user)
    view = plain(orders.get_order(application.ctx, actor, number))
    events = [plain(e) for e in orders.order_timeline(application.ctx, actor, number)]
    if as_json:
        print(json.dumps({**view, "events": events}, indent=2))
        return
    _print_order(view, False, documents.offer(application.ctx, actor, number))
    zone = plant_time.zone_of(application.ctx)
    table = Table(title=f"Timeline (times in {zone.key})")
    for column in ("when", "who", "what", "state", "reason"):
        table.add_column(column)
    for e in events:
        state = e["changes"].get("state", {})
        table.add_row(
            plant_time.show(e["occurred_at"], zone),
            e["actor"],
            (e["action"] or e["kind"]).replace("_", " "),
            f"{state.get('before') or ''} -> {state.get('after')}" if state else "",
            e.get("reason", ""),
        )
    out.print(table)


@order_app.command("advance")
@refusals
def order_advance(
    number: str,
    action: Annotated[str, typer.Argument(help="e.g. confirm, mark_feasible, plan, release")],
    reason: str = "",
    as_user: AsUser = "admin",
) -> None:
    """Apply a lifecycle action to an order (refused with the reason if not allowed)."""
    application = _app()
    view = orders.advance_order(
        application.ctx, _actor(application, as_user), number, action, reason=reason
    )
    out.print(f"Order {view.number} is now {view.state_label.lower()}.")


@order_app.command("review")
@refusals
def order_review(number: str, as_user: AsUser = "admin") -> None:
    """Run the automatic feasibility review (rules, plant capability, components): on a
    confirmed order it moves it to feasible, needs engineering or rejected; on a feasible
    or needs-engineering order it checks again and reports, leaving the state alone."""
    application = _app()
    result = review.review(application.ctx, _actor(application, as_user), number)
    for finding in result.findings:
        out.print(escape(f"- [{finding.severity}] {finding.message}"))
    order = result.order
    if result.applied:
        out.print(f"Order {order.number} is now {order.state_label.lower()}.")
    else:
        found = f"{len(result.findings)} finding(s)" if result.findings else "no findings"
        out.print(
            f"Order {order.number} was reviewed again ({found}) and stays "
            f"{order.state_label.lower()}: the review moves only confirmed orders."
        )


@catalog_app.command("import")
@refusals
def catalog_import(
    file: Annotated[Path, typer.Argument(help="Catalogue file (.yaml, .yml or .json)")],
    as_user: AsUser = "admin",
) -> None:
    """Import a product family's catalogue file as a new version (unchanged text: no-op)."""
    if not file.is_file():
        raise InvalidInput(f"There is no catalogue file at {file}.", field="file")
    fmt = "json" if file.suffix.lower() == ".json" else "yaml"
    application = _app()
    result = catalogue.import_catalogue(
        application.ctx,
        _setup_actor(application, as_user),
        catalogue.ImportCatalogue(file.read_text(), fmt),
    )
    verb = "imported as" if result["created"] else "unchanged, still"
    out.print(f"{result['family']} {verb} version {result['version']} ({result['label']}).")


@app.command("configure")
@refusals
def configure_product(
    family: Annotated[str, typer.Argument(help="Product family code, e.g. TABLE")],
    choices: Annotated[list[str] | None, typer.Argument(help="key=value picks")] = None,
    as_user: AsUser = "admin",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show what can still be chosen after some picks, or the BOM, routing and price of a
    complete, valid spec."""
    spec: dict[str, str] = {}
    for pick in choices or []:
        key, sep, value = pick.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"'{pick}' is not key=value.", field="spec")
        spec[key.strip()] = value.strip()
    application = _app()
    actor = _actor(application, as_user)
    completion = configuration.complete(application.ctx, actor, family, spec)
    if completion.evaluation is None:
        names = sorted({n for c in completion.conflicts for n in c.names})
        raise InvalidInput(
            " ".join(c.message for c in completion.conflicts)
            + f" Change one of these choices: {', '.join(names)}.",
            field=f"spec.{names[0]}" if len(names) == 1 else "spec",
        )
    domains = plain(configuration.remaining(application.ctx, actor, family, spec))
    result = plain(completion.evaluation)
    if as_json:
        print(json.dumps({"completion": plain(completion), "domains": domains}, indent=2))
        return
    _print_configuration(result, domains, completion.filled)


def _print_configuration(
    result: dict[str, Any], domains: dict[str, Any], filled: dict[str, str]
) -> None:
    """The completed spec (what was not picked marked), then BOM, routing and price as far
    as the role may see them."""
    table = Table(title=f"{result['family']} (catalogue version {result['version']})")
    table.add_column("option")
    table.add_column("value")
    table.add_column("still possible")
    for name, value in result["spec"].items():
        if name in domains["options"]:
            possible = ", ".join(domains["options"][name])
        else:
            possible = ", ".join(
                f"{r['min']}-{r['max']} step {r['step']}"
                for r in domains["parameters"].get(name, {}).get("ranges", [])
            )
        mark = ""
        if name in filled:
            mark = " (filled: default no longer fits)"
        elif name in result["defaulted"]:
            mark = " (default)"
        table.add_row(name, f"{value}{mark}", possible)
    out.print(table)
    for conflict in result["conflicts"]:
        out.print(f"[red]Conflict:[/red] {escape(conflict['message'])}")
    if not result["valid"]:
        return
    for item in result.get("bom", []):
        out.print(f"  {item['quantity']} {item['unit']} {item['component']} {item['name']}")
    for op in result.get("routing", []):
        out.print(
            f"  op {op['code']} on {'/'.join(op['work_centres'])}: setup "
            f"{op['setup_minutes']} min, run {op['run_minutes']} min"
        )
    k = result["costing"]
    if not k:
        out.print("Valid, but a work centre has no hourly rate, so it cannot be priced.")
    elif "cost" in k:
        out.print(
            f"Cost {k['cost']} (materials {k['material_cost']}, labour "
            f"{k['labour_cost']}); price {k['price']}"
        )
    else:
        out.print(f"Price {k['price']}")


def _print_order(view: dict[str, Any], as_json: bool, offer: CustomerDocument | None) -> None:
    if as_json:
        print(json.dumps(view, indent=2))
        return
    out.print(
        f"[bold]{view['number']}[/bold]  {view['customer']['name']}  "
        f"[cyan]{view['state_label']}[/cyan]  requested {view['requested_date'] or '-'}"
    )
    if offer is None:
        for li in view["lines"]:
            spec = ", ".join(f"{k}={v}" for k, v in li["spec"].items())
            out.print(f"  {li['line_no']}. {li['quantity']} x {li['product_family']}  {spec}")
        return
    for li, line in zip(view["lines"], offer.lines, strict=True):
        out.print(
            f"  {li['line_no']}. {line.quantity} x {line.title}  "
            f"{line.quantity} x {line.unit_price} = [bold]{line.amount}[/bold]"
        )
        out.print("     " + "; ".join(f"{label}: {value}" for label, value in line.spec))
    out.print("  " + " · ".join(f"{label} {value}" for label, value in offer.totals))


class InstanceFormat(StrEnum):
    JSSP = "jssp"
    FJSP = "fjsp"
    SMWT = "smwt"


@app.command()
@refusals
def solve(
    path: Annotated[Path, typer.Argument(help="Instance file")],
    fmt: Annotated[InstanceFormat, typer.Option("--format", help="Instance file format")],
    time_limit: Annotated[float, typer.Option(help="Seconds to search", min=0.1)] = 10.0,
    workers: Annotated[int, typer.Option(help="Solver threads", min=1, max=64)] = 2,
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Solve a published scheduling benchmark instance (job shop, flexible job shop, or
    single-machine weighted tardiness) with the plant's scheduling engine."""
    from orderforge.engines.scheduling import BenchmarkFormatError, solve_benchmark

    if not path.is_file():
        raise InvalidInput(f"There is no instance file at {path}.", field="path")
    with Progress(console=err, transient=True, disable=as_json) as progress:
        task = progress.add_task("Solving", total=time_limit)

        def on_progress(seconds: float, objective: float, bound: float) -> None:
            progress.update(
                task,
                completed=min(seconds, time_limit),
                description=f"Best {objective:g} (bound {bound:g})",
            )

        try:
            result = solve_benchmark(path, fmt.value, time_limit, workers, seed, on_progress)
        except BenchmarkFormatError as exc:
            raise InvalidInput(f"{path}: {exc}", field="path") from None
    if as_json:
        print(json.dumps(result))
        return
    out.print(
        f"{result['instance']}: objective {result['objective']} "
        f"(lower bound {result['lower_bound']}, "
        f"{'optimal' if result['optimal'] else 'not proven optimal'}) "
        f"in {result['seconds']:.1f} s"
    )


def main() -> None:  # pragma: no cover - console script shim
    os.environ.setdefault("COLUMNS", "120")
    app()
