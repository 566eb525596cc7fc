"""The scheduling benchmark script runs on tiny generated instances, and its independent
checker refuses what is infeasible (a checker that cannot fail would vouch for anything)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "scheduling.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scheduling_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("family", "size"), [("jssp", "5x3"), ("fjsp", "4x3"), ("smwt", "8")])
def test_generated_run_prints_a_table(family: str, size: str, tmp_path: Path) -> None:
    out = tmp_path / "table.md"
    options = ["--family", family, "--generate", size, "--count", "1", "--time-limit", "0.5"]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *options, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    table = out.read_text()
    assert f"| {family}-{size}-0 |" in table
    assert "- engine <= baseline: 1 / 1" in table


def test_generators_are_repeatable_and_follow_the_formats() -> None:
    bench = _script()
    text = bench.generate_text("jssp", "4x3", 0, 1)
    assert text == bench.generate_text("jssp", "4x3", 0, 1)
    assert text != bench.generate_text("jssp", "4x3", 1, 1)
    rows = [line.split() for line in text.splitlines()]
    assert rows[0] == ["4", "3"]
    for row in rows[1:]:  # every job visits every machine once, durations 1..99
        assert sorted(int(m) for m in row[0::2]) == [0, 1, 2]
        assert all(1 <= int(d) <= 99 for d in row[1::2])


def test_the_checker_refuses_overlap_and_broken_precedence() -> None:
    bench = _script()
    instance = [[[(0, 3)], [(1, 2)]], [[(0, 2)]]]  # job 0: m0 then m1; job 1: m0
    good = [
        {"job": 0, "op": 0, "machine": 0, "start": 0, "end": 3},
        {"job": 0, "op": 1, "machine": 1, "start": 3, "end": 5},
        {"job": 1, "op": 0, "machine": 0, "start": 3, "end": 5},
    ]
    assert bench.check(instance, good, "jssp", []) == 5
    overlap = [dict(good[0]), dict(good[1]), {**good[2], "start": 2, "end": 4}]
    with pytest.raises(AssertionError):
        bench.check(instance, overlap, "jssp", [])
    early = [dict(good[0]), {**good[1], "start": 2, "end": 4}, dict(good[2])]
    with pytest.raises(AssertionError):
        bench.check(instance, early, "jssp", [])


def test_durability_benchmark_measures_every_configuration(tmp_path: Path) -> None:
    script = SCRIPT.with_name("durability.py")
    out = tmp_path / "durability.md"
    done = subprocess.run(
        [sys.executable, str(script), "--seconds", "0.2", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [
        line for line in out.read_text().splitlines() if line.startswith("| ") and "ms" not in line
    ]
    assert len(rows) == 4
    assert any(row.startswith("| after: FULL, reads deferred |") for row in rows)


def test_floor_benchmark_reports_both_parts_on_a_tiny_run(tmp_path: Path) -> None:
    """The shop-floor benchmark on SQLite, tiny: every report of the operators is recorded
    (none failed), with and without pauses between taps, and both lot traces answer, the
    two years' lot issued to every work order of the history that needs its item."""
    script = SCRIPT.with_name("floor.py")
    done = subprocess.run(
        [sys.executable, str(script), "--quick", "--database-url", "sqlite://", "--pause", "0.01"],
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = {
        line.split(" | ")[0].lstrip("| "): line.split(" | ")
        for line in done.stdout.splitlines()
        if line.startswith("| ") and not line.startswith("| phase") and "---" not in line
    }
    alone, together = rows["baseline: 1 operator alone"], rows["2 operators at once, no pause"]
    paced = rows["2 operators at once, ~0.01 s between taps"]
    assert int(alone[1]) > 0 and int(together[1]) > int(alone[1]) and int(paced[1]) > 0
    assert all(r[4].strip(" |") == "0" for r in (alone, together, paced))
    traced = next(cells for label, cells in rows.items() if label.startswith("L-HIST-GLUE-UF"))
    issues, work_orders, units, orders = (int(n) for n in traced[1].split(" / "))
    assert issues >= work_orders > 0 and units >= work_orders and orders > 0


def _run(name: str, *options: str, cwd: Path, codes: tuple[int, ...] = (0,)) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT.with_name(name)), *options],
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
        cwd=cwd,
    )
    assert done.returncode in codes, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def test_quoting_benchmark_compares_both_policies_on_a_tiny_run(tmp_path: Path) -> None:
    """Three simulated weeks, one seed: both policies' rows and the target's verdict print
    (exit 1 says the target was missed, which so short a run may well do)."""
    out = _run(
        "quoting.py",
        "--weeks",
        "3",
        "--warmup",
        "1",
        "--seeds",
        "1",
        "--what-if-seeds",
        "0",
        cwd=tmp_path,
        codes=(0, 1),
    )
    assert "| **median** |" in out and "CTP" in out and "fixed" in out.lower()
    assert "MET" in out or "MISSED" in out


def test_simulation_benchmark_times_replications_on_a_tiny_plant(tmp_path: Path) -> None:
    out = _run(
        "simulation.py",
        "--orders",
        "4",
        "--replications",
        "3",
        cwd=tmp_path,
    )
    assert "deterministic replay reproduces the plan: True" in out and "3 replications" in out
