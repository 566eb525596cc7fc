"""Quoting in an open plant: capable-to-promise against the ERP's fixed lead time.

    .venv/bin/python benchmarks/quoting.py --weeks 30 --warmup 4 --load 0.85 --seeds 5

The plant is synthetic and defined here: five work centres on 8-hour shifts from Monday to
Friday (welding, the bottleneck, has two welders on two shifts). `--plant mixed` (the
default) makes what a Make-to-Order furniture shop sells: single chairs, dining sets (a
table and six chairs, long operations, the routing back to the saw) and frames whose two
halves are welded in parallel; `--plant uniform` makes three products of similar size,
where a fixed lead time loses less (see docs/benchmarks.md). Orders arrive as Poisson
processes whose rate is set so the planned load of the bottleneck is `--load`; operation
times vary (gamma, `--cv`) and units break down (`--mtbf`, `--mttr` hours). Each seed is
one run of `--weeks` weeks; orders arriving in the first `--warmup` weeks are made but
not counted.

Per seed, on the same arrivals and the same operation times (common random numbers):

1. capable-to-promise at `--confidence`: each order is inserted into the committed load
   when it arrives and promised the day its plan finishes plus a margin learned from the
   run's own slips;
2. the ERP default, a fixed lead time: the SHORTEST whole number of days that keeps
   `--target` % of the counted orders on time in that same run (searched by bisection;
   the floor works in arrival order whatever the lead time, so on-time only grows with it).

Both dispatch by due date. Reported: the bottleneck's measured utilisation, on-time %,
mean quoted lead time and the ratio, and the median over seeds; the target is met when
CTP keeps >= `--target` % on time at a mean quoted lead time >= 25 % shorter. Then a
what-if table (extra shift, extra machine, another confidence, +30 % demand) on a few of
the same seeds. Nothing here is a test: figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, replace

from orderforge.engines.simulation.quoting import CapableToPromise, FixedLeadTime
from orderforge.engines.simulation.scenario import (
    SHIFT_MINUTES,
    Family,
    PoissonArrivals,
    Scenario,
    Step,
    Variability,
    WorkCentre,
    compare,
    format_table,
    run_scenario,
    with_demand,
    with_machine,
    with_quoting,
    with_shift,
)

CENTRES = [
    WorkCentre("saw", machines=1, shifts_per_day=2),
    WorkCentre("weld", machines=2, shifts_per_day=2),
    WorkCentre("paint", machines=1, shifts_per_day=2),
    WorkCentre("assembly", machines=2, shifts_per_day=1),
    WorkCentre("pack", machines=1, shifts_per_day=1),
]


def _route(*steps: tuple[str, float]) -> list[Step]:
    return [Step(resource, minutes) for resource, minutes in steps]


#: a Make-to-Order mix: single chairs, dining sets (a table and six chairs: long
#: operations) and frames whose two halves are welded in parallel
MIXED = (
    [
        Family(
            "chair",
            _route(("saw", 20), ("weld", 45), ("paint", 20), ("assembly", 30), ("pack", 10)),
        ),
        Family(
            "dining_set",
            _route(
                ("saw", 150),
                ("weld", 360),
                ("paint", 120),
                ("saw", 30),
                ("assembly", 240),
                ("pack", 45),
            ),
        ),
        Family(
            "frame",
            _route(("saw", 30), ("weld", 90), ("weld", 80), ("paint", 40), ("pack", 15)),
            precedence=[(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)],
        ),
    ],
    {"chair": 0.50, "dining_set": 0.20, "frame": 0.30},
)
#: orders of similar size: a chair, a table coming back to the saw, a frame
UNIFORM = (
    [
        Family(
            "chair",
            _route(("saw", 35), ("weld", 90), ("paint", 30), ("assembly", 60), ("pack", 15)),
        ),
        Family(
            "table",
            _route(
                ("saw", 50),
                ("weld", 120),
                ("paint", 50),
                ("saw", 20),
                ("assembly", 45),
                ("pack", 20),
            ),
        ),
        Family(
            "frame",
            _route(("saw", 30), ("weld", 60), ("weld", 50), ("paint", 40), ("pack", 10)),
            precedence=[(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)],
        ),
    ],
    {"chair": 0.40, "table": 0.35, "frame": 0.25},
)
PLANTS = {"mixed": MIXED, "uniform": UNIFORM}


@dataclass(frozen=True)
class SeedRow:
    seed: int
    load: float
    ctp_on_time: float
    ctp_lead: float
    fixed_days: int
    fixed_on_time: float

    @property
    def ratio(self) -> float:
        return self.ctp_lead / self.fixed_days if self.fixed_days else float("inf")


def planned_loads(plant: str, orders_per_week: float, availability: float) -> dict[str, float]:
    """Each centre's work a week (mean times stretched by availability) over its capacity."""
    families, mix = PLANTS[plant]
    loads: dict[str, float] = {}
    for wc in CENTRES:
        work = sum(
            orders_per_week * mix[f.name] * s.minutes * availability
            for f in families
            for s in f.steps
            if s.resource == wc.key
        )
        capacity = wc.machines * wc.shifts_per_day * SHIFT_MINUTES * wc.days_per_week
        loads[wc.key] = work / capacity
    return loads


def build(args: argparse.Namespace) -> Scenario:
    variability = Variability(cv=args.cv, mtbf_hours=args.mtbf, mttr_hours=args.mttr)
    per_order = planned_loads(args.plant, 1.0, variability.availability_factor)
    rate = args.load / max(per_order.values())
    families, mix = PLANTS[args.plant]
    return Scenario(
        name="base",
        weeks=args.weeks,
        arrivals=PoissonArrivals({f: rate * share for f, share in mix.items()}),
        families=families,
        resources=CENTRES,
        quoting=CapableToPromise(args.confidence),
        variability=variability,
        warmup_weeks=args.warmup,
    )


