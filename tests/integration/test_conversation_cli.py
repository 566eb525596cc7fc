"""`orderforge order message` / `order messages` in a folder with its own database: staff
post public messages and internal notes (files attached), a customer user reads only the
public ones and may not write internal notes; refusals are a sentence and exit 1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderforge.entrypoints.cli.main import app


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(str(tmp_path))
    for name in ("ORDERFORGE_DATABASE_URL", "ORDERFORGE_VAR_DIR", "ORDERFORGE_USER"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.output


def test_post_and_read_the_conversation(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "db", "upgrade")
    run(cli, "demo", "load", "--history-weeks", "0")
    number = re.findall(r"SO-\d{4}-\d{4}", run(cli, "order", "list", "--as", "alpina"))[0]
    posted = run(cli, "order", "message", number, "Veneer sample ready, @alpina", "--as", "sales")
    assert f"Message 1 posted on {number}." in posted
    note = run(cli, "order", "message", number, "Check the edge", "--internal", "--as", "sales")
    assert "Internal note 2 posted" in note
    staff = run(cli, "order", "messages", number, "--as", "planner")
    assert "Veneer sample ready" in staff and "Check the edge" in staff and "internal" in staff
    assert "Svenja Krüger (Sales)" in staff
    customer = run(cli, "order", "messages", number, "--as", "alpina")
    assert "Veneer sample ready" in customer and "Check the edge" not in customer
    refused = run(cli, "order", "message", number, "psst", "--internal", "--as", "alpina", code=1)
    assert "may not post internal" in refused
    unknown = run(cli, "order", "message", number, "hi @ghost", "--as", "sales", code=1)
    assert "[body]" in unknown and "@ghost" in unknown
    fake = tmp_path / "sketch.png"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    # a file that is not what its name says is refused, naming the field; nothing kept
    attached = run(cli, "order", "message", number, "see", "--attach", str(fake), code=1)
    assert "[files]" in attached
    assert run(cli, "order", "messages", number, "--json").count('"id"') == 2
    sketch = tmp_path / "sketch-real.png"
    sketch.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    kept = run(cli, "order", "message", number, "see", "--attach", str(sketch), "--as", "sales")
    assert f"Message 3 posted on {number}." in kept
    assert "sketch-real.png" in run(cli, "order", "messages", number, "--as", "alpina")
