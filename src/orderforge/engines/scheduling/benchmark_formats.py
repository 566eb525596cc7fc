"""Readers for the public benchmark formats and the runner behind `orderforge solve`.

Keys are built so the numbers in the file can be read back: job "j<job>", operation
"j<job>.o<op>", resource "m<machine>", all 0-based in file order (FJSP files are 1-based;
the reader shifts them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orderforge.engines.scheduling.problem import (
    Job,
    Mode,
    Objective,
    Operation,
    ProblemData,
    Resource,
    Secondary,
    SolverSettings,
)
from orderforge.engines.scheduling.result import ProgressCallback
from orderforge.engines.scheduling.solver import solve

FORMATS = ("jssp", "fjsp", "smwt")


class BenchmarkFormatError(ValueError):
    """The file does not follow the announced format; the message says where."""


def _numbers(path: Path) -> Iterator[int]:
    for line_no, line in enumerate(path.read_text().splitlines(), start=1):
        for token in line.split():
            try:
                yield int(token) if "." not in token else round(float(token))
            except ValueError:
                raise BenchmarkFormatError(
                    f"{path.name}:{line_no}: {token!r} is not a number"
                ) from None


def _chain_problem(jobs_modes: list[list[list[tuple[int, int]]]], n_machines: int) -> ProblemData:
    jobs, ops = [], []
    horizon = 0
    for j, job_ops in enumerate(jobs_modes):
        jobs.append(Job(f"j{j}"))
        for k, modes in enumerate(job_ops):
            preds = (f"j{j}.o{k - 1}",) if k else ()
            ops.append(
                Operation(f"j{j}.o{k}", f"j{j}", tuple(Mode(f"m{m}", d) for m, d in modes), preds)
            )
            horizon += max(d for _, d in modes)
    resources = tuple(Resource(f"m{m}") for m in range(n_machines))
    return ProblemData(tuple(jobs), tuple(ops), resources, max(horizon, 1))


def read_jssp(path: Path) -> ProblemData:
    """Standard job shop: `n m`, then per job m pairs `machine duration` (0-based machines)."""
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    try:
        n, m = int(lines[0][0]), int(lines[0][1])
        jobs = []
        for j in range(n):
            row = [int(v) for v in lines[1 + j]]
            jobs.append([[(row[2 * k], row[2 * k + 1])] for k in range(len(row) // 2)])
    except (IndexError, ValueError) as exc:
        raise BenchmarkFormatError(f"{path.name}: not a job-shop file ({exc})") from None
    return _chain_problem(jobs, m)


def read_fjsp(path: Path) -> ProblemData:
    """Brandimarte format: `n m avg`, then per job `k` and per op `a (machine duration)*a`.

    The machine count is taken as the larger of the header and the highest machine used,
    which also tolerates mk06's header (15 declared, 10 used).
    """
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    try:
        n, declared = int(lines[0][0]), int(lines[0][1])
        jobs = []
        for j in range(n):
            row = [int(v) for v in lines[1 + j]]
            pos, job = 1, []
            for _ in range(row[0]):
                count = row[pos]
                pairs = [(row[pos + 1 + 2 * a] - 1, row[pos + 2 + 2 * a]) for a in range(count)]
                job.append(pairs)
                pos += 1 + 2 * count
            jobs.append(job)
    except (IndexError, ValueError) as exc:
        raise BenchmarkFormatError(f"{path.name}: not a Brandimarte FJSP file ({exc})") from None
    used = max(m for job in jobs for op in job for m, _ in op) + 1
    return _chain_problem(jobs, max(declared, used))


def read_smwt(path: Path) -> ProblemData:
    """Single machine total weighted tardiness: `n`, then `p w d` per job."""
    numbers = list(_numbers(path))
    if not numbers or len(numbers) < 1 + 3 * numbers[0]:
        raise BenchmarkFormatError(f"{path.name}: expected n and then 3 numbers per job")
    n = numbers[0]
    jobs, ops = [], []
    for j in range(n):
        p, w, d = numbers[1 + 3 * j : 4 + 3 * j]
        jobs.append(Job(f"j{j}", due=d, weight=w))
        ops.append(Operation(f"j{j}.o0", f"j{j}", (Mode("m0", p),)))
    horizon = max(1, sum(numbers[1 + 3 * j] for j in range(n)))
    objective = Objective(secondary=Secondary.NONE)
    return ProblemData(tuple(jobs), tuple(ops), (Resource("m0"),), horizon, objective=objective)


def read_instance(path: Path, fmt: str) -> ProblemData:
    readers = {"jssp": read_jssp, "fjsp": read_fjsp, "smwt": read_smwt}
    if fmt not in readers:
        raise BenchmarkFormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return readers[fmt](Path(path))


def _number(key: str) -> int:
    return int(key.rsplit(".", 1)[-1][1:])


def solve_benchmark(
    path: str | Path,
    fmt: str,
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Solve a benchmark file; the dict is what `orderforge solve --json` prints."""
    path = Path(path)
    problem = read_instance(path, fmt)
    settings = SolverSettings(time_limit=time_limit, num_workers=workers, random_seed=seed)
    result = solve(problem, settings, on_progress)
    operations = []
    for entry in result.schedule.values():
        job_key, op_key = entry.operation.split(".")
        operations.append(
            {
                "job": int(job_key[1:]),
                "op": int(op_key[1:]),
                "machine": _number(entry.resource),
                "start": entry.start,
                "end": entry.end,
            }
        )
    operations.sort(key=lambda row: (row["job"], row["op"]))
    return {
        "instance": path.stem,
        "objective": result.objective,
        "makespan": result.values.makespan,
        "lower_bound": result.lower_bound,
        "optimal": result.optimal,
        "seconds": round(result.seconds, 3),
        "operations": operations,
    }
