"""`orderforge design prototype`: an engineer makes a couch's prototype from the command
line; refusals are a sentence and exit 1."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.integration.test_cli import cli, run

__all__ = ["cli"]


def test_a_prototype_on_the_command_line(cli: CliRunner) -> None:
    run(cli, "demo", "load", "--history-weeks", "0")
    created = json.loads(
        run(cli, "order", "create", "--customer", "C-HOTEL-ALPINA", "--line", "COUCH:1:", "--json")
    )
    order = created["number"]
    for action in ("confirm", "plan"):  # the review on confirmation finds it feasible
        run(cli, "order", "advance", order, action)
    early = run(cli, "design", "prototype", order, "1", code=1)
    assert "has no design revision to prove: propose one first" in early
    run(cli, "design", "propose", order, "1", "--notes", "Drawn from the spec.")
    made = run(cli, "design", "prototype", order, "1")
    assert f"of {order} line 1 made." in made
    number = made.split()[1]
    shown = run(cli, "design", "show", order)
    assert f"prototype: The prototype {number} of revision A has not passed" in " ".join(
        shown.split()
    )
    [work_order] = [
        w
        for w in json.loads(run(cli, "wo", "list", "--json"))
        if w["order_number"] == order and w["kind"] == "prototype"
    ]
    assert (work_order["number"], work_order["quantity"]) == (number, 1)
    # The order's own work orders are its production work only.
    assert [w["kind"] for w in json.loads(run(cli, "wo", "list", "--order", order, "--json"))] == [
        "production"
    ]
    again = run(cli, "design", "prototype", order, "1", code=1)
    assert "no new prototype is needed now" in again
    assert "has no line 7" in run(cli, "design", "prototype", order, "7", code=1)
    refused = run(cli, "design", "prototype", order, "1", "--as", "planner", code=1)
    assert "does not make prototypes: engineers do" in refused
