"""Shop-floor speed: the operator's report round trip with many operators at once, and the
forward trace of a lot across two years of history.

    .venv/bin/python benchmarks/floor.py --operators 20 --runs 3 --history-weeks 104
    .venv/bin/python benchmarks/floor.py --quick          # a tiny run (the test uses it)

`--database-url` names a PostgreSQL database (default: the local `test`); each part
works in a private schema made for it and dropped afterwards, so the database may hold
other things. A `sqlite:///` URL runs the same on SQLite files in a temporary folder (one
server process).

1. **Round trip.** The demo plant is loaded (`orderforge.demo`), then, for every run,
   new orders are quoted, confirmed and planned through the order use cases (confirming
   makes their work orders) and taken to released the way the tests' `release_for_work`
   does (the design steps as the domain's commands): one order per operator and work
   order slot, so no two operators share a work order. A real `orderforge serve` (on
   127.0.0.1, `--workers` processes) answers operator clients, each signed in to the web
   pages as the demo operator with its own session, doing what the operator screen does
   per operation: scan the traveler's code (`/floor/{centre}/scan`, which opens the
   operation page), tap Start (the report form with its idempotency key; the server
   records it and redirects to the work centre's queue, which shows what to do next),
   open the operation again and tap Complete with the good quantity (same again). The
   **round trip** is one report: the POST and the queue page it leads to. Each run has a
   baseline phase (one operator alone) and a load phase (`--operators` at once, released
   together by a barrier); the figures are the medians over `--runs` runs.
2. **Forward trace.** A fresh demo; the baseline is the forward trace
   (`GET /api/v1/trace/lots/{lot}`) of the demo lot issued most often. Then the demo's own
   history is added (`orderforge.demo.history`, `--history-weeks`: quotes, orders moved by
   the domain's commands, work orders made by production's use case, every operation
   started and completed through the report use case, material issued through the issue
   use case from each week's lots) except one item, `TRACED_ITEM`, issued all the weeks
   from one lot: that lot's trace is timed, `--calls` calls one after another.

Nothing here is a test: figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from orderforge import demo
from orderforge.bootstrap import Application, build
from orderforge.config import Settings
from orderforge.demo import history
from orderforge.domain.order import LineInput, OrderAction, OrderState
from orderforge.materials.domain import Lot
from orderforge.materials.ports import MATERIALS
from orderforge.production.domain import WorkOrder
from orderforge.production.services import work_orders
from orderforge.services import credentials, orders, users
from orderforge.services.context import ServiceContext

PASSWORD = "floor-bench-password"
CUSTOMER = "C-HOTEL-ALPINA"
#: The item whose one lot the two years of history all draw from (a glue three of the
#: demo's four furniture families use).
TRACED_ITEM = "GLUE-UF"
TRACED_LOT = "L-HIST-GLUE-UF"
#: The families the history makes (the demo's furniture; the couch is a rare specialist).
HISTORY_FAMILIES = ("TABLE", "CABINET", "WALL-PANEL", "SEATING")
DAYS = 730

#: From a confirmed order to released, as conftest's `release_for_work` goes.
_TO_RELEASE = {
    OrderState.CONFIRMED: OrderAction.MARK_FEASIBLE,
    OrderState.FEASIBLE: OrderAction.PLAN,
    OrderState.PLANNED: OrderAction.SUBMIT_DESIGN,
    OrderState.AWAITING_DESIGN_APPROVAL: OrderAction.APPROVE_DESIGN,
}
#: After production: what the demo's delivered orders go through.
_TO_DELIVERED = (OrderAction.PASS_INSPECTION, OrderAction.SHIP, OrderAction.CONFIRM_DELIVERY)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- databases and the server --------------------------------------------------------------


@contextmanager
def _database(base: str, folder: Path, label: str) -> Iterator[str]:
    """A URL for an empty database: a private PostgreSQL schema (dropped afterwards) or a
    SQLite file in the run's folder."""
    if base.startswith("sqlite"):
        yield f"sqlite:///{folder / f'{label}.db'}"
        return
    schema = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _application(url: str, folder: Path) -> Application:
    settings = Settings(
        database_url=url,
        var_dir=folder,
        host="127.0.0.1",
        port=8000,
        secret_key="floor-bench",
        demo_password=PASSWORD,
        secure_cookies=False,
        review_on_confirm=True,
    )
    app = build(settings)
    app.upgrade_schema()
    return app


