"""Measure the scheduling engine against best-known values and a plain CP-SAT baseline.

    python benchmarks/scheduling.py --family jssp --instances ta01,ta02 --time-limit 60
    python benchmarks/scheduling.py --family smwt --instances wt40_00 --time-limit 5
    python benchmarks/scheduling.py --family plant --seed 1
    python benchmarks/scheduling.py --family jssp --generate 50x20,100x20 --count 2 --time-limit 60

`--generate` makes instances larger than the public set, with this script's own seeded
generators (Taillard's for the job shop, Brandimarte-like for the flexible one, OR-Library's
rules for weighted tardiness), so the engine is measured where nobody could have tuned it.
They have no best-known values: the table gives the gap to the engine's lower bound and to
the best value any run found (engine, baseline, and with `--reference-limit` a longer engine
run with another seed).

Every schedule (engine and baseline) is checked here with code of this script only, so the
engine's own validate() cannot vouch for itself. Instances are parsed here too.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

from orderforge.engines.scheduling import (
    ProblemData,
    ScheduledOperation,
    SolverSettings,
    generate_plant_instance,
    replan_after_breakdown,
    solve,
    solve_benchmark,
)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / ".." / "shared" / "benchmarks"
Row = dict[str, Any]
# per job, per operation: list of (machine, duration) alternatives; smwt: one (0, p)
Instance = list[list[list[tuple[int, int]]]]


@dataclass(frozen=True)
class Family:
    glob: str
    extension: str


FAMILIES = {
    "jssp": Family("jssp/*.txt", ".txt"),
    "fjsp": Family("fjsp/brandimarte/*.fjs", ".fjs"),
    "smwt": Family("smwt/wt40/*.txt", ".txt"),
}


def parse(path: Path, family: str) -> tuple[Instance, list[tuple[int, int]]]:
    """Operations per job and, for smwt, (weight, due) per job."""
    rows = [
        [int(float(v)) for v in ln.split()] for ln in path.read_text().splitlines() if ln.strip()
    ]
    if family == "smwt":
        jobs = [[[(0, r[0])]] for r in rows[1 : 1 + rows[0][0]]]
        return jobs, [(r[1], r[2]) for r in rows[1 : 1 + rows[0][0]]]
    instance: Instance = []
    for row in rows[1 : 1 + rows[0][0]]:
        if family == "jssp":
            instance.append([[(row[i], row[i + 1])] for i in range(0, len(row), 2)])
            continue
        pos, ops = 1, []
        for _ in range(row[0]):
            count = row[pos]
            ops.append([(row[pos + 1 + 2 * a] - 1, row[pos + 2 + 2 * a]) for a in range(count)])
            pos += 1 + 2 * count
        instance.append(ops)
    return instance, []


def check(instance: Instance, rows: Sequence[Row], family: str, due: list[tuple[int, int]]) -> int:
    """Raise if the schedule is infeasible; return its objective value."""
    seen: dict[tuple[int, int], Row] = {}
    for row in rows:
        key = (row["job"], row["op"])
        assert key not in seen, f"{key} scheduled twice"
        seen[key] = row
    per_machine: dict[int, list[tuple[int, int]]] = {}
    for j, ops in enumerate(instance):
        for k, modes in enumerate(ops):
            found = seen.get((j, k))
            assert found is not None, f"job {j} op {k} missing"
            row = found
            assert (row["machine"], row["end"] - row["start"]) in modes, f"bad mode {row}"
            assert row["start"] >= 0
            if k and family != "smwt":
                assert row["start"] >= seen[(j, k - 1)]["end"], f"precedence {row}"
            per_machine.setdefault(row["machine"], []).append((row["start"], row["end"]))
    for spans in per_machine.values():
        spans.sort()
        for (_, a_end), (b_start, _) in itertools.pairwise(spans):
            assert b_start >= a_end, f"overlap at {b_start}"
    if family == "smwt":
        return sum(w * max(0, int(seen[(j, 0)]["end"]) - d) for j, (w, d) in enumerate(due))
    return max(int(row["end"]) for row in rows)


def baseline(
    instance: Instance, family: str, due: list[tuple[int, int]], limit: float, workers: int
) -> tuple[int, list[Row]]:
    """Plain CP-SAT: intervals, no-overlap, precedence; no hint, no heuristic, no LNS."""
    m = cp_model.CpModel()
    horizon = sum(max(d for _, d in modes) for ops in instance for modes in ops)
    machines: dict[int, list[Any]] = {}
    ops_vars: dict[tuple[int, int], tuple[Any, Any, list[tuple[int, Any]]]] = {}
    for j, ops in enumerate(instance):
        for k, modes in enumerate(ops):
            s, e = m.new_int_var(0, horizon, ""), m.new_int_var(0, horizon, "")
            choice = []
            for mach, d in modes:
                x = m.new_bool_var("") if len(modes) > 1 else m.new_constant(1)
                machines.setdefault(mach, []).append(m.new_optional_interval_var(s, d, e, x, ""))
                choice.append((mach, x))
            if len(modes) > 1:
                m.add_exactly_one(x for _, x in choice)
            if k and family != "smwt":
                m.add(s >= ops_vars[(j, k - 1)][1])
            ops_vars[(j, k)] = (s, e, choice)
    for intervals in machines.values():
        m.add_no_overlap(intervals)
    if family == "smwt":
        late = []
        for j, (w, d) in enumerate(due):
            t = m.new_int_var(0, horizon, "")
            m.add(t >= ops_vars[(j, 0)][1] - d)
            late.append(w * t)
        m.minimize(sum(late))
    else:
        span = m.new_int_var(0, horizon, "")
        m.add_max_equality(span, [ops_vars[(j, len(ops) - 1)][1] for j, ops in enumerate(instance)])
        m.minimize(span)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = workers
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return -1, []
    rows = []
    for (j, k), (s, e, choice) in ops_vars.items():
        mach = next(mc for mc, x in choice if solver.boolean_value(x))
        rows.append(
            {"job": j, "op": k, "machine": mach, "start": solver.value(s), "end": solver.value(e)}
        )
    return round(solver.objective_value), rows


def measure(
    path: Path, args: argparse.Namespace
) -> tuple[Instance, list[tuple[int, int]], dict[str, Any], int, int]:
    """The engine and (unless --no-baseline) plain CP-SAT on one instance file, both values
    checked here: (instance, due dates, engine output, engine value, baseline value or -1)."""
    instance, due = parse(path, args.family)
    out = solve_benchmark(path, args.family, args.time_limit, args.workers)
    value = check(instance, out["operations"], args.family, due)
    assert value == out["objective"], f"{path.stem}: reported {out['objective']}, checked {value}"
    base_value = -1
    if not args.no_baseline:
        base_value, base_rows = baseline(instance, args.family, due, args.time_limit, args.workers)
        if base_rows:  # the checked value: a slack tardiness variable may overstate it
            base_value = check(instance, base_rows, args.family, due)
    return instance, due, out, value, base_value


def taillard_random(state: list[int], low: int, high: int) -> int:
    """Taillard's (1993) generator: a Lehmer sequence drawn into [low, high]."""
    m, a, b, c = 2147483647, 16807, 127773, 2836
    k = state[0] // b
    value = a * (state[0] % b) - k * c
    state[0] = value + m if value < 0 else value
    return low + int(state[0] / m * (high - low + 1))


