"""Monte Carlo over a plan: how long replications take on a generated plant.

    .venv/bin/python benchmarks/simulation.py --orders 32 --resources 12 --replications 100

Generates a plant instance with the scheduling engine's own generator (two-shift calendars
with breaks, a paint line with colour changeovers, sub-assemblies feeding an assembly),
plans it with the heuristic backend, checks that a replay without variability reproduces
the plan exactly, then times `--replications` replications with lognormal operation times
(cv 0.3), breakdowns on every resource and late material on a share of the operations.
Nothing here is a test: figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import time

from orderforge.engines.scheduling import SolverSettings, generate_plant_instance, solve
from orderforge.engines.simulation import (
    ReleaseDelay,
    SimulationModel,
    Supply,
    Variability,
    plant_kpis,
    replicate,
    run,
    summarise,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=32)
    parser.add_argument("--resources", type=int, default=12)
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    problem = generate_plant_instance(args.seed, args.orders, args.resources)
    plan = solve(problem, SolverSettings(time_limit=2.0, num_workers=1, backend="heuristic"))
    exact = run(SimulationModel(problem, plan.schedule), seed=0)
    same = all(
        (r.start, r.end) == (plan.schedule[k].start, plan.schedule[k].end)
        for k, r in exact.operations.items()
    )
    model = SimulationModel(
        problem,
        plan.schedule,
        default=Variability(cv=0.3, mtbf=4000, mttr=90),
        supply=Supply(default=ReleaseDelay(probability=0.2, mean_days=1.0)),
    )
    started = time.perf_counter()
    reps = replicate(model, range(args.replications))
    seconds = time.perf_counter() - started
    jobs = summarise(model, reps)
    kpis = plant_kpis(reps)
    on_time = [j.on_time for j in jobs if j.on_time is not None]
    size = f"{len(problem.jobs)} jobs, {len(problem.operations)} operations"
    print(f"{size}, {args.resources} resources")
    print(f"deterministic replay reproduces the plan: {same}")
    print(
        f"{args.replications} replications: {seconds:.2f} s "
        f"({1000 * seconds / args.replications:.1f} ms each)"
    )
    print(f"mean on-time probability: {sum(on_time) / len(on_time):.3f}")
    print(f"mean WIP: {kpis.mean_wip:.2f} jobs, mean makespan: {kpis.mean_makespan:.0f} min")


if __name__ == "__main__":
    main()
