"""`orderforge change request --document --notes`: a change that carries a new design
revision on the command line, a refused document in a sentence (nothing stored), and the
signed approval making it the line's next revision."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from orderforge.entrypoints.cli.main import app
from tests.conftest import DEMO_PASSWORD
from tests.integration.test_cli import cli, run

__all__ = ["cli"]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_change_carries_its_design_revision(cli: CliRunner, tmp_path: Path) -> None:
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
    number = created["number"]
    run(cli, "order", "advance", number, "confirm", "--as", "sales")
    script = tmp_path / "edge.pdf"
    script.write_bytes(b"<html><script>alert(1)</script></html>")
    ask = ("change", "request", number, "--line", "1", "--reason", "A bevelled edge.")
    refused = run(cli, *ask, "--document", str(script), "--notes", "Bevel", code=1)
    assert "edge.pdf" in refused and "[files]" in refused
    assert "ECR-" not in run(cli, "change", "list", "--order", number)

    drawing = tmp_path / "edge-detail.pdf"
    drawing.write_bytes(PDF)
    asked = run(cli, *ask, "--document", str(drawing), "--notes", "Bevelled edge, 5 mm.")
    assert "new design revision" in asked and "edge-detail.pdf" in asked, asked
    assert "Bevelled edge, 5 mm." in asked
    change = re.search(r"ECR-\d{4}-\d{4}", asked)
    assert change is not None
    approved = cli.invoke(
        app,
        ["change", "approve", change.group(0), "--as", "engineer"],
        input=f"engineer\n{DEMO_PASSWORD}\n",
        env={"COLUMNS": "200"},
    )
    assert approved.exit_code == 0, approved.output
    assert "design revision" in approved.output and "awaiting its design approvals" in (
        approved.output
    )
    design = run(cli, "design", "show", number)
    assert change.group(0) in design, design