@contextmanager
def _server(url: str, folder: Path, workers: int, redis: str) -> Iterator[str]:
    """`orderforge serve` on a free port of 127.0.0.1, as benchmarks/load.py starts it."""
    script = Path(sys.executable).parent / "orderforge"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERFORGE_")}
    env.update(
        ORDERFORGE_VAR_DIR=str(folder),
        ORDERFORGE_SECRET_KEY="floor-bench",
        ORDERFORGE_DEMO_PASSWORD=PASSWORD,
        ORDERFORGE_DATABASE_URL=url,
    )
    if workers > 1:
        env["ORDERFORGE_RATE_LIMIT_STORAGE"] = redis
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = folder / f"server-{port}.log"
    command = [str(script), "serve", "--port", str(port), "--workers", str(workers)]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/readyz", timeout=2):
                        break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    if server.poll() is not None or time.monotonic() > deadline:
                        sys.exit(f"the server did not start:\n{log_path.read_text()}")
                    time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


# -- 1. the operator's round trip ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Step:
    """One operation an operator reports: where it is queued and how many units."""

    work_order: str
    seq: int
    centre: str
    quantity: int


def _release(ctx: ServiceContext, number: str) -> None:
    """Take a planned order on to released (design steps as the domain's commands)."""
    with ctx.uow() as uow:
        order = uow.orders.get(number)
        assert order is not None, number
        while order.state is not OrderState.RELEASED:
            action = _TO_RELEASE[order.state]
            if action is OrderAction.APPROVE_DESIGN and order.design_approved_at is not None:
                action = OrderAction.RELEASE
            order.apply(action, actor="floor-bench", at=ctx.clock.now(), reason="Benchmark.")
        uow.commit()


def released_work(ctx: ServiceContext, slots: int, per_slot: int, seed: int) -> list[list[Step]]:
    """`slots` lists of operations, each from `per_slot` released work orders of its own
    (one order each), in an order the routing allows (every predecessor first)."""
    rng = random.Random(seed)
    sales = users.authenticate(ctx, "sales", PASSWORD)
    engineer = users.authenticate(ctx, "engineer", PASSWORD)
    planner = users.authenticate(ctx, "planner", PASSWORD)
    lists: list[list[Step]] = []
    refused = 0
    while len(lists) < slots:
        steps: list[Step] = []
        while len(steps) == 0 or len({s.work_order for s in steps}) < per_slot:
            line = LineInput(rng.choice(HISTORY_FAMILIES), rng.randint(1, 3), {})
            made = orders.create_order(ctx, sales, orders.CreateOrder(CUSTOMER, (line,)))
            number = made.view.number
            orders.advance_order(ctx, sales, number, "confirm")
            if orders.get_order(ctx, engineer, number).state == OrderState.CONFIRMED:
                orders.advance_order(ctx, engineer, number, "mark_feasible")
            if orders.get_order(ctx, engineer, number).state != OrderState.FEASIBLE:
                refused += 1  # needs engineering: not the floor's yet
                if refused > 20 * slots:
                    sys.exit("the orders made for the floor keep needing engineering")
                continue
            orders.advance_order(ctx, planner, number, "plan")
            _release(ctx, number)
            with ctx.uow() as uow:
                for wo in work_orders.current_work_orders(uow, number):
                    steps += [
                        Step(wo.number, op.seq, op.work_centres[0], wo.quantity)
                        for op in _in_routing_order(wo)
                    ]
        lists.append(steps)
    return lists


