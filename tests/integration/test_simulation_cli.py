"""`orderforge simulate confidence|runs|what-if` on a fresh demo: refused before the first plan,
then a study in the foreground with its table, as JSON, and in the list of studies."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.integration.test_cli import cli, run

__all__ = ["cli"]


def test_simulation_on_the_command_line(cli: CliRunner) -> None:
    run(cli, "demo", "load", "--history-weeks", "0")
    assert "no plan yet" in run(cli, "simulate", "confidence", code=1)
    run(cli, "plan", "run", "--time-limit", "1", "--json")
    table = run(cli, "simulate", "confidence", "--replications", "5", "--seed", "3")
    assert "P(on time)" in table and "SO-2026-" in table and "5 replications" in table
    study = json.loads(run(cli, "simulate", "confidence", "--replications", "4", "--json"))
    assert study["status"] == "done" and study["requested_by"] == "planner"
    assert all(
        0 <= o["on_time"] <= 1 for o in study["result"]["orders"] if o["on_time"] is not None
    )
    assert "[replications]" in run(cli, "simulate", "confidence", "--replications", "0", code=1)
    assert "may not" in run(cli, "simulate", "confidence", "--as", "operator", code=1)
    listed = json.loads(run(cli, "simulate", "runs", "--json", "--as", "sales"))
    assert [r["id"] for r in listed][:2] == [study["id"], study["id"] - 1]
    assert "Simulation studies" in run(cli, "simulate", "runs")
    # what-if: the plant beside a change, and what each centre's model was learned from
    compared = run(cli, "simulate", "what-if", "-s", "demand:1.3", "--weeks", "4", "--seeds", "1")
    assert "demand +30%" in compared and "base" in compared
    assert "How each work centre varies" in compared and "none modelled" in compared
    assert "Orders wait for bought material: " in compared
    assert "[scenarios[0]]" in run(cli, "simulate", "what-if", "-s", "demand:-1", code=1)
