"""`orderforge insight` in a folder with its own ./var/ database: the report as tables and
as JSON, and refusals (unknown family, a bad --since, a customer) as a sentence with exit
code 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.integration.test_cli import run


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    for name in ("ORDERFORGE_DATABASE_URL", "ORDERFORGE_VAR_DIR", "ORDERFORGE_USER"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    run(runner, "db", "upgrade")
    run(runner, "demo", "load", "--history-weeks", "0")
    return runner


def test_the_report_as_tables_and_json_and_its_refusals(cli: CliRunner) -> None:
    shown = " ".join(run(cli, "insight", "family", "TABLE").split())
    assert "Dining & conference table (TABLE) since" in shown
    for title in ("Options chosen", "Parameters ordered", "Needs engineering or infeasible"):
        assert title in shown, title
    assert "mm to" in shown  # parameters with units
    families = json.loads(run(cli, "insight", "families", "--json"))
    assert {f["family"] for f in families} >= {"TABLE", "CABINET", "SEATING", "COUCH"}
    report = json.loads(run(cli, "insight", "family", "cabinet", "--json", "--as", "quality"))
    assert report["family"] == "CABINET" and "changes" in report
    unknown = run(cli, "insight", "family", "NOPE", code=1)
    assert "There is no product family 'NOPE'" in unknown
    assert "--since must be a day" in run(
        cli, "insight", "family", "TABLE", "--since", "2026-13-01", code=1
    )
    assert "after today" in run(cli, "insight", "families", "--since", "2099-01-01", code=1)
    assert "may not view insights" in run(cli, "insight", "families", "--as", "alpina", code=1)
