"""The product's planning path end to end, on the demo plant scaled by a seed.

    .venv/bin/python benchmarks/plan_product.py --orders 600 --time-limit 10 --seed 1

Loads the demo plant with `--orders` generated orders (all lifecycle states, the committed
ones are planned) into a fresh SQLite database, then times what a planner waits for:
building the problem from routings and calendars, the first plan (dispatching only),
a full plan run stored as a version, and a replan after one work centre unit breaks down
(stored as the next version), with the share of unaffected operations it moved. The
engine-only plant-scale figures are `benchmarks/scheduling.py --family plant`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import time

from demo_plant import PASSWORD, fresh_app, load_orders
from orderforge.domain.planning import DisruptionKind
from orderforge.engines.scheduling import SolverSettings, solve
from orderforge.services import plan_runs, planning, schedule, users


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--replan-limit", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    app, ctx, clock = fresh_app("of-plan-bench-")
    t = time.perf_counter()
    load_orders(ctx, args.orders, args.seed)
    load_s = time.perf_counter() - t
    planner = users.authenticate(ctx, "planner", PASSWORD)

    def build_on(days: int) -> planning.PlanProblem:
        with ctx.uow() as uow:
            return planning.build_problem(uow, clock.now(), days)

    t = time.perf_counter()
    build_on(planning.HORIZONS_DAYS[0])
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    # a backlog longer than the first horizon is planned on the next one, as plan runs do
    plan, _ = planning.solve_on_horizons(
        build_on,
        lambda p: solve(p.problem, SolverSettings(time_limit=args.time_limit, backend="heuristic")),
    )
    first_s = time.perf_counter() - t
    n_ops, n_jobs = len(plan.problem.operations), len(plan.problem.jobs)

    t = time.perf_counter()
    run = plan_runs.execute_run(ctx, plan_runs.request_run(ctx, planner, args.time_limit)["id"])
    full_s = time.perf_counter() - t
    assert run["status"] == "done", run["error"]
    before = schedule.plan_detail(ctx, planner)

    clock.at += dt.timedelta(hours=3)
    busiest = statistics.mode(o["resource"] for o in before["operations"])
    centre = busiest.split("#")[0]
    down = plan_runs.Disruption(
        DisruptionKind.MACHINE_DOWN,
        "benchmark breakdown",
        work_centre=centre,
        resource=busiest if "#" in busiest else None,
        start=clock.now(),
        end=clock.now() + dt.timedelta(hours=8),
    )
    t = time.perf_counter()
    replan = plan_runs.execute_run(
        ctx, plan_runs.request_run(ctx, planner, args.replan_limit, down)["id"]
    )
    replan_s = time.perf_counter() - t
    assert replan["status"] == "done", replan["error"]
    after = schedule.plan_detail(ctx, planner)
    old = {o["key"]: o for o in before["operations"]}
    # affected: every order with work on the failed unit after it failed (that work and
    # all that follows it must move); the rest should stay where it was
    affected = {
        o["order_number"]
        for o in before["operations"]
        if o["resource"] == busiest and o["end"] > clock.now().isoformat()
    }
    unaffected = [
        o for o in after["operations"]
        if o["key"] in old and not o["frozen"] and o["order_number"] not in affected
    ]  # fmt: skip
    moved = sum(
        1
        for o in unaffected
        if (o["start"], o["resource"]) != (old[o["key"]]["start"], old[o["key"]]["resource"])
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ("orders generated / planned", f"{args.orders} / {n_jobs}"),
        ("operations / units", f"{n_ops} / {len(plan.problem.resources)}"),
        ("demo load", f"{load_s:.1f} s"),
        (
            f"build problem (routings, calendars, {planning.HORIZONS_DAYS[0]} days)",
            f"{build_s:.2f} s",
        ),
        ("horizon the work fits in", f"{plan.problem.horizon // planning.DAY} days"),
        ("first feasible plan (dispatching; any longer horizon's rebuild)", f"{first_s:.2f} s"),
        (f"plan run stored as a version (limit {args.time_limit:g} s)", f"{full_s:.2f} s"),
        ("late orders after the plan run", str(before["late_orders"])),
        (f"replan after {busiest} down 8 h (limit {args.replan_limit:g} s)", f"{replan_s:.2f} s"),
        (
            "unaffected operations moved by the replan",
            f"{moved} of {len(unaffected)} ({100 * moved / max(1, len(unaffected)):.1f} %)",
        ),
        ("orders with work on the failed unit (affected)", str(len(affected))),
        ("peak memory", f"{peak_mb:.0f} MB"),
    ]
    print(f"| measure (seed {args.seed}) | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