def generate_text(family: str, size: str, index: int, seed: int) -> str:
    """One instance in the family's file format; `size` is JOBSxMACHINES, or JOBS for smwt."""
    rng = random.Random(f"{family}-{size}-{index}-{seed}")
    if family == "smwt":
        n = int(size)
        p = [rng.randint(1, 100) for _ in range(n)]
        w = [rng.randint(1, 10) for _ in range(n)]
        tf, rdd = [0.2, 0.4, 0.6, 0.8, 1.0][index % 5], [0.2, 0.4, 0.6, 0.8, 1.0][index // 5 % 5]
        lo = max(0, int(sum(p) * (1 - tf - rdd / 2)))
        hi = max(lo, int(sum(p) * (1 - tf + rdd / 2)))
        return f"{n}\n" + "".join(f"{p[j]} {w[j]} {rng.randint(lo, hi)}\n" for j in range(n))
    n, m = (int(v) for v in size.split("x"))
    if family == "jssp":
        times, machines = [rng.randint(1, 2**31 - 2)], [rng.randint(1, 2**31 - 2)]
        rows = []
        for _ in range(n):
            d = [taillard_random(times, 1, 99) for _ in range(m)]
            order = list(range(m))
            for j in range(m):
                k = taillard_random(machines, j, m - 1)
                order[j], order[k] = order[k], order[j]
            rows.append(" ".join(f"{order[j]} {d[j]}" for j in range(m)))
        return f"{n} {m}\n" + "\n".join(rows) + "\n"
    rows = []
    for _ in range(n):
        row = [rng.randint(max(2, m // 2), m)]
        for _ in range(row[0]):
            chosen = rng.sample(range(1, m + 1), rng.randint(1, min(m, 5)))
            row.append(len(chosen))
            for machine in chosen:
                row += [machine, rng.randint(1, 20)]
        rows.append(" ".join(map(str, row)))
    return f"{n} {m} 2\n" + "\n".join(rows) + "\n"


def run_generated(args: argparse.Namespace) -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="orderforge-generated-"))
    lines = [
        f"## {args.family}, generated ({args.generate}, {args.count} each, seed {args.seed}) — "
        f"time limit {args.time_limit:g} s, {args.workers} workers",
        "",
        "| instance | engine | baseline | best found | engine gap to best % "
        "| baseline gap to best % | lower bound | engine gap to bound % |",
        "|---|---|---|---|---|---|---|---|",
    ]
    gaps, base_gaps, not_worse, count = [], [], 0, 0
    for size in args.generate.split(","):
        for index in range(args.count):
            path = folder / f"{args.family}-{size}-{index}{FAMILIES[args.family].extension}"
            path.write_text(generate_text(args.family, size, index, args.seed))
            instance, due, out, value, base_value = measure(path, args)
            best = min(v for v in (value, base_value) if v >= 0)
            if args.reference_limit:
                ref = solve_benchmark(path, args.family, args.reference_limit, args.workers, seed=7)
                best = min(best, check(instance, ref["operations"], args.family, due))
            count += 1
            gaps.append(gap(value, best))
            not_worse += base_value < 0 or value <= base_value
            base_gap = gap(base_value, best) if base_value >= 0 else float("nan")
            base_gaps.append(base_gap)
            bound = out["lower_bound"]
            bound_gap = f"{gap(value, bound):.2f}" if bound > 0 else "—"
            lines.append(
                f"| {path.stem} | {value} | {base_value if base_value >= 0 else '—'} | {best} "
                f"| {gaps[-1]:.2f} | {base_gap:.2f} | {bound} | {bound_gap} |"
            )
            print(lines[-1], flush=True)
    lines += [
        "",
        f"- instances: {count}",
        f"- mean gap to the best found: engine {sum(gaps) / max(1, count):.3f} %, "
        f"baseline {sum(base_gaps) / max(1, count):.3f} %",
        f"- engine <= baseline: {not_worse} / {count}",
    ]
    return lines


def select(data: Path, family: str, spec: str) -> list[Path]:
    files = sorted((data).glob(FAMILIES[family].glob))
    if spec == "all":
        return files
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    return [f for f in files if any(f.stem == w or f.stem.startswith(w) for w in wanted)]


def gap(value: int, best: int) -> float:
    return 100.0 * (value - best) / best if best else (0.0 if value == 0 else 100.0)


def run_family(args: argparse.Namespace) -> list[str]:
    bounds = json.loads((args.data / "bounds.json").read_text())
    lines = [
        f"## {args.family} — time limit {args.time_limit:g} s, {args.workers} workers",
        "",
        "| instance | best-known | engine | gap % | baseline | baseline gap % | lower bound "
        "| optimal? | seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    gaps, matched, not_worse, count = [], 0, 0, 0
    for path in select(args.data, args.family, args.instances):
        best = bounds[path.stem]["upper_bound"]
        _, _, out, value, base_value = measure(path, args)
        count += 1
        gaps.append(gap(value, best))
        matched += value <= best
        not_worse += base_value < 0 or value <= base_value
        base_cell = "—" if base_value < 0 else str(base_value)
        base_gap = "—" if base_value < 0 else f"{gap(base_value, best):.2f}"
        lines.append(
            f"| {path.stem} | {best} | {value} | {gaps[-1]:.2f} | {base_cell} | {base_gap} | "
            f"{out['lower_bound']} | {'yes' if out['optimal'] else 'no'} | {out['seconds']:.1f} |"
        )
        print(lines[-1], flush=True)
    lines += [
        "",
        f"- instances: {count}",
        f"- mean gap to best-known: {sum(gaps) / max(1, len(gaps)):.3f} %",
        f"- best-known matched (or beaten): {matched} / {count}",
        f"- engine <= baseline: {not_worse} / {count}",
    ]
    return lines


def run_plant(args: argparse.Namespace) -> list[str]:
    started = time.monotonic()
    problem = generate_plant_instance(args.seed)
    first: list[float] = []
    settings = SolverSettings(
        time_limit=args.time_limit, num_workers=args.workers, random_seed=args.seed
    )
    result = solve(
        problem,
        settings,
        lambda s, o, b: first.append(time.monotonic() - started) if not first else None,
    )
    plan_check(problem, result.schedule)
    broken, down = pick_breakdown(problem, result.schedule, args.seed)
    replan_started = time.monotonic()
    new_problem = replan_after_breakdown(problem, result.schedule, broken, down)
    replan = solve(
        new_problem, SolverSettings(time_limit=args.replan_limit, num_workers=args.workers)
    )
    replan_seconds = time.monotonic() - replan_started
    plan_check(new_problem, replan.schedule)
    unaffected = unaffected_operations(problem, result.schedule, broken, down)
    moved = sum(
        1
        for key in unaffected
        if (replan.schedule[key].resource, replan.schedule[key].start)
        != (result.schedule[key].resource, result.schedule[key].start)
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"## plant scale — seed {args.seed}, {len(problem.operations)} operations, "
        f"{len(problem.resources)} resources",
        "",
        "| measure | value |",
        "|---|---|",
        f"| time to first feasible plan | {first[0]:.2f} s |",
        f"| plan after {args.time_limit:g} s: weighted tardiness / makespan | "
        f"{result.values.weighted_tardiness} / {result.values.makespan} |",
        f"| breakdown | {broken} down [{down[0]}, {down[1]}) |",
        f"| replan time (limit {args.replan_limit:g} s) | {replan_seconds:.2f} s |",
        f"| unaffected operations moved | {moved} / {len(unaffected)} "
        f"({100.0 * moved / max(1, len(unaffected)):.2f} %) |",
        f"| replan weighted tardiness | {replan.values.weighted_tardiness} |",
        f"| peak memory (max RSS) | {peak_mb:.0f} MB |",
    ]
    for line in lines:
        print(line)
    return lines


def pick_breakdown(
    problem: ProblemData, plan: dict[str, ScheduledOperation], seed: int
) -> tuple[str, tuple[int, int]]:
    """The busiest resource fails for 8 hours at a third of the plan's length."""
    load: dict[str, int] = {}
    for entry in plan.values():
        load[entry.resource] = load.get(entry.resource, 0) + entry.end - entry.start
    broken = max(sorted(load), key=lambda r: load[r])
    start = max(e.end for e in plan.values()) // 3 + random.Random(seed).randint(0, 600)
    return broken, (start, start + 480)


def unaffected_operations(
    problem: ProblemData, plan: dict[str, ScheduledOperation], broken: str, down: tuple[int, int]
) -> list[str]:
    """Not started yet, not on the failed resource, not downstream of work on it."""
    succs: dict[str, list[str]] = {}
    for op in problem.operations:
        for p in op.predecessors:
            succs.setdefault(p, []).append(op.key)
    hit = [k for k, e in plan.items() if e.resource == broken and e.end > down[0]]
    affected = set(hit)
    while hit:
        for s in succs.get(hit.pop(), []):
            if s not in affected:
                affected.add(s)
                hit.append(s)
    return [k for k, e in plan.items() if e.start >= down[0] and k not in affected]


def plan_check(problem: ProblemData, plan: dict[str, ScheduledOperation]) -> None:
    """Independent plant check: modes, working minutes, precedence, overlap with setups, frozen."""
    frozen = {f.operation: f for f in problem.frozen}
    res = {r.key: r for r in problem.resources}
    classes = {o.key: o.setup_class for o in problem.operations}
    for op in problem.operations:
        e = plan[op.key]
        if op.key in frozen:
            f = frozen[op.key]
            assert (f.resource, f.start, f.end) == (e.resource, e.start, e.end), op.key
            continue
        durations = {m.resource: m.duration for m in op.modes}
        r = res[e.resource]
        cal: list[tuple[int, int]] = []
        for a, b in sorted(r.calendar or [(0, problem.horizon)]):  # touching shifts are one
            if cal and a <= cal[-1][1]:
                cal[-1] = (cal[-1][0], max(b, cal[-1][1]))
            else:
                cal.append((a, b))
        worked = sum(max(0, min(b, e.end) - max(a, e.start)) for a, b in cal)
        assert worked == durations[e.resource], f"{op.key}: {worked} working minutes"
        if not r.interruptible:
            assert any(a <= e.start and e.end <= b for a, b in cal), f"{op.key} crosses a break"
        for p in op.predecessors:
            assert e.start >= plan[p].end, f"{op.key} before {p}"
    per: dict[str, list[ScheduledOperation]] = {}
    for entry in plan.values():
        per.setdefault(entry.resource, []).append(entry)
    for key, seq in per.items():
        seq.sort(key=lambda x: x.start)
        for before, after in itertools.pairwise(seq):
            ca, cb = classes[before.operation], classes[after.operation]
            setup = res[key].setup_times.get((ca, cb), 0) if ca and cb else 0
            assert after.start >= before.end + setup, (
                f"{key}: {before.operation} / {after.operation}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--family", choices=[*FAMILIES, "plant"], required=True)
    parser.add_argument(
        "--instances", default="all", help="names or prefixes, comma separated, or all"
    )
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replan-limit", type=float, default=5.0)
    parser.add_argument("--generate", help="sizes such as 50x20,100x20 (smwt: 100,200)")
    parser.add_argument("--count", type=int, default=2, help="instances per generated size")
    parser.add_argument("--reference-limit", type=float, default=0.0)
    args = parser.parse_args(argv)
    runner: Callable[[argparse.Namespace], list[str]] = run_family
    if args.family == "plant":
        runner = run_plant
    elif args.generate:
        runner = run_generated
    lines = runner(args)
    if args.family != "plant":
        print("\n".join(lines[-5:]))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("a") as handle:
            handle.write("\n".join(lines) + "\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
