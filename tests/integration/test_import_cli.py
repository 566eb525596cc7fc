"""`orderforge import customers|items|orders FILE [--apply]` in a folder with its own
database: the preview is a table, --apply applies only a clean preview, errors are a
sentence and exit 1 with nothing applied, and roles are those of the web and API."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderforge.entrypoints.cli.main import app

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


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


def test_preview_then_apply_and_refuse_errors(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "db", "upgrade")
    run(cli, "demo", "load", "--history-weeks", "0")
    good = tmp_path / "customers.csv"
    good.write_text("code,name,country\nC-CLI-NEW,Cli Neu GmbH,DE\n", "utf-8")
    preview = run(cli, "import", "customers", str(good))
    assert "C-CLI-NEW" in preview and "create" in preview and "--apply" in preview
    assert "create" in run(cli, "import", "customers", str(good))  # still nothing applied
    applied = run(cli, "import", "customers", str(good), "--apply", "--as", "sales")
    assert "applied: 1 create" in applied
    assert "unchanged" in run(cli, "import", "customers", str(good))

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,email\nC-CLI-TWO,Two,\nC-CLI-BAD,Bad,nope\n", "utf-8")
    refused = run(cli, "import", "customers", str(bad), "--apply", code=1)
    assert "email" in refused and "not an e-mail address" in refused
    assert "nothing was applied" in refused
    two = tmp_path / "two.csv"
    two.write_text("code,name\nC-CLI-TWO,Two\n", "utf-8")
    assert "create" in run(cli, "import", "customers", str(two))  # C-CLI-TWO is not there

    header = tmp_path / "header.csv"
    header.write_text("code,name,colour\nC-X,X,red\n", "utf-8")
    assert "Unknown column 'colour'" in run(cli, "import", "customers", str(header), code=1)
    denied = run(cli, "import", "items", str(good), "--as", "sales", code=1)
    assert "may not import items" in denied
    orders = run(cli, "import", "orders", str(EXAMPLES / "import-orders.csv"), "--apply")
    assert "applied: 2 create" in orders
