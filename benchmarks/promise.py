"""Capable-to-promise on the demo plant scaled by a seed: quote speed over HTTP, and
whether committed promises are kept by the next plan.

    .venv/bin/python benchmarks/promise.py --orders 2000 --quotes 300 --commits 200 --seed 1

Loads the demo plant (src/orderforge/demo: its work centres, calendars, items and the
five catalogue families) with `--orders` generated orders in every lifecycle state into a
fresh SQLite database, times an MRP run over every open order (median of three; its
pegs give the plan the material release dates), stores a plan run, then:

1. quotes `--quotes` random configurations one after another over HTTP
   (POST /api/v1/promise against a uvicorn server on 127.0.0.1) and reports the latency
   percentiles, checking that quoting left the stored plan and the reservations as they
   were; the baseline, measured in the same run, is what promising cost before this
   engine: a dispatching plan of every committed order plus the quote (`plan preview
   --heuristic`), timed on 10 quotes;
2. commits `--commits` promises one by one (quote, confirm: the promise is stored and its
   capacity held), releases them to planning, runs one full plan with no disturbance and
   counts how many committed dates the plan keeps.
Nothing here is a test: figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import sys
import threading
import time
from typing import Any

import httpx
import uvicorn

from demo_plant import PASSWORD, fresh_app, load_orders
from orderforge.demo.plant import FAMILY_CODES
from orderforge.domain.order import LineInput, OrderState
from orderforge.entrypoints.api.app import create_app
from orderforge.materials.services import mrp
from orderforge.promising.ports import PROMISES
from orderforge.services import credentials, orders, plan_runs, planning, users
from orderforge.services.plant_time import plant_zone


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _stamp(ctx: Any) -> tuple[Any, ...]:
    with ctx.uow() as uow:
        return uow.plans.latest_version_number(), uow.repository(PROMISES).reservation_stamp()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--quotes", type=int, default=300)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    app, ctx, _ = fresh_app("of-promise-bench-")
    t = time.perf_counter()
    load_orders(ctx, args.orders, args.seed)
    print(f"demo loaded with {args.orders} orders in {time.perf_counter() - t:.1f} s", flush=True)
    planner = users.authenticate(ctx, "planner", PASSWORD)
    sales = users.authenticate(ctx, "sales", PASSWORD)
    # -- 0. an MRP run over every open order, so the plan knows when material comes ---
    buyer = users.authenticate(ctx, "purchasing", PASSWORD)
    mrp_seconds: list[float] = []
    counts: dict[str, Any] = {}
    for _ in range(3):
        t = time.perf_counter()
        counts = mrp.run_mrp(ctx, buyer)["counts"]
        mrp_seconds.append(time.perf_counter() - t)

    run = plan_runs.execute_run(ctx, plan_runs.request_run(ctx, planner, args.time_limit)["id"])
    assert run["status"] == "done", run["error"]
    with ctx.uow() as uow:
        version = uow.plans.latest_version_number()
        assert version is not None
        planned_ops = len(uow.plans.operations(version))
        open_orders = len(uow.plans.planned_orders(version))
    print(f"plan version {version}: {open_orders} orders, {planned_ops} operations", flush=True)

    # -- 1. quotes over HTTP --------------------------------------------------------------
    token = credentials.issue_token(ctx, "sales", "bench").secret
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(ctx, secret_key="bench"), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    before = _stamp(ctx)
    latencies: list[float] = []
    cannot = 0
    reasons: dict[str, int] = {}
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
    ) as client:
        for i in range(args.quotes + 5):
            body = {"family": rng.choice(FAMILY_CODES), "quantity": rng.randint(1, 4)}
            t = time.perf_counter()
            response = client.post("/api/v1/promise", json=body)
            elapsed = time.perf_counter() - t
            assert response.status_code == 200, response.text
            if i >= 5:  # the first requests build the capacity picture
                latencies.append(elapsed * 1000)
                answer = response.json()
                if answer["date"] is None:
                    cannot += 1
                    reasons[answer["cannot"]] = reasons.get(answer["cannot"], 0) + 1
    server.should_exit = True
    thread.join(timeout=10)
    unchanged = _stamp(ctx) == before

    baseline: list[float] = []
    for _ in range(10):
        t = time.perf_counter()
        planning.preview_plan(ctx, planner, 5.0, backend="heuristic")
        baseline.append((time.perf_counter() - t) * 1000)

    # -- 2. committed promises, then a plan with no disturbance --------------------------
    committed: list[str] = []
    engineer = users.authenticate(ctx, "engineer", PASSWORD)
    t = time.perf_counter()
    for _ in range(args.commits):
        line = LineInput(rng.choice(FAMILY_CODES), rng.randint(1, 3), {})
        number = orders.create_order(ctx, sales, orders.CreateOrder("C-HOTEL-ALPINA", (line,)))
        n = number.view.number
        orders.advance_order(ctx, sales, n, "confirm")
        state = orders.get_order(ctx, engineer, n).state
        if state == OrderState.CONFIRMED:
            orders.advance_order(ctx, engineer, n, "mark_feasible")
            state = OrderState.FEASIBLE
        if state == OrderState.FEASIBLE:
            orders.advance_order(ctx, planner, n, "plan")
            committed.append(n)
    commit_s = time.perf_counter() - t
    run = plan_runs.execute_run(ctx, plan_runs.request_run(ctx, planner, args.time_limit)["id"])
    assert run["status"] == "done", run["error"]
    kept = late = unpromised = 0
    worst = 0
    with ctx.uow() as uow:
        zone = plant_zone(uow)
        for n in committed:
            order = uow.orders.get(n)
            assert order is not None
            if order.promise_date is None or order.planned_finish is None:
                unpromised += 1
                continue
            finish = order.planned_finish.astimezone(zone).date()
            if finish <= order.promise_date:
                kept += 1
            else:
                late += 1
                worst = max(worst, (finish - order.promise_date).days)

    rows = [
        ("orders generated / in the plan", f"{args.orders} / {open_orders}"),
        ("planned operations", str(planned_ops)),
        (
            f"promise over HTTP, {args.quotes} sequential quotes: p50 / p95 / max",
            f"{statistics.median(latencies):.1f} / {_percentile(latencies, 0.95):.1f} / "
            f"{max(latencies):.1f} ms",
        ),
        ("quotes with no date (cannot be sourced or made)", str(cannot)),
        ("stored plan and reservations unchanged by quoting", "yes" if unchanged else "NO"),
        (
            "baseline: re-plan every order with the quote (dispatching), median of 10",
            f"{statistics.median(baseline):.0f} ms",
        ),
        (
            f"MRP run over {counts.get('orders', '?')} open orders "
            f"({counts.get('requirements', '?')} requirements): median of 3 / first",
            f"{statistics.median(mrp_seconds):.2f} / {mrp_seconds[0]:.2f} s",
        ),
        (f"{len(committed)} promises committed one by one", f"{commit_s:.1f} s"),
        (
            "after a full plan run with no disturbance: kept / late (worst) / no date",
            f"{kept} / {late} ({worst} days) / {unpromised}",
        ),
    ]
    if reasons:
        top = max(reasons, key=lambda r: reasons[r])
        rows.append(("most frequent reason for no date", f"{top} ({reasons[top]})"))
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    app.close()
    return 0 if unchanged and late == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
