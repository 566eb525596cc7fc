"""Measure the configurator on large synthetic families, as a user would drive it.

    python benchmarks/configure.py --seeds 1,2,3 --out docs/benchmarks-configurator.md

For each seed a synthetic family (>= 40 options, >= 150 rules, 8 parameters, 30 modules)
is generated and loaded; a simulated user then fixes every option and parameter one by
one in random order, always taking a value the engine offers, and the remaining domains
are timed after each pick. The finished spec is then validated and exploded into BOM and
routing (timed together). Every finished spec is re-checked here with the rule formulas
evaluated directly, so the engine's own check cannot vouch for itself.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from orderforge.engines.configurator import (
    Family,
    check_spec,
    configure,
    load_family,
    remaining_domains,
)
from orderforge.engines.configurator.examples.synthetic import synthetic_catalogue
from orderforge.engines.configurator.spec import environment, read_spec

TARGET_PICK_MS = 50.0
TARGET_FULL_MS = 100.0


@dataclass
class Run:
    seed: int
    options: int
    rules: int
    load_ms: float
    picks_ms: list[float]
    #: Baseline: the same queries, each on a freshly loaded family (no reuse of earlier
    #: solutions or impossibility proofs), measured in the same run.
    cold_picks_ms: list[float]
    full_ms: list[float]
    explain_ms: list[float]
    operations: int
    components: int


def session(
    family: Family, seed: int, asked: list[dict[str, object]] | None = None
) -> tuple[dict[str, object], list[float]]:
    """Pick every option and parameter in random order; time each domain query.
    The partial specs queried are appended to `asked`, for the baseline replay."""
    rng = random.Random(seed)
    names = [o.code for o in family.options] + [p.code for p in family.parameters]
    rng.shuffle(names)
    spec: dict[str, object] = {}
    timings: list[float] = []
    for name in names:
        if asked is not None:
            asked.append(dict(spec))
        start = time.perf_counter()
        domains = remaining_domains(family, spec)
        timings.append((time.perf_counter() - start) * 1000)
        if not domains.consistent:
            raise SystemExit(f"seed {seed}: dead end after {spec}")
        if name in domains.options:
            spec[name] = rng.choice(domains.options[name])
        else:
            chosen = rng.choice(domains.parameters[name].ranges)
            steps = int((chosen.maximum - chosen.minimum) / chosen.step)
            spec[name] = str(chosen.minimum + chosen.step * rng.randint(0, steps))
    return spec, timings


def independent_check(family: Family, spec: dict[str, object]) -> None:
    """Every rule, evaluated directly on the finished spec, must hold."""
    env, _ = environment(family, read_spec(family, spec))
    broken = [rule.id for rule in family.rules if rule.condition.evaluate(env) is not True]
    if broken:
        raise SystemExit(f"{family.code}: the finished spec breaks {broken}")


def measure(seed: int, options: int, rules: int, repeats: int) -> Run:
    data = synthetic_catalogue(seed, options=options, rules=rules)
    start = time.perf_counter()
    family = load_family(data)
    load_ms = (time.perf_counter() - start) * 1000
    asked: list[dict[str, object]] = []
    spec, picks = session(family, seed, asked)
    independent_check(family, spec)
    cold: list[float] = []
    for partial in asked:
        fresh = load_family(data)
        start = time.perf_counter()
        remaining_domains(fresh, partial)
        cold.append((time.perf_counter() - start) * 1000)
    full: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        validity = check_spec(family, spec)
        configuration = configure(family, spec)
        full.append((time.perf_counter() - start) * 1000)
        assert validity.valid
    explain = explain_times(family, spec, random.Random(seed), repeats)
    return Run(
        seed,
        len(family.options),
        len(family.rules),
        load_ms,
        picks,
        cold,
        full,
        explain,
        len(configuration.routing),
        len(configuration.components),
    )


def explain_times(
    family: Family, spec: dict[str, object], rng: random.Random, count: int
) -> list[float]:
    """Time check_spec on specs broken by changing one choice (conflicts explained)."""
    timings: list[float] = []
    options = list(family.options)
    rng.shuffle(options)
    for option in options:
        for choice in option.codes:
            broken = {**spec, option.code: choice}
            start = time.perf_counter()
            validity = check_spec(family, broken)
            elapsed = (time.perf_counter() - start) * 1000
            if not validity.valid:
                assert validity.conflicts
                timings.append(elapsed)
                break
        if len(timings) == count:
            break
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "-"


def report(runs: list[Run]) -> str:
    head = (
        "| seed | options | rules | load ms | picks | pick median ms | pick p95 ms | "
        "pick max ms | validate + BOM + routing median ms | explain conflict median ms | "
        "operations | components | baseline pick median ms (cold) |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = [
        f"| {r.seed} | {r.options} | {r.rules} | {r.load_ms:.1f} | {len(r.picks_ms)} | "
        f"{statistics.median(r.picks_ms):.1f} | {p95(r.picks_ms):.1f} | {max(r.picks_ms):.1f} | "
        f"{statistics.median(r.full_ms):.1f} | {_median(r.explain_ms)} | {r.operations} | "
        f"{r.components} | {statistics.median(r.cold_picks_ms):.1f} |"
        for r in runs
    ]
    picks = [t for r in runs for t in r.picks_ms]
    full = [t for r in runs for t in r.full_ms]
    explain = [t for r in runs for t in r.explain_ms]
    cold = [t for r in runs for t in r.cold_picks_ms]
    rows.append(
        f"| all | | | | {len(picks)} | {statistics.median(picks):.1f} | {p95(picks):.1f} | "
        f"{max(picks):.1f} | {statistics.median(full):.1f} | {_median(explain)} | | | "
        f"{statistics.median(cold):.1f} |"
    )
    verdict = (
        f"\nTargets: pick median <= {TARGET_PICK_MS:g} ms "
        f"({'met' if statistics.median(picks) <= TARGET_PICK_MS else 'MISSED'}), "
        f"validate + BOM + routing median <= {TARGET_FULL_MS:g} ms "
        f"({'met' if statistics.median(full) <= TARGET_FULL_MS else 'MISSED'}).\n"
        f"Baseline: the same queries on a freshly loaded family each (cold caches); "
        f"median ratio cold / engine = "
        f"{statistics.median(cold) / statistics.median(picks):.2f}.\n"
        f"Python {platform.python_version()}, OR-Tools {version('ortools')}, one CP-SAT worker.\n"
    )
    return head + "\n".join(rows) + "\n" + verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    parser.add_argument("--options", type=int, default=40)
    parser.add_argument("--rules", type=int, default=160)
    parser.add_argument("--repeats", type=int, default=5, help="timings of the full check")
    parser.add_argument("--out", type=Path, help="also write the Markdown table here")
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(",") if seed.strip()]
    runs = [measure(seed, args.options, args.rules, args.repeats) for seed in seeds]
    text = report(runs)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
