"""`orderforge quality causes` and `orderforge ncr` on a fresh demo: scrap reported with
its cause, an NCR raised, refused input in a sentence, rework decided and the closure
refused until the rework is done."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from orderforge.bootstrap import build
from tests.conftest import release_for_work
from tests.integration.test_cli import cli, run

__all__ = ["cli"]


def test_ncrs_on_the_command_line(cli: CliRunner) -> None:
    run(cli, "demo", "load", "--history-weeks", "0")
    assert "MACHINE: Machine fault" in run(cli, "quality", "causes")
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
    run(cli, "order", "advance", created["number"], "confirm", "--as", "sales")
    [work_order] = json.loads(run(cli, "wo", "list", "--order", created["number"], "--json"))
    number = work_order["number"]
    release_for_work(build().ctx, created["number"])  # the floor works only on released orders
    run(cli, "op", "start", number, "10", "--as", "operator")
    complete = ("op", "complete", number, "10", "--good", "1", "--scrap", "1")
    assert "[scrap_cause]" in run(cli, *complete, "--as", "operator", code=1)
    assert "is done" in run(cli, *complete, "--scrap-cause", "MACHINE", "--as", "operator")

    raise_ = ("ncr", "raise", number, "10", "--quantity", "1", "--description", "Chipped")
    bad = run(cli, *raise_, "--cause", "GREMLINS", "--as", "operator", code=1)
    assert "[cause]" in bad and "MACHINE" in bad
    raised = run(cli, *raise_, "--cause", "HANDLING", "--as", "operator")
    ncr = re.search(r"NCR-\d{4}-\d{4}", raised)
    assert ncr is not None and "Open" in raised
    assert ncr.group(0) in run(cli, "ncr", "list", "--status", "open")
    centre = work_order["operations"][0]["work_centres"][0]
    decided = run(
        cli,
        "ncr",
        "disposition",
        ncr.group(0),
        "rework",
        "--note",
        "Sand the edge",
        "--step",
        f"{centre}:20:Sand the edge",
    )
    assert "Rework" in decided and "Replan" in decided and "To verify" in decided
    refused = run(cli, "ncr", "close", ncr.group(0), "--note", "ok", "--as", "quality", code=1)
    assert "second person" in refused
    early = run(cli, "ncr", "close", ncr.group(0), "--note", "ok", "--as", "inspector", code=1)
    assert "cannot close yet" in early
    assert "no NCR" in run(cli, "ncr", "show", "NCR-1999-0001", code=1)