def _in_routing_order(wo: WorkOrder) -> list[Any]:
    done: set[int] = set()
    out = []
    left = list(wo.operations)
    while left:
        op = next(o for o in left if set(o.predecessors) <= done)
        left.remove(op)
        done.add(op.seq)
        out.append(op)
    return out


@dataclasses.dataclass
class Tally:
    round_trips: list[float] = dataclasses.field(default_factory=list)
    scans: list[float] = dataclasses.field(default_factory=list)
    failures: list[str] = dataclasses.field(default_factory=list)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _form(page: str, action: str) -> tuple[str, str]:
    """The csrf token and idempotency key of the page's form for `action`."""
    found = re.search(
        rf'action="[^"]*/{action}"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)">'
        r'<input type="hidden" name="key" value="([^"]+)">',
        page,
    )
    if found is None:
        raise LookupError(f"no {action} form on the page")
    return found.group(1), found.group(2)


def _sign_in(http: httpx.Client) -> None:
    page = http.get("/login")
    found = _CSRF.search(page.text)
    body = {"username": "operator", "password": PASSWORD, "csrf": found.group(1) if found else ""}
    answer = http.post("/login", data=body, follow_redirects=True)
    if answer.status_code != 200 or "/login" in str(answer.url):
        raise RuntimeError(f"the operator could not sign in: {answer.status_code}")


def _report(http: httpx.Client, step: Step, page: str, action: str, tally: Tally) -> None:
    """One report as the operation page sends it, and the queue page it leads to."""
    csrf, key = _form(page, action)
    url = f"/floor/{step.centre}/ops/{step.work_order}/{step.seq}/{action}"
    body = {"csrf": csrf, "key": key}
    if action == "complete":
        body |= {"good": str(step.quantity), "scrap": "0", "scrap_cause": ""}
    t = time.perf_counter()
    answer = http.post(url, data=body, follow_redirects=True)
    elapsed = (time.perf_counter() - t) * 1000
    recorded = answer.status_code == 200 and "Recorded:" in answer.text
    with tally.lock:
        if recorded and answer.url.path == f"/floor/{step.centre}":
            tally.round_trips.append(elapsed)
        else:
            tally.failures.append(f"{step.work_order}/{step.seq} {action}: {answer.status_code}")


def _operator(
    base: str, steps: list[Step], gate: threading.Barrier, tally: Tally, pause: float, seed: int
) -> None:
    """One operator's client; with `pause`, it waits 0.5-1.5 x `pause` seconds (seeded)
    before each scan and each report, as a person walks, scans and works between taps."""
    rng = random.Random(seed)

    def walk() -> None:
        if pause > 0:
            time.sleep(pause * rng.uniform(0.5, 1.5))

    with httpx.Client(base_url=base, timeout=120) as http:
        _sign_in(http)
        gate.wait()
        for step in steps:
            walk()
            t = time.perf_counter()
            page = http.get(
                f"/floor/{step.centre}/scan",
                params={"code": f"{step.work_order}/{step.seq}"},
                follow_redirects=True,
            )
            with tally.lock:
                tally.scans.append((time.perf_counter() - t) * 1000)
            try:
                walk()
                _report(http, step, page.text, "start", tally)
                walk()
                page = http.get(f"/floor/{step.centre}/ops/{step.work_order}/{step.seq}")
                _report(http, step, page.text, "complete", tally)
            except LookupError as exc:
                with tally.lock:
                    tally.failures.append(f"{step.work_order}/{step.seq}: {exc}")


