"""`orderforge mrp run`, `orderforge po list|show|receive` and `orderforge stock` on a
fresh demo."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.integration.test_cli import cli, run

__all__ = ["cli"]


def test_materials_on_the_command_line(cli: CliRunner) -> None:
    run(cli, "demo", "load", "--history-weeks", "0")
    done = json.loads(run(cli, "mrp", "run", "--json"))
    assert done["status"] == "done" and done["requested_by"] == "purchasing"
    assert "MRP run" in run(cli, "mrp", "run", "--quiet", "--as", "planner")
    assert "may not run" in run(cli, "mrp", "run", "--as", "sales", code=1)
    orders = json.loads(run(cli, "po", "list", "--status", "ordered", "--json"))
    leather = next(p for p in orders if p["supplier"] == "GERBEREI-LINDNER")
    number = leather["number"]
    assert number in run(cli, "po", "list")
    assert "GERBEREI-LINDNER" in run(cli, "po", "show", number)
    received = run(
        cli, "po", "receive", number, "1", "4.5", "--lot", "HIDE-1", "--location", "LEATHER"
    )
    assert "Received 4.5 LEATHER-COGNAC as lot HIDE-1 at LEATHER." in received.replace("\n", " ")
    refused = run(cli, "po", "receive", number, "1", "100", code=1)
    assert "[quantity]" in refused and "still open" in refused
    assert "[quantity]" in run(cli, "po", "receive", number, "1", "0", code=1)
    assert "[quantity]" in run(cli, "po", "receive", number, "1", "many", code=1)
    assert "no purchase order PO-1999-0001" in run(cli, "po", "show", "PO-1999-0001", code=1)
    [cognac] = json.loads(run(cli, "stock", "LEATHER-COGNAC", "--json"))
    assert "HIDE-1" in [lot["lot_number"] for lot in cognac["lots"]]
    assert cognac["on_order"] == "22.5"
    assert "LEATHER-COGNAC" in run(cli, "stock")
    assert "no item NO-SUCH" in run(cli, "stock", "NO-SUCH", code=1)
