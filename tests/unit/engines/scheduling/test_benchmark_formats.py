"""Benchmark readers and the runner the CLI calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderforge.engines.scheduling import (
    BenchmarkFormatError,
    read_fjsp,
    read_smwt,
    solve_benchmark,
)

SHARED = Path(__file__).parents[4] / ".." / "shared" / "benchmarks"


def test_ft06_reaches_the_optimum() -> None:
    path = SHARED / "jssp" / "ft06.txt"
    if not path.exists():
        pytest.skip(f"shared benchmarks not found at {SHARED}")
    out = solve_benchmark(path, "jssp", time_limit=10, workers=2)
    assert set(out) == {
        "instance", "objective", "makespan", "lower_bound", "optimal", "seconds", "operations"
    }  # fmt: skip
    assert out["instance"] == "ft06"
    assert out["objective"] == out["makespan"] == 55
    assert out["optimal"] is True
    assert len(out["operations"]) == 36
    first = out["operations"][0]
    assert set(first) == {"job", "op", "machine", "start", "end"}
    assert (first["job"], first["op"], first["machine"]) == (0, 0, 2)


def test_smwt_reader_and_runner(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text("3\n10 1 10\n5 3 5\n4 2 30\n")
    prob = read_smwt(path)
    assert [j.due for j in prob.jobs] == [10, 5, 30]
    out = solve_benchmark(path, "smwt", time_limit=0.5)
    assert out["objective"] == 5  # job 1 first, then job 0 (5 late, weight 1), then job 2
    assert {(r["op"], r["machine"]) for r in out["operations"]} == {(0, 0)}
    assert out["makespan"] == 19


def test_fjsp_reader_shifts_machines_and_tolerates_header(tmp_path: Path) -> None:
    path = tmp_path / "tiny.fjs"
    # header declares 5 machines although only 1..2 occur (the mk06 quirk)
    path.write_text("2 5 1.5\n2 2 1 3 2 5 1 2 4\n1 1 1 6\n")
    prob = read_fjsp(path)
    assert len(prob.resources) == 5
    first = prob.operations[0]
    assert [(m.resource, m.duration) for m in first.modes] == [("m0", 3), ("m1", 5)]
    assert prob.operations[1].predecessors == ("j0.o0",)
    out = solve_benchmark(path, "fjsp", time_limit=2)
    assert out["objective"] == 9  # j0: m0 [0,3) then m1 [3,7)... j1 6 on m0 -> 9 at best
    assert out["optimal"]


def test_unknown_format_and_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("2\n1 x 3\n")
    with pytest.raises(BenchmarkFormatError, match="not a number"):
        read_smwt(path)
    with pytest.raises(BenchmarkFormatError, match="unknown format"):
        solve_benchmark(path, "xyz", time_limit=1)
