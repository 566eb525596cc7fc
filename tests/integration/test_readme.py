"""Every CLI example in README.md's command block works pasted on a fresh demo (the one
`scripts/start.sh` loads: demo orders and a first plan), in the order the README gives."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderforge.entrypoints.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CLI = ".venv/bin/orderforge"


def readme_examples() -> list[list[str]]:
    """The `.venv/bin/orderforge ...` lines of the README, comments removed."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    return [shlex.split(line, comments=True)[1:] for line in lines if line.startswith(CLI)]


def in_the_future(args: list[str], now: dt.datetime) -> list[str]:
    """The replan example's outage moved to tomorrow, wherever today is."""
    day = (now + dt.timedelta(days=1)).date().isoformat()
    moved = {"--from": f"{day}T06:00", "--to": f"{day}T14:00"}  # plant time, as typed
    return [moved.get(args[i - 1], a) if i else a for i, a in enumerate(args)]


def into(folder: Path, args: list[str]) -> list[str]:
    """Files the examples write or read by bare name (plant.yaml, confirmation.pdf) live
    in `folder`, not in the repository the test runs from."""
    return [str(folder / a) if "/" not in a and a.endswith((".pdf", ".yaml")) else a for a in args]


def test_the_readme_has_the_examples() -> None:
    commands = [" ".join(a[:2]) for a in readme_examples()]
    for expected in ("order review", "configure TABLE", "plan replan", "catalog import"):
        assert any(c.startswith(expected) for c in commands), commands


def test_every_readme_example_runs_on_a_fresh_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("ORDERFORGE_DATABASE_URL", f"sqlite:///{tmp_path / 'readme.db'}")
    monkeypatch.setenv("ORDERFORGE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("ORDERFORGE_USER", raising=False)
    runner = CliRunner()
    env = {"COLUMNS": "200"}
    for setup in (
        ["db", "upgrade"],
        ["demo", "load", "--if-empty", "--history-weeks", "0"],
        ["plan", "run", "--if-none"],
    ):
        result = runner.invoke(app, setup, env=env)
        assert result.exit_code == 0, result.output
    outputs: dict[str, str] = {}
    for args in readme_examples():
        args = into(tmp_path, in_the_future(args, dt.datetime.now(dt.UTC)))
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, f"{' '.join(args)}\n{result.output}"
        outputs[" ".join(args[:2])] = result.output
    assert (tmp_path / "confirmation.pdf").read_bytes().startswith(b"%PDF")
    assert "Nothing to change" in outputs["plant import"]  # an export imports as a no-op
    assert "stays feasible" in outputs["order review"]
    configured = outputs["configure TABLE"]
    assert "price" in configured.lower() and "Conflict" not in configured