def _phase(base: str, work: list[list[Step]], pause: float = 0.0, seed: int = 0) -> Tally:
    tally = Tally()
    gate = threading.Barrier(len(work))
    threads = [
        threading.Thread(target=_operator, args=(base, w, gate, tally, pause, seed + i))
        for i, w in enumerate(work)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def round_trip(args: argparse.Namespace, folder: Path) -> list[str]:
    """Part 1; the table's rows."""
    phases: dict[str, list[Tally]] = {"baseline": [], "load": [], "paced": []}
    with _database(args.database_url, folder, "floor") as url:
        app = _application(url, folder)
        t = time.perf_counter()
        demo.load_demo(app.ctx, PASSWORD)
        app.refresh_statistics()  # as `orderforge demo load` does
        print(f"demo loaded in {time.perf_counter() - t:.1f} s", flush=True)
        workers = 1 if url.startswith("sqlite") else args.workers
        with _server(url, folder, workers, args.redis) as base:
            for run in range(args.runs):
                t = time.perf_counter()
                work = released_work(app.ctx, 1 + args.operators, args.work_orders, args.seed + run)
                print(
                    f"run {run + 1}: {sum(len(w) for w in work)} operations released "
                    f"in {time.perf_counter() - t:.1f} s",
                    flush=True,
                )
                phases["baseline"].append(_phase(base, work[:1]))
                phases["load"].append(_phase(base, work[1:]))
                if args.pause > 0:
                    paced = released_work(
                        app.ctx, args.operators, args.work_orders, args.seed + 1000 + run
                    )
                    phases["paced"].append(_phase(base, paced, args.pause, args.seed + run))
                for label in phases:
                    if phases[label]:
                        _print_run(label, phases[label][-1])
        app.close()
    rows = [
        _summary("baseline: 1 operator alone", phases["baseline"]),
        _summary(f"{args.operators} operators at once, no pause", phases["load"]),
    ]
    if args.pause > 0:
        rows.append(
            _summary(
                f"{args.operators} operators at once, ~{args.pause:g} s between taps",
                phases["paced"],
            )
        )
    return rows


def _print_run(label: str, tally: Tally) -> None:
    trips = tally.round_trips
    if not trips:
        print(f"  {label}: nothing recorded; failures {tally.failures[:5]}", flush=True)
        return
    print(
        f"  {label}: {len(trips)} reports, round trip p50 {statistics.median(trips):.1f} / "
        f"p95 {_percentile(trips, 0.95):.1f} / max {max(trips):.1f} ms; scan opens the "
        f"operation p50 {statistics.median(tally.scans):.1f} ms; failures {len(tally.failures)}"
        + (f" (first: {tally.failures[0]})" if tally.failures else ""),
        flush=True,
    )


def _summary(label: str, tallies: list[Tally]) -> str:
    done = [t for t in tallies if t.round_trips]
    if not done:
        return f"| {label} | 0 | | | | |"
    p50 = statistics.median(statistics.median(t.round_trips) for t in done)
    p95 = statistics.median(_percentile(t.round_trips, 0.95) for t in done)
    worst = max(max(t.round_trips) for t in done)
    scan = statistics.median(statistics.median(t.scans) for t in done)
    reports_ = sum(len(t.round_trips) for t in done)
    failures = sum(len(t.failures) for t in tallies)
    return (
        f"| {label} | {reports_} | {p50:.1f} / {p95:.1f} / {worst:.1f} | {scan:.1f} | {failures} |"
    )


# -- 2. the forward trace of a lot ---------------------------------------------------------


def _busiest_demo_lot(app: Application) -> tuple[str, int]:
    engine = sa.create_engine(app.settings.database_url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT lot_number, count(*) AS n FROM lot_consumptions "
                "GROUP BY lot_number ORDER BY n DESC, lot_number LIMIT 1"
            )
        ).one()
    engine.dispose()
    return str(row[0]), int(row[1])


def build_history(ctx: ServiceContext, weeks: int, seed: int) -> int:
    """The demo's history (`orderforge.demo.history`) over `weeks` weeks, every issue of
    `TRACED_ITEM` from the one lot `TRACED_LOT` received before it; the work orders made."""
    with ctx.uow() as uow:
        start = ctx.clock.now() - dt.timedelta(weeks=weeks + 1)
        lot = Lot(TRACED_LOT, TRACED_ITEM, Decimal(10**7), "GLUE-STORE", start)
        uow.repository(MATERIALS).add_lot(lot)
        uow.commit()

    def progress(done: int, total: int) -> None:
        if done % 10 == 0:
            print(f"  history: {done} of {total} weeks", flush=True)

    made = history.load_history(ctx, weeks, seed, progress, pinned={TRACED_ITEM: TRACED_LOT})
    return made.work_orders


