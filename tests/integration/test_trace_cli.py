"""`orderforge wo consume` and `orderforge trace unit|lot|dhr` on a fresh demo."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.integration.test_cli import cli, run

__all__ = ["cli"]


def test_lots_and_traces_on_the_command_line(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "demo", "load", "--history-weeks", "0")
    work_orders = json.loads(run(cli, "wo", "list", "--json", "--limit", "200"))
    done = next(w for w in work_orders if w["status"] == "done" and w["product_family"] != "COUCH")
    detail = json.loads(run(cli, "wo", "show", done["number"], "--json"))
    serial = detail["serials"][0]["serial"]
    assert "Serial numbers: " in run(cli, "wo", "show", done["number"])

    back = json.loads(run(cli, "trace", "unit", serial, "--json"))
    assert back["serial"] == serial and back["work_order"]["number"] == done["number"]
    assert serial in run(cli, "trace", "unit", serial)
    used = next(i for w in work_orders if w["status"] == "done" for i in _issues(cli, w))
    forward = json.loads(run(cli, "trace", "lot", used["lot"], "--json"))
    assert used["work_order"] in {c["work_order"] for c in forward["consumptions"]}
    assert "Units that got it" in run(cli, "trace", "lot", used["lot"])

    # More of that lot to the same operation (paperwork caught up): all that is left,
    # once for a repeated key, then refused because nothing is left.
    args = ("wo", "consume", used["work_order"], str(used["seq"]), "--lot", used["lot"])
    left = forward["quantity_left"]
    if left != "0":
        said = run(cli, *args, "--quantity", left, "--key", "k-1", "--as", "operator")
        assert f"lot {used['lot']}" in said
        again = run(cli, *args, "--quantity", left, "--key", "k-1", "--as", "operator")
        assert "taken once" in again
    empty = run(cli, *args, "--quantity", "1", "--as", "operator", code=1)
    assert f"Lot {used['lot']} has only 0 left" in empty
    refused = run(cli, *args[:4], "--lot", "L-1", "--quantity", "x", "--as", "operator", code=1)
    assert "[quantity]" in refused
    assert "may not" in run(cli, "trace", "unit", serial, "--as", "operator", code=1)
    assert "no unit with serial" in run(cli, "trace", "unit", "NOPE-2026-00001", code=1)
    not_regulated = run(cli, "trace", "dhr", serial, code=1)
    assert "not a regulated product" in not_regulated
    written = tmp_path / "none.pdf"
    assert "not a regulated product" in run(
        cli, "trace", "dhr", serial, "--pdf", str(written), code=1
    )
    assert not written.exists()

    # The demo's finished examination couch: every lot it used is on its record.
    couch = next(
        w
        for w in work_orders
        if w["status"] == "done" and w["product_family"] == "COUCH" and w["kind"] == "production"
    )
    couch_serial = json.loads(run(cli, "wo", "show", couch["number"], "--json"))["serials"][0]
    record = run(cli, "trace", "dhr", couch_serial["serial"])
    assert record.strip().endswith("is complete.")
    backward = json.loads(run(cli, "trace", "unit", couch_serial["serial"], "--json"))
    assert "CARTON-COUCH" in json.dumps(backward)


def _issues(cli: CliRunner, work_order: dict[str, object]) -> list[dict[str, str]]:
    detail = json.loads(run(cli, "wo", "show", str(work_order["number"]), "--json"))
    issues: list[dict[str, str]] = detail["issues"]
    return issues
