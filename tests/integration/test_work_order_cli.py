"""`orderforge wo` and `orderforge op` on a fresh demo, as the README shows them."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from orderforge.bootstrap import build
from tests.conftest import release_for_work
from tests.integration.test_cli import cli, run

__all__ = ["cli"]


def test_work_orders_on_the_command_line(cli: CliRunner) -> None:
    run(cli, "demo", "load", "--history-weeks", "0")
    created = json.loads(
        run(
            cli,
            "order",
            "create",
            "--customer",
            "C-HOTEL-ALPINA",
            "--line",
            "TABLE:2:wood=walnut,length=2000",
            "--json",
        )
    )
    order = created["number"]
    run(cli, "order", "advance", order, "confirm", "--as", "sales")
    [work_order] = json.loads(run(cli, "wo", "list", "--order", order, "--json"))
    number = work_order["number"]
    early = run(cli, "op", "start", number, "10", "--as", "operator", code=1)
    assert "not released to production" in early
    release_for_work(build().ctx, order)  # the floor works only on released orders
    assert work_order["status"] == "open" and work_order["quantity"] == 2
    table = run(cli, "wo", "list", "--order", order)
    assert number in table and "0/" in table
    shown = run(cli, "wo", "show", number)
    assert "Operations" in shown and "Materials" in shown
    waiting = next(o for o in work_order["operations"] if o["status"] == "waiting")
    refused = run(cli, "op", "start", number, str(waiting["seq"]), "--as", "operator", code=1)
    assert "cannot start" in refused and "not done" in refused
    assert "is running" in run(cli, "op", "start", number, "10", "--as", "operator")
    assert "is paused" in run(cli, "op", "pause", number, "10", "--as", "operator")
    run(cli, "op", "start", number, "10", "--as", "operator")
    args = ("op", "complete", number, "10", "--good", "2", "--scrap", "0", "--key", "K-10")
    assert "is done" in run(cli, *args, "--as", "operator")
    assert "nothing counted twice" in run(cli, *args, "--as", "operator")
    other = run(cli, *args[:4], "--good", "1", "--key", "K-10", "--as", "operator", code=1)
    assert "different report" in other
    refused = run(cli, "op", "start", number, "20", "--as", "sales", code=1)
    assert "may not report" in refused
    bad = run(cli, "op", "complete", number, "20", "--good", "-1", "--as", "operator", code=1)
    assert "[good]" in bad and "whole number" in bad
    noted = run(cli, "op", "problem", number, "20", "--note", "Glue too cold", "--as", "operator")
    assert "operation 20" in noted and "is ready" in noted
    blank = run(cli, "op", "problem", number, "20", "--note", " ", "--as", "operator", code=1)
    assert "[note]" in blank
    detail = json.loads(run(cli, "wo", "show", number, "--json"))
    kinds = [r["kind"] for r in detail["reports"]]
    assert kinds == ["start", "pause", "start", "complete", "problem"]
    assert detail["operations"][0]["good_quantity"] == 2
    assert "no work order WO-1999-0001" in run(cli, "wo", "show", "WO-1999-0001", code=1)