def shortest_fixed(scenario: Scenario, seed: int, target: float) -> tuple[int, float]:
    """The shortest fixed lead time (days) keeping `target` % on time, and its on-time %."""
    lo, hi = 0, 1
    while run_scenario(with_quoting(scenario, FixedLeadTime(hi)), seed).kpis.on_time_pct < target:
        lo, hi = hi, hi * 2
        if hi > 365:
            raise SystemExit(f"seed {seed}: no fixed lead time under a year keeps {target} %")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (
            run_scenario(with_quoting(scenario, FixedLeadTime(mid)), seed).kpis.on_time_pct
            >= target
        ):
            hi = mid
        else:
            lo = mid
    if run_scenario(with_quoting(scenario, FixedLeadTime(lo)), seed).kpis.on_time_pct >= target:
        hi = lo
    return hi, run_scenario(with_quoting(scenario, FixedLeadTime(hi)), seed).kpis.on_time_pct


def measure(scenario: Scenario, seed: int, target: float) -> SeedRow:
    ctp = run_scenario(scenario, seed).kpis
    days, fixed_on_time = shortest_fixed(scenario, seed, target)
    return SeedRow(
        seed,
        ctp.utilisation[ctp.bottleneck],
        ctp.on_time_pct,
        ctp.mean_quoted_lead_days,
        days,
        fixed_on_time,
    )


def report(rows: list[SeedRow], target: float) -> bool:
    print(
        "| seed | bottleneck load | CTP on-time % | CTP quoted lead (d) "
        "| fixed lead (d) | fixed on-time % | ratio CTP/fixed |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r.seed} | {r.load:.1%} | {r.ctp_on_time:.1f} | {r.ctp_lead:.2f} "
            f"| {r.fixed_days} | {r.fixed_on_time:.1f} | {r.ratio:.2f} |"
        )
    med = {
        "load": statistics.median(r.load for r in rows),
        "ctp_on": statistics.median(r.ctp_on_time for r in rows),
        "ctp_lead": statistics.median(r.ctp_lead for r in rows),
        "fixed": statistics.median(r.fixed_days for r in rows),
        "fixed_on": statistics.median(r.fixed_on_time for r in rows),
        "ratio": statistics.median(r.ratio for r in rows),
    }
    print(
        f"| **median** | {med['load']:.1%} | {med['ctp_on']:.1f} | {med['ctp_lead']:.2f} "
        f"| {med['fixed']:g} | {med['fixed_on']:.1f} | {med['ratio']:.2f} |"
    )
    met = med["ctp_on"] >= target and med["ratio"] <= 0.75
    every = all(r.ctp_on_time >= target and r.ratio <= 0.75 for r in rows)
    print(
        f"\nCTP quotes {1 - med['ratio']:.0%} shorter (median) at {med['ctp_on']:.1f} % on time; "
        f"target (>= {target:g} % on time, >= 25 % shorter): {'MET' if met else 'MISSED'}"
        f" (every seed: {'yes' if every else 'no'})"
    )
    if not 0.80 <= med["load"] <= 0.90:
        print(f"note: the measured bottleneck load {med['load']:.1%} is outside 80-90 %")
    return met


def what_if(base: Scenario, fixed_days: int, seeds: list[int]) -> None:
    scenarios = [
        replace(base, name=f"base ({base.quoting.label})"),
        with_quoting(base, FixedLeadTime(fixed_days), name=f"fixed {fixed_days} d"),
        with_quoting(base, CapableToPromise(0.90), name="CTP 90%"),
        with_shift(base, "weld", name="+1 shift on weld"),
        with_machine(base, "weld", name="+1 welder"),
        with_demand(base, 1.3, name="+30 % demand"),
    ]
    print(f"\nWhat-if, CTP unless named, mean over seeds {seeds}:\n")
    print(format_table(compare(scenarios, seeds)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plant", choices=sorted(PLANTS), default="mixed")
    parser.add_argument("--weeks", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=4)
    parser.add_argument("--load", type=float, default=0.85, help="planned bottleneck load")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--confidence", type=float, default=0.95)
    parser.add_argument("--target", type=float, default=95.0, help="on-time % both must keep")
    parser.add_argument("--cv", type=float, default=0.5, help="operation times' cv")
    parser.add_argument("--mtbf", type=float, default=40.0, help="hours between breakdowns")
    parser.add_argument("--mttr", type=float, default=2.0, help="hours to repair")
    parser.add_argument("--what-if-seeds", type=int, default=3, help="0: no what-if table")
    args = parser.parse_args()
    base = build(args)
    loads = planned_loads(
        args.plant,
        sum(base.arrivals.rate_per_week.values()),  # type: ignore[union-attr]
        base.variability.availability_factor,
    )
    orders = sum(base.arrivals.rate_per_week.values()) * args.weeks  # type: ignore[union-attr]
    print(
        f"{args.plant} plant, {args.weeks} weeks ({args.warmup} warm-up), "
        f"{orders:.0f} orders expected, planned loads: "
        + ", ".join(f"{k} {v:.0%}" for k, v in loads.items())
    )
    started = time.perf_counter()
    rows = [measure(base, seed, args.target) for seed in range(1, args.seeds + 1)]
    print(f"({time.perf_counter() - started:.0f} s)\n")
    met = report(rows, args.target)
    if args.what_if_seeds:
        fixed = round(statistics.median(r.fixed_days for r in rows))
        what_if(base, fixed, list(range(1, args.what_if_seeds + 1)))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