def _time_trace(base: str, token: str, lot: str, calls: int) -> tuple[list[float], dict[str, Any]]:
    latencies: list[float] = []
    answer: dict[str, Any] = {}
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as http:
        for i in range(calls + 2):
            t = time.perf_counter()
            response = http.get(f"/api/v1/trace/lots/{lot}")
            elapsed = (time.perf_counter() - t) * 1000
            if response.status_code != 200:
                sys.exit(f"trace of {lot}: {response.status_code} {response.text[:300]}")
            if i >= 2:  # the first calls warm the process's caches
                latencies.append(elapsed)
            answer = response.json()
    return latencies, answer


def _trace_row(label: str, latencies: list[float], answer: dict[str, Any]) -> str:
    return (
        f"| {label} | {len(answer['consumptions'])} / {len(answer['work_orders'])} / "
        f"{len(answer['units'])} / {len(answer['orders'])} | {len(latencies)} | "
        f"{statistics.median(latencies):.1f} / {_percentile(latencies, 0.95):.1f} / "
        f"{max(latencies):.1f} |"
    )


def lot_trace(args: argparse.Namespace, folder: Path) -> list[str]:
    """Part 2; the table's rows."""
    with _database(args.database_url, folder, "trace") as url:
        app = _application(url, folder)
        demo.load_demo(app.ctx, PASSWORD)
        app.refresh_statistics()
        token = credentials.issue_token(app.ctx, "quality", "floor-bench").secret
        lot, _ = _busiest_demo_lot(app)
        workers = 1 if url.startswith("sqlite") else args.workers
        with _server(url, folder, workers, args.redis) as base:
            small, small_answer = _time_trace(base, token, lot, args.calls)
        t = time.perf_counter()
        made = build_history(app.ctx, args.history_weeks, args.seed)
        app.refresh_statistics()
        print(
            f"history: {args.history_weeks} weeks, {made} work orders in "
            f"{time.perf_counter() - t:.0f} s",
            flush=True,
        )
        with _server(url, folder, workers, args.redis) as base:
            big, big_answer = _time_trace(base, token, TRACED_LOT, args.calls)
        app.close()
    return [
        _trace_row(f"baseline: demo lot {lot}, fresh demo", small, small_answer),
        _trace_row(f"{TRACED_LOT}, 2 years of history", big, big_answer),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--operators", type=int, default=20)
    parser.add_argument("--work-orders", type=int, default=1, help="per operator and run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="also run the operators pausing ~this many seconds before each scan and tap",
    )
    parser.add_argument("--history-weeks", type=int, default=104)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip", choices=("round-trip", "trace"), default=None)
    parser.add_argument(
        "--quick", action="store_true", help="a tiny run: 2 operators, 1 run, 6 history weeks"
    )
    args = parser.parse_args(argv)
    # a stopped run still stops its server and drops its schemas (the `finally` blocks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.operators, args.runs, args.history_weeks, args.calls = 2, 1, 6, 5
        args.pause = min(args.pause, 0.05)
    folder = Path(tempfile.mkdtemp(prefix="of-floor-bench-"))
    database = "SQLite" if args.database_url.startswith("sqlite") else "PostgreSQL"
    print(f"{database}, {os.cpu_count()} cores, server processes: {args.workers}", flush=True)
    lines: list[str] = []
    if args.skip != "round-trip":
        rows = round_trip(args, folder)
        lines += [
            f"Round trip (report + queue shown), medians of {args.runs} run(s):",
            "| phase | reports | round trip p50 / p95 / max ms | scan opens p50 ms | failed |",
            "|---|---|---|---|---|",
            *rows,
        ]
    if args.skip != "trace":
        rows = lot_trace(args, folder)
        lines += [
            "Forward lot trace over HTTP:",
            "| lot | issues / work orders / units / orders | calls | p50 / p95 / max ms |",
            "|---|---|---|---|",
            *rows,
        ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
