"""How much of the current plan a plan run or a replan moves, on the demo plant.

    .venv/bin/python benchmarks/stability.py --orders 60 --time-limit 10 --seed 0

Loads the demo plant with `--orders` generated orders into a fresh SQLite database, runs
the plan (version 1), then commits one more order (a feasible order the demo left
unplanned is planned) and runs the plan again (version 2): how many of the operations
already planned moved? Then the busiest unit breaks down for 8 hours from now and a
replan runs (version 3): how many operations of the orders that never used the broken
unit or any unit that can stand in for it moved? Between the runs the clock moves
`--minutes-between` minutes (the planner takes a while to enter the order) and the
floor starts what the plan had starting in that time, as a floor following it would.

Each scenario runs twice on its own database, same seed: with today's objective and
with the baseline, the objectives plan runs used before plans were held stable (a plan
run optimised afresh, lexicographically; a replan weighed moves against lateness but
could displace any order to any unit, and held no order in place), patched into the
same code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from demo_plant import PASSWORD, Clock, fresh_app, load_orders
from orderforge.domain.errors import IllegalTransition, InvalidInput
from orderforge.domain.order import OrderAction, OrderState
from orderforge.domain.planning import DisruptionKind, RunOptions
from orderforge.engines.scheduling import Objective
from orderforge.production.domain import ReportKind
from orderforge.production.services import reports
from orderforge.production.services.work_orders import find_operation
from orderforge.services import orders, plan_runs, planning, schedule, users
from orderforge.services.context import ServiceContext
from orderforge.services.ports import OrderFilter, Principal


def _baseline_plan(_: RunOptions) -> Objective:
    return Objective()


def _baseline_replan(_: RunOptions) -> Objective:
    return Objective(lexicographic=False, tardiness_weight=4, stability_weight=1, move_penalty=120)


def _run(
    ctx: ServiceContext,
    planner: Principal,
    limit: float,
    disruption: plan_runs.Disruption | None,
    objective: Callable[[RunOptions], Objective] | None,
) -> tuple[dict[str, Any], float]:
    """One run in the foreground, with `objective` patched in (None: today's). The
    baseline also holds nothing in a breakdown replan, as replans did before."""
    today, holding = plan_runs.stable_objective, planning.hold_untouched
    if objective is not None:
        plan_runs.stable_objective = objective  # type: ignore[assignment]
        planning.hold_untouched = lambda plan: set()
    try:
        t = time.perf_counter()
        run = plan_runs.execute_run(
            ctx, plan_runs.request_run(ctx, planner, limit, disruption)["id"]
        )
        seconds = time.perf_counter() - t
    finally:
        plan_runs.stable_objective, planning.hold_untouched = today, holding
    assert run["status"] == "done", run["error"]
    return run, seconds


def _floor_follows(ctx: ServiceContext, plan: list[dict[str, Any]], clock: Clock) -> int:
    """The floor follows the plan up to now: it starts what the plan had starting and
    finishes what the plan had ending before now, each on time (as far as the floor's
    rules let it). Returns how many reports it made."""
    operator = users.authenticate(ctx, "operator", PASSWORD)
    now, reported = clock.now(), 0
    events = [(o["start"], ReportKind.START, o) for o in plan if not o["frozen"]]
    events += [(o["end"], ReportKind.COMPLETE, o) for o in plan]
    for at, kind, o in sorted(events, key=lambda e: (e[0], e[1] is ReportKind.START)):
        if at >= now.isoformat():
            continue
        clock.at = dt.datetime.fromisoformat(at)
        with ctx.uow() as uow:
            found = find_operation(uow, o["key"])
            assert found is not None, o["key"]
            work_order, op = found
            good = work_order.quantity if kind is ReportKind.COMPLETE else 0
            cmd = reports.ReportOperation(
                work_order.number, op.seq, kind, good=good, work_centre=o["work_centre"]
            )
        try:
            reports.report_operation(ctx, operator, cmd)
            reported += 1
        except (InvalidInput, IllegalTransition):
            continue
    clock.at = now
    return reported


def _moved(
    before: list[dict[str, Any]], after: list[dict[str, Any]], orders: set[str] | None = None
) -> tuple[int, int]:
    """(moved, of) over operations in both plans, not started or finished, of `orders`."""
    old = {o["key"]: o for o in before if not o["frozen"]}
    same = [
        o
        for o in after
        if o["key"] in old and not o["frozen"] and (orders is None or o["order_number"] in orders)
    ]
    moved = sum(
        1
        for o in same
        if (o["start"], o["resource"]) != (old[o["key"]]["start"], old[o["key"]]["resource"])
    )
    return moved, len(same)


def scenario(args: argparse.Namespace, baseline: bool) -> dict[str, Any]:
    app, ctx, clock = fresh_app("of-stability-bench-")
    load_orders(ctx, args.orders, args.seed)
    planner = users.authenticate(ctx, "planner", PASSWORD)
    out: dict[str, Any] = {}

    _run(ctx, planner, args.time_limit, None, _baseline_plan if baseline else None)
    v1 = schedule.plan_detail(ctx, planner)["operations"]

    with ctx.uow() as uow:
        waiting = uow.orders.list(OrderFilter(state=OrderState.FEASIBLE, limit=1000))
        new = sorted(o.number for o in waiting)[0]
    orders.advance_order(ctx, planner, new, OrderAction.PLAN.value)
    clock.at += dt.timedelta(minutes=args.minutes_between)
    out["floor_started"] = _floor_follows(ctx, v1, clock)
    _, out["plan_s"] = _run(
        ctx, planner, args.time_limit, None, _baseline_plan if baseline else None
    )
    v2 = schedule.plan_detail(ctx, planner)
    out["new_order"] = new
    out["new_ops"] = sum(1 for o in v2["operations"] if o["order_number"] == new)
    out["plan_moved"] = _moved(v1, v2["operations"])
    out["plan_stored"] = (v2["moved_operations"], v2["comparable_operations"])
    out["late_v1"] = sum(
        1 for o in schedule.plan_detail(ctx, planner, 1)["orders"] if o["tardiness_minutes"] > 0
    )
    out["late_v2"] = v2["late_orders"]

    ahead = [o for o in v2["operations"] if not o["frozen"]]
    with ctx.uow() as uow:
        problem = planning.build_problem(uow, clock.now()).problem
    modes = {op.key: {m.resource for m in op.modes} for op in problem.operations}
    everyone = {o["order_number"] for o in v2["operations"]}

    def outside(unit: str) -> tuple[set[str], set[str]]:
        """The unit and every unit that can stand in for its work; the orders using none."""
        on_it = (modes.get(o["key"], set()) for o in ahead if o["resource"] == unit)
        stand_in = {unit}.union(*on_it)
        users_of = {o["order_number"] for o in v2["operations"] if o["resource"] in stand_in}
        return stand_in, everyone - users_of

    # the unit with the most work in the next 8 hours among those a quarter of the orders
    # never use (a unit every order needs leaves no order to measure the claim on)
    soon = (clock.now() + dt.timedelta(hours=8)).isoformat()
    load = Counter(o["resource"] for o in ahead if o["start"] < soon)
    ranked = sorted({o["resource"] for o in ahead}, key=lambda u: (-load[u], u))
    busiest = next((u for u in ranked if len(outside(u)[1]) * 4 >= len(everyone)), ranked[0])
    stand_in, others = outside(busiest)
    down = plan_runs.Disruption(
        DisruptionKind.MACHINE_DOWN,
        "benchmark breakdown",
        work_centre=busiest.split("#")[0],
        resource=busiest if "#" in busiest else None,
        start=clock.now(),
        end=clock.now() + dt.timedelta(hours=8),
    )
    _, out["replan_s"] = _run(
        ctx, planner, args.replan_limit, down, _baseline_replan if baseline else None
    )
    v3 = schedule.plan_detail(ctx, planner)
    out["busiest"] = busiest
    out["stand_in"] = sorted(stand_in)
    out["others"] = len(others)
    out["orders"] = len({o["order_number"] for o in v2["operations"]})
    out["replan_moved_others"] = _moved(v2["operations"], v3["operations"], others)
    out["replan_moved_all"] = _moved(v2["operations"], v3["operations"])
    out["late_v3"] = v3["late_orders"]
    out["operations"] = len(v2["operations"])
    app.close()
    return out


def _pct(pair: tuple[int, int]) -> str:
    moved, of = pair
    return f"{moved} of {of} ({100 * moved / max(1, of):.1f} %)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--replan-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0, help="demo seed: 2026 + this")
    parser.add_argument(
        "--minutes-between", type=int, default=30, help="time between the runs, minutes"
    )
    args = parser.parse_args()
    now = scenario(args, baseline=False)
    base = scenario(args, baseline=True)

    def both(show: Callable[[dict[str, Any]], str]) -> tuple[str, str]:
        return show(now), show(base)

    rows = [
        ("operations in the plan / orders", *both(lambda r: f"{r['operations']} / {r['orders']}")),
        ("new order (its operations)", *both(lambda r: f"{r['new_order']} ({r['new_ops']})")),
        (
            "plan run after the new order: operations already planned that moved",
            *both(lambda r: _pct(r["plan_moved"])),
        ),
        ("... as stored with the version", *both(lambda r: _pct(r["plan_stored"]))),
        (
            "late orders before / after the new order",
            *both(lambda r: f"{r['late_v1']} / {r['late_v2']}"),
        ),
        ("plan run time", *both(lambda r: f"{r['plan_s']:.1f} s")),
        (
            "floor reports between the runs (starts, completions)",
            *both(lambda r: str(r["floor_started"])),
        ),
        ("broken unit (8 h from the replan)", *both(lambda r: str(r["busiest"]))),
        ("units that can stand in for its work", *both(lambda r: ", ".join(r["stand_in"]))),
        ("orders that never use those units", *both(lambda r: str(r["others"]))),
        ("replan: their operations that moved", *both(lambda r: _pct(r["replan_moved_others"]))),
        ("replan: all operations that moved", *both(lambda r: _pct(r["replan_moved_all"]))),
        ("late orders after the replan", *both(lambda r: str(r["late_v3"]))),
        ("replan time", *both(lambda r: f"{r['replan_s']:.1f} s")),
    ]
    print(f"| measure (seed {args.seed}, {args.orders} orders) | stable plan | baseline |")
    print("|---|---|---|")
    for name, a, b in rows:
        print(f"| {name} | {a} | {b} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
